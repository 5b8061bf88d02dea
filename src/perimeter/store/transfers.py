"""The cross-border transfer report: where personal data went, read back from the audit log.

Every ``request`` audit entry lists each provider that received the request (failed attempts
included) with its jurisdiction and location and which entity types it got as originals or as
surrogates.  This module folds a period of those entries into one row per (jurisdiction,
provider) — the document a DPO asks for under 152-FZ or GDPR Chapter V — and writes it as CSV
or as a self-contained HTML page.  Only types and counts exist in the log, never values.
"""

from __future__ import annotations

import csv
import html
import io
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson

from perimeter.store.db import Database, Tx

NOT_SENT = "(not sent)"


@dataclass(slots=True)
class TransferRow:
    jurisdiction: str  # ISO code, "unknown", or "-" for requests that went nowhere
    provider: str
    location: str
    requests: int = 0  # requests this provider received (attempts that failed included)
    served: int = 0  # of those, the ones it answered
    unscanned: int = 0  # received without a privacy scan (privacy off for the alias)
    originals: Counter[str] = field(default_factory=Counter)
    surrogates: Counter[str] = field(default_factory=Counter)
    blocked: Counter[str] = field(default_factory=Counter)

    def cross_border(self, home: str | None) -> bool | None:
        if self.provider == NOT_SENT or self.location == "on_prem":
            return False
        if home is None or self.jurisdiction == "unknown":
            return None
        return self.jurisdiction != home


@dataclass(slots=True)
class TransferReport:
    since: float
    until: float
    home: str | None
    rows: list[TransferRow]
    requests: int = 0

    def originals_abroad(self) -> Counter[str]:
        """Entity types whose originals left the home jurisdiction (or went somewhere unknown)."""
        out: Counter[str] = Counter()
        for r in self.rows:
            if r.cross_border(self.home) is not False:
                out.update(r.originals)
        return out


def read_report(db: Database, since: float, until: float, home: str | None, page: int = 2000) -> TransferReport:
    """Fold the ``request`` audit entries with ``since <= ts < until`` (epoch seconds)."""
    rows: dict[tuple[str, str, str], TransferRow] = {}
    report = TransferReport(since, until, home, [])
    last = -1
    while True:
        def fetch(tx: Tx, last: int = last) -> list[tuple[Any, ...]]:
            return tx.execute("SELECT seq, data FROM audit_log WHERE event = ? AND ts_us >= ? AND ts_us < ? "
                              "AND seq > ? ORDER BY seq LIMIT ?",
                              ("request", int(since * 1e6), int(until * 1e6), last, page))

        batch = db.run_sync(fetch, write=False)
        if not batch:
            break
        for seq, data in batch:
            report.requests += 1
            _fold(rows, orjson.loads(data))
            last = int(seq)
    report.rows = sorted(rows.values(), key=lambda r: (r.provider == NOT_SENT, r.jurisdiction, r.provider))
    return report


def _fold(rows: dict[tuple[str, str, str], TransferRow], entry: dict[str, Any]) -> None:
    transfers = entry.get("transfers") or {}
    if not transfers:
        row = rows.setdefault(("-", NOT_SENT, "-"), TransferRow("-", NOT_SENT, "-"))
        row.requests += 1
        row.blocked.update((entry.get("entities") or {}).keys())
        return
    for provider, t in transfers.items():
        if not isinstance(t, dict):
            continue
        key = (str(t.get("jurisdiction") or "unknown"), str(provider), str(t.get("location") or "-"))
        row = rows.setdefault(key, TransferRow(*key))
        row.requests += 1
        row.served += bool(t.get("served"))
        row.unscanned += not t.get("scanned", True)
        row.originals.update(t.get("originals") or ())
        row.surrogates.update(t.get("surrogates") or ())


# ------------------------------------------------------------------------------------------ output

COLUMNS = ("period_start", "period_end", "jurisdiction", "provider", "location", "cross_border", "requests",
           "served", "originals", "surrogates", "blocked", "unscanned")


def _types(c: Counter[str]) -> str:
    return " ".join(f"{t}={n}" for t, n in sorted(c.items()))


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _cross(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def to_csv(report: TransferReport) -> str:
    """One row per (jurisdiction, provider); entity types as ``TYPE=requests`` lists."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in report.rows:
        w.writerow([_iso(report.since), _iso(report.until), r.jurisdiction, r.provider, r.location,
                    _cross(r.cross_border(report.home)), r.requests, r.served, _types(r.originals),
                    _types(r.surrogates), _types(r.blocked), r.unscanned])
    return buf.getvalue()


_CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}
tr.abroad td{background:#fff4e5}.bad{color:#b00020;font-weight:600}.ok{color:#1b5e20}small{color:#666}"""


def to_html(report: TransferReport, chain: dict[str, Any] | None = None) -> str:
    """A self-contained page: summary, the integrity of the audit chain it was read from, the table."""
    e = html.escape
    abroad = report.originals_abroad()
    head = f"<p>Period: <b>{e(_iso(report.since))}</b> — <b>{e(_iso(report.until))}</b> (end excluded). " \
           f"Home jurisdiction: <b>{e(report.home or 'not configured (server.jurisdiction)')}</b>. " \
           f"Requests in the period: <b>{report.requests}</b>.</p>"
    if abroad:
        verdict = f'<p class="bad">Originals that left the home jurisdiction: {e(_types(abroad))}</p>'
    else:
        verdict = '<p class="ok">No original of any detected entity type left the home jurisdiction.</p>'
    if chain is not None:
        state = "intact" if chain.get("ok") else "TAMPERED"
        verdict += (f"<p>Audit log hash chain: <b class=\"{'ok' if chain.get('ok') else 'bad'}\">{state}</b> "
                    f"({chain.get('entries')} entries, head <code>{e(str(chain.get('head_hash')))}</code>)</p>")
    cells = []
    for r in report.rows:
        cross = r.cross_border(report.home)
        cells.append(
            f"<tr class=\"{'abroad' if cross is not False else ''}\"><td>{e(r.jurisdiction)}</td><td>{e(r.provider)}</td>"
            f"<td>{e(r.location)}</td><td>{_cross(cross)}</td><td>{r.requests}</td><td>{r.served}</td>"
            f"<td>{e(_types(r.originals))}</td><td>{e(_types(r.surrogates))}</td><td>{e(_types(r.blocked))}</td>"
            f"<td>{r.unscanned}</td></tr>")
    header = "".join(f"<th>{c}</th>" for c in ("jurisdiction", "provider", "location", "cross-border", "requests",
                                                "served", "originals (TYPE=requests)", "surrogates", "blocked",
                                                "unscanned"))
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Cross-border transfer report"
            f"</title><style>{_CSS}</style></head><body><h1>Cross-border transfer report</h1>{head}{verdict}"
            f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(cells)}</tbody></table>"
            "<p><small>Generated by Perimeter from its tamper-evident audit log. Counts are requests; entity "
            "types only, never values. “originals”: the provider received the data as written; “surrogates”: "
            "it received pseudonyms; “blocked”: the request was refused and sent nowhere.</small></p>"
            "</body></html>\n")
