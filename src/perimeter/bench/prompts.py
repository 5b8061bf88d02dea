"""What a benchmark sends: synthetic prompts of a target length, or real prompts from JSONL.

Synthetic prompts are built from a fixed vocabulary of short, common English words, each of
which is a single token in the BPE vocabularies of the models people actually serve (cl100k,
o200k, Llama 3, Qwen 2, Mistral).  One word plus its leading space is therefore ~one token, so
``input_tokens`` words give a prompt of ~``input_tokens`` tokens before the chat template is
applied.  Nothing is downloaded to count tokens: the exact figures a run reports come from the
``usage`` the server returns.  Every prompt starts with a unique number so that a server's
prefix cache cannot serve a benchmark from memory.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

# Short, frequent words: one token each in the common BPE vocabularies (with a leading space).
_WORDS_TEXT = (
    "the of and to in is was for on that with as by at from his he it an be this are or had not "
    "but have which were one all their they has been its when who more there also other would "
    "can into after first two new time only some than most over such them these may many where "
    "then about while during made under both between used those through well before since each "
    "city year part world three state life long water house line name place work school game "
    "group number area people family music day war team way point light power form field small "
    "high large best early late open close black white red green blue north south east west "
    "river road street town village land sea island lake hill tree stone fire air book song film"
)
_WORDS = tuple(_WORDS_TEXT.split())


@dataclass(slots=True, frozen=True)
class Prompt:
    """One request body's variable part."""

    messages: list[dict[str, Any]]
    max_tokens: int | None
    # Our estimate of the prompt length (the server's ``usage`` wins when it reports one).
    est_input_tokens: int


class PromptError(ValueError):
    """A prompt file cannot be used; the message names the line."""


def synthetic(input_tokens: int, output_tokens: int, *, seed: int = 0) -> Iterator[Prompt]:
    """An endless stream of distinct prompts of ~``input_tokens`` tokens asking for ``output_tokens``."""
    if input_tokens < 1 or output_tokens < 1:
        raise ValueError("input and output token targets must be >= 1")
    rng = random.Random(seed)
    n = 0
    while True:
        n += 1
        # The unique prefix (~3 tokens) counts towards the target.
        prefix = f"{n} {rng.randrange(10**6)}:"
        words = [rng.choice(_WORDS) for _ in range(max(0, input_tokens - 3))]
        text = prefix + " " + " ".join(words)
        yield Prompt([{"role": "user", "content": text}], output_tokens, input_tokens)


def estimate_tokens(text: str) -> int:
    """Rough token count for real prompts: ~4 characters per token (OpenAI's rule of thumb)."""
    return max(1, round(len(text) / 4))


def _content_text(messages: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for m in messages:
        c = m.get("content")
        if isinstance(c, str):
            parts.append(c)
        elif isinstance(c, list):
            parts.extend(str(p.get("text", "")) for p in c if isinstance(p, dict))
    return "\n".join(parts)


def load_jsonl(path: str | Path, *, default_max_tokens: int | None = None) -> list[Prompt]:
    """Read prompts from JSONL.

    Each line is an object with either ``messages`` (OpenAI chat messages) or ``prompt``/``text``
    (a single user message), and optionally ``max_tokens`` / ``output_tokens``.
    """
    prompts: list[Prompt] = []
    p = Path(path)
    try:
        lines = p.read_bytes().splitlines()
    except OSError as exc:
        raise PromptError(f"{p}: cannot read prompt file: {exc.strerror or exc}") from exc
    for i, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            row = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise PromptError(f"{p}:{i}: not valid JSON ({exc})") from exc
        if isinstance(row, str):
            row = {"prompt": row}
        if not isinstance(row, dict):
            raise PromptError(f"{p}:{i}: expected an object with 'messages' or 'prompt'")
        messages = row.get("messages")
        if messages is None:
            text = row.get("prompt", row.get("text"))
            if not isinstance(text, str):
                raise PromptError(f"{p}:{i}: expected 'messages' (list) or 'prompt' (string)")
            messages = [{"role": "user", "content": text}]
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise PromptError(f"{p}:{i}: 'messages' must be a list of objects")
        mt = row.get("max_tokens", row.get("output_tokens", default_max_tokens))
        if mt is not None and (not isinstance(mt, int) or mt < 1):
            raise PromptError(f"{p}:{i}: 'max_tokens' must be a positive integer")
        prompts.append(Prompt(messages, mt, estimate_tokens(_content_text(messages))))
    if not prompts:
        raise PromptError(f"{p}: no prompts in file")
    return prompts


def cycle(prompts: list[Prompt]) -> Iterator[Prompt]:
    """Repeat a finite prompt list for as long as the run needs."""
    while True:
        yield from prompts
