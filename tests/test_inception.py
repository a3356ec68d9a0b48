import numpy as np
import pytest
import tensorflow as tf

from metrics import inception


def _tiny_graph(path):
    """A graph with Inception's tensor names: ExpandDims:0 in, pool_3:0 out.

    Like the real graph it resizes to 299x299 and maps [0, 255] to [-1, 1]; its
    "features" are the channel means, which the test computes independently.
    """
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3], name="ExpandDims")
        y = (tf.compat.v1.image.resize_bilinear(x, [299, 299]) - 128.0) / 128.0
        tf.reduce_mean(y, axis=[1, 2], keepdims=True, name="pool_3")
    path.write_bytes(graph.as_graph_def().SerializeToString())
    return path


def test_missing_graph_says_how_to_obtain_it(tmp_path, monkeypatch):
    monkeypatch.setenv("GANBENCH_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv(inception.GRAPH_ENV, raising=False)
    with pytest.raises(FileNotFoundError, match="inception-2015-12-05.tgz"):
        inception.graph_path()


def test_loads_a_graph_with_the_same_tensor_names_and_feeds_0_255(tmp_path, monkeypatch):
    path = _tiny_graph(tmp_path / "g.pb")
    monkeypatch.setenv(inception.GRAPH_ENV, str(path))
    rng = np.random.default_rng(0)
    gray = rng.uniform(-1, 1, (3, 28, 28, 1)).astype(np.float32)
    feats = inception.inception_features(gray, batch=2)
    # a constant-per-image check: generator range [-1, 1] -> [0, 255] -> graph's (v-128)/128
    const = np.full((2, 8, 8, 3), 0.5, np.float32)
    np.testing.assert_allclose(inception.inception_features(const),
                               np.full((2, 3), (0.75 * 255 - 128) / 128), rtol=2e-3)  # float32 mean
    assert feats.shape == (3, 3)
    np.testing.assert_allclose(feats[:, 0], feats[:, 2])  # gray replicated to RGB
    assert inception.fid(const, const) == pytest.approx(0.0, abs=1e-6)
