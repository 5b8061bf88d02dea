"""The cost model: self-hosted replicas + staff vs per-token API prices, and the hybrid split.

Self-hosting is a step function of volume: each model *replica* (``gpus_per_replica`` GPUs)
serves at most ``throughput × utilisation`` output tokens/s, so the replica count is
``max(min_replicas, ceil(volume / replica capacity))``; staff cost is fixed.  An API costs a
fixed price per token, so its monthly cost is a straight line through zero.  Break-even is the
smallest volume at which the step function is at or below the line.

Volumes are *units per day*; a unit is one request, or one conversation of ``turns`` turns in
which every turn resends the history (what chat front-ends do), so its input grows
quadratically with the number of turns.  History tokens may be billed at the API's cached-input
price (``cache_history``).  A month is 730 hours (365 × 24 / 12) and 30.4 days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

HOURS_PER_MONTH = 730.0
DAYS_PER_MONTH = HOURS_PER_MONTH / 24


@dataclass(slots=True, frozen=True)
class SelfHost:
    gpu: str = "H100"
    gpus_per_replica: int = 1
    min_replicas: int = 1
    # Either rent (per GPU-hour; includes power and hosting) or buy (amortised + power + hosting).
    hourly_per_gpu: float | None = None
    purchase_per_gpu: float | None = None
    amortisation_months: float = 36.0
    server_overhead: float = 0.25  # chassis, CPU, RAM, network as a fraction of the GPU price
    watts_per_gpu: float = 700.0
    pue: float = 1.4
    kwh_price: float = 0.12
    hosting_per_gpu_month: float = 0.0
    staff_fte: float = 1.0
    staff_cost_per_year: float = 180_000.0
    # Output tokens/s one replica sustains at saturation (``perimeter bench sweep``).
    throughput_tokens_per_s: float = 1000.0
    # Average fraction of that peak you can use (traffic is bursty; replicas must cover peaks).
    utilisation: float = 0.5

    def gpu_month(self) -> float:
        if self.hourly_per_gpu is not None:
            return self.hourly_per_gpu * HOURS_PER_MONTH + self.hosting_per_gpu_month
        if self.purchase_per_gpu is None:
            raise ValueError("self-hosting needs hourly_per_gpu (rent) or purchase_per_gpu (buy)")
        capex = self.purchase_per_gpu * (1 + self.server_overhead) / self.amortisation_months
        power = self.watts_per_gpu / 1000 * self.pue * HOURS_PER_MONTH * self.kwh_price
        return capex + power + self.hosting_per_gpu_month

    def replica_month(self) -> float:
        return self.gpus_per_replica * self.gpu_month()

    def staff_month(self) -> float:
        return self.staff_fte * self.staff_cost_per_year / 12


@dataclass(slots=True, frozen=True)
class Traffic:
    per_day: float = 10_000
    input_tokens: int = 600  # new input per turn
    output_tokens: int = 200  # output per turn
    turns: int = 1
    cache_history: bool = False

    def input_per_unit(self) -> tuple[float, float]:
        """(fresh input tokens, resent history tokens) per unit."""
        t = self.turns
        history = t * (t - 1) / 2 * (self.input_tokens + self.output_tokens)
        return float(t * self.input_tokens), history

    def output_per_unit(self) -> float:
        return float(self.turns * self.output_tokens)

    def tokens_per_unit(self) -> float:
        fresh, history = self.input_per_unit()
        return fresh + history + self.output_per_unit()


@dataclass(slots=True, frozen=True)
class ApiPrice:
    model: str
    input: float  # per 1M tokens
    output: float
    cached: float | None = None

    def per_unit(self, traffic: Traffic) -> float:
        fresh, history = traffic.input_per_unit()
        hist_price = self.cached if (traffic.cache_history and self.cached is not None) else self.input
        return (fresh * self.input + history * hist_price + traffic.output_per_unit() * self.output) / 1e6


@dataclass(slots=True, frozen=True)
class Costs:
    """One option at one volume, per month."""

    option: str
    monthly: float
    per_million_tokens: float
    detail: dict[str, float]


def replica_capacity_units(host: SelfHost, traffic: Traffic) -> float:
    """Units per month one replica can serve at the planned utilisation."""
    tokens = host.throughput_tokens_per_s * host.utilisation * 3600 * HOURS_PER_MONTH
    return tokens / max(traffic.output_per_unit(), 1e-9)


def replicas_needed(host: SelfHost, traffic: Traffic, per_day: float) -> int:
    cap = replica_capacity_units(host, traffic)
    need = math.ceil(per_day * DAYS_PER_MONTH / cap - 1e-9) if per_day > 0 else 0
    return max(host.min_replicas, need)


def self_hosted(host: SelfHost, traffic: Traffic, per_day: float | None = None) -> Costs:
    v = traffic.per_day if per_day is None else per_day
    n = replicas_needed(host, traffic, v)
    hardware = n * host.replica_month()
    staff = host.staff_month()
    monthly = hardware + staff
    tokens = v * DAYS_PER_MONTH * traffic.tokens_per_unit()
    cap = replica_capacity_units(host, traffic)
    return Costs("self-hosted", monthly, monthly / tokens * 1e6 if tokens else math.inf, {
        "replicas": n, "gpus": n * host.gpus_per_replica, "hardware": hardware, "staff": staff,
        "utilisation_of_capacity": v * DAYS_PER_MONTH / (n * cap) if n else 0.0,
        "capacity_per_day": n * cap / DAYS_PER_MONTH,
        # Floor: replica cost per 1M tokens when it runs full at the planned utilisation (no staff).
        "hardware_per_million_at_capacity": host.replica_month() / (cap * traffic.tokens_per_unit()) * 1e6,
    })


def api(price: ApiPrice, traffic: Traffic, per_day: float | None = None) -> Costs:
    v = traffic.per_day if per_day is None else per_day
    unit = price.per_unit(traffic)
    monthly = v * DAYS_PER_MONTH * unit
    return Costs(f"API ({price.model})", monthly, unit / traffic.tokens_per_unit() * 1e6,
                 {"per_unit": unit})


def hybrid(host: SelfHost, price: ApiPrice, traffic: Traffic, local_share: float,
           per_day: float | None = None) -> Costs:
    """The router's split: ``local_share`` of units on-prem, the rest on the API."""
    v = traffic.per_day if per_day is None else per_day
    local = self_hosted(host, traffic, v * local_share)
    cloud = api(price, traffic, v * (1 - local_share))
    monthly = local.monthly + cloud.monthly
    tokens = v * DAYS_PER_MONTH * traffic.tokens_per_unit()
    return Costs(f"hybrid ({local_share:.0%} local)", monthly, monthly / tokens * 1e6 if tokens else math.inf,
                 {"local": local.monthly, "cloud": cloud.monthly, "replicas": local.detail["replicas"]})


def break_even(host: SelfHost, price: ApiPrice, traffic: Traffic) -> float | None:
    """Smallest units/day at which self-hosting costs no more than the API (None: never)."""
    a = price.per_unit(traffic) * DAYS_PER_MONTH  # API $/month per unit/day
    if a <= 0:
        return None
    cap = replica_capacity_units(host, traffic) / DAYS_PER_MONTH  # units/day per replica
    r, s = host.replica_month(), host.staff_month()
    gain = a * cap - r  # how much each full replica saves against the API
    k_max = host.min_replicas + 1 if gain <= 0 else max(host.min_replicas, math.ceil(s / gain) + 2)
    for k in range(host.min_replicas, k_max + 1):
        lo = 0.0 if k == host.min_replicas else (k - 1) * cap
        hi = k * cap
        v = max((k * r + s) / a, lo)
        if v <= hi:
            return v
    return None
