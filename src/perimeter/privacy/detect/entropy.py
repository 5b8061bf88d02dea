"""Shannon entropy of a token, in bits per character: how random a would-be secret looks.

Shared by the keyword rules (``secrets``) and the context rules (``secrets_context``).
"""

from __future__ import annotations

import math
from collections import Counter


def entropy(value: str) -> float:
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())
