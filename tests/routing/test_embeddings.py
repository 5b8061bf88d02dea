"""The numpy MiniLM forward pass, checked against an independent slow reference and known properties."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from safetensors.numpy import load_file

from perimeter.routing.embeddings import MiniLM, _gelu_, get_encoder, model_dir
from perimeter.routing.minilm_onnx import quantize_columns


@pytest.fixture(scope="module", params=["numpy", "onnxruntime"])
def enc(request: pytest.FixtureRequest) -> MiniLM:
    """Both backends: each must match the independent reference on its own."""
    m = MiniLM(backend=request.param)
    assert m.backend == request.param
    return m


@functools.lru_cache(maxsize=1)
def file_weights() -> dict[str, np.ndarray]:
    """Straight from the file in float64: the encoder keeps only its own repacked copies."""
    return {k: v.astype(np.float64) for k, v in load_file(str(model_dir() / "model.safetensors")).items()}


def reference_embedding(enc: MiniLM, text: str, ids: list[int] | None = None) -> np.ndarray:
    """Float64 BERT written the slow, obvious way: per-token, per-head loops and exact erf GELU."""
    w = file_weights()
    ids = enc.token_ids(text) if ids is None else ids

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


def test_embed_reads_a_prefix_and_matches_the_reference(enc: MiniLM) -> None:
    text = ("We run a payments API on PostgreSQL. Explain step by step how to design an idempotent refund "
            "endpoint that survives retries, network partitions and duplicate webhooks.") * 3
    full = enc.token_ids(text)
    assert len(full) > 40
    cut = [*full[:15], full[-1]]  # [CLS] + 14 word pieces + [SEP]
    assert enc.prefix_ids(text, 16) == cut
    fast = enc.embed(text, 16)
    assert float(np.abs(fast - reference_embedding(enc, text, cut)).max()) < 1e-4
    # Reading more of the prompt gives another vector (the budget is not silently ignored).
    assert float(np.abs(enc.embed(text, 32) - fast).max()) > 1e-3


@pytest.mark.parametrize("text", [
    "short",
    "Докажи, что существует бесконечно много простых чисел, и объясни каждый шаг доказательства. " * 6,
    "x" * 700 + " tail words here",  # no space inside the first characters: whole-text fallback
    "naïve café résumé — Straße, ünïcödé; (parens) [brackets] {braces} 1,234.56 e=mc^2 " * 8,
    "word " * 40,  # every token is a whole word: the prefix cut lands exactly on a boundary
    "a" + "\u4e2d\u6587" * 300,  # CJK characters become one token each
])
@pytest.mark.parametrize("budget", [2, 8, 16, 32])
def test_prefix_tokenisation_equals_cutting_the_full_tokenisation(enc: MiniLM, text: str, budget: int) -> None:
    full = enc.token_ids(text)
    expected = full if len(full) <= budget else [*full[: budget - 1], full[-1]]
    assert enc.prefix_ids(text, budget) == expected


def test_embed_cache_returns_the_same_vector_and_stays_bounded() -> None:
    enc = MiniLM(cache_size=2, backend="numpy")
    a = enc.embed("first prompt", 32)
    assert enc.embed("first prompt", 32) is a  # served from the cache
    assert not a.flags.writeable  # shared, so callers cannot corrupt it
    b = enc.embed("first prompt", 2)  # another token budget is another entry
    assert b is not a and float(np.abs(a - b).max()) > 1e-3
    enc.embed("second prompt", 32)  # evicts the least recently used entry ("first prompt", 32)
    again = enc.embed("first prompt", 32)
    assert again is not a and np.array_equal(again, a)


def test_in_place_gelu_matches_the_exact_erf_gelu() -> None:
    xs = np.linspace(-12.0, 12.0, 4801)
    exact = np.array([0.5 * u * (1 + math.erf(u / math.sqrt(2))) for u in xs])
    fast = _gelu_(xs.astype(np.float32))
    assert fast.dtype == np.float32
    assert float(np.abs(fast - exact).max()) < 2e-6


def test_backends_agree_and_the_process_encoder_uses_the_fast_one() -> None:
    fast, slow = get_encoder(), MiniLM(backend="numpy")
    assert fast.backend == "onnxruntime"  # onnx + onnxruntime are dependencies, so auto picks them
    for text in ["Reverse a list in Python", "Спроектируй отказоустойчивую очередь задач на PostgreSQL " * 4]:
        for budget in (8, 32, 256):
            a, b = fast.embed(text, budget), slow.embed(text, budget)
            assert float(np.abs(a - b).max()) < 1e-5, (text, budget)


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown embeddings backend 'torch' \(auto, numpy, onnxruntime, onnxruntime-int8\)"):
        MiniLM(backend="torch")  # type: ignore[arg-type]


def test_int8_backend_is_close_to_float32_but_really_quantized() -> None:
    q, f = MiniLM(backend="onnxruntime-int8", cache_size=0), get_encoder()
    assert q.backend == "onnxruntime-int8"
    texts = ["How do I reverse a list in Python?", "Prove that there are infinitely many primes, step by step.",
             "Переведи на английский: добрый вечер"]
    for text in texts:
        a, b = q.embed(text, 64), f.embed(text, 64)
        assert float(a @ b) > 0.97, text
        assert float(np.abs(a - b).max()) > 1e-4  # the int8 weights are in use, not the float32 ones
    # Still a semantic embedding: paraphrases stay closer than unrelated text.
    a, b, c = (q.embed(t) for t in ["How do I reverse a list in Python?", "What is the way to reverse a Python list?",
                                     "The weather in Paris is sunny today."])
    assert float(a @ b) > 0.8 and float(a @ c) < 0.25


def test_per_column_int8_quantization_round_trips_within_half_a_step() -> None:
    rng = np.random.default_rng(0)
    w = rng.normal(size=(384, 64)).astype(np.float32)
    w[:, 3] = 0.0  # an all-zero column must not divide by zero
    q, scale = quantize_columns(w)
    assert q.dtype == np.int8 and scale.shape == (64,)
    assert int(np.abs(q).max()) == 127
    err = np.abs(q.astype(np.float32) * scale - w)
    assert bool((err <= scale / 2 + 1e-7).all())
    assert not q[:, 3].any()
