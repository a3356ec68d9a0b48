import numpy as np
import pytest
import tensorflow as tf
from fake_records import fake_record

from benches import datasets
from benches.results.publish import write_leaderboards
from benches.results.records import write_record
from benches.results.samples import image_grid, keep_samples


class FakeImages:
    """The part of an image Dataset that the sample hook uses."""

    name = "fake-images"
    sample_kind = "images"
    pixel_range = (-1.0, 1.0)


def test_points_are_kept_in_the_record_with_the_true_modes():
    ds = datasets.get("ring8")
    x = np.random.default_rng(0).normal(size=(2000, 2))
    kept = keep_samples(ds, x, None, "c")
    assert kept["kind"] == "points" and len(kept["points"]) == 512
    np.testing.assert_allclose(kept["points"], x[:512], atol=5e-5)
    np.testing.assert_allclose(kept["reference"], ds.means, atol=1e-6)


def test_image_grid_maps_range_and_lays_out_tiles():
    imgs = np.stack([np.full((2, 3, 1), -1.0), np.full((2, 3, 1), 1.0), np.zeros((2, 3, 1))])
    grid = image_grid(imgs, (-1.0, 1.0))
    # 3 images -> 2 columns x 2 rows of 2x3 tiles with 1-pixel gutters
    assert grid.shape == (2 * 3 + 1, 2 * 4 + 1, 1) and grid.dtype == np.uint8
    assert (grid[1:3, 1:4] == 0).all() and (grid[1:3, 5:8] == 255).all()
    assert (grid[4:6, 1:4] == 128).all() and grid[0].min() == 255
    with pytest.raises(ValueError, match="shape"):
        image_grid(np.zeros((2, 4, 4, 2)), (0.0, 1.0))


def test_image_samples_become_a_png_that_the_report_links(tmp_path):
    imgs = np.random.default_rng(1).uniform(-1, 1, size=(100, 8, 8, 3))
    kept = keep_samples(FakeImages(), imgs, tmp_path, "fake-images__gan__seed0")
    assert kept == {"kind": "images", "path": "samples/fake-images__gan__seed0.png", "count": 64}
    png = tf.io.decode_png((tmp_path / kept["path"]).read_bytes()).numpy()
    assert png.shape == (8 * 9 + 1, 8 * 9 + 1, 3)
    write_record(tmp_path, fake_record("fake-images", "gan", 0, metrics={"fd": 12.0},
                                       primary=[["fd", "min"]], samples=kept))
    write_leaderboards(tmp_path)
    html = (tmp_path / "index.html").read_text()
    assert 'src="samples/fake-images__gan__seed0.png"' in html and "fd (lower is better)" in html
    assert keep_samples(FakeImages(), imgs, None, "x") is None
