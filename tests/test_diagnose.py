import json
import xml.etree.ElementTree as ET

from benches.cli import main


def test_diagnose_reports_plots_and_feeds_the_leaderboard(tmp_path, capsys):
    out = tmp_path / "d"
    assert main(["diagnose", "gan", "ring8", "--steps", "100", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    record = json.loads((out / "records" / "ring8__gan__seed0.json").read_text())
    health = record["gradient_health"]
    assert f"outcome: {health['label']}" in text
    assert f"median {health['g_grad_norm_median']:.3g}" in text
    assert "final per-layer G norms: dense0" in text
    svg = ET.parse(out / "ring8__gan__seed0.gradient_norms.svg").getroot()
    lines = svg.findall("{http://www.w3.org/2000/svg}polyline")
    # G and D global norms and one per G layer, one point per logged call and step 0
    assert len(lines) == 2 + sum(k.startswith("g_grad_norm/") for k in record["gradient_log"])
    assert all(len(line.get("points").split()) == 3 for line in lines)
    assert main(["leaderboard", str(out)]) == 0
    board = (out / "leaderboards" / "ring8.md").read_text()
    assert "| G grad median | G vanishing | G exploding | D saturated | outcome |" in board
    assert f"| {health['label']} 1 |" in board


def test_diagnose_rejects_unknown_names(tmp_path, capsys):
    assert main(["diagnose", "nope", "ring8", "--out", str(tmp_path / "o")]) == 2
    assert "unknown method 'nope'; valid:" in capsys.readouterr().err
    assert main(["diagnose", "gan", "mnist9", "--out", str(tmp_path / "o")]) == 2
    assert "unknown dataset 'mnist9'; valid:" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_method_norm_series_takes_the_median_over_seeds():
    from benches.results.gradient_report import method_norm_series

    def rec(label, norms):
        return {"method": {"label": label},
                "gradient_log": {"step": [10, 20], "g_grad_norm": norms}}

    records = [rec("gan", [1.0, 4.0]), rec("gan", [3.0, 2.0]), rec("gan", [2.0, 9.0]),
               rec("nsgan", [5.0, 6.0]), {"method": {"label": "wgan"}, "gradient_log": {}}]
    assert method_norm_series(records) == {"gan": [(10, 2.0), (20, 4.0)],
                                           "nsgan": [(10, 5.0), (20, 6.0)]}
