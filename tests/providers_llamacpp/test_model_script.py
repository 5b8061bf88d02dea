"""scripts/make_tiny_gguf.py: a deterministic, small, valid Llama GGUF with a real tokenizer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import gguf

from perimeter.providers.llamacpp.provider import LlamaCppProvider

from .conftest import SCRIPT


def _field_str(reader: gguf.GGUFReader, key: str) -> str:
    field = reader.fields[key]
    return bytes(field.parts[field.data[0]]).decode("utf-8")


def test_script_is_deterministic_idempotent_and_small(tiny_model: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.gguf"
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(again)], check=True, timeout=60)
    assert again.read_bytes() == tiny_model.read_bytes()
    assert tiny_model.stat().st_size < 10 * 1024 * 1024
    second = subprocess.run([sys.executable, str(SCRIPT), "--out", str(again)], check=True, timeout=60,
                            capture_output=True, text=True)
    assert "up to date" in second.stderr


def test_gguf_carries_llama_arch_tokenizer_and_chat_template(tiny_model: Path) -> None:
    reader = gguf.GGUFReader(str(tiny_model))
    assert _field_str(reader, "general.architecture") == "llama"
    assert _field_str(reader, "tokenizer.ggml.model") == "llama"
    template = _field_str(reader, "tokenizer.chat_template")
    assert "<|im_start|>" in template and "add_generation_prompt" in template
    names = {t.name for t in reader.tensors}
    assert {"token_embd.weight", "output.weight", "blk.1.ffn_down.weight"} <= names


async def test_russian_and_any_utf8_round_trip_through_the_tokenizer(provider: LlamaCppProvider) -> None:
    samples = [
        "Привет, мир! Паспорт 4510 123456 выдан ОВД «Тверской» — ёжик.",
        "hello world: privacy data stays local",
        "emoji 😀, CJK 漢字, Ω≈ç√ and tabs\tnewlines\n",
    ]
    unk = 0
    for text in samples:
        tokens = provider.tokenize(text)
        assert tokens and unk not in tokens
        assert provider.detokenize(tokens) == text
    # Known words are single pieces, not bytes: the SPM vocabulary is really used.
    assert len(provider.tokenize("привет")) == 1
    assert len(provider.tokenize("Привет")) > 1  # capital П + "ривет" pieces or bytes
