"""``perimeter audit verify|export``: check the hash chain, export JSONL for a SIEM."""

from __future__ import annotations

import sys

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
