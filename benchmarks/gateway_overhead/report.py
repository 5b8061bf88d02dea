"""Markdown report of a gateway overhead run (see bench.py): tables, ratios and target verdicts."""

from __future__ import annotations

from typing import Any

MODES = ("json", "sse")
MODE_TITLE = {"json": "non-streaming", "sse": "streaming"}


def fmt_ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b > 0 else "n/a"


def markdown(res: dict[str, Any]) -> str:
    T = res["targets"]
    direct = next((n for n, e in T.items() if e["kind"] == "direct"), None)
    s = res["settings"]
    out: list[str] = []
    out.append(f"Run {res['started']}, {res['machine']['cpus']} CPUs (shared), load average at end "
               f"{res['machine']['loadavg_end']}, {res['wall_seconds']:.0f} s, nice {s.get('nice', 0)}; "
               f"saturation = median of {s['reps']} × `wrk -t2 -c{s['conns']} -d{s['duration_s']:g}s`.")
    out.append("")
    out.append("**Saturation throughput** (requests/s; CPU = server CPU time per request, all its processes)")
    out.append("")
    out.append("| target | non-stream req/s | vs nginx | CPU ms/req | stream req/s | vs nginx | CPU ms/req | errors |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, e in T.items():
        j, ss = e["modes"]["json"], e["modes"]["sse"]
        dj = T[direct]["modes"]["json"]["saturation_rps_median"] if direct else 0
        ds = T[direct]["modes"]["sse"]["saturation_rps_median"] if direct else 0
        out.append(f"| {name} | {j['saturation_rps_median']:,.0f} | {fmt_ratio(j['saturation_rps_median'], dj)} "
                   f"| {j['cpu_ms_per_req_median']:.3f} | {ss['saturation_rps_median']:,.0f} "
                   f"| {fmt_ratio(ss['saturation_rps_median'], ds)} | {ss['cpu_ms_per_req_median']:.3f} "
                   f"| {j['saturation_errors'] + ss['saturation_errors']} |")
    out.append("")
    out.append(f"**Lone-request latency** (one client, one connection, back-to-back requests: "
               f"`wrk -t1 -c1 -d{s['lone_duration_s']:g}s`, median of {s['lone_rounds']} runs; "
               "added = target − nginx direct)")
    out.append("")
    out.append("| target | non-stream p50 | p99 | added p50 | added p99 | CPU ms/req "
               "| stream p50 | p99 | added p50 | added p99 | CPU ms/req |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, e in T.items():
        cells = []
        for mode in MODES:
            m = e["modes"][mode]
            d = T[direct]["modes"][mode] if direct else m
            cells += [f"{m['lone_p50_ms']:.3f} ms", f"{m['lone_p99_ms']:.2f} ms",
                      f"{m['lone_p50_ms'] - d['lone_p50_ms']:+.3f} ms", f"{m['lone_p99_ms'] - d['lone_p99_ms']:+.2f} ms",
                      f"{m['lone_cpu_ms_per_req_median']:.3f}"]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    for rate in s["rates"]:
        out.append("")
        out.append(f"**Fixed offered rate {rate} req/s** (`hey -q`, {s['rate_duration_s']:g} s; "
                   "achieved rate below the offer means the target could not keep up)")
        out.append("")
        out.append("| target | non-stream achieved | p50 | p99 | added p50 | stream achieved | p50 | p99 | added p50 |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, e in T.items():
            cells = []
            for mode in MODES:
                f = e["modes"][mode]["fixed_rate"][str(rate)]
                d = T[direct]["modes"][mode]["fixed_rate"][str(rate)] if direct else f
                cells += [f"{f['achieved_rps']:.0f}/s", f"{f['p50_ms']:.2f} ms", f"{f['p99_ms']:.2f} ms",
                          f"{f['p50_ms'] - d['p50_ms']:+.2f} ms"]
            out.append(f"| {name} | " + " | ".join(cells) + " |")
    out.append("")
    out += verdicts(res)
    if res["skipped"]:
        out.append("")
        out.append("Skipped: " + "; ".join(f"{k} ({v})" for k, v in res["skipped"].items()))
    out.append("")
    out.append("Versions: " + "; ".join(f"{n}: {e['version']}" for n, e in T.items()))
    return "\n".join(out)


def verdicts(res: dict[str, Any]) -> list[str]:
    T = res["targets"]
    direct = next((e for e in T.values() if e["kind"] == "direct"), None)
    per = {n: e for n, e in T.items() if e["kind"] == "perimeter"}
    out = ["**Targets** (issue: added p50 ≤ 1 ms for a lone request; saturation ≥ 10× LiteLLM and ≥ Portkey)", ""]
    for pname, p in per.items():
        for mode in MODES:
            pm = p["modes"][mode]
            parts = []
            if direct is not None:
                added = pm["lone_p50_ms"] - direct["modes"][mode]["lone_p50_ms"]
                parts.append(f"added p50 {added:+.2f} ms {'PASS' if added <= 1.0 else 'MISS'}")
            for peer_kind, need in (("litellm", 10.0), ("portkey", 1.0)):
                for qname, q in T.items():
                    if q["kind"] != peer_kind:
                        continue
                    ratio = pm["saturation_rps_median"] / max(q["modes"][mode]["saturation_rps_median"], 1e-9)
                    parts.append(f"{ratio:.2f}× {qname} (need ≥ {need:g}×) {'PASS' if ratio >= need else 'MISS'}")
            out.append(f"- {pname}, {MODE_TITLE[mode]}: " + "; ".join(parts))
    return out
