"""FID with the Inception graph of the original TTUR implementation.

Heusel et al. 2017 (arXiv:1706.08500; code bioinf-jku/TTUR, ``fid.py``) compute FID on
the 2048-d ``pool_3`` activations of the Inception network frozen on 2015-12-05
(``classify_image_graph_def.pb`` in :data:`URL`), feeding RGB images with values in
[0, 255] to the tensor ``ExpandDims:0``; the graph itself resizes to 299x299 (bilinear)
and normalizes. Reusing that graph and that input is what makes FIDs comparable with
published ones.

The graph is found at an explicit path, ``GANBENCH_INCEPTION_GRAPH``, or in a cache
folder the caller names; when it is in none of them it is downloaded there (the archive
is fetched, ``classify_image_graph_def.pb`` extracted and checked). No checksum of the
archive or of the graph was ever published (TTUR, MMD-GAN's ``compute_scores.py`` and
TensorFlow's ``classify_image.py`` download it unchecked; the only published hash is of
the PyTorch port, ``pt_inception-2015-12-05-6726825d.pth``, another file). So the check
is structural (a GraphDef with the input, resize and ``pool_3`` nodes FID uses), and the
graph's sha256 is pinned on first download in ``<graph>.sha256`` beside it, verified on
every later load, and returned for the records.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import tarfile
import tempfile
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np

from metrics.frechet import frechet_from_moments, moments

log = logging.getLogger(__name__)

URL = "http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz"
GRAPH_ENV = "GANBENCH_INCEPTION_GRAPH"
GRAPH_FILE = "classify_image_graph_def.pb"
INPUT_TENSOR = "ExpandDims:0"
OUTPUT_TENSOR = "pool_3:0"
# The nodes FID relies on: the input after JPEG decoding, the graph's own 299x299 resize
# and the 2048-d pooled features.
REQUIRED_NODES = ("ExpandDims", "ResizeBilinear", "pool_3")
HOW_TO_OBTAIN = (
    f"download {URL} on a machine with internet, extract {GRAPH_FILE}, and set "
    f"{GRAPH_ENV} to its path (or copy it to $GANBENCH_CACHE_DIR/inception/{GRAPH_FILE})")


class GraphError(ValueError):
    """The Inception graph file is not the one FID needs; the message says why."""


def _fetch(url: str, destination: Path) -> None:
    """Download ``url`` to ``destination`` (tests patch this)."""
    with urllib.request.urlopen(url, timeout=60) as response, open(destination, "wb") as out:
        while chunk := response.read(1 << 20):
            out.write(chunk)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _check_structure(graph_bytes: bytes, origin: str) -> None:
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef()
    try:
        graph_def.ParseFromString(graph_bytes)
    except Exception as exc:  # protobuf's DecodeError
        raise GraphError(f"{origin}: not a TensorFlow GraphDef ({exc})") from None
    names = {node.name for node in graph_def.node}
    missing = [n for n in REQUIRED_NODES if n not in names]
    if missing:
        raise GraphError(f"{origin}: not the 2015-12-05 Inception graph: no node "
                         f"{', '.join(missing)} (FID needs {', '.join(REQUIRED_NODES)})")


def verify(path: Path) -> str:
    """Check the graph at ``path`` (structure, and its pinned sha256 if any); its sha256."""
    path = Path(path)
    digest = sha256(path)
    pin = path.with_name(path.name + ".sha256")
    if pin.is_file():
        pinned = pin.read_text().split()[0]
        if pinned != digest:
            raise GraphError(f"{path}: sha256 {digest} differs from {pinned} pinned in {pin} "
                             f"at its download; delete both files to download it again")
    _check_structure(path.read_bytes(), str(path))
    return digest


def download(cache: Path, fetch: Callable[[str, Path], None] | None = None) -> Path:
    """Fetch :data:`URL` into ``cache``, extract and check the graph, pin its sha256."""
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / GRAPH_FILE
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        archive = Path(tmp) / "inception-2015-12-05.tgz"
        log.info("downloading the Inception graph from %s (once, ~90 MB)", URL)
        (fetch or _fetch)(URL, archive)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                member = next((m for m in tar.getmembers()
                               if m.isfile() and Path(m.name).name == GRAPH_FILE), None)
                if member is None:
                    raise GraphError(f"{URL}: the archive holds no {GRAPH_FILE}")
                graph_bytes = tar.extractfile(member).read()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise GraphError(f"{URL}: not a readable .tgz archive ({exc})") from None
        _check_structure(graph_bytes, f"{URL} ({GRAPH_FILE})")
        staged = Path(tmp) / GRAPH_FILE
        staged.write_bytes(graph_bytes)
        digest = sha256(staged)
        log.info("Inception graph %s: sha256 %s (archive sha256 %s)", target, digest,
                 sha256(archive))
        (Path(tmp) / "pin").write_text(f"{digest}  {GRAPH_FILE}\n")
        staged.replace(target)
        (Path(tmp) / "pin").replace(target.with_name(target.name + ".sha256"))
    return target


def graph_path(path: str | Path | None = None, cache: Path | None = None, *,
               download_missing: bool = True) -> Path:
    """The Inception graph file: ``path``, else the environment, else ``cache/GRAPH_FILE``
    (the caller's cache folder), downloaded there when missing and allowed."""
    candidates = [Path(p) for p in (path, os.environ.get(GRAPH_ENV)) if p]
    if cache is not None:
        candidates.append(Path(cache) / GRAPH_FILE)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    where = ", ".join(map(str, candidates)) or "nowhere: no path, environment or cache"
    if cache is None or not download_missing:
        raise FileNotFoundError(f"Inception graph not found (looked at {where}); "
                                f"{HOW_TO_OBTAIN}")
    try:
        return download(Path(cache))
    except OSError as exc:  # offline: URLError, timeouts, refused connections
        raise FileNotFoundError(f"Inception graph not found (looked at {where}) and its "
                                f"download failed ({exc}); {HOW_TO_OBTAIN}") from None


def to_inception_input(images: np.ndarray) -> np.ndarray:
    """Generator output in [-1, 1] (1 or 3 channels) to float RGB in [0, 255]."""
    x = (np.clip(np.asarray(images, np.float32), -1.0, 1.0) + 1.0) * 127.5
    if x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError(f"expected images [n, h, w, 1 or 3], got {x.shape}")
    return x


@functools.cache
def _pool3(path: str) -> Callable[[np.ndarray], np.ndarray]:
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(Path(path).read_bytes())

    def imported(x):
        return tf.graph_util.import_graph_def(graph_def, input_map={INPUT_TENSOR: x},
                                              return_elements=[OUTPUT_TENSOR], name="")[0]

    fn = tf.compat.v1.wrap_function(imported, [tf.TensorSpec([None, None, None, 3],
                                                             tf.float32)])
    return lambda batch: fn(tf.constant(batch)).numpy().reshape(len(batch), -1)


def load_pool3(path: str | Path | None = None) -> Callable[[np.ndarray], np.ndarray]:
    """A function mapping [0, 255] RGB batches to the graph's pool_3 features [n, d]
    (the graph is imported once per process)."""
    return _pool3(str(graph_path(path).resolve()))


def inception_features(images: np.ndarray, path: str | Path | None = None,
                       batch: int = 100) -> np.ndarray:
    pool3 = load_pool3(path)
    x = to_inception_input(images)
    return np.concatenate([pool3(x[i:i + batch]) for i in range(0, len(x), batch)])


def statistics(images: np.ndarray, path: str | Path | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of the pool_3 features of images in [-1, 1]."""
    return moments(inception_features(images, path))


def cached_statistics(key: str, images: Callable[[], np.ndarray], cache: Path,
                      path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`statistics` of ``images()`` stored as ``cache/stats-<key>.npz``: computed
    once (``key`` must name the images and the graph), loaded afterwards."""
    file = Path(cache) / f"stats-{key}.npz"
    if file.is_file():
        with np.load(file) as stored:
            return stored["mu"], stored["sigma"]
    mu, sigma = statistics(images(), path)
    file.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=file.parent, suffix=".npz", delete=False) as tmp:
        np.savez(tmp, mu=mu, sigma=sigma)
    Path(tmp.name).replace(file)
    return mu, sigma


def fid_to_statistics(real: tuple[np.ndarray, np.ndarray], fake: np.ndarray,
                      path: str | Path | None = None) -> float:
    """FID of images in [-1, 1] against precomputed real (mean, covariance)."""
    return frechet_from_moments(*real, *statistics(fake, path))


def fid(real: np.ndarray, fake: np.ndarray, path: str | Path | None = None) -> float:
    """FID of two image sets in [-1, 1] with the 2015-12-05 Inception graph."""
    return fid_to_statistics(statistics(real, path), fake, path)
