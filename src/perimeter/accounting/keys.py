"""Virtual API keys: created once, stored only as salted hashes, looked up from memory.

A key looks like ``pk-<key_id>.<secret>``: ``key_id`` (12 hex) is the public, stored handle
used in the ledger, the audit log and the CLI; the 256-bit ``secret`` is stored only as
``sha256(salt || secret)``.  A fast hash is right here (unlike passwords): the secret is
random and long, so there is nothing to brute-force, and the gateway checks it per request.

:class:`KeyStore` is the database side (CLI, admin API).  :class:`KeyCache` is the hot path:
every key is held in memory, and a poll of rows changed since the last poll (every
``key_cache_ttl`` seconds) brings in keys created, revoked or rotated by other replicas or the
CLI.  A key the cache has never seen costs one database lookup, then it is cached (unknown ids
are cached as negatives for the same TTL, so junk keys cannot hammer the database).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import secrets
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from perimeter.accounting.config import LimitsConfig
from perimeter.store.db import Database, DatabaseUnavailable, Tx

log = logging.getLogger("perimeter.accounting.keys")

PREFIX = "pk-"
_COLS = (
    "key_id, salt, secret_hash, name, team, tags, allowed_aliases, metadata, limits, created_at, "
    "expires_at, revoked_at, rotated_from, updated_at"
)


@dataclass(slots=True, frozen=True)
class KeyRecord:
    key_id: str
    salt: str
    secret_hash: str
    name: str = ""
    team: str | None = None
    tags: tuple[str, ...] = ()
    allowed_aliases: tuple[str, ...] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    created_at: float = 0.0
    expires_at: float | None = None
    revoked_at: float | None = None
    rotated_from: str | None = None
    updated_at: float = 0.0

    def status(self, now: float | None = None) -> str:
        now = time.time() if now is None else now
        if self.revoked_at is not None and self.revoked_at <= now:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    def public(self) -> dict[str, Any]:
        """What the CLI and admin API show: never the hash or salt."""
        return {
            "key_id": self.key_id,
            "name": self.name,
            "team": self.team,
            "tags": list(self.tags),
            "allowed_aliases": list(self.allowed_aliases) if self.allowed_aliases is not None else None,
            "metadata": self.metadata,
            "limits": self.limits.model_dump(exclude_none=True, exclude_defaults=True),
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "revoked_at": self.revoked_at,
            "rotated_from": self.rotated_from,
            "status": self.status(),
        }

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(_hash(self.salt, secret), self.secret_hash)


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def parse_key(presented: str) -> tuple[str, str] | None:
    """``pk-<id>.<secret>`` → ``(id, secret)``; ``None`` if it is not one of our keys."""
    if not presented.startswith(PREFIX):
        return None
    key_id, sep, secret = presented[len(PREFIX) :].partition(".")
    if not sep or not key_id or not secret or len(key_id) > 64:
        return None
    return key_id, secret


def _row_to_record(r: tuple[Any, ...]) -> KeyRecord:
    aliases = orjson.loads(r[6]) if r[6] else None
    return KeyRecord(
        key_id=r[0], salt=r[1], secret_hash=r[2], name=r[3] or "", team=r[4],
        tags=tuple(orjson.loads(r[5] or "[]")),
        allowed_aliases=tuple(aliases) if aliases is not None else None,
        metadata=orjson.loads(r[7] or "{}"),
        limits=LimitsConfig.model_validate(orjson.loads(r[8] or "{}")),
        created_at=float(r[9]), expires_at=r[10], revoked_at=r[11], rotated_from=r[12], updated_at=float(r[13]),
    )


class KeyError_(Exception):
    """A key operation the caller got wrong (unknown id, already revoked)."""


class KeyStore:
    """Create / list / revoke / rotate keys in the database (not the hot path)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _new_secret() -> tuple[str, str, str, str]:
        key_id = uuid.uuid4().hex[:12]
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_hex(16)
        return key_id, secret, salt, _hash(salt, secret)

    def _insert(self, tx: Tx, rec: KeyRecord) -> None:
        tx.execute(
            f"INSERT INTO api_keys ({_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                rec.key_id, rec.salt, rec.secret_hash, rec.name, rec.team, orjson.dumps(list(rec.tags)).decode(),
                orjson.dumps(list(rec.allowed_aliases)).decode() if rec.allowed_aliases is not None else None,
                orjson.dumps(rec.metadata).decode(), rec.limits.model_dump_json(exclude_none=True),
                rec.created_at, rec.expires_at, rec.revoked_at, rec.rotated_from, rec.updated_at,
            ),
        )

    async def create(
        self,
        *,
        name: str = "",
        team: str | None = None,
        tags: list[str] | tuple[str, ...] = (),
        allowed_aliases: list[str] | tuple[str, ...] | None = None,
        metadata: dict[str, Any] | None = None,
        limits: LimitsConfig | None = None,
        expires_at: float | None = None,
    ) -> tuple[str, KeyRecord]:
        """Returns ``(plaintext key, record)``; the plaintext is never stored or shown again."""
        key_id, secret, salt, h = self._new_secret()
        now = time.time()
        rec = KeyRecord(
            key_id=key_id, salt=salt, secret_hash=h, name=name, team=team, tags=tuple(tags),
            allowed_aliases=tuple(allowed_aliases) if allowed_aliases is not None else None,
            metadata=dict(metadata or {}), limits=limits or LimitsConfig(), created_at=now,
            expires_at=expires_at, updated_at=now,
        )
        await self.db.run(lambda tx: self._insert(tx, rec))
        return f"{PREFIX}{key_id}.{secret}", rec

    async def get(self, key_id: str) -> KeyRecord | None:
        rows = await self.db.run(
            lambda tx: tx.execute(f"SELECT {_COLS} FROM api_keys WHERE key_id = ?", (key_id,)), write=False
        )
        return _row_to_record(rows[0]) if rows else None

    async def all(self, *, include_inactive: bool = True, team: str | None = None) -> list[KeyRecord]:
        sql = f"SELECT {_COLS} FROM api_keys"
        params: tuple[Any, ...] = ()
        if team is not None:
            sql += " WHERE team = ?"
            params = (team,)
        rows = await self.db.run(lambda tx: tx.execute(sql + " ORDER BY created_at", params), write=False)
        recs = [_row_to_record(r) for r in rows]
        return recs if include_inactive else [r for r in recs if r.status() == "active"]

    async def changed_since(self, since: float) -> list[KeyRecord]:
        rows = await self.db.run(
            lambda tx: tx.execute(f"SELECT {_COLS} FROM api_keys WHERE updated_at >= ?", (since,)), write=False
        )
        return [_row_to_record(r) for r in rows]

    async def count(self) -> int:
        rows = await self.db.run(lambda tx: tx.execute("SELECT COUNT(*) FROM api_keys"), write=False)
        return int(rows[0][0])

    async def revoke(self, key_id: str) -> KeyRecord:
        def op(tx: Tx) -> KeyRecord:
            rows = tx.execute(f"SELECT {_COLS} FROM api_keys WHERE key_id = ?", (key_id,))
            if not rows:
                raise KeyError_(f"no key with id '{key_id}'")
            rec = _row_to_record(rows[0])
            if rec.revoked_at is not None:
                raise KeyError_(f"key '{key_id}' is already revoked")
            now = time.time()
            tx.execute("UPDATE api_keys SET revoked_at = ?, updated_at = ? WHERE key_id = ?", (now, now, key_id))
            return replace(rec, revoked_at=now, updated_at=now)

        return await self.db.run(op)

    async def update(self, key_id: str, **fields: Any) -> KeyRecord:
        """Change name/team/tags/allowed_aliases/metadata/limits/expires_at of a key."""
        allowed = {"name", "team", "tags", "allowed_aliases", "metadata", "limits", "expires_at"}
        unknown = set(fields) - allowed
        if unknown:
            raise KeyError_(f"cannot update {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(allowed))})")

        def op(tx: Tx) -> KeyRecord:
            rows = tx.execute(f"SELECT {_COLS} FROM api_keys WHERE key_id = ?", (key_id,))
            if not rows:
                raise KeyError_(f"no key with id '{key_id}'")
            rec = _row_to_record(rows[0])
            upd: dict[str, Any] = dict(fields)
            if "tags" in upd:
                upd["tags"] = tuple(upd["tags"] or ())
            if "allowed_aliases" in upd and upd["allowed_aliases"] is not None:
                upd["allowed_aliases"] = tuple(upd["allowed_aliases"])
            if "limits" in upd and not isinstance(upd["limits"], LimitsConfig):
                upd["limits"] = LimitsConfig.model_validate(upd["limits"] or {})
            new = replace(rec, **upd, updated_at=time.time())
            tx.execute("DELETE FROM api_keys WHERE key_id = ?", (key_id,))
            self._insert(tx, new)
            return new

        return await self.db.run(op)

    async def rotate(self, key_id: str, *, grace_seconds: float = 0.0) -> tuple[str, KeyRecord]:
        """New secret with the same attributes; the old key stops working after ``grace_seconds``."""
        new_id, secret, salt, h = self._new_secret()

        def op(tx: Tx) -> KeyRecord:
            rows = tx.execute(f"SELECT {_COLS} FROM api_keys WHERE key_id = ?", (key_id,))
            if not rows:
                raise KeyError_(f"no key with id '{key_id}'")
            old = _row_to_record(rows[0])
            if old.status() != "active":
                raise KeyError_(f"key '{key_id}' is {old.status()}; only active keys can be rotated")
            now = time.time()
            end = now + grace_seconds
            tx.execute("UPDATE api_keys SET revoked_at = ?, updated_at = ? WHERE key_id = ?", (end, now, key_id))
            new = replace(old, key_id=new_id, salt=salt, secret_hash=h, created_at=now, revoked_at=None,
                          rotated_from=key_id, updated_at=now)
            self._insert(tx, new)
            return new

        rec = await self.db.run(op)
        return f"{PREFIX}{new_id}.{secret}", rec


