"""Perimeter replicas, each in its own network namespace, as ``perimeter serve`` processes.

Used by the scale-out test: a replica is a real gateway process started with the installed
command line, bound to its namespace's address, stopped with SIGTERM (graceful: drains, then
flushes the ledger) or SIGKILL (nothing runs).
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.deploy.netns import Topology

PORT = 8080


class NamespacedReplica:
    def __init__(self, topo: Topology, index: int, config: dict[str, Any], workdir: Path) -> None:
        self.topo = topo
        self.index = index
        self.name = f"replica-{index + 1}"
        self.config = config
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / f"{self.name}.log"
        self.starts = 0

    @property
    def address(self) -> str:
        return f"{self.topo.ips[self.index]}:{PORT}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def spawn(self) -> None:
        cfg_path = self.workdir / f"{self.name}.yaml"
        cfg_path.write_text(yaml.safe_dump(self.config))
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"---- start {self.starts}\n".encode())
        self.proc = subprocess.Popen(
            [*self.topo.exec_prefix(self.index), sys.executable, "-m", "perimeter", "serve",
             "--config", str(cfg_path), "--host", "0.0.0.0", "--port", str(PORT)],
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-3000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.url}/health/ready").status_code == 200:
                        return
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready in {timeout}s: {self.log.read_text()[-3000:]}")

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait: the exit code (uvicorn re-raises SIGTERM after a clean drain: -15)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"{self.name} did not stop within {timeout}s after SIGTERM") from None

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def cleanup(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
