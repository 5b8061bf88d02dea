"""``/ui``: the console's ASGI app — login, then overview, keys, audit, playground and cost.

Mounted by :func:`perimeter.assembly.build_console` under ``/ui``.  Every page but the login
and the static files needs a session; every POST needs the session's CSRF token and must come
from a page of this gateway.  Pages are rendered on the server (Jinja2, autoescaped); htmx
only refreshes parts of them, and every form also works without it.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape

from perimeter.accounting.usage import usage_summary
from perimeter.api.http import Receive, Scope, Send, send_bytes
from perimeter.console import charts, cost, data, playground
from perimeter.console.admin_client import AdminClient
from perimeter.console.session import LoginThrottle, Session, Sessions, cookie_header, cookie_value
from perimeter.console.web import SECURITY_HEADERS, Request, redirect, send_html
from perimeter.context import Principal
from perimeter.errors import GatewayError
from perimeter.observability.watch import verify_audit
from perimeter.store.audit_verify import export_jsonl
from perimeter.store.db import DatabaseUnavailable
from perimeter.store.transfers import read_report, to_csv, to_html

if TYPE_CHECKING:
    from perimeter.accounting.services import AccountingServices
    from perimeter.api.state import ASGIApp
    from perimeter.config import Config
    from perimeter.pipeline import Pipeline

log = logging.getLogger("perimeter.console")

STATIC = {"console.css": "text/css; charset=utf-8", "htmx.min.js": "text/javascript; charset=utf-8"}
FORM_LIMIT = 64 * 1024
PAGES = ("overview", "keys", "audit", "playground", "cost")


def _money(v: Any) -> str:
    v = float(v or 0)
    return f"{v:,.2f}" if abs(v) >= 0.01 or v == 0 else f"{v:.6f}"


def _when(ts: Any) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(float(ts))) if ts else "—"


def _ms(v: Any) -> str:
    return "—" if v is None else (f"{v:,.0f} ms" if v >= 10 else f"{v:.1f} ms")


class ConsoleApp:
    def __init__(self, config: Config, pipeline: Pipeline, services: AccountingServices, admin: ASGIApp) -> None:
        assert config.server.admin_key
        self.config = config
        self.pipeline = pipeline
        self.services = services
        self.admin = AdminClient(admin, config.server.admin_key)
        self.sessions = Sessions(config.server.admin_key, config.console.session_ttl)
        self.throttle = LoginThrottle(config.console.max_failed_logins)
        self.env = Environment(loader=PackageLoader("perimeter.console", "templates"),
                               autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
        self.env.filters.update(money=_money, when=_when, ms=_ms)
        root = resources.files("perimeter.console").joinpath("static")
        self.static = {name: (root.joinpath(name).read_bytes(), ct) for name, ct in STATIC.items()}

    # ------------------------------------------------------------------------------ dispatch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        req = Request.of(scope, receive)
        path = req.path.rstrip("/") or "/"
        if path == "/ui":
            await redirect(send, "/ui/overview")
            return
        if not path.startswith("/ui/"):
            await self._page(send, 404, "error.html", None, message=f"No console page {req.path}.")
            return
        route = path[len("/ui/"):]
        try:
            await self._route(req, route, send)
        except GatewayError as err:  # a bad form: the same message the API would give, as a page
            await self._page(send, err.status, "error.html", self._session(req), message=err.message)
        except DatabaseUnavailable as exc:
            await self._page(send, 503, "error.html", self._session(req), message=f"Database unavailable: {exc}")

    async def _route(self, req: Request, route: str, send: Send) -> None:
        if route.startswith("static/") and req.method == "GET":
            await self._static(route[len("static/"):], send)
            return
        if route == "login":
            await (self._login(req, send) if req.method == "POST" else self._login_page(req, send))
            return
        session = self._session(req)
        if session is None:
            if req.htmx:
                await send_bytes(send, 401, b"", [(b"hx-redirect", b"/ui/login"), *SECURITY_HEADERS])
            elif req.method == "GET":
                await redirect(send, f"/ui/login?next={quote(req.path)}")
            else:
                await self._page(send, 401, "login.html", None, error="Your session ended; log in again.")
            return
        if req.method == "POST":
            await req.read_form(self.config.server.max_body_bytes if route == "playground" else FORM_LIMIT)
            if not req.same_origin() or not self.sessions.csrf_ok(session, req.form.get("csrf")):
                await self._page(send, 403, "error.html", session,
                                 message="This form is stale or came from another site (CSRF check failed). "
                                         "Reload the page and try again.")
                return
        handler = self._handlers.get((req.method, route.split("/", 1)[0]))
        if handler is None:
            await self._page(send, 404, "error.html", session, message=f"No console page {req.method} {req.path}.")
            return
        await handler(self, req, route, session, send)

    def _session(self, req: Request) -> Session | None:
        return self.sessions.check(cookie_value(req.headers.get("cookie")))

    # ------------------------------------------------------------------------------ rendering

    def render(self, template: str, session: Session | None, **ctx: Any) -> str:
        return self.env.get_template(template).render(
            csrf=self.sessions.csrf(session) if session else "", logged_in=session is not None, pages=PAGES,
            mode=self.config.server.mode, refresh=self.config.console.refresh_seconds, **ctx)

    async def _page(self, send: Send, status: int, template: str, session: Session | None,
                    http_headers: list[tuple[bytes, bytes]] | None = None, **ctx: Any) -> None:
        await send_html(send, status, self.render(template, session, **ctx), http_headers)

    async def _static(self, name: str, send: Send) -> None:
        hit = self.static.get(name)
        if hit is None:
            await send_bytes(send, 404, b"not found", SECURITY_HEADERS, content_type=(b"content-type", b"text/plain"))
            return
        body, ctype = hit
        await send_bytes(send, 200, body, [(b"cache-control", b"public, max-age=3600"),
                                           (b"x-content-type-options", b"nosniff")],
                         content_type=(b"content-type", ctype.encode()))

    # ------------------------------------------------------------------------------ login

    async def _login_page(self, req: Request, send: Send) -> None:
        if self._session(req) is not None:
            await redirect(send, "/ui/overview")
            return
        await self._page(send, 200, "login.html", None, next=req.query.get("next", ""))

    async def _login(self, req: Request, send: Send) -> None:
        form = await req.read_form(FORM_LIMIT)
        nxt = form.get("next", "")
        target = nxt if nxt.startswith("/ui/") and "//" not in nxt else "/ui/overview"
        if not req.same_origin():
            await self._page(send, 403, "login.html", None, error="Log in from this gateway's own login page.")
            return
        if self.throttle.blocked(req.client):
            await self._page(send, 429, "login.html", None, next=nxt,
                             error="Too many failed logins from your address; wait a minute.")
            return
        if not self.sessions.login(form.get("admin_key", "")):
            self.throttle.failed(req.client)
            log.warning("console: failed login from %s", req.client)
            await self._page(send, 401, "login.html", None, next=nxt,
                             error="That is not the admin key (server.admin_key).")
            return
        token, _ = self.sessions.issue()
        secure = self.config.console.cookie_secure if self.config.console.cookie_secure is not None else req.https
        cookie = cookie_header(token, int(self.sessions.ttl), secure)
        self.services.audit.append("console_login", {"client": req.client})
        await redirect(send, target, [(b"set-cookie", cookie.encode())])

    async def _logout(self, req: Request, route: str, session: Session, send: Send) -> None:
        await redirect(send, "/ui/login", [(b"set-cookie", cookie_header("", 0, req.https).encode())])

    # ------------------------------------------------------------------------------ overview

    async def _overview(self, req: Request, route: str, session: Session, send: Send) -> None:
        ov = await data.overview(self.config, self.pipeline, self.services, req.query.get("window", "24h"))
        ctx: dict[str, Any] = {"ov": ov, "windows": list(data.WINDOWS), "page": "overview",
               "timeline_svg": charts.timeline(ov.timeline, "Requests over time (UTC)"),
               "split_svg": charts.split_bar(ov.locations, "on-prem vs cloud"),
               "jurisdiction_svg": charts.split_bar(ov.jurisdictions, "by jurisdiction") if ov.jurisdictions else ""}
        template = "overview_panel.html" if route == "overview/panel" else "overview.html"
        await self._page(send, 200, template, session, **ctx)

    # ------------------------------------------------------------------------------ keys

    async def _keys(self, req: Request, route: str, session: Session, send: Send,
                    created: dict[str, Any] | None = None, error: str | None = None, status: int = 200) -> None:
        code, payload = await self.admin.call("GET", "/keys")
        keys = payload["data"] if code == 200 else []
        keys.sort(key=lambda k: (k["status"] != "active", -float(k["created_at"])))
        await self._page(send, status, "keys.html", session, page="keys", keys=keys, created=created, error=error,
                         aliases=sorted(self.config.models), teams=sorted(self.config.accounting.teams))

    async def _keys_post(self, req: Request, route: str, session: Session, send: Send) -> None:
        parts = route.split("/")
        f = req.form
        if parts == ["keys"]:
            body: dict[str, Any] = {"name": f.get("name", "").strip(), "team": f.get("team", "").strip() or None,
                    "limits": _limits(f)}
            aliases = [a for a in f.get("allowed_aliases", "").replace(",", " ").split() if a]
            if aliases:
                body["allowed_aliases"] = aliases
            if f.get("expires_days", "").strip():
                body["expires_in"] = _number(f["expires_days"], "expires_days") * 86400
            code, payload = await self.admin.call("POST", "/keys", body)
            if code == 201:
                await self._keys(req, route, session, send, created=payload)
            else:
                await self._keys(req, route, session, send, error=self.admin.error_message(payload), status=code)
            return
        if len(parts) != 3 or parts[2] not in ("revoke", "rotate", "limits"):
            raise GatewayError(404, f"No console action {req.path}.")
        key_id, action = quote(parts[1], safe=""), parts[2]
        if action == "revoke":
            code, payload = await self.admin.call("POST", f"/keys/{key_id}/revoke")
        elif action == "rotate":
            grace = _number(f.get("grace_seconds") or "0", "grace_seconds")
            code, payload = await self.admin.call("POST", f"/keys/{key_id}/rotate", {"grace_seconds": grace})
            if code == 200:
                await self._keys(req, route, session, send, created=payload)
                return
        else:
            code, payload = await self.admin.call("PATCH", f"/keys/{key_id}", {"limits": _limits(f)})
        if code >= 300:
            await self._keys(req, route, session, send, error=self.admin.error_message(payload), status=code)
            return
        await redirect(send, "/ui/keys")

    # ------------------------------------------------------------------------------ audit

    async def _audit(self, req: Request, route: str, session: Session, send: Send) -> None:
        if route == "audit/export":
            await self._export(send)
            return
        if route in ("audit/transfers.csv", "audit/transfers.html"):
            await self._transfers(route.rsplit(".", 1)[1], send)
            return
        result = await verify_audit(self.services)
        events = await self.services.db.run(
            lambda tx: tx.execute("SELECT event, COUNT(*), MAX(ts_us) FROM audit_log GROUP BY event ORDER BY 2 DESC"),
            write=False)
        since = time.time() - 30 * 86400
        where = await usage_summary(self.services.db, since=since, group_by="provider")
        transfers = await self._transfer_report()
        await self._page(send, 200, "audit.html", session, page="audit", result=result, events=events,
                         where=where, locations={p.name: p.location for p in self.config.providers},
                         database=self.services.db.description, transfers=transfers,
                         home=self.config.server.jurisdiction)

    async def _transfer_report(self, days: float = 30) -> Any:
        """The cross-border transfer report (``perimeter audit report``) for the last ``days`` days."""
        await self.services.flush()
        until = time.time()
        return await asyncio.to_thread(read_report, self.services.db, until - days * 86400, until,
                                       self.config.server.jurisdiction)

    async def _transfers(self, fmt: str, send: Send) -> None:
        """The same report as ``perimeter audit report --format csv|html``, as a download."""
        report = await self._transfer_report()
        if fmt == "csv":
            body, ctype = to_csv(report).encode(), b"text/csv; charset=utf-8"
        else:
            chain = (await verify_audit(self.services)).as_dict()
            body, ctype = to_html(report, chain).encode(), b"text/html; charset=utf-8"
        name = time.strftime(f"perimeter-transfers-%Y%m%d.{fmt}", time.gmtime())
        await send_bytes(send, 200, body, [(b"content-disposition", f'attachment; filename="{name}"'.encode()),
                                          *SECURITY_HEADERS], content_type=(b"content-type", ctype))

    async def _export(self, send: Send) -> None:
        await self.services.flush()
        buf = io.BytesIO()
        n = await asyncio.to_thread(export_jsonl, self.services.db, buf)
        name = time.strftime("perimeter-audit-%Y%m%dT%H%M%SZ.jsonl", time.gmtime())
        await send_bytes(send, 200, buf.getvalue(), [
            (b"content-disposition", f'attachment; filename="{name}"'.encode()),
            (b"x-perimeter-audit-entries", str(n).encode()), *SECURITY_HEADERS],
            content_type=(b"content-type", b"application/x-ndjson"))

    # ------------------------------------------------------------------------------ playground

    async def _playground(self, req: Request, route: str, session: Session, send: Send) -> None:
        raw = req.form.get("request") if req.method == "POST" else None
        outcome = None
        key_id = req.form.get("key_id", "") if req.method == "POST" else ""
        if raw is not None:
            outcome = await playground.explain(self.config, self.pipeline, raw, _headers(req.form.get("headers", "")),
                                               await self._principal(key_id))
        code, payload = await self.admin.call("GET", "/keys?active=true")
        keys = payload["data"] if code == 200 else []
        template = "playground_result.html" if req.htmx and outcome is not None else "playground.html"
        await self._page(send, 200, template, session, page="playground", outcome=outcome, keys=keys,
                         key_id=key_id, request=playground.example(self.config), headers="")
        # The pasted request is never sent back (it may hold the very values the console must not
        # show): with htmx only the result is swapped in and the text stays in the browser.

    async def _principal(self, key_id: str) -> Principal | None:
        if not key_id:
            return None
        rec = await self.services.key_cache.lookup(key_id)
        if rec is None:
            raise GatewayError(404, f"No key with id '{key_id}'.")
        return Principal(key_id=rec.key_id, name=rec.name, team=rec.team, tags=rec.tags,
                         allowed_aliases=rec.allowed_aliases)

    # ------------------------------------------------------------------------------ cost

    async def _cost(self, req: Request, route: str, session: Session, send: Send) -> None:
        days = _number(req.query.get("days") or "30", "days")
        if not 0 < days <= 366:
            raise GatewayError(400, "days must be between 1 and 366.")
        view = await cost.cost_view(self.services, days, req.query.get("scenario", ""),
                                    req.query.get("api_model") or None)
        await self._page(send, 200, "cost.html", session, page="cost", view=view)

    _handlers: dict[tuple[str, str], Any] = {
        ("GET", "overview"): _overview, ("GET", "keys"): _keys, ("POST", "keys"): _keys_post,
        ("GET", "audit"): _audit, ("GET", "playground"): _playground, ("POST", "playground"): _playground,
        ("GET", "cost"): _cost, ("POST", "logout"): _logout,
    }


def _number(raw: str, name: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise GatewayError(400, f"{name} must be a number (got '{raw[:40]}').") from None


def _limits(form: dict[str, str]) -> dict[str, Any]:
    """The limits fields of a form, as the admin API takes them (empty = unlimited)."""
    out: dict[str, Any] = {}
    for name in ("rpm", "tpm", "max_concurrent"):
        if form.get(name, "").strip():
            out[name] = int(_number(form[name], name))
    if form.get("budget", "").strip():
        out["budget"] = _number(form["budget"], "budget")
        out["budget_period"] = form.get("budget_period") or "monthly"
    return out


def _headers(raw: str) -> dict[str, str]:
    """``name: value`` lines from the playground's headers box."""
    out = {}
    for line in raw.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            out[name.strip().lower()] = value.strip()
    return out

