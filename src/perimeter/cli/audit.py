"""``perimeter audit verify|export|checkpoints|report``: prove the audit log, export it, report transfers."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import Any

import click
import orjson

from perimeter.cli.support import config_option, open_db
from perimeter.store.audit_keys import AuditKeyError
from perimeter.store.audit_verify import export_jsonl, verify
from perimeter.store.checkpoints import stored_checkpoints
from perimeter.store.db import Database


@click.group("audit")
def audit() -> None:
    """Verify and export the tamper-evident audit log."""


@audit.command("verify")
@config_option
@click.option("--expect-head", default=None, help="Head hash recorded earlier (detects removal of the newest entries).")
@click.option("--checkpoints", "checkpoint_file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Checkpoints exported outside the database (storage.audit.checkpoint_file): also catches "
                   "entries removed from the end.")
@click.option("--public-key", "public_keys", multiple=True, type=click.Path(dir_okay=False, exists=True),
              help="Extra Ed25519 public key (PEM) whose checkpoint signatures to trust (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def verify_cmd(config_path: str | None, expect_head: str | None, checkpoint_file: str | None,
               public_keys: tuple[str, ...], as_json: bool) -> None:
    """Recompute the keyed chain, the ledger's coverage and the signed checkpoints; exit 1 on any problem.

    Needs the chain key the gateway writes with (storage.audit.key or key_file): without it
    nothing can be proven, so it exits 2 instead of printing OK.
    """
    db = open_db(config_path)
    try:
        res = verify(db, keys=db.audit_keys(create=False), expect_head=expect_head, checkpoint_file=checkpoint_file,
                     public_keys=list(public_keys))
    except (AuditKeyError, ValueError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    finally:
        db.close()
    if as_json:
        click.echo(orjson.dumps(res.as_dict()).decode())
    else:
        for p in res.problems:
            click.echo(f"PROBLEM {p}", err=True)
        for n in res.notes:
            click.echo(f"note: {n}", err=True)
        state = "OK" if res.ok else "TAMPERED"
        click.echo(f"{state}: {res.entries} entries, head {res.head_hash}; {res.ledger_rows} ledger rows in "
                   f"{res.ledger_batches} batches; {res.checkpoints} signed checkpoints "
                   f"(last at seq {res.last_checkpoint_seq})")
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


@audit.command("checkpoints")
@config_option
@click.option("--out", "-o", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Output file (default: stdout); the format `audit verify --checkpoints` reads.")
def checkpoints_cmd(config_path: str | None, out: str) -> None:
    """Write the signed checkpoints stored in the database as JSON lines (copy them somewhere safe)."""
    db = open_db(config_path)
    try:
        cps = db.run_sync(stored_checkpoints, write=False)
    finally:
        db.close()
    data = b"".join(orjson.dumps(cp) + b"\n" for cp in cps)
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        with open(out, "wb") as fh:
            fh.write(data)
    click.echo(f"exported {len(cps)} checkpoints", err=True)


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
    from perimeter.config import ConfigError, load_section
    from perimeter.jurisdiction import country_code
    from perimeter.store.transfers import read_report, to_csv, to_html

    try:  # only the server section: like every audit command, no need for the server's secrets
        server = load_section(config_path, "server")
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    end = _when(until, time.time())
    start = _when(since, end - days * 86400)
    if start >= end:
        raise click.BadParameter("the period is empty (--since must be before --until)")
    try:
        home_code = country_code(home) if home else server.jurisdiction
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--home") from None
    db = open_db(config_path)
    try:
        rep = read_report(db, start, end, home_code)
        text = to_csv(rep) if fmt == "csv" else to_html(rep, _chain_state(db))
    finally:
        db.close()
    if out == "-":
        click.echo(text, nl=False)
    else:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"wrote {out}: {rep.requests} requests, {len(rep.rows)} rows", err=True)


def _chain_state(db: Database) -> dict[str, Any]:
    """The audit chain's verification for the report page (or why it could not be checked)."""
    try:
        return verify(db, keys=db.audit_keys(create=False)).as_dict()
    except AuditKeyError as exc:
        return {"ok": False, "entries": 0, "head_hash": "", "problems": [f"not verified: {exc}"]}
