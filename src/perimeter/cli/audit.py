"""``perimeter audit verify|export|checkpoints``: prove the audit log, export it for a SIEM."""

from __future__ import annotations

import sys

import click
import orjson

from perimeter.cli.support import config_option, open_db
from perimeter.store.audit_keys import AuditKeyError
from perimeter.store.audit_verify import export_jsonl, verify
from perimeter.store.checkpoints import stored_checkpoints


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
