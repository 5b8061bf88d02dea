"""Ctrl-C mid-run: the CLI stops, saves what finished, says so, and exits 130 without a traceback."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import orjson

from tests.bench.fake_server import Behaviour


async def test_sigint_saves_partial_results(serve, tmp_path: Path) -> None:
    b = Behaviour(ttft=0.05, itl=0.01, default_tokens=10)
    url = await serve(b)
    out = tmp_path / "partial.json"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "perimeter", "bench", "run", "--url", url, "-m", "m", "-c", "4",
        "-d", "60", "--output-tokens", "10", "-o", str(out), "-q",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )
    # Wait until the run is under way: the server has finished a few answers.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while len(b.timings) < 8 and loop.time() < deadline:
        await asyncio.sleep(0.1)
    assert len(b.timings) >= 8, "the benchmark never got going"
    proc.send_signal(signal.SIGINT)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 20)
    err = stderr.decode()
    assert proc.returncode == 130, (stdout.decode(), err)
    assert "Traceback" not in err
    assert "partial results saved" in err
    doc = orjson.loads(out.read_bytes())
    assert doc["interrupted"] is True
    run = doc["runs"][0]
    assert run["summary"]["stop_reason"] == "interrupted"
    ok = [s for s in run["samples"] if s["error"] is None]
    assert len(ok) >= 4  # requests that finished before Ctrl-C are kept
    # Requests cut off by Ctrl-C are marked, and not counted as server errors.
    assert all(s["phase"] == "incomplete" for s in run["samples"] if s["error"] == "cancelled")
    assert run["summary"]["errors_by_kind"] == {}
    assert out.with_suffix(".html").exists()
