from __future__ import annotations

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
