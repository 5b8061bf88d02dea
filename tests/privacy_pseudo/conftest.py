from __future__ import annotations

import pytest

from perimeter.privacy.detect.scanner import Scanner


@pytest.fixture(scope="session")
def scanner() -> Scanner:
    """The real scanner (natasha + detectors), loaded once for the whole area (~3 s)."""
    s = Scanner()
    s.warm_up()
    return s
