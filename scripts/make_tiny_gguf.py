#!/usr/bin/env python3
"""Write Perimeter's own tiny Llama-architecture GGUF model (a test model: it speaks gibberish).

Why this exists: the in-process llama.cpp provider must be tested with *real* llama.cpp
inference, and nothing may be downloaded from a model hub.  So the repository makes its own
model: a 2-layer Llama with random weights and a real SentencePiece-style ("llama") vocabulary
with byte fallback, so any UTF-8 text (Russian included) tokenizes and detokenizes exactly.

The file carries everything llama.cpp and llama-cpp-python need to treat it like a real chat
model: Llama hyper-parameters, BOS/EOS and ChatML control tokens, and a Jinja
``tokenizer.chat_template`` (ChatML) that the provider applies.

Two deliberate biases make its gibberish usable in tests and demos: a constant channel in
the token embeddings lets the output matrix push byte-fallback and control tokens far down,
so the model emits readable word pieces (never a lone UTF-8 byte) and practically never emits
EOS on its own; generation ends at ``max_tokens`` or a ``stop`` string.

Usage::

    python scripts/make_tiny_gguf.py --out models/tiny-llama.gguf

Deterministic (fixed seed: same bytes every run), idempotent (an identical file is left
alone), fast (well under a second of work) and small (under 1 MB).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path

import gguf
import numpy as np

SEED = 20240917

# Hyper-parameters: tiny, so that generating a few dozen tokens takes milliseconds on a CPU.
N_LAYER = 2
N_EMBD = 64
N_HEAD = 4
N_HEAD_KV = 4
N_FF = 128
CONTEXT_LENGTH = 4096
RMS_EPS = 1e-5
ROPE_BASE = 10000.0

# ChatML, the format Qwen and many other instruct models use.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

SPECIAL_TOKENS = ["<unk>", "<s>", "<|im_start|>", "<|im_end|>"]
UNK_ID, BOS_ID, IM_START_ID, EOS_ID = 0, 1, 2, 3

# Word pieces: every prefix of each word (with and without the SentencePiece space mark "▁")
# is in the vocabulary, so llama.cpp's SPM merge can build whole words from characters.
WORDS_EN = [
    "the", "and", "is", "of", "to", "in", "a", "you", "it", "that", "for", "on", "with", "as",
    "are", "this", "be", "at", "or", "from", "by", "not", "but", "hello", "world", "privacy",
    "data", "gateway", "model", "token", "test", "perimeter", "local", "cloud", "secret", "answer",
    "question", "request", "send", "email", "phone", "name", "please", "thanks", "yes", "no",
    "good",
]
WORDS_RU = [
    "и", "в", "не", "на", "я", "что", "он", "с", "как", "это", "по", "но", "они", "к", "у", "мы",
    "вы", "из", "за", "все", "она", "так", "его", "привет", "мир", "данные", "модель", "тест",
    "паспорт", "номер", "телефон", "почта", "ответ", "вопрос", "секрет", "пожалуйста", "спасибо",
    "да", "нет", "хорошо", "москва",
]
SPACE = "\u2581"


def build_vocab() -> tuple[list[str], list[float], list[int]]:
    """Tokens, SentencePiece scores and token types (llama.cpp's ``llama`` vocabulary)."""
    tokens: list[str] = list(SPECIAL_TOKENS)
    types: list[int] = [gguf.TokenType.UNKNOWN, *[gguf.TokenType.CONTROL] * (len(SPECIAL_TOKENS) - 1)]
    for b in range(256):  # byte fallback: any UTF-8 sequence has a tokenization
        tokens.append(f"<0x{b:02X}>")
        types.append(gguf.TokenType.BYTE)
    pieces: list[str] = [SPACE]
    pieces += [chr(c) for c in range(0x21, 0x7F)]  # printable ASCII without space
    pieces += [chr(c) for c in range(0x410, 0x450)] + ["ё", "Ё"]  # Cyrillic А..я, Ё
    for word in WORDS_EN + WORDS_RU:
        for form in (word, SPACE + word):
            for end in range(2, len(form) + 1):
                pieces.append(form[:end])
    seen = set(tokens)
    for piece in pieces:
        if piece not in seen:
            seen.add(piece)
            tokens.append(piece)
            types.append(gguf.TokenType.NORMAL)
    # Longer pieces score higher, so the SPM merge prefers whole words.
    scores = [0.0 if t != gguf.TokenType.NORMAL else float(len(tok)) - 100.0 for tok, t in zip(tokens, types, strict=True)]
    return tokens, scores, [int(t) for t in types]


def build_tensors(types: list[int]) -> dict[str, np.ndarray]:
    """Random Llama weights; numpy shapes are (rows, cols) = ggml's ne reversed."""
    rng = np.random.default_rng(SEED)
    n_vocab = len(types)
    head_dim = N_EMBD // N_HEAD

    def rand(*shape: int, std: float) -> np.ndarray:
        return (rng.standard_normal(shape) * std).astype(np.float32)

    embd = rand(n_vocab, N_EMBD, std=1.0)
    embd[:, 0] = 4.0  # a constant channel: acts as a bias for the output matrix below
    out = rand(n_vocab, N_EMBD, std=0.5)
    out[:, 0] = 0.0
    for token_id, token_type in enumerate(types):
        if token_type != gguf.TokenType.NORMAL:
            out[token_id, :] = 0.0
            if token_id != EOS_ID:  # EOS keeps logit 0: possible when sampling, never greedy
                out[token_id, 0] = -10.0
    tensors: dict[str, np.ndarray] = {
        "token_embd.weight": embd,
        "output_norm.weight": np.ones(N_EMBD, dtype=np.float32),
        "output.weight": out,
    }
    for i in range(N_LAYER):
        p = f"blk.{i}."
        tensors[p + "attn_norm.weight"] = np.ones(N_EMBD, dtype=np.float32)
        tensors[p + "attn_q.weight"] = rand(N_HEAD * head_dim, N_EMBD, std=0.125)
        tensors[p + "attn_k.weight"] = rand(N_HEAD_KV * head_dim, N_EMBD, std=0.125)
        tensors[p + "attn_v.weight"] = rand(N_HEAD_KV * head_dim, N_EMBD, std=0.125)
        tensors[p + "attn_output.weight"] = rand(N_EMBD, N_HEAD * head_dim, std=0.05)
        tensors[p + "ffn_norm.weight"] = np.ones(N_EMBD, dtype=np.float32)
        tensors[p + "ffn_gate.weight"] = rand(N_FF, N_EMBD, std=0.125)
        tensors[p + "ffn_up.weight"] = rand(N_FF, N_EMBD, std=0.125)
        tensors[p + "ffn_down.weight"] = rand(N_EMBD, N_FF, std=0.05)
    return tensors


def write_model(path: Path) -> None:
    tokens, scores, types = build_vocab()
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name("perimeter-tiny-llama (random weights, test model)")
    w.add_description("Generated by scripts/make_tiny_gguf.py; produces gibberish by design.")
    w.add_context_length(CONTEXT_LENGTH)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD_KV)
    w.add_layer_norm_rms_eps(RMS_EPS)
    w.add_rope_dimension_count(N_EMBD // N_HEAD)
    w.add_rope_freq_base(ROPE_BASE)
    w.add_vocab_size(len(tokens))
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_tokenizer_model("llama")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(UNK_ID)
    w.add_bos_token_id(BOS_ID)
    w.add_eos_token_id(EOS_ID)
    w.add_add_bos_token(False)
    w.add_add_eos_token(False)
    w.add_add_space_prefix(False)
    w.add_chat_template(CHAT_TEMPLATE)
    for name, array in build_tensors(types).items():
        w.add_tensor(name, array)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make(out: Path) -> bool:
    """Write the model to ``out``; return False when an identical file was already there."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".tiny-gguf-", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write_model(tmp)
        if out.exists() and _digest(out) == _digest(tmp):
            return False
        tmp.chmod(0o644)  # mkstemp makes 0600; a model file is ordinary readable data
        os.replace(tmp, out)  # atomic: readers never see a half-written model
        return True
    finally:
        tmp.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", required=True, type=Path, help="where to write the .gguf file")
    args = parser.parse_args(argv)
    changed = make(args.out)
    size_kb = args.out.stat().st_size / 1024
    print(f"{args.out}: {'written' if changed else 'up to date'} ({size_kb:.0f} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
