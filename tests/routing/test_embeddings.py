"""The numpy MiniLM forward pass, checked against an independent slow reference and known properties."""

from __future__ import annotations

import math

import numpy as np
import pytest

from perimeter.routing.embeddings import MiniLM, get_encoder


@pytest.fixture(scope="module")
def enc() -> MiniLM:
    return get_encoder()


def reference_embedding(enc: MiniLM, text: str) -> np.ndarray:
    """Float64 BERT written the slow, obvious way: per-token, per-head loops and exact erf GELU."""
    w = {k: v.astype(np.float64) for k, v in enc.weights.items()}
    ids = enc.token_ids(text)

    def ln(v: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
        mu = sum(v) / len(v)
        var = sum((x - mu) ** 2 for x in v) / len(v)
        return np.array([(x - mu) / math.sqrt(var + 1e-12) for x in v]) * g + b

    def linear(v: np.ndarray, name: str) -> np.ndarray:
        return w[name + ".weight"] @ v + w[name + ".bias"]

    xs = [ln(w["embeddings.word_embeddings.weight"][t] + w["embeddings.position_embeddings.weight"][i]
             + w["embeddings.token_type_embeddings.weight"][0], w["embeddings.LayerNorm.weight"],
             w["embeddings.LayerNorm.bias"]) for i, t in enumerate(ids)]
    heads, hd = 12, 32
    for layer in range(6):
        p = f"encoder.layer.{layer}."
        q = [linear(x, p + "attention.self.query") for x in xs]
        k = [linear(x, p + "attention.self.key") for x in xs]
        v = [linear(x, p + "attention.self.value") for x in xs]
        new = []
        for i in range(len(xs)):
            ctx = np.zeros(384)
            for h in range(heads):
                sl = slice(h * hd, (h + 1) * hd)
                logits = [float(q[i][sl] @ k[j][sl]) / math.sqrt(hd) for j in range(len(xs))]
                m = max(logits)
                e = [math.exp(a - m) for a in logits]
                s = sum(e)
                for j in range(len(xs)):
                    ctx[sl] += e[j] / s * v[j][sl]
            a = ln(xs[i] + linear(ctx, p + "attention.output.dense"), w[p + "attention.output.LayerNorm.weight"],
                   w[p + "attention.output.LayerNorm.bias"])
            hmid = np.array([0.5 * u * (1 + math.erf(u / math.sqrt(2))) for u in linear(a, p + "intermediate.dense")])
            new.append(ln(a + linear(hmid, p + "output.dense"), w[p + "output.LayerNorm.weight"],
                          w[p + "output.LayerNorm.bias"]))
        xs = new
    pooled = sum(xs) / len(xs)
    return pooled / np.linalg.norm(pooled)


def test_matches_independent_reference(enc: MiniLM) -> None:
    text = "Reverse a list in Python"
    fast = enc.encode_one(text)
    ref = reference_embedding(enc, text)
    assert fast.shape == (384,)
    assert float(np.abs(fast - ref).max()) < 1e-4
    assert abs(float(np.linalg.norm(fast)) - 1.0) < 1e-5


def test_paraphrases_are_closer_than_unrelated(enc: MiniLM) -> None:
    a, b, c, d = enc.encode([
        "How do I reverse a list in Python?",
        "What is the way to reverse a Python list?",
        "The weather in Paris is sunny today.",
        "Is it going to rain in Paris this afternoon?",
    ])
    assert float(a @ b) > 0.85
    assert float(c @ d) > 0.4
    assert float(a @ c) < 0.2 and float(b @ d) < 0.2


def test_tokenizer_is_offline_and_wraps_with_cls_sep(enc: MiniLM) -> None:
    ids = enc.token_ids("hello world")
    assert ids[0] == 101 and ids[-1] == 102 and len(ids) == 4
    assert len(enc.token_ids("word " * 1000)) == 256  # truncated to the model's max_seq_length
