"""Load profiles and the run loop: who sends what, when, and which requests count.

Profiles (GuideLLM's names):

* ``synchronous`` — one request at a time, back to back (latency with no queueing).
* ``concurrent`` — N workers, each sends its next request the moment its last one finishes.
* ``constant`` — open loop at R requests/s, evenly spaced; never waits for answers.
* ``poisson`` — open loop at R requests/s on average, exponential gaps (real user arrivals).

Open-loop schedules are absolute (request k is due at ``k / R`` s, not "1/R after the last
one"), so a late wake-up is caught up instead of drifting, and the connection pool is
unbounded so it cannot silently throttle the rate.  ``send_lag`` in the summary reports how
late requests actually left compared to their schedule.

A run is bounded by ``duration`` seconds and/or ``max_requests``.  Requests that *start* in the
first ``warmup`` seconds or the last ``cooldown`` seconds before issuing stops are kept in the
samples but excluded from the metrics, so ramp-up and drain do not distort them.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp

from perimeter.bench.client import FATAL_KINDS, Sample, Target, send
from perimeter.bench.prompts import Prompt

ProfileKind = Literal["synchronous", "concurrent", "constant", "poisson"]
PROFILES: tuple[str, ...] = ("synchronous", "concurrent", "constant", "poisson")
_HARD_STOPS = ("interrupted", "fatal error")


@dataclass(slots=True, frozen=True)
class Profile:
    kind: ProfileKind
    # Concurrency for ``concurrent`` (1 for ``synchronous``); requests/s for the open-loop kinds.
    value: float = 1.0

    def label(self) -> str:
        if self.kind == "synchronous":
            return "synchronous"
        if self.kind == "concurrent":
            return f"concurrency {int(self.value)}"
        return f"{self.kind} {self.value:g} req/s"


@dataclass(slots=True, frozen=True)
class Limits:
    duration: float | None = None
    max_requests: int | None = None
    warmup: float = 0.0
    cooldown: float = 0.0
    # Open-loop profiles: refuse to have more than this many requests in flight (None = no cap).
    max_in_flight: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if self.duration is None and self.max_requests is None:
            raise ValueError("a run needs --duration or --requests (or both)")


@dataclass(slots=True)
class RunResult:
    profile: Profile
    limits: Limits
    samples: list[Sample]
    started_at: float  # wall clock (time.time()) of t0
    issue_stopped: float = 0.0  # seconds after t0 when no more requests were issued
    finished: float = 0.0  # seconds after t0 when the last response ended
    stop_reason: str = "completed"
    fatal_message: str | None = None

    @property
    def window(self) -> tuple[float, float]:
        """Measurement window (seconds after t0): starts in here count."""
        lo = self.limits.warmup
        hi = max(lo, self.issue_stopped - self.limits.cooldown)
        return lo, hi

    @property
    def interrupted(self) -> bool:
        return self.stop_reason == "interrupted"


@dataclass(slots=True)
class Progress:
    """Live counters for a progress display."""

    issued: int = 0
    done: int = 0
    errors: int = 0
    output_tokens: int = 0
    last_error: str | None = None

    @property
    def in_flight(self) -> int:
        return self.issued - self.done


class Runner:
    """Runs one profile against one target; ``stop()`` (e.g. from SIGINT) ends it early."""

    def __init__(
        self,
        target: Target,
        prompts: Iterator[Prompt],
        profile: Profile,
        limits: Limits,
        *,
        on_sample: Callable[[Sample, Progress], None] | None = None,
        extra_body: dict[str, Any] | None = None,
    ) -> None:
        self.target = target
        self.prompts = prompts
        self.profile = profile
        self.limits = limits
        self.on_sample = on_sample
        self.extra_body = extra_body or {}
        self.progress = Progress()
        self._stop = asyncio.Event()
        self._hard_stop = asyncio.Event()
        self._stop_reason = "completed"
        self._fatal: str | None = None
        self._samples: list[Sample] = []
        self._successes = 0
        self._t0 = 0.0

    def stop(self, reason: str = "interrupted") -> None:
        """Stop issuing requests; ``interrupted`` and ``fatal error`` also abandon in-flight ones."""
        hard = reason in _HARD_STOPS
        if not self._stop.is_set() or (hard and not self._hard_stop.is_set()):
            self._stop_reason = reason
        self._stop.set()
        if hard:
            self._hard_stop.set()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self._t0 if self._t0 else 0.0

    def _next_body(self) -> tuple[dict[str, Any], int]:
        p = next(self.prompts)
        body: dict[str, Any] = {"messages": p.messages, **self.extra_body}
        if p.max_tokens is not None:
            body["max_tokens"] = p.max_tokens
        return body, p.est_input_tokens

    def _may_issue(self) -> bool:
        if self._stop.is_set():
            return False
        lim = self.limits
        if lim.max_requests is not None and self.progress.issued >= lim.max_requests:
            self.stop("request count reached")
            return False
        if lim.duration is not None and self.elapsed >= lim.duration:
            self.stop("duration reached")
            return False
        return True

    async def _one(self, session: aiohttp.ClientSession, scheduled: float) -> None:
        body, est = self._next_body()
        sample = Sample(index=self.progress.issued, scheduled=scheduled, input_tokens=est)
        self.progress.issued += 1
        self._samples.append(sample)
        await send(session, self.target, body, sample, self._t0)
        if sample.ok and not sample.usage_reported:
            sample.input_tokens = est
        self.progress.done += 1
        if sample.ok:
            self._successes += 1
            self.progress.output_tokens += sample.output_tokens
        else:
            self.progress.errors += 1
            self.progress.last_error = sample.error_message
            if sample.error in FATAL_KINDS and self._successes == 0:
                self._fatal = sample.error_message
                self.stop("fatal error")
        if self.on_sample is not None:
            self.on_sample(sample, self.progress)

    async def _worker(self, session: aiohttp.ClientSession) -> None:
        while self._may_issue():
            await self._one(session, self.elapsed)

    async def _open_loop(self, session: aiohttp.ClientSession, tasks: set[asyncio.Task[None]]) -> None:
        rate = self.profile.value
        rng = random.Random(self.limits.seed)
        due = 0.0
        while True:
            delay = due - self.elapsed
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), delay)
            if not self._may_issue():
                return
            cap = self.limits.max_in_flight
            if cap is not None and self.progress.in_flight >= cap:
                await asyncio.sleep(0.001)
                continue
            task = asyncio.create_task(self._one(session, due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            due += rng.expovariate(rate) if self.profile.kind == "poisson" else 1.0 / rate

    async def run(self) -> RunResult:
        if self.profile.kind != "synchronous" and self.profile.value <= 0:
            raise ValueError("concurrency and rate must be > 0")
        connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300)
        started_at = time.time()
        self._t0 = time.perf_counter()
        tasks: set[asyncio.Task[None]] = set()
        issue_stopped = 0.0
        async with aiohttp.ClientSession(connector=connector) as session:
            try:
                if self.profile.kind in ("synchronous", "concurrent"):
                    n = 1 if self.profile.kind == "synchronous" else int(self.profile.value)
                    workers = [asyncio.create_task(self._worker(session)) for _ in range(n)]
                    stop_wait = asyncio.create_task(self._stop.wait())
                    # Issuing ends when the stop flag is raised; workers then finish their request.
                    await asyncio.wait({stop_wait, *workers}, return_when=asyncio.FIRST_COMPLETED)
                    issue_stopped = self.elapsed
                    tasks.update(workers)
                    stop_wait.cancel()
                else:
                    await self._open_loop(session, tasks)
                    issue_stopped = self.elapsed
                await self._drain(tasks)
            finally:
                for t in tasks:
                    t.cancel()
                if tasks:
                    await asyncio.gather(*tasks, return_exceptions=True)
        result = RunResult(
            profile=self.profile, limits=self.limits, samples=sorted(self._samples, key=lambda s: s.index),
            started_at=started_at, issue_stopped=issue_stopped or self.elapsed,
            stop_reason=self._stop_reason, fatal_message=self._fatal,
        )
        result.finished = max((s.end for s in result.samples), default=result.issue_stopped)
        classify(result)
        return result

    async def _drain(self, tasks: set[asyncio.Task[None]]) -> None:
        """Let in-flight requests finish, unless the run was interrupted (then cancel them)."""
        pending = {t for t in tasks if not t.done()}
        if not pending or self._hard_stop.is_set():
            return  # the caller's finally cancels what is left
        hard = asyncio.create_task(self._hard_stop.wait())
        try:
            await asyncio.wait({*pending, hard}, return_when=asyncio.FIRST_COMPLETED)
            while not self._hard_stop.is_set() and (pending := {t for t in tasks if not t.done()}):
                await asyncio.wait({*pending, hard}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            hard.cancel()


def classify(result: RunResult) -> None:
    """Mark each sample as warm-up, measured, cool-down or incomplete."""
    lo, hi = result.window
    for s in result.samples:
        if s.error == "cancelled":
            s.phase = "incomplete"
        elif s.start < lo:
            s.phase = "warmup"
        elif s.start > hi:
            s.phase = "cooldown"
        else:
            s.phase = "measure"
