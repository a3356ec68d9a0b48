"""Wasserstein GAN with weight clipping."""

from methods.parts.constraints import clip_weights
from methods.parts.losses import wasserstein
from methods.parts.method import Method
from methods.parts.optimizers import rmsprop
from methods.registry import register


@register("wgan", paper="Arjovsky, Chintala & Bottou 2017, arXiv:1701.07875")
def wgan(lr: float = 5e-5, clip: float = 0.01, critic_steps: int = 5) -> Method:
    """Critic estimates the Wasserstein-1 distance; weight clipping keeps it Lipschitz.

    Algorithm 1: RMSprop with lr 5e-5, clip 0.01, 5 critic updates per generator update.
    The critic's gradient does not vanish where the supports are disjoint.
    """
    return Method(loss=wasserstein, g_optimizer=rmsprop(lr), d_optimizer=rmsprop(lr),
                  d_steps=critic_steps, d_constraint=clip_weights(clip))
