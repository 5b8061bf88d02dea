"""Run-on inputs keep the scan linear: one tenant's 200 KB of repeated cue words must not hold a
scan thread for minutes (the time limit fails the request closed, but the thread runs on).

Each of these once made a rule quadratic: a backwards search to the sentence start per name (the
pet check), a sentence-end search to the end of the text per "password", a scan of every part of
a line per address trigger, a scan of every found name per later mention.  The bound is loose
(a quadratic rule takes minutes at this size, the linear one about a second on a loaded 2-core
machine); it catches the class, not a few per cent.
"""

from __future__ import annotations

import time

import pytest

from perimeter.privacy import Scanner

RUN_ON = ["Anna said, ", "password ", "Flat 3, ", "Mr. Smith "]


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    s = Scanner()
    s.warm_up()
    return s


@pytest.mark.parametrize("unit", RUN_ON)
def test_run_on_text_scans_in_linear_time(scanner: Scanner, unit: str) -> None:
    text = unit * (200_000 // len(unit))
    started = time.process_time()
    scanner.scan(text)
    spent = time.process_time() - started
    assert spent < 12.0, f"{unit!r} × {len(text) // len(unit)}: {spent:.1f} s of CPU"
