"""``perimeter tco``: self-host vs API cost per 1M tokens, monthly cost, break-even, plot.

Everything comes from a scenario (``--scenario published-10k`` or a YAML file) overridden by
options; ``--vary KEY=a,b,c`` prints how the answer moves when one assumption changes, and
``--from-ledger`` prices the gateway's real traffic of the last ``--days`` days.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
import orjson
import yaml
from rich.console import Console
from rich.table import Table

from perimeter.tco.currency import money
from perimeter.tco.model import DAYS_PER_MONTH, api, break_even, hybrid, self_hosted
from perimeter.tco.scenario import Scenario, ScenarioError, build, load_yaml, parse_value, set_dotted

# option name -> dotted scenario key
_KEYS = {
    "gpu": "self_host.gpu", "gpus_per_replica": "self_host.gpus_per_replica",
    "replicas": "self_host.min_replicas", "gpu_hourly": "self_host.hourly_per_gpu",
    "gpu_price": "self_host.purchase_per_gpu", "amortisation_months": "self_host.amortisation_months",
    "power_watts": "self_host.watts_per_gpu", "kwh_price": "self_host.kwh_price",
    "staff_fte": "self_host.staff_fte", "staff_cost": "self_host.staff_cost_per_year",
    "throughput": "self_host.throughput_tokens_per_s", "utilisation": "self_host.utilisation",
    "requests_per_day": "traffic.per_day", "input_tokens": "traffic.input_tokens",
    "output_tokens": "traffic.output_tokens", "turns": "traffic.turns", "cache_history": "traffic.cache_history",
    "api_model": "api.model", "api_input": "api.input", "api_output": "api.output",
    "local_share": "local_share",
}


def _config_currency(config_path: str | None) -> tuple[str, dict[str, float]] | None:
    """The gateway's ``accounting.currency`` and rates: ``--from-ledger`` reports in what the ledger bills."""
    if not config_path:
        return None
    from perimeter.config import ConfigError, load_section

    try:
        acc = load_section(config_path, "accounting")
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    return str(acc.currency), dict(acc.exchange_rates)


def _apply(data: dict[str, Any], opts: dict[str, Any], sets: tuple[str, ...]) -> None:
    for name, key in _KEYS.items():
        if opts.get(name) is not None:
            if name == "api_model":
                data["api"] = {"model": opts[name]}
            else:
                set_dotted(data, key, opts[name])
    for item in sets:
        key, sep, raw = item.partition("=")
        if not sep:
            raise click.BadParameter(f"'{item}': expected KEY=VALUE", param_hint="--set")
        set_dotted(data, key.strip(), parse_value(raw))


def _bench_throughput(path: str) -> float:
    from perimeter.bench.results import ResultsError, best_run, load

    try:
        run = best_run(load(path))
    except ResultsError as exc:
        raise click.ClickException(str(exc)) from exc
    return float(run["output_tokens_per_s"])


def analyse(sc: Scenario) -> dict[str, Any]:
    sh = self_hosted(sc.host, sc.traffic)
    ap = api(sc.price, sc.traffic)
    hy = hybrid(sc.host, sc.price, sc.traffic, sc.local_share)
    be = break_even(sc.host, sc.price, sc.traffic)
    return {"self_hosted": sh, "api": ap, "hybrid": hy, "break_even_per_day": be}


def _summary(sc: Scenario, res: dict[str, Any]) -> dict[str, Any]:
    be = res["break_even_per_day"]
    return {
        "volume_per_day": sc.traffic.per_day,
        "tokens_per_unit": sc.traffic.tokens_per_unit(),
        "self_hosted_monthly": res["self_hosted"].monthly,
        "api_monthly": res["api"].monthly,
        "hybrid_monthly": res["hybrid"].monthly,
        "self_hosted_per_1m_tokens": res["self_hosted"].per_million_tokens,
        "api_per_1m_tokens": res["api"].per_million_tokens,
        "self_hosted_hardware_per_1m_at_capacity": res["self_hosted"].detail["hardware_per_million_at_capacity"],
        "break_even_per_day": be,
        "break_even_per_month": None if be is None else be * DAYS_PER_MONTH,
        "replicas": res["self_hosted"].detail["replicas"],
        "capacity_used": res["self_hosted"].detail["utilisation_of_capacity"],
        "api_model": sc.price.model, "api_prices_as_of": sc.price_as_of, "currency": sc.currency,
    }


