"""Reading image datasets into uint8 arrays: offline files or tensorflow-datasets.

Offline layout (a folder named by ``GANBENCH_DATA_DIR`` or ``run --data-dir``):

- ``mnist/``: the four original IDX files (``train-images-idx3-ubyte.gz`` ...), gzipped
  or not.
- ``cifar10/``: the official binary archive ``cifar-10-binary.tar.gz`` (or its extracted
  ``cifar-10-batches-bin/``), or an image folder ``split/class/file`` (plain, or a
  ``.tar.gz`` of it) whose class folders sort into the label order.

Without an offline folder the data comes from ``tfds.load``. Decoded arrays are cached
as ``.npz`` under ``GANBENCH_CACHE_DIR`` (default ``~/.cache/ganbench``) keyed by the
source file's path, size and modification time, so an image folder is decoded once.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import logging
import os
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

DATA_DIR_ENV = "GANBENCH_DATA_DIR"
CACHE_DIR_ENV = "GANBENCH_CACHE_DIR"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")
_IDX_MAGIC = {"images": 2051, "labels": 2049}
_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_CIFAR_BINARY = {"train": [f"data_batch_{i}.bin" for i in range(1, 6)], "test": ["test_batch.bin"]}


class DataError(ValueError):
    """A data file or folder is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Split:
    """One split of an image dataset: ``images`` uint8 ``[n, h, w, c]``, ``labels`` int64."""

    images: np.ndarray
    labels: np.ndarray
    source: str


def data_dir() -> Path | None:
    """The offline data folder, if one is configured."""
    value = os.environ.get(DATA_DIR_ENV)
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise DataError(f"{DATA_DIR_ENV}={value}: no such folder; expected a folder holding "
                        "mnist/ and/or cifar10/ (see the README, 'Image datasets')")
    return path


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_DIR_ENV) or Path.home() / ".cache" / "ganbench")


