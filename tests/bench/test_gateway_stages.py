"""benchmarks/gateway_overhead/stages.py: py-spy stacks → CPU share per pipeline stage."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "gateway_overhead" / "stages.py"
_spec = importlib.util.spec_from_file_location("gateway_stages", _PATH)
assert _spec is not None and _spec.loader is not None
stages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stages)

MAIN = "thread (100): MainThread"
DB = "thread (200): perimeter-db_0"
SERVE = "<module> (perimeter:6);Runner.run (asyncio/runners.py:118)"
SCAN = f"{SERVE};PrivacyStage.inspect (perimeter/privacy/guard.py:228);scan (perimeter/privacy/detect/scanner.py:9)"
FINISH = f"{SERVE};handle (perimeter/api/openai.py:123);Pipeline.finish (perimeter/pipeline.py:424)"
INSERT = ("Thread._bootstrap (threading.py:1002);_worker (concurrent/futures/thread.py:83);"
          "write_batch (perimeter/store/writer.py:49);Tx.insert_rows (perimeter/store/db.py:73)")
IDLE_WORKER = "Thread._bootstrap (threading.py:1002);_worker (concurrent/futures/thread.py:83)"


def raw(*lines: tuple[str, str, int]) -> str:
    return "\n".join(f"{thread};{stack} {n}" for thread, stack, n in lines) + "\n"


def test_samples_weigh_the_same_without_thread_cpu() -> None:
    got = stages.shares(raw((MAIN, SCAN, 60), (DB, INSERT, 40)))
    assert got["scan"] == pytest.approx(0.6)
    assert got["account"] == pytest.approx(0.4)


def test_each_thread_splits_its_own_cpu() -> None:
    # The database thread was runnable for 40 samples but burned a tenth of the main thread's CPU:
    # py-spy keeps a sample of any thread in state R, waiting for a core included.
    text = raw((MAIN, SCAN, 60), (MAIN, f"{FINISH};LedgerRecorder.record (perimeter/accounting/recorder.py:79)", 20),
               (MAIN, f"{SERVE};handle (perimeter/api/openai.py:123)", 20), (DB, INSERT, 30), (DB, IDLE_WORKER, 10))
    got = stages.shares(text, {100: 1.0, 200: 0.1, 300: 0.0})
    assert got["scan"] == pytest.approx(0.6 / 1.1)
    assert got["account"] == pytest.approx((0.2 + 0.1) / 1.1)  # the db thread's hand-offs are its stage's
    assert got["http"] == pytest.approx(0.2 / 1.1)
    assert got["loop"] == 0
    assert sum(got.values()) == pytest.approx(1.0)


def test_cpu_of_a_thread_without_samples_is_loop() -> None:
    got = stages.shares(raw((MAIN, SCAN, 10)), {100: 0.9, 300: 0.1})
    assert got["scan"] == pytest.approx(0.9)
    assert got["loop"] == pytest.approx(0.1)


def test_finish_body_is_not_accounting() -> None:
    assert stages.stage_of([f + " " for f in
                            f"{FINISH};record_request (perimeter/observability/metrics.py:200)".split(";")]) == "observe"
    assert stages.stage_of([f + " " for f in
                            f"{FINISH};CoalescingTransport.write (perimeter/cli/http_writes.py:36)".split(";")]) == "http"
    assert stages.stage_of([f + " " for f in f"{FINISH};sanitize (perimeter/store/audit.py:59)".split(";")]) == "account"


def test_thread_cpu_reads_this_process() -> None:
    if not Path(f"/proc/{os.getpid()}/task").exists():
        pytest.skip("no /proc")
    before = stages.thread_cpu(os.getpid())
    assert os.getpid() in before
    sum(i * i for i in range(200_000))
    delta = stages.cpu_between(before, stages.thread_cpu(os.getpid()))
    assert delta[os.getpid()] >= 0
