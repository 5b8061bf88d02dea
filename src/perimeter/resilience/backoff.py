"""Exponential backoff with full jitter, honouring ``Retry-After``."""

from __future__ import annotations

import random


def backoff_delay(attempt: int, base: float, cap: float, retry_after: float | None = None,
                  rng: random.Random | None = None) -> float:
    """Delay before retry number ``attempt`` (1-based).

    Full jitter (a uniform draw in ``[0, min(cap, base * 2**(attempt-1))]``) spreads retries of
    many clients apart.  An upstream ``Retry-After`` is a floor: the upstream told us when.
    """
    r = rng or random
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    delay = r.uniform(0, ceiling) if ceiling > 0 else 0.0
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay
