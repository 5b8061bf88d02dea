"""Saturation throughput with keys + limits + ledger ON vs OFF (same run, same mock upstream).

    .venv/bin/python -m benchmarks.accounting.run [--backend sqlite|postgres] [--rounds 3] [--seconds 5]

For each round it starts a gateway with accounting off, loads it at fixed concurrency for
``--seconds``, stops it, then does the same with accounting on (a virtual key with rpm/tpm/
concurrency/budget limits, every request admitted, recorded to the ledger and audited).
Rounds alternate so drift on a shared machine hits both sides alike; the report is the
median requests/s of each side and their ratio.  ``postgres`` uses
``PERIMETER_TEST_POSTGRES_URL`` + ``PERIMETER_TEST_REDIS_URL`` (a fresh schema / key prefix).

``--side-by-side`` loads both gateways at the same time instead (noise hits both alike);
``--rate N`` offers N req/s open-loop instead of saturating; ``--off-storage none`` gives the
OFF side no Redis/PostgreSQL settings (by default it keeps the same ``storage:``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from tests.fakes.openai_server import FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "bench-admin-key-0123456789"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _start(cfg: dict[str, Any], workdir: Path, on: bool) -> tuple[asyncio.subprocess.Process, str]:
    path = workdir / f"cfg-{uuid.uuid4().hex[:6]}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    port = _port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "benchmarks.accounting.gateway", str(path),
                                                str(port), cwd=str(ROOT), env=env)
    url = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as s:
        for _ in range(1200):
            if proc.returncode is not None:
                raise RuntimeError("gateway exited during startup (see its log above)")
            try:
                async with s.get(f"{url}/health/live") as r:
                    if r.status == 200:
                        return proc, url
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("gateway did not start")


async def _load(url: str, key: str | None, seconds: float, concurrency: int, rate: float = 0.0) -> tuple[float, int]:
    """Closed loop at ``concurrency`` (saturation), or with ``rate`` > 0 an open-loop schedule
    of that many requests/s spread over the workers (same offered load for ON and OFF)."""
    body = {"model": "chat", "messages": [{"role": "user", "content": "Summarise the quarterly report in one line."}]}
    headers = {"authorization": f"Bearer {key}"} if key else {}
    ok = errors = 0
    t0 = time.perf_counter()
    deadline = t0 + seconds
    conn = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=conn) as s:
        async def worker(w: int) -> None:
            nonlocal ok, errors
            n = 0
            while (now := time.perf_counter()) < deadline:
                if rate > 0:
                    due = t0 + (n * concurrency + w) / rate
                    n += 1
                    if due > now:
                        await asyncio.sleep(due - now)
                async with s.post(f"{url}/v1/chat/completions", json=body, headers=headers) as r:
                    await r.read()
                    if r.status == 200:
                        ok += 1
                    else:
                        errors += 1

        await asyncio.gather(*[worker(w) for w in range(concurrency)])
        return ok / (time.perf_counter() - t0), errors


def _cpu_seconds(pid: int) -> float:
    """utime + stime of the gateway process (all threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _servers_cpu_seconds() -> float:
    """CPU time of every redis-server and postgres process (the ON side pays for them too, on
    the same cores); includes anything else those servers do meanwhile."""
    total = 0.0
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if (d / "comm").read_text().strip() not in ("redis-server", "postgres"):
                continue
            total += _cpu_seconds(int(d.name))
        except (OSError, ValueError, IndexError):
            continue
    return total


async def _create_key(url: str) -> str:
    async with aiohttp.ClientSession() as s, s.post(
        f"{url}/admin/keys", headers={"authorization": f"Bearer {ADMIN}"},
        json={"name": "bench", "team": "bench", "limits": {
            "rpm": 10_000_000, "tpm": 10_000_000_000, "max_concurrent": 10_000, "budget": 1e9}},
    ) as r:
        return str((await r.json())["key"])


async def _ledger_rows(url: str) -> int:
    async with aiohttp.ClientSession() as s, s.get(
            f"{url}/admin/metrics", headers={"authorization": f"Bearer {ADMIN}"}) as r:
        return int((await r.json())["perimeter_ledger_rows_recorded_total"])


async def _side_by_side(off_cfg: dict[str, Any], on_cfg: dict[str, Any], work: Path, key: str | None,
                        args: argparse.Namespace) -> tuple[str, tuple[float, float, float, float, int, int]]:
    """Both gateways at once, each with its own ``concurrency`` clients: whatever else the
    machine does in those seconds hits both alike.  One load generator drives both, so when it
    is the bottleneck the ratio is pulled towards 1; read it with the CPU figures."""
    (p_off, u_off), (p_on, u_on) = await asyncio.gather(_start(off_cfg, work, False), _start(on_cfg, work, True))
    try:
        key = key or await _create_key(u_on)
        await asyncio.gather(_load(u_off, None, 1.0, args.concurrency), _load(u_on, key, 1.0, args.concurrency))
        c_off, c_on = _cpu_seconds(p_off.pid), _cpu_seconds(p_on.pid)
        (r_off, e_off), (r_on, e_on) = await asyncio.gather(
            _load(u_off, None, args.seconds, args.concurrency, args.rate),
            _load(u_on, key, args.seconds, args.concurrency, args.rate))
        m_off = (_cpu_seconds(p_off.pid) - c_off) * 1000 / max(r_off * args.seconds, 1)
        m_on = (_cpu_seconds(p_on.pid) - c_on) * 1000 / max(r_on * args.seconds, 1)
        rows = await _ledger_rows(u_on)
    finally:
        await asyncio.gather(_stop(p_off), _stop(p_on))
    return key, (r_off, r_on, m_off, m_on, e_off + e_on, rows)


async def _stop(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), 30)
    except TimeoutError:
        proc.kill()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--side-by-side", action="store_true",
                    help="load the ON and OFF gateways at the same time instead of alternating rounds")
    ap.add_argument("--rate", type=float, default=0.0,
                    help="offered requests/s (open loop) instead of saturation: compares CPU per request at equal load")
    ap.add_argument("--off-storage", choices=["same", "none"], default="same",
                    help="OFF side: same storage settings as ON (default) or none (SQLite defaults, no Redis)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="perimeter-bench-acct-"))
    schema = prefix = None
    async with FakeOpenAI() as upstream:
        base: dict[str, Any] = {
            "server": {"mode": "production", "admin_key": ADMIN, "log_level": "warning"},
            "providers": [{"name": "local", "type": "openai_compat", "location": "on_prem",
                           "base_url": upstream.base_url, "model": "llama"}],
            "models": {"chat": ["local"]},
            "storage": {"data_dir": str(work / "data")},
            "privacy": {"enabled": False},  # measure accounting alone
        }
        if args.backend == "postgres":
            schema, prefix = f"bench_{uuid.uuid4().hex[:8]}", f"bench-{uuid.uuid4().hex[:8]}:"
            base["storage"].update(database_url=os.environ["PERIMETER_TEST_POSTGRES_URL"], database_schema=schema,
                                   redis_url=os.environ["PERIMETER_TEST_REDIS_URL"], redis_prefix=prefix)
        # The OFF side keeps the same storage settings: with redis_url set, other parts of the
        # gateway (routing's conversation stickiness) use Redis on every request, and that cost
        # is not accounting's.  --off-storage none reproduces the older comparison.
        off_storage = {**base["storage"], "data_dir": str(work / "off")} if args.off_storage == "same" else {
            "data_dir": str(work / "off")}
        off_cfg = {**base, "server": {**base["server"], "mode": "dev", "admin_key": None},
                   "storage": off_storage, "accounting": {"enabled": False}}
        key = None
        off: list[float] = []
        on: list[float] = []
        cpu_off: list[float] = []
        cpu_on: list[float] = []
        srv_off: list[float] = []
        srv_on: list[float] = []
        rows = 0
        for rnd in range(args.rounds):
            if args.side_by_side:
                key, (r_off, r_on, m_off, m_on, errs, rows) = await _side_by_side(off_cfg, base, work, key, args)
                off.append(r_off)
                on.append(r_on)
                cpu_off.append(m_off)
                cpu_on.append(m_on)
                print(f"round {rnd + 1} side by side: OFF {r_off:8.1f} req/s {m_off:.3f} ms/req   ON {r_on:8.1f} req/s "
                      f"{m_on:.3f} ms/req   ratio {r_on / max(r_off, 1e-9):.3f}  errors={errs}  "
                      f"(loadavg {os.getloadavg()[0]:.1f})", flush=True)
                continue
            for side in ("off", "on"):
                proc, url = await _start(off_cfg if side == "off" else base, work, side == "on")
                try:
                    if side == "on" and key is None:
                        key = await _create_key(url)
                    await _load(url, key if side == "on" else None, 1.0, args.concurrency)  # warm-up
                    cpu0, srv0, self0 = _cpu_seconds(proc.pid), _servers_cpu_seconds(), time.process_time()
                    rps, errors = await _load(url, key if side == "on" else None, args.seconds, args.concurrency,
                                              args.rate)
                    n = max(rps * args.seconds, 1)
                    cpu_ms = (_cpu_seconds(proc.pid) - cpu0) * 1000 / n
                    srv_ms = (_servers_cpu_seconds() - srv0) * 1000 / n
                    self_ms = (time.process_time() - self0) * 1000 / n
                    (on if side == "on" else off).append(rps)
                    (cpu_on if side == "on" else cpu_off).append(cpu_ms)
                    if side == "on":
                        rows = await _ledger_rows(url)
                    (srv_on if side == "on" else srv_off).append(srv_ms)
                    print(f"round {rnd + 1} {side:>3}: {rps:8.1f} req/s  gateway CPU {cpu_ms:.3f} ms/req  "
                          f"redis+postgres CPU {srv_ms:.3f} ms/req  load generator+upstream CPU {self_ms:.3f} ms/req  "
                          f"errors={errors}  (loadavg {os.getloadavg()[0]:.1f})", flush=True)
                finally:
                    await _stop(proc)
    m_off, m_on = statistics.median(off), statistics.median(on)
    if not m_off:
        raise SystemExit("the OFF runs served nothing: see the errors above")
    print(f"\nbackend={args.backend} concurrency={args.concurrency} rounds={args.rounds} x {args.seconds}s "
          f"{'rate=' + format(args.rate, 'g') + ' req/s ' if args.rate else 'saturation '}"
          f"off-storage={args.off_storage}{' side-by-side' if args.side_by_side else ''}")
    paired = statistics.median(b / a for a, b in zip(off, on, strict=True))
    cpu_ratio = statistics.median(b / a for a, b in zip(cpu_off, cpu_on, strict=True))
    print(f"median OFF {m_off:.1f} req/s   median ON {m_on:.1f} req/s   ratio of medians ON/OFF = {m_on / m_off:.3f}")
    print(f"median of per-round ON/OFF throughput ratios = {paired:.3f}  ({(1 - paired) * 100:.1f}% fewer req/s)")
    print(f"gateway CPU per request: OFF {statistics.median(cpu_off):.3f} ms, ON {statistics.median(cpu_on):.3f} ms, "
          f"median per-round ratio {cpu_ratio:.3f}   (last ON run recorded {rows} ledger rows)")
    if srv_on:
        print(f"redis+postgres CPU per request: OFF {statistics.median(srv_off):.3f} ms, "
              f"ON {statistics.median(srv_on):.3f} ms")
    extra = statistics.median(b - a for a, b in zip(cpu_off, cpu_on, strict=True))
    print(f"median per-round extra gateway CPU with accounting ON: {extra * 1000:.0f} µs/request")
    if schema:
        import psycopg

        with psycopg.connect(os.environ["PERIMETER_TEST_POSTGRES_URL"], autocommit=True) as c:
            c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        import redis

        r = redis.Redis.from_url(os.environ["PERIMETER_TEST_REDIS_URL"])
        ks = list(r.scan_iter(match=f"{prefix}*"))
        if ks:
            r.delete(*ks)


if __name__ == "__main__":
    asyncio.run(main())
