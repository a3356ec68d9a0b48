"""The gradient of ``XlaDynamicUpdateSlice``, which TensorFlow does not register.

Inside an XLA context TensorFlow differentiates ``Slice`` (the gradient of ``tf.pad`` and
``tf.concat``) into ``XlaDynamicUpdateSlice``, which has no gradient of its own, so a
third derivative through a padded convolution fails. SGA's Hessian-vector product needs
exactly that on the image networks. The op writes ``update`` into ``input`` at
``indices``: its gradient for ``input`` is the incoming gradient with that window zeroed,
for ``update`` the incoming gradient's window, and none for the integer indices.
"""

from __future__ import annotations

import contextlib

import tensorflow as tf


def _xla_dynamic_update_slice_grad(op: tf.Operation, grad: tf.Tensor):
    operand, update, indices = op.inputs
    begin = tf.cast(indices, tf.int64)
    window = tf.slice(grad, begin, tf.shape(update, tf.int64))
    # Public ops only: the window zeroed out is grad minus the window padded back in place.
    after = tf.shape(operand, tf.int64) - begin - tf.shape(update, tf.int64)
    return grad - tf.pad(window, tf.stack([begin, after], axis=1)), window, None


def register() -> None:
    """Register the gradient once per process (idempotent)."""
    with contextlib.suppress(KeyError):  # already registered (here or by a later TensorFlow)
        tf.RegisterGradient("XlaDynamicUpdateSlice")(_xla_dynamic_update_slice_grad)


register()
