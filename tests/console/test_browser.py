"""The console in a real browser: Debian's Chromium driven by Playwright.

Log in, send requests through the gateway, see them on the overview (count, on-prem/cloud
split, entity counts), create a key and use it, revoke it and see it refused, read the audit
chain, explain a request in the playground, price the ledger — with no Content-Security-Policy
violation on any page.  A screenshot of each page is taken; ``make screenshots`` writes them
to ``docs/`` (``PERIMETER_SCREENSHOTS_DIR``), otherwise they go to a temporary directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.console.conftest import ADMIN, EMAIL, PII_PROMPT, chat_request, console_config
from tests.fakes.gateway import running_gateway
from tests.fakes.openai_server import FakeOpenAI

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
ON_PREM, CLOUD, WITH_PII = 5, 3, 2


async def _text(page: Page, selector: str) -> str:
    return (await page.locator(selector).inner_text()).strip()


async def _shot(page: Page, out: Path, name: str) -> None:
    path = out / f"console-{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, f"{name}: the screenshot is nearly empty"


async def test_the_console_in_a_browser(tmp_path: Path) -> None:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium package"
    out = Path(os.environ.get("PERIMETER_SCREENSHOTS_DIR") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    async with FakeOpenAI(name="local") as local, FakeOpenAI(name="cloud") as cloud, \
            running_gateway(console_config(local, cloud, tmp_path / "data")) as gw, \
            httpx.AsyncClient(timeout=20) as api, async_playwright() as pw:
        browser: Browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 1366, "height": 860})
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: violations.append(str(e)))

        # --- log in -------------------------------------------------------------------------
        await page.goto(f"{gw.url}/ui/overview")
        assert page.url.startswith(f"{gw.url}/ui/login")
        await _shot(page, out, "login")
        await page.fill("input[name=admin_key]", "not-the-key-0123456789")
        await page.click("button[type=submit]")
        await page.wait_for_selector("p.error")
        assert "not the admin key" in await _text(page, "p.error")
        await page.fill("input[name=admin_key]", ADMIN)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{gw.url}/ui/overview")
        (cookie,) = [c for c in await page.context.cookies() if c["name"] == "perimeter_console"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert await page.evaluate("document.cookie") == ""  # invisible to scripts

        # --- N requests through the gateway, then the overview -------------------------------
        for i in range(ON_PREM):
            content = PII_PROMPT if i < WITH_PII else f"hello number {i}"
            r = await api.post(f"{gw.base_url}/chat/completions",
                               json={"model": "chat", "messages": [{"role": "user", "content": content}]})
            assert r.status_code == 200
        for i in range(CLOUD):
            r = await api.post(f"{gw.base_url}/chat/completions", json={
                "model": "gpt", "stream": i == 0, "messages": [{"role": "user", "content": f"cloud question {i}"}]})
            assert r.status_code == 200
        await page.goto(f"{gw.url}/ui/overview?window=1h")
        assert await _text(page, "#stat-requests") == str(ON_PREM + CLOUD)
        assert await _text(page, "#stat-onprem") == str(ON_PREM)
        assert await _text(page, "#stat-cloud") == str(CLOUD)
        assert await _text(page, "#stat-errors") == "0"
        assert await _text(page, "#stat-entities") == str(2 * WITH_PII)  # an email and a phone each
        email_row = page.locator('#entities tr[data-entity="EMAIL"]')
        assert (await email_row.locator("td").nth(2).inner_text()).strip() == str(WITH_PII)
        assert (await page.locator('#providers tr[data-provider="local"] td').nth(3).inner_text()).strip() == str(ON_PREM)
        assert EMAIL not in await page.content()
        # htmx refreshes the panel in place (same numbers, one more request after this)
        r = await api.post(f"{gw.base_url}/chat/completions",
                           json={"model": "chat", "messages": [{"role": "user", "content": "one more"}]})
        # (expect() polls without eval, which the page's CSP forbids — as it should)
        await expect(page.locator("#stat-requests")).to_have_text(str(ON_PREM + CLOUD + 1), timeout=20_000)
        await _shot(page, out, "overview")

        # --- create a key and use it; revoke it and see it refused ---------------------------
        await page.click("header nav >> text=Keys")
        await page.wait_for_url(f"{gw.url}/ui/keys")
        form = page.locator("#create-key")
        await form.locator("input[name=name]").fill("ci-bot")
        await form.locator("input[name=rpm]").fill("100")
        await form.locator("input[name=budget]").fill("25")
        await form.locator("button[type=submit]").click()
        await page.wait_for_selector("#new-key")
        key = await _text(page, "#new-key")
        assert key.startswith("pk-")
        key_id = key[3:].split(".")[0]
        row = page.locator(f'#keys tr[data-key="{key_id}"]')
        assert await row.get_attribute("data-status") == "active"
        assert "rpm 100" in await row.inner_text() and "budget 25" in await row.inner_text()
        await _shot(page, out, "keys")
        auth = {"authorization": f"Bearer {key}"}
        r = await api.post(f"{gw.base_url}/chat/completions", headers=auth,
                           json={"model": "chat", "messages": [{"role": "user", "content": "with a key"}]})
        assert r.status_code == 200
        r = await api.post(f"{gw.base_url}/chat/completions",  # a key exists now: keyless is over
                           json={"model": "chat", "messages": [{"role": "user", "content": "no key"}]})
        assert r.status_code == 401
        await row.locator("summary").click()
        await row.locator("button.danger").click()
        await page.wait_for_url(f"{gw.url}/ui/keys")
        assert await page.locator(f'#keys tr[data-key="{key_id}"]').get_attribute("data-status") == "revoked"
        assert await page.locator("#new-key").count() == 0  # the key is never shown again
        r = await api.post(f"{gw.base_url}/chat/completions", headers=auth,
                           json={"model": "chat", "messages": [{"role": "user", "content": "after revoke"}]})
        assert r.status_code == 401 and "revoked" in r.json()["error"]["message"]

        # --- audit ----------------------------------------------------------------------------
        await page.click("header nav >> text=Audit")
        await page.wait_for_url(f"{gw.url}/ui/audit")
        assert (await _text(page, "#chain-status")).startswith("Verified")
        assert len(await _text(page, "#head-hash")) == 64
        async with page.expect_download() as dl:
            await page.click("text=Export JSONL")
        exported = Path(await (await dl.value).path()).read_text()
        assert '"event":"key_revoked"' in exported and EMAIL not in exported
        await _shot(page, out, "audit")

        # --- playground: the live privacy stage and router, no model called -------------------
        calls_before = len(cloud.requests) + len(local.requests)
        await page.click("header nav >> text=Playground")
        await page.wait_for_url(f"{gw.url}/ui/playground")
        await page.fill("textarea[name=request]",
                        chat_request("gpt", PII_PROMPT))
        await page.click("#playground button[type=submit]")
        await page.wait_for_selector("#decision")
        assert await _text(page, "#route-reason") == "primary"
        assert await _text(page, "#privacy-action") == "pseudonymize"
        assert await page.locator('#decision [data-entity="EMAIL"]').count() == 1
        assert "cloud" in await _text(page, "#decision h2")
        assert len(cloud.requests) + len(local.requests) == calls_before
        await _shot(page, out, "playground")

        # --- cost -----------------------------------------------------------------------------
        await page.click("header nav >> text=Cost")
        await page.wait_for_url(f"{gw.url}/ui/cost")
        assert await _text(page, "#cost-requests") == str(ON_PREM + CLOUD + 2)  # successful requests only
        assert await page.locator(".card svg polyline").count() == 3  # self-hosted, API, hybrid
        await _shot(page, out, "cost")

        await page.click("header button.link")  # log out
        await page.wait_for_url(f"{gw.url}/ui/login")
        await page.goto(f"{gw.url}/ui/keys")
        assert page.url.startswith(f"{gw.url}/ui/login")
        assert violations == []
        await browser.close()
