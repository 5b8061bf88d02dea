"""Difficulty scoring: how much a request needs the strong (cloud) model, in [0, 1].

A small logistic regression over :mod:`perimeter.routing.features` (and, optionally, MiniLM
similarity to labelled examples) is fitted when the router starts, on the bundled labelled set
(``data/difficulty_train.jsonl``, RU + EN) plus the operator's own examples file.  Fitting a few
hundred rows takes milliseconds, so adapting the router is "add lines to a JSONL file and
restart" — no training pipeline, no model artefact to ship.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from perimeter.routing.features import featurize

F64 = npt.NDArray[np.float64]

# How many neighbours of each class the embedding feature averages over.
KNN = 5
# Tokens of the prompt the embedding model reads: MiniLM cost grows with length and the
# instruction is usually at the start (see docs/routing.md for the latency figures).
EMBED_TOKENS = 32


@dataclass(slots=True, frozen=True)
class Example:
    text: str
    label: int  # 1 = hard (needs the strong model), 0 = easy
    lang: str = ""


def load_examples(path: str | Path) -> list[Example]:
    """Read a labelled JSONL file (``{"text": ..., "label": "easy"|"hard"}`` per line)."""
    out: list[Example] = []
    p = Path(path)
    with p.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
                label = {"easy": 0, "hard": 1}[row["label"]]
                text = row["text"]
                if not isinstance(text, str):
                    raise TypeError("text must be a string")
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(
                    f"{p}:{n}: expected {{\"text\": str, \"label\": \"easy\"|\"hard\"}} ({exc!r})"
                ) from None
            out.append(Example(text, label, str(row.get("lang", ""))))
    return out


def bundled_examples(split: str = "train") -> list[Example]:
    ref = resources.files("perimeter.routing") / "data" / f"difficulty_{split}.jsonl"
    with resources.as_file(ref) as p:
        return load_examples(p)


def _fit_logistic(x: F64, y: F64, l2: float = 1.0, iters: int = 25) -> F64:
    """L2-regularised logistic regression by Newton's method (x already has a bias column)."""
    w = np.zeros(x.shape[1])
    reg = np.full(x.shape[1], l2)
    reg[-1] = 0.0  # do not shrink the bias
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + reg * w
        h = (x * (p * (1 - p))[:, None]).T @ x + np.diag(reg + 1e-9)
        step = np.linalg.solve(h, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return w


class DifficultyScorer:
    """``score(text, turns) -> float`` in [0, 1]; higher = needs the strong model more."""

    def __init__(self, examples: Iterable[Example], *, embeddings: bool = False,
                 embed_tokens: int = EMBED_TOKENS) -> None:
        self.examples = list(examples)
        if len({e.label for e in self.examples}) < 2:
            raise ValueError("difficulty examples need both 'easy' and 'hard' labels")
        self.embeddings = embeddings
        self.embed_tokens = embed_tokens
        feats = np.stack([featurize(e.text) for e in self.examples])
        y = np.array([e.label for e in self.examples], dtype=np.float64)
        self._emb: npt.NDArray[np.float32] | None = None
        if embeddings:
            from perimeter.routing.embeddings import get_encoder

            enc = get_encoder()
            self._emb = np.stack([enc.embed(e.text, embed_tokens) for e in self.examples])
            self._labels = y
            knn = np.array([self._knn_feature(self._emb[i], exclude=i) for i in range(len(self.examples))])
            feats = np.column_stack([feats, knn])
        self._mu = feats.mean(0)
        self._sd = feats.std(0) + 1e-6
        xs = np.column_stack([(feats - self._mu) / self._sd, np.ones(len(feats))])
        self._w = _fit_logistic(xs, y)
        self.prior_scores = 1.0 / (1.0 + np.exp(-(xs @ self._w)))

    def _knn_feature(self, vec: npt.NDArray[np.float32], exclude: int = -1) -> float:
        assert self._emb is not None
        sims = self._emb @ vec
        if exclude >= 0:
            sims = sims.copy()
            sims[exclude] = np.nan
        out = []
        for label in (1.0, 0.0):
            s = sims[(self._labels == label) & ~np.isnan(sims)]
            k = min(KNN, len(s))
            out.append(float(np.sort(s)[-k:].mean()) if k else 0.0)
        return out[0] - out[1]

    def features(self, text: str, turns: int = 1) -> F64:
        f = featurize(text, turns)
        if self._emb is not None:
            from perimeter.routing.embeddings import get_encoder

            f = np.append(f, self._knn_feature(get_encoder().embed(text, self.embed_tokens)))
        return f

    def score(self, text: str, turns: int = 1) -> float:
        z = (self.features(text, turns) - self._mu) / self._sd
        logit = float(z @ self._w[:-1] + self._w[-1])
        return 1.0 / (1.0 + float(np.exp(-logit)))


def roc_auc(scores: Iterable[float], labels: Iterable[int]) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties count half)."""
    s = np.asarray(list(scores), dtype=np.float64)
    y = np.asarray(list(labels), dtype=np.int64)
    pos, neg = s[y == 1], s[y == 0]
    if not len(pos) or not len(neg):
        raise ValueError("AUC needs both classes")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))
