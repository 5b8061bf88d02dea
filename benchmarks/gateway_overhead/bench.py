"""Gateway overhead benchmark: Perimeter vs direct-to-upstream vs LiteLLM proxy vs Portkey gateway.

Starts nginx as a fixed-response OpenAI upstream on loopback (one port answers JSON, one SSE),
starts every gateway under test against it, then measures, for non-streaming and streaming chat:

* **saturation** — ``wrk -t2 -c64`` requests/s (median of several runs, targets interleaved so
  that background load on the shared machine hits all of them alike);
* **lone-request latency** — ``hey -c1`` sequential requests, p50/p99 (added latency =
  through the gateway minus straight to nginx);
* **fixed-rate latency** — ``hey -q`` at a fixed offered rate, p50/p99 and the achieved rate;
* **CPU per request** — CPU seconds the server's process tree burned during the saturation
  runs divided by requests served: much less sensitive to other tenants than requests/s.

Run it through ``run.sh`` (installs the tools and peers); this file uses the standard library
only, so any Python 3.11 works as the driver.  Results: JSON + Markdown under ``results/``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from report import markdown
from stages import cpu_between, shares, stat_cpu, stat_fields, thread_cpu

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MODES = ("json", "sse")
MARKER = {"json": "perimeter-bench-mock upstream", "sse": "data: [DONE]"}


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- plumbing
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


BODIES = ("plain", "pii")
# The headline scenario's prompt: a name, a phone number and an e-mail address, different in every
# request (post.lua fills #N# and #D#), so every request is scanned, pseudonymised and restored.
PII_PROMPT = ("Request #N#. Hello, I am Anna Keller, phone +1 415 555 #D#, e-mail anna.keller.#N#@example.com. "
              "Summarise the status of my account in two sentences.")


def request_body(mode: str, kind: str = "plain") -> bytes:
    prompt = PII_PROMPT if kind == "pii" else (
        # wrk (post.lua) replaces #N# with a number unique to each request.
        "Request #N#. Summarise in two sentences why a company would put a gateway in front of its "
        "language models.")
    body: dict[str, Any] = {
        "model": f"bench-{mode}",
        "messages": [
            {"role": "system", "content": "You are a concise assistant."},
            {"role": "user", "content": prompt},
        ],
        "max_tokens": 64,
        "temperature": 0.2,
    }
    if mode == "sse":
        body["stream"] = True
    return json.dumps(body).encode()


def proc_tree_cpu(root_pid: int) -> float:
    """User+system CPU seconds of ``root_pid`` and all its live descendants (threads included)."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = stat_fields(f"/proc/{entry}/stat")
        if fields is not None:  # fields after "(comm)": state, ppid, …
            stats[int(entry)] = (int(fields[1]), stat_cpu(fields))
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo.extend(children.get(pid, ()))
    return total


def percentile(sorted_vals: list[float], q: float) -> float:
    if not sorted_vals:
        return float("nan")
    k = max(0, min(len(sorted_vals) - 1, round(q / 100 * (len(sorted_vals) - 1))))
    return sorted_vals[k]


def git_rev() -> str:
    res = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no", "src"],
                           capture_output=True, text=True).stdout.strip()
    return res.stdout.strip() + ("+dirty" if dirty else "")


def load_avg() -> float:
    return os.getloadavg()[0]


