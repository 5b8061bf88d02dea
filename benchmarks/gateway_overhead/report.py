"""Markdown report of a gateway overhead run (see bench.py): tables, ratios and target verdicts."""

from __future__ import annotations

from typing import Any

MODES = ("json", "sse")
MODE_TITLE = {"json": "non-streaming", "sse": "streaming"}
STAGES = ("auth", "scan", "pseudonymise", "route", "upstream", "restore", "account", "observe", "http", "loop")
HEADLINE = "PII → cloud, production"


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
    out += headline(res)
    out += stage_table(res)
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
    out += goals(res)
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


def _is_pii(name: str) -> bool:
    return HEADLINE in name


def headline(res: dict[str, Any]) -> list[str]:
    """The production PII → cloud rows beside nginx, the peers and the other Perimeter rows."""
    T = res["targets"]
    if not any(_is_pii(n) for n in T):
        return []
    out = ["**Headline: a PII-bearing prompt (name, phone, e-mail; different in every request) to a cloud "
           "provider, pseudonymised and restored, production mode** (virtual key with limits, ledger + audit on "
           "SQLite). Saturation req/s (median), lone-request p50, server CPU per request:", "",
           "| target | req/s | stream req/s | stream/non-stream | lone p50 | stream lone p50 | CPU ms/req "
           "| stream CPU ms/req |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, e in T.items():
        j, ss = e["modes"]["json"], e["modes"]["sse"]
        out.append(f"| {name} | {j['saturation_rps_median']:,.0f} | {ss['saturation_rps_median']:,.0f} "
                   f"| {fmt_ratio(ss['saturation_rps_median'], j['saturation_rps_median'])} "
                   f"| {j['lone_p50_ms']:.2f} ms | {ss['lone_p50_ms']:.2f} ms | {j['cpu_ms_per_req_median']:.3f} "
                   f"| {ss['cpu_ms_per_req_median']:.3f} |")
    out.append("")
    return out


def stage_table(res: dict[str, Any]) -> list[str]:
    T = res["targets"]
    rows = [(n, m, e["modes"][m]) for n, e in T.items() for m in MODES if e["modes"][m].get("cpu_ms_by_stage")]
    if not rows:
        return []
    out = ["**CPU per request by stage** (ms; each thread's CPU split by its py-spy samples, as a share × the "
           "measured CPU/request; `observe` = metrics and tracing, `http` = the server, request parsing and response "
           "writing, `loop` = the bare event loop)", "",
           "| target | mode | " + " | ".join(STAGES) + " | total |", "|---|---|" + "---:|" * (len(STAGES) + 1)]
    for name, mode, m in rows:
        by = m["cpu_ms_by_stage"]
        out.append(f"| {name} | {MODE_TITLE[mode]} | " + " | ".join(f"{by.get(k, 0):.3f}" for k in STAGES)
                   + f" | {m['cpu_ms_per_req_median']:.3f} |")
    out.append("")
    return out


def goals(res: dict[str, Any]) -> list[str]:
    """Issue 13's goals for the production PII → cloud path (after build only)."""
    T = res["targets"]
    direct = next((e for e in T.values() if e["kind"] == "direct"), None)
    after = {n: e for n, e in T.items() if _is_pii(n) and " @ " not in n}
    one = next((e for n, e in after.items() if e["workers"] == "1"), None)
    two = next((e for n, e in after.items() if e["workers"] == "2"), None)
    if one is None:
        return []
    out = ["**Goals of the PII → cloud production path** (1 worker unless said)", ""]
    for mode in MODES:
        pm = one["modes"][mode]
        rps = pm["saturation_rps_median"]
        for kind, need in (("portkey", 1.0), ("litellm", 15.0)):
            peer = next((e for e in T.values() if e["kind"] == kind and e["workers"] == "1"), None)
            if peer is not None:
                r = rps / max(peer["modes"][mode]["saturation_rps_median"], 1e-9)
                out.append(f"- {MODE_TITLE[mode]}: {r:.2f}× {kind} 1 worker (need ≥ {need:g}×) "
                           f"{'PASS' if r >= need else 'MISS'}")
        cpu = pm["cpu_ms_per_req_median"]
        out.append(f"- {MODE_TITLE[mode]}: CPU {cpu:.3f} ms/request (need ≤ 0.6) {'PASS' if cpu <= 0.6 else 'MISS'}")
        if direct is not None:
            added = pm["lone_p50_ms"] - direct["modes"][mode]["lone_p50_ms"]
            out.append(f"- {MODE_TITLE[mode]}: added lone p50 {added:+.2f} ms (need ≤ 1) "
                       f"{'PASS' if added <= 1.0 else 'MISS'}")
        if two is not None:
            r = two["modes"][mode]["saturation_rps_median"] / max(rps, 1e-9)
            out.append(f"- {MODE_TITLE[mode]}: 2 workers {r:.2f}× 1 worker (need ≥ 1.7×) {'PASS' if r >= 1.7 else 'MISS'}")
    r = one["modes"]["sse"]["saturation_rps_median"] / max(one["modes"]["json"]["saturation_rps_median"], 1e-9)
    out.append(f"- streaming {r:.2f}× non-streaming (need ≥ 0.8×) {'PASS' if r >= 0.8 else 'MISS'}")
    out.append("")
    return out
