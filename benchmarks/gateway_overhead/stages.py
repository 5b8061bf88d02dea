"""Attribute py-spy samples of a Perimeter worker to the pipeline's stages.

A stack's stage is given by its deepest frame that is a stage's entry point (or lives in a
stage's own package), so "restore inside the chat handler" counts as restore, and "the limiter
release inside finish" counts as auth (limits).  Metrics and tracing (``observe``) and response
writes count as themselves wherever they run, also inside ``Pipeline.finish``.  Samples with no
stage frame are the HTTP server, request parsing and response writing (``http``) or the bare
event loop (``loop``) — except on a thread that serves one stage only (the database thread
``perimeter-db``: ``account``; the scan pool ``privacy-scan``: ``scan``), where they are that
stage's hand-off (a worker picking up its next job).

**Samples are weighted by each thread's measured CPU.**  py-spy (without ``--idle``) keeps a
thread's sample when ``/proc/<tid>/stat`` says ``R`` — running *or waiting for a core* — so a
sample is wall time spent runnable, not CPU.  On a loaded machine a helper thread that is
woken often (the database thread is woken for every GIL hand-off: ``sqlite3``'s
``executemany`` drops and re-takes the GIL around every row) spends most of its ``R`` time in
the run queue: in one profile the database thread had 9.8% of the samples but 4.2% of the
process's CPU.  So record with ``--threads`` and pass the CPU seconds each thread burned during
the recording (:func:`thread_cpu` before and after): a thread's samples then only split *its
own* CPU between stages.  Without them (or for a raw file without thread frames) every sample
weighs the same, as before.

CPU per request by stage = the stage's share × the CPU per request measured for the same
target (all its processes, user + system).  It is an estimate — the sampler sees Python frames,
and C time (JSON, sockets, SQLite) lands on the Python frame that called it — but it names
where a millisecond goes, which the totals alone cannot.
"""

from __future__ import annotations

import collections
import os
import re
from collections.abc import Mapping

STAGES = ("auth", "scan", "pseudonymise", "route", "upstream", "restore", "account", "observe", "http", "loop")

# (stage, substring of "func (path)"), matched against each frame; the deepest match wins.
_MARKERS: tuple[tuple[str, str], ...] = (
    ("auth", "Pipeline.authenticate "),
    ("auth", "Pipeline.admit "),
    ("auth", "perimeter/accounting/gatekeeper.py"),
    ("auth", "perimeter/accounting/keys.py"),
    ("auth", "perimeter/accounting/limits.py"),
    ("scan", "PrivacyStage.inspect "),
    ("scan", "PrivacyStage._scan"),
    ("scan", "perimeter/privacy/detect/"),
    ("pseudonymise", "PrivacyStage.prepare "),
    ("pseudonymise", "Pipeline._body_for "),
    ("route", "Pipeline.default_decision "),
    ("route", "perimeter/routing/"),
    ("upstream", "Pipeline._run "),
    ("upstream", "perimeter/providers/"),
    ("upstream", "perimeter/resilience/"),
    ("upstream", "aiohttp/"),
    ("restore", "Pipeline._restored "),
    ("restore", "ResponseRestorer."),
    ("restore", "StreamingRestorer."),
    ("account", "Pipeline.finish "),
    ("account", "Pipeline.record "),
    ("account", "perimeter/accounting/recorder.py"),
    ("account", "perimeter/accounting/usage.py"),
    ("account", "perimeter/accounting/prices.py"),
    ("account", "perimeter/accounting/tokens.py"),
    ("account", "perimeter/store/"),
    ("account", "sqlite3"),
    # Pipeline.finish also records the request's metrics and closes its trace: not accounting.
    ("observe", "perimeter/observability/"),
    ("http", "perimeter/api/"),
    ("http", "perimeter/app.py"),
    ("http", "perimeter/cli/http_writes.py"),
    ("http", "uvicorn/protocols/"),
    ("http", "httptools"),
)
# A thread that serves one stage only: its samples without a stage frame are that stage's.
_THREAD_STAGES: tuple[tuple[str, str], ...] = (("perimeter-db", "account"), ("privacy-scan", "scan"))
# py-spy --threads: "thread (<os tid>): <name>" ("thread (0x…)" where the OS id is unknown).
_THREAD = re.compile(r"^thread \((?P<id>0x[0-9a-fA-F]+|\d+)\)(?::\s*(?P<name>.*))?$")
_SPLIT = re.compile(r";")
_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def stage_of(frames: list[str], thread_name: str = "") -> str:
    """The stage of one stack (outermost frame first)."""
    for frame in reversed(frames):
        for stage, marker in _MARKERS:
            if marker in frame:
                return stage
    for prefix, stage in _THREAD_STAGES:
        if thread_name.startswith(prefix):
            return stage
    return "loop"


