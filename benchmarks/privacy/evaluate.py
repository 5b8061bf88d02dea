"""Score a detector on the labelled corpus.

    python benchmarks/privacy/evaluate.py                       # Perimeter Scanner on dev + heldout
    python benchmarks/privacy/evaluate.py --split heldout
    python benchmarks/privacy/evaluate.py --predictions presidio_dev.jsonl --split dev

Metrics (canonical types only):
- per-type and micro P/R/F1, where a prediction matches a gold span of the same type that it
  overlaps (the scoring the issue asks for);
- strict micro F1 (exact offsets), for comparison with published numbers;
- document leak rate: sensitive documents where any character of a gold value is not covered by
  any prediction (of any type — masking is what protects it);
- false-alarm rate: PII-free documents with at least one prediction.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
CANONICAL = ("PERSON", "EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "IP_ADDRESS", "RU_PASSPORT", "RU_SNILS",
             "RU_INN", "RU_OGRN", "RU_BANK_ACCOUNT", "US_SSN", "ADDRESS", "DATE_OF_BIRTH", "SECRET")
CHECKSUMMED = ("CREDIT_CARD", "IBAN", "RU_SNILS", "RU_INN", "RU_OGRN")


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def scan_with_perimeter(docs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    sys.path.insert(0, str(ROOT / "src"))
    from perimeter.privacy import Scanner

    scanner = Scanner()
    scanner.warm_up()
    t = time.perf_counter()
    out = {d["id"]: [e.to_json() for e in scanner.scan(d["text"])] for d in docs}
    print(f"scanned {len(docs)} docs in {time.perf_counter() - t:.2f}s", file=sys.stderr)
    return out


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["start"] < b["end"] and b["start"] < a["end"])


def score(docs: list[dict[str, Any]], preds: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    tp_p: dict[str, int] = defaultdict(int)
    n_p: dict[str, int] = defaultdict(int)
    tp_g: dict[str, int] = defaultdict(int)
    n_g: dict[str, int] = defaultdict(int)
    strict_tp = 0
    person_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    leaks = sensitive = alarms = clean = 0
    misses: list[str] = []
    false_pos: list[str] = []
    for d in docs:
        gold = [g for g in d["entities"] if g["type"] in CANONICAL]
        pred = [p for p in preds.get(d["id"], []) if p["type"] in CANONICAL]
        for p in pred:
            n_p[p["type"]] += 1
            if any(g["type"] == p["type"] and _overlap(g, p) for g in gold):
                tp_p[p["type"]] += 1
            else:
                false_pos.append(f"{d['id']}: {p['type']} {d['text'][p['start']:p['end']]!r}")
            if any(g["type"] == p["type"] and g["start"] == p["start"] and g["end"] == p["end"] for g in gold):
                strict_tp += 1
        for g in gold:
            n_g[g["type"]] += 1
            found = any(g["type"] == p["type"] and _overlap(g, p) for p in pred)
            tp_g[g["type"]] += found
            if g["type"] == "PERSON":
                person_lang[d["lang"]][0] += found
                person_lang[d["lang"]][1] += 1
            if not found:
                misses.append(f"{d['id']}: {g['type']} {d['text'][g['start']:g['end']]!r}")
        if gold:
            sensitive += 1
            covered = set()
            for p in preds.get(d["id"], []):
                covered.update(range(p["start"], p["end"]))
            leaked = [g for g in gold if any(i not in covered for i in range(g["start"], g["end"]) if not d["text"][i].isspace())]
            if leaked:
                leaks += 1
                misses.append(f"LEAK {d['id']}: " + "; ".join(f"{g['type']} {d['text'][g['start']:g['end']]!r}" for g in leaked))
        else:
            clean += 1
            alarms += bool(pred)

    def prf(tp_pred: int, n_pred: int, tp_gold: int, n_gold: int) -> tuple[float, float, float]:
        p = tp_pred / n_pred if n_pred else 1.0
        r = tp_gold / n_gold if n_gold else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    per_type = {t: (*prf(tp_p[t], n_p[t], tp_g[t], n_g[t]), n_g[t]) for t in CANONICAL if n_g[t] or n_p[t]}
    micro = prf(sum(tp_p.values()), sum(n_p.values()), sum(tp_g.values()), sum(n_g.values()))
    strict = prf(strict_tp, sum(n_p.values()), strict_tp, sum(n_g.values()))
    chk = prf(sum(tp_p[t] for t in CHECKSUMMED), sum(n_p[t] for t in CHECKSUMMED),
              sum(tp_g[t] for t in CHECKSUMMED), sum(n_g[t] for t in CHECKSUMMED))
    return {
        "docs": len(docs), "per_type": per_type, "micro": micro, "strict_micro": strict, "checksummed": chk,
        "person_recall": {k: v[0] / v[1] for k, v in person_lang.items() if v[1]},
        "leak_rate": leaks / sensitive if sensitive else 0.0, "sensitive_docs": sensitive,
        "false_alarm_rate": alarms / clean if clean else 0.0, "clean_docs": clean,
        "misses": misses, "false_positives": false_pos,
    }


def report(name: str, s: dict[str, Any], verbose: bool) -> None:
    print(f"\n## {name} ({s['docs']} docs: {s['sensitive_docs']} sensitive, {s['clean_docs']} PII-free)\n")
    print("| type | precision | recall | F1 | gold |\n|---|---|---|---|---|")
    for t, (p, r, f, n) in s["per_type"].items():
        print(f"| {t} | {p:.3f} | {r:.3f} | {f:.3f} | {n} |")
    p, r, f = s["micro"]
    print(f"\n- micro (overlap + type): P {p:.3f} R {r:.3f} **F1 {f:.3f}**")
    print(f"- strict micro (exact offsets): F1 {s['strict_micro'][2]:.3f}")
    cp, cr, _ = s["checksummed"]
    print(f"- checksummed ids: precision {cp:.3f}, recall {cr:.3f}")
    print("- PERSON recall: " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(s["person_recall"].items())))
    print(f"- document leak rate: **{s['leak_rate']:.2%}**; false alarms on PII-free prompts: **{s['false_alarm_rate']:.2%}**")
    if verbose:
        print("\nmisses:\n  " + "\n  ".join(s["misses"][:80]))
        print("false positives:\n  " + "\n  ".join(s["false_positives"][:80]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["dev", "heldout", "fresh", "independent", "blind", "all"], default="all")
    ap.add_argument("--predictions", type=Path, help="JSONL {id, entities} from another detector")
    ap.add_argument("--name", default="Perimeter")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the scores here")
    args = ap.parse_args()
    splits = ["dev", "heldout", "fresh", "independent", "blind"] if args.split == "all" else [args.split]
    results = {}
    for split in splits:
        docs = load(CORPUS / f"{split}.jsonl")
        if args.predictions:
            preds = {r["id"]: r["entities"] for r in load(args.predictions)}
        else:
            preds = scan_with_perimeter(docs)
        results[split] = score(docs, preds)
        report(f"{args.name} — {split}", results[split], args.verbose)
    if args.json:
        args.json.write_text(json.dumps({k: {kk: vv for kk, vv in v.items() if kk not in ("misses", "false_positives")} for k, v in results.items()}, indent=1))


if __name__ == "__main__":
    main()
