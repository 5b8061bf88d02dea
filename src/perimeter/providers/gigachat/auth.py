"""GigaChat access tokens: the OAuth exchange, a cache, and one refresh at a time.

``POST {auth_url}`` with ``Authorization: Basic <authorization key>``, a fresh ``RqUID`` (uuid4)
and the form body ``scope=GIGACHAT_API_…`` answers ``{"access_token", "expires_at"}`` (epoch
milliseconds; older deployments say ``{"tok", "exp"}``).  Tokens live 30 minutes.

The token is reused until ``refresh_margin`` seconds before it expires; concurrent requests that
find it stale wait on one lock and only the first performs the exchange.  A 401 from the API
(the token was revoked or expired early) invalidates exactly that token, so a burst of 401s still
causes a single exchange.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from perimeter.errors import ProviderError
from perimeter.providers.openai_compat.provider import parse_retry_after
from perimeter.providers.tls import CERTIFICATE_ERRORS, certificate_error

log = logging.getLogger("perimeter.providers.gigachat")

#: What GigaChat documents as a token's lifetime; used when the answer's expiry is unusable.
TOKEN_LIFETIME = 1800.0


@dataclass(slots=True, frozen=True)
class AccessToken:
    value: str
    #: ``time.monotonic()`` after which the token is no longer used.
    refresh_at: float


class TokenSource:
    """The cached access token of one provider."""

    def __init__(self, provider: str, auth_url: str, credentials: str, scope: str, refresh_margin: float) -> None:
        self.provider = provider
        self.auth_url = auth_url
        self.scope = scope
        self.refresh_margin = refresh_margin
        self._basic = f"Basic {credentials}"
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()
        #: Exchanges performed (observability and tests).
        self.exchanges = 0

    def _usable(self) -> AccessToken | None:
        tok = self._token
        return tok if tok is not None and time.monotonic() < tok.refresh_at else None

    async def get(self, session: aiohttp.ClientSession, timeout: aiohttp.ClientTimeout) -> str:
        """A valid token: the cached one, or a new one from a single exchange."""
        tok = self._usable()
        if tok is not None:
            return tok.value
        async with self._lock:
            tok = self._usable()
            if tok is None:
                tok = self._token = await self._exchange(session, timeout)
            return tok.value

    def invalidate(self, value: str) -> None:
        """The API refused ``value``: drop it unless another request already replaced it."""
        if self._token is not None and self._token.value == value:
            self._token = None

    async def _exchange(self, session: aiohttp.ClientSession, timeout: aiohttp.ClientTimeout) -> AccessToken:
        headers = {"authorization": self._basic, "rquid": str(uuid.uuid4()), "accept": "application/json",
                   "content-type": "application/x-www-form-urlencoded"}
        try:
            async with session.post(self.auth_url, data=f"scope={self.scope}".encode(), headers=headers,
                                    timeout=timeout) as resp:
                raw = await resp.read()
                status, retry_after = resp.status, resp.headers.get("retry-after")
        except CERTIFICATE_ERRORS as exc:
            raise certificate_error(self.provider, exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ProviderError(f"provider '{self.provider}': the OAuth endpoint {self.auth_url} failed: {exc!r}",
                                kind="auth_error") from exc
        self.exchanges += 1
        if status != 200:
            raise oauth_error(self.provider, self.scope, status, raw, retry_after)
        try:
            data: Any = orjson.loads(raw)
            value = str(data.get("access_token") or data["tok"])
            expires_ms = float(data.get("expires_at") or data["exp"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            raise ProviderError(f"provider '{self.provider}': the OAuth endpoint answered without an access token",
                                kind="auth_error") from None
        lifetime = expires_ms / 1000.0 - time.time()
        if not 0 < lifetime <= 24 * 3600:
            log.warning("provider %s: token expiry %s is %.0f s away (clock skew?); assuming %g s", self.provider,
                        expires_ms, lifetime, TOKEN_LIFETIME)
            lifetime = TOKEN_LIFETIME
        margin = min(self.refresh_margin, lifetime / 2)
        return AccessToken(value, time.monotonic() + lifetime - margin)


def oauth_error(provider: str, scope: str, status: int, raw: bytes, retry_after: str | None) -> ProviderError:
    """The OAuth endpoint's ``{"code", "message"}`` errors, said in terms an operator can fix."""
    try:
        body = orjson.loads(raw)
        message = str(body.get("message")) if isinstance(body, dict) else raw[:200].decode(errors="replace")
    except orjson.JSONDecodeError:
        message = raw[:200].decode(errors="replace") or "no body"
    if status == 429 or status >= 500:
        return ProviderError(f"provider '{provider}': OAuth endpoint returned HTTP {status}: {message}",
                             status=status, retry_after=parse_retry_after(retry_after),
                             kind="rate_limited" if status == 429 else "upstream_5xx")
    hint = ""
    if "scope" in message:
        hint = f" — check that scope {scope} is the API version of this authorization key"
    elif status == 401:
        hint = " — check the provider's credentials (the authorization key)"
    # The gateway's own credentials are wrong: fall back to another provider, never blame the client.
    return ProviderError(f"provider '{provider}': GigaChat refused the token request (HTTP {status}: {message}){hint}",
                         kind="auth_error")
