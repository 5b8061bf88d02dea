"""Results on disk: one JSON file per ``bench run``/``bench sweep`` with every request sample.

The file holds the summaries *and* the raw samples, so a report can be re-drawn and metrics
re-computed later (``perimeter bench report``) and ``perimeter tco --bench`` can read measured
throughput from it.  Written atomically (temp file + rename) so a Ctrl-C never leaves half a file.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import orjson

from perimeter.bench.metrics import SLO, summarize
from perimeter.bench.runner import RunResult

FORMAT = "perimeter-bench/1"


class ResultsError(ValueError):
    """A results file cannot be read; the message names the file."""


def run_to_json(result: RunResult, slo: SLO) -> dict[str, Any]:
    return {
        "summary": summarize(result, slo),
        "limits": {
            "duration": result.limits.duration, "max_requests": result.limits.max_requests,
            "warmup": result.limits.warmup, "cooldown": result.limits.cooldown,
        },
        "started_at": result.started_at,
        "issue_stopped": result.issue_stopped,
        "finished": result.finished,
        "fatal_message": result.fatal_message,
        "samples": [s.to_json() for s in result.samples],
    }


def build(
    runs: list[RunResult], *, slo: SLO, target: dict[str, Any], prompts: dict[str, Any],
    saturation: dict[str, Any] | None = None, mode: str = "run",
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "target": target,
        "prompts": prompts,
        "slo": slo.to_json(),
        "interrupted": any(r.interrupted for r in runs),
        "saturation": saturation,
        "runs": [run_to_json(r, slo) for r in runs],
    }


def save(doc: dict[str, Any], path: str | Path) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))
    os.replace(tmp, p)
    return p


def load(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        doc = orjson.loads(p.read_bytes())
    except OSError as exc:
        raise ResultsError(f"{p}: cannot read: {exc.strerror or exc}") from exc
    except orjson.JSONDecodeError as exc:
        raise ResultsError(f"{p}: not JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("runs"), list):
        raise ResultsError(f"{p}: not a perimeter bench results file (expected format '{FORMAT}')")
    return doc


def best_run(doc: dict[str, Any]) -> dict[str, Any]:
    """The run to quote as "measured throughput": the saturation run of a sweep, else the best."""
    runs = [r["summary"] for r in doc["runs"] if r["summary"]["requests"]["ok"]]
    if not runs:
        raise ResultsError("results file has no successful requests")
    sat = doc.get("saturation") or {}
    if "index" in sat and 0 <= sat["index"] < len(doc["runs"]):
        return dict(doc["runs"][sat["index"]]["summary"])
    return dict(max(runs, key=lambda s: s["output_tokens_per_s"]))
