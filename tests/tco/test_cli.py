"""``perimeter tco`` end to end: report, sensitivity, bench input, HTML plot and --from-ledger."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import orjson
from click.testing import CliRunner

from perimeter.cli.bench import bench
from perimeter.cli.tco import tco
from perimeter.store.config import StorageConfig
from perimeter.store.db import Database
from perimeter.store.journal import Entry
from perimeter.store.migrations import migrate
from perimeter.store.writer import LEDGER_COLUMNS, write_batch
from tests.bench.fake_server import Behaviour, ServerThread


def invoke(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(tco, list(args), catch_exceptions=False)
    return r.exit_code, r.output


def test_scenario_report_and_plot(tmp_path: Path) -> None:
    html = tmp_path / "tco.html"
    code, text = invoke("--scenario", "published-10k", "--html", str(html))
    assert code == 0, text
    assert "$47,520" in text and "$1,065" in text and "Break-even: 446,372 requests/day" in text
    page = html.read_text()
    assert page.count("<polyline") == 3 and "break-even" in page and "<script" not in page


def test_options_override_the_scenario() -> None:
    code, text = invoke("--scenario", "published-10k", "--staff-fte", "0", "--replicas", "1", "--json")
    assert code == 0, text
    s = orjson.loads(text)["summary"]
    assert s["self_hosted_monthly"] == 4 * 3.0 * 730  # one 4-GPU replica, no staff
    assert s["break_even_per_day"] < 446_372 / 2


def test_vary_moves_break_even() -> None:
    code, text = invoke("--scenario", "published-10k", "--vary", "self_host.staff_fte=0,1,2", "--json")
    assert code == 0
    rows = orjson.loads(text)["vary"]
    bes = [r["break_even_per_day"] for r in rows]
    assert bes == sorted(bes) and bes[0] < bes[-1]


def test_throughput_from_a_bench_result(tmp_path: Path) -> None:
    out = tmp_path / "b.json"
    with ServerThread(Behaviour(ttft=0.005, itl=0.001, default_tokens=8)) as s:
        r = CliRunner().invoke(bench, ["run", "--url", s.url, "-m", "m", "-c", "2", "-n", "6", "--output-tokens",
                                       "8", "-o", str(out), "-q"])
        assert r.exit_code == 0, r.output
    measured = orjson.loads(out.read_bytes())["runs"][0]["summary"]["output_tokens_per_s"]
    code, text = invoke("--bench", str(out), "--json")
    assert code == 0, text
    assert orjson.loads(text)["scenario"]["self_host"]["throughput_tokens_per_s"] == measured


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    code, text = invoke("--scenario", "nope")
    assert code == 1 and "no scenario file 'nope'" in text
    code, text = invoke("--api-model", "unknown-model")
    assert code == 1 and "no list price" in text
    code, text = invoke("--from-ledger", "--db", str(tmp_path / "missing.db"))
    assert code == 1 and "no such ledger database" in text


def _ledger(path: Path, rows: list[dict]) -> None:
    db = Database(StorageConfig(database_url=f"sqlite:///{path}"))
    migrate(db)
    full = [{c: None for c in LEDGER_COLUMNS} | {"row_id": uuid.uuid4().hex, "request_id": "r",
             "entity_counts": "{}", "stream": 0, "cached_tokens": 0, "cache_write_tokens": 0} | r for r in rows]
    db.run_sync(lambda tx: write_batch(tx, [Entry("ledger", r) for r in full]))
    db.close()


def test_from_ledger_prices_real_traffic(tmp_path: Path) -> None:
    now = time.time()
    rows = []
    for i in range(300):  # last 3 days: 200 on-prem, 100 cloud; plus old rows and failures
        local = i % 3 != 0
        rows.append({"ts": now - 3600 * (i % 72), "location": "on_prem" if local else "cloud",
                     "prompt_tokens": 1000, "completion_tokens": 200, "status": 200,
                     "cost": 0.0 if local else 0.0045, "currency": "USD"})
    rows += [{"ts": now - 40 * 86400, "location": "cloud", "prompt_tokens": 10**6, "completion_tokens": 10**6,
              "status": 200, "cost": 99.0},
             {"ts": now - 60, "location": "cloud", "prompt_tokens": 10**6, "completion_tokens": 0,
              "status": 500, "cost": 0.0}]
    db = tmp_path / "perimeter.db"
    _ledger(db, rows)
    r = CliRunner().invoke(tco, ["--from-ledger", "--db", str(db), "--days", "3", "--api-model", "gpt-4o",
                                 "--gpu", "L4", "--staff-fte", "0", "--json"])
    assert r.exit_code == 0, r.output
    out = orjson.loads(r.output)
    assert out["requests"] == 300 and abs(out["local_share"] - 200 / 300) < 1e-9
    assert out["all_cloud"] == (300 * 1000 * 2.5 + 300 * 200 * 10.0) / 1e6
    assert abs(out["actual_cloud_part"] - 100 * 0.0045) < 1e-9
    # One L4 replica at $0.50/h for 3 days, for both the local share and all-local.
    assert abs(out["all_local"] - 0.5 * 730 * 3 / (730 / 24)) < 1e-6
    assert abs(out["actual"] - (100 * 0.0045 + out["all_local"])) < 1e-6
    r = CliRunner().invoke(tco, ["--from-ledger", "--db", str(db), "--days", "3", "--gpu", "L4"])
    assert r.exit_code == 0 and "67% served on-prem" in r.output and "all-cloud" in r.output


def _summary(*args: str) -> dict:
    code, text = invoke(*args, "--json")
    assert code == 0, text
    return dict(orjson.loads(text)["summary"])


def test_a_scenario_in_roubles_is_the_dollar_scenario_converted() -> None:
    """Built-in GPU rents, staff defaults and USD list prices are converted; the break-even volume is not."""
    usd = _summary("--gpu", "L4", "--requests-per-day", "20000", "--api-model", "gpt-4o")
    rub = _summary("--gpu", "L4", "--requests-per-day", "20000", "--api-model", "gpt-4o", "--currency", "rub",
                   "--set", "exchange_rates.RUB=90")
    assert usd["currency"] == "USD" and rub["currency"] == "RUB"
    for key in ("self_hosted_monthly", "api_monthly", "hybrid_monthly", "api_per_1m_tokens"):
        assert abs(rub[key] - 90 * usd[key]) < 1e-6 * max(1.0, rub[key]), key
    assert rub["break_even_per_day"] == usd["break_even_per_day"]
    code, text = invoke("--gpu", "L4", "--api-model", "gpt-4o", "--currency", "RUB")
    assert code == 0 and "₽" in text and "$" not in text


def test_a_rouble_priced_model_is_converted_into_dollars() -> None:
    """GigaChat's list price is in roubles: in a USD scenario it is divided by the rate, not read as dollars."""
    from perimeter.accounting.prices import builtin_table

    table = builtin_table()
    row, rate = table["models"]["GigaChat-2-Pro"], table["exchange_rates"]["RUB"]
    assert row["currency"] == "RUB"
    code, text = invoke("--api-model", "GigaChat-2-Pro", "--json")
    assert code == 0, text
    api = orjson.loads(text)["scenario"]["api"]
    assert abs(api["input"] - row["input"] / rate) < 1e-9 and abs(api["output"] - row["output"] / rate) < 1e-9
    code, text = invoke("--api-model", "GigaChat-2-Pro", "--currency", "RUB", "--json")
    assert abs(orjson.loads(text)["scenario"]["api"]["input"] - row["input"]) < 1e-9
    code, text = invoke("--currency", "CHF")
    assert code == 1 and "no exchange rate for CHF" in text


