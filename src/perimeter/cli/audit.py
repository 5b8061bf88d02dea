"""``perimeter audit verify|export|report``: check the hash chain, export JSONL, report transfers."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

import click
import orjson

from perimeter.cli.support import config_option, open_db
from perimeter.store.audit import export_jsonl, verify


@click.group("audit")
def audit() -> None:
    """Verify and export the tamper-evident audit log."""


@audit.command("verify")
@config_option
@click.option("--expect-head", default=None, help="Head hash recorded earlier (detects removal of the newest entries).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def verify_cmd(config_path: str | None, expect_head: str | None, as_json: bool) -> None:
    """Recompute the chain; exit 1 if any entry was edited, deleted or reordered."""
    db = open_db(config_path)
    try:
        res = verify(db, expect_head=expect_head)
    finally:
        db.close()
    if as_json:
        click.echo(orjson.dumps(res.as_dict()).decode())
    else:
        for p in res.problems:
            click.echo(f"PROBLEM {p}", err=True)
        state = "OK" if res.ok else "TAMPERED"
        click.echo(f"{state}: {res.entries} entries, head {res.head_hash}")
    if not res.ok:
        sys.exit(1)


@audit.command("export")
@config_option
@click.option("--out", "-o", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Output file (default: stdout).")
@click.option("--since-seq", type=int, default=0, help="Only entries after this sequence number (incremental export).")
def export_cmd(config_path: str | None, out: str, since_seq: int) -> None:
    """Write the audit log as JSON lines (one event per line) for a SIEM."""
    db = open_db(config_path)
    try:
        if out == "-":
            n = export_jsonl(db, sys.stdout.buffer, since_seq=since_seq)
            sys.stdout.buffer.flush()
        else:
            with open(out, "wb") as fh:
                n = export_jsonl(db, fh, since_seq=since_seq)
    finally:
        db.close()
    click.echo(f"exported {n} entries", err=True)


def _when(value: str | None, default: float) -> float:
    if not value:
        return default
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (2025-01-31) or an ISO time") from None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()


@audit.command("report")
@config_option
@click.option("--since", default=None, help="Start of the period (date or ISO time, UTC; default: --days ago).")
@click.option("--until", default=None, help="End of the period, excluded (default: now).")
@click.option("--days", type=float, default=30, show_default=True, help="Period length when --since is not given.")
@click.option("--format", "fmt", type=click.Choice(["csv", "html"]), default="csv", show_default=True)
@click.option("--out", "-o", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Output file (default: stdout).")
@click.option("--home", default=None, help="Home jurisdiction (default: the config's server.jurisdiction).")
def report_cmd(config_path: str | None, since: str | None, until: str | None, days: float, fmt: str, out: str,
               home: str | None) -> None:
    """Cross-border transfer report: per jurisdiction and provider, the requests it received and the
    entity types sent as originals, as surrogates, or blocked."""
    from perimeter.config import ConfigError, load_config
    from perimeter.jurisdiction import country_code
    from perimeter.store.transfers import read_report, to_csv, to_html

    try:
        cfg = load_config(config_path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    end = _when(until, time.time())
    start = _when(since, end - days * 86400)
    if start >= end:
        raise click.BadParameter("the period is empty (--since must be before --until)")
    try:
        home_code = country_code(home) if home else cfg.server.jurisdiction
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--home") from None
    db = open_db(config_path)
    try:
        rep = read_report(db, start, end, home_code)
        text = to_csv(rep) if fmt == "csv" else to_html(rep, verify(db).as_dict())
    finally:
        db.close()
    if out == "-":
        click.echo(text, nl=False)
    else:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"wrote {out}: {rep.requests} requests, {len(rep.rows)} rows", err=True)
