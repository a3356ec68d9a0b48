"""Determinism of a cell, mid-cell checkpoint and resume, and fault isolation in run_cell."""

import numpy as np
import pytest
import tensorflow as tf

import methods
from benches import datasets
from benches.run.cell import run_cell
from benches.run.checkpoints import CellCheckpoint, CheckpointError
from benches.run.matrix import Cell, MethodSpec
from benches.run.plan import plan_cell
from benches.train.trainer import Diverged, Trainer

CELL = Cell(MethodSpec("nsgan", {"lr": 1e-3}), "ring8", seed=1)
STEPS = 150  # smoke profile: 3 compiled calls of 50 steps, evaluated after calls 2 and 3


def results(record):
    return record["status"], record["metrics"], record["history"]


@pytest.fixture(scope="module")
def reference():
    record = run_cell(plan_cell(CELL, "smoke", steps=STEPS))
    assert record["status"] == "ok", record["error"]
    assert [h["step"] for h in record["history"]] == [100, 150]
    return record


def test_same_cell_same_seed_gives_identical_metrics_with_xla(reference):
    again = run_cell(plan_cell(CELL, "smoke", steps=STEPS))
    assert again["timing"]["xla"] is True and reference["timing"]["xla"] is True
    assert results(again) == results(reference)  # exact float equality, every value


def test_interrupted_cell_resumes_from_its_checkpoint_to_the_same_result(
        reference, tmp_path, monkeypatch):
    folder = tmp_path / "ckpt"
    real_call = Trainer.timed_call
    calls = []

    def interrupted_on_third_call(self):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_call(self)

    monkeypatch.setattr(Trainer, "timed_call", interrupted_on_third_call)
    with pytest.raises(KeyboardInterrupt):
        run_cell(plan_cell(CELL, "smoke", steps=STEPS, checkpoint_dir=folder,
                                 checkpoint_every=50))
    assert tf.train.latest_checkpoint(str(folder)).endswith("-100")
    monkeypatch.setattr(Trainer, "timed_call", real_call)
    resumed = run_cell(plan_cell(CELL, "smoke", steps=STEPS, checkpoint_dir=folder,
                                 checkpoint_every=50))
    assert resumed["resumed_from_step"] == 100
    assert results(resumed) == results(reference)


def _trainer(seed=0):
    return Trainer(methods.get("nsgan").build(), datasets.get("ring8"), seed=seed,
                   batch_size=8, steps_per_call=1)


def test_checkpoint_restores_every_variable_and_refuses_other_settings(tmp_path):
    saved = _trainer(seed=0)
    saved.step.assign(40)
    saved.g_opt.base_state[0][0].assign(tf.fill(saved.g_opt.base_state[0][0].shape, 0.25))
    CellCheckpoint(tmp_path, saved, {"steps": 100}).save({"call": 4, "history": []}, 40)

    other = _trainer(seed=1)
    before = [v.numpy().copy() for vs in other.variables.values() for v in vs]
    with pytest.raises(CheckpointError, match="made under other settings"):
        CellCheckpoint(tmp_path, other, {"steps": 200}).restore()
    after = [v.numpy() for vs in other.variables.values() for v in vs]
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))

    assert CellCheckpoint(tmp_path, other, {"steps": 100}).restore() == {"call": 4,
                                                                          "history": []}
    for name, variables in saved.variables.items():
        for a, b in zip(variables, other.variables[name], strict=True):
            np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)


@pytest.mark.parametrize("error", [RuntimeError("kernel exploded"), MemoryError("out of RAM"),
                                   tf.errors.ResourceExhaustedError(None, None, "OOM in XLA")])
def test_a_cell_that_raises_is_recorded_as_failed(monkeypatch, error):
    def boom(self):
        self.step.assign(50)
        raise error

    monkeypatch.setattr(Trainer, "timed_call", boom)
    record = run_cell(plan_cell(CELL, "smoke", steps=STEPS))
    assert record["status"] == "failed"
    assert record["error"]["type"] == type(error).__name__
    assert str(error) in record["error"]["message"] and record["error"]["step"] == 50
    assert "traceback" in record["error"]


def test_nan_or_inf_training_is_recorded_as_diverged_with_its_step(monkeypatch):
    def nan_at_step_100(self):
        raise Diverged(100, "d_loss")

    monkeypatch.setattr(Trainer, "timed_call", nan_at_step_100)
    record = run_cell(plan_cell(CELL, "smoke", steps=STEPS))
    assert record["status"] == "diverged"
    assert record["error"] == {"type": "Diverged", "message": "non-finite d_loss at step 100",
                               "step": 100}
