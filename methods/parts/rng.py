"""Stateless random numbers that are identical with and without XLA.

TensorFlow's stateless float samplers map the generator's bits to numbers differently
under XLA than in the regular kernels, so the same seed gives different samples with
and without ``jit_compile``. Only the raw Philox bits agree; every random draw in the
suite is built here from those bits (uniforms from the top 24 bits, normals by
Box-Muller), so a cell's randomness depends on its seed alone.
"""

from __future__ import annotations

import math

import tensorflow as tf


def _bits(shape, seed: tf.Tensor) -> tf.Tensor:
    return tf.random.stateless_uniform(shape, seed, minval=None, maxval=None,
                                       dtype=tf.uint32, alg="philox")


def uniform(shape, seed: tf.Tensor) -> tf.Tensor:
    """Float32 uniform on [0, 1)."""
    top24 = tf.bitwise.right_shift(_bits(shape, seed), 8)
    return tf.cast(top24, tf.float32) * (1.0 / (1 << 24))


def integers(shape, seed: tf.Tensor, maxval: int) -> tf.Tensor:
    """Int32 uniform on {0, ..., maxval - 1} (maxval well below 2^24)."""
    return tf.minimum(tf.cast(uniform(shape, seed) * maxval, tf.int32), maxval - 1)


def normal(shape, seed: tf.Tensor) -> tf.Tensor:
    """Float32 standard normal (Box-Muller)."""
    u = uniform(tf.concat([[2], tf.constant(shape, tf.int32)], 0), seed)
    radius = tf.sqrt(-2.0 * tf.math.log(1.0 - u[0]))  # 1 - u in (0, 1]
    return radius * tf.cos(2.0 * math.pi * u[1])


def split(seed: tf.Tensor, n: int) -> tf.Tensor:
    """``n`` seeds derived from ``seed`` (shape ``[n, 2]``, int64)."""
    return tf.cast(_bits([n, 2], seed), tf.int64)
