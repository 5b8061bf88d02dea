"""The tagger's training script (``benchmarks/privacy/train_tagger.py``), loaded as a module for
the tests that check its labelling and augmentation: it is a script, not part of the package."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def train_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_tagger", ROOT / "benchmarks" / "privacy" / "train_tagger.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("train_tagger", module)
    spec.loader.exec_module(module)
    return module
