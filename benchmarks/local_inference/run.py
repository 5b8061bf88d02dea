"""Real local inference on this machine: SmolLM2-135M-Instruct, three ways, measured by ``perimeter bench``.

Targets (all on loopback, one llama.cpp thread each, greedy decoding):

* ``server``          — llama-cpp-python's own OpenAI server (``python -m llama_cpp.server``), direct;
* ``gateway→server``  — the same server behind ``perimeter serve`` (``openai_compat`` provider);
* ``in-process``      — ``perimeter serve`` with the ``llamacpp`` provider loading the same GGUF.

Each round runs every target once (synchronous profile: one request at a time, which is what one
llama.cpp context serves), interleaved so that drifts in the machine's load hit all targets alike;
the report takes medians over rounds.  One extra concurrency sweep per target shows the
saturation point.  Finally ``perimeter tco --bench`` is run on the median in-process run.

    .venv/bin/python benchmarks/local_inference/run.py --rounds 5 --duration 40
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.interop.servers import (  # noqa: E402
    MODEL_ALIAS,
    GatewayServer,
    LlamaServer,
    smol_provider,
    smollm2_path,
)

PERIMETER = str(Path(sys.executable).with_name("perimeter"))
SLO = "ttft=2s,tpot=100ms"  # interactive chat: first words within 2 s, then >= 10 tokens/s
METRICS = ("ttft", "itl", "tpot", "latency")


def gateway_config(workdir: Path, provider: dict[str, Any]) -> dict[str, Any]:
    return {"server": {"mode": "dev", "log_level": "warning"}, "storage": {"data_dir": str(workdir / "data")},
            "privacy": {"enabled": False}, "providers": [provider], "models": {MODEL_ALIAS: {"targets": [provider["name"]]}}}


def bench(url: str, out: Path, args: argparse.Namespace, *extra: str) -> dict[str, Any]:
    cmd = [PERIMETER, "bench", *extra, "--url", url, "-m", MODEL_ALIAS, "-d", str(args.duration),
           "--warmup", str(args.warmup), "--input-tokens", str(args.input_tokens),
           "--output-tokens", str(args.output_tokens), "--extra-body", '{"temperature": 0}',
           "--slo", SLO, "-q", "-o", str(out), "--html", str(out.with_suffix(".html"))]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return dict(json.loads(out.read_text()))


def row(summary: dict[str, Any]) -> dict[str, float]:
    r = {f"{m}_median_ms": summary[m]["median"] * 1000 for m in METRICS if summary[m]}
    r.update(output_tokens_per_s=summary["output_tokens_per_s"], requests_per_s=summary["requests_per_s"],
             goodput_requests_per_s=summary["goodput_requests_per_s"], goodput_fraction=summary["goodput_fraction"],
             error_rate=summary["error_rate"], ok=summary["requests"]["ok"])
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=float, default=40.0)
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--input-tokens", type=int, default=64)
    ap.add_argument("--output-tokens", type=int, default=64)
    ap.add_argument("--sweep-levels", default="1,2,4")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "local_inference" / "results")
    args = ap.parse_args()
    out = args.out / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True)
    server = LlamaServer(out)
    server.start()
    via = GatewayServer(out, gateway_config(out / "via", smol_provider("smol", server)))
    inproc = GatewayServer(out, gateway_config(out / "inproc", {
        "name": "smol", "type": "llamacpp", "model_path": str(smollm2_path()), "n_ctx": 2048, "n_threads": 1,
        "max_concurrency": 1, "max_queue": 64, "seed": 7}))
    targets = {"server": server.base_url, "gateway→server": via.base_url, "in-process": inproc.base_url}
    runs: dict[str, list[dict[str, Any]]] = {t: [] for t in targets}
    files: dict[str, list[Path]] = {t: [] for t in targets}
    try:
        via.start()
        inproc.start()
        for r in range(args.rounds):
            for i, (name, url) in enumerate(targets.items()):
                f = out / f"run-{r}-{i}.json"
                doc = bench(url, f, args, "run", "-p", "synchronous")
                runs[name].append(row(doc["runs"][0]["summary"]))
                files[name].append(f)
                print(f"round {r + 1}/{args.rounds} {name}: {json.dumps(runs[name][-1])}", flush=True)
        sweeps = {}
        for i, (name, url) in enumerate(targets.items()):
            doc = bench(url, out / f"sweep-{i}.json", args, "sweep", "--levels", args.sweep_levels)
            sweeps[name] = [{"level": run["summary"]["level"], **row(run["summary"])} for run in doc["runs"]]
            print(f"sweep {name}: {json.dumps(sweeps[name])}", flush=True)
    finally:
        for p in (via, inproc, server):
            p.stop()
    medians = {t: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for t, rs in runs.items()}
    ranked = sorted(zip((r["output_tokens_per_s"] for r in runs["in-process"]), files["in-process"], strict=True))
    median_file = ranked[len(ranked) // 2][1]
    # The "GPU" of this replica is the CPU machine itself, rented at an assumed $0.10/hour.
    tco = subprocess.run([PERIMETER, "tco", "--bench", str(median_file), "--set", "self_host.gpu=cpu-2vcpu",
                          "--gpu-hourly", "0.10", "--gpus-per-replica", "1", "--staff-fte", "0", "--utilisation", "0.5",
                          "--requests-per-day", "1000", "--input-tokens", str(args.input_tokens),
                          "--output-tokens", str(args.output_tokens), "--api-model", "gpt-4o-mini", "--json"],
                         check=True, capture_output=True, text=True).stdout
    summary = {"rounds": args.rounds, "duration_s": args.duration, "input_tokens": args.input_tokens,
               "output_tokens": args.output_tokens, "slo": SLO, "medians": medians, "runs": runs,
               "sweeps": sweeps, "tco_bench_file": str(median_file), "tco": json.loads(tco)}
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(json.dumps({"medians": medians, "out": str(out)}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