def counts_by_thread(raw: str) -> dict[tuple[int | None, str], collections.Counter[str]]:
    """Samples per stage for each thread, keyed by (OS thread id or None, thread name)."""
    out: dict[tuple[int | None, str], collections.Counter[str]] = {}
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        key: tuple[int | None, str] = (None, "")
        frames = []
        for f in _SPLIT.split(stack):
            if not f or f.startswith("process "):
                continue
            m = _THREAD.match(f) if f.startswith("thread ") else None
            if m:
                tid = m.group("id")
                key = (None if tid.startswith("0x") else int(tid), (m.group("name") or "").strip())
            elif not f.startswith("thread "):
                frames.append(f + " ")
        out.setdefault(key, collections.Counter())[stage_of(frames, key[1])] += int(n)
    return out


def shares(raw: str, thread_cpu: Mapping[int, float] | None = None) -> dict[str, float]:
    """Fraction of the profiled process's CPU per stage, from py-spy's ``--format raw`` output.

    ``thread_cpu``: CPU seconds per OS thread id during the recording (record with
    ``--threads``); each thread's samples then split that thread's CPU.  CPU of a thread
    with no samples cannot be named and goes to ``loop``.  Without it, or when the stacks
    carry no thread ids, every sample counts the same.
    """
    by_thread = counts_by_thread(raw)
    weighted: collections.Counter[str] = collections.Counter()
    if thread_cpu and any(tid in thread_cpu for tid, _ in by_thread):
        seen = set()
        for (tid, _), counts in by_thread.items():
            n = sum(counts.values())
            cpu = thread_cpu.get(tid, 0.0) if tid is not None else 0.0
            if tid is None or not n or cpu <= 0:
                continue
            seen.add(tid)
            for stage, k in counts.items():
                weighted[stage] += cpu * k / n
        weighted["loop"] += sum(c for tid, c in thread_cpu.items() if tid not in seen and c > 0)
    else:
        for counts in by_thread.values():
            weighted.update(counts)
    total = sum(weighted.values())
    return {s: weighted.get(s, 0) / total for s in STAGES} if total else {}


def stat_fields(path: str) -> list[str] | None:
    """The fields of a ``/proc/…/stat`` file after "(comm)" (state, ppid, …; utime and stime are
    ``[11]`` and ``[12]``), or ``None`` if the process or thread is gone."""
    try:
        with open(path, "rb") as f:
            raw = f.read().decode("latin-1")
    except OSError:
        return None
    return raw[raw.rfind(")") + 2:].split()


def stat_cpu(fields: list[str]) -> float:
    """User + system CPU seconds of :func:`stat_fields`' fields."""
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK


def thread_cpu(pid: int) -> dict[int, float]:
    """User + system CPU seconds so far of each thread of ``pid`` (``{}`` if it is gone)."""
    out: dict[int, float] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        fields = stat_fields(f"/proc/{pid}/task/{tid}/stat")
        if fields is not None:
            out[int(tid)] = stat_cpu(fields)
    return out


def cpu_between(before: Mapping[int, float], after: Mapping[int, float]) -> dict[int, float]:
    """CPU seconds each thread burned between two :func:`thread_cpu` readings."""
    return {tid: round(c - before.get(tid, 0.0), 4) for tid, c in after.items()}
