"""Train-step benchmarks: one compiled call per round, for every method, XLA on and off.

Each registered method runs on the first dataset of every dataset family (the family
fixes the networks), with that family's ``quick`` batch size and a short call of
``STEPS_PER_CALL`` steps. Datasets that read data from disk get synthetic real batches
(``benches.run.timing.SyntheticReal``), so the suite is data-free. Run with the README's
"Benchmarks" command; ``extra_info`` holds what turns seconds per round into steps/s.
"""

import pytest

import methods
from benches import datasets
from benches.run.profiles import schedule
from benches.run.timing import SyntheticReal
from benches.train.trainer import Trainer

STEPS_PER_CALL = 10


def _family_datasets() -> list[str]:
    first: dict[str, str] = {}
    for d in datasets.available():
        first.setdefault(d.family, d.name)
    return list(first.values())


@pytest.mark.parametrize("xla", [True, False], ids=["xla", "no-xla"])
@pytest.mark.parametrize("dataset_name", _family_datasets())
@pytest.mark.parametrize("method_name", [r.name for r in methods.available()])
def test_train_step(benchmark, method_name, dataset_name, xla):
    dataset = datasets.get(dataset_name)
    if dataset.source != "synthetic":
        dataset = SyntheticReal(dataset)
    batch_size = schedule("quick", dataset.family).batch_size
    method = methods.get(method_name).build(**dataset.settings_for(method_name))
    trainer = Trainer(method, dataset, seed=0, batch_size=batch_size,
                      steps_per_call=STEPS_PER_CALL, xla=xla)
    trainer.train_call()  # trace and compile outside the timed rounds
    benchmark.group = f"train-step {dataset_name}"
    benchmark.extra_info.update(steps_per_call=STEPS_PER_CALL, batch_size=batch_size,
                                xla=trainer.xla)
    stats = benchmark.pedantic(trainer.train_call, rounds=5, warmup_rounds=1, iterations=1)
    assert set(stats) >= {"d_loss", "g_loss"}
