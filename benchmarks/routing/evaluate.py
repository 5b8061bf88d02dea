"""ROC AUC of the difficulty scorer, with and without MiniLM embeddings, on two sets:

- ``heldout``: ``data/difficulty_heldout.jsonl``, written by the training set's author;
- ``independent``: ``benchmarks/routing/independent.jsonl`` (``independent_prompts.py``), written
  by a second author in the ambiguous middle (short-but-hard, long-but-easy, multi-turn, system
  prompts).  Rows with ``messages`` are scored as the router scores a request: through
  :func:`perimeter.routing.features.prompt_text` (last user message, turn count).  Its rows are
  split ``dev`` / ``test`` / ``blind``; only ``dev`` was inspected while tuning the features, and
  ``blind`` was written after they were frozen (see ``independent_prompts.py``).

Usage: ``.venv/bin/python benchmarks/routing/evaluate.py [--embeddings] [--tokens 8,16,32]
[--errors]``; ``--tokens`` compares how many prompt tokens the embedding reads (latency grows
with it, see ``latency.py``); ``--errors`` lists the worst-ranked dev prompts of the independent
set (the test half is never listed).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perimeter.routing.difficulty import EMBED_TOKENS, DifficultyScorer, bundled_examples, roc_auc
from perimeter.routing.features import prompt_text

INDEPENDENT = Path(__file__).resolve().parent / "independent.jsonl"


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    turns: int
    label: int
    lang: str
    kind: str = ""
    split: str = ""


def heldout_cases() -> list[Case]:
    return [Case(e.text, 1, e.label, e.lang) for e in bundled_examples("heldout")]


def independent_cases(path: Path = INDEPENDENT) -> list[Case]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row: dict[str, Any] = json.loads(line)
        body = {"messages": row["messages"]} if "messages" in row else {"messages": [
            {"role": "user", "content": row["text"]}]}
        text, turns = prompt_text(body)
        out.append(Case(text, turns, {"easy": 0, "hard": 1}[row["label"]], row["lang"],
                        row.get("kind", ""), row.get("split", "")))
    return out


def aucs(scores: list[float], cases: list[Case], prefix: str = "") -> dict[str, float]:
    out = {f"{prefix}all": roc_auc(scores, [c.label for c in cases])}
    for lang in ("en", "ru"):
        part = [(s, c.label) for s, c in zip(scores, cases, strict=True) if c.lang == lang]
        out[f"{prefix}{lang}"] = roc_auc([s for s, _ in part], [y for _, y in part])
    return out


def evaluate(scorer: DifficultyScorer, cases: list[Case]) -> dict[str, float]:
    scores = [scorer.score(c.text, c.turns) for c in cases]
    out = aucs(scores, cases)
    splits = {c.split for c in cases} - {""}
    for split in sorted(splits):
        idx = [i for i, c in enumerate(cases) if c.split == split]
        out.update(aucs([scores[i] for i in idx], [cases[i] for i in idx], f"{split}_"))
    return out


def fmt(r: dict[str, float], prefix: str = "") -> str:
    return f"AUC {r[prefix + 'all']:.3f} (EN {r[prefix + 'en']:.3f}, RU {r[prefix + 'ru']:.3f})"


def show_errors(scorer: DifficultyScorer, cases: list[Case], n: int = 25) -> None:
    dev = [c for c in cases if c.split == "dev"]
    scored = sorted(((scorer.score(c.text, c.turns), c) for c in dev), key=lambda t: t[0])
    ranks = {id(c): i / (len(scored) - 1) for i, (_, c) in enumerate(scored)}
    # The worst: hard prompts ranked low and easy prompts ranked high.
    worst = sorted(dev, key=lambda c: ranks[id(c)] if c.label else 1 - ranks[id(c)])[:n]
    print("\nworst-ranked dev prompts (rank 0 = easiest of the dev set):")
    for c in worst:
        s = scorer.score(c.text, c.turns)
        print(f"  {'hard' if c.label else 'easy'} {c.lang} {c.kind:11} rank {ranks[id(c)]:.2f} score {s:.3f}  "
              f"{c.text[:90]!r}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embeddings", action="store_true", help="also evaluate with MiniLM similarity")
    ap.add_argument("--tokens", default=str(EMBED_TOKENS),
                    help=f"comma-separated prompt-token budgets for the embedding (default {EMBED_TOKENS})")
    ap.add_argument("--errors", action="store_true", help="list the worst-ranked dev prompts (features only)")
    args = ap.parse_args()
    held, indep = heldout_cases(), independent_cases()
    print(f"train: {len(bundled_examples())} prompts, held-out: {len(held)}, independent: {len(indep)} "
          f""
          + "(" + ", ".join(f"{k} {sum(c.split == k for c in indep)}" for k in sorted({c.split for c in indep})) + ")")
    if args.embeddings:
        from perimeter.routing.embeddings import get_encoder

        print(f"embeddings backend: {get_encoder().backend} (PERIMETER_EMBEDDINGS_BACKEND picks another)")
    runs = [(False, EMBED_TOKENS)]
    if args.embeddings:
        runs += [(True, int(t)) for t in args.tokens.split(",")]
    for emb, tokens in runs:
        t0 = time.perf_counter()
        scorer = DifficultyScorer(bundled_examples(), embeddings=emb, embed_tokens=tokens)
        fit = time.perf_counter() - t0
        label = f"embeddings={emb!s:5}" + (f" tokens={tokens:<3}" if emb else " " * 11)
        h, i = evaluate(scorer, held), evaluate(scorer, indep)
        print(f"{label} (fit {fit:.2f} s)\n  held-out     {fmt(h)}\n  independent  {fmt(i)}")
        for split in sorted({c.split for c in indep} - {""}):
            print(f"    {split:10} {fmt(i, split + '_')}")
        if emb:
            # The embedding feature alone (nearest hard minus nearest easy similarity).
            knn = [float(scorer.features(c.text, c.turns)[-1]) for c in held]
            print(f"  held-out, embedding feature alone: AUC {roc_auc(knn, [c.label for c in held]):.3f}")
        if args.errors and not emb:
            show_errors(scorer, indep)


if __name__ == "__main__":
    main()
