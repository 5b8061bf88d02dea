"""``perimeter keys create|list|revoke|rotate|update``: manage virtual keys in the database.

Works directly on the configured database (no running gateway needed); running gateways see
changes within ``accounting.key_cache_ttl`` seconds.  The key is printed once, at creation.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

import click
import orjson

from perimeter.accounting.config import LimitsConfig
from perimeter.accounting.keys import KeyError_, KeyStore
from perimeter.cli.support import audit_now, config_option, open_db

T = TypeVar("T")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_expiry(value: str | None) -> float | None:
    """``30d`` / ``12h`` (from now), ``2026-12-31`` or ``2026-12-31T12:00:00`` (UTC), or unix seconds."""
    if not value:
        return None
    m = _DURATION.match(value.strip())
    if m:
        return time.time() + float(m.group(1)) * _UNITS[m.group(2)]
    import calendar

    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return float(calendar.timegm(time.strptime(value, fmt)))
        except ValueError:
            pass
    try:
        return float(value)
    except ValueError:
        raise click.BadParameter("use 30d / 12h / 2026-12-31 / 2026-12-31T12:00:00 / unix seconds") from None


def _run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        return await coro

    try:
        return asyncio.run(main())
    except KeyError_ as exc:
        raise click.ClickException(str(exc)) from None


def _limits(rpm: int | None, tpm: int | None, concurrency: int | None, budget: float | None, period: str) -> LimitsConfig:
    return LimitsConfig(rpm=rpm, tpm=tpm, max_concurrent=concurrency, budget=budget, budget_period=period)  # type: ignore[arg-type]


def _meta(items: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for it in items:
        k, sep, v = it.partition("=")
        if not sep:
            raise click.BadParameter(f"'{it}': use KEY=VALUE", param_hint="--meta")
        out[k] = v
    return out


@click.group("keys")
def keys() -> None:
    """Create, list, revoke and rotate virtual API keys."""


limit_options = [
    click.option("--rpm", type=click.IntRange(min=1), help="Requests per minute."),
    click.option("--tpm", type=click.IntRange(min=1), help="Tokens per minute."),
    click.option("--concurrency", type=click.IntRange(min=1), help="Concurrent requests."),
    click.option("--budget", type=click.FloatRange(min=0), help="Spend budget in accounting.currency."),
    click.option("--budget-period", type=click.Choice(["daily", "monthly"]), default="monthly", show_default=True),
]


def _with_limits(f: Any) -> Any:
    for opt in reversed(limit_options):
        f = opt(f)
    return f


@keys.command("create")
@config_option
@click.option("--name", default="", help="Who or what uses the key.")
@click.option("--team", default=None, help="Team (team limits in accounting.teams apply).")
@click.option("--tag", "tags", multiple=True, help="Tag (repeatable).")
@click.option("--alias", "aliases", multiple=True, help="Allowed model alias (repeatable; default: all).")
@click.option("--meta", "meta", multiple=True, help="Metadata KEY=VALUE (repeatable).")
@click.option("--expires", default=None, help="30d, 12h, 2026-12-31 or unix seconds.")
@_with_limits
@click.option("--json", "as_json", is_flag=True)
def create_cmd(config_path: str | None, name: str, team: str | None, tags: tuple[str, ...], aliases: tuple[str, ...],
               meta: tuple[str, ...], expires: str | None, rpm: int | None, tpm: int | None, concurrency: int | None,
               budget: float | None, budget_period: str, as_json: bool) -> None:
    """Create a key; it is printed once and stored only as a salted hash."""
    expires_at = parse_expiry(expires)
    if expires_at is not None and expires_at <= time.time():
        raise click.BadParameter("expiry is in the past", param_hint="--expires")
    db = open_db(config_path)
    try:
        plain, rec = _run(KeyStore(db).create(
            name=name, team=team, tags=tags, allowed_aliases=list(aliases) or None, metadata=_meta(meta),
            limits=_limits(rpm, tpm, concurrency, budget, budget_period), expires_at=expires_at,
        ))
        audit_now(db, "key_created", {"key_id": rec.key_id, "team": rec.team})
    finally:
        db.close()
    if as_json:
        click.echo(orjson.dumps({"key": plain, **rec.public()}).decode())
    else:
        click.echo(plain)
        click.echo(f"key id {rec.key_id} — store the key now, it is not shown again", err=True)


@keys.command("list")
@config_option
@click.option("--team", default=None)
@click.option("--active", is_flag=True, help="Only keys that work now.")
@click.option("--json", "as_json", is_flag=True)
def list_cmd(config_path: str | None, team: str | None, active: bool, as_json: bool) -> None:
    """List keys (never their secrets)."""
    db = open_db(config_path)
    try:
        recs = _run(KeyStore(db).all(include_inactive=not active, team=team))
    finally:
        db.close()
    if as_json:
        click.echo(orjson.dumps([r.public() for r in recs]).decode())
        return
    click.echo(f"{'KEY ID':<14}{'STATUS':<9}{'NAME':<20}{'TEAM':<14}{'ALIASES':<20}{'EXPIRES':<12}LIMITS")
    for r in recs:
        p = r.public()
        exp = time.strftime("%Y-%m-%d", time.gmtime(r.expires_at)) if r.expires_at else "-"
        aliases = ",".join(r.allowed_aliases) if r.allowed_aliases is not None else "*"
        lim = " ".join(f"{k}={v}" for k, v in p["limits"].items()) or "-"
        click.echo(f"{r.key_id:<14}{p['status']:<9}{r.name[:19]:<20}{(r.team or '-')[:13]:<14}{aliases[:19]:<20}{exp:<12}{lim}")


@keys.command("revoke")
@config_option
@click.argument("key_id")
def revoke_cmd(config_path: str | None, key_id: str) -> None:
    """Revoke a key (gateways stop accepting it within accounting.key_cache_ttl)."""
    db = open_db(config_path)
    try:
        rec = _run(KeyStore(db).revoke(key_id))
        audit_now(db, "key_revoked", {"key_id": rec.key_id, "team": rec.team})
    finally:
        db.close()
    click.echo(f"revoked {rec.key_id}")


@keys.command("rotate")
@config_option
@click.argument("key_id")
@click.option("--grace", default="0s", help="Keep the old key working this long (e.g. 1h).")
@click.option("--json", "as_json", is_flag=True)
def rotate_cmd(config_path: str | None, key_id: str, grace: str, as_json: bool) -> None:
    """Issue a new secret with the same settings; the old key stops working after --grace."""
    m = _DURATION.match(grace)
    if not m:
        raise click.BadParameter("use e.g. 0s, 10m, 1h, 2d", param_hint="--grace")
    seconds = float(m.group(1)) * _UNITS[m.group(2)]
    db = open_db(config_path)
    try:
        plain, rec = _run(KeyStore(db).rotate(key_id, grace_seconds=seconds))
        audit_now(db, "key_rotated", {"key_id": rec.key_id, "rotated_from": key_id, "grace_seconds": seconds})
    finally:
        db.close()
    if as_json:
        click.echo(orjson.dumps({"key": plain, **rec.public()}).decode())
    else:
        click.echo(plain)
        click.echo(f"new key id {rec.key_id} replaces {key_id} — store the key now, it is not shown again", err=True)
