"""Errors that reach clients, in the OpenAI error shape.

Every failure a client can see is a :class:`GatewayError`: it carries the HTTP status, the
OpenAI ``type``/``code`` pair and a message a person can act on.  Handlers never build error
JSON by hand, so every endpoint answers failures the same way.
"""

from __future__ import annotations

import math
from typing import Any

import orjson


class GatewayError(Exception):
    """A failure with an HTTP status and an OpenAI-style error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }

    def to_json(self) -> bytes:
        return orjson.dumps(self.body())


def bad_request(message: str, *, param: str | None = None, code: str | None = None) -> GatewayError:
    return GatewayError(400, message, param=param, code=code)


def not_found(message: str, *, code: str = "model_not_found", param: str | None = "model") -> GatewayError:
    return GatewayError(404, message, code=code, param=param)


class ProviderError(Exception):
    """An upstream call failed.

    ``retryable`` tells the fallback loop whether another attempt (same or next provider) may
    succeed: timeouts, connection errors, 429 and 5xx are retryable; a 400 from the upstream
    is the client's fault and is passed back as is.

    ``reflects_health`` says whether the failure tells anything about the provider's health:
    it does not when the request was refused before it left the gateway (an adapter that
    cannot express it) or when a local queue is full.  Such errors never move the circuit
    breaker, so one client's odd request can never take a provider away from the others.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 502,
        retryable: bool = True,
        retry_after: float | None = None,
        body: dict[str, Any] | None = None,
        kind: str = "upstream_error",
        reflects_health: bool = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
        self.body = body
        self.kind = kind
        self.reflects_health = reflects_health

    def to_gateway_error(self) -> GatewayError:
        """What the client sees when no fallback is left."""
        if not self.retryable and 400 <= self.status < 500 and self.body and isinstance(self.body.get("error"), dict):
            err = self.body["error"]
            return GatewayError(
                self.status,
                str(err.get("message") or self.message),
                type=str(err.get("type") or "invalid_request_error"),
                code=err.get("code") if isinstance(err.get("code"), str) else None,
                param=err.get("param") if isinstance(err.get("param"), str) else None,
            )
        status = self.status if 400 <= self.status < 600 else 502
        if self.retryable:
            status = 504 if self.kind == "timeout" else (429 if self.status == 429 else 502)
        headers = {}
        if self.retry_after is not None and status in (429, 503):
            headers["retry-after"] = str(max(1, math.ceil(self.retry_after)))
        return GatewayError(status, self.message, type="upstream_error", code=self.kind, headers=headers)


class StreamBroken(ProviderError):
    """The upstream stream ended abnormally after it had started."""


class StartupError(Exception):
    """The gateway must not start; the message says why and what to do (printed without a traceback)."""