# -- IDX (MNIST) ----------------------------------------------------------------------------
def read_idx(path: Path, kind: str) -> np.ndarray:
    """An IDX file (``kind`` 'images' or 'labels'), gzipped or not, as a uint8 array."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DataError(f"{path}: cannot read IDX file ({exc})") from None
    expected = _IDX_MAGIC[kind]
    ndim = 3 if kind == "images" else 1
    header = 4 + 4 * ndim
    magic = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else None
    if magic is not None and magic != expected:
        raise DataError(f"{path}: wrong IDX magic {magic}; expected {expected} for {kind} "
                        "(2051 = uint8 images [n, rows, cols], 2049 = uint8 labels [n])")
    if len(raw) < header:
        raise DataError(f"{path}: truncated IDX header ({len(raw)} bytes, need {header})")
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    size = int(np.prod(shape))
    if len(raw) - header != size:
        raise DataError(f"{path}: IDX body has {len(raw) - header} bytes; the header "
                        f"declares shape {shape} = {size} bytes (truncated or corrupt file)")
    return np.frombuffer(raw, np.uint8, offset=header).reshape(shape)


def _find(folder: Path, stem: str) -> Path:
    for name in (f"{stem}.gz", stem):
        if (folder / name).is_file():
            return folder / name
    raise DataError(f"{folder}: missing {stem}.gz (the original MNIST IDX files are expected: "
                    f"{', '.join(f + '.gz' for pair in _MNIST_FILES.values() for f in pair)})")


def mnist_idx(folder: Path, split: str) -> Split:
    images_name, labels_name = _MNIST_FILES[split]
    images = read_idx(_find(folder, images_name), "images")
    labels = read_idx(_find(folder, labels_name), "labels")
    if len(images) != len(labels):
        raise DataError(f"{folder}: {split} has {len(images)} images but {len(labels)} labels")
    return Split(images[..., None], labels.astype(np.int64), "idx (offline)")


# -- CIFAR-10 binary --------------------------------------------------------------------
def _parse_cifar_batch(raw: bytes, name: str) -> tuple[np.ndarray, np.ndarray]:
    row = 1 + 32 * 32 * 3
    if len(raw) % row:
        raise DataError(f"{name}: {len(raw)} bytes is not a whole number of CIFAR-10 "
                        f"records ({row} bytes each: label + 3x32x32 planes)")
    data = np.frombuffer(raw, np.uint8).reshape(-1, row)
    images = data[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return images, data[:, 0].astype(np.int64)


def cifar_binary(archive: Path, split: str) -> Split:
    """The official ``cifar-10-binary.tar.gz`` (or its extracted folder)."""
    parts = []
    if archive.is_dir():
        for name in _CIFAR_BINARY[split]:
            path = archive / name
            if not path.is_file():
                raise DataError(f"{archive}: missing {name} of the CIFAR-10 binary version")
            parts.append(_parse_cifar_batch(path.read_bytes(), str(path)))
    else:
        with tarfile.open(archive) as tar:
            members = {Path(m.name).name: m for m in tar.getmembers() if m.isfile()}
            for name in _CIFAR_BINARY[split]:
                if name not in members:
                    raise DataError(f"{archive}: missing {name}; expected the official "
                                    "CIFAR-10 binary archive")
                raw = tar.extractfile(members[name]).read()
                parts.append(_parse_cifar_batch(raw, f"{archive}:{name}"))
    return Split(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                 "cifar-binary (offline)")


# -- image folders ----------------------------------------------------------------------
def _decode(data: bytes, name: str) -> tuple[np.ndarray, str]:
    import tensorflow as tf

    try:
        image = tf.io.decode_image(data, expand_animations=False).numpy()
    except (tf.errors.InvalidArgumentError, ValueError):
        raise DataError(f"{name}: not a decodable image; expected JPEG/PNG/BMP/GIF files "
                        "laid out as split/class/file") from None
    kind = "jpeg" if data[:3] == b"\xff\xd8\xff" else "png" if data[:4] == b"\x89PNG" else "other"
    return image, kind


def _folder_entries(root: Path, split: str) -> list[tuple[str, str, bytes]]:
    """``(class, name, bytes)`` of every file under ``split/`` of a folder or .tar.gz."""
    out = []
    if root.is_dir():
        base = root / split
        if not base.is_dir():
            raise DataError(f"{root}: no {split}/ folder; expected split/class/file")
        for path in sorted(base.rglob("*")):
            if path.is_file():
                rel = path.relative_to(base).parts
                out.append((rel[0] if len(rel) > 1 else "", str(path), path.read_bytes()))
        return out
    with tarfile.open(root) as tar:
        for m in tar.getmembers():
            parts = Path(m.name).parts
            if not m.isfile() or split not in parts:
                continue
            rel = parts[parts.index(split) + 1:]
            out.append((rel[0] if len(rel) > 1 else "", f"{root}:{m.name}",
                        tar.extractfile(m).read()))
    if not out:
        raise DataError(f"{root}: no files under a {split}/ folder; expected split/class/file")
    return sorted(out, key=lambda e: e[1])


def image_folder(root: Path, split: str, classes: tuple[str, ...] | None = None) -> Split:
    """An image folder ``split/class/file`` (plain or .tar.gz); labels follow ``classes``."""
    entries = _folder_entries(root, split)
    found = sorted({c for c, _, _ in entries})
    if "" in found:
        bad = next(n for c, n, _ in entries if c == "")
        raise DataError(f"{bad}: file directly under {split}/; expected {split}/<class>/<file>")
    classes = classes or tuple(found)
    unknown = sorted(set(found) - set(classes))
    if unknown:
        raise DataError(f"{root}: unknown class folders {unknown}; expected {list(classes)}")
    index = {c: i for i, c in enumerate(classes)}
    images, labels, kinds = [], [], set()
    for cls, name, data in entries:
        if not name.lower().endswith(IMAGE_SUFFIXES):
            raise DataError(f"{name}: not an image file; expected {', '.join(IMAGE_SUFFIXES)}")
        image, kind = _decode(data, name)
        if images and image.shape != images[0].shape:
            raise DataError(f"{name}: shape {image.shape} differs from {images[0].shape}")
        images.append(image)
        labels.append(index[cls])
        kinds.add(kind)
    return Split(np.stack(images), np.array(labels, np.int64),
                 f"image-folder ({'+'.join(sorted(kinds))})")


# -- tensorflow-datasets ------------------------------------------------------------------
OFFLINE_HINT = (f"without internet, point {DATA_DIR_ENV} (or `run --data-dir`) at a folder "
                "holding mnist/ (the four IDX .gz files) and cifar10/ (cifar-10-binary.tar.gz);"
                " see the README, 'Image datasets'")
# Where TFDS downloads each dataset from (its builders' URLs): probed before a download
# so that an offline machine fails at once instead of after minutes of retries.
TFDS_HOSTS = {"mnist": "storage.googleapis.com", "cifar10": "www.cs.toronto.edu"}
PROBE_SECONDS = 5.0


def reachable(host: str, port: int = 443, timeout: float = PROBE_SECONDS) -> bool:
    """Whether a TCP connection to ``host`` opens within ``timeout`` seconds (name lookup
    included, which ``socket`` alone does not bound)."""
    import socket
    import threading

    result: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def tfds_split(name: str, split: str, tfds_data_dir: str | None = None) -> Split:
    """A split through ``tfds.load`` (downloads on a machine with internet)."""
    import tensorflow_datasets as tfds

    def load(download: bool):
        return tfds.load(name, split=split, as_supervised=True, data_dir=tfds_data_dir,
                         download=download)

    try:
        ds = load(download=False)  # already in the local tensorflow-datasets folder
    except Exception:
        host = TFDS_HOSTS.get(name)
        if host and not reachable(host):
            raise DataError(f"{name} is not in the tensorflow-datasets folder and {host} "
                            f"cannot be reached to download it; {OFFLINE_HINT}") from None
        try:
            ds = load(download=True)
        except Exception as exc:
            raise DataError(f"tfds.load({name!r}) failed ({type(exc).__name__}: "
                            f"{str(exc)[:200]}); {OFFLINE_HINT}") from None
    batches = list(tfds.as_numpy(ds.batch(10_000)))
    return Split(np.concatenate([b[0] for b in batches]).astype(np.uint8),
                 np.concatenate([b[1] for b in batches]).astype(np.int64), "tfds")


# -- caching ------------------------------------------------------------------------------
@contextlib.contextmanager
def cache_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (a lock file) across processes on this machine, so
    parallel workers fill a cache entry once: the first builds it, the others wait and
    then read it. A no-op where ``fcntl`` is missing (Windows)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _cached(key_path: Path, split: str, load) -> Split:
    stat = key_path.stat()
    key = hashlib.sha1(f"{key_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{split}"
                       .encode()).hexdigest()[:16]
    path = cache_dir() / "arrays" / f"{key_path.name}-{split}-{key}.npz"
    with cache_lock(path.with_suffix(".lock")):
        if path.is_file():
            with np.load(path) as z:
                return Split(z["images"], z["labels"], str(z["source"]))
        return _fill(path, key_path, split, load)


def _fill(path: Path, key_path: Path, split: str, load) -> Split:
    result = load()
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    np.savez(buf, images=result.images, labels=result.labels, source=result.source)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(buf.getvalue())
    os.replace(tmp, path)
    log.info("cached decoded %s %s at %s", key_path, split, path)
    return result


def load_mnist(split: str) -> Split:
    """MNIST ``train`` or ``test``: ``[n, 28, 28, 1]`` uint8."""
    root = data_dir()
    if root is None:
        return tfds_split("mnist", split)
    folder = root / "mnist"
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder; expected the four MNIST IDX .gz files there")
    result = mnist_idx(folder, split)
    gz = any(_find(folder, s).suffix == ".gz" for s in _MNIST_FILES[split])
    return Split(result.images, result.labels, "idx-gz (offline)" if gz else result.source)


CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck")


def load_cifar10(split: str) -> Split:
    """CIFAR-10 ``train`` or ``test``: ``[n, 32, 32, 3]`` uint8."""
    root = data_dir()
    if root is None:
        return tfds_split("cifar10", split)
    folder = root / "cifar10"
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder; expected cifar-10-binary.tar.gz or an "
                        "image folder split/class/file (plain or .tar.gz) there")
    for name in ("cifar-10-binary.tar.gz", "cifar-10-batches-bin"):
        if (folder / name).exists():
            return cifar_binary(folder / name, split)
    archives = sorted(folder.glob("*.tar.gz")) + sorted(folder.glob("*.tgz"))
    if archives:
        return _cached(archives[0], split,
                       lambda: image_folder(archives[0], split, CIFAR10_CLASSES))
    if (folder / split).is_dir():
        return image_folder(folder, split, CIFAR10_CLASSES)
    raise DataError(f"{folder}: found neither cifar-10-binary.tar.gz nor an image folder "
                    f"({split}/<class>/<file>, plain or .tar.gz)")
