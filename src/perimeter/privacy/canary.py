"""Canaries: planted values that prove, request by request, that nothing slipped through.

An operator plants values that occur nowhere else (a fake client "Канарейкин Бенедикт
Аристархович", a contract number, a random token) in the documents their applications read.
If one is ever seen in a body about to go to a cloud provider — after pseudonymization, in any
field, structural ones included — the detectors or the walk have a hole: the request is
refused (HTTP 400 ``privacy_canary_detected``), and the ``perimeter_privacy_canary_hits_total``
metric and a ``privacy_canary`` audit event record it (which canary, by its position in the
list — never its value).  This is a second line of defence, independent of detection.

The body is checked twice, both in one Aho-Corasick pass each: its JSON text as it will be
encoded (every field, keys and structural values included), and the walk's scan units (so a
canary split over several content parts, or written as a JSON number, is still seen).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from perimeter.privacy.detect.known_values import LiteralSet
from perimeter.privacy.walk import collect


class CanaryWatch:
    """Finds planted values in outbound bodies."""

    def __init__(self, values: Iterable[str]) -> None:
        values = list(values)
        pairs: list[tuple[str, Any]] = []
        for i, v in enumerate(values):
            pairs.append((v, i))
            escaped = orjson.dumps(v).decode()[1:-1]  # how it looks inside an encoded JSON string
            if escaped != v:
                pairs.append((escaped, i))
        self._set = LiteralSet(pairs)
        self.count = len(values)

    def __bool__(self) -> bool:
        return self.count > 0

    def hits(self, body: dict[str, Any]) -> list[int]:
        """Indices (in configuration order) of the canaries found anywhere in ``body``."""
        if not self.count:
            return []
        found = {payload for _s, _e, payload in self._set.find(orjson.dumps(body).decode())}
        for text in collect("", body).texts():
            found.update(payload for _s, _e, payload in self._set.find(text))
        return sorted(found)