def test_from_ledger_reports_in_the_gateways_currency(tmp_path: Path) -> None:
    """A rouble ledger read with the gateway's config: actual is the ledger's roubles, all-cloud converted."""
    now = time.time()
    rows = [{"ts": now - 3600 * i, "location": "cloud", "prompt_tokens": 1000, "completion_tokens": 200,
             "status": 200, "cost": 0.5, "currency": "RUB"} for i in range(48)]
    db = tmp_path / "perimeter.db"
    _ledger(db, rows)
    cfg = tmp_path / "perimeter.yaml"
    cfg.write_text(f"storage: {{database_url: 'sqlite:///{db}'}}\n"
                   "accounting: {currency: RUB, exchange_rates: {RUB: 100}}\n", "utf-8")
    r = CliRunner().invoke(tco, ["--from-ledger", "--config", str(cfg), "--days", "2", "--api-model", "gpt-4o",
                                 "--gpu", "L4", "--staff-fte", "0", "--json"])
    assert r.exit_code == 0, r.output
    out = orjson.loads(r.output)
    assert out["currency"] == "RUB" and out["ledger_currency"] == "RUB"
    assert abs(out["actual_cloud_part"] - 48 * 0.5) < 1e-9
    assert abs(out["all_cloud"] - 100 * (48 * 1000 * 2.5 + 48 * 200 * 10.0) / 1e6) < 1e-6
    # The same ledger reported in dollars: its roubles are divided by the config's rate.
    r = CliRunner().invoke(tco, ["--from-ledger", "--config", str(cfg), "--days", "2", "--currency", "USD",
                                 "--json"])
    assert r.exit_code == 0, r.output
    assert abs(orjson.loads(r.output)["actual_cloud_part"] - 48 * 0.5 / 100) < 1e-9
