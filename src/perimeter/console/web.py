"""HTTP plumbing of the console: requests with forms and cookies, HTML answers with strict headers.

Every page goes out with a Content-Security-Policy that allows scripts, styles and requests
only from the gateway itself and no inline script or style at all, and with ``no-store``
caching (pages show key metadata and counts an operator should not leave in a shared cache).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from perimeter.api.http import Receive, Scope, Send, header_map, read_body, send_bytes

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # ``same-origin``, not ``no-referrer``: with no-referrer browsers send ``Origin: null`` on
    # form posts, and the origin check below needs the real one.
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]
HTML_CT = (b"content-type", b"text/html; charset=utf-8")


@dataclass(slots=True)
class Request:
    scope: Scope
    receive: Receive
    method: str
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    form: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, scope: Scope, receive: Receive) -> Request:
        return cls(scope, receive, scope["method"].upper(), scope["path"], header_map(scope),
                   dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))))

    @property
    def client(self) -> str:
        c = self.scope.get("client")
        return str(c[0]) if c else "-"

    @property
    def https(self) -> bool:
        return self.scope.get("scheme") == "https"

    @property
    def htmx(self) -> bool:
        return self.headers.get("hx-request") == "true"

    def same_origin(self) -> bool:
        """A POST from a page of this gateway (browsers send Origin / Sec-Fetch-Site on POST)."""
        site = self.headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            return False
        origin = self.headers.get("origin")
        if origin is None or origin == "null":  # old clients, privacy modes: Sec-Fetch-Site decides
            return origin is None or site == "same-origin"
        return origin.split("://", 1)[-1] == self.headers.get("host", "")

    async def read_form(self, limit: int) -> dict[str, str]:
        raw = await read_body(self.receive, self.headers, limit)
        self.form = dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
        return self.form


async def send_html(send: Send, status: int, html: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send_bytes(send, status, html.encode(), [*SECURITY_HEADERS, *(headers or [])], content_type=HTML_CT)


async def redirect(send: Send, location: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send_bytes(send, 303, b"", [(b"location", location.encode()), *SECURITY_HEADERS, *(headers or [])],
                     content_type=HTML_CT)
