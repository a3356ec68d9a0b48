"""Packing (PacGAN, Lin et al. 2018, arXiv:1712.04086): D judges several samples jointly.

A discriminator that sees ``m`` samples concatenated can tell a collapsed generator
(whose packs hold near-identical samples) from the data, which penalizes mode collapse.
"""

from __future__ import annotations

import tensorflow as tf

from methods.parts.network import Network


def pack_samples(x: tf.Tensor, pack: int) -> tf.Tensor:
    """Consecutive samples side by side: ``[pack * n, d] -> [n, pack * d]``; images are
    stacked along channels, ``[pack * n, h, w, c] -> [n, h, w, pack * c]``."""
    if pack == 1:
        return x
    if x.shape.rank not in (2, 4) or x.shape[0] % pack:
        raise ValueError(f"packing {pack} needs a [pack * n, d] or [pack * n, h, w, c] batch, "
                         f"got shape {x.shape}")
    n = x.shape[0] // pack
    if x.shape.rank == 2:
        return tf.reshape(x, [n, pack * x.shape[1]])
    _, h, w, c = x.shape
    grouped = tf.transpose(tf.reshape(x, [n, pack, h, w, c]), [0, 2, 3, 1, 4])
    return tf.reshape(grouped, [n, h, w, pack * c])


def widen_input(network: Network, pack: int) -> Network:
    """The same network with an input ``pack`` times wider (a packed D)."""
    if pack == 1:
        return network
    if not hasattr(network, "widened"):
        raise TypeError(f"packing needs a discriminator with a widened(factor) method; "
                        f"{type(network).__name__} has none")
    return network.widened(pack)
