"""Reading a regular expression's source: where its structural characters are.

The gates (``gates.py``) and the slot checks (``slot_gate.py``) both cut a pattern's source at
a structural point — the end of a leading look-behind, the first capturing group — and both must
skip what only looks structural: an escaped character ("\\(") and anything inside a character
class ("[()]", "[]x]").
"""

from __future__ import annotations

from collections.abc import Iterator


def structural(src: str) -> Iterator[int]:
    """Positions in ``src`` of the characters outside escapes and character classes (a class's
    own brackets are not yielded: nothing there opens or closes a group)."""
    i, n, in_class = 0, len(src), False
    while i < n:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            if src.startswith("[]", i) or src.startswith("[^]", i):
                i += 2 if src[i + 1] == "]" else 3  # a "]" first in a class is a literal
                continue
        else:
            yield i
        i += 1
