import csv
import io

import numpy as np
import pytest
from fake_records import fake_record, write_run
from scipy import stats

from benches.cli import main
from benches.results.aggregate import group
from benches.results.leaderboard import build_board, csv_text, markdown, rank


def entries(rows):
    return group(fake_record("ring8", label, seed, metrics=m, status="ok" if m else "diverged")
                 for label, per_seed in rows.items() for seed, m in enumerate(per_seed))["ring8"]


def test_rank_by_modes_then_kl_then_failures():
    board = entries({
        "few-modes": [{"modes": 5, "kl": 0.01}] * 3,
        "all-modes-high-kl": [{"modes": 8, "kl": 0.5}] * 3,
        "all-modes-low-kl": [{"modes": 8, "kl": 0.1}] * 3,
        "low-kl-but-fails": [{"modes": 8, "kl": 0.1}, {"modes": 8, "kl": 0.1}, None],
    })
    assert [e.label for e in rank(board.values())] == [
        "all-modes-low-kl", "low-kl-but-fails", "all-modes-high-kl", "few-modes"]


def test_min_direction_ranks_lowest_first():
    records = [fake_record("dirac", label, s, metrics={"distance": d + s * 0.01},
                           primary=[["distance", "min"]])
               for label, d in (("far", 1.0), ("near", 0.1)) for s in range(3)]
    assert [e.label for e in rank(group(records)["dirac"].values())] == ["near", "far"]


def test_board_statistics_and_p_values_against_scipy():
    leader = [{"modes": 8, "kl": k} for k in (0.05, 0.07, 0.06, 0.04, 0.08)]
    other = [{"modes": 8, "kl": k} for k in (0.30, 0.25, 0.41, 0.35, 0.28)]
    board = build_board("ring8", entries({"a": leader, "b": other}))
    first, second = board.rows
    assert first.entry.label == "a" and first.versus is None
    kl = np.array([r["kl"] for r in other])
    s = second.summaries["kl"]
    assert s.mean == pytest.approx(kl.mean()) and s.std == pytest.approx(kl.std(ddof=1))
    # modes tie at 8, so the deciding metric is kl
    assert second.versus.metric == "kl"
    expected = stats.mannwhitneyu([r["kl"] for r in leader], kl, method="exact").pvalue
    assert second.versus.p_value == pytest.approx(expected)
    assert second.versus.significant


def test_markdown_and_csv_content():
    board = build_board("ring8", entries({
        "a": [{"modes": 8, "kl": 0.1}, {"modes": 8, "kl": 0.2}, {"modes": 7, "kl": 0.3}],
        "b": [{"modes": 6, "kl": 0.9}, None, {"modes": 5, "kl": 1.1}],
    }))
    md = markdown(board)
    for text in ("- command: `python -m benches run --all`", "- hardware: Test CPU (2 CPUs)",
                 "- versions: TensorFlow 2.21.0", "- profile: quick", "1000 generated samples",
                 "| 1 | a | 3/3 | 0% | 7.67 ± 0.577 [6.23, 9.1]", "| 2 | b | 2/3 | 33% |",
                 "modes p=0.2", "smallest attainable p is 0.333",
                 "run at least 5 seeds", "b seed 1: diverged at step 50"):
        assert text in md, text
    rows = list(csv.DictReader(io.StringIO(
        "\n".join(x for x in csv_text(board).splitlines() if not x.startswith("#")))))
    assert [r["method"] for r in rows] == ["a", "b"]
    assert float(rows[0]["modes_mean"]) == pytest.approx(23 / 3)
    assert float(rows[1]["failure_rate"]) == pytest.approx(1 / 3)
    lo, hi = stats.t.interval(0.95, 1, loc=5.5, scale=stats.sem([6.0, 5.0]))
    assert float(rows[1]["modes_ci_low"]) == pytest.approx(lo)
    assert float(rows[1]["modes_ci_high"]) == pytest.approx(hi)
    assert rows[1]["vs_leader_metric"] == "modes" and rows[1]["vs_leader_significant"] == "False"
    assert rows[0]["vs_leader_p"] == ""


