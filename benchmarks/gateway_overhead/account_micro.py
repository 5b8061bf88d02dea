"""CPU per request of the "account" stage, in process: recorder + journal + batch writer + SQLite.

Drives :class:`perimeter.accounting.recorder.LedgerRecorder` the way ``Pipeline.finish`` does in
production mode (one ledger row and one ``request`` audit event per request, a virtual key,
PII entity counts, a cloud transfer) at a fixed request rate, with the real
:class:`~perimeter.store.writer.BatchWriter` flushing to a fresh SQLite database (WAL, the
default journal in a shared map), and reports the process CPU time per request — the event
loop thread (``record`` + ``append`` + the writer's loop side) and the database thread (audit
chain, ledger digest, inserts) — after everything is flushed.  Context objects are built before
the clock starts; the pacing loop alone costs a few µs per request (``--null`` measures it).

Run from the repository root (compare two trees by pointing PYTHONPATH at each, interleaved)::

    PYTHONPATH=src .venv/bin/python benchmarks/gateway_overhead/account_micro.py
    PYTHONPATH=src .venv/bin/python benchmarks/gateway_overhead/account_micro.py --requests 20000 --rate 1000

Output: one line of JSON, CPU µs per request: ``total_us`` (the whole process: pacing
included, see ``--null``), ``hot_us`` (the loop thread inside ``record`` + ``append``: the
request's own latency), ``loop_us`` (the loop thread: hot path, the writer task, pacing),
``db_us`` (the database thread); and the rows and audit entries written.  ``--prefill N`` writes N requests first (not measured) so the tables are
not empty; ``--runs K`` repeats in one process and prints the median.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from perimeter.accounting.config import AccountingConfig
from perimeter.accounting.prices import PriceTable
from perimeter.accounting.recorder import LedgerRecorder
from perimeter.accounting.tokens import TokenCounter
from perimeter.context import Principal, RequestContext
from perimeter.pipeline import request_event
from perimeter.store.config import StorageConfig
from perimeter.store.db import Database
from perimeter.store.journal import Journal
from perimeter.store.migrations import migrate
from perimeter.store.writer import BatchWriter

TICK = 0.02  # seconds between bursts of requests (wrk -c32 at ~1,000 req/s: 20 per burst)


def contexts(n: int, start: int = 0) -> list[RequestContext]:
    key = Principal(key_id="pk_live_3f9a1c", name="bench", team="research")
    out = []
    for i in range(start, start + n):
        ctx = RequestContext(
            request_id=f"req_{i:012x}", endpoint="chat", alias="gpt-cloud",  # type: ignore[arg-type]
            body={"model": "gpt-cloud", "messages": [{"role": "user", "content": f"Call Anna Schmidt {i}"}]},
            headers={},
        )
        ctx.principal = key
        ctx.entity_counts = {"PERSON": 1, "PHONE": 1 + i % 2, "EMAIL": 1}
        ctx.privacy_action = "pseudonymize"
        ctx.route_reason = "default target"
        ctx.provider = "openai"
        ctx.provider_model = "gpt-4o-mini"
        ctx.location = "cloud"
        ctx.jurisdiction = "US"
        ctx.transfers = {"openai": {"jurisdiction": "US", "location": "cloud", "scanned": True, "served": True,
                                    "originals": [], "surrogates": ["EMAIL", "PERSON", "PHONE"]}}
        ctx.usage = {"prompt_tokens": 40 + i % 7, "completion_tokens": 12, "total_tokens": 52 + i % 7}
        out.append(ctx)
    return out


def finish(rec: LedgerRecorder, ctx: RequestContext) -> None:
    """What ``Pipeline.finish`` does for accounting (record, then the request's audit event)."""
    rec.record(ctx)
    rec.append("request", request_event(ctx))


async def drive(rec: LedgerRecorder | None, ctxs: list[RequestContext], rate: float) -> float:
    """Feed ``ctxs`` at ``rate``; returns the loop thread's CPU seconds inside ``finish``."""
    per_tick = max(1, round(rate * TICK))
    hot = 0.0
    t = time.monotonic()
    for i in range(0, len(ctxs), per_tick):
        if rec is not None:
            c0 = time.thread_time()
            for ctx in ctxs[i : i + per_tick]:
                finish(rec, ctx)
            hot += time.thread_time() - c0
        t += TICK
        await asyncio.sleep(max(0.0, t - time.monotonic()))
    return hot


async def one_run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="acct-micro-") as tmp:
        storage = StorageConfig(data_dir=tmp)
        db = Database(storage)
        migrate(db)
        writer = BatchWriter(db, Journal(Path(tmp) / "journal"), flush_interval=storage.flush_interval,
                             batch_size=storage.batch_size, replica="bench:1")
        rec = LedgerRecorder(writer, PriceTable(AccountingConfig()), TokenCounter(), AccountingConfig(), "bench:1",
                             audit_requests=False)
        writer.start()
        if args.prefill:
            await drive(rec, contexts(args.prefill, 10**9), 50_000)
            await writer.flush()
        ctxs = contexts(args.requests)
        written0, audit0 = writer.rows_written, writer.audit_written
        cpu0, loop0 = time.process_time(), time.thread_time()
        hot = await drive(None if args.null else rec, ctxs, args.rate)
        await writer.flush()
        loop = time.thread_time() - loop0
        cpu = time.process_time() - cpu0
        rows, audit = writer.rows_written - written0, writer.audit_written - audit0
        await writer.aclose()
        db.close()
    n = args.requests
    return {"total_us": cpu / n * 1e6, "hot_us": hot / n * 1e6, "loop_us": loop / n * 1e6,
            "db_us": (cpu - loop) / n * 1e6, "rows": rows, "audit": audit}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--rate", type=float, default=1000.0, help="requests per second")
    ap.add_argument("--prefill", type=int, default=0, help="requests written before measuring")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--null", action="store_true", help="pace the loop but record nothing (its overhead)")
    args = ap.parse_args()
    runs = [asyncio.run(one_run(args)) for _ in range(args.runs)]
    out = {k: round(statistics.median(r[k] for r in runs), 1) for k in ("total_us", "hot_us", "loop_us", "db_us")}
    out |= {"rows": runs[-1]["rows"], "audit": runs[-1]["audit"], "runs": args.runs}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
