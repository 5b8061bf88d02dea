"""A cheap exact test of whether a slot pattern can put its group 1 at a given offset.

The cue detectors (``names_cues``, ``names_ru_cues``) ask, for a capitalised word at ``s``,
whether a slot pattern ("Dear …", "my colleague …", "I am …") matches with its first group
exactly at ``s``: they ``search`` from up to 60 characters before ``s`` to 160 after it.  An
alternation of a hundred words tried at each of those ~220 positions costs 10-100 µs per
pattern, and the answer is almost always no.

Group 1 can start at ``s`` only if the part of the pattern before group 1 (its *prefix*)
matches some ``text[q:s]``.  That is one ``search`` of ``prefix + \\Z`` with ``endpos=s`` over
the same start window, a quarter as many positions and the same expensive alternation only
there.  When it fails, the full search cannot succeed at ``s``; when it passes, the caller runs
its own search unchanged, so what is found never depends on this gate.

The prefix is cut from the pattern's own source, so a word added to a slot pattern is in the
gate too.  A prefix that could look past its end (a look-ahead, ``$``, ``\\b``) would see a
different text with ``endpos=s``; such a pattern gets no gate (:func:`tail_of` returns
``None``) and is always searched in full.
"""

from __future__ import annotations

import re
import threading

from perimeter.privacy.detect.regex_source import structural

# Constructs that look at characters after the current position: cut at ``s`` they could
# answer differently, so a prefix holding one is not used as a gate.
_LOOKS_AHEAD = ("(?=", "(?!", "\\b", "\\B", "\\Z", "\\z")

_lock = threading.Lock()
# by ``id``: hashing a compiled pattern hashes its whole code (1-3 µs for a slot pattern, on
# every call); the pattern itself is kept beside its tail, so an id is never reused while here
_tails: dict[int, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}


def prefix_of(pattern: str) -> str | None:
    """The source of ``pattern`` before its first capturing group, or ``None`` when it has
    none or that part could look ahead."""
    for i in structural(pattern):
        c = pattern[i]
        if c == "$":
            return None
        if c == "(" and (not pattern.startswith("(?", i) or pattern.startswith("(?P<", i)):
            head = pattern[:i]
            return None if not head or any(x in head for x in _LOOKS_AHEAD) else head
    return None


def tail_of(rx: re.Pattern[str]) -> re.Pattern[str] | None:
    """``prefix + \\Z`` compiled with ``rx``'s flags (cached per pattern), or ``None``."""
    hit = _tails.get(id(rx))
    if hit is not None and hit[0] is rx:
        return hit[1]
    head = prefix_of(rx.pattern)
    tail = None
    if head is not None:
        try:
            tail = re.compile(f"(?:{head})\\Z", rx.flags)
        except re.error:  # the group sits inside a bracket the prefix leaves open
            tail = None
    with _lock:
        _tails[id(rx)] = (rx, tail)
    return tail


def group_may_start(rx: re.Pattern[str], text: str, lo: int, s: int) -> bool:
    """False only when no match of ``rx`` starting at or after ``lo`` can have group 1 at ``s``."""
    tail = tail_of(rx)
    return tail is None or tail.search(text, lo, s) is not None
