import hashlib
import io
import tarfile
import urllib.error

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


def _tgz(path, members):
    """A .tgz with ``members`` {name: bytes}, like inception-2015-12-05.tgz."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _patched_download(monkeypatch, tmp_path, members=None):
    """Route the download to a local archive holding the tiny graph; count fetches."""
    graph = _tiny_graph(tmp_path / "tiny.pb").read_bytes()
    archive = tmp_path / "served.tgz"
    _tgz(archive, members if members is not None else {
        "classify_image_graph_def.pb": graph, "imagenet_synset_to_human_label_map.txt": b"x"})
    calls = []

    def fetch(url, destination):
        calls.append(url)
        destination.write_bytes(archive.read_bytes())

    monkeypatch.setattr(inception, "_fetch", fetch)
    monkeypatch.delenv(inception.GRAPH_ENV, raising=False)
    return graph, calls


def test_graph_is_downloaded_once_checked_and_pinned(tmp_path, monkeypatch):
    graph, calls = _patched_download(monkeypatch, tmp_path)
    cache = tmp_path / "cache" / "inception"
    path = inception.graph_path(cache=cache)
    assert calls == [inception.URL] and path == cache / inception.GRAPH_FILE
    assert path.read_bytes() == graph
    digest = hashlib.sha256(graph).hexdigest()
    assert (cache / "classify_image_graph_def.pb.sha256").read_text().split()[0] == digest
    assert inception.verify(path) == digest
    assert inception.graph_path(cache=cache) == path and len(calls) == 1  # cached
    assert not [p for p in cache.iterdir() if p.is_dir()]  # no leftover download folder
    # the downloaded graph is what features are computed with
    const = np.full((2, 8, 8, 3), 0.5, np.float32)
    np.testing.assert_allclose(inception.inception_features(const, path),
                               np.full((2, 3), (0.75 * 255 - 128) / 128), rtol=2e-3)
    # a file changed after its download no longer matches its pin
    path.write_bytes(graph + b"\n")
    with pytest.raises(inception.GraphError, match=f"differs from {digest}"):
        inception.verify(path)


@pytest.mark.parametrize("members,message", [
    ({"README": b"no graph here"}, "holds no classify_image_graph_def.pb"),
    ({"classify_image_graph_def.pb": b"\xff\x00 not a protobuf"}, "not a TensorFlow GraphDef"),
])
def test_a_wrong_archive_is_rejected_and_nothing_is_cached(tmp_path, monkeypatch, members,
                                                           message):
    _patched_download(monkeypatch, tmp_path, members)
    cache = tmp_path / "cache"
    with pytest.raises(inception.GraphError, match=message):
        inception.graph_path(cache=cache)
    assert not (cache / inception.GRAPH_FILE).exists()


def test_a_graph_without_pool3_is_not_the_inception_graph(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.placeholder(tf.float32, [None, 3], name="ExpandDims")
    path = tmp_path / "other.pb"
    path.write_bytes(graph.as_graph_def().SerializeToString())
    with pytest.raises(inception.GraphError, match="no node ResizeBilinear, pool_3"):
        inception.verify(path)


def test_offline_download_failure_says_how_to_obtain_the_graph(tmp_path, monkeypatch):
    def offline(url, destination):
        raise urllib.error.URLError("test: no network")

    monkeypatch.setattr(inception, "_fetch", offline)
    monkeypatch.delenv(inception.GRAPH_ENV, raising=False)
    with pytest.raises(FileNotFoundError, match=r"download failed .*no network.*2015-12-05"):
        inception.graph_path(cache=tmp_path)


def test_real_statistics_are_computed_once_and_cached(tmp_path, monkeypatch):
    path = _tiny_graph(tmp_path / "g.pb")
    images = np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 3)).astype(np.float32)
    computed = []

    def real():
        computed.append(1)
        return images

    first = inception.cached_statistics("real-key", real, tmp_path / "stats", path)
    again = inception.cached_statistics("real-key", real, tmp_path / "stats", path)
    assert len(computed) == 1 and (tmp_path / "stats" / "stats-real-key.npz").is_file()
    feats = inception.inception_features(images, path).astype(np.float64)
    for got, want in zip(first, (feats.mean(0), np.cov(feats, rowvar=False)), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    fake = images[::-1] * 0.5
    assert inception.fid_to_statistics(first, fake, path) == pytest.approx(
        inception.fid(images, fake, path), rel=1e-6)


def test_fid_runs_from_the_schedule_with_the_downloaded_graph(toy_images, tmp_path,
                                                              monkeypatch):
    _, calls = _patched_download(monkeypatch, tmp_path)
    fake = np.random.default_rng(1).uniform(-1, 1, (20, 8, 8, 1)).astype(np.float32)
    assert "fid" not in toy_images.evaluate_schedule(fake, 20, fid=False)
    assert not calls  # FID off: nothing downloaded
    info = toy_images.evaluation_info(20, fid=True)
    assert calls == [inception.URL]
    graph = tmp_path / "cache" / "inception" / inception.GRAPH_FILE
    assert info["fid_graph_sha256"] == hashlib.sha256(graph.read_bytes()).hexdigest()
    m = toy_images.evaluate_schedule(fake, 20, fid=True)
    want = inception.fid(toy_images.real_reference(20), fake, graph)
    assert m["fid"] == pytest.approx(want, rel=1e-6)
    assert len(list((tmp_path / "cache" / "inception").glob("stats-toy-test-20-*.npz"))) == 1
    assert len(calls) == 1


def test_offline_the_record_and_the_table_say_why_fid_is_absent(toy_images, monkeypatch):
    from benches.results.aggregate import group
    from benches.results.leaderboard import build_board, markdown
    from tests.fake_records import fake_record

    def offline(url, destination):
        raise urllib.error.URLError("test: no network")

    monkeypatch.setattr(inception, "_fetch", offline)
    monkeypatch.delenv(inception.GRAPH_ENV, raising=False)
    info = toy_images.evaluation_info(20, fid=True)
    assert info["fid"].startswith("absent: ") and "download failed" in info["fid"]
    fake = np.random.default_rng(1).uniform(-1, 1, (20, 8, 8, 1)).astype(np.float32)
    assert "fid" not in toy_images.evaluate_schedule(fake, 20, fid=True)
    record = fake_record(metrics={"fd": 1.0}, evaluation=info)
    md = markdown(build_board("ring8", group([record])["ring8"]))
    assert "- FID: absent: " in md and "no network" in md
