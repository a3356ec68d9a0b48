"""Generator and discriminator networks as explicit parameter lists.

Networks are functional: ``init(seed)`` creates the variables and ``apply(params, x)``
evaluates the network at any parameters. Methods need that (unrolling, extrapolation,
consensus and SGA evaluate players at parameters other than the current ones; spectral
normalization reparametrizes the weights), and Keras layers that own their weights make
it awkward. Initialization uses Keras initializers with fixed seeds.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from benches.train import xla_gradients  # noqa: F401  (third derivatives through tf.pad)


@dataclass(frozen=True)
class _Dense:
    """Fields and layer names shared by the fully connected networks below."""

    input_dim: int
    hidden: tuple[int, ...]
    output_dim: int
    name: str

    @property
    def layer_names(self) -> list[str]:
        return [f"dense{i}" for i in range(len(self.hidden) + 1)]

    def widened(self, factor: int) -> _Dense:
        """The same network taking ``factor`` times as many input features (packing)."""
        return dataclasses.replace(self, input_dim=self.input_dim * factor)

    def layer_of(self, param_index: int) -> str:
        """The layer a parameter belongs to (for per-layer gradient norms): layers are
        (kernel, bias) pairs."""
        return self.layer_names[param_index // 2]

    def _kernels_and_biases(self, seed: int, fan_ins: Sequence[int], fan_outs: Sequence[int],
                            kernel_init: Callable[[int, list[int]], tf.Tensor]
                            ) -> list[tf.Variable]:
        """Layer i: a [fan_in, fan_out] kernel from ``kernel_init(seed * 1000 + i, shape)``
        and a zero bias."""
        params = []
        for i, (fan_in, fan_out) in enumerate(zip(fan_ins, fan_outs, strict=True)):
            kernel = kernel_init(seed * 1000 + i, [fan_in, fan_out])
            params.append(tf.Variable(kernel, name=f"{self.name}/dense{i}/kernel"))
            params.append(tf.Variable(tf.zeros([fan_out]), name=f"{self.name}/dense{i}/bias"))
        return params


def _glorot_init(seed: int, shape: list[int]) -> tf.Tensor:
    return keras.initializers.GlorotUniform(seed=seed)(shape)


def _normal_init(seed: int, shape: list[int]) -> tf.Tensor:
    # DCGAN and PacGAN initialize all weights from N(0, 0.02).
    return keras.initializers.RandomNormal(stddev=0.02, seed=seed)(shape)


@dataclass(frozen=True)
class MLP(_Dense):
    """Fully connected network: ReLU hidden layers, linear output (the 2D-mixture nets)."""

    def init(self, seed: int) -> list[tf.Variable]:
        sizes = [self.input_dim, *self.hidden, self.output_dim]
        return self._kernels_and_biases(seed, sizes[:-1], sizes[1:], _glorot_init)

    def apply(self, params: Sequence[tf.Tensor], x: tf.Tensor) -> tf.Tensor:
        n = len(params) // 2
        for i in range(n):
            x = tf.matmul(x, params[2 * i]) + params[2 * i + 1]
            if i < n - 1:
                x = tf.nn.relu(x)
        return x


def _batch_norm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) -> tf.Tensor:
    mean, var = tf.nn.moments(x, axes=list(range(x.shape.rank - 1)))
    return tf.nn.batch_normalization(x, mean, var, beta, gamma, 1e-5)


# -- PacGAN's 2D networks (Lin et al. 2018, arXiv:1712.04086) ---------------------------
# fjxmlzn/PacGAN synthetic_data_experiments/2DRing_GAN&PacGAN/{config.py,pacgan_task.py}
# (same in 2DGrid): G = 4 hidden layers of 400, each linear without bias -> batch norm ->
# ReLU, then linear to 2; D = 3 maxout layers of 200 units x 5 pieces (Blocks'
# LinearMaxout), then linear to 1; weights N(0, 0.02), biases 0. The ``paper`` profile
# uses them; batch norm uses the statistics of the batch being generated.


@dataclass(frozen=True)
class BatchNormMLP(_Dense):
    """Generator MLP: hidden layers linear (no bias) -> batch norm -> ReLU; linear output."""

    def init(self, seed: int) -> list[tf.Variable]:
        sizes = [self.input_dim, *self.hidden, self.output_dim]
        params = []
        for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
            last = i == len(self.hidden)
            shapes = [("kernel", _normal_init(seed * 1000 + i, [fan_in, fan_out]))]
            shapes += ([("bias", tf.zeros([fan_out]))] if last else
                       [("gamma", tf.ones([fan_out])), ("beta", tf.zeros([fan_out]))])
            params += [tf.Variable(v, name=f"{self.name}/dense{i}/{n}") for n, v in shapes]
        return params

    def apply(self, params: Sequence[tf.Tensor], x: tf.Tensor) -> tf.Tensor:
        for i in range(len(self.hidden)):
            kernel, gamma, beta = params[3 * i:3 * i + 3]
            x = tf.nn.relu(_batch_norm(tf.matmul(x, kernel), gamma, beta))
        kernel, bias = params[-2:]
        return tf.matmul(x, kernel) + bias

    def layer_of(self, param_index: int) -> str:
        return self.layer_names[min(param_index // 3, len(self.hidden))]


@dataclass(frozen=True)
class MaxoutMLP(_Dense):
    """Discriminator MLP: maxout hidden layers (max over ``pieces`` linear pieces per
    unit, Goodfellow et al. 2013, arXiv:1302.4389); linear output."""

    pieces: int = 5

    def init(self, seed: int) -> list[tf.Variable]:
        fan_outs = [*(h * self.pieces for h in self.hidden), self.output_dim]
        return self._kernels_and_biases(seed, [self.input_dim, *self.hidden], fan_outs,
                                        _normal_init)

    def apply(self, params: Sequence[tf.Tensor], x: tf.Tensor) -> tf.Tensor:
        for i, units in enumerate(self.hidden):
            pre = tf.matmul(x, params[2 * i]) + params[2 * i + 1]
            x = tf.reduce_max(tf.reshape(pre, [-1, units, self.pieces]), axis=-1)
        return tf.matmul(x, params[-2]) + params[-1]


# -- DCGAN-style image networks ---------------------------------------------------------
# Radford et al. 2016 (arXiv:1511.06434), scaled down for CPU. The spatial size doubles
# twice, so images must be 4 * base pixels wide (28 = 4 * 7, 32 = 4 * 8).
#
# Generator: z -> dense to [base, base, 2w] -> BN -> ReLU
#              -> 2x nearest upsample, 3x3 conv to w -> BN -> ReLU
#              -> 2x nearest upsample, 3x3 conv to channels -> tanh.
#   Upsample-then-convolve replaces DCGAN's stride-2 transposed convolutions (same
#   resolution schedule, no checkerboard artifacts; Odena et al. 2016, Distill); each
#   pair runs at the input's resolution (``upsample_conv3x3``).
#   Batch norm normalizes with the statistics of the batch being generated, in training
#   and in evaluation alike (no running averages), as in the DCGAN reference code; so
#   evaluation generates in large batches (``Trainer.generate`` uses 1000).
# Discriminator: 4x4 stride-2 conv to w -> LeakyReLU(0.2) -> 4x4 stride-2 conv to 2w ->
#   LeakyReLU(0.2) -> dense to one logit. No batch norm, so gradient penalties and other
#   per-sample quantities stay per-sample.
# Parameters are flat lists of kernels and biases (BN's gamma and beta in the generator);
# conv kernels are [h, w, in, out], so weight wrappers (spectral norm) and input widening
# (PacGAN packing) apply directly. Convolutions run as patch extraction by strided slices
# plus one matmul (``conv2d``), equal to ``tf.nn.conv2d`` with SAME padding: XLA's CPU
# backend compiles that many times faster than its native convolution gradients.


def conv2d(x: tf.Tensor, kernel: tf.Tensor, stride: int) -> tf.Tensor:
    """SAME-padded 2D convolution of NHWC ``x`` with kernel [h, w, in, out] (im2col)."""
    kh, kw, cin, cout = kernel.shape
    h, w = x.shape[1], x.shape[2]
    oh, ow = -(-h // stride), -(-w // stride)
    pad_h, pad_w = max((oh - 1) * stride + kh - h, 0), max((ow - 1) * stride + kw - w, 0)
    top, left = pad_h // 2, pad_w // 2
    if stride > 1 and not kh % stride and not kw % stride:
        return _space_to_depth_conv2d(x, kernel, stride, (top, left), (oh, ow))
    x = tf.pad(x, [[0, 0], [top, pad_h - top], [left, pad_w - left], [0, 0]])
    patches = tf.concat([x[:, i:i + stride * (oh - 1) + 1:stride,
                           j:j + stride * (ow - 1) + 1:stride, :]
                         for i in range(kh) for j in range(kw)], axis=-1)
    return tf.einsum("nhwk,ko->nhwo", patches, tf.reshape(kernel, [kh * kw * cin, cout]))


def _space_to_depth_conv2d(x: tf.Tensor, kernel: tf.Tensor, s: int,
                           pad: tuple[int, int], out: tuple[int, int]) -> tf.Tensor:
    """The stride-``s`` convolution as a stride-1 one on ``s x s`` pixel blocks: a 4x4
    stride-2 kernel becomes 2x2 taps over 2x2 blocks, 4 patch slices instead of 16 (each
    slice is one more kernel for XLA:CPU to compile, forward and backward)."""
    kh, kw, cin, cout = kernel.shape
    (oh, ow), (top, left) = out, pad
    h, w = x.shape[1], x.shape[2]
    bh, bw = (oh - 1) + kh // s, (ow - 1) + kw // s  # blocks the taps reach
    x = tf.pad(x, [[0, 0], [top, bh * s - h - top], [left, bw * s - w - left], [0, 0]])
    blocks = tf.nn.space_to_depth(x, s)  # [n, bh, bw, (p, q, in)]
    patches = tf.concat([blocks[:, a:a + oh, b:b + ow, :]
                         for a in range(kh // s) for b in range(kw // s)], axis=-1)
    # kernel row i = s * a + p, column j = s * b + q: the same blocking puts its rows in
    # the patches' (a, b, p, q, in) order (space_to_depth, unlike a transpose, keeps
    # constant shapes in the gradients of gradients that unrolling takes in a loop)
    taps = tf.nn.space_to_depth(tf.reshape(kernel, [1, kh, kw, cin * cout]), s)
    return tf.einsum("nhwk,ko->nhwo", patches, tf.reshape(taps, [kh * kw * cin, cout]))


# Nearest 2x upsampling followed by a 3x3 SAME convolution, computed at the input's
# resolution: output pixel (2i + a, 2j + b) sees input rows i-1..i (a = 0) or i..i+1
# (a = 1), and likewise for columns, with kernel rows/columns summed accordingly. So one
# im2col over the input's 3x3 neighbourhoods times a [9 * in, 4 * out] kernel yields all
# four output phases. Same result as upsampling first, with 4x smaller patches and a
# matmul of 4 * out columns instead of out. On MNIST's last layer (out = 1) the forward
# pass at batch 64 went from 64 ms to 4 ms under XLA:CPU, and the whole nsgan step 2x.
_PHASE_TAPS = np.array([[[1, 0, 0], [0, 1, 1], [0, 0, 0]],   # phase 0: [tap, kernel row]
                        [[0, 0, 0], [1, 1, 0], [0, 0, 1]]],  # phase 1
                       np.float32)


def upsample_conv3x3(x: tf.Tensor, kernel: tf.Tensor) -> tf.Tensor:
    """``conv2d(nearest_upsample_2x(x), kernel, 1)`` for a [3, 3, in, out] kernel."""
    n, h, w, cin = x.shape
    cout = kernel.shape[-1]
    padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
    # 3 column shifts, then 3 row shifts of those: patches ordered (u, v, in) with 6
    # slices instead of 9
    columns = tf.concat([padded[:, :, v:v + w, :] for v in range(3)], axis=-1)
    patches = tf.concat([columns[:, u:u + h, :, :] for u in range(3)], axis=-1)
    phase_kernels = tf.einsum("aui,bvj,ijco->uvcabo", _PHASE_TAPS, _PHASE_TAPS, kernel)
    y = tf.einsum("nhwk,kp->nhwp", patches, tf.reshape(phase_kernels, [9 * cin, 4 * cout]))
    y = tf.transpose(tf.reshape(y, [n, h, w, 2, 2, cout]), [0, 1, 3, 2, 4, 5])
    return tf.reshape(y, [n, 2 * h, 2 * w, cout])


@dataclass(frozen=True)
class DCGANGenerator:
    """DCGAN generator for ``image_shape`` (h, w, c) with h = w = 4 * base; see above."""

    latent_dim: int
    image_shape: tuple[int, int, int]
    width: int = 32
    name: str = "generator"

    @property
    def base(self) -> int:
        if self.image_shape[0] % 4 or self.image_shape[0] != self.image_shape[1]:
            raise ValueError(f"image shape {self.image_shape}: need square, side divisible by 4")
        return self.image_shape[0] // 4

    @property
    def layer_names(self) -> list[str]:
        return ["dense", "conv1", "conv2"]

    def layer_of(self, param_index: int) -> str:
        return self.layer_names[min(param_index // 3, 2)]

    def init(self, seed: int) -> list[tf.Variable]:
        w, b, c = self.width, self.base, self.image_shape[2]
        shapes = [
            ("dense/kernel", _normal_init(seed * 1000, [self.latent_dim, b * b * 2 * w])),
            ("bn0/gamma", tf.ones([2 * w])), ("bn0/beta", tf.zeros([2 * w])),
            ("conv1/kernel", _normal_init(seed * 1000 + 1, [3, 3, 2 * w, w])),
            ("bn1/gamma", tf.ones([w])), ("bn1/beta", tf.zeros([w])),
            ("conv2/kernel", _normal_init(seed * 1000 + 2, [3, 3, w, c])),
            ("conv2/bias", tf.zeros([c])),
        ]
        return [tf.Variable(v, name=f"{self.name}/{n}") for n, v in shapes]

    def apply(self, params: Sequence[tf.Tensor], z: tf.Tensor) -> tf.Tensor:
        dense, g0, b0, k1, g1, b1, k2, bias2 = params
        b = self.base
        x = tf.reshape(tf.matmul(z, dense), [-1, b, b, 2 * self.width])
        x = tf.nn.relu(_batch_norm(x, g0, b0))
        x = tf.nn.relu(_batch_norm(upsample_conv3x3(x, k1), g1, b1))
        return tf.tanh(upsample_conv3x3(x, k2) + bias2)


@dataclass(frozen=True)
class DCGANDiscriminator:
    """DCGAN discriminator (no batch norm) for ``image_shape`` (h, w, c); see above."""

    image_shape: tuple[int, int, int]
    width: int = 32
    name: str = "discriminator"

    @property
    def layer_names(self) -> list[str]:
        return ["conv0", "conv1", "dense"]

    def layer_of(self, param_index: int) -> str:
        return self.layer_names[param_index // 2]

    def widened(self, factor: int) -> DCGANDiscriminator:
        """The same discriminator taking ``factor`` times as many channels (packing)."""
        h, w, c = self.image_shape
        return dataclasses.replace(self, image_shape=(h, w, c * factor))

    def init(self, seed: int) -> list[tf.Variable]:
        w, (h, _, c) = self.width, self.image_shape
        flat = (h // 4) * (h // 4) * 2 * w
        shapes = [
            ("conv0/kernel", _normal_init(seed * 1000, [4, 4, c, w])),
            ("conv0/bias", tf.zeros([w])),
            ("conv1/kernel", _normal_init(seed * 1000 + 1, [4, 4, w, 2 * w])),
            ("conv1/bias", tf.zeros([2 * w])),
            ("dense/kernel", _normal_init(seed * 1000 + 2, [flat, 1])),
            ("dense/bias", tf.zeros([1])),
        ]
        return [tf.Variable(v, name=f"{self.name}/{n}") for n, v in shapes]

    def apply(self, params: Sequence[tf.Tensor], x: tf.Tensor) -> tf.Tensor:
        k0, b0, k1, b1, dense, bias = params
        x = tf.nn.leaky_relu(conv2d(x, k0, 2) + b0, 0.2)
        x = tf.nn.leaky_relu(conv2d(x, k1, 2) + b1, 0.2)
        return tf.matmul(tf.reshape(x, [-1, dense.shape[0]]), dense) + bias
