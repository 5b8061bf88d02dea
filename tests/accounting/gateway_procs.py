"""Start and stop real gateway replicas as subprocesses on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Replica:
    def __init__(self, config: dict[str, Any], workdir: Path, name: str) -> None:
        self.config = config
        self.workdir = workdir
        self.name = name
        self.port = free_port()
        self.proc: asyncio.subprocess.Process | None = None
        self.log = workdir / f"{name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 30.0) -> None:
        cfg_path = self.workdir / f"{self.name}.yaml"
        cfg_path.write_text(yaml.safe_dump(self.config))
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.accounting.replica", str(cfg_path), str(self.port), cwd=str(ROOT), env=env,
            stdout=self.log.open("ab"), stderr=asyncio.subprocess.STDOUT,
        )
        async with httpx.AsyncClient() as client:
            for _ in range(int(timeout / 0.05)):
                if self.proc.returncode is not None:
                    raise RuntimeError(f"replica {self.name} exited: {self.log.read_text()[-3000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{self.url}/health/live", timeout=1)).status_code == 200:
                        return
                await asyncio.sleep(0.05)
        raise RuntimeError(f"replica {self.name} did not start: {self.log.read_text()[-3000:]}")

    async def stop(self) -> int | None:
        """Graceful stop (SIGTERM): the ledger queue is flushed."""
        if self.proc is None or self.proc.returncode is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.proc is not None
        self.proc.kill()
        await self.proc.wait()
