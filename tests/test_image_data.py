import gzip
import io
import tarfile

import numpy as np
import pytest
import tensorflow as tf

from benches import datasets
from benches.datasets import image_sources, images
from benches.train.networks import DCGANDiscriminator, DCGANGenerator, conv2d, upsample_conv3x3


def _idx(array: np.ndarray, magic: int) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write_mnist(folder, n=30):
    rng = np.random.default_rng(0)
    (folder / "mnist").mkdir(parents=True)
    for prefix in ("train", "t10k"):
        imgs = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = np.arange(n) % 10
        (folder / "mnist" / f"{prefix}-images-idx3-ubyte.gz").write_bytes(
            gzip.compress(_idx(imgs, 2051)))
        (folder / "mnist" / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(
            gzip.compress(_idx(labels, 2049)))
    return imgs


@pytest.fixture
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv(image_sources.DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setenv(image_sources.CACHE_DIR_ENV, str(tmp_path / "cache"))
    images._split.cache_clear()
    yield tmp_path / "data"
    images._split.cache_clear()


def test_idx_offline_path_reads_the_files(offline):
    test_images = _write_mnist(offline)
    split = image_sources.load_mnist("test")
    np.testing.assert_array_equal(split.images[..., 0], test_images)
    assert split.labels.tolist() == [i % 10 for i in range(30)]
    assert split.source == "idx-gz (offline)"


def test_truncated_and_wrong_magic_idx_files_are_named(tmp_path):
    good = _idx(np.zeros((4, 28, 28)), 2051)
    (tmp_path / "short").write_bytes(good[:-10])
    with pytest.raises(image_sources.DataError, match=r"short: IDX body has .*truncated"):
        image_sources.read_idx(tmp_path / "short", "images")
    (tmp_path / "labels").write_bytes(_idx(np.zeros(4), 2049))
    with pytest.raises(image_sources.DataError, match=r"labels: wrong IDX magic 2049; expected"):
        image_sources.read_idx(tmp_path / "labels", "images")
    (tmp_path / "tiny").write_bytes(b"\x00\x00")
    with pytest.raises(image_sources.DataError, match="truncated IDX header"):
        image_sources.read_idx(tmp_path / "tiny", "labels")


def test_missing_folders_and_files_say_what_is_expected(offline, monkeypatch):
    with pytest.raises(image_sources.DataError, match="no such folder"):
        image_sources.load_mnist("train")
    (offline / "mnist").mkdir(parents=True)
    with pytest.raises(image_sources.DataError, match="missing train-images-idx3-ubyte.gz"):
        image_sources.load_mnist("train")
    with pytest.raises(image_sources.DataError, match=r"cifar10: no such folder"):
        image_sources.load_cifar10("train")


def _png(value: int, shape=(32, 32, 3)) -> bytes:
    return tf.io.encode_png(tf.fill(shape, tf.constant(value, tf.uint8))).numpy()


def test_image_folder_tar_with_labels_in_class_order(offline):
    (offline / "cifar10").mkdir(parents=True)
    with tarfile.open(offline / "cifar10" / "copy.tar.gz", "w:gz") as tar:
        for i, cls in enumerate(image_sources.CIFAR10_CLASSES[:3]):
            data = _png(10 * i)
            info = tarfile.TarInfo(f"cifar/test/{cls}/0001.png")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    split = image_sources.load_cifar10("test")
    assert split.source == "image-folder (png)"
    assert split.labels.tolist() == [0, 1, 2]
    assert split.images[:, 0, 0, 0].tolist() == [0, 10, 20]
    assert list((offline.parent / "cache" / "arrays").glob("*.npz"))  # decoded once, cached


def test_jpeg_folder_is_labelled_jpeg(tmp_path):
    folder = tmp_path / "test" / "cat"
    folder.mkdir(parents=True)
    jpeg = tf.io.encode_jpeg(tf.fill([32, 32, 3], tf.constant(128, tf.uint8))).numpy()
    (folder / "a.jpg").write_bytes(jpeg)
    split = image_sources.image_folder(tmp_path, "test", image_sources.CIFAR10_CLASSES)
    assert split.source == "image-folder (jpeg)" and split.labels.tolist() == [3]


def test_non_image_file_in_the_folder_is_named(tmp_path):
    folder = tmp_path / "train" / "dog"
    folder.mkdir(parents=True)
    (folder / "0001.png").write_bytes(_png(1))
    (folder / "notes.txt").write_text("hello")
    with pytest.raises(image_sources.DataError, match=r"notes.txt: not an image file"):
        image_sources.image_folder(tmp_path, "train")
    (folder / "notes.txt").unlink()
    (folder / "0002.png").write_bytes(b"not a png at all")
    with pytest.raises(image_sources.DataError, match=r"0002.png: not a decodable image"):
        image_sources.image_folder(tmp_path, "train")


def test_cifar_binary_archive(tmp_path):
    rng = np.random.default_rng(0)
    rows = rng.integers(0, 256, (3, 1 + 3072), dtype=np.uint8)
    rows[:, 0] = [7, 1, 9]
    with tarfile.open(tmp_path / "cifar-10-binary.tar.gz", "w:gz") as tar:
        data = rows.tobytes()
        info = tarfile.TarInfo("cifar-10-batches-bin/test_batch.bin")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    split = image_sources.cifar_binary(tmp_path / "cifar-10-binary.tar.gz", "test")
    assert split.labels.tolist() == [7, 1, 9]
    # planes R, G, B of 1024 bytes each become the channel axis
    assert split.images[1, 0, 1, 2] == rows[1, 1 + 2048 + 1]
    with pytest.raises(image_sources.DataError, match="missing data_batch_1.bin"):
        image_sources.cifar_binary(tmp_path / "cifar-10-binary.tar.gz", "train")


def test_tfds_path_with_mock_data(monkeypatch):
    import tensorflow_datasets as tfds

    monkeypatch.delenv(image_sources.DATA_DIR_ENV, raising=False)
    with tfds.testing.mock_data(num_examples=7):
        split = image_sources.load_mnist("train")
    assert split.images.shape == (7, 28, 28, 1) and split.images.dtype == np.uint8
    assert split.source == "tfds"


def test_tfds_download_path_reaches_the_download(monkeypatch, tmp_path):
    """Without mock data, ``tfds.load`` gets as far as fetching the files (no import gaps)."""
    import tensorflow_datasets as tfds

    def fetch(self, *args, **kwargs):
        raise ConnectionRefusedError("test: the download was reached")

    for name in ("download", "download_and_extract"):
        monkeypatch.setattr(tfds.download.DownloadManager, name, fetch)
    monkeypatch.setattr(image_sources, "reachable", lambda host: True)  # as if online
    with pytest.raises(image_sources.DataError, match="the download was reached"):
        image_sources.tfds_split("mnist", "test", str(tmp_path))


def test_offline_tfds_download_fails_at_once_naming_the_data_folder(monkeypatch, tmp_path):
    """Offline (an unroutable download host), no retries: the error names the fix."""
    import time

    import tensorflow_datasets as tfds

    def fetch(self, *args, **kwargs):
        raise AssertionError("a download was attempted")

    for name in ("download", "download_and_extract"):
        monkeypatch.setattr(tfds.download.DownloadManager, name, fetch)
    monkeypatch.setitem(image_sources.TFDS_HOSTS, "mnist", "192.0.2.1")  # TEST-NET-1
    monkeypatch.setattr(image_sources, "PROBE_SECONDS", 2.0)
    start = time.perf_counter()
    with pytest.raises(image_sources.DataError) as exc:
        image_sources.tfds_split("mnist", "test", str(tmp_path))
    assert time.perf_counter() - start < 20
    assert "192.0.2.1 cannot be reached" in str(exc.value)
    assert image_sources.DATA_DIR_ENV in str(exc.value)


def test_parallel_workers_fill_a_cache_entry_once(monkeypatch, tmp_path):
    import threading
    import time

    monkeypatch.setenv(image_sources.CACHE_DIR_ENV, str(tmp_path / "cache"))
    archive = tmp_path / "images.tar.gz"
    archive.write_bytes(b"x")
    loads = []

    def load():
        loads.append(1)
        time.sleep(0.5)
        return image_sources.Split(np.zeros((2, 1, 1, 1), np.uint8), np.zeros(2), "test")

    threads = [threading.Thread(target=image_sources._cached, args=(archive, "train", load))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1


def test_real_batches_are_gathered_scaled_and_seeded(offline):
    _write_mnist(offline)
    ds = datasets.get("mnist")
    seed = tf.constant([1, 2], tf.int64)
    x = tf.function(lambda: ds.sample_real(seed, 16), jit_compile=True)().numpy()
    np.testing.assert_allclose(x, ds.sample_real(seed, 16).numpy(), atol=1e-6)
    assert x.shape == (16, 28, 28, 1) and x.min() >= -1.0 - 1e-6 and x.max() <= 1.0 + 1e-6
    pixels = np.round((x + 1.0) * 127.5).astype(np.uint8)
    train = image_sources.load_mnist("train").images
    assert all(any(np.array_equal(p, t) for t in train) for p in pixels)
    stacked = datasets.get("stacked-mnist").sample_real(seed, 8).numpy()
    assert stacked.shape == (8, 28, 28, 3)
    assert not np.array_equal(stacked[..., 0], stacked[..., 1])


@pytest.mark.parametrize("stride,kernel,size", [(1, 3, 7), (2, 4, 7), (2, 4, 8), (2, 4, 28),
                                               (2, 3, 7)])
def test_conv2d_matches_tf_conv2d(stride, kernel, size):
    # (2, 4, *): the space-to-depth path, odd and even padding; the others: plain im2col
    x = tf.random.stateless_normal([2, size, size, 3], [0, 1])
    k = tf.random.stateless_normal([kernel, kernel, 3, 5], [0, 2])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, k])
        got, want = conv2d(x, k, stride), tf.nn.conv2d(x, k, stride, "SAME")
        ours, reference = tf.reduce_sum(got ** 2), tf.reduce_sum(want ** 2)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    for ours_grad, ref_grad in zip(tape.gradient(ours, [x, k]), tape.gradient(reference, [x, k]),
                                   strict=True):
        np.testing.assert_allclose(ours_grad, ref_grad, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("height,width", [(7, 7), (4, 6)])
def test_upsample_conv3x3_matches_upsampling_then_convolving(height, width):
    x = tf.random.stateless_normal([2, height, width, 3], [0, 3])
    k = tf.random.stateless_normal([3, 3, 3, 5], [0, 4])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, k])
        got = upsample_conv3x3(x, k)
        want = tf.nn.conv2d(tf.repeat(tf.repeat(x, 2, axis=1), 2, axis=2), k, 1, "SAME")
        ours, reference = tf.reduce_sum(got ** 2), tf.reduce_sum(want ** 2)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    for ours_grad, ref_grad in zip(tape.gradient(ours, [x, k]), tape.gradient(reference, [x, k]),
                                   strict=True):
        np.testing.assert_allclose(ours_grad, ref_grad, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape", [(28, 28, 1), (28, 28, 3), (32, 32, 3)])
def test_dcgan_shapes_and_layers(shape):
    g, d = DCGANGenerator(64, shape), DCGANDiscriminator(shape)
    gp, dp = g.init(0), d.init(1)
    x = g.apply(gp, tf.random.stateless_normal([5, 64], [1, 1]))
    assert x.shape == (5, *shape) and float(tf.reduce_max(tf.abs(x))) <= 1.0
    assert d.apply(dp, x).shape == (5, 1)
    assert [g.layer_of(i) for i in range(len(gp))] == ["dense"] * 3 + ["conv1"] * 3 + ["conv2"] * 2
    assert [d.layer_of(i) for i in range(len(dp))] == ["conv0"] * 2 + ["conv1"] * 2 + ["dense"] * 2
    assert dp[0].shape == (4, 4, shape[2], 32)  # conv kernels are [h, w, in, out]


def test_stacked_mnist_counts_modes_on_the_papers_sample_count_in_every_profile_but_smoke():
    from benches.run.profiles import PROFILES, schedule

    for profile in PROFILES:
        sched = schedule(profile, "image")
        n = datasets.get("stacked-mnist").samples_per_evaluation(sched.eval_samples,
                                                                  sched.mode_samples)
        assert n == sched.eval_samples if profile == "smoke" else n >= 25_600, profile
        # ten-class datasets keep the FD sample count
        assert datasets.get("mnist").samples_per_evaluation(
            sched.eval_samples, sched.mode_samples) == sched.eval_samples


def test_modes_are_counted_on_all_samples_and_features_on_the_first(toy_images, monkeypatch):
    from metrics.mode_coverage import mode_coverage

    monkeypatch.setattr(toy_images, "separate_mode_samples", True)
    assert toy_images.samples_per_evaluation(10, 30) == 30
    x = np.random.default_rng(2).uniform(-1, 1, (30, 8, 8, 1)).astype(np.float32)
    m = toy_images.evaluate_schedule(x, 10, fid=False)
    first = toy_images.evaluate(x[:10])
    for name in ("fd", "kid", "precision", "recall", "density", "coverage"):
        assert m[name] == pytest.approx(first[name], rel=1e-9), name
    all_modes = mode_coverage(toy_images.embed(x)[1], 10)
    assert (m["modes"], m["mode_kl"]) == pytest.approx((all_modes["modes"],
                                                        all_modes["mode_kl"]), rel=1e-9)
