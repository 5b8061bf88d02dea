"""Versioned schema migrations, run on start (both backends, same numbering).

Each migration is applied once and recorded in ``perimeter_schema``; a database newer than
this build is refused (downgrades are not silently "fixed").  On PostgreSQL an advisory lock
serialises replicas that start at the same moment, so only one of them migrates.
"""

from __future__ import annotations

from dataclasses import dataclass

from perimeter.store.db import Database, Tx


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    sqlite: str
    postgres: str


_KEYS = """
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    salt TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    team TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    allowed_aliases TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    limits TEXT NOT NULL DEFAULT '{}',
    created_at {F} NOT NULL,
    expires_at {F},
    revoked_at {F},
    rotated_from TEXT,
    updated_at {F} NOT NULL
);
CREATE INDEX IF NOT EXISTS api_keys_updated ON api_keys (updated_at)
"""

_LEDGER = """
CREATE TABLE IF NOT EXISTS ledger (
    row_id TEXT PRIMARY KEY,
    ts {F} NOT NULL,
    request_id TEXT NOT NULL,
    key_id TEXT,
    team TEXT,
    alias TEXT,
    endpoint TEXT,
    provider TEXT,
    model TEXT,
    location TEXT,
    route_reason TEXT,
    prompt_tokens {I} NOT NULL DEFAULT 0,
    completion_tokens {I} NOT NULL DEFAULT 0,
    cached_tokens {I} NOT NULL DEFAULT 0,
    token_source TEXT,
    cost {F} NOT NULL DEFAULT 0,
    reference_cost {F},
    currency TEXT,
    latency_ms {F},
    ttft_ms {F},
    status {I} NOT NULL,
    error_code TEXT,
    entity_counts TEXT NOT NULL DEFAULT '{}',
    privacy_action TEXT,
    stream {I} NOT NULL DEFAULT 0,
    replica TEXT,
    content TEXT
);
CREATE INDEX IF NOT EXISTS ledger_ts ON ledger (ts);
CREATE INDEX IF NOT EXISTS ledger_key_ts ON ledger (key_id, ts)
"""

_AUDIT = """
CREATE TABLE IF NOT EXISTS audit_log (
    seq {I} PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    ts_us {I} NOT NULL,
    replica TEXT NOT NULL,
    event TEXT NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
)
"""

_RESPONSES = """
CREATE TABLE IF NOT EXISTS responses (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    created_at {F} NOT NULL,
    alias TEXT NOT NULL,
    previous_id TEXT,
    input_items TEXT NOT NULL,
    output TEXT NOT NULL,
    response TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_created ON responses (created_at)
"""

# Anthropic bills prompt-cache writes above the input price (1.25x for 5 minutes, 2x for an
# hour); the ledger keeps them apart from cache reads so the cost can be recomputed.
_CACHE_WRITES = """
ALTER TABLE ledger ADD COLUMN cache_write_tokens {I} NOT NULL DEFAULT 0
"""


_CHAIN_LEDGER = """
ALTER TABLE ledger ADD COLUMN batch_seq {I};
CREATE INDEX IF NOT EXISTS ledger_batch ON ledger (batch_seq);
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    seq {I} PRIMARY KEY,
    hash TEXT NOT NULL,
    ts_us {I} NOT NULL,
    replica TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
)
"""


def _both(sql: str) -> tuple[str, str]:
    return (
        sql.replace("{F}", "REAL").replace("{I}", "INTEGER"),
        sql.replace("{F}", "DOUBLE PRECISION").replace("{I}", "BIGINT"),
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "api keys", *_both(_KEYS)),
    Migration(2, "usage ledger", *_both(_LEDGER)),
    Migration(3, "hash-chained audit log", *_both(_AUDIT)),
    Migration(4, "stored /v1/responses results", *_both(_RESPONSES)),
    Migration(5, "prompt-cache writes in the ledger", *_both(_CACHE_WRITES)),
    Migration(6, "ledger rows covered by the audit chain; signed checkpoints", *_both(_CHAIN_LEDGER)),
)

LATEST = MIGRATIONS[-1].version
_LOCK_ID = 0x7065726D  # "perm": advisory lock id for migrations


class SchemaTooNew(Exception):
    pass


def _current(tx: Tx) -> int:
    tx.execute("CREATE TABLE IF NOT EXISTS perimeter_schema (version INTEGER NOT NULL, description TEXT, applied_at TEXT)")
    rows = tx.execute("SELECT MAX(version) FROM perimeter_schema")
    return int(rows[0][0] or 0) if rows else 0


def migrate(db: Database) -> list[int]:
    """Bring the schema to :data:`LATEST`; returns the versions applied now."""

    def apply(tx: Tx) -> list[int]:
        if tx.postgres:
            tx.execute("SELECT pg_advisory_xact_lock(?)", (_LOCK_ID,))
        current = _current(tx)
        if current > LATEST:
            raise SchemaTooNew(
                f"{db.description}: schema version {current} is newer than this build supports ({LATEST}); "
                "upgrade perimeter"
            )
        applied = []
        for m in MIGRATIONS:
            if m.version <= current:
                continue
            tx.script(m.postgres if tx.postgres else m.sqlite)
            tx.execute(
                "INSERT INTO perimeter_schema (version, description, applied_at) VALUES (?, ?, CURRENT_TIMESTAMP)",
                (m.version, m.description),
            )
            applied.append(m.version)
        return applied

    return db.run_sync(apply)


def schema_version(db: Database) -> int:
    return db.run_sync(_current, write=False)