def print_report(console: Console, sc: Scenario, res: dict[str, Any]) -> None:
    def _money(v: float) -> str:
        return money(v, sc.currency)

    unit = "conversations" if sc.traffic.turns > 1 else "requests"
    t = Table(title=f"perimeter tco — {sc.traffic.per_day:,.0f} {unit}/day, "
              f"{sc.traffic.tokens_per_unit():,.0f} tokens per {unit[:-1]}")
    t.add_column("option")
    t.add_column("per month", justify="right")
    t.add_column("per 1M tokens", justify="right")
    t.add_column("how")
    sh, ap, hy = res["self_hosted"], res["api"], res["hybrid"]
    d = sh.detail
    t.add_row("self-hosted", _money(sh.monthly), _money(sh.per_million_tokens),
              f"{d['replicas']} replica(s) × {sc.host.gpus_per_replica} {sc.host.gpu} = {_money(d['hardware'])}"
              f" + staff {_money(d['staff'])}; uses {d['utilisation_of_capacity']:.1%} of capacity")
    t.add_row(ap.option, _money(ap.monthly), _money(ap.per_million_tokens),
              f"{money(sc.price.input, sc.currency)} in / {money(sc.price.output, sc.currency)} out per 1M "
              f"(list, {sc.price_as_of})")
    t.add_row(hy.option, _money(hy.monthly), _money(hy.per_million_tokens),
              f"local {_money(hy.detail['local'])} + cloud {_money(hy.detail['cloud'])}")
    console.print(t)
    be = res["break_even_per_day"]
    floor = d["hardware_per_million_at_capacity"]
    if be is None:
        console.print(f"Break-even: never — a full replica costs more per token ({_money(floor)}/1M at "
                      f"{sc.host.utilisation:.0%} utilisation) than the API ({_money(ap.per_million_tokens)}/1M).")
    else:
        verdict = "self-hosting is cheaper now" if sc.traffic.per_day >= be else "the API is cheaper now"
        console.print(f"Break-even: {be:,.0f} {unit}/day ({be * DAYS_PER_MONTH:,.0f}/month); {verdict}. "
                      f"Hardware alone at capacity: {_money(floor)} per 1M tokens.")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--scenario", "-s", default=None, help="Built-in scenario name (published-10k, dialogs-8k) or YAML.")
@click.option("--bench", "bench_file", type=click.Path(dir_okay=False), default=None,
              help="perimeter bench results: use its measured output tokens/s as per-replica throughput.")
@click.option("--gpu", default=None, help="GPU type (H100, H200, A100-80G, L40S, L4, RTX-4090) for defaults.")
@click.option("--gpus-per-replica", type=int, default=None, help="GPUs one model replica needs.")
@click.option("--replicas", type=int, default=None, help="Minimum replicas (2 for high availability).")
@click.option("--gpu-hourly", type=float, default=None, help="Rent: per GPU-hour (in --currency).")
@click.option("--gpu-price", type=float, default=None, help="Buy: per GPU (amortised; adds power; in --currency).")
@click.option("--amortisation-months", type=float, default=None)
@click.option("--power-watts", type=float, default=None, help="Per GPU (bought hardware only).")
@click.option("--kwh-price", type=float, default=None)
@click.option("--staff-fte", type=float, default=None, help="Engineers running the service (FTE).")
@click.option("--staff-cost", type=float, default=None, help="Loaded cost per FTE per year (in --currency).")
@click.option("--throughput", type=float, default=None, help="Output tokens/s per replica at saturation.")
@click.option("--utilisation", type=float, default=None, help="Average fraction of peak throughput used.")
@click.option("--requests-per-day", type=float, default=None, help="Traffic (requests or conversations/day).")
@click.option("--input-tokens", type=int, default=None, help="New input tokens per request/turn.")
@click.option("--output-tokens", type=int, default=None, help="Output tokens per request/turn.")
@click.option("--turns", type=int, default=None, help="Turns per conversation (history resent each turn).")
@click.option("--cache-history/--no-cache-history", default=None, help="Bill resent history at cached price.")
@click.option("--api-model", default=None, help="Model in the price table (e.g. gpt-4o, claude-sonnet-4).")
@click.option("--api-input", type=float, default=None, help="Override: API price per 1M input tokens (in --currency).")
@click.option("--api-output", type=float, default=None, help="Override: API price per 1M output tokens (in --currency).")
@click.option("--prices", "prices_file", type=click.Path(dir_okay=False), default=None,
              help="YAML {model: {input, output, cached}} overriding the built-in price table.")
