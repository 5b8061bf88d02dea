"""Hosts of their own on one machine: a bridge, and network namespaces wired to it with veth pairs.

Every name carries a random tag, so parallel runs (and other people's namespaces) never
collide, and :meth:`Topology.close` removes everything it made, also after a failure.
Needs root (``ip netns``) — the scale-out test skips with that reason otherwise.
"""

from __future__ import annotations

import ipaddress
import os
import random
import shutil
import subprocess
import uuid


def can_make_namespaces() -> str | None:
    """``None`` when namespaces can be made here, else why not."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "iproute2 (`ip`) is not installed"
    return None


def _ip(*args: str, ns: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = ["ip", *(("netns", "exec", ns, "ip") if ns else ()), *args]
    return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=20)


def _free_subnet() -> ipaddress.IPv4Network:
    used = _ip("-4", "route", "show", "table", "all").stdout + _ip("-4", "addr").stdout
    for _ in range(200):
        net = ipaddress.IPv4Network(f"10.{random.randint(180, 250)}.{random.randint(0, 255)}.0/24")
        if f"{net.network_address}"[:-1] not in used:
            return net
    raise RuntimeError("no free 10.x.y.0/24 subnet for the test bridge")


class Topology:
    """A bridge with the host at ``.1`` and one namespace per host name at ``.11``, ``.12``, …"""

    def __init__(self, hosts: int) -> None:
        self.tag = uuid.uuid4().hex[:6]
        self.bridge = f"pmb{self.tag}"
        self.net = _free_subnet()
        self.host_ip = str(self.net.network_address + 1)
        self.namespaces = [f"pm{self.tag}{i}" for i in range(hosts)]
        self.ips = [str(self.net.network_address + 11 + i) for i in range(hosts)]
        self._veths: list[str] = []

    def create(self) -> Topology:
        try:
            _ip("link", "add", self.bridge, "type", "bridge")
            _ip("addr", "add", f"{self.host_ip}/24", "dev", self.bridge)
            _ip("link", "set", self.bridge, "up")
            for i, (ns, addr) in enumerate(zip(self.namespaces, self.ips, strict=True)):
                host_end, ns_end = f"pmv{self.tag}{i}", f"pmp{self.tag}{i}"
                _ip("netns", "add", ns)
                _ip("link", "add", host_end, "type", "veth", "peer", "name", ns_end)
                self._veths.append(host_end)
                _ip("link", "set", ns_end, "netns", ns)
                _ip("link", "set", host_end, "master", self.bridge)
                _ip("link", "set", host_end, "up")
                _ip("link", "set", "lo", "up", ns=ns)
                _ip("addr", "add", f"{addr}/24", "dev", ns_end, ns=ns)
                _ip("link", "set", ns_end, "up", ns=ns)
        except BaseException:
            self.close()
            raise
        return self

    def exec_prefix(self, index: int) -> list[str]:
        """Prefix a command with this to run it inside host ``index``'s namespace."""
        return ["ip", "netns", "exec", self.namespaces[index]]

    def close(self) -> None:
        for ns in self.namespaces:
            _ip("netns", "del", ns, check=False)  # also removes the veth ends inside it
        for veth in self._veths:
            _ip("link", "del", veth, check=False)
        _ip("link", "del", self.bridge, check=False)
