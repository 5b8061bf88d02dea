"""ROC AUC of the difficulty scorer on the independent held-out set (RU + EN), with and without
MiniLM embeddings.

Usage: ``.venv/bin/python benchmarks/routing/evaluate.py [--embeddings] [--tokens 8,16,32]``;
``--tokens`` compares how many prompt tokens the embedding reads (latency grows with it, see
``latency.py``).
"""

from __future__ import annotations

import argparse
import time

from perimeter.routing.difficulty import EMBED_TOKENS, DifficultyScorer, bundled_examples, roc_auc


def evaluate(embeddings: bool, tokens: int = EMBED_TOKENS) -> dict[str, float]:
    t0 = time.perf_counter()
    scorer = DifficultyScorer(bundled_examples(), embeddings=embeddings, embed_tokens=tokens)
    fit = time.perf_counter() - t0
    held = bundled_examples("heldout")
    scores = [scorer.score(e.text) for e in held]
    out = {"fit_s": fit, "n": float(len(held)), "auc_all": roc_auc(scores, [e.label for e in held])}
    if embeddings:
        # The embedding feature alone (nearest hard minus nearest easy similarity): the full
        # scorer is near 1.0 on this set either way, so this is what shows a token budget's cost.
        knn = [float(scorer.features(e.text)[-1]) for e in held]
        out["auc_knn"] = roc_auc(knn, [e.label for e in held])
    for lang in ("en", "ru"):
        part = [(s, e.label) for s, e in zip(scores, held, strict=True) if e.lang == lang]
        out[f"auc_{lang}"] = roc_auc([s for s, _ in part], [y for _, y in part])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embeddings", action="store_true", help="also evaluate with MiniLM similarity")
    ap.add_argument("--tokens", default=str(EMBED_TOKENS),
                    help=f"comma-separated prompt-token budgets for the embedding (default {EMBED_TOKENS})")
    args = ap.parse_args()
    print(f"train: {len(bundled_examples())} prompts, held-out: {len(bundled_examples('heldout'))} prompts")
    if args.embeddings:
        from perimeter.routing.embeddings import get_encoder

        print(f"embeddings backend: {get_encoder().backend} (PERIMETER_EMBEDDINGS_BACKEND picks another)")
    runs = [(False, EMBED_TOKENS)]
    if args.embeddings:
        runs += [(True, int(t)) for t in args.tokens.split(",")]
    for emb, tokens in runs:
        r = evaluate(emb, tokens)
        label = f"embeddings={emb!s:5}" + (f" tokens={tokens:<3}" if emb else " " * 11)
        print(f"{label}  AUC all {r['auc_all']:.3f}  EN {r['auc_en']:.3f}  RU {r['auc_ru']:.3f}"
              + (f"  embedding feature alone {r['auc_knn']:.3f}" if emb else "")
              + f"  (fit {r['fit_s']:.2f} s)")


if __name__ == "__main__":
    main()
