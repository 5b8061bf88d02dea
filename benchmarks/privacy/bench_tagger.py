r"""The CRF tagger's cost (tagger.find_tagged), warm and cold, next to a reference copy.

    cp src/perimeter/privacy/detect/tagger.py /tmp/tagger_ref.py     # before changing it
    python benchmarks/privacy/bench_tagger.py [--reference /tmp/tagger_ref.py] [--runs 7]

Two inputs: a corpus split (default blind6, every text once per pass; ms per KB of UTF-8) and
a ~300-byte gateway prompt (a name, a phone, an e-mail, an address; µs per call and ms/KB).
*Warm*: every word seen before (per-word caches full).  *Cold*: the tagger's per-word caches
emptied before each pass, so each distinct word is analysed again (pymorphy3 for Cyrillic);
the model, the word lists and pymorphy3's dictionaries stay loaded, as in a running gateway.
The versions are timed alternately in the same process, CPU time, median of ``--runs``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "src"))

from perimeter.privacy.detect import lexicon, tagger  # noqa: E402
from perimeter.privacy.detect.morph import analyzer  # noqa: E402

PROMPT = ("Hi, I am Anna Petrova, call me at +7 916 204-77-31 or anna.p@mail.ru about order 5521. "
          "Please deliver it to 12 Baker Street, London; my colleague Ivan Sidorov will sign for it. "
          "Привет, это Мария Кузнецова, перезвоните мне завтра после обеда.")


def _clear(mod: ModuleType) -> None:
    """Empty the module's per-word caches (the model-attribute set stays: it is per process)."""
    for name in ("_static", "_morph", "_view", "_model_view", "_context"):
        cached: Any = getattr(mod, name, None)
        if cached is not None:
            cached.cache_clear()


def _pass(mod: ModuleType, texts: list[str], cold: bool) -> float:
    if cold:
        _clear(mod)
    t = time.process_time()
    for text in texts:
        mod.find_tagged(text)
    return time.process_time() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", type=Path, help="a copy of the old tagger.py, to time beside")
    ap.add_argument("--split", default="blind6")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    if args.split.startswith("blind7"):
        raise SystemExit("blind7 is the unseen-text measurement: not read here")
    mods: dict[str, ModuleType] = {}
    if args.reference:
        spec = importlib.util.spec_from_file_location("tagger_reference", args.reference)
        assert spec and spec.loader
        ref = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(ref)
        mods["reference"] = ref
    mods["current"] = tagger
    texts = [json.loads(line)["text"] for line in (HERE / "corpus" / f"{args.split}.jsonl").read_text("utf-8").splitlines() if line.strip()]
    kb = sum(len(t.encode()) for t in texts) / 1024
    pkb = len(PROMPT.encode()) / 1024
    lexicon.load()
    analyzer().parse("тест")
    for mod in mods.values():
        mod.find_tagged(PROMPT)  # the model opened, its attributes read
    # the prompt is timed in batches (one call is ~0.1-0.3 ms); cold: caches emptied per call
    batch = 50
    results: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.runs):
        for name, mod in mods.items():
            results.setdefault((name, f"{args.split} cold"), []).append(_pass(mod, texts, True) * 1000 / kb)
            results.setdefault((name, f"{args.split} warm"), []).append(_pass(mod, texts, False) * 1000 / kb)
            cold = sum(_pass(mod, [PROMPT], True) for _ in range(batch))
            results.setdefault((name, "prompt cold"), []).append(cold * 1000 / batch / pkb)
            results.setdefault((name, "prompt warm"), []).append(_pass(mod, [PROMPT] * batch, False) * 1000 / batch / pkb)
    print(f"{args.split}: {len(texts)} texts, {kb:.1f} KB; prompt: {len(PROMPT.encode())} bytes; "
          f"CPU ms per KB, median of {args.runs} (prompt: also µs per call)")
    for (name, what), values in results.items():
        ms = statistics.median(values)
        per_call = f"  ({ms * pkb * 1000:.0f} µs/call)" if what.startswith("prompt") else ""
        print(f"  {name:9} {what:12} {ms:6.3f} ms/KB{per_call}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
