"""Run HAProxy with the load-balancer config that ships for compose (deploy/compose/haproxy.cfg).

The test swaps only what is site-specific — the servers, the listen address, the admin socket —
so what is proven here is the configuration users deploy.  Draining goes through the admin
socket (``set server … state maint``), as docs/deploy.md tells operators to do it.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "compose" / "haproxy.cfg"
_SERVER = re.compile(r"^\s*server gateway-\d+ gateway-\d+:8080\n", flags=re.M)


def render(servers: dict[str, str], listen: str, admin_socket: Path, shipped: Path = SHIPPED) -> str:
    """The shipped config with these ``{name: host:port}`` servers, this bind, this admin socket."""
    text = shipped.read_text()
    first = _SERVER.search(text)
    assert first, "the shipped haproxy.cfg has no 'server gateway-N gateway-N:8080' lines"
    lines = "".join(f"    server {name} {addr}\n" for name, addr in servers.items())
    text = text[:first.start()] + lines + _SERVER.sub("", text[first.start():])
    text = text.replace("bind :8080", f"bind {listen}", 1)
    text = text.replace("/var/run/haproxy/admin.sock", str(admin_socket), 1)
    return text


class Balancer:
    """HAProxy on ``127.0.0.1:port``; its log (stdout) is kept in ``workdir`` for post-mortems."""

    def __init__(self, servers: dict[str, str], workdir: Path) -> None:
        binary = shutil.which("haproxy")
        if binary is None:
            raise RuntimeError("haproxy is not installed (make test installs it: make system-deps)")
        self.binary = binary
        self.workdir = workdir
        self.conf = workdir / "haproxy.cfg"
        self.admin = workdir / "haproxy.sock"
        self.log = workdir / "haproxy.log"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.conf.write_text(render(servers, f"127.0.0.1:{self.port}", self.admin))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Balancer:
        check = subprocess.run([self.binary, "-c", "-f", str(self.conf)], capture_output=True, text=True, timeout=20)
        assert check.returncode == 0, check.stdout + check.stderr
        self.proc = subprocess.Popen([self.binary, "-db", "-f", str(self.conf)],
                                     stdout=self.log.open("wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise RuntimeError(f"haproxy did not start: {self.log.read_text()[-2000:]}")

    def command(self, cmd: str) -> str:
        """One command on the admin socket (the runtime API)."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.admin))
            s.sendall(cmd.encode() + b"\n")
            out = b""
            while chunk := s.recv(65536):
                out += chunk
        return out.decode()

    def set_state(self, server: str, state: str) -> None:
        """``maint``: no new requests (those in flight finish); ``ready``: back in rotation."""
        out = self.command(f"set server gateways/{server} state {state}")
        assert out.strip() == "", out

    def wait_up(self, server: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stat = self.command("show stat")
            for line in stat.splitlines():
                fields = line.split(",")
                if len(fields) > 17 and fields[0] == "gateways" and fields[1] == server and fields[17] == "UP":
                    return
            time.sleep(0.1)
        raise AssertionError(f"{server} not UP in haproxy within {timeout}s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
