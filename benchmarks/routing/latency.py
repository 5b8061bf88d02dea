"""Routing decision overhead for a 1 KB prompt: medians of several runs.

Compares, in the same run: the no-routing path (baseline, ``primary``), difficulty features
only, difficulty + MiniLM embeddings, and semantic routes.  Usage:
``OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/routing/latency.py``.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from perimeter.config import parse_config
from perimeter.context import Principal, RequestContext
from perimeter.routing.router import HybridRouter

PROMPT = ("We run a payments API on PostgreSQL. Explain step by step how to design an idempotent refund "
          "endpoint that survives retries, network partitions and duplicate webhooks; include the schema, "
          "the transaction boundaries and the failure cases you would test. ") * 4
PROMPT = PROMPT[:1024]

PROVIDERS = [
    {"name": "vllm", "type": "openai_compat", "location": "on_prem", "base_url": "http://127.0.0.1:9/v1"},
    {"name": "openai", "type": "openai_compat", "location": "cloud", "base_url": "http://127.0.0.1:9/v1"},
]
VARIANTS: dict[str, Any] = {
    "primary (no routing)": ["vllm", "openai"],
    "difficulty, features": {"targets": ["vllm", "openai"], "routing": {"difficulty": {"cloud_share": 0.3}}},
    "difficulty + embeddings": {"targets": ["vllm", "openai"],
                                "routing": {"difficulty": {"cloud_share": 0.3, "embeddings": True}}},
    "semantic routes": {"targets": ["vllm", "openai"], "routing": {"semantic": {"routes": [
        {"name": "code", "target": "chat", "examples": ["write a python function", "fix this bug"]}]}}},
}


def ctx(i: int) -> RequestContext:
    return RequestContext(request_id=str(i), endpoint="chat", alias="chat", headers={},
                          body={"model": "chat", "messages": [{"role": "user", "content": f"{i} {PROMPT}"}]},
                          principal=Principal("k"))


async def measure(router: HybridRouter, n: int) -> float:
    samples = []
    for i in range(n):
        c = ctx(i)
        t = time.perf_counter()
        await router.decide(c)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


async def main() -> None:
    print(f"prompt: {len(PROMPT.encode())} bytes")
    results: dict[str, list[float]] = {}
    routers = {name: HybridRouter(parse_config({"providers": PROVIDERS, "models": {"chat": m}}))
               for name, m in VARIANTS.items()}
    for r in routers.values():
        await measure(r, 5)  # warm up (model load, caches)
    for _ in range(5):  # interleave runs so machine noise hits every variant alike
        for name, r in routers.items():
            results.setdefault(name, []).append(await measure(r, 40))
    base = statistics.median(results["primary (no routing)"])
    for name, runs in results.items():
        med = statistics.median(runs)
        print(f"{name:26} p50 {med:8.3f} ms   x{med / base:7.1f} vs primary   (runs: "
              f"{', '.join(f'{x:.3f}' for x in runs)})")


if __name__ == "__main__":
    asyncio.run(main())
