r"""Proof that a faster tagger.py gives the same output as a reference copy of the old one.

    cp src/perimeter/privacy/detect/tagger.py /tmp/tagger_ref.py     # before changing it
    python benchmarks/privacy/tagger_identity.py --reference /tmp/tagger_ref.py

For every text of every readable corpus split (blind7 is never read) and its upper- and
lower-case copies, compares: the tokens; ``features()`` list for list, string for string, in
order; every label's marginal at every token when CRFsuite is given the reference features and
when it is given the model rows the new code passes (less the attributes the model does not
know) — the same float, not a close one — plus the Viterbi labels; ``marginals()``; and
``find_tagged()``'s entities.  Exits 1 on the first kind of difference it counts.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "src"))

from perimeter.privacy.detect import tagger  # noqa: E402

CORPUS = HERE / "corpus"


def texts() -> list[tuple[str, str]]:
    out = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        if path.name.startswith("blind7"):
            continue  # the unseen-text measurement: never read
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                out.append((path.stem, json.loads(line)["text"]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", type=Path, required=True, help="a copy of the old tagger.py, outside the repository")
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("tagger_reference", args.reference)
    assert spec and spec.loader
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)

    crf = tagger._tagger()
    labels = crf.labels()
    counts = dict.fromkeys(("texts", "tokens", "features", "viterbi", "marginal", "marginals", "find_tagged"), 0)
    bad = dict.fromkeys(counts, 0)
    per_split: dict[str, int] = {}
    for split, base in texts():
        for text in (base, base.upper(), base.lower()):
            counts["texts"] += 1
            per_split[split] = per_split.get(split, 0) + 1
            spans = ref.tokens(text)
            counts["tokens"] += len(spans)
            if tagger.tokens(text) != spans:
                bad["tokens"] += 1
                continue
            old = ref.features(text, spans)
            bad["features"] += tagger.features(text, spans) != old
            if spans:
                # every label's marginal at every token: reference rows, then the model rows
                crf.set(old)
                want = (crf.tag(), [crf.marginal(y, i) for i in range(len(spans)) for y in labels])
                crf.set(tagger._model_rows(text, spans))
                got = (crf.tag(), [crf.marginal(y, i) for i in range(len(spans)) for y in labels])
                bad["viterbi"] += got[0] != want[0]
                bad["marginal"] += got[1] != want[1]
                counts["marginal"] += len(want[1])
            bad["marginals"] += list(tagger.marginals(text)) != list(ref.marginals(text))
            new_found, old_found = tagger.find_tagged(text), ref.find_tagged(text)
            counts["find_tagged"] += len(old_found)
            bad["find_tagged"] += new_found != old_found
    print("texts compared:", counts["texts"], per_split)
    print(f"tokens: {counts['tokens']}, marginals compared: {counts['marginal']}, reference entities: {counts['find_tagged']}")
    print("texts that differ:", bad)
    return 1 if any(bad.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
