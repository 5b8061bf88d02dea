"""Price table: what a request cost, and what it would have cost on the reference cloud model.

The built-in table (``prices.json``, date-stamped, with sources) is overridden by
``accounting.prices`` and by a provider's own ``price`` (on-prem providers usually set their
amortised cost there; without one an on-prem request costs 0).  Costs are converted to
``accounting.currency`` with ``accounting.exchange_rates`` (units per 1 USD).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from perimeter.accounting.config import AccountingConfig


class PriceError(ValueError):
    pass


@dataclass(slots=True, frozen=True)
class Price:
    """Per 1M tokens.  Prompt tokens split four ways, each billed as the vendor bills it:
    fresh input, cache reads (``cached``), and cache writes by lifetime (5 minutes, 1 hour)."""

    input: float
    output: float
    cached: float
    currency: str = "USD"
    cache_write: float | None = None
    cache_write_1h: float | None = None

    def cost(self, prompt: int, completion: int, cached: int, cache_write: int = 0, cache_write_1h: int = 0) -> float:
        cached = min(cached, prompt)
        cache_write = min(cache_write, prompt - cached)
        cache_write_1h = min(cache_write_1h, cache_write)
        write_5m = self.input if self.cache_write is None else self.cache_write
        write_1h = write_5m if self.cache_write_1h is None else self.cache_write_1h
        fresh = prompt - cached - cache_write
        return (fresh * self.input + cached * self.cached + (cache_write - cache_write_1h) * write_5m
                + cache_write_1h * write_1h + completion * self.output) / 1_000_000


def builtin_table() -> dict[str, Any]:
    return json.loads(resources.files("perimeter.accounting").joinpath("prices.json").read_text("utf-8"))


def exchange_rates(extra: dict[str, float] | None = None, table: dict[str, Any] | None = None) -> dict[str, float]:
    """Units of each currency per 1 USD: the table's dated rates (which make its rouble prices
    usable out of the box), then ``extra`` (a config's or scenario's own), which wins."""
    table = builtin_table() if table is None else table
    return {"USD": 1.0, **table.get("exchange_rates", {}), **(extra or {})}


def _price(d: dict[str, Any]) -> Price:
    cached = d.get("cached")
    writes = [None if d.get(k) is None else float(d[k]) for k in ("cache_write", "cache_write_1h")]
    return Price(float(d["input"]), float(d["output"]), float(d["input"] if cached is None else cached),
                 str(d.get("currency") or "USD"), *writes)


class PriceTable:
    def __init__(self, cfg: AccountingConfig, provider_prices: dict[str, dict[str, float]] | None = None) -> None:
        self.currency = cfg.currency
        table = builtin_table()
        self.rates = exchange_rates(cfg.exchange_rates, table)
        self.as_of = str(table.get("as_of"))
        self.models: dict[str, Price] = {m: _price(d) for m, d in table["models"].items()}
        for m, pc in cfg.prices.items():
            self.models[m] = Price(pc.input, pc.output, pc.input if pc.cached is None else pc.cached, pc.currency,
                                   pc.cache_write, pc.cache_write_1h)
        self.providers: dict[str, Price] = {}
        for name, d in (provider_prices or {}).items():
            try:
                self.providers[name] = _price({"currency": cfg.currency, **d})
            except (KeyError, TypeError, ValueError) as exc:
                raise PriceError(
                    f"providers.{name}.price: needs numeric 'input' and 'output' per 1M tokens ({exc})"
                ) from None
        for p in [*self.models.values(), *self.providers.values()]:
            if p.currency not in self.rates and p.currency != self.currency:
                raise PriceError(
                    f"price in {p.currency} but accounting.exchange_rates has no rate for it "
                    f"(known: {', '.join(sorted(self.rates))})"
                )
        self._sorted = sorted(self.models, key=len, reverse=True)
        self._by_prefix: dict[str, Price | None] = {}
        self.reference_model = cfg.reference_model
        self.reference = self.lookup(cfg.reference_model) if cfg.reference_model else None
        if cfg.reference_model and self.reference is None:
            raise PriceError(f"accounting.reference_model: no price for '{cfg.reference_model}' (add it to accounting.prices)")

    def lookup(self, model: str | None) -> Price | None:
        if not model:
            return None
        p = self.models.get(model)
        if p is not None:
            return p
        # Every request of a model the table names only by prefix (or not at all) asks again:
        # remember the answer (the table does not change once built).
        try:
            return self._by_prefix[model]
        except KeyError:
            pass
        if len(self._by_prefix) > 4096:
            self._by_prefix.clear()
        p = self._by_prefix[model] = self._prefix_lookup(model)
        return p

    def _prefix_lookup(self, model: str) -> Price | None:
        # "openai/gpt-4o" style names, Yandex model URIs (gpt://<folder>/yandexgpt-lite/latest) and
        # Yandex short names (yandexgpt/latest): the last path segment that names a priced model.
        for bare in reversed(model.split("://", 1)[-1].split("/")):
            for m in self._sorted:
                if bare.startswith(m):
                    return self.models[m]
        return None

    def convert(self, amount: float, currency: str) -> float:
        if currency == self.currency:
            return amount
        usd = amount / self.rates[currency]
        return usd * self.rates.get(self.currency, 1.0)

    def cost(
        self, provider: str | None, model: str | None, location: str | None, prompt: int, completion: int, cached: int,
        cache_write: int = 0, cache_write_1h: int = 0,
    ) -> float:
        """Cost in ``self.currency``: provider price, else model price; on-prem without price is free."""
        price = self.providers.get(provider or "")
        if price is None:
            price = None if location == "on_prem" else self.lookup(model)
        if price is None:
            return 0.0
        return self.convert(price.cost(prompt, completion, cached, cache_write, cache_write_1h), price.currency)

    def reference_cost(self, prompt: int, completion: int, cached: int) -> float | None:
        if self.reference is None:
            return None
        return self.convert(self.reference.cost(prompt, completion, cached), self.reference.currency)