@click.option("--currency", default=None,
              help="Report and read every amount in this currency (USD, RUB, ...; built-in USD prices and "
                   "GPU rents are converted). Default: the scenario's, else the --config's accounting.currency "
                   "with --from-ledger, else USD.")
@click.option("--local-share", type=float, default=None, help="Hybrid: fraction the router keeps local.")
@click.option("--set", "sets", multiple=True, help="Any scenario key, e.g. --set self_host.pue=1.2.")
@click.option("--vary", default=None, help="Sensitivity: KEY=v1,v2,... (e.g. self_host.staff_fte=0,1,2).")
@click.option("--from-ledger", is_flag=True, help="Price the gateway's real traffic of the last --days days.")
@click.option("--days", type=float, default=30, show_default=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="PERIMETER_CONFIG",
              default=None, help="Gateway config (its storage section locates the ledger).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None, help="SQLite ledger file.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), default=None,
              help="Write the monthly cost vs volume plot (self-contained HTML).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def tco(scenario: str | None, bench_file: str | None, prices_file: str | None, currency: str | None,
        sets: tuple[str, ...], vary: str | None, from_ledger: bool, days: float, config_path: str | None, db_path: str | None,
        html_path: str | None, as_json: bool, **opts: Any) -> None:
    """Self-host vs API: cost per 1M tokens, monthly cost, break-even volume and a plot.

    \b
      perimeter tco --scenario published-10k
      perimeter tco --gpu L40S --throughput 900 --requests-per-day 50000 --api-model gpt-4o-mini
      perimeter tco --scenario published-10k --vary self_host.staff_fte=0,0.5,1,2
      perimeter tco --bench sweep.json --gpu H100 --gpus-per-replica 1 --staff-fte 0.5
      perimeter tco --from-ledger --days 30 --config perimeter.yaml
    """
    try:
        data = load_yaml(scenario) if scenario else {}
        if bench_file:
            set_dotted(data, "self_host.throughput_tokens_per_s", _bench_throughput(bench_file))
        found = _config_currency(config_path) if from_ledger else None
        if found is not None:  # the ledger bills in the gateway's currency, at the gateway's rates
            data["exchange_rates"] = {**found[1], **(data.get("exchange_rates") or {})}
            data.setdefault("currency", found[0])
        if currency:
            data["currency"] = currency
        _apply(data, opts, sets)
        prices = None
        if prices_file:
            prices = yaml.safe_load(Path(prices_file).read_text("utf-8")) or {}
            if not isinstance(prices, dict):
                raise ScenarioError(f"{prices_file}: expected a mapping of model -> prices")
        sc = build(data, prices=prices)
    except (ScenarioError, OSError, yaml.YAMLError) as exc:
        raise click.ClickException(str(exc)) from exc
    console = Console() if sys.stdout.isatty() else Console(width=160)
    if from_ledger:
        sc = _ledger(sc, days, config_path, db_path, console, as_json)
        if as_json:
            return
    res = analyse(sc)
    summary = _summary(sc, res)
    if vary:
        rows = _vary(data, prices, vary)
        if as_json:
            click.echo(orjson.dumps({"base": summary, "vary": rows}, option=orjson.OPT_INDENT_2).decode())
        else:
            _print_vary(console, vary, rows)
    elif as_json:
        click.echo(orjson.dumps({"summary": summary, "scenario": {"self_host": asdict(sc.host), "traffic":
                   asdict(sc.traffic), "api": asdict(sc.price), "local_share": sc.local_share}},
                   option=orjson.OPT_INDENT_2).decode())
    else:
        print_report(console, sc, res)
    if html_path:
        from perimeter.tco.plot import render

        Path(html_path).write_text(render(sc, summary), encoding="utf-8")
        if not as_json:
            console.print(f"plot: {html_path}")


