"""Token counting that works offline for every provider.

Order of preference:

1. The upstream's own ``usage`` (OpenAI ``usage``, Anthropic/Gemini translated by the adapter):
   exact, and what the vendor bills.
2. tiktoken, *only* if its encoding files are present locally in ``accounting.tokenizer_dir``
   (``o200k_base.tiktoken`` / ``cl100k_base.tiktoken``, checked against tiktoken's published
   SHA-256).  tiktoken is never allowed to download: no PyPI package ships these files, so the
   operator copies them in (see docs/keys-ledger-audit.md).
3. Otherwise an offline estimate: text is split with the same kind of pre-tokenizer regex the
   GPT tokenizers use, then each piece is charged by its script (Latin words ~4 chars/token,
   Cyrillic ~3, CJK 1 per character, digits in groups of 3).  Within ~15% of cl100k/o200k on
   ordinary English and Russian prose; rows counted this way carry ``token_source=estimate``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import regex

log = logging.getLogger("perimeter.accounting.tokens")

_URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
_SHA256 = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}
_PIECES = regex.compile(
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s"""
)
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
_CYR = regex.compile(r"\p{Cyrillic}")


def estimate_text(text: str) -> int:
    """Offline approximation of a GPT BPE token count (see module docstring)."""
    if not text:
        return 0
    n = 0
    for piece in _PIECES.findall(text):
        p = piece.strip()
        if not p:
            n += 1 if "\n" in piece else (0 if piece == " " else 1)
            continue
        if p[0].isdigit():
            n += 1
        elif p[-1].isalpha() or p[0].isalpha():
            cjk = len(_CJK.findall(p))
            if cjk:
                n += cjk + math.ceil((len(p) - cjk) / 4)
            elif _CYR.search(p):
                n += max(1, math.ceil(len(p) / 3.2))
            else:
                n += 1 if len(p) <= 6 else math.ceil(len(p) / 4.5)
        else:
            n += max(1, math.ceil(len(p) / 2))
    return n


def _tiktoken_counter(directory: str, encoding: str) -> Callable[[str], int] | None:
    src = Path(directory) / f"{encoding}.tiktoken"
    if not src.is_file():
        return None
    data = src.read_bytes()
    if hashlib.sha256(data).hexdigest() != _SHA256[encoding]:
        log.error("%s does not match tiktoken's published SHA-256; using the offline estimate", src)
        return None
    # tiktoken looks its files up in TIKTOKEN_CACHE_DIR under sha1(url); we place the verified
    # file there, so get_encoding() reads it and never goes to the network.
    cache = Path(tempfile.gettempdir()) / f"perimeter-tiktoken-{os.getuid()}"
    cache.mkdir(exist_ok=True)
    target = cache / hashlib.sha1(_URL.format(encoding).encode()).hexdigest()
    if not target.exists():
        target.write_bytes(data)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    import tiktoken

    enc = tiktoken.get_encoding(encoding)
    return lambda text: len(enc.encode(text, disallowed_special=()))


class TokenCounter:
    """Counts prompt tokens of a request body and completion tokens of a text."""

    def __init__(self, tokenizer_dir: str | None = None) -> None:
        self.source = "estimate"
        self._count: Callable[[str], int] = estimate_text
        self._by_encoding: dict[str, Callable[[str], int]] = {}
        if tokenizer_dir:
            for enc in ("o200k_base", "cl100k_base"):
                c = _tiktoken_counter(tokenizer_dir, enc)
                if c is not None:
                    self._by_encoding[enc] = c
            if self._by_encoding:
                self.source = "tiktoken"
                self._count = self._by_encoding.get("o200k_base") or self._by_encoding["cl100k_base"]
            else:
                log.warning("accounting.tokenizer_dir %s has no tiktoken files: token counts are estimated", tokenizer_dir)

    def count_text(self, text: str) -> int:
        return self._count(text)

    def count_prompt(self, body: dict[str, Any]) -> int:
        """Tokens of a chat/completions/embeddings request, with OpenAI's per-message overhead."""
        if "messages" in body and isinstance(body["messages"], list):
            n = 3  # reply priming
            for m in body["messages"]:
                if not isinstance(m, dict):
                    continue
                n += 3
                if m.get("name"):
                    n += 1 + self._count(str(m["name"]))
                n += self._content(m.get("content"))
                for tc in m.get("tool_calls") or ():
                    fn = tc.get("function") or {} if isinstance(tc, dict) else {}
                    n += self._count(str(fn.get("name") or "")) + self._count(str(fn.get("arguments") or ""))
            if isinstance(body.get("system"), str):  # Anthropic-shaped bodies
                n += self._count(body["system"])
            return n
        for field in ("prompt", "input"):
            v = body.get(field)
            if isinstance(v, str):
                return self._count(v)
            if isinstance(v, list):
                return sum(self._count(x) if isinstance(x, str) else len(x) if isinstance(x, list) else 0 for x in v)
        return 0

    def _content(self, content: Any) -> int:
        if isinstance(content, str):
            return self._count(content)
        if isinstance(content, list):
            n = 0
            for part in content:
                if isinstance(part, dict):
                    if isinstance(part.get("text"), str):
                        n += self._count(part["text"])
                    elif part.get("type") in ("image_url", "image", "input_image"):
                        n += 85  # OpenAI's flat cost of a low-detail image
                elif isinstance(part, str):
                    n += self._count(part)
            return n
        return 0


def usage_from(ctx_usage: dict[str, Any] | None) -> tuple[int, int, int] | None:
    """``(prompt, completion, cached)`` from an OpenAI ``usage`` dict, or ``None``."""
    if not isinstance(ctx_usage, dict):
        return None
    try:
        prompt = int(ctx_usage.get("prompt_tokens") or ctx_usage.get("input_tokens") or 0)
        completion = int(ctx_usage.get("completion_tokens") or ctx_usage.get("output_tokens") or 0)
        details = ctx_usage.get("prompt_tokens_details") or {}
        cached = int(details.get("cached_tokens") or ctx_usage.get("cache_read_input_tokens") or 0) if isinstance(
            details, dict) else 0
    except (TypeError, ValueError):
        return None
    if prompt == 0 and completion == 0 and "prompt_tokens" not in ctx_usage and "input_tokens" not in ctx_usage:
        return None
    return prompt, completion, cached


def cache_writes_from(ctx_usage: dict[str, Any] | None) -> tuple[int, int]:
    """``(prompt-cache writes, of which with a 1-hour lifetime)`` from a canonical ``usage``."""
    details = ctx_usage.get("prompt_tokens_details") if isinstance(ctx_usage, dict) else None
    if not isinstance(details, dict):
        return 0, 0
    try:
        return int(details.get("cache_creation_tokens") or 0), int(details.get("cache_creation_1h_tokens") or 0)
    except (TypeError, ValueError):
        return 0, 0
