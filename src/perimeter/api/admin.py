"""Admin HTTP API (raw ASGI), guarded by ``server.admin_key``.

Routes (all JSON; errors in the OpenAI error shape)::

    GET    /admin/keys                    list keys (?team=…&active=true)
    POST   /admin/keys                    create → {"key": "pk-…", ...}  (the key is shown once)
    GET    /admin/keys/{id}               one key
    PATCH  /admin/keys/{id}               change name/team/tags/allowed_aliases/metadata/limits/expires_at
    DELETE /admin/keys/{id}               revoke (also POST /admin/keys/{id}/revoke)
    POST   /admin/keys/{id}/rotate        new secret, same settings; {"grace_seconds": 3600} keeps the old one alive
    GET    /admin/usage                   ?since=&until= (unix seconds) &group_by=key|team|alias|provider|location|model|day
    GET    /admin/audit/verify            recompute the hash chain (?expect_head=…)
    GET    /admin/metrics                 ledger/limiter counters (JSON)
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from perimeter.accounting.config import LimitsConfig
from perimeter.accounting.keys import KeyCache, KeyError_, KeyRecord, KeyStore
from perimeter.accounting.usage import GROUPS, usage_summary
from perimeter.api.http import (
    ClientDisconnected,
    Receive,
    Scope,
    Send,
    bearer_token,
    header_map,
    parse_json,
    read_body,
    send_error,
    send_json,
)
from perimeter.errors import GatewayError
from perimeter.stages import AuditSink
from perimeter.store.audit_verify import verify
from perimeter.store.db import Database, DatabaseUnavailable

MAX_BODY = 64 * 1024
log = logging.getLogger("perimeter.api.admin")


def require_admin(admin_key: str | None, headers: dict[str, str]) -> None:
    """The admin key check every operator-only endpoint shares (constant-time compare)."""
    if not admin_key:
        raise GatewayError(403, "The admin API is disabled: set server.admin_key to use it.",
                           type="permission_error", code="admin_disabled")
    token = bearer_token(headers) or ""
    if not token or not hmac.compare_digest(token.encode(), admin_key.encode()):
        raise GatewayError(401, "Admin API: send 'Authorization: Bearer <server.admin_key>'.",
                           code="invalid_admin_key", headers={"www-authenticate": 'Bearer realm="perimeter-admin"'})


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="", max_length=200)
    team: str | None = Field(default=None, max_length=200)
    tags: list[str] = Field(default_factory=list, max_length=50)
    allowed_aliases: list[str] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    limits: LimitsConfig = LimitsConfig()
    #: Absolute expiry (unix seconds) or relative (seconds from now); not both.
    expires_at: float | None = None
    expires_in: float | None = Field(default=None, gt=0)


class KeyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=200)
    team: str | None = Field(default=None, max_length=200)
    tags: list[str] | None = None
    allowed_aliases: list[str] | None = None
    metadata: dict[str, Any] | None = None
    limits: LimitsConfig | None = None
    expires_at: float | None = None


#: KeyUpdate fields that may be left out but not set to null (the others clear with null).
_NOT_NULL = ("name", "tags", "metadata")


class Rotate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grace_seconds: float = Field(default=0.0, ge=0, le=30 * 86400)


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "body"
        msg = "unknown field" if e["type"] == "extra_forbidden" else e["msg"]
        parts.append(f"{loc}: {msg}")
    return "Invalid request body: " + "; ".join(parts)


class AdminAPI:
    """ASGI app for ``/admin/...``; the gateway dispatches paths starting with ``/admin/`` to it.

    It is handed what it serves — the key store and cache, the audit sink for its own events,
    the database, and two callables of the accounting services (flush the queued ledger rows
    before a report; the counters) — and knows nothing of how they were built.
    """

    def __init__(self, admin_key: str | None, store: KeyStore, cache: KeyCache, audit: AuditSink, db: Database, *,
                 flush: Callable[[], Awaitable[Any]] | None = None,
                 counters: Callable[[], dict[str, float]] | None = None) -> None:
        self.admin_key = admin_key
        self.store = store
        self.cache = cache
        self.audit = audit
        self.db = db
        self.flush = flush
        self.counters = counters

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        try:
            status, payload = await self._handle(scope, receive)
        except GatewayError as err:
            await send_error(send, err)
            return
        except DatabaseUnavailable as exc:
            down = GatewayError(503, f"Database unavailable: {exc}", type="server_error", code="database_unavailable",
                                headers={"retry-after": "5"})
            await send_error(send, down)
            return
        except ClientDisconnected:
            return
        except Exception:  # a bug: the API's error shape and a log line, never a bare 500 page
            log.exception("admin API: unexpected error on %s %s", scope["method"], scope["path"])
            await send_error(send, GatewayError(500, "internal gateway error; the server log has the details",
                                                type="server_error", code="internal_error"))
            return
        await send_json(send, status, payload)

    def _authorize(self, headers: dict[str, str]) -> None:
        require_admin(self.admin_key, headers)

    async def _body(self, receive: Receive, headers: dict[str, str]) -> Any:
        raw = await read_body(receive, headers, MAX_BODY)
        return parse_json(raw) if raw.strip() else {}

    async def _handle(self, scope: Scope, receive: Receive) -> tuple[int, Any]:
        headers = header_map(scope)
        self._authorize(headers)
        method = scope["method"].upper()
        path = (scope.get("root_path", "") + scope["path"]) if not scope["path"].startswith("/admin") else scope["path"]
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["admin"]:
            parts = parts[1:]
        query = _query(scope)
        match parts, method:
            case ["keys"], "GET":
                active = query.get("active", "").lower() in ("1", "true", "yes")
                recs = await self.store.all(include_inactive=not active, team=query.get("team"))
                return 200, {"object": "list", "data": [r.public() for r in recs]}
            case ["keys"], "POST":
                req = _parse(KeyCreate, await self._body(receive, headers))
                if req.expires_at is not None and req.expires_in is not None:
                    raise GatewayError(400, "Give expires_at or expires_in, not both.", param="expires_at")
                expires = req.expires_at if req.expires_at is not None else (
                    time.time() + req.expires_in if req.expires_in else None)
                if expires is not None and expires <= time.time():
                    raise GatewayError(400, "expires_at is in the past.", param="expires_at")
                plain, rec = await self.store.create(
                    name=req.name, team=req.team, tags=req.tags, allowed_aliases=req.allowed_aliases,
                    metadata=req.metadata, limits=req.limits, expires_at=expires,
                )
                self._changed("key_created", rec)
                return 201, {"key": plain, **rec.public(), "note": "Store this key now: it is not shown again."}
            case ["keys", key_id], "GET":
                found = await self.store.get(key_id)
                if found is None:
                    raise _no_key(key_id)
                return 200, found.public()
            case ["keys", key_id], "PATCH":
                upd = _parse(KeyUpdate, await self._body(receive, headers))
                fields = upd.model_dump(exclude_unset=True)
                for name in _NOT_NULL:
                    if name in fields and fields[name] is None:
                        raise GatewayError(400, f"'{name}' cannot be null; leave it out to keep it unchanged.",
                                           param=name, code="invalid_body")
                if "limits" in fields:
                    fields["limits"] = upd.limits or LimitsConfig()
                if not fields:
                    raise GatewayError(400, "Nothing to change: send at least one field.")
                rec = await self._key_op(self.store.update(key_id, **fields))
                self._changed("key_updated", rec, fields=sorted(fields))
                return 200, rec.public()
            case (["keys", key_id], "DELETE") | (["keys", key_id, "revoke"], "POST"):
                rec = await self._key_op(self.store.revoke(key_id))
                self._changed("key_revoked", rec)
                return 200, rec.public()
            case ["keys", key_id, "rotate"], "POST":
                rot = _parse(Rotate, await self._body(receive, headers))
                plain, rec = await self._key_op_pair(self.store.rotate(key_id, grace_seconds=rot.grace_seconds))
                old = await self.store.get(key_id)
                if old is not None:
                    self.cache.put(old)
                self._changed("key_rotated", rec, rotated_from=key_id, grace_seconds=rot.grace_seconds)
                return 200, {"key": plain, **rec.public(), "note": "Store this key now: it is not shown again."}
            case ["usage"], "GET":
                group = query.get("group_by", "key")
                if group not in GROUPS:
                    raise GatewayError(400, f"group_by must be one of: {', '.join(GROUPS)}.", param="group_by")
                if self.flush is not None:
                    await self.flush()
                return 200, await usage_summary(self.db, since=_num(query, "since"), until=_num(query, "until"),
                                                group_by=group)
            case ["audit", "verify"], "GET":
                if self.flush is not None:
                    await self.flush()
                res = await asyncio.get_running_loop().run_in_executor(
                    None, lambda: verify(self.db, keys=self.db.audit_keys(), expect_head=query.get("expect_head")))
                return 200, res.as_dict()
            case ["metrics"], "GET":
                return 200, self.counters() if self.counters is not None else {}
            case _:
                raise GatewayError(404, f"No admin route {method} {path}.", code="not_found")

    async def _key_op(self, op: Awaitable[KeyRecord]) -> KeyRecord:
        try:
            rec = await op
        except KeyError_ as exc:
            raise GatewayError(404 if "no key" in str(exc) else 409, str(exc), code="key_error") from None
        self.cache.put(rec)
        return rec

    async def _key_op_pair(self, op: Awaitable[tuple[str, KeyRecord]]) -> tuple[str, KeyRecord]:
        try:
            plain, rec = await op
        except KeyError_ as exc:
            raise GatewayError(404 if "no key" in str(exc) else 409, str(exc), code="key_error") from None
        self.cache.put(rec)
        return plain, rec

    def _changed(self, event: str, rec: KeyRecord, **extra: Any) -> None:
        self.audit.append(event, {"key_id": rec.key_id, "team": rec.team, "by": "admin_api", **extra})


def _no_key(key_id: str) -> GatewayError:
    return GatewayError(404, f"No key with id '{key_id}'.", code="key_not_found")


def _parse(model: type[Any], data: Any) -> Any:
    if not isinstance(data, dict):
        raise GatewayError(400, "Request body must be a JSON object.", code="invalid_body")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise GatewayError(400, _validation_message(exc), code="invalid_body") from None


def _query(scope: Scope) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))


def _num(query: dict[str, str], name: str) -> float | None:
    if name not in query:
        return None
    try:
        return float(query[name])
    except ValueError:
        raise GatewayError(400, f"'{name}' must be a unix timestamp in seconds.", param=name) from None
