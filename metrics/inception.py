"""FID with the Inception graph of the original TTUR implementation.

Heusel et al. 2017 (arXiv:1706.08500) compute FID on the 2048-d ``pool_3`` activations
of the Inception network frozen on 2015-12-05 (``classify_image_graph_def.pb`` from
http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz), feeding
RGB images with values in [0, 255] to the tensor ``ExpandDims:0``; the graph itself
resizes to 299x299 (bilinear) and normalizes. Reusing that graph and that input is what
makes FIDs comparable with published ones. The graph is found through ``--inception``
style paths, ``GANBENCH_INCEPTION_GRAPH`` or a cache folder the caller names.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from metrics.frechet import frechet_distance

GRAPH_ENV = "GANBENCH_INCEPTION_GRAPH"
GRAPH_FILE = "classify_image_graph_def.pb"
INPUT_TENSOR = "ExpandDims:0"
OUTPUT_TENSOR = "pool_3:0"
HOW_TO_OBTAIN = (
    "download http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz "
    f"on a machine with internet, extract {GRAPH_FILE}, and set {GRAPH_ENV} to its path "
    f"(or copy it to $GANBENCH_CACHE_DIR/inception/{GRAPH_FILE})")


def graph_path(path: str | Path | None = None, cache: Path | None = None) -> Path:
    """The Inception graph file: ``path``, else the environment, else ``cache/GRAPH_FILE``
    (the caller's cache folder)."""
    candidates = [Path(p) for p in (path, os.environ.get(GRAPH_ENV)) if p]
    if cache is not None:
        candidates.append(Path(cache) / GRAPH_FILE)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"Inception graph not found (looked at "
                            f"{', '.join(map(str, candidates))}); {HOW_TO_OBTAIN}")


def to_inception_input(images: np.ndarray) -> np.ndarray:
    """Generator output in [-1, 1] (1 or 3 channels) to float RGB in [0, 255]."""
    x = (np.clip(np.asarray(images, np.float32), -1.0, 1.0) + 1.0) * 127.5
    if x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError(f"expected images [n, h, w, 1 or 3], got {x.shape}")
    return x


def load_pool3(path: str | Path | None = None) -> Callable[[np.ndarray], np.ndarray]:
    """A function mapping [0, 255] RGB batches to the graph's pool_3 features [n, d]."""
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(graph_path(path).read_bytes())

    def imported(x):
        return tf.graph_util.import_graph_def(graph_def, input_map={INPUT_TENSOR: x},
                                              return_elements=[OUTPUT_TENSOR], name="")[0]

    fn = tf.compat.v1.wrap_function(imported, [tf.TensorSpec([None, None, None, 3],
                                                             tf.float32)])
    return lambda batch: fn(tf.constant(batch)).numpy().reshape(len(batch), -1)


def inception_features(images: np.ndarray, path: str | Path | None = None,
                       batch: int = 100) -> np.ndarray:
    pool3 = load_pool3(path)
    x = to_inception_input(images)
    return np.concatenate([pool3(x[i:i + batch]) for i in range(0, len(x), batch)])


def fid(real: np.ndarray, fake: np.ndarray, path: str | Path | None = None) -> float:
    """FID of two image sets in [-1, 1] with the 2015-12-05 Inception graph."""
    return frechet_distance(inception_features(real, path), inception_features(fake, path))