def _vary(data: dict[str, Any], prices: dict[str, Any] | None, spec: str) -> list[dict[str, Any]]:
    key, sep, values = spec.partition("=")
    if not sep or not values:
        raise click.BadParameter("expected KEY=v1,v2,...", param_hint="--vary")
    rows = []
    for raw in values.split(","):
        d = orjson.loads(orjson.dumps(data))  # deep copy
        set_dotted(d, key.strip(), parse_value(raw))
        try:
            sc = build(d, prices=prices)
        except ScenarioError as exc:
            raise click.ClickException(f"--vary {key}={raw}: {exc}") from exc
        rows.append({"value": raw.strip(), **_summary(sc, analyse(sc))})
    return rows


def _print_vary(console: Console, spec: str, rows: list[dict[str, Any]]) -> None:
    key = spec.partition("=")[0]
    cur = rows[0]["currency"] if rows else "USD"

    def _money(v: float) -> str:
        return money(v, cur)

    t = Table(title=f"sensitivity to {key}")
    for col in (key, "self-hosted /month", "API /month", "hybrid /month", "break-even /day", "replicas"):
        t.add_column(col, justify="right")
    for r in rows:
        be = r["break_even_per_day"]
        t.add_row(r["value"], _money(r["self_hosted_monthly"]), _money(r["api_monthly"]),
                  _money(r["hybrid_monthly"]), "never" if be is None else f"{be:,.0f}", str(r["replicas"]))
    console.print(t)


def _ledger(sc: Scenario, days: float, config_path: str | None, db_path: str | None, console: Console,
            as_json: bool) -> Scenario:
    from dataclasses import replace

    from perimeter.store.config import StorageConfig
    from perimeter.store.db import Database, DatabaseUnavailable
    from perimeter.tco.ledger import price_ledger, read_totals

    if db_path:
        if not Path(db_path).exists():
            raise click.ClickException(f"{db_path}: no such ledger database")
        db = Database(StorageConfig(database_url=f"sqlite:///{db_path}"))
    else:
        from perimeter.cli.support import open_db

        db = open_db(config_path)
    try:
        totals = read_totals(db, days)
        out = price_ledger(sc, totals)
    except DatabaseUnavailable as exc:
        raise click.ClickException(f"cannot read the ledger: {exc}") from exc
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    except Exception as exc:  # sqlite3.OperationalError: not a ledger database
        if "no such table" in str(exc):
            raise click.ClickException("that database has no ledger table (is it a Perimeter database?)") from exc
        raise
    finally:
        db.close()
    if as_json:
        click.echo(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())
    else:
        def _money(v: float) -> str:
            return money(v, sc.currency)

        t = Table(title=f"last {days:g} days: {out['requests']:,} requests, "
                  f"{out['local_share']:.0%} served on-prem by the router")
        t.add_column("option")
        t.add_column(f"{days:g} days", justify="right")
        t.add_column("per month at this rate", justify="right")
        m = out["monthly_at_this_rate"]
        t.add_row("actual (cloud bills + self-hosted share)", _money(out["actual"]), _money(m["actual"]))
        t.add_row(f"all-cloud ({out['api_model']})", _money(out["all_cloud"]), _money(m["all_cloud"]))
        t.add_row("all-local (self-hosted for everything)", _money(out["all_local"]), _money(m["all_local"]))
        console.print(t)
    return replace(sc, traffic=out["traffic"], local_share=out["local_share"])
