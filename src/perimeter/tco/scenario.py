"""Build a cost model from a scenario YAML, a bench result and command-line overrides.

A scenario is a plain mapping with ``self_host``, ``traffic``, ``api`` and ``local_share``
sections (see ``scenarios/*.yaml``).  Overrides are dotted keys (``self_host.staff_fte=1``),
applied after the file, so the command line always wins.  API prices come from the gateway's
maintained price table (:mod:`perimeter.accounting.prices`, date-stamped, with sources) unless
the scenario or ``--prices`` gives its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from perimeter.tco.currency import CurrencyError, convert, merged_rates, per_usd
from perimeter.tco.model import ApiPrice, SelfHost, Traffic


class ScenarioError(ValueError):
    """The scenario cannot be built; the message names the key."""


@dataclass(slots=True, frozen=True)
class Scenario:
    host: SelfHost
    traffic: Traffic
    price: ApiPrice
    local_share: float
    description: str = ""
    price_as_of: str = ""
    #: Every amount of the scenario and of its results is in this currency.
    currency: str = "USD"
    #: Units per 1 USD of every currency known (built-in, then the scenario's ``exchange_rates``).
    rates: dict[str, float] = field(default_factory=lambda: {"USD": 1.0})


def builtin_scenarios() -> list[str]:
    root = resources.files("perimeter.tco").joinpath("scenarios")
    return sorted(p.name.removesuffix(".yaml") for p in root.iterdir() if p.name.endswith(".yaml"))


def load_yaml(name_or_path: str) -> dict[str, Any]:
    p = Path(name_or_path)
    if p.exists():
        text = p.read_text("utf-8")
    elif name_or_path in builtin_scenarios():
        text = resources.files("perimeter.tco").joinpath("scenarios", name_or_path + ".yaml").read_text("utf-8")
    else:
        raise ScenarioError(f"no scenario file '{name_or_path}' (built in: {', '.join(builtin_scenarios())})")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{name_or_path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ScenarioError(f"{name_or_path}: expected a mapping")
    return data


def gpu_table() -> dict[str, Any]:
    data = yaml.safe_load(resources.files("perimeter.tco").joinpath("gpus.yaml").read_text("utf-8"))
    return dict(data)


def api_price_table(extra: dict[str, Any] | None = None) -> tuple[dict[str, dict[str, Any]], str]:
    """Model → {input, output, cached, currency} per 1M tokens, and the table's date."""
    from perimeter.accounting.prices import builtin_table

    table = builtin_table()
    models: dict[str, dict[str, float]] = {m: dict(v) for m, v in table["models"].items()}
    for m, v in (extra or {}).items():
        models[m] = {**models.get(m, {}), **v}
    return models, str(table.get("as_of", ""))


def set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = data
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise ScenarioError(f"{key}: '{p}' is not a section")
    node[parts[-1]] = value


def parse_value(text: str) -> Any:
    v = yaml.safe_load(text)
    return v


def _build(cls: type, section: dict[str, Any], name: str) -> Any:
    known = {f.name for f in fields(cls)}
    unknown = set(section) - known
    if unknown:
        raise ScenarioError(f"{name}: unknown key(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})")
    try:
        obj = cls(**section)
    except TypeError as exc:
        raise ScenarioError(f"{name}: {exc}") from exc
    for f in fields(cls):
        v = getattr(obj, f.name)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0:
            raise ScenarioError(f"{name}.{f.name}: must not be negative")
    return obj


# SelfHost's money defaults are in USD; a scenario in another currency gets them converted.
_USD_DEFAULTS = {"kwh_price": 0.12, "staff_cost_per_year": 180_000.0}


def build(data: dict[str, Any], *, prices: dict[str, Any] | None = None) -> Scenario:
    currency = str(data.get("currency") or "USD").upper()
    try:
        rates = merged_rates(data.get("exchange_rates"))
        fx = per_usd(currency, rates)
    except CurrencyError as exc:
        raise ScenarioError(str(exc)) from None
    host_d = dict(data.get("self_host") or {})
    for key, usd in _USD_DEFAULTS.items():
        if host_d.get(key) is None:
            host_d[key] = usd * fx
    gpus = gpu_table()["gpus"]
    gpu = host_d.get("gpu", "H100")
    if gpu in gpus:
        spec = gpus[gpu]
        if host_d.get("hourly_per_gpu") is None and host_d.get("purchase_per_gpu") is None:
            host_d["hourly_per_gpu"] = float(spec["hourly"]) * fx  # the GPU table is in USD
        host_d.setdefault("watts_per_gpu", spec["watts"])
    elif host_d.get("hourly_per_gpu") is None and host_d.get("purchase_per_gpu") is None:
        raise ScenarioError(f"self_host.gpu: unknown GPU '{gpu}' (known: {', '.join(gpus)}); "
                            "give hourly_per_gpu or purchase_per_gpu")
    if host_d.get("purchase_per_gpu") is not None:
        host_d["hourly_per_gpu"] = None  # buying wins over the table's rent default
    host: SelfHost = _build(SelfHost, host_d, "self_host")
    if not 0 < host.utilisation <= 1:
        raise ScenarioError("self_host.utilisation: must be in (0, 1]")
    if host.throughput_tokens_per_s <= 0 or host.gpus_per_replica < 1:
        raise ScenarioError("self_host: throughput_tokens_per_s and gpus_per_replica must be positive")
    traffic: Traffic = _build(Traffic, dict(data.get("traffic") or {}), "traffic")
    if traffic.turns < 1:
        raise ScenarioError("traffic.turns: must be >= 1")
    api_d = dict(data.get("api") or {"model": "gpt-4o"})
    table, as_of = api_price_table(prices)
    model = str(api_d.get("model", "custom"))
    if "input" not in api_d or "output" not in api_d:
        row = table.get(model)
        if row is None:
            raise ScenarioError(f"api.model: no list price for '{model}' (give api.input/api.output per 1M "
                                f"tokens or --prices; known: {', '.join(sorted(table))})")
        row_currency = str(row.get("currency") or "USD")
        try:
            listed = {k: (None if row.get(k) is None else convert(float(row[k]), row_currency, currency, rates))
                      for k in ("input", "output", "cached")}
        except CurrencyError as exc:
            raise ScenarioError(f"api.model {model} is priced in {row_currency}: {exc}") from None
        api_d = {"model": model, **listed, **{k: v for k, v in api_d.items() if k != "model"}}
    else:
        as_of = "given"
    price: ApiPrice = _build(ApiPrice, api_d, "api")
    share = float(data.get("local_share", 0.7))
    if not 0 <= share <= 1:
        raise ScenarioError("local_share: must be between 0 and 1")
    return Scenario(host, traffic, price, share, str(data.get("description", "")), as_of, currency, rates)