def test_evaluation_sample_counts_appear_when_records_have_them():
    rec = fake_record(metrics={"modes": 8}, evaluation={"n_real": 10000, "n_fake": 5000,
                                                       "split": "test", "backbone": "lenet"})
    md = markdown(build_board("ring8", group([rec])["ring8"]))
    assert "n_fake 5000" in md and "backbone lenet" in md and "split test" in md


def test_leaderboard_command_regenerates_everything(tmp_path):
    out = write_run(tmp_path / "run", {("ring8", "gan"): [{"modes": 8, "kl": 0.1}] * 3,
                                       ("grid25", "gan"): [{"modes": 20, "kl": 0.4}] * 3})
    assert main(["leaderboard", str(out)]) == 0
    names = sorted(p.name for p in (out / "leaderboards").iterdir())
    assert names == ["grid25.csv", "grid25.md", "ring8.csv", "ring8.md"]
    html = (out / "index.html").read_text()
    assert html.count('<section id="') == 2 and "ring8" in html
    assert "<td>gan</td>" in html and "Test CPU (2 CPUs)" in html
    # per dataset: modes and kl curves, speed bars, two gradient-norm curves (no samples)
    assert html.count('<svg class="plot"') == 2 * 5
    before = (out / "leaderboards" / "ring8.csv").read_text(), html
    assert main(["leaderboard", str(out)]) == 0  # deterministic regeneration
    assert before == ((out / "leaderboards" / "ring8.csv").read_text(),
                      (out / "index.html").read_text())


def test_leaderboard_of_missing_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["leaderboard", str(tmp_path / "nope")]) == 2
    assert "no records folder" in capsys.readouterr().err


# -- finding 5 of issue 17: misleading tables ------------------------------------------------
def test_records_of_different_step_counts_are_flagged(caplog):
    records = [fake_record(label="gan", seed=0, metrics={"modes": 8}),
               fake_record(label="nsgan", seed=0, metrics={"modes": 8}, steps=2000)]
    md = markdown(build_board("ring8", group(records)["ring8"]))
    profile = next(ln for ln in md.splitlines() if ln.startswith("- profile:"))
    assert "MIXED SCHEDULES" in profile
    assert "quick, steps 200, batch 64 (1 record)" in profile
    assert "quick, steps 2000, batch 64 (1 record)" in profile
    assert "mix 2 schedules" in caplog.text


@pytest.mark.parametrize("others", [{}, {"b": [None, None]}])
def test_a_method_whose_only_run_failed_is_never_the_leader(others):
    board = build_board("ring8", entries({"a": [None], **others}))
    md = markdown(board)
    assert "leader |" not in md.split("| rank |")[1].split("\n", 2)[2]  # rows, not header
    assert "| no finished seeds |" in md
    assert not any(row.leader for row in board.rows)


def test_tables_without_metric_values_have_as_many_cells_as_headers():
    board = build_board("ring8", entries({"a": [None, None]}))
    lines = [ln for ln in markdown(board).splitlines() if ln.startswith("|")]
    widths = {ln.count("|") for ln in lines}
    assert len(lines) == 3 and len(widths) == 1, lines


def test_one_seed_is_singular_in_footnotes():
    md = markdown(build_board("ring8", entries({"a": [{"modes": 8, "kl": 0.1}]})))
    assert "With 1 seed per method" in md and "1 seeds" not in md


def test_speeds_are_plain_numbers_in_one_notation():
    records = [fake_record(label="fast", metrics={"modes": 8}, steps_per_second=1183.4),
               fake_record(label="slow", metrics={"modes": 8}, steps_per_second=888.6),
               fake_record(label="tiny", metrics={"modes": 8}, steps_per_second=0.01234)]
    md = markdown(build_board("ring8", group(records)["ring8"]))
    assert "| 1183 |" in md and "| 889 |" in md and "| 0.0123 |" in md
    assert "e+0" not in md


