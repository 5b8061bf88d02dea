"""The console's gate: login, session cookie, CSRF, CSP, production default, no content shown."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.console.conftest import ADMIN, EMAIL, PHONE, PII_PROMPT, chat_request, console_config
from tests.fakes.gateway import running_gateway
from tests.fakes.openai_server import FakeOpenAI

Upstreams = tuple[FakeOpenAI, FakeOpenAI]


async def _login(client: httpx.AsyncClient, url: str) -> str:
    r = await client.post(f"{url}/ui/login", data={"admin_key": ADMIN}, headers={"origin": url})
    assert r.status_code == 303 and r.headers["location"] == "/ui/overview"
    return r.headers["set-cookie"]


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


async def test_login_sets_a_strict_httponly_cookie_and_pages_need_it(upstreams: Upstreams, tmp_path: Path) -> None:
    async with running_gateway(console_config(*upstreams, tmp_path)) as gw, httpx.AsyncClient() as c:
        r = await c.get(f"{gw.url}/ui/overview")
        assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")
        login = await c.get(f"{gw.url}/ui/login")
        assert login.status_code == 200
        csp = login.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp and login.headers["x-frame-options"] == "DENY"
        assert "<script>" not in login.text and " style=" not in login.text  # nothing inline for the CSP to block

        bad = await c.post(f"{gw.url}/ui/login", data={"admin_key": "wrong-key-0123456789"}, headers={"origin": gw.url})
        assert bad.status_code == 401 and "not the admin key" in bad.text and "set-cookie" not in bad.headers

        cookie = await _login(c, gw.url)
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/ui" in cookie
        assert "Secure" not in cookie  # plain http on loopback; cookie_secure: true forces it
        page = await c.get(f"{gw.url}/ui/overview")
        assert page.status_code == 200 and "Overview" in page.text and page.headers["cache-control"] == "no-store"

        # a tampered cookie is no session
        token = c.cookies.get("perimeter_console")
        assert token
        c.cookies.clear()
        c.cookies.set("perimeter_console", token[:-2] + ("AA" if not token.endswith("AA") else "BB"), path="/ui")
        assert (await c.get(f"{gw.url}/ui/keys")).status_code == 303


async def test_changes_need_the_csrf_token_and_the_same_origin(upstreams: Upstreams, tmp_path: Path) -> None:
    async with running_gateway(console_config(*upstreams, tmp_path)) as gw, httpx.AsyncClient() as c:
        await _login(c, gw.url)
        csrf = _csrf((await c.get(f"{gw.url}/ui/keys")).text)
        form = {"name": "x", "csrf": csrf}
        no_token = await c.post(f"{gw.url}/ui/keys", data={"name": "x"}, headers={"origin": gw.url})
        assert no_token.status_code == 403 and "CSRF" in no_token.text
        cross = await c.post(f"{gw.url}/ui/keys", data=form, headers={"origin": "https://evil.example"})
        assert cross.status_code == 403
        cross_site = await c.post(f"{gw.url}/ui/keys", data=form, headers={"sec-fetch-site": "cross-site"})
        assert cross_site.status_code == 403
        keys = await c.get(f"{gw.url}/admin/keys", headers={"authorization": f"Bearer {ADMIN}"})
        assert keys.json()["data"] == []  # nothing was created
        ok = await c.post(f"{gw.url}/ui/keys", data=form, headers={"origin": gw.url})
        assert ok.status_code == 200 and 'id="new-key"' in ok.text
        # a form the admin API rejects shows the admin API's own message
        bad = await c.post(f"{gw.url}/ui/keys", data={**form, "rpm": "0"}, headers={"origin": gw.url})
        assert bad.status_code == 400 and "limits.rpm" in bad.text


async def test_failed_logins_are_throttled(upstreams: Upstreams, tmp_path: Path) -> None:
    cfg = console_config(*upstreams, tmp_path, console={"max_failed_logins": 3})
    async with running_gateway(cfg) as gw, httpx.AsyncClient() as c:
        for _ in range(3):
            r = await c.post(f"{gw.url}/ui/login", data={"admin_key": "nope"}, headers={"origin": gw.url})
            assert r.status_code == 401
        r = await c.post(f"{gw.url}/ui/login", data={"admin_key": ADMIN}, headers={"origin": gw.url})
        assert r.status_code == 429 and "set-cookie" not in r.headers


async def test_production_serves_no_console_unless_configured(upstreams: Upstreams, tmp_path: Path) -> None:
    prod = {"mode": "production"}
    async with running_gateway(console_config(*upstreams, tmp_path, server=prod)) as gw, httpx.AsyncClient() as c:
        r = await c.get(f"{gw.url}/ui/login")
        assert r.status_code == 404 and "no such endpoint" in r.json()["error"]["message"]
    cfg = console_config(*upstreams, tmp_path, server=prod, console={"enabled": True, "cookie_secure": True})
    async with running_gateway(cfg) as gw, httpx.AsyncClient() as c:
        r = await c.post(f"{gw.url}/ui/login", data={"admin_key": ADMIN}, headers={"origin": gw.url})
        assert r.status_code == 303 and "; Secure" in r.headers["set-cookie"]


async def test_no_page_shows_a_prompt_a_completion_or_a_detected_value(upstreams: Upstreams, tmp_path: Path) -> None:
    async with running_gateway(console_config(*upstreams, tmp_path)) as gw, httpx.AsyncClient() as c:
        for alias in ("chat", "gpt"):
            r = await c.post(f"{gw.base_url}/chat/completions",
                             json={"model": alias, "messages": [{"role": "user", "content": PII_PROMPT}]})
            assert r.status_code == 200 and EMAIL in r.text  # the client got its data back
        await _login(c, gw.url)
        pages = {p: (await c.get(f"{gw.url}/ui/{p}")).text for p in ("overview", "keys", "audit", "playground", "cost")}
        csrf = _csrf(pages["keys"])
        body = chat_request("gpt", PII_PROMPT)
        pages["playground-result"] = (await c.post(f"{gw.url}/ui/playground", data={"request": body, "csrf": csrf},
                                                   headers={"origin": gw.url})).text
        export = (await c.get(f"{gw.url}/ui/audit/export")).text
    assert 'data-entity="EMAIL"' in pages["overview"] and 'data-entity="EMAIL"' in pages["playground-result"]
    assert "pseudonymize" in pages["playground-result"]
    assert export.count("\n") >= 2 and '"event":"request"' in export
    for name, html in {**pages, "export": export}.items():
        for secret in (EMAIL, PHONE, "maria.ivanova", "echo:", PII_PROMPT[:15]):
            assert secret not in html, (name, secret)


async def test_console_is_off_without_an_admin_key(upstreams: Upstreams, tmp_path: Path) -> None:
    cfg = console_config(*upstreams, tmp_path)
    cfg["server"].pop("admin_key")
    async with running_gateway(cfg) as gw, httpx.AsyncClient() as c:
        assert (await c.get(f"{gw.url}/ui/login")).status_code == 404


async def test_audit_page_shows_the_cross_border_transfer_report(upstreams: Upstreams, tmp_path: Path) -> None:
    cfg = console_config(*upstreams, tmp_path, server={"jurisdiction": "RU"})
    cfg["providers"][1]["jurisdiction"] = "US"
    async with running_gateway(cfg) as gw, httpx.AsyncClient() as c:
        for alias in ("chat", "gpt", "gpt"):
            r = await c.post(f"{gw.base_url}/chat/completions",
                             json={"model": alias, "messages": [{"role": "user", "content": PII_PROMPT}]})
            assert r.status_code == 200
        await _login(c, gw.url)
        page = (await c.get(f"{gw.url}/ui/audit")).text
        csv_text = (await c.get(f"{gw.url}/ui/audit/transfers.csv")).text
        report_html = (await c.get(f"{gw.url}/ui/audit/transfers.html")).text
    assert "<title>Audit · Perimeter console</title>" in page
    assert page.count('id="transfers"') == 1
    table = page.split('id="transfers"', 1)[1].split("</table>", 1)[0]
    cloud_row = next(row for row in table.split("<tr>") if "<td>cloud</td>" in row)
    local_row = next(row for row in table.split("<tr>") if "<td>local</td>" in row)
    # The US cloud got surrogates only (two requests); the on-prem provider got originals.
    assert "<td>US</td>" in cloud_row and "<td>yes</td>" in cloud_row and '<td class="num">2</td>' in cloud_row
    assert "EMAIL&nbsp;2" in cloud_row.split("</td>")[-3] and "<td></td>" in cloud_row
    assert "<td>RU</td>" in local_row and "<td>no</td>" in local_row and "EMAIL&nbsp;1" in local_row
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("period_start,") and any(",cloud," in ln and ",US," in ln for ln in lines[1:])
    assert "cloud" in report_html and "<table" in report_html
    for text in (page, csv_text, report_html):
        assert EMAIL not in text and PHONE not in text
