"""ROC AUC of the difficulty scorer on the independent held-out set (RU + EN), with and without
MiniLM embeddings.  Usage: ``.venv/bin/python benchmarks/routing/evaluate.py [--embeddings]``."""

from __future__ import annotations

import argparse
import time

from perimeter.routing.difficulty import DifficultyScorer, bundled_examples, roc_auc


def evaluate(embeddings: bool) -> dict[str, float]:
    t0 = time.perf_counter()
    scorer = DifficultyScorer(bundled_examples(), embeddings=embeddings)
    fit = time.perf_counter() - t0
    held = bundled_examples("heldout")
    scores = [scorer.score(e.text) for e in held]
    out = {"fit_s": fit, "n": float(len(held)), "auc_all": roc_auc(scores, [e.label for e in held])}
    for lang in ("en", "ru"):
        part = [(s, e.label) for s, e in zip(scores, held, strict=True) if e.lang == lang]
        out[f"auc_{lang}"] = roc_auc([s for s, _ in part], [y for _, y in part])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embeddings", action="store_true", help="also evaluate with MiniLM similarity")
    args = ap.parse_args()
    print(f"train: {len(bundled_examples())} prompts, held-out: {len(bundled_examples('heldout'))} prompts")
    for emb in ([False, True] if args.embeddings else [False]):
        r = evaluate(emb)
        print(f"embeddings={emb!s:5}  AUC all {r['auc_all']:.3f}  EN {r['auc_en']:.3f}  RU {r['auc_ru']:.3f}  "
              f"(fit {r['fit_s']:.2f} s)")


if __name__ == "__main__":
    main()
