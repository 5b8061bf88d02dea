"""Score a detector on the labelled corpus splits (the same scoring as ``perimeter scan --eval``).

    python benchmarks/privacy/evaluate.py                       # Perimeter Scanner on every split
    python benchmarks/privacy/evaluate.py --split heldout -v
    python benchmarks/privacy/evaluate.py --predictions presidio_dev.jsonl --split dev
    python benchmarks/privacy/evaluate.py --src /tmp/old/src    # an older version, for before/after

Metrics (canonical types only) are defined in ``perimeter.privacy.evaluation``: per-type strict
and overlap P/R/F1, document leak rate (an alphanumeric character of a gold value, a leading
title aside, covered by no finding) and false alarms on PII-free documents.  The scan time per
KB of text is printed too (median of ``--runs`` passes over the split, after a warm-up pass).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
SPLITS = ["dev", "heldout", "fresh", "independent", "blind", "blind2", "blind3", "blind5", "blind6", "blind7", "train8", "train9", "train10", "train11", "blind8", "blind9", "blind10", "blind11", "blind12", "blind13", "blind14", "blind15", "blind16", "blind17", "blind18", "blind19", "blind20", "classes", "classes2"]
CANONICAL = ("PERSON", "EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "IP_ADDRESS", "RU_PASSPORT", "RU_SNILS",
             "RU_INN", "RU_OGRN", "RU_BANK_ACCOUNT", "US_SSN", "ADDRESS", "DATE_OF_BIRTH", "SECRET")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    ap.add_argument("--predictions", type=Path, help="JSONL {id, entities} from another detector")
    ap.add_argument("--name", default="Perimeter")
    ap.add_argument("--src", help="import perimeter from this directory (for a before/after comparison)")
    ap.add_argument("--runs", type=int, default=3, help="timed passes per split (median reported)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the scores here")
    args = ap.parse_args()
    sys.path.insert(0, args.src or str(HERE.parents[1] / "src"))
    from perimeter.privacy import Scanner
    from perimeter.privacy.evaluation import Span, parse_gold, render, score

    scanner: Any = None
    results: dict[str, Any] = {}
    for split in SPLITS if args.split == "all" else [args.split]:
        path = CORPUS / f"{split}.jsonl"
        if not path.exists():
            continue
        docs = parse_gold(path.read_bytes().splitlines(), str(path))
        if args.predictions:
            rows = [json.loads(x) for x in args.predictions.read_text("utf-8").splitlines() if x.strip()]
            preds = {r["id"]: [Span(e["type"], e["start"], e["end"]) for e in r["entities"]] for r in rows}
            per_kb = None
        else:
            if scanner is None:
                scanner = Scanner()
                scanner.warm_up()
            preds = {d.id: [Span(e.type, e.start, e.end) for e in scanner.scan(d.text)] for d in docs}
            kb = sum(len(d.text.encode("utf-8")) for d in docs) / 1024
            times = []
            for _ in range(args.runs):
                t = time.process_time()
                for d in docs:
                    scanner.scan(d.text)
                times.append(time.process_time() - t)
            per_kb = statistics.median(times) / kb * 1000
        rep = score(docs, preds, types=CANONICAL)
        print("\n" + render(rep, f"{args.name} — {split}", args.verbose))
        if per_kb is not None:
            print(f"- scan CPU time: **{per_kb:.3f} ms per KB** (median of {args.runs} passes, {kb:.0f} KB)")
        results[split] = {**rep.to_json(), "ms_per_kb": per_kb}
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
