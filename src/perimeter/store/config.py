"""Storage config (``storage:``): where the ledger, keys and audit log live.

Default: SQLite (WAL) in ``data_dir`` — nothing to install.  For several replicas set
``database_url: postgresql://…`` (ledger, keys, audit) and ``redis_url: redis://…`` (rate
limits, concurrency, budgets shared across replicas)::

    storage:
      data_dir: /var/lib/perimeter
      database_url: postgresql://perimeter@db:5432/perimeter
      redis_url: redis://cache:6379/0
      on_database_down: queue      # keep serving, queue ledger rows until it returns
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class AuditConfig(BaseModel):
    """How the audit log proves itself without trusting the database (``storage.audit``).

    Every entry is chained with an HMAC whose key is *not* in the database, so whoever can
    write the database still cannot rewrite history; the chain head is signed (Ed25519) every
    ``checkpoint_interval`` seconds and the checkpoints can be sent elsewhere (a file on
    another mount, syslog), so even removing the newest entries shows.
    """

    model_config = ConfigDict(extra="forbid")
    #: The chain's HMAC key (e.g. ``${PERIMETER_AUDIT_KEY}``, 16+ random characters).  Replicas
    #: that share a database must share it (production with PostgreSQL requires it or key_file).
    key: str | None = Field(default=None, min_length=16)
    #: File holding the HMAC key; default ``<data_dir>/audit.key``, created (0600) on first start.
    key_file: str | None = None
    #: Ed25519 private key (PEM) that signs checkpoints; default ``<data_dir>/audit-signing.pem``,
    #: created (0600) on first start with its public key beside it (``.pub.pem``).
    signing_key_file: str | None = None
    #: Public keys (PEM files) of other replicas' signing keys, trusted by ``audit verify``.
    trusted_keys: list[str] = Field(default_factory=list)
    #: Seconds between signed checkpoints of the chain head (and one at shutdown).
    checkpoint_interval: float = Field(default=60.0, ge=1, le=86400)
    #: Append every checkpoint as a JSON line to this file (put it on another machine or mount).
    checkpoint_file: str | None = None
    #: Also send every checkpoint to syslog: a socket path (``/dev/log``) or ``udp://host:port``.
    checkpoint_syslog: str | None = None

    @field_validator("checkpoint_syslog")
    @classmethod
    def _syslog(cls, v: str | None) -> str | None:
        if v is not None and not (v.startswith("/") or v.startswith("udp://")):
            raise ValueError("must be a socket path (/dev/log) or udp://host:port")
        return v


class StorageConfig(BaseModel):
    """Where the ledger, keys and audit live.  Default: SQLite in ``data_dir``."""

    model_config = ConfigDict(extra="forbid")
    #: SQLite file and the write-ahead journal of not-yet-stored ledger/audit rows live here.
    data_dir: str = "data"
    #: ``postgresql://…`` or ``sqlite:///path/to/file.db``; default ``sqlite`` in ``data_dir``.
    database_url: str | None = None
    #: PostgreSQL schema to use (created if missing); lets several deployments share a database.
    database_schema: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
    #: ``redis://…``: shared counters (rate limits, concurrency, budgets) for many replicas.
    redis_url: str | None = None
    #: Prefix of every Redis key this deployment writes.
    redis_prefix: str = "perimeter:"
    #: Ledger/audit writes are batched: flush at most this often (seconds) ... (the journal
    #: already makes queued rows crash-safe, so bigger batches cost no safety, only latency
    #: until a row is visible in queries)
    flush_interval: float = Field(default=0.25, gt=0, le=10)
    #: ... or as soon as this many rows are waiting.
    batch_size: int = Field(default=500, ge=1, le=100_000)
    #: ``queue``: requests keep flowing while the database is down (rows wait in the journal and
    #: in memory and are written when it returns); ``reject``: answer 503 while rows can't be stored.
    on_database_down: Literal["queue", "reject"] = "queue"
    #: Reject new requests (503) when this many rows are waiting to be written (memory bound).
    max_pending_rows: int = Field(default=200_000, ge=100)
    #: ``fsync`` the journal after each append (survives power loss, not just process crashes;
    #: costs one disk flush per request).
    journal_fsync: bool = False
    #: Replicas lease small blocks of request and concurrency slots from Redis instead of one
    #: round trip per request; still exact in total (never more than the limit across replicas),
    #: and per-request near any limit.  ``false``: one round trip per request, always.
    redis_lease: bool = True
    #: When Redis is unreachable: ``allow`` requests without shared limits (logged, counted)
    #: or ``deny`` them with 503.
    on_redis_down: Literal["allow", "deny"] = "allow"
    #: Stored ``/v1/responses`` results (``store: true``) are deleted after this many days
    #: (OpenAI keeps them 30); 0 keeps them until deleted through the API.
    responses_retention_days: int = Field(default=30, ge=0)
    #: Keyed audit chain and signed checkpoints (see :class:`AuditConfig`).
    audit: AuditConfig = Field(default_factory=AuditConfig)

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if not v.startswith(("postgresql://", "postgres://", "sqlite:///")):
            raise ValueError("must start with postgresql:// or sqlite:/// (or leave it unset for SQLite in data_dir)")
        return v

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return v

    @property
    def is_postgres(self) -> bool:
        return bool(self.database_url and self.database_url.startswith(("postgresql://", "postgres://")))
