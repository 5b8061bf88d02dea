"""RSS and open file descriptors of a gateway before and after rounds of mixed good and bad requests.

    .venv/bin/python -m benchmarks.hardening.soak [--requests 20000] [--rounds 3] [--concurrency 32]

Starts a loopback OpenAI-compatible upstream and ``perimeter serve`` (a real process: uvicorn,
the bounded HTTP protocol, keys/ledger/audit on SQLite, privacy on), warms it up, then sends
``--rounds`` rounds of ``--requests`` requests, a mix of good ones (chat, streamed chat,
Anthropic messages, embeddings) and bad ones (broken JSON, 300-deep JSON, wrong shapes,
unknown aliases and routes, oversize bodies, oversize and unfinished heads, bodies cut short,
clients that hang up mid-stream).  After warm-up and after each round it reads the gateway's
``VmRSS``, ``VmHWM`` and the number of entries in ``/proc/PID/fd``.  A leak shows as growth
from round to round; the first round may grow while caches and pools fill.
Results: ``benchmarks/hardening/results/soak-<time>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import yaml
from tests.fakes.openai_server import FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "results"
CHAT = {"model": "chat", "messages": [{"role": "user", "content": "hello there"}], "max_tokens": 8}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_stats(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    kb = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines() if line.startswith(("VmRSS", "VmHWM"))}
    return {"rss_kb": kb["VmRSS"], "peak_rss_kb": kb["VmHWM"], "fds": len(os.listdir(f"/proc/{pid}/fd"))}


async def _raw(port: int, data: bytes, *, close_after: float = 0.0, read: bool = True) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        if close_after:
            await asyncio.sleep(close_after)
            return "hung-up"
        if read:
            head = await asyncio.wait_for(reader.read(64), 15)
            return head.split(b" ", 2)[1].decode() if head.startswith(b"HTTP/") else "closed"
        return "sent"
    except (TimeoutError, ConnectionError):
        return "closed"
    finally:
        writer.close()


def _kinds(url: str, port: int, client: httpx.AsyncClient) -> list[tuple[str, int, Callable[[], Awaitable[str]]]]:
    """(name, weight, request) — about 55% good requests, 45% bad ones."""
    v1 = f"{url}/v1"

    async def post(path: str, **kw: Any) -> str:
        return str((await client.post(f"{v1}{path}", **kw)).status_code)

    async def stream_hangup() -> str:
        async with client.stream("POST", f"{v1}/chat/completions", json={**CHAT, "stream": True}) as r:
            async for _ in r.aiter_bytes():
                break  # read the first bytes, then go away
        return "hung-up"

    deep = b'{"model": "chat", "messages": [{"role": "user", "content": "x"}], "x": ' + b'{"a":' * 300 + b"1" + b"}" * 301
    return [
        ("chat", 20, lambda: post("/chat/completions", json=CHAT)),
        ("chat-stream", 12, lambda: post("/chat/completions", json={**CHAT, "stream": True})),
        ("messages", 10, lambda: post("/messages", json={"model": "chat", "max_tokens": 8,
                                                          "messages": [{"role": "user", "content": "hi"}]})),
        ("embeddings", 8, lambda: post("/embeddings", json={"model": "chat", "input": ["a", "b"]})),
        ("stream-hangup", 5, stream_hangup),
        ("broken-json", 6, lambda: post("/chat/completions", content=b"{nope", headers={"content-type": "application/json"})),
        ("deep-json", 6, lambda: post("/chat/completions", content=deep, headers={"content-type": "application/json"})),
        ("bad-shape", 8, lambda: post("/messages", json={"model": "chat", "max_tokens": 8, "tools": 5,
                                                          "messages": [{"role": "user", "content": [{"type": "text",
                                                                                                      "text": 5}]}]})),
        ("unknown-alias", 5, lambda: post("/chat/completions", json={**CHAT, "model": f"m{random.random()}"})),
        ("unknown-route", 3, lambda: post(f"/nothing/{random.random()}", json={})),
        ("oversize-body", 3, lambda: post("/chat/completions", content=b"x" * 70_000,
                                          headers={"content-type": "application/json"})),
        ("oversize-head", 3, lambda: _raw(port, b"GET /health/live HTTP/1.1\r\nhost: x\r\nx-big: " + b"a" * 60_000)),
        ("short-body", 4, lambda: _raw(port, b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n"
                                             b"content-length: 1000\r\n\r\n{\"model\"", close_after=0.01)),
        ("unfinished-head", 2, lambda: _raw(port, b"GET /health/live HTTP/1.1\r\nhost: x\r\n", close_after=0.05)),
    ]


async def _round(url: str, port: int, n: int, concurrency: int) -> tuple[Counter[str], float]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    outcomes: Counter[str] = Counter()
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        kinds = _kinds(url, port, client)
        names = [k[0] for k in kinds]
        weights = [k[1] for k in kinds]
        calls = dict((k[0], k[2]) for k in kinds)
        plan = random.Random(n).choices(names, weights, k=n)
        queue: asyncio.Queue[str] = asyncio.Queue()
        for name in plan:
            queue.put_nowait(name)

        async def worker() -> None:
            while not queue.empty():
                name = queue.get_nowait()
                try:
                    outcomes[f"{name} {await calls[name]()}"] += 1
                except httpx.HTTPError as exc:
                    outcomes[f"{name} {type(exc).__name__}"] += 1

        t0 = time.perf_counter()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
        return outcomes, time.perf_counter() - t0


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=32)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="perimeter-soak-"))
    async with FakeOpenAI(name="up") as upstream:
        port = _free_port()
        cfg = {"server": {"port": port, "max_body_bytes": 65536, "admin_key": "soak-admin-key-0123456789"},
               "providers": [{"name": "up", "type": "openai_compat", "location": "on_prem", "base_url": upstream.base_url}],
               "models": {"chat": ["up"]},
               "storage": {"data_dir": str(work / "data")}}
        (work / "perimeter.yaml").write_text(yaml.safe_dump(cfg))
        log = open(work / "gateway.log", "wb")  # noqa: SIM115 - closed below
        proc = subprocess.Popen([sys.executable, "-m", "perimeter", "serve", "--config", str(work / "perimeter.yaml")],
                                stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        url = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(timeout=5) as c:
                for _ in range(600):
                    with contextlib.suppress(httpx.HTTPError):
                        if (await c.get(f"{url}/health/ready")).status_code == 200:
                            break
                    await asyncio.sleep(0.1)
            await _round(url, port, 1000, args.concurrency)  # warm-up: pools, caches, lazy imports
            await asyncio.sleep(1)
            samples = [{"after": "warm-up (1000 requests)", **proc_stats(proc.pid)}]
            print(f"warm-up: {samples[0]}", flush=True)
            totals: Counter[str] = Counter()
            for i in range(args.rounds):
                outcomes, took = await _round(url, port, args.requests, args.concurrency)
                totals.update(outcomes)
                await asyncio.sleep(1)
                s = {"after": f"round {i + 1} ({args.requests} requests)", "seconds": round(took, 1),
                     "req_per_s": round(args.requests / took), **proc_stats(proc.pid)}
                samples.append(s)
                print(f"round {i + 1}: {s}", flush=True)
            five_xx = {k: v for k, v in totals.items() if k.split()[-1].startswith("5")}
        finally:
            proc.terminate()
            proc.wait(30)
            log.close()
    base = samples[0]
    result = {
        "requests_per_round": args.requests, "rounds": args.rounds, "concurrency": args.concurrency,
        "samples": samples,
        "rss_growth_kb_per_round": [s["rss_kb"] - p["rss_kb"] for p, s in itertools.pairwise(samples)],
        "fd_growth_per_round": [s["fds"] - p["fds"] for p, s in itertools.pairwise(samples)],
        "rss_ratio_last_vs_warm": round(samples[-1]["rss_kb"] / base["rss_kb"], 3),
        "outcomes": dict(sorted(totals.items())), "server_errors": five_xx,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"soak-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k != "outcomes"}, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    asyncio.run(main())
