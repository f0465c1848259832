"""RQ (Python job queue, pinned in the Makefile's test-deps) end to end: jobs enqueued with redis-py,
run by a real rq worker process in burst mode, results read back.  RQ 2 keeps each job's results in a
stream (XADD with MAXLEN, read with XREVRANGE, waited for with XREAD BLOCK), so this is the streams'
client test.  Against Redis too (--target redis)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

rq = pytest.importorskip("rq")   # make test-deps installs it
from rq.job import JobStatus  # noqa: E402
from rq.results import Result  # noqa: E402

HERE = Path(__file__).resolve().parent


def run_worker(server, queue: str = "default") -> subprocess.CompletedProcess:
    """A worker process's burst (rq_jobs.py): runs every queued job, then exits 0 (bounded: 60 s)."""
    url = f"redis://{server.host}:{server.port}/0"
    return subprocess.run([sys.executable, "rq_jobs.py", url, queue], cwd=HERE, capture_output=True, text=True,
                          timeout=60)


def test_a_job_runs_and_its_result_is_read_back_from_its_stream(server, r2):
    q = rq.Queue("default", connection=r2)
    job = q.enqueue("rq_jobs.add", 2, 3)
    assert job.get_status() == JobStatus.QUEUED
    worker = run_worker(server)
    assert worker.returncode == 0, worker.stderr
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() == 5                       # XREVRANGE rq:results:<id> + - COUNT 1
    key = Result.get_key(job.id)
    assert r2.type(key) == b"stream" and r2.xlen(key) == 1
    latest = job.latest_result()
    assert latest.type == Result.Type.SUCCESSFUL and latest.return_value == 5
    assert [res.return_value for res in job.results()] == [5]   # XRANGE


def test_a_failed_job_records_its_exception(server, r2):
    q = rq.Queue("default", connection=r2)
    job = q.enqueue("rq_jobs.fail", "boom")
    assert run_worker(server).returncode == 0
    job.refresh()
    assert job.get_status() == JobStatus.FAILED
    latest = job.latest_result()
    assert latest.type == Result.Type.FAILED and "ValueError: boom" in latest.exc_string


def test_waiting_for_a_result_blocks_in_xread_until_the_worker_adds_it(server, r2):
    q = rq.Queue("default", connection=r2)
    job = q.enqueue("rq_jobs.add", 20, 22)
    found = {}
    waiter = threading.Thread(target=lambda: found.setdefault("r", job.latest_result(timeout=30)))
    waiter.start()
    assert run_worker(server).returncode == 0
    waiter.join(40)
    assert not waiter.is_alive()
    assert found["r"] is not None and found["r"].return_value == 42
