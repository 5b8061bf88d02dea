"""Routing decision overhead for a 1 KB prompt: medians of several interleaved runs.

Part 1 compares whole ``HybridRouter.decide`` calls in the same run: the no-routing path
(baseline, ``primary``), difficulty features only, difficulty + MiniLM embeddings (every prompt
is new, so the embedding cache never hits), the same prompt repeated (cache hits), and semantic
routes.  Part 2 times the MiniLM forward pass alone for each backend and token budget.  Wall
time and process CPU time are both reported: on a shared machine wall time includes waiting for
a core, CPU time does not.  Usage::

    .venv/bin/python benchmarks/routing/latency.py [--runs 5] [--n 40]

``PERIMETER_EMBEDDINGS_BACKEND=numpy`` makes part 1 use the numpy backend.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from perimeter.config import parse_config
from perimeter.context import Principal, RequestContext
from perimeter.routing.embeddings import MiniLM, get_encoder
from perimeter.routing.router import HybridRouter

PROMPT = ("We run a payments API on PostgreSQL. Explain step by step how to design an idempotent refund "
          "endpoint that survives retries, network partitions and duplicate webhooks; include the schema, "
          "the transaction boundaries and the failure cases you would test. ") * 4
PROMPT = PROMPT[:1024]

PROVIDERS = [
    {"name": "vllm", "type": "openai_compat", "location": "on_prem", "base_url": "http://127.0.0.1:9/v1"},
    {"name": "openai", "type": "openai_compat", "location": "cloud", "base_url": "http://127.0.0.1:9/v1"},
]
EMBEDDINGS = {"targets": ["vllm", "openai"], "routing": {"difficulty": {"cloud_share": 0.3, "embeddings": True}}}
VARIANTS: dict[str, Any] = {
    "primary (no routing)": ["vllm", "openai"],
    "difficulty, features": {"targets": ["vllm", "openai"], "routing": {"difficulty": {"cloud_share": 0.3}}},
    "difficulty + embeddings": EMBEDDINGS,
    "  same, repeated prompt": EMBEDDINGS,
    "semantic routes": {"targets": ["vllm", "openai"], "routing": {"semantic": {"routes": [
        {"name": "code", "target": "chat", "examples": ["write a python function", "fix this bug"]}]}}},
}
Sample = tuple[float, float]  # (wall ms, process CPU ms)


def ctx(i: int, repeat: bool = False) -> RequestContext:
    text = PROMPT if repeat else f"{i} {PROMPT}"
    return RequestContext(request_id=str(i), endpoint="chat", alias="chat", headers={},
                          body={"model": "chat", "messages": [{"role": "user", "content": text}]},
                          principal=Principal("k"))


def medians(samples: list[Sample]) -> Sample:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


async def measure(router: HybridRouter, n: int, start: int, repeat: bool) -> Sample:
    samples = []
    for i in range(start, start + n):
        c = ctx(i, repeat)
        t, cpu = time.perf_counter(), time.process_time()
        await router.decide(c)
        samples.append(((time.perf_counter() - t) * 1000, (time.process_time() - cpu) * 1000))
    return medians(samples)


def measure_sync(fn: Callable[[], object], n: int) -> Sample:
    samples = []
    for _ in range(n):
        t, cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append(((time.perf_counter() - t) * 1000, (time.process_time() - cpu) * 1000))
    return medians(samples)


def report(title: str, results: dict[str, list[Sample]], base_name: str) -> None:
    print(f"\n{title}")
    base = statistics.median(r[0] for r in results[base_name])
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"  {name:34} wall p50 {wall:8.3f} ms  cpu p50 {cpu:8.3f} ms  x{wall / base:7.2f} vs {base_name}"
              f"   (wall per run: {', '.join(f'{r[0]:.2f}' for r in runs)})")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="interleaved runs per variant (default 5)")
    ap.add_argument("--n", type=int, default=40, help="decisions per run (default 40)")
    ap.add_argument("--skip-forward", action="store_true", help="skip part 2 (forward pass per backend)")
    args = ap.parse_args()
    load = os.getloadavg()
    print(f"prompt: {len(PROMPT.encode())} bytes; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"on {os.cpu_count()} CPUs; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    routers = {name: HybridRouter(parse_config({"providers": PROVIDERS, "models": {"chat": m}}))
               for name, m in VARIANTS.items()}
    print(f"embeddings backend in the router: {get_encoder().backend}")
    for name, r in routers.items():
        await measure(r, 5, 10**6, name.strip().startswith("same"))  # warm up (model load, caches)
    results: dict[str, list[Sample]] = {}
    for run in range(args.runs):  # interleave runs so machine noise hits every variant alike
        for name, r in routers.items():
            repeat = name.strip().startswith("same")
            results.setdefault(name, []).append(await measure(r, args.n, run * args.n, repeat))
    report("Part 1: HybridRouter.decide, 1 KB prompt", results, "primary (no routing)")

    if args.skip_forward:
        return
    encoders = {b: MiniLM(backend=b, cache_size=0) for b in ("numpy", "onnxruntime", "onnxruntime-int8")}
    ids = {t: encoders["numpy"].prefix_ids(PROMPT, t) for t in (16, 32, 64)}
    forward: dict[str, list[Sample]] = {}
    for _ in range(args.runs):
        for backend, enc in encoders.items():
            for t, tok in ids.items():
                forward.setdefault(f"{backend}, {t} tokens", []).append(
                    measure_sync(lambda e=enc, i=tok: e._pool(i), args.n))  # type: ignore[misc]
    report("Part 2: MiniLM forward pass + pooling alone (no tokenizer, no cache)", forward, "numpy, 32 tokens")


if __name__ == "__main__":
    asyncio.run(main())
