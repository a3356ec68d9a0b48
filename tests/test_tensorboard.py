import pytest
import tensorflow as tf
from fake_records import fake_record

from benches.tensorboard import write_cell_scalars


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
