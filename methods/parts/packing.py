"""Packing (PacGAN, Lin et al. 2018, arXiv:1712.04086): D judges several samples jointly.

A discriminator that sees ``m`` samples concatenated can tell a collapsed generator
(whose packs hold near-identical samples) from the data, which penalizes mode collapse.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import tensorflow as tf


def pack_samples(x: tf.Tensor, pack: int) -> tf.Tensor:
    """``[pack * n, d]`` -> ``[n, pack * d]``: consecutive samples side by side."""
    if pack == 1:
        return x
    if x.shape.rank != 2 or x.shape[0] % pack:
        raise ValueError(f"packing {pack} needs a [pack * n, d] batch, got shape {x.shape}")
    return tf.reshape(x, [x.shape[0] // pack, pack * x.shape[1]])


def widen_input(network: Any, pack: int) -> Any:
    """The same network family with an input ``pack`` times wider (a packed D)."""
    if pack == 1:
        return network
    if not (dataclasses.is_dataclass(network) and hasattr(network, "input_dim")):
        raise TypeError(f"packing needs a network dataclass with an input_dim field, "
                        f"got {type(network).__name__}")
    return dataclasses.replace(network, input_dim=network.input_dim * pack)
