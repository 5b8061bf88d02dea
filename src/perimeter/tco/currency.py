"""The currency a cost model is written and reported in.

The built-in numbers (GPU rents in ``gpus.yaml``, the staff and power defaults, the API list
prices in :mod:`perimeter.accounting.prices`) are in their own currencies — mostly USD, the
Russian vendors' prices in roubles.  A scenario names one currency (``currency: RUB``); every
built-in number is converted into it with the price table's dated exchange rates, overridden
by the scenario's (or the gateway config's) ``exchange_rates``, and every number a person gives
(``--gpu-hourly``, ``staff_cost_per_year``…) is read as already being in it.  Without this a
rouble-priced model (GigaChat, YandexGPT) was compared with dollar GPU rents as if one rouble
were one dollar.
"""

from __future__ import annotations

from typing import Any

_SYMBOLS = {"USD": "$", "RUB": "₽", "EUR": "€", "GBP": "£"}


class CurrencyError(ValueError):
    """No exchange rate for a currency the scenario needs."""


def merged_rates(extra: dict[str, Any] | None) -> dict[str, float]:
    """The price table's rates (:func:`perimeter.accounting.prices.exchange_rates`) with a
    scenario's own, checked: a scenario file is typed by hand."""
    from perimeter.accounting.prices import exchange_rates

    checked: dict[str, float] = {}
    for k, v in (extra or {}).items():
        try:
            value = float(v)
        except (TypeError, ValueError):
            raise CurrencyError(f"exchange_rates.{k}: expected a number of units per 1 USD, got {v!r}") from None
        if value <= 0:
            raise CurrencyError(f"exchange_rates.{k}: must be positive")
        checked[str(k).upper()] = value
    return exchange_rates(checked)


def per_usd(currency: str, rates: dict[str, float]) -> float:
    """Units of ``currency`` per 1 USD, or a clear error naming the missing rate."""
    rate = rates.get(currency.upper())
    if rate is None:
        raise CurrencyError(f"no exchange rate for {currency} (known: {', '.join(sorted(rates))}); "
                            f"give exchange_rates: {{{currency}: <units per 1 USD>}}")
    return rate


def convert(amount: float, source: str, target: str, rates: dict[str, float]) -> float:
    if source.upper() == target.upper():
        return amount
    return amount / per_usd(source, rates) * per_usd(target, rates)


def money(value: float, currency: str) -> str:
    """``$1,234`` / ``1,234 ₽`` / ``1,234 CHF``; cents only below 100."""
    amount = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    cur = currency.upper()
    if cur == "USD":
        return "$" + amount if value >= 0 else "-$" + amount.lstrip("-")
    return f"{amount} {_SYMBOLS.get(cur, cur)}"
