"""Everything downstream of a cell: records, statistics, leaderboards, report, compare.

These modules read records only and never import TensorFlow at module level.
"""
