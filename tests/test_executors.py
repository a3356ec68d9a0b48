"""Executors: the process pool's thread split and dead-worker isolation; Ray end to end."""

import os
import signal

import pytest

from benches.cli import main
from benches.results.records import iter_records
from benches.run.executors.local import ProcessPool, peak_memory_bytes, threads_per_worker
from benches.run.matrix import Cell, MethodSpec
from benches.run.plan import plan_cell


def plans(n):
    return [plan_cell(Cell(MethodSpec("gan"), "ring8", seed), "smoke") for seed in range(n)]


def report_run(plan):
    """Reports which process ran it and that process's TensorFlow thread pools."""
    import tensorflow as tf

    if plan.cell.seed == 1:
        os.kill(os.getpid(), signal.SIGKILL)  # what the OOM killer does
    return {"cell_id": plan.cell_id, "status": "ok", "pid": os.getpid(),
            "intra": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter": tf.config.threading.get_inter_op_parallelism_threads()}


def sleep_run(plan):
    """Seed 0 answers at once; the others sleep as long as a real cell would."""
    import time

    if plan.cell.seed:
        time.sleep(300)
    return {"cell_id": plan.cell_id, "status": "ok", "pid": os.getpid()}


def pid_run(plan):
    return {"cell_id": plan.cell_id, "status": "ok", "pid": os.getpid()}


def test_closing_the_pool_stops_workers_in_the_middle_of_a_cell():
    pool = ProcessPool(jobs=2, threads=1, run=sleep_run)
    results = pool.run(plans(3))
    task, _ = next(results)
    assert task.cell.seed == 0
    processes = [slot.process for slot in pool._slots]
    pool.close()
    assert all(not p.is_alive() for p in processes)


@pytest.mark.parametrize("jobs,cpus,share", [(1, 8, 8), (2, 8, 4), (3, 8, 2), (4, 2, 1)])
def test_threads_are_divided_among_workers(jobs, cpus, share):
    assert threads_per_worker(jobs, cpus) == share


def test_pool_spreads_cells_over_workers_and_survives_a_killed_worker():
    pool = ProcessPool(jobs=2, threads=3, run=report_run)
    got = {task.cell.seed: record for task, record in pool.run(plans(4))}
    assert sorted(got) == [0, 1, 2, 3]
    dead = got.pop(1)
    assert dead["status"] == "failed" and dead["cell_id"] == "ring8__gan__seed1"
    assert dead["error"]["type"] == "WorkerDied"
    assert "killed by signal 9" in dead["error"]["message"]
    assert "out-of-memory" in dead["error"]["message"]
    assert {(r["intra"], r["inter"]) for r in got.values()} == {(3, 1)}
    assert os.getpid() not in {r["pid"] for r in got.values()}


@pytest.mark.parametrize("memory_limit,workers", [(1, 3), (10**15, 1)])
def test_a_worker_past_its_memory_limit_is_replaced_between_cells(memory_limit, workers):
    pool = ProcessPool(jobs=1, threads=1, memory_limit=memory_limit, run=pid_run)
    records = [record for _, record in pool.run(plans(3))]
    assert [r["status"] for r in records] == ["ok"] * 3
    assert len({r["pid"] for r in records}) == workers


def test_peak_memory_is_reported_in_bytes():
    assert 10**7 < peak_memory_bytes() < 10**12  # a Python process with NumPy: 10 MB+


def test_ray_runs_a_tiny_matrix_with_the_local_executors_results(tmp_path):
    pytest.importorskip("ray", reason="Ray is optional: pip install 'ganbench[ray]'")
    matrix = ["run", "--methods", "gan", "--datasets", "ring8", "--seeds", "2",
              "--profile", "smoke", "--steps", "50"]
    assert main([*matrix, "--executor", "ray", "--jobs", "2", "--out", str(tmp_path / "ray")]) == 0
    assert main([*matrix, "--out", str(tmp_path / "local")]) == 0
    ray_records = {r["cell_id"]: r for r in iter_records(tmp_path / "ray", strict=True)}
    local = {r["cell_id"]: r for r in iter_records(tmp_path / "local", strict=True)}
    assert sorted(ray_records) == ["ring8__gan__seed0", "ring8__gan__seed1"]
    for cell_id, record in local.items():
        assert record["status"] == ray_records[cell_id]["status"] == "ok"
        assert ray_records[cell_id]["metrics"] == record["metrics"]
    assert (tmp_path / "ray" / "leaderboards" / "ring8.md").exists()


def test_idle_workers_get_the_next_seed_of_their_own_program_else_an_unclaimed_one():
    from benches.run.executors.local import next_task

    matrix = [plan_cell(Cell(MethodSpec(m), "ring8", seed), "smoke")
              for m in ("gan", "nsgan") for seed in range(3)]
    gan, nsgan = matrix[0].program_key, matrix[3].program_key
    assert next_task(matrix, None, []) == 0
    assert next_task(matrix[1:], None, [gan]) == 2  # nsgan seed 0: gan is taken
    assert next_task(matrix[2:], nsgan, [gan]) == 1  # its own program's next seed
    assert next_task(matrix[4:], gan, [nsgan]) == 0  # gan is done: two nsgan left, split
    assert next_task(matrix[5:], gan, [nsgan]) is None  # one left: its worker runs it
    assert next_task(matrix[5:], gan, []) == 0  # ... unless no worker is busy


def test_the_pool_runs_every_cell_when_workers_wait_for_each_other():
    pool = ProcessPool(jobs=3, threads=1, run=pid_run)
    matrix = [plan_cell(Cell(MethodSpec("gan"), "ring8", seed), "smoke") for seed in range(2)]
    assert sorted(t.cell.seed for t, _ in pool.run(matrix)) == [0, 1]
