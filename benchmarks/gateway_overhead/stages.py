"""Attribute py-spy samples of a Perimeter worker to the pipeline's stages.

A stack's stage is given by its deepest frame that is a stage's entry point (or lives in a
stage's own package), so "restore inside the chat handler" counts as restore, and "the limiter
release inside finish" counts as auth (limits).  Samples with no such frame are the HTTP server,
request parsing and response writing (``http``) or the bare event loop (``loop``).

CPU per request by stage = the stage's share of the samples × the CPU per request measured for
the same target (all its processes, user + system).  It is an estimate — the sampler sees Python
frames, and C time (JSON, sockets, SQLite) lands on the Python frame that called it — but it
names where a millisecond goes, which the totals alone cannot.
"""

from __future__ import annotations

import collections
import re

STAGES = ("auth", "scan", "pseudonymise", "route", "upstream", "restore", "account", "http", "loop")

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
    ("http", "perimeter/api/"),
    ("http", "perimeter/app.py"),
    ("http", "uvicorn/protocols/"),
    ("http", "httptools"),
)
_SPLIT = re.compile(r";")


def stage_of(frames: list[str]) -> str:
    """The stage of one stack (outermost frame first)."""
    for frame in reversed(frames):
        for stage, marker in _MARKERS:
            if marker in frame:
                return stage
    return "loop"


def shares(raw: str) -> dict[str, float]:
    """Fraction of samples per stage in py-spy's ``--format raw`` (collapsed) output."""
    counts: collections.Counter[str] = collections.Counter()
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        frames = [f + " " for f in _SPLIT.split(stack) if f and not f.startswith(("process ", "thread "))]
        counts[stage_of(frames)] += int(n)
    total = sum(counts.values())
    return {s: counts.get(s, 0) / total for s in STAGES} if total else {}