# --------------------------------------------------------------------------- targets
@dataclass
class Target:
    """One thing to send load to: nginx itself or a gateway in front of it."""

    name: str
    kind: str  # direct | perimeter | litellm | portkey
    workers: str
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    version: str = ""
    extra_headers: dict[str, dict[str, str]] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    body: str = "plain"  # which request body (BODIES) it gets
    profile: bool = False  # sample it with py-spy after the measurements (CPU by stage)

    def url(self, mode: str) -> str:
        return self.urls[mode]

    def headers(self, mode: str) -> dict[str, str]:
        return self.extra_headers.get(mode, {})

    def cpu(self) -> float:
        return proc_tree_cpu(self.proc.pid) if self.proc is not None else 0.0


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="perimeter-gw-bench-"))
        self.procs: list[subprocess.Popen[bytes]] = []
        self.targets: list[Target] = []
        self.skipped: dict[str, str] = {}
        self.json_port = free_port()
        self.sse_port = free_port()
        self.nginx: Target | None = None
        self.pending: list[tuple[Target, float, Any]] = []
        for kind in BODIES:
            for mode in MODES:
                (self.work / f"body-{kind}-{mode}.json").write_bytes(request_body(mode, kind))

    # ----------------------------------------------------------------- processes
    def spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None,
              cwd: Path | None = None) -> tuple[subprocess.Popen[bytes], Path]:
        log_path = self.work / f"{name}.log"
        out = open(log_path, "wb")  # noqa: SIM115 - closed by the OS when the child exits
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env={**os.environ, **(env or {})}, cwd=cwd, start_new_session=True)
        self.procs.append(proc)
        return proc, log_path

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        self.procs.clear()

    def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float = 5.0) -> tuple[int, str]:
        req = urllib.request.Request(url, data=body, method="POST",
                                     headers={"content-type": "application/json", **headers})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def wait_ready(self, t: Target, timeout: float) -> str | None:
        """Poll until both modes answer through ``t`` with the mock's content; return an error or None."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if t.proc is not None and t.proc.poll() is not None:
                return f"process exited with code {t.proc.returncode}; log tail:\n{self.tail(t)}"
            try:
                ok = True
                for mode in MODES:
                    status, text = self.post(t.url(mode), request_body(mode, t.body), t.headers(mode))
                    if status != 200 or MARKER[mode] not in text:
                        ok = False
                        last = f"{mode}: HTTP {status}: {text[:300]}"
                        break
                if ok:
                    return None
            except (OSError, urllib.error.URLError) as exc:
                last = repr(exc)
            time.sleep(0.5)
        return f"not ready after {timeout:.0f}s (last: {last}); log tail:\n{self.tail(t)}"

    @staticmethod
    def tail(t: Target, n: int = 15) -> str:
        if t.log_path is None or not t.log_path.exists():
            return ""
        return "\n".join(t.log_path.read_text("utf-8", "replace").splitlines()[-n:])

    # ----------------------------------------------------------------- upstream + gateways
    def start_nginx(self) -> None:
        conf = (HERE / "nginx.conf.template").read_text()
        conf = (conf.replace("@WORKDIR@", str(self.work)).replace("@JSON_PORT@", str(self.json_port))
                .replace("@SSE_PORT@", str(self.sse_port)))
        (self.work / "nginx.conf").write_text(conf)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        t = Target("nginx (direct)", "direct", "1", urls={
            "json": f"http://127.0.0.1:{self.json_port}/v1/chat/completions",
            "sse": f"http://127.0.0.1:{self.sse_port}/v1/chat/completions"})
        t.proc, t.log_path = self.spawn("nginx", [nginx, "-p", str(self.work), "-c", str(self.work / "nginx.conf"),
                                                  "-e", str(self.work / "nginx-error.log")])
        err = self.wait_ready(t, 15)
        if err:
            raise SystemExit(f"nginx mock upstream did not start: {err}")
        t.version = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr.strip()
        self.nginx = t
        self.targets.append(t)

    def start_perimeter(self, workers: int, scenario: str, *, build: str = "after") -> None:
        """Perimeter with its default stack (ledger + audit on SQLite, router) in one scenario:

        * ``off`` — privacy off, on-prem providers, dev mode (no key): the gateway alone;
        * ``onprem`` — privacy on, on-prem providers: every request scanned, nothing pseudonymised;
        * ``pii-dev`` — a PII-bearing prompt to a ``cloud`` provider: scanned, pseudonymised,
          restored; dev mode (no key);
        * ``pii`` — the same in production mode: a virtual key with limits, ledger and audit.

        ``build`` ``after`` is this checkout; any other value is the label of an executable given
        with ``--before`` or ``--build`` (rows of other builds measured in the same run).
        """
        exe = self.args.perimeter if build == "after" else self.args.builds[build]
        py = str(Path(exe).parent / "python")
        tag = f"{re.sub(r'[^A-Za-z0-9]+', '-', build)}-w{workers}-{scenario}"
        cloud = scenario.startswith("pii")
        cfg: dict[str, Any] = {
            "server": {"log_level": "warning", "access_log": False},
            "storage": {"data_dir": str(self.work / f"perimeter-data-{tag}")},
            "providers": [
                {"name": f"mock-{m}", "type": "openai_compat", "location": "cloud" if cloud else "on_prem",
                 "base_url": f"http://127.0.0.1:{self.json_port if m == 'json' else self.sse_port}/v1",
                 "api_key": "sk-bench"}
                for m in MODES
            ],
            "models": {f"bench-{m}": {"targets": [f"mock-{m}"]} for m in MODES},
        }
        cfg["privacy"] = {"enabled": False} if scenario == "off" else {"secret": "bench-secret-not-for-production"}
        if scenario == "pii":
            cfg["server"].update(mode="production", admin_key="bench-admin-key-not-for-production")
        path = self.work / f"perimeter-{tag}.yaml"  # JSON is valid YAML
        path.write_text(json.dumps(cfg, indent=2))
        headers: dict[str, dict[str, str]] = {}
        if scenario == "pii":
            # A virtual key with limits (high enough never to refuse): the production hot path
            # checks the key, counts rate, tokens and concurrency, and releases them.
            made = subprocess.run([exe, "keys", "create", "-c", str(path), "--name", "bench", "--rpm", "100000000",
                                   "--tpm", "10000000000", "--concurrency", "100000", "--json"],
                                  capture_output=True, text=True)
            if made.returncode != 0:
                self.skipped[tag] = f"perimeter keys create failed: {made.stderr[-300:]}"
                return
            key = json.loads(made.stdout)["key"]
            headers = {m: {"authorization": f"Bearer {key}"} for m in MODES}
        port = free_port()
        what = {"off": "privacy off", "onprem": "privacy on, on-prem, no PII",
                "pii-dev": "PII → cloud, dev mode", "pii": "PII → cloud, production"}[scenario]
        who = "Perimeter" if build == "after" else f"Perimeter @ {build}"
        t = Target(f"{who} ({workers} worker{'s' if workers > 1 else ''}, {what})", "perimeter", str(workers),
                   port=port, urls={m: f"http://127.0.0.1:{port}/v1/chat/completions" for m in MODES},
                   extra_headers=headers, body="pii" if cloud else "plain",
                   profile=scenario == "pii" and workers == 1 and self.args.profile_seconds > 0)
        t.proc, t.log_path = self.spawn(f"perimeter-{tag}", [
            exe, "serve", "--config", str(path), "--port", str(port), "--workers", str(workers)])
        rev = git_rev() if build == "after" else build
        self._register(t, 120, lambda: subprocess.run(
            [py, "-c", "import perimeter; print(getattr(perimeter, '__version__', '?'))"],
            capture_output=True, text=True).stdout.strip() + f" @ {rev}")

    def start_litellm(self, workers: int) -> None:
        exe = Path(self.args.litellm_env) / "bin" / "litellm"
        name = f"LiteLLM ({workers} worker{'s' if workers > 1 else ''})"
        if not exe.exists():
            self.skipped[name] = f"{exe} not found (install failed or --no-peers)"
            return
        cfg_lines = ["model_list:"]
        for m in MODES:
            port = self.json_port if m == "json" else self.sse_port
            cfg_lines += [f"  - model_name: bench-{m}", "    litellm_params:", "      model: openai/mock-model",
                          f"      api_base: http://127.0.0.1:{port}/v1", "      api_key: sk-bench"]
        cfg_lines += ["litellm_settings:", "  set_verbose: false", "  drop_params: true", "  telemetry: false"]
        path = self.work / f"litellm-w{workers}.yaml"
        path.write_text("\n".join(cfg_lines) + "\n")
        port = free_port()
        t = Target(name, "litellm", str(workers), port=port,
                   urls={m: f"http://127.0.0.1:{port}/v1/chat/completions" for m in MODES})
        # Keyless, like Perimeter's dev mode in this benchmark: recent LiteLLM refuses to start without
        # a master key unless told this is deliberate.
        env = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOG": "ERROR", "LITELLM_TELEMETRY": "False",
               "LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY": "true",
               "NO_DOCS": "True", "DISABLE_ADMIN_UI": "True"}
        t.proc, t.log_path = self.spawn(f"litellm-w{workers}", [
            str(exe), "--config", str(path), "--host", "127.0.0.1", "--port", str(port),
            "--num_workers", str(workers)], env=env)
        py = Path(self.args.litellm_env) / "bin" / "python"
        self._register(t, 300, lambda: subprocess.run(
            [str(py), "-c", "import importlib.metadata as m; print(m.version('litellm'))"],
            capture_output=True, text=True).stdout.strip())

    def start_portkey(self) -> None:
        server = Path(self.args.portkey_dir) / "node_modules" / "@portkey-ai" / "gateway" / "build" / "start-server.js"
        name = "Portkey (1 Node process)"
        node = shutil.which("node")
        if not server.exists() or node is None:
            self.skipped[name] = f"{server} or node not found (install failed or --no-peers)"
            return
        port = free_port()
        t = Target(name, "portkey", "1", port=port,
                   urls={m: f"http://127.0.0.1:{port}/v1/chat/completions" for m in MODES},
                   extra_headers={m: {"x-portkey-provider": "openai", "authorization": "Bearer sk-bench",
                                      "x-portkey-custom-host":
                                          f"http://127.0.0.1:{self.json_port if m == 'json' else self.sse_port}/v1"}
                                  for m in MODES})
        t.proc, t.log_path = self.spawn("portkey", [node, str(server), f"--port={port}", "--headless"],
                                        cwd=Path(self.args.portkey_dir))
        pkg = server.parent.parent / "package.json"

        def version() -> str:
            node_v = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
            return f"{json.loads(pkg.read_text()).get('version', '?')} (node {node_v})"

        self._register(t, 60, version)

    def _register(self, t: Target, timeout: float, version: Any) -> None:
        """Queue ``t``; :meth:`wait_started` waits for all of them (they boot in parallel)."""
        self.pending.append((t, time.monotonic() + timeout, version))

    def wait_started(self) -> None:
        for t, deadline, version in self.pending:
            self._await_one(t, max(5.0, deadline - time.monotonic()), version)
        self.pending.clear()
        order = {"direct": 0, "perimeter": 1, "litellm": 2, "portkey": 3}
        self.targets.sort(key=lambda x: order.get(x.kind, 9))

    def _await_one(self, t: Target, timeout: float, version: Any) -> None:
        err = self.wait_ready(t, timeout)
        if err:
            log(f"SKIPPING {t.name}: {err}")
            self.skipped[t.name] = err.splitlines()[0]
            if t.proc is not None and t.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(t.proc.pid, signal.SIGTERM)
            return
        with contextlib.suppress(Exception):
            t.version = version()
        log(f"{t.name} ready on port {t.port} ({t.version})")
        self.targets.append(t)

    # ----------------------------------------------------------------- load generators
    def body_file(self, t: Target, mode: str) -> Path:
        return self.work / f"body-{t.body}-{mode}.json"

    def wrk(self, t: Target, mode: str, duration: float, conns: int, threads: int = 2) -> dict[str, Any]:
        # wrk takes whole seconds only
        argv = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{max(1, round(duration))}s", "--timeout", "5s",
                "-s", str(HERE / "post.lua")]
        for k, v in t.headers(mode).items():
            argv += ["-H", f"{k}: {v}"]
        argv.append(t.url(mode))
        env = {**os.environ, "WRK_BODY_FILE": str(self.body_file(t, mode))}
        cpu0, la0 = t.cpu(), load_avg()
        res = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=duration + 30)
        cpu1 = t.cpu()
        m = re.search(r"^WRK_JSON (\{.*\})$", res.stdout, re.M)
        if not m:
            raise RuntimeError(f"wrk gave no summary for {t.name}/{mode}: {res.stdout[-500:]} {res.stderr[-500:]}")
        data: dict[str, Any] = json.loads(m.group(1))
        data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
        errs = data["errors"]
        data["error_count"] = sum(errs.values())
        good = max(1, data["requests"] - errs["status"])
        data["cpu_ms_per_req"] = (cpu1 - cpu0) * 1000 / good
        data["loadavg"] = round(la0, 2)
        return data

    def hey(self, t: Target, mode: str, *, n: int | None = None, conc: int = 1, qps_per_worker: float | None = None,
            duration: float | None = None) -> tuple[list[float], int, float]:
        """Run hey; return (sorted latencies in ms of 2xx responses, non-2xx/failed count, wall seconds)."""
        argv = ["hey", "-c", str(conc), "-m", "POST", "-T", "application/json",
                "-D", str(self.body_file(t, mode)), "-t", "10", "-o", "csv"]
        if duration is not None:
            argv += ["-z", f"{duration:g}s"]
        else:
            argv += ["-n", str(n)]
        if qps_per_worker is not None:
            argv += ["-q", f"{qps_per_worker:g}"]
        for k, v in t.headers(mode).items():
            argv += ["-H", f"{k}: {v}"]
        argv.append(t.url(mode))
        t0 = time.monotonic()
        limit = (duration or 0) + 60 + (n or 0) * 0.2
        res = subprocess.run(argv, capture_output=True, text=True, timeout=limit)
        wall = time.monotonic() - t0
        lat: list[float] = []
        bad = 0
        for row in csv.DictReader(io.StringIO(res.stdout)):
            try:
                status = int(row["status-code"])
                rt = float(row["response-time"]) * 1000
            except (KeyError, ValueError):
                bad += 1
                continue
            if 200 <= status < 300:
                lat.append(rt)
            else:
                bad += 1
        expected = n if n is not None else 0
        bad += max(0, expected - len(lat) - bad)
        lat.sort()
        return lat, bad, wall


# --------------------------------------------------------------------------- the run
def run(args: argparse.Namespace) -> dict[str, Any]:
    b = Bench(args)
    started = time.time()
    try:
        b.start_nginx()
        for w in args.pii_workers:
            b.start_perimeter(w, "pii")
        for w in args.pii_dev_workers:
            b.start_perimeter(w, "pii-dev")
        for w in args.perimeter_workers:
            b.start_perimeter(w, "off")
        for w in args.privacy_workers:
            b.start_perimeter(w, "onprem")
        for label in args.builds:
            for scenario in args.build_scenarios[label]:
                b.start_perimeter(1, scenario, build=label)
        if args.peers:
            for w in args.litellm_workers:
                b.start_litellm(w)
            b.start_portkey()
        else:
            b.skipped["LiteLLM / Portkey"] = "--no-peers"
        b.wait_started()
        for name, why in b.skipped.items():
            log(f"skipped {name}: {why}")
        return measure(b, args, started)
    finally:
        b.stop_all()
        if not args.keep_workdir:
            shutil.rmtree(b.work, ignore_errors=True)


def measure(b: Bench, args: argparse.Namespace, started: float) -> dict[str, Any]:
    targets = b.targets
    log(f"warm-up ({len(targets)} targets)")
    for t in targets:
        for mode in MODES:
            b.wrk(t, mode, args.warmup, args.conns)

    sat: dict[str, dict[str, list[dict[str, Any]]]] = {t.name: {m: [] for m in MODES} for t in targets}
    for rep in range(args.reps):
        log(f"saturation round {rep + 1}/{args.reps}: wrk -t2 -c{args.conns} -d{args.duration:g}s")
        for mode in MODES:
            for t in targets:
                r = b.wrk(t, mode, args.duration, args.conns)
                sat[t.name][mode].append(r)
                log(f"  {t.name:28s} {mode:4s} {r['rps']:9.0f} req/s  p50 {r['latency_us']['p50'] / 1000:6.2f} ms"
                    f"  errors {r['error_count']}  cpu {r['cpu_ms_per_req']:.3f} ms/req  load {r['loadavg']}")

    lone: dict[str, dict[str, list[dict[str, Any]]]] = {t.name: {m: [] for m in MODES} for t in targets}
    log(f"lone-request latency: wrk -t1 -c1 -d{args.lone_duration:g}s x {args.lone_rounds} interleaved rounds")
    for _ in range(args.lone_rounds):
        for mode in MODES:
            for t in targets:
                lone[t.name][mode].append(b.wrk(t, mode, args.lone_duration, 1, threads=1))

    fixed: dict[str, dict[str, dict[str, dict[str, Any]]]] = {t.name: {m: {} for m in MODES} for t in targets}
    for rate in args.rates:
        conc = max(1, round(rate / 50))
        log(f"fixed rate {rate} req/s: hey -c{conc} -q{rate / conc:g} -z{args.rate_duration:g}s")
        for mode in MODES:
            for t in targets:
                lat, bad, _ = b.hey(t, mode, conc=conc, qps_per_worker=rate / conc, duration=args.rate_duration)
                fixed[t.name][mode][str(rate)] = {
                    "offered_rps": rate, "achieved_rps": len(lat) / args.rate_duration,
                    "p50_ms": percentile(lat, 50), "p99_ms": percentile(lat, 99), "errors": bad,
                }

    stage_shares = profile_stages(b, args)

    results: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "wall_seconds": round(time.time() - started, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "kernel": platform.release(),
                    "loadavg_end": [round(x, 2) for x in os.getloadavg()]},
        "settings": {"reps": args.reps, "duration_s": args.duration, "conns": args.conns,
                     "lone_duration_s": args.lone_duration, "lone_rounds": args.lone_rounds, "rates": args.rates, "rate_duration_s": args.rate_duration,
                     "quick": args.quick},
        "skipped": b.skipped,
        "targets": {},
    }
    for t in targets:
        entry: dict[str, Any] = {"kind": t.kind, "workers": t.workers, "version": t.version, "modes": {}}
        for mode in MODES:
            runs = sat[t.name][mode]
            lr = lone[t.name][mode]
            entry["modes"][mode] = {
                "saturation_rps_runs": [round(r["rps"], 1) for r in runs],
                "saturation_rps_median": round(statistics.median(r["rps"] for r in runs), 1),
                "saturation_errors": sum(r["error_count"] for r in runs),
                "saturation_p50_ms_median": round(statistics.median(r["latency_us"]["p50"] for r in runs) / 1000, 3),
                "cpu_ms_per_req_median": round(statistics.median(r["cpu_ms_per_req"] for r in runs), 4),
                "loadavg_at_runs": [r["loadavg"] for r in runs],
                "lone_p50_ms": round(statistics.median(r["latency_us"]["p50"] for r in lr) / 1000, 3),
                "lone_p99_ms": round(statistics.median(r["latency_us"]["p99"] for r in lr) / 1000, 3),
                "lone_p50_ms_runs": [r["latency_us"]["p50"] / 1000 for r in lr],
                "lone_p99_ms_runs": [r["latency_us"]["p99"] / 1000 for r in lr],
                "lone_requests": sum(r["requests"] for r in lr),
                "lone_errors": sum(r["error_count"] for r in lr),
                "lone_cpu_ms_per_req_median": round(statistics.median(r["cpu_ms_per_req"] for r in lr), 4),
                "fixed_rate": fixed[t.name][mode],
            }
            shares = stage_shares.get(t.name, {}).get(mode)
            if shares:
                cpu = entry["modes"][mode]["cpu_ms_per_req_median"]
                entry["modes"][mode]["stage_shares"] = {k: round(v, 4) for k, v in shares.items()}
                entry["modes"][mode]["cpu_ms_by_stage"] = {k: round(v * cpu, 4) for k, v in shares.items()}
        results["targets"][t.name] = entry
    return results


def profile_stages(b: Bench, args: argparse.Namespace) -> dict[str, dict[str, dict[str, float]]]:
    """py-spy each profiled target under ``wrk -c32`` (after the measurements, so the sampler
    never slows a measured run) and return each stage's share of the samples per mode."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    wanted = [t for t in b.targets if t.profile and t.proc is not None]
    if not wanted:
        return out
    if not Path(args.py_spy).exists():
        b.skipped["CPU by stage"] = f"{args.py_spy} not found (python3 -m venv /tmp/bench-envs/pyspy && " \
                                    "/tmp/bench-envs/pyspy/bin/pip install py-spy)"
        return out
    log(f"CPU by stage: py-spy {args.profile_seconds:g}s per profiled target and mode")
    for t in wanted:
        assert t.proc is not None
        for mode in MODES:
            raw_path = b.work / f"stacks-{t.port}-{mode}.txt"
            env = {**os.environ, "WRK_BODY_FILE": str(b.body_file(t, mode))}
            argv = ["wrk", "-t2", "-c32", f"-d{round(args.profile_seconds) + 3}s", "--timeout", "5s",
                    "-s", str(HERE / "post.lua")]
            for k, v in t.headers(mode).items():
                argv += ["-H", f"{k}: {v}"]
            load = subprocess.Popen([*argv, t.url(mode)], env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(1)
            # --threads + each thread's CPU over the recording: py-spy keeps a sample whenever a
            # thread is runnable (waiting for a core included), so samples alone over-count the
            # threads that wait most (the database thread); stages.shares weighs by real CPU.
            cpu0 = thread_cpu(t.proc.pid)
            spy = subprocess.run([args.py_spy, "record", "--pid", str(t.proc.pid), "--format", "raw", "--rate", "200",
                                  "--nonblocking", "--threads", "--duration", f"{args.profile_seconds:g}",
                                  "--output", str(raw_path)], capture_output=True, text=True,
                                 timeout=args.profile_seconds + 60)
            per_thread = cpu_between(cpu0, thread_cpu(t.proc.pid))
            load.wait(args.profile_seconds + 60)
            if spy.returncode != 0 or not raw_path.exists():
                b.skipped[f"CPU by stage of {t.name}"] = f"py-spy failed: {spy.stderr[-200:]}"
                continue
            raw = raw_path.read_text()
            out.setdefault(t.name, {})[mode] = shares(raw, per_thread)
            which = "after" if " @ " not in t.name else re.sub(r"[^A-Za-z0-9]+", "-", t.name.split(" @ ")[1].split(" (")[0])
            keep = Path(args.out) / f"stacks-{which}-{mode}.txt"
            keep.parent.mkdir(parents=True, exist_ok=True)
            keep.write_text(raw)
            keep.with_suffix(".cpu.json").write_text(json.dumps({str(k): v for k, v in per_thread.items()}))
    return out


# --------------------------------------------------------------------------- CLI
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--quick", action="store_true", help="one short round of everything (~2-3 min)")
    p.add_argument("--no-peers", dest="peers", action="store_false", help="skip LiteLLM and Portkey")
    p.add_argument("--perimeter", default=str(REPO / ".venv" / "bin" / "perimeter"), help="perimeter executable")
    p.add_argument("--before", default="",
                   help="a second perimeter executable (e.g. main's, in its own venv) measured in the same run "
                        "as the 'before' rows")
    p.add_argument("--before-label", default="before", help="what the --before build is, e.g. 'main 45c4908'")
    p.add_argument("--before-scenarios", default="off,pii",
                   help="scenarios of the --before rows (off, onprem, pii-dev, pii; default off,pii)")
    p.add_argument("--build", action="append", default=[], metavar="LABEL=EXE[:SCENARIOS]",
                   help="a further perimeter build in the same run, e.g. '116a529=/tmp/v/bin/perimeter:off,pii-dev' "
                        "(repeatable; scenarios default to off,pii)")
    p.add_argument("--pii-workers", default=None,
                   help="worker counts of the headline rows: PII → cloud, production (default 1,2; quick 1)")
    p.add_argument("--pii-dev-workers", default=None,
                   help="worker counts of the PII → cloud rows in dev mode, no key (default 1; '' for none)")
    p.add_argument("--profile-seconds", type=float, default=None,
                   help="py-spy seconds per mode for CPU by stage of the 1-worker PII rows (default 8, quick 4; "
                        "0: none)")
    p.add_argument("--py-spy", default="/tmp/bench-envs/pyspy/bin/py-spy")
    p.add_argument("--perimeter-workers", default=None,
                   help="worker counts of the Perimeter rows with privacy scanning off (default 1,2; quick 1)")
    p.add_argument("--privacy-workers", default=None,
                   help="worker counts of the Perimeter rows with privacy scanning on (default 1; '' for none)")
    p.add_argument("--litellm-workers", default=None, help="comma list, default 1 (quick) / 1,2 (full)")
    p.add_argument("--litellm-env", default="/tmp/bench-envs/litellm")
    p.add_argument("--portkey-dir", default="/tmp/bench-envs/portkey")
    p.add_argument("--reps", type=int, default=None, help="saturation repetitions (default 3, quick 1)")
    p.add_argument("--duration", type=float, default=None, help="whole seconds per wrk run (default 8, quick 4)")
    p.add_argument("--conns", type=int, default=64)
    p.add_argument("--lone-duration", type=float, default=None, help="whole seconds per -c1 latency run (default 3, quick 2)")
    p.add_argument("--lone-rounds", type=int, default=None, help="-c1 latency runs per target (default 3, quick 1)")
    p.add_argument("--rates", default=None, help="comma list of offered req/s (default 100,400; quick 200)")
    p.add_argument("--rate-duration", type=float, default=None, help="seconds per fixed-rate run (default 5, quick 3)")
    p.add_argument("--warmup", type=float, default=None, help="seconds of warm-up per target and mode")
    p.add_argument("--nice", type=int, default=0,
                   help="niceness for the driver and everything it starts (servers and load generators alike); "
                        "e.g. -10 as root to shield the measurement from other tenants of a shared machine")
    p.add_argument("--out", default=str(HERE / "results"))
    p.add_argument("--keep-workdir", action="store_true", help="keep configs and server logs for debugging")
    a = p.parse_args(argv)
    q = a.quick
    a.reps = a.reps or (1 if q else 3)
    a.duration = a.duration or (4.0 if q else 8.0)
    a.lone_duration = a.lone_duration or (2.0 if q else 3.0)
    a.lone_rounds = a.lone_rounds or (1 if q else 3)
    a.rate_duration = a.rate_duration or (3.0 if q else 5.0)
    # Node's JIT (Portkey) needs several seconds of load before it reaches steady state.
    a.warmup = a.warmup or (2.0 if q else 5.0)
    a.rates = [int(x) for x in (a.rates or ("200" if q else "100,400")).split(",") if x]
    a.perimeter_workers = [int(x) for x in (("1" if q else "1,2") if a.perimeter_workers is None else a.perimeter_workers).split(",") if x]
    a.privacy_workers = [int(x) for x in ("1" if a.privacy_workers is None else a.privacy_workers).split(",") if x]
    a.pii_workers = [int(x) for x in (("1" if q else "1,2") if a.pii_workers is None else a.pii_workers).split(",") if x]
    a.pii_dev_workers = [int(x) for x in ("1" if a.pii_dev_workers is None else a.pii_dev_workers).split(",") if x]
    a.builds, a.build_scenarios = {}, {}
    if a.before:
        a.builds[a.before_label] = a.before
        a.build_scenarios[a.before_label] = [x for x in a.before_scenarios.split(",") if x]
    for spec in a.build:
        label, _, rest = spec.partition("=")
        exe, _, scen = rest.partition(":")
        a.builds[label] = exe
        a.build_scenarios[label] = [x for x in (scen or "off,pii").split(",") if x]
    a.profile_seconds = (4.0 if q else 8.0) if a.profile_seconds is None else a.profile_seconds
    a.litellm_workers = [int(x) for x in (a.litellm_workers or ("1" if q else "1,2")).split(",") if x]
    return a


@contextlib.contextmanager
def _terminate_on_signals() -> Iterator[None]:
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for tool in ("wrk", "hey"):
        if shutil.which(tool) is None:
            log(f"{tool} is not installed (run.sh installs it: apt-get install -y {tool})")
            return 2
    if args.nice:
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)  # inherited by every child: same for all targets
    with _terminate_on_signals():
        res = run(args)
    res["settings"]["nice"] = args.nice
    md = markdown(res)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"gateway-{stamp}.json").write_text(json.dumps(res, indent=2))
    (out / f"gateway-{stamp}.md").write_text(md + "\n")
    (out / "latest.json").write_text(json.dumps(res, indent=2))
    (out / "latest.md").write_text(md + "\n")
    print(md)
    log(f"wrote {out / f'gateway-{stamp}.json'} and .md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
