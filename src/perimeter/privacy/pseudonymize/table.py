"""The surrogate → original lookup of one request, shared by whole-answer and streamed restore.

A :class:`ReplacementTable` is built once per request from the pseudonymizer's
surrogate → original pairs.  It matches whole words only (so "Олег" inside "Олегович" is left
alone), longest surrogate first, and has two replacement maps: plain text, and JSON string
content for tool-call arguments (an original with a quote or a backslash must be escaped there,
and a model that writes ``\\u0421...`` escapes is understood too).
"""

from __future__ import annotations

import re

import orjson

# A surrogate starts where no word character precedes it — or right after a JSON escape
# (``\n``, ``\u00e9``), whose last character is a letter but is not part of the word.
_LEFT = r"(?:(?<!\w)|(?<=\\[nrtbf])|(?<=\\u[0-9a-fA-F]{4}))"
_RIGHT = r"(?!\w)"


def _json_inner(text: str, *, ascii_only: bool) -> str:
    if ascii_only:
        import json

        return json.dumps(text, ensure_ascii=True)[1:-1]
    return orjson.dumps(text).decode()[1:-1]


class ReplacementTable:
    """Compiled surrogate → original lookup for one request."""

    __slots__ = ("json_map", "max_len", "pattern", "prefixes", "text_map")

    def __init__(self, pairs: dict[str, str]) -> None:
        text_map: dict[str, str] = {}
        json_map: dict[str, str] = {}
        for surrogate, original in pairs.items():
            if not surrogate or surrogate == original:
                continue
            text_map.setdefault(surrogate, original)
            json_map.setdefault(surrogate, _json_inner(original, ascii_only=False))
            for ascii_only in (False, True):
                escaped = _json_inner(surrogate, ascii_only=ascii_only)
                if escaped != surrogate:
                    # Only meaningful inside JSON strings; in plain text it is left as the model
                    # wrote it, escaped, with the escaped original.
                    text_map.setdefault(escaped, _json_inner(original, ascii_only=ascii_only))
                    json_map.setdefault(escaped, _json_inner(original, ascii_only=ascii_only))
        self.text_map = text_map
        self.json_map = json_map
        keys = sorted(text_map, key=len, reverse=True)
        self.max_len = len(keys[0]) if keys else 0
        self.pattern: re.Pattern[str] | None = (
            re.compile(_LEFT + "(?:" + "|".join(re.escape(k) for k in keys) + ")" + _RIGHT) if keys else None
        )
        # Every proper prefix of every surrogate: a stream tail that is one may still become one.
        prefixes: set[str] = set()
        for k in keys:
            for i in range(1, len(k)):
                prefixes.add(k[:i])
        self.prefixes = frozenset(prefixes)

    def __bool__(self) -> bool:
        return self.pattern is not None

    def restore(self, text: str, *, json: bool = False) -> str:
        if self.pattern is None or not text:
            return text
        table = self.json_map if json else self.text_map
        return self.pattern.sub(lambda m: table[m.group()], text)
