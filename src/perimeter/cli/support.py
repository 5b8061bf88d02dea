"""Shared bits of the ``keys`` and ``audit`` commands: open the configured database."""

from __future__ import annotations

from typing import Any

import click

from perimeter.store.audit import append_chained, new_event
from perimeter.store.config import StorageConfig
from perimeter.store.db import Database, DatabaseUnavailable, Tx, instance_name
from perimeter.store.migrations import migrate

config_option = click.option(
    "--config", "-c", "config_path", type=click.Path(dir_okay=False), envvar="PERIMETER_CONFIG",
    help="Gateway config file (or $PERIMETER_CONFIG): its storage section says where the database is.",
)


def storage_config(config_path: str | None) -> StorageConfig:
    """Only the ``storage`` section: these commands must not need the server's secrets."""
    from perimeter.config import ConfigError, load_section

    try:
        section: StorageConfig = load_section(config_path, "storage")
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    return section


def open_db(config_path: str | None) -> Database:
    db = Database(storage_config(config_path))
    try:
        migrate(db)
    except DatabaseUnavailable as exc:
        db.close()
        raise click.ClickException(f"cannot open the database: {exc}") from None
    return db


def audit_now(db: Database, event: str, data: dict[str, Any]) -> None:
    """Append one audit event synchronously (the CLI has no background writer)."""
    ev = new_event(event, {**data, "by": "cli"}, f"cli@{instance_name()}")

    def op(tx: Tx) -> None:
        append_chained(tx, [ev])

    db.run_sync(op)
