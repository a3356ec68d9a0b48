import pytest
import tensorflow as tf
from fake_records import fake_record

from benches.results.tensorboard import write_cell_scalars


def read_scalars(logdir):
    found = {}
    for path in logdir.iterdir():
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                assert value.metadata.plugin_data.plugin_name == "scalars"
                found[(value.tag, event.step)] = float(tf.make_ndarray(value.tensor))
    return found


def test_event_files_hold_losses_norms_and_metrics_per_step(tmp_path):
    record = fake_record(metrics={"modes": 8.0, "kl": 0.2}, steps_per_second=123.0)
    logdir = write_cell_scalars(tmp_path, record)
    assert logdir == tmp_path / "tensorboard" / record["cell_id"]
    scalars = read_scalars(logdir)
    assert scalars[("loss/d_loss", 100)] == pytest.approx(1.3)
    assert scalars[("loss/g_loss", 200)] == pytest.approx(0.8)
    assert scalars[("grad_norm/g_grad_norm", 100)] == pytest.approx(0.5)
    assert scalars[("grad_norm/d_grad_norm", 200)] == pytest.approx(1.0)
    assert scalars[("metric/kl", 100)] == pytest.approx(0.1)
    assert scalars[("metric/modes", 200)] == pytest.approx(8.0)
    assert scalars[("timing/steps_per_second", 200)] == pytest.approx(123.0)


def test_dense_gradient_log_supersedes_the_history(tmp_path):
    log = {"step": [50, 100, 150, 200], "g_grad_norm": [0.9, 0.5, 0.3, 0.25],
           "g_grad_norm/dense0": [0.1, 0.2, 0.3, float("nan")], "d_loss": [1.4, 1.3, 1.25, 1.2]}
    record = fake_record(metrics={"kl": 0.2}, gradient_log=log)
    scalars = read_scalars(write_cell_scalars(tmp_path, record))
    assert [s for (t, s) in scalars if t == "grad_norm/g_grad_norm"] == [50, 100, 150, 200]
    assert scalars[("grad_norm/g_grad_norm", 150)] == pytest.approx(0.3)
    assert scalars[("grad_norm/g_grad_norm/dense0", 100)] == pytest.approx(0.2)
    assert ("grad_norm/g_grad_norm/dense0", 200) not in scalars  # NaN is skipped
    assert scalars[("loss/d_loss", 100)] == pytest.approx(1.3)  # from the log, not history
    assert ("grad_norm/d_grad_norm", 100) in scalars  # not in the log: from the history
    assert scalars[("metric/kl", 200)] == pytest.approx(0.2)
