"""Prove a built Perimeter image (``make image-test``): serve from it and check what users rely on.

* it runs as a non-root user (the image's own USER, not one we pass);
* ``/health/live`` and ``/health/ready`` answer 200, and the image's HEALTHCHECK command passes;
* the embedded model gives a real answer ("Paris") — nothing is downloaded, the model is baked in;
* the server wrote nothing outside ``/var/lib/perimeter`` and ``/tmp`` (a read-only root works);
* it stops cleanly on SIGTERM.

buildah runs the image with ``--isolation chroot`` on the host network, so the server answers
on 127.0.0.1.  Usage: ``python scripts/image_check.py IMAGE``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

WRITABLE = ("var/lib/perimeter", "tmp", "proc", "sys", "dev", "run", "etc/hosts", "etc/resolv.conf",
            "etc/hostname")


def sh(*cmd: str, check: bool = True) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if check and out.returncode != 0:
        raise SystemExit(f"$ {' '.join(cmd)}\n{out.stdout}{out.stderr}")
    return out.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, body: dict[str, object] | None = None, timeout: float = 60) -> tuple[int, dict[str, object]]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def listener_pid(port: int) -> int:
    out = sh("ss", "-Hltnp", f"sport = :{port}")
    pid = out.split("pid=", 1)[1].split(",", 1)[0]
    return int(pid)


def main(image: str) -> None:
    t_start = time.monotonic()
    info = json.loads(sh("buildah", "inspect", "--type", "image", image))
    cfg = info["Docker"]["config"]
    user = cfg.get("User") or ""
    assert user and user.split(":")[0] not in ("0", "root"), f"image USER is {user!r}: must be non-root"
    assert cfg.get("Healthcheck", {}).get("Test"), "the image has no HEALTHCHECK"
    size = sh("buildah", "images", "--format", "{{.Size}}", image)
    print(f">> image {image}: {size}, USER {user}, healthcheck {cfg['Healthcheck']['Test'][1:3]}…")

    ctr = sh("buildah", "from", "--pull-never", image)
    server: subprocess.Popen[bytes] | None = None
    try:
        uid = sh("buildah", "run", "--isolation", "chroot", ctr, "--", "id", "-u")
        assert uid != "0", "the container runs as root"
        root = Path(sh("buildah", "mount", ctr))
        marker = root / "tmp" / ".image-check-marker"
        marker.touch()
        time.sleep(1.1)  # file times below this resolution would look "not newer"
        port = free_port()
        log = open(os.environ.get("IMAGE_CHECK_LOG", "/tmp/perimeter-image-check.log"), "wb")  # noqa: SIM115
        server = subprocess.Popen(["buildah", "run", "--isolation", "chroot", ctr, "--",
                                   "perimeter", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        t0 = time.monotonic()
        while True:
            assert server.poll() is None, f"the server exited: {Path(log.name).read_text()[-3000:]}"
            try:
                status, ready = get(f"{base}/health/ready", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() - t0 < 180, "not ready within 180 s"
            time.sleep(0.5)
        print(f">> ready in {time.monotonic() - t0:.1f}s: {ready}")
        assert get(f"{base}/health/live")[0] == 200
        server_uid = next(line.split()[1] for line in Path(f"/proc/{listener_pid(port)}/status").read_text().splitlines()
                          if line.startswith("Uid:"))
        assert server_uid == uid, f"the server runs as uid {server_uid}"
        t0 = time.monotonic()
        status, answer = get(f"{base}/v1/chat/completions", {
            "model": "local", "temperature": 0, "messages": [
                {"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "What is the capital of France? Answer in one word."}]})
        text = answer["choices"][0]["message"]["content"]  # type: ignore[index]
        print(f">> answer in {time.monotonic() - t0:.2f}s: {text!r}")
        assert status == 200 and "Paris" in text, answer
        hc = cfg["Healthcheck"]["Test"][1:]
        hc = [a.replace("8080", str(port)) for a in hc]
        sh("buildah", "run", "--isolation", "chroot", ctr, "--", *hc)
        print(">> HEALTHCHECK command passes")
        os.kill(listener_pid(port), signal.SIGTERM)
        code = server.wait(60)
        assert "Application shutdown complete" in Path(log.name).read_text(), "no graceful shutdown"
        print(f">> stopped gracefully on SIGTERM (buildah run exit {code})")
        changed = sh("find", str(root), "-xdev", "-newer", str(marker), "-not", "-type", "d").splitlines()
        outside = [c for c in changed
                   if not any(c[len(str(root)) + 1:].startswith(w) for w in WRITABLE)]
        assert not outside, f"written outside the volumes (a read-only root would break): {outside[:20]}"
        # A control: a file the image's user can write outside the volumes (/var/tmp) must show up,
        # or the check above proved nothing.
        sh("buildah", "run", "--isolation", "chroot", ctr, "--", "python3", "-c",
           "open('/var/tmp/.image-check-control', 'w').write('x')")
        seen = sh("find", str(root), "-xdev", "-newer", str(marker), "-not", "-type", "d")
        assert "/var/tmp/.image-check-control" in seen, "the write detector does not see writes"
        print(">> the server wrote nothing outside /var/lib/perimeter and /tmp (a read-only root works)")
    finally:
        if server is not None and server.poll() is None:
            server.kill()
        subprocess.run(["buildah", "umount", ctr], capture_output=True)
        subprocess.run(["buildah", "rm", ctr], capture_output=True)
    print(f">> image check passed in {time.monotonic() - t_start:.0f}s (image size {size})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "localhost/perimeter:test")
