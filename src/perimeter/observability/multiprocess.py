"""``/metrics`` that adds up several worker processes (``perimeter serve --workers N``).

Each worker counts in its own memory (a dict increment: nothing shared on the hot path) and
every ``flush_interval`` seconds writes its exposition text to ``<dir>/<pid>.prom`` (write
to a temporary name, then rename: a reader never sees half a file).  A scrape lands on one
worker, which writes its own snapshot first and then merges every file:

* counters and histograms are **summed** series by series — files of workers that exited stay,
  so totals never go backwards when a worker is replaced;
* gauges come only from **live** workers (a file refreshed within a few flush intervals) and are
  combined per metric: summed where each worker holds a part (requests in flight, queued ledger
  rows), the minimum for health flags (one failing worker shows), else the maximum (breaker
  state: the worst any worker sees; budgets: every worker reads the same ledger).

So a scrape is exact for the worker that answers and at most ``flush_interval`` old for the
others — far inside any Prometheus scrape interval.  Prometheus' own multiprocess mode does the
same with one mmap file per metric; this keeps the cheaper dict counters and our collectors.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from perimeter.observability import metrics

log = logging.getLogger("perimeter.observability")

#: Gauges where each worker holds a part of the whole.
SUMMED_GAUGES = frozenset({"perimeter_in_flight_requests", "perimeter_ledger_queue_depth"})
#: Health flags: 0 anywhere shows as 0.
MIN_GAUGES = frozenset({"perimeter_audit_chain_ok", "perimeter_ledger_database_up"})
SUFFIX = ".prom"


@dataclass
class Family:
    name: str
    kind: str = "untyped"
    help: str | None = None
    #: ``sample name + labels`` -> value, in first-seen order.
    samples: dict[str, float] = field(default_factory=dict)


def parse(text: str) -> dict[str, Family]:
    """Exposition text (as :func:`perimeter.observability.metrics.render_local` writes it) by family."""
    families: dict[str, Family] = {}
    current: Family | None = None
    for line in text.splitlines():
        if not line:
            continue
        if line.startswith("# "):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("TYPE", "HELP"):
                fam = families.get(parts[2])
                if fam is None:
                    fam = families[parts[2]] = Family(parts[2])
                if parts[1] == "TYPE":
                    fam.kind = parts[3] if len(parts) > 3 else "untyped"
                else:
                    fam.help = parts[3] if len(parts) > 3 else ""
                current = fam
            continue
        series, _, value = line.rpartition(" ")
        if not series:
            continue
        try:
            v = float(value)
        except ValueError:
            continue
        base = series.split("{", 1)[0]
        if current is None or not _belongs(base, current):
            current = families.get(base) or families.setdefault(base, Family(base))
        current.samples[series] = v
    return families


def _belongs(sample: str, fam: Family) -> bool:
    if sample == fam.name:
        return True
    return fam.kind == "histogram" and sample in (f"{fam.name}_bucket", f"{fam.name}_sum", f"{fam.name}_count")


def merge(snapshots: Iterable[tuple[str, bool]]) -> str:
    """Add up ``(exposition text, worker is live)`` snapshots into one exposition text."""
    merged: dict[str, Family] = {}
    gauge_values: dict[str, dict[str, list[float]]] = {}
    for text, live in snapshots:
        for name, fam in parse(text).items():
            out = merged.get(name)
            if out is None:
                out = merged[name] = Family(name, fam.kind, fam.help)
            if fam.kind == "gauge":
                if live:
                    per = gauge_values.setdefault(name, {})
                    for s, v in fam.samples.items():
                        per.setdefault(s, []).append(v)
                continue
            for s, v in fam.samples.items():
                out.samples[s] = out.samples.get(s, 0.0) + v
    for name, per in gauge_values.items():
        combine = sum if name in SUMMED_GAUGES else (min if name in MIN_GAUGES else max)
        merged[name].samples = {s: float(combine(vs)) for s, vs in per.items()}
    lines: list[str] = []
    for fam in merged.values():
        if fam.help is not None:
            lines.append(f"# HELP {fam.name} {fam.help}")
        lines.append(f"# TYPE {fam.name} {fam.kind}")
        lines.extend(f"{s} {metrics.fmt_value(v)}" for s, v in fam.samples.items())
    return "\n".join(lines) + "\n"


class MetricsShare:
    """This worker's side of the shared directory: write snapshots, merge them on a scrape."""

    def __init__(self, directory: str | Path, flush_interval: float = 1.0,
                 refresh: Callable[[], None] | None = None) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.flush_interval = flush_interval
        self.refresh = refresh
        self.path = self.dir / f"{os.getpid()}{SUFFIX}"
        self._task: asyncio.Task[None] | None = None

    @property
    def stale_after(self) -> float:
        """A worker whose file is older than this is gone: its gauges no longer count."""
        return 3 * self.flush_interval + 2.0

    def write(self, refresh: Callable[[], None] | None = None) -> str:
        text = metrics.render_local(refresh or self.refresh)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.path)
        return text

    def scrape(self, refresh: Callable[[], None] | None = None) -> str:
        own = self.write(refresh)
        now = time.time()
        snapshots: list[tuple[str, bool]] = [(own, True)]
        for p in self.dir.glob(f"*{SUFFIX}"):
            if p == self.path:
                continue
            try:
                text = p.read_text(encoding="utf-8")
                live = now - p.stat().st_mtime <= self.stale_after
            except OSError:  # a worker replaced it between glob and read: take the next scrape's
                continue
            snapshots.append((text, live))
        return merge(snapshots)

    def start(self) -> None:
        self.write()
        self._task = asyncio.get_running_loop().create_task(self._flush_forever(), name="perimeter-metrics-share")

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(self.flush_interval)
            try:
                self.write()
            except Exception:  # a full disk must not kill the worker
                log.exception("writing the metrics snapshot to %s failed", self.path)

    async def aclose(self) -> None:
        """Write the final counts (they keep counting in the totals after this worker exits)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(OSError):
            self.write()
