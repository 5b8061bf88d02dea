"""Cheap exact pre-checks ("gates") for patterns that are searched over a whole text.

CPython's ``re`` skips ahead to the first character a pattern can start with only when the
pattern opens with a literal, a character class or an alternation of literals.  A pattern that
opens with a look-behind or ``\\b`` ("(?<![\\w])(?:mr|mrs|…)") gets no such prefix and is tried
at every character: 5-12 µs per pattern on a 160-character prompt, and most texts hold no match.

A gate is a pattern that matches wherever the full one does (a *relaxation*: the same pattern
less an assertion, or a piece every match must contain), so when the gate finds nothing the
full pattern cannot find anything either, and when it finds something the full pattern runs
unchanged.  The findings never depend on the gate; only texts without a match get cheaper.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect.regex_source import structural


def _leading_assertion_end(src: str) -> int:
    """The length of the look-behind or ``\\b`` a pattern source opens with (0: none)."""
    if src.startswith("\\b"):
        return 2
    if not src.startswith(("(?<!", "(?<=")):
        return 0
    depth = 0
    for i in structural(src):
        if src[i] == "(":
            depth += 1
        elif src[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return 0


def without_leading_assertion(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` less the look-behind or ``\\b`` it opens with: a match of ``rx`` at ``p`` is a
    match of this at ``p`` (the rest of the pattern runs the same from there), so ``search``
    finding nothing here means ``rx`` finds nothing.  (A leading assertion belongs to the first
    top-level branch only, so "(?<!x)A|B" becomes "A|B", a relaxation as well.)"""
    cut = _leading_assertion_end(rx.pattern)
    if not cut:
        raise ValueError(f"no leading assertion in {rx.pattern[:40]!r}")
    return re.compile(rx.pattern[cut:], rx.flags)
