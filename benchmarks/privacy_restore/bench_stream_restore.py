"""How much the stream restorer adds per SSE chunk (target: ≤ 0.1 ms).

Run: ``.venv/bin/python benchmarks/privacy_restore/bench_stream_restore.py``

A realistic request (names in several cases, phone, ИНН, e-mail, card) is pseudonymized; the
"model answer" is a ~4,000-character text that mentions the surrogates often, streamed as
OpenAI chunks of ~4 characters (about one token each) and, separately, as tool-call argument
pieces.  Baseline, measured in the same run: what the gateway does with every chunk anyway,
encoding it to JSON for the SSE event (``orjson.dumps``); "with restorer" is ``feed`` + encoding.  Figures are medians of several runs (the machine is shared).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import orjson

from perimeter.privacy.entities import Entity
from perimeter.privacy.pseudonymize.pseudonymizer import Pseudonymizer
from perimeter.privacy.pseudonymize.restore import ReplacementTable, ResponseRestorer

PROMPT = ("Клиент Иван Петрович Смирнов (ИНН 500100732259, тел. +7 (912) 345-67-89, почта "
          "ivan.smirnov@corp.ru, карта 4276 3800 1234 5675) просит перезвонить. Его жена Анна Смирнова "
          "и коллега John Smith в копии.")
SPANS = [("PERSON", "Иван Петрович Смирнов"), ("RU_INN", "500100732259"), ("PHONE", "+7 (912) 345-67-89"),
         ("EMAIL", "ivan.smirnov@corp.ru"), ("CREDIT_CARD", "4276 3800 1234 5675"), ("PERSON", "Анна Смирнова"),
         ("PERSON", "John Smith")]


def setup() -> tuple[ReplacementTable, str, float]:
    ents = []
    for t, v in SPANS:
        i = PROMPT.index(v)
        ents.append(Entity(t, i, i + len(v), v))
    pz = Pseudonymizer(b"bench-secret-0123456789abcdef")
    pz.run("warm", [PROMPT], [ents])  # load morphology once
    t0 = time.perf_counter()
    for _ in range(20):
        out = pz.run("t", [PROMPT], [ents])
    pseudo_ms = (time.perf_counter() - t0) / 20 * 1000
    sent = out.texts[0]
    filler = " Это обычный текст ответа модели без чувствительных данных, он занимает большую часть. "
    answer = (sent + filler * 3) * 6
    return ReplacementTable(out.pairs), answer, pseudo_ms


def chunks(text: str, size: int, tool: bool) -> list[dict[str, Any]]:
    out = []
    for i in range(0, len(text), size):
        piece = text[i:i + size]
        delta: dict[str, Any] = ({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]} if tool
                                 else {"content": piece})
        out.append({"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m",
                    "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
    out[-1]["choices"][0]["finish_reason"] = "stop"
    return out


def run(table: ReplacementTable | None, answer: str, size: int, tool: bool) -> float:
    """Seconds per chunk for one pass (fresh chunk dicts: the restorer edits them in place)."""
    stream = chunks(answer, size, tool)
    sr = ResponseRestorer(table).stream() if table is not None else None
    t0 = time.perf_counter()
    n = 0
    for c in stream:
        for piece in sr.feed(c) if sr else (c,):
            n += len(orjson.dumps(piece))
    if sr:
        sr.flush()
    return (time.perf_counter() - t0) / len(stream)


def main() -> None:
    table, answer, pseudo_ms = setup()
    print(f"answer: {len(answer)} chars; table: {len(table.text_map)} surrogate forms; "
          f"pseudonymize one request (warm caches, as in a conversation's later turns): {pseudo_ms:.2f} ms")
    for tool in (False, True):
        for size in (1, 4, 16):
            base, restore = [], []
            for _ in range(7):
                base.append(run(None, answer, size, tool))
                restore.append(run(table, answer, size, tool))
            b, r = statistics.median(base) * 1e6, statistics.median(restore) * 1e6
            kind = "tool args" if tool else "content"
            print(f"{kind:9s} chunk={size:2d} chars: baseline {b:6.2f} µs/chunk, with restorer {r:6.2f} µs/chunk, "
                  f"added {r - b:6.2f} µs/chunk ({r / b:4.1f}x)")


if __name__ == "__main__":
    main()
