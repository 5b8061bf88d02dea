from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from perimeter.privacy import Scanner


@pytest.fixture(scope="session")
def scanner() -> Scanner:
    s = Scanner()
    s.warm_up()
    return s


@pytest.fixture(scope="session")
def patterns() -> Scanner:
    return Scanner(ner=False)


def found(scanner: Scanner, text: str) -> list[tuple[str, str]]:
    return [(e.type, e.text) for e in scanner.scan(text)]


def persons(scanner: Scanner, text: str) -> list[str]:
    return [t for kind, t in found(scanner, text) if kind == "PERSON"]


def covered(scanner: Scanner, text: str, value: str) -> bool:
    """Every letter and digit of ``value`` (first occurrence) is inside some finding."""
    at = text.index(value)
    spans = [(e.start, e.end) for e in scanner.scan(text)]
    return all(
        any(s <= i < e for s, e in spans) for i in range(at, at + len(value)) if text[i].isalnum()
    )


def found_of(scanner: Scanner, text: str, kind: str) -> list[str]:
    """The texts of the findings of one type, in order."""
    return [e.text for e in scanner.scan(text) if e.type == kind]


def covered_as(scanner: Scanner, text: str, value: str, kind: str) -> bool:
    """Every letter and digit of ``value`` (first occurrence) is inside a finding of ``kind``."""
    at = text.index(value)
    spans = [(e.start, e.end) for e in scanner.scan(text) if e.type == kind]
    return all(any(s <= i < e for s, e in spans) for i in range(at, at + len(value)) if text[i].isalnum())


def in_threads(run: Callable[[], list[object]], threads: int = 4) -> list[list[object]]:
    """``run()`` called at once in ``threads`` threads; each call's result (to compare with a
    single-threaded run: a shared cache must not change what any thread sees)."""
    results: list[list[object]] = [[] for _ in range(threads)]

    def worker(k: int) -> None:
        results[k] = run()

    started = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in started:
        t.start()
    for t in started:
        t.join()
    return results
