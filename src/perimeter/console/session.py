"""Console login: the admin key buys a signed session cookie; changes need a CSRF token.

The cookie (``HttpOnly; SameSite=Strict; Path=/ui``) holds ``expiry.session-id.signature``,
signed with HMAC-SHA256 under a key derived from ``server.admin_key``.  Nothing is stored on
the server, so every worker and replica accepts it, and rotating the admin key logs everyone
out.  The CSRF token of a session is ``HMAC(key, "csrf" | session id)``: forms carry it in a
hidden field and every POST is checked (on top of SameSite=Strict and an Origin check).

Failed logins are counted per client address; past ``max_failed_logins`` a minute, the
address waits (the admin key is long and random, this only keeps logs quiet and CPUs idle).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

COOKIE = "perimeter_console"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(slots=True, frozen=True)
class Session:
    sid: str
    expires: float


class Sessions:
    def __init__(self, admin_key: str, ttl: float) -> None:
        self._admin = admin_key.encode()
        self._key = hashlib.sha256(b"perimeter-console-session\0" + self._admin).digest()
        self.ttl = ttl

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def login(self, presented: str) -> bool:
        """Whether ``presented`` is the admin key (constant time)."""
        return bool(presented) and hmac.compare_digest(presented.encode(), self._admin)

    def issue(self, now: float | None = None) -> tuple[str, Session]:
        now = time.time() if now is None else now
        session = Session(secrets.token_urlsafe(18), now + self.ttl)
        payload = f"{int(session.expires)}.{session.sid}"
        return f"{payload}.{self._sign(payload)}", session

    def check(self, token: str | None, now: float | None = None) -> Session | None:
        if not token or token.count(".") != 2:
            return None
        expires, sid, sig = token.split(".")
        if not hmac.compare_digest(sig, self._sign(f"{expires}.{sid}")):
            return None
        try:
            exp = float(expires)
        except ValueError:
            return None
        if exp <= (time.time() if now is None else now):
            return None
        return Session(sid, exp)

    def csrf(self, session: Session) -> str:
        return _b64(hmac.new(self._key, b"csrf\0" + session.sid.encode(), hashlib.sha256).digest())[:32]

    def csrf_ok(self, session: Session, presented: str | None) -> bool:
        return presented is not None and hmac.compare_digest(presented.encode(), self.csrf(session).encode())


class LoginThrottle:
    """At most ``limit`` failed logins per client address per minute (in this process)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._failures: dict[str, tuple[int, int]] = {}

    def blocked(self, client: str, now: float | None = None) -> bool:
        minute = int((time.time() if now is None else now) // 60)
        seen = self._failures.get(client)
        return seen is not None and seen[0] == minute and seen[1] >= self.limit

    def failed(self, client: str, now: float | None = None) -> None:
        minute = int((time.time() if now is None else now) // 60)
        if len(self._failures) > 10_000:
            self._failures.clear()
        m, n = self._failures.get(client, (minute, 0))
        self._failures[client] = (minute, (n if m == minute else 0) + 1)


def cookie_header(token: str, max_age: int, secure: bool) -> str:
    parts = [f"{COOKIE}={token}", "Path=/ui", f"Max-Age={max_age}", "HttpOnly", "SameSite=Strict"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def cookie_value(header: str | None) -> str | None:
    """The session token from a ``Cookie`` header."""
    if not header:
        return None
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value
    return None
