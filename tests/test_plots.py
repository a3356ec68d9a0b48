import itertools
import re
import xml.etree.ElementTree as ET

from benches.results.plots import bar_chart, line_chart, nice_ticks, scatter_chart

SVG = "{http://www.w3.org/2000/svg}"


def marks(svg: str):
    root = ET.fromstring(svg)  # well-formed XML
    return [el for el in root.iter() if el.get("class") == "mark"]


def test_nice_ticks_cover_the_range_with_round_steps():
    assert nice_ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    ticks = nice_ticks(-3.7, 4.2)
    assert ticks[0] <= -3.7 and ticks[-1] >= 4.2
    assert len({round(b - a, 9) for a, b in itertools.pairwise(ticks)}) == 1


def test_line_chart_draws_one_polyline_per_series_at_the_right_pixels():
    svg = line_chart({"g": [(0, 0.0), (10, 1.0)], "d": [(0, 1.0), (10, 0.0)]},
                     title="t", xlabel="step", ylabel="v")
    lines = [m for m in marks(svg) if m.tag == SVG + "polyline"]
    assert len(lines) == 2
    # x in [0, 10] -> [LEFT, WIDTH-RIGHT] = [64, 370]; y in [0, 1] -> [HEIGHT-BOTTOM, TOP]
    assert lines[0].get("points") == "64.0,292.0 370.0,34.0"


def test_log_axis_drops_non_positive_values_and_uses_decades():
    svg = line_chart({"norm": [(1, 1e-3), (2, 0.0), (3, 10.0), (4, float("nan"))]},
                     title="grad", xlabel="s", ylabel="n", log_y=True)
    (line,) = marks(svg)
    assert len(line.get("points").split()) == 2
    assert ">0.001<" in svg and ">10<" in svg


def test_empty_inputs_say_no_data():
    assert "no data" in line_chart({}, title="t", xlabel="x", ylabel="y")
    assert "no data" in bar_chart({}, title="t", ylabel="y")


def test_scatter_marks_points_and_reference_crosses():
    svg = scatter_chart({"gan": [(0, 0), (1, 1), (2, 0)]}, title="s", xlabel="x", ylabel="y",
                        reference=[(0, 0), (2, 2)], reference_label="true modes")
    (points,) = marks(svg)  # one mark per series: a dot per point
    (x0, y0), (x1, y1), (x2, y2) = [
        (float(a), float(b)) for a, b in re.findall(r"M([\d.]+),([\d.]+)h0", points.get("d"))]
    assert x0 < x1 < x2 and abs(x1 - (x0 + x2) / 2) < 0.1
    assert y0 == y2 > y1 and "true modes" in svg  # SVG y grows downwards
    assert svg.count("<path") == 3  # the points and two reference crosses


def test_bar_chart_heights_and_error_bars():
    svg = bar_chart({"a": 10.0, "b": 5.0}, title="speed", ylabel="steps/s",
                    errors={"a": (8.0, 12.0)})
    a, b = marks(svg)
    assert float(a.get("height")) == 2 * float(b.get("height")) or abs(
        float(a.get("height")) - 2 * float(b.get("height"))) < 0.2
    assert len(re.findall(r'<path [^>]*d="M[^"]*V', svg)) == 1


def test_text_is_escaped():
    svg = line_chart({"<b>&": [(0, 1), (1, 2)]}, title="a<b", xlabel="x", ylabel="y")
    ET.fromstring(svg)
    assert "&lt;b&gt;&amp;" in svg
