"""Graceful shutdown: SIGTERM lets in-flight streams finish; then the process exits cleanly."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import httpx
import yaml

from tests.fakes.openai_server import FakeOpenAI


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_sigterm_drains_in_flight_stream(upstream: FakeOpenAI, tmp_path: Path) -> None:
    upstream.chunk_delay = 0.05
    port = _free_port()
    cfg = {"server": {"port": port, "shutdown_grace": 10},
           "providers": [{"name": "local", "type": "openai_compat", "location": "on_prem", "base_url": upstream.base_url}],
           "models": {"chat": ["local"]}, "storage": {"data_dir": str(tmp_path / "data")}}
    path = tmp_path / "perimeter.yaml"
    path.write_text(yaml.safe_dump(cfg))
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "perimeter", "serve", "--config", str(path),
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        async with httpx.AsyncClient(timeout=20) as c:
            for _ in range(200):
                try:
                    if (await c.get(f"http://127.0.0.1:{port}/health/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            words = " ".join(f"w{i}" for i in range(30))  # ~1.5 s of streaming
            body = {"model": "chat", "stream": True, "messages": [{"role": "user", "content": words}]}
            async with c.stream("POST", f"http://127.0.0.1:{port}/v1/chat/completions", json=body) as r:
                it = r.aiter_bytes()
                first = await anext(it)
                proc.send_signal(signal.SIGTERM)
                rest = b"".join([b async for b in it])
        raw = first + rest
        assert raw.rstrip().endswith(b"data: [DONE]")
        assert b"w29" in raw
        rc = await asyncio.wait_for(proc.wait(), 15)
        # uvicorn re-raises the signal after a clean drain so supervisors see why it stopped
        assert rc in (0, -signal.SIGTERM)
        assert proc.stderr is not None
        log = (await proc.stderr.read()).decode()
        assert "Finished server process" in log and "Traceback" not in log
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