def test_html_table_has_the_markdown_columns(tmp_path):
    out = write_run(tmp_path / "run", {("ring8", "gan"): [{"modes": 8, "kl": 0.1}] * 2,
                                       ("ring8", "nsgan"): [{"modes": 8, "kl": 0.2}] * 2})
    assert main(["leaderboard", str(out)]) == 0
    html = (out / "index.html").read_text()
    header = next(ln for ln in (out / "leaderboards" / "ring8.md").read_text().splitlines()
                  if ln.startswith("| rank |"))
    titles = [c.strip() for c in header.strip("|").split("|")]
    assert "cost vs nsgan" in titles and "compile s" in titles
    table = html[html.index("<table>"):html.index("</table>")]
    assert [t for t in titles if f"<th>{t}</th>" not in table] == []


def test_overridden_methods_have_readable_labels_and_cell_ids():
    from benches.run.matrix import Cell, parse_method_spec

    spec = parse_method_spec("nsgan:lr=1e-4:beta_1=0.0")
    assert spec.label == "nsgan[beta_1=0.0,lr=0.0001]"
    assert Cell(spec, "ring8", 0).cell_id == "ring8__nsgan,beta_1=0.0,lr=0.0001__seed0"


def five_seeds(modes):
    return [{"modes": m, "kl": 0.1} for m in modes]


def test_rows_within_seed_noise_share_the_leaders_rank():
    # a and b overlap; c is below both on every seed (exact p = 2/252 ~ 0.008)
    board = build_board("ring8", entries({
        "a": five_seeds([8, 8, 7, 8, 7]), "b": five_seeds([7, 8, 7, 7, 8]),
        "c": five_seeds([3, 4, 2, 3, 4]),
    }))
    assert board.tested
    assert [(row.entry.label, row.rank) for row in board.rows] == [("a", 1), ("b", 1), ("c", 3)]
    assert board.rows[1].versus.p_value > 0.05
    assert board.rows[2].versus.p_value == pytest.approx(2 / 252)
    md = markdown(board)
    assert "| 1= | a |" in md and "| 1= | b |" in md and "| 3 | c |" in md
    assert "rows sharing a rank" in md


def test_rank_counts_only_the_rows_that_beat_it_significantly():
    # b is not separable from a; c is beaten by a but not by b: rank 2 (one row beats it)
    board = build_board("ring8", entries({
        "a": five_seeds([8, 8, 8, 8, 8]), "b": five_seeds([8, 5, 8, 4, 8]),
        "c": five_seeds([6, 6, 6, 6, 6]),
    }))
    assert [(row.entry.label, row.rank) for row in board.rows] == [("a", 1), ("b", 1), ("c", 2)]


def test_a_tie_on_the_first_metric_is_decided_by_the_next_and_rows_are_listed_by_rank():
    # Ordered by means: lead, g (8 modes), x, n (7.8 modes). Modes never differ
    # significantly, so KL decides: lead beats g and n; x beats n; x's KL is better than
    # the leader's, so x shares rank 1 and is listed above g.
    def rows(modes, kl):
        return [{"modes": m, "kl": k} for m, k in zip(modes, kl, strict=True)]

    eight, fewer = [8] * 5, [8, 8, 8, 8, 7]
    board = build_board("ring8", entries({
        "lead": rows(eight, [.10, .11, .12, .13, .14]),
        "g": rows(eight, [.50, .51, .52, .53, .54]),
        "x": rows(fewer, [.01, .02, .03, .04, .05]),
        "n": rows(fewer, [.50, .51, .52, .53, .54]),
    }))
    assert [(row.entry.label, row.rank) for row in board.rows] == [
        ("lead", 1), ("x", 1), ("g", 2), ("n", 3)]
    x, g, n = board.rows[1:]
    assert x.versus.metric == "kl" and x.versus.significant and not x.versus.beaten
    assert g.versus.metric == "kl" and g.versus.beaten
    assert n.versus.metric == "kl" and n.versus.p_value == pytest.approx(2 / 252)


def test_tables_that_cannot_reach_significance_say_they_are_untested():
    board = build_board("ring8", entries({
        "a": five_seeds([8, 8, 8]), "b": five_seeds([3, 3, 3]), "c": [None, None, None],
    }))
    assert not board.tested
    assert [row.rank for row in board.rows] == [1, 2, None]
    md = markdown(board)
    assert "INDICATIVE AND UNTESTED" in md and "| 1 | a |" in md and "| — | c |" in md
