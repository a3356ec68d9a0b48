"""Game-dynamics methods: registrations, their parts, XLA smoke training on ring8 and dirac."""

import numpy as np
import pytest

import methods
from benches import datasets
from benches.train.trainer import Trainer

GAME_METHODS = {
    "consensus": "arXiv:1705.10461",
    "sga": "arXiv:1802.05642",
    "optimistic-adam": "arXiv:1711.00141",
    "extragradient": "arXiv:1802.10551",
    "unrolled": "arXiv:1611.02163",
}


@pytest.mark.parametrize("name,arxiv", GAME_METHODS.items())
def test_registration_cites_paper_and_exposes_lr(name, arxiv):
    reg = methods.get(name)
    assert arxiv in reg.paper and "lr" in reg.defaults
    method = reg.build(lr=1e-3, **({"d_lr": 1e-3} if "d_lr" in reg.defaults else {}))
    assert method.g_optimizer.learning_rate == method.d_optimizer.learning_rate == 1e-3


def test_each_method_uses_its_part():
    assert methods.get("consensus").build().joint_transform is not None
    assert methods.get("sga").build().simultaneous
    opt = methods.get("optimistic-adam").build()
    assert opt.g_optimizer.optimistic and opt.d_optimizer.optimistic and opt.simultaneous
    assert methods.get("extragradient").build().extrapolate
    assert methods.get("unrolled").build().g_step is not None
    assert methods.get("unrolled").defaults["unroll_steps"] == 5


@pytest.mark.parametrize("name", GAME_METHODS)
def test_smoke_steps_on_ring8_with_xla_stay_finite(name):
    t = Trainer(methods.get(name).build(), datasets.get("ring8"), seed=0, batch_size=64,
                steps_per_call=3)
    assert t.xla
    before = [p.numpy().copy() for p in [*t.g_params, *t.d_params]]
    stats = t.train_call()
    assert all(np.isfinite(v) for v in stats.values())
    assert stats["g_grad_norm"] > 0 and stats["d_grad_norm"] > 0
    after = [p.numpy() for p in [*t.g_params, *t.d_params]]
    assert all(np.isfinite(a).all() for a in after)
    assert any(not np.array_equal(a, b) for a, b in zip(after, before, strict=True))


@pytest.mark.parametrize("name", GAME_METHODS)
def test_xla_and_plain_steps_agree_on_dirac(name):
    params = []
    for xla in (True, False):
        t = Trainer(methods.get(name).build(), datasets.get("dirac"), seed=0, batch_size=8,
                    steps_per_call=2, xla=xla)
        t.train_call()
        params.append([p.numpy() for p in [*t.g_params, *t.d_params]])
    for a, b in zip(*params, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5)
        assert not np.allclose(a, 1.0)  # both players moved from the start (1, 1)
