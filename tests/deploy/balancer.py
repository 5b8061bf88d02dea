"""Run nginx with the load-balancer config that ships for compose (deploy/compose/nginx.conf).

The test swaps only what is site-specific — the upstream servers, the listen address, where
logs and the pid go — so what is proven here is the configuration users deploy.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "compose" / "nginx.conf"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def render(servers: list[str], listen: str, workdir: Path, shipped: Path = SHIPPED) -> str:
    """The shipped config with these upstream servers, this listen address, logs in ``workdir``."""
    text = shipped.read_text()
    server_lines = re.findall(r"^\s*server gateway-\d+:8080 ([^;]*);\n", text, flags=re.M)
    assert server_lines, "the shipped nginx.conf has no 'server gateway-N:8080' lines"
    options = server_lines[0]
    text = re.sub(r"^\s*server gateway-\d+:8080 [^;]*;\n", "", text, flags=re.M)
    upstream = "".join(f"        server {s} {options};\n" for s in servers)
    text = text.replace("        least_conn;\n", "        least_conn;\n" + upstream, 1)
    text = text.replace("listen 8080;", f"listen {listen};", 1)
    text = text.replace("access_log /dev/stdout perimeter;", f"access_log {workdir}/access.log perimeter;", 1)
    temp = "".join(f"    {k}_temp_path {workdir}/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    text = text.replace("http {\n", "http {\n" + temp, 1)
    return f"pid {workdir}/nginx.pid;\nerror_log {workdir}/error.log warn;\n" + text


class Balancer:
    """nginx on ``127.0.0.1:port`` in front of ``servers``; :meth:`set_servers` reloads gracefully."""

    def __init__(self, servers: list[str], workdir: Path) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (make test installs it: make system-deps)")
        self.binary = binary
        self.workdir = workdir
        self.conf = workdir / "nginx.conf"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.servers = list(servers)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _write(self) -> None:
        self.conf.write_text(render(self.servers, f"127.0.0.1:{self.port}", self.workdir))
        check = subprocess.run([self.binary, "-t", "-c", str(self.conf)], capture_output=True, text=True, timeout=20)
        assert check.returncode == 0, check.stderr

    def start(self) -> Balancer:
        self._write()
        self.proc = subprocess.Popen([self.binary, "-c", str(self.conf), "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=(self.workdir / "nginx.out").open("wb"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise RuntimeError(f"nginx did not start: {(self.workdir / 'error.log').read_text()[-2000:]}")

    def set_servers(self, servers: list[str]) -> None:
        """Graceful reload: new connections go to ``servers``, requests in flight finish where they are."""
        assert self.proc is not None
        self.servers = list(servers)
        self._write()
        self.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)  # the master starts new workers, then the old ones stop accepting

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def access_log(self) -> list[dict[str, str]]:
        """Parsed access-log lines: ``status``, ``up`` (replicas tried), ``rid``."""
        rows = []
        path = self.workdir / "access.log"
        for line in path.read_text().splitlines() if path.exists() else []:
            fields = dict(re.findall(r"(\w+)=(\S+)", line))
            m = re.search(r'" (\d{3}) ', line)
            if m:
                fields["status"] = m.group(1)
            rows.append(fields)
        return rows