class KeyCache:
    """All keys in memory, refreshed by polling the rows changed since the last poll."""

    def __init__(self, store: KeyStore, ttl: float = 5.0) -> None:
        self.store = store
        self.ttl = ttl
        self._keys: dict[str, KeyRecord] = {}
        self._negative: dict[str, float] = {}
        self._last_poll = 0.0
        self._task: asyncio.Task[None] | None = None
        self.poll_failures = 0

    def __len__(self) -> int:
        return len(self._keys)

    async def load(self) -> None:
        """Full load at start (raises if the database is unreachable: keys are required)."""
        started = time.time()
        for rec in await self.store.all():
            self._keys[rec.key_id] = rec
        self._last_poll = started

    def start(self) -> None:
        if self.ttl > 0:
            self._task = asyncio.get_running_loop().create_task(self._poll_forever(), name="perimeter-key-cache")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def poll(self) -> None:
        started = time.time()
        # Overlap by a minute: other replicas' clocks may be behind ours.
        for rec in await self.store.changed_since(self._last_poll - 60.0):
            self._keys[rec.key_id] = rec
            self._negative.pop(rec.key_id, None)
        self._last_poll = started

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(self.ttl)
            try:
                await self.poll()
            except DatabaseUnavailable as exc:
                self.poll_failures += 1
                if self.poll_failures == 1 or self.poll_failures % 100 == 0:
                    log.warning("key cache refresh failed (%s); serving cached keys", exc)
            except Exception:  # never let the poller die
                log.exception("key cache refresh failed")

    def put(self, rec: KeyRecord) -> None:
        """Local changes (admin API) are visible at once on this replica."""
        self._keys[rec.key_id] = rec
        self._negative.pop(rec.key_id, None)

    async def lookup(self, key_id: str) -> KeyRecord | None:
        rec = self._keys.get(key_id)
        if rec is not None:
            return rec
        neg = self._negative.get(key_id)
        now = time.monotonic()
        if neg is not None and now - neg < max(self.ttl, 1.0):
            return None
        rec = await self.store.get(key_id)
        if rec is None:
            if len(self._negative) > 100_000:
                self._negative.clear()
            self._negative[key_id] = now
            return None
        self._keys[key_id] = rec
        return rec

    def any_keys(self) -> bool:
        return bool(self._keys)
