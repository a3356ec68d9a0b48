"""The statistics every compiled call returns (no TensorFlow: records readers import it).

Each call returns its last step's losses, both players' global gradient norms before
any transform, and D's mean output on real and on fake samples; per-layer norms
(``g_grad_norm/<layer>``) follow. Records store them as the gradient log.
"""

STAT_NAMES = ("d_loss", "g_loss", "d_grad_norm", "g_grad_norm", "d_real", "d_fake")
