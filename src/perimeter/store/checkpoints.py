"""Signed checkpoints of the audit chain head, kept in the database and sent elsewhere.

A checkpoint says "at ``ts`` the chain had ``seq`` entries ending in ``hash``", signed with the
replica's Ed25519 key.  ``perimeter audit verify`` checks each checkpoint's signature and that
the chain still has that entry with that hash; with ``--checkpoints FILE`` (the exported copy,
which an attacker of the database cannot reach) it also notices entries removed from the end.
Export targets: a JSON-lines file (``storage.audit.checkpoint_file``) and syslog
(``storage.audit.checkpoint_syslog``).
"""

from __future__ import annotations

import logging
import logging.handlers
import time
from pathlib import Path
from typing import Any

import orjson

from perimeter.store.audit import chain_head, lock_chain
from perimeter.store.audit_keys import AuditKeys, private_dir
from perimeter.store.config import AuditConfig
from perimeter.store.db import Tx

log = logging.getLogger("perimeter.store.checkpoints")

_TAG = "perimeter-audit-checkpoint-v1"


def checkpoint_message(seq: int, head: str, ts_us: int, replica: str) -> bytes:
    """The exact bytes a checkpoint signature covers."""
    return f"{_TAG}\n{seq}\n{head}\n{ts_us}\n{replica}".encode()


def write_checkpoint(tx: Tx, keys: AuditKeys, replica: str) -> dict[str, Any] | None:
    """Sign the current chain head and store the checkpoint; ``None`` if nothing new to sign."""
    if keys.signing_key is None or keys.signer_id is None:
        return None
    lock_chain(tx)
    seq, head = chain_head(tx)
    if seq == 0 or tx.execute("SELECT 1 FROM audit_checkpoints WHERE seq = ?", (seq,)):
        return None
    ts_us = time.time_ns() // 1000
    cp = {"seq": seq, "hash": head, "ts_us": ts_us, "replica": replica, "key_id": keys.signer_id,
          "signature": keys.sign(checkpoint_message(seq, head, ts_us, replica))}
    tx.execute("INSERT INTO audit_checkpoints (seq, hash, ts_us, replica, key_id, signature) VALUES (?, ?, ?, ?, ?, ?)",
               (seq, head, ts_us, replica, cp["key_id"], cp["signature"]))
    return cp


def stored_checkpoints(tx: Tx) -> list[dict[str, Any]]:
    rows = tx.execute("SELECT seq, hash, ts_us, replica, key_id, signature FROM audit_checkpoints ORDER BY seq")
    return [{"seq": int(r[0]), "hash": r[1], "ts_us": int(r[2]), "replica": r[3], "key_id": r[4], "signature": r[5]}
            for r in rows]


def read_checkpoint_file(path: str | Path) -> list[dict[str, Any]]:
    """Checkpoints exported to a JSON-lines file (the copy outside the database)."""
    out = []
    for n, line in enumerate(Path(path).read_bytes().splitlines(), 1):
        if not line.strip():
            continue
        try:
            cp = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise ValueError(f"{path}:{n}: not a JSON line") from None
        if not isinstance(cp, dict) or not {"seq", "hash", "ts_us", "replica", "key_id", "signature"} <= set(cp):
            raise ValueError(f"{path}:{n}: not a checkpoint")
        out.append(cp)
    return out


class CheckpointExporter:
    """Sends each new checkpoint to a file and/or syslog, so a copy lives outside the database."""

    def __init__(self, cfg: AuditConfig) -> None:
        self.file = Path(cfg.checkpoint_file) if cfg.checkpoint_file else None
        self._syslog: logging.Logger | None = None
        self.failures = 0
        if cfg.checkpoint_syslog:
            target = cfg.checkpoint_syslog
            address: str | tuple[str, int]
            if target.startswith("udp://"):
                host, _, port = target.removeprefix("udp://").rpartition(":")
                address = (host or "127.0.0.1", int(port or 514))
            else:
                address = target
            handler = logging.handlers.SysLogHandler(address=address, facility=logging.handlers.SysLogHandler.LOG_AUTH)
            handler.setFormatter(logging.Formatter("perimeter-audit: %(message)s"))
            handler.append_nul = False  # the message is one JSON document, nothing after it
            self._syslog = logging.getLogger(f"perimeter.audit.checkpoints.{id(self)}")
            self._syslog.propagate = False
            self._syslog.setLevel(logging.INFO)
            self._syslog.addHandler(handler)

    def emit(self, cp: dict[str, Any]) -> None:
        line = orjson.dumps(cp)
        if self.file is not None:
            try:
                private_dir(self.file.parent)
                with open(self.file, "ab") as fh:
                    fh.write(line + b"\n")
            except OSError as exc:
                self.failures += 1
                log.error("cannot export audit checkpoint %s to %s: %s", cp["seq"], self.file, exc)
        if self._syslog is not None:
            self._syslog.info(line.decode())

    def close(self) -> None:
        if self._syslog is not None:
            for h in list(self._syslog.handlers):
                h.close()
                self._syslog.removeHandler(h)
