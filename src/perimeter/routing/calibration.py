"""Self-calibrating threshold for a target cloud share (RouteLLM-style quantile calibration).

RouteLLM calibrates a router's threshold so that a chosen fraction of a reference traffic mix
goes to the strong model: the threshold is the ``1 - share`` quantile of the router's scores.
Here the reference is the recent traffic itself: a ring buffer of the last ``window`` scores
per alias, seeded with the scores of the bundled labelled set so the first requests already
route sensibly.  A small proportional correction on the realised share of recent decisions
removes the lag when the traffic mix drifts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class QuantileCalibrator:
    def __init__(self, cloud_share: float, prior: Sequence[float], window: int = 2000, gain: float = 1.0) -> None:
        self.cloud_share = cloud_share
        self.window = window
        self.gain = gain
        self._scores = np.empty(window, dtype=np.float64)
        self._n = 0  # total scores pushed (the ring position is _n % window)
        self._decisions = np.zeros(window, dtype=np.bool_)
        self._decided = 0
        seed = list(prior)[-window:]
        for s in seed:
            self._push(s)
        self._prior_count = len(seed)

    def _push(self, score: float) -> None:
        self._scores[self._n % self.window] = score
        self._n += 1

    def _recent(self) -> np.ndarray:
        return self._scores[: min(self._n, self.window)]

    def realised_share(self) -> float:
        n = min(self._decided, self.window)
        return float(self._decisions[:n].mean()) if n else self.cloud_share

    def threshold(self) -> float:
        """The current threshold (without observing a new score)."""
        share = self.cloud_share
        if self._decided:
            share += self.gain * (self.cloud_share - self.realised_share())
        share = min(max(share, 0.0), 1.0)
        recent = self._recent()
        if not len(recent):
            return 0.5
        if share <= 0.0:
            return float("inf")
        if share >= 1.0:
            return float("-inf")
        return float(np.quantile(recent, 1.0 - share))

    def observe(self, score: float) -> tuple[bool, float]:
        """Record ``score`` and decide: ``(goes_to_cloud, threshold used)``."""
        self._push(score)
        thr = self.threshold()
        cloud = score > thr
        self._decisions[self._decided % self.window] = cloud
        self._decided += 1
        return cloud, thr
