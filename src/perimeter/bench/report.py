"""A self-contained HTML report (inline CSS + SVG, no scripts) from a results document."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from perimeter.bench import svg

_CSS = """
body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1320px;color:#111;padding:0 16px}
h1{font-size:22px;margin-bottom:4px} h2{font-size:17px;margin-top:28px}
.meta{color:#4b5563;font-size:13px} .warn{background:#fef3c7;border:1px solid #f59e0b;padding:8px 12px}
table{border-collapse:collapse;font-size:13px;margin-top:8px} th,td{padding:4px 9px;text-align:right;
border-bottom:1px solid #e5e7eb} th{background:#f9fafb} td:first-child,th:first-child{text-align:left}
.grid{display:flex;flex-wrap:wrap;gap:16px} .card{border:1px solid #e5e7eb;border-radius:6px;padding:6px}
.kpi{display:inline-block;margin:6px 22px 6px 0} .kpi b{display:block;font-size:22px}
"""


def ms(v: Any) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v * 1000:.1f}"


def _num(v: Any, digits: int = 1) -> str:
    return "–" if v is None else f"{v:,.{digits}f}"


def summary_rows(summaries: list[dict[str, Any]]) -> str:
    head = ("<tr><th>load</th><th>ok</th><th>errors</th><th>req/s</th><th>sent/s</th><th>out tok/s</th>"
            "<th>TTFT p50 ms</th><th>TTFT p90</th><th>TTFT p99</th><th>ITL p50 ms</th><th>ITL p99</th>"
            "<th>TPOT p50 ms</th><th>E2E p50 ms</th><th>E2E p90</th><th>goodput req/s</th></tr>")
    rows = []
    for s in summaries:
        r = s["requests"]
        rows.append(
            f"<tr><td>{escape(s['label'])}</td><td>{r['ok']}</td><td>{r['errors']}"
            f" ({s['error_rate']:.1%})</td><td>{_num(s['requests_per_s'], 2)}</td>"
            f"<td>{_num(s['send_rate'], 2)}</td><td>{_num(s['output_tokens_per_s'])}</td>"
            f"<td>{ms(s['ttft'].get('median'))}</td><td>{ms(s['ttft'].get('p90'))}</td>"
            f"<td>{ms(s['ttft'].get('p99'))}</td><td>{ms(s['itl'].get('median'))}</td>"
            f"<td>{ms(s['itl'].get('p99'))}</td><td>{ms(s['tpot'].get('median'))}</td>"
            f"<td>{ms(s['latency'].get('median'))}</td><td>{ms(s['latency'].get('p90'))}</td>"
            f"<td>{_num(s['goodput_requests_per_s'], 2)}</td></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _load_x(s: dict[str, Any]) -> float:
    # Concurrency levels are their own x; open-loop levels are their rate; synchronous is 1.
    return float(s["level"] or 1)


def _sweep_plots(summaries: list[dict[str, Any]], sat: dict[str, Any] | None) -> list[str]:
    kind = summaries[-1]["profile"]
    same = [s for s in summaries if s["profile"] == kind and s["requests"]["ok"]]
    if len(same) < 2:
        return []
    xlabel = "concurrent requests" if kind == "concurrent" else "offered load (requests/s)"
    logx = kind == "concurrent"
    marks = [(float(sat["level"]), "saturation")] if sat and sat.get("profile") == kind else []

    def series(name: str, metric: str, q: str, scale: float = 1000.0) -> svg.Series:
        return name, [(_load_x(s), (s[metric].get(q) or math.nan) * scale) for s in same]

    lat = svg.line_chart("Latency vs load", xlabel, "milliseconds", [
        series("TTFT p50", "ttft", "median"), series("TTFT p90", "ttft", "p90"),
        series("E2E p50", "latency", "median"), series("E2E p90", "latency", "p90"),
        series("ITL p50", "itl", "median")], logx=logx, markers=marks)
    thr = svg.line_chart("Throughput vs " + ("concurrency" if logx else "offered load"), xlabel, "per second", [
        ("output tokens/s", [(_load_x(s), s["output_tokens_per_s"]) for s in same]),
        ("goodput req/s ×100", [(_load_x(s), s["goodput_requests_per_s"] * 100) for s in same]),
    ], logx=logx, markers=marks)
    return [lat, thr]


def _run_plots(run: dict[str, Any]) -> list[str]:
    samples = [x for x in run["samples"] if x["phase"] == "measure"]
    ok = [x for x in samples if x["error"] is None]
    s = run["summary"]
    ttft = [x["ttft"] * 1000 for x in ok if x["ttft"] is not None]
    marks = [(s["ttft"][q] * 1000, q) for q in ("median", "p90", "p99") if q in s["ttft"]]
    itl = [v * 1000 for x in ok for v in x["itl"]]
    return [
        svg.histogram(f"TTFT distribution — {s['label']}", "time to first token (ms)", ttft, marks=marks),
        svg.histogram(f"Inter-token latency — {s['label']}", "ms between tokens", itl),
        svg.scatter(f"Latency over the run — {s['label']}", "request start (s)", "end-to-end latency (ms)",
                    [(x["start"], x["latency"] * 1000) for x in ok],
                    errors=[x["start"] for x in samples if x["error"] is not None]),
    ]


def render(doc: dict[str, Any]) -> str:
    summaries = [r["summary"] for r in doc["runs"]]
    sat = doc.get("saturation")
    target = doc.get("target", {})
    prompts = doc.get("prompts", {})
    focus_i = sat["index"] if sat and "index" in sat else (
        max(range(len(summaries)), key=lambda i: summaries[i]["output_tokens_per_s"]) if summaries else None)
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>perimeter bench — "
             f"{escape(str(target.get('model', '')))}</title><style>{_CSS}</style></head><body>",
             f"<h1>perimeter bench: {escape(str(target.get('model', '')))}</h1>",
             f"<div class='meta'>{escape(str(target.get('url', '')))} · {escape(doc.get('created', ''))} · "
             f"prompts: {escape(_describe_prompts(prompts))} · SLO: {escape(_describe_slo(doc.get('slo') or {}))}</div>"]
    if doc.get("interrupted"):
        parts.append("<p class='warn'>This run was interrupted: the figures cover only the requests that "
                     "finished before Ctrl-C.</p>")
    if focus_i is not None:
        f = summaries[focus_i]
        head = "Saturation point" if sat else "Headline"
        parts.append(f"<h2>{head}: {escape(f['label'])}</h2><div>"
                     f"<span class='kpi'><b>{_num(f['output_tokens_per_s'])}</b>output tokens/s</span>"
                     f"<span class='kpi'><b>{_num(f['requests_per_s'], 2)}</b>requests/s</span>"
                     f"<span class='kpi'><b>{ms(f['ttft'].get('median'))} ms</b>TTFT median</span>"
                     f"<span class='kpi'><b>{ms(f['itl'].get('median'))} ms</b>ITL median</span>"
                     f"<span class='kpi'><b>{f['error_rate']:.1%}</b>errors</span>"
                     f"<span class='kpi'><b>{_num(f['goodput_requests_per_s'], 2)}</b>goodput req/s</span></div>")
    parts.append("<h2>All runs</h2>" + summary_rows(summaries))
    plots = _sweep_plots(summaries, sat)
    if focus_i is not None:
        plots += _run_plots(doc["runs"][focus_i])
    parts.append("<h2>Plots</h2><div class='grid'>" + "".join(f"<div class='card'>{p}</div>" for p in plots)
                 + "</div>")
    errs = {k: v for s in summaries for k, v in s["errors_by_kind"].items()}
    if errs:
        first = next((s["first_error"] for s in summaries if s["first_error"]), "")
        parts.append(f"<h2>Errors</h2><p>{escape(', '.join(f'{k}: {v}' for k, v in errs.items()))}</p>"
                     f"<p class='meta'>first: {escape(first or '')}</p>")
    parts.append("<p class='meta'>Definitions follow vLLM benchmark_serving / GuideLLM: TTFT = send → first "
                 "output chunk; ITL = gaps between later chunks; TPOT = (E2E − TTFT)/(tokens − 1); warm-up and "
                 "cool-down requests excluded.</p></body></html>")
    return "\n".join(parts)


def _describe_prompts(p: dict[str, Any]) -> str:
    if p.get("source") == "synthetic":
        return f"synthetic ~{p.get('input_tokens')} in / {p.get('output_tokens')} out tokens"
    return f"{p.get('source')} ({p.get('count')} prompts)"


def _describe_slo(slo: dict[str, float]) -> str:
    return ", ".join(f"{k} ≤ {v * 1000:g} ms" for k, v in slo.items()) or "none"
