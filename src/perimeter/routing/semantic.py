"""Semantic routes: named routes defined by example utterances, matched by cosine similarity.

Each route's examples are embedded once (MiniLM, :mod:`perimeter.routing.embeddings`); a
request matches the route whose closest example is most similar to its last user message,
if that similarity clears the route's threshold.  all-MiniLM-L6-v2 is an English model: give
Russian routes Russian examples and expect lower similarities (calibrate the threshold with
``perimeter route --explain``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from perimeter.routing.config import SemanticConfig

# The instruction is at the start of a prompt; reading more tokens costs latency linearly.
QUERY_TOKENS = 48


@dataclass(slots=True)
class SemanticMatch:
    route: str | None  # None: no route cleared its threshold
    target: str | None
    similarity: float
    best_route: str


class SemanticRouter:
    def __init__(self, config: SemanticConfig) -> None:
        from perimeter.routing.embeddings import get_encoder

        self.config = config
        self.encoder = get_encoder()
        self._routes = [
            (r.name, r.target, r.threshold if r.threshold is not None else config.threshold,
             np.stack([self._embed(e) for e in r.examples]))
            for r in config.routes
        ]

    def _embed(self, text: str) -> npt.NDArray[np.float32]:
        return self.encoder.embed(text, QUERY_TOKENS)

    def match(self, text: str) -> SemanticMatch:
        q = self._embed(text)
        best: tuple[float, str, str, float] | None = None
        for name, target, thr, emb in self._routes:
            sim = float((emb @ q).max())
            # Rank by margin over the route's own threshold, so per-route thresholds compare fairly.
            if best is None or sim - thr > best[0] - best[3]:
                best = (sim, name, target, thr)
        assert best is not None
        sim, name, target, thr = best
        if sim >= thr:
            return SemanticMatch(name, target, sim, name)
        return SemanticMatch(None, self.config.default, sim, name)
