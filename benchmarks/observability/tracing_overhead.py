"""What tracing costs on the hot path: off (hooks present) vs before the hooks vs on (OTLP export).

Three Perimeter servers (1 worker, privacy off, keys/ledger/audit on SQLite as shipped) in front
of the same nginx fixed-response upstream as ``benchmarks/gateway_overhead``:

* **baseline** — the code before tracing existed (``--base-ref``, default the commit this work
  started from), extracted with ``git archive`` into a temporary directory;
* **tracing off** — this tree, ``observability.tracing.enabled: false`` (the default);
* **tracing on** — this tree, every request sampled and exported over OTLP/HTTP to a loopback
  collector that reads and discards the batches.

``wrk -t2 -c32`` saturation runs, targets interleaved, ``--reps`` rounds; the report gives the
median requests/s and CPU ms per request of each and the ratios to the baseline of the same run.
A micro-benchmark times the no-op hooks themselves (the ``with tracing.stage(...)`` blocks a
request passes through while tracing is off).

    .venv/bin/python benchmarks/observability/tracing_overhead.py [--reps 5] [--duration 6]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import timeit
from io import BytesIO
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent / "gateway_overhead"))
sys.path.insert(0, str(REPO / "src"))

import bench as gw  # noqa: E402  (the gateway benchmark's nginx mock, process handling and wrk driver)

SINK = r"""
import sys
from aiohttp import web
async def traces(request):
    await request.read()
    return web.Response(body=b"", content_type="application/x-protobuf")
app = web.Application(client_max_size=64 * 1024 * 1024)
app.router.add_post("/v1/traces", traces)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def hook_cost(n: int = 200_000) -> dict[str, float]:
    """Nanoseconds per no-op hook while tracing is off, and hooks per non-streaming request."""
    from perimeter.context import RequestContext
    from perimeter.observability import tracing

    ctx = RequestContext(request_id="x", endpoint="chat", alias="a", body={}, headers={})

    def stage() -> None:
        with tracing.stage(ctx, "scan"):
            pass

    def begin_end() -> None:
        tracing.begin(ctx)
        tracing.end(ctx)

    per_stage = min(timeit.repeat(stage, number=n, repeat=5)) / n * 1e9
    per_pair = min(timeit.repeat(begin_end, number=n, repeat=5)) / n * 1e9
    # admit: begin + auth; plan: scan + route; _run: attempt; restore (when pseudonymized); finish:
    # open/close account + end; propagation: trace_headers per upstream call
    from perimeter.observability.propagation import trace_headers

    per_headers = min(timeit.repeat(trace_headers, number=n, repeat=5)) / n * 1e9
    total = per_pair + 4 * per_stage + per_headers + 2 * per_headers  # open/close_span cost ~ a call each
    return {"stage_ns": per_stage, "begin_end_ns": per_pair, "trace_headers_ns": per_headers,
            "per_request_ns": total}


def extract(ref: str) -> Path:
    raw = subprocess.run(["git", "-C", str(REPO), "archive", ref, "src"], check=True, capture_output=True).stdout
    out = Path(tempfile.mkdtemp(prefix="perimeter-base-"))
    with tarfile.open(fileobj=BytesIO(raw)) as tar:
        tar.extractall(out, filter="data")
    return out / "src"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--base-ref", default="00c75d7", help="git ref of the code before tracing (baseline)")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--duration", type=float, default=6.0)
    p.add_argument("--conns", type=int, default=32)
    p.add_argument("--out", default=str(HERE / "results"))
    args = p.parse_args(argv)

    hooks = hook_cost()
    gw_args = gw.parse_args(["--no-peers", "--duration", str(args.duration), "--reps", str(args.reps)])
    b = gw.Bench(gw_args)
    python = str(REPO / ".venv" / "bin" / "python")
    targets: dict[str, gw.Target] = {}
    try:
        b.start_nginx()
        sink_port = gw.free_port()
        b.spawn("otlp-sink", [python, "-c", SINK, str(sink_port)])
        base_src = extract(args.base_ref)
        for name, src, tracing in (("baseline (before tracing)", base_src, None),
                                   ("tracing off", REPO / "src", None),
                                   ("tracing on (OTLP export)", REPO / "src", sink_port)):
            cfg: dict[str, Any] = {
                "server": {"log_level": "warning"}, "privacy": {"enabled": False},
                "storage": {"data_dir": str(b.work / f"data-{len(targets)}")},
                "providers": [{"name": "mock", "type": "openai_compat", "location": "on_prem",
                               "base_url": f"http://127.0.0.1:{b.json_port}/v1", "api_key": "sk-bench"}],
                "models": {"bench-json": {"targets": ["mock"]}},
            }
            if tracing is not None:
                cfg["observability"] = {"tracing": {"enabled": True, "endpoint": f"http://127.0.0.1:{tracing}/v1/traces",
                                                    "export_interval": 1.0}}
            path = b.work / f"perimeter-{len(targets)}.yaml"
            path.write_text(json.dumps(cfg))
            port = gw.free_port()
            t = gw.Target(name, "perimeter", "1", port=port,
                          urls={"json": f"http://127.0.0.1:{port}/v1/chat/completions"})
            code = f"import sys; sys.path.insert(0, {str(src)!r}); from perimeter.cli import main; main()"
            t.proc, t.log_path = b.spawn(f"perimeter-{len(targets)}", [
                python, "-c", code, "serve", "--config", str(path), "--port", str(port)])
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError):
                    status, _ = b.post(t.url("json"), gw.request_body("json"), {})
                    if status == 200:
                        break
                time.sleep(0.5)
            else:
                raise SystemExit(f"{name} did not start:\n{b.tail(t)}")
            targets[name] = t
        for t in targets.values():  # warm-up
            b.wrk(t, "json", 2, args.conns)
        runs: dict[str, list[dict[str, Any]]] = {n: [] for n in targets}
        for rep in range(args.reps):
            for name, t in targets.items():
                r = b.wrk(t, "json", args.duration, args.conns)
                runs[name].append(r)
                gw.log(f"round {rep + 1}: {name}: {r['rps']:.0f} req/s, {r['cpu_ms_per_req']:.3f} CPU ms/req")
    finally:
        b.stop_all()
    base = "baseline (before tracing)"
    med = {n: {"rps": statistics.median(r["rps"] for r in rs),
               "cpu_ms": statistics.median(r["cpu_ms_per_req"] for r in rs),
               "p50_ms": statistics.median(r["latency_us"]["p50"] / 1000 for r in rs)} for n, rs in runs.items()}
    result = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "git": gw.git_rev(),
              "loadavg": gw.load_avg(), "reps": args.reps, "duration": args.duration, "conns": args.conns,
              "hooks": hooks, "medians": med,
              "ratios_to_baseline": {n: {"rps": m["rps"] / med[base]["rps"], "cpu_ms": m["cpu_ms"] / med[base]["cpu_ms"]}
                                     for n, m in med.items()}}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tracing-overhead.json").write_text(json.dumps(result, indent=2))
    print(f"no-op hooks while tracing is off: {hooks['stage_ns']:.0f} ns per stage, "
          f"~{hooks['per_request_ns'] / 1000:.2f} µs per request")
    print(f"{'target':28} {'req/s':>8} {'x base':>7} {'CPU ms/req':>11} {'x base':>7} {'p50 ms':>7}")
    for n, m in med.items():
        r = result["ratios_to_baseline"][n]
        print(f"{n:28} {m['rps']:8.0f} {r['rps']:7.3f} {m['cpu_ms']:11.3f} {r['cpu_ms']:7.3f} {m['p50_ms']:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
