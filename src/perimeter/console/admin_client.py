"""The console changes keys through the admin API itself, called in process.

Creating, rotating, revoking and limiting keys is :class:`perimeter.api.admin.AdminAPI`'s job
(validation, expiry rules, the key cache, the audit events): the console sends it the same
JSON an operator's script would and shows its answer, so the two can never disagree.
"""

from __future__ import annotations

from typing import Any

import orjson

from perimeter.api.http import Message
from perimeter.api.state import ASGIApp


class AdminClient:
    def __init__(self, app: ASGIApp, admin_key: str) -> None:
        self.app = app
        self._auth = f"Bearer {admin_key}".encode()

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        """``(status, decoded JSON)`` of ``method /admin{path}``."""
        raw = orjson.dumps(body) if body is not None else b""
        target, _, query = path.partition("?")
        scope = {"type": "http", "method": method, "path": f"/admin{target}", "query_string": query.encode(),
                 "headers": [(b"authorization", self._auth), (b"content-type", b"application/json"),
                             (b"content-length", str(len(raw)).encode())], "root_path": ""}
        sent = False
        status = 500
        chunks: list[bytes] = []

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}

        async def send(msg: Message) -> None:
            nonlocal status
            if msg["type"] == "http.response.start":
                status = int(msg["status"])
            elif msg["type"] == "http.response.body":
                chunks.append(msg.get("body", b""))

        await self.app(scope, receive, send)
        data = b"".join(chunks)
        return status, orjson.loads(data) if data else None

    @staticmethod
    def error_message(payload: Any) -> str:
        if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
            return str(payload["error"].get("message") or "the admin API refused the change")
        return "the admin API refused the change"
