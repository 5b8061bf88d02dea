"""Restore originals in a streamed answer, chunk by chunk, holding back as little as possible.

A surrogate can be split across SSE chunks ("Лук" + "ину"), so each text channel (one per
choice and field, one per tool call's ``arguments``) keeps a pending tail — but only the part
that could still become a surrogate: the longest suffix that is a proper prefix of one, or a
match that touches the end (it might grow: "Олег" → "Олега", or fail the word boundary:
"Лукин" → "Лукинский").  Everything before it is restored and sent at once, so time to first
token is unchanged for text that contains no surrogate prefix.

The output, concatenated, equals :meth:`ReplacementTable.restore` of the whole text, for every
way of splitting it (property-tested).  Held text is sent before the chunk that carries
``finish_reason`` (in that chunk when it has text of its own, else in a chunk of its own just
before it), so the pipeline simply feeds every chunk and calls :meth:`flush` at the end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from perimeter.privacy.pseudonymize.table import ReplacementTable

_TEXT_FIELDS = ("content", "reasoning_content", "refusal")
_LOOKBEHIND = 6  # source characters the left-boundary test needs (``\\uXXXX``)

ChannelKey = tuple[int, str, int]  # (choice index, field or "tool", tool-call index)


class _Channel:
    __slots__ = ("ctx", "json", "pending")

    def __init__(self, json: bool) -> None:
        self.pending = ""
        self.ctx = ""
        self.json = json


class StreamingRestorer:
    """The :class:`perimeter.stages.StreamRestorer` for one streamed response."""

    __slots__ = ("_channels", "_last", "_legacy", "table")

    def __init__(self, table: ReplacementTable) -> None:
        self.table = table
        self._channels: dict[ChannelKey, _Channel] = {}
        self._last: dict[str, Any] = {}
        self._legacy = False

    # ------------------------------------------------------------------ text
    def push(self, key: ChannelKey, text: str, final: bool, *, json: bool = False) -> str:
        """Add ``text`` to a channel; return what can be sent now (all of it when ``final``)."""
        ch = self._channels.get(key)
        if ch is None:
            ch = self._channels[key] = _Channel(json)
        table = self.table
        if not table:
            return text
        if not ch.pending and table.unchanged(text):
            # The usual chunk: nothing held before it and no surrogate in it.  What the general
            # path below would compute, without the matching: only a tail that may still grow
            # into a surrogate or a number is held back.
            hold = len(text) if final else min(table.open_prefix_start(text, 0), table.open_number_start(text, 0))
            ch.pending = text[hold:]
            if hold:
                ch.ctx = (ch.ctx + text[:hold])[-_LOOKBEHIND:]
            return text[:hold]
        full = ch.ctx + ch.pending + text
        off = len(ch.ctx)
        n = len(full)
        if n == off:
            return ""
        hold = n if final else min(table.open_prefix_start(full, off), table.open_number_start(full, off))
        out: list[str] = []
        pos = off
        for s, e, replacement in table.spans(full, off, json=ch.json):
            if not final and (s >= hold or e == n):
                hold = min(hold, s)
                break
            out.append(full[pos:s])
            out.append(replacement)
            pos = e
            if e > hold:  # a possible surrogate start was inside this match: look again after it
                hold = min(table.open_prefix_start(full, e), table.open_number_start(full, e))
        if hold < pos:
            hold = pos
        out.append(full[pos:hold])
        ch.pending = full[hold:]
        ch.ctx = full[max(0, hold - _LOOKBEHIND):hold]
        return "".join(out)

    def _drain(self, key: ChannelKey) -> str:
        ch = self._channels.get(key)
        if ch is None or not ch.pending:
            return ""
        return self.push(key, "", True)

    def pending(self) -> bool:
        return any(ch.pending for ch in self._channels.values())

    # ------------------------------------------------------------------ chunks
    def feed(self, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        choices = chunk.get("choices")
        self._last = chunk  # its envelope (id, model, ...) dresses any chunk made from held text
        if not isinstance(choices, list) or not choices:
            # The usage chunk (``choices: []``) or anything unexpected: whatever is held goes first.
            return [*self.flush(), chunk] if self.pending() else [chunk]
        before: list[dict[str, Any]] = []
        held_any = False
        for choice in choices:
            if not isinstance(choice, dict):
                continue
            i = choice.get("index", 0)
            i = i if isinstance(i, int) else 0
            final = choice.get("finish_reason") is not None
            if "delta" not in choice and isinstance(choice.get("text"), str):
                self._legacy = True
                text = choice["text"]
                choice["text"] = out = self.push((i, "text", 0), text, final)
                held_any |= out == "" and text != ""
            delta = choice.get("delta")
            if isinstance(delta, dict):
                held_any |= self._feed_delta(i, delta, final, before)
            if final:
                leftovers = self._drain_choice(i)
                if leftovers:
                    before.append(self._chunk(leftovers))
        if held_any and _all_empty(choices) and "usage" not in chunk:
            return before
        before.append(chunk)
        return before

    def _feed_delta(self, i: int, delta: dict[str, Any], final: bool, before: list[dict[str, Any]]) -> bool:
        self._switch(i, delta, before)
        held_any = False
        for field in _TEXT_FIELDS:
            value = delta.get(field)
            if isinstance(value, str):
                delta[field] = out = self.push((i, field, 0), value, final)
                held_any |= out == "" and value != ""
        calls = delta.get("tool_calls")
        if isinstance(calls, list):
            for call in calls:
                if not isinstance(call, dict):
                    continue
                idx = call.get("index", 0)
                idx = idx if isinstance(idx, int) else 0
                fn = call.get("function")
                if isinstance(fn, dict) and isinstance(fn.get("arguments"), str):
                    args = fn["arguments"]
                    fn["arguments"] = out = self.push((i, "tool", idx), args, final, json=True)
                    held_any |= out == "" and args != ""
        return held_any

    def _switch(self, i: int, delta: dict[str, Any], before: list[dict[str, Any]]) -> None:
        """A delta for another channel (reasoning → text → a tool call → the next one, or a
        thinking signature) means the earlier channels are complete: send what they hold
        first, so the client sees each part in order."""
        if not any(ch.pending for ch in self._channels.values()):
            return  # nothing is held anywhere (the usual case): nothing to send first
        here: set[ChannelKey] = {(i, f, 0) for f in _TEXT_FIELDS if isinstance(delta.get(f), str) and delta[f]}
        for call in delta.get("tool_calls") or ():
            idx = call.get("index", 0) if isinstance(call, dict) else 0
            here.add((i, "tool", idx if isinstance(idx, int) else 0))
        if not here and all(k in _TEXT_FIELDS or k in ("role", "tool_calls") for k in delta):
            return  # nothing new arrives (a role or an empty delta)
        done = {k: self._drain(k) for k in list(self._channels)
                if k[0] == i and k not in here and self._channels[k].pending}
        done = {k: v for k, v in done.items() if v}
        if done:
            before.append(self._chunk(done))

    def _drain_choice(self, i: int) -> dict[ChannelKey, str]:
        out = {}
        for key in list(self._channels):
            if key[0] == i:
                text = self._drain(key)
                if text:
                    out[key] = text
        return out

    def flush(self) -> list[dict[str, Any]]:
        """Stream ended: send what is still held (nothing, if every choice sent finish_reason)."""
        out = {}
        for key in list(self._channels):
            text = self._drain(key)
            if text:
                out[key] = text
        return [self._chunk(out)] if out else []

    def _chunk(self, texts: dict[ChannelKey, str]) -> dict[str, Any]:
        by_choice: dict[int, dict[str, Any]] = {}
        for (i, field, idx), text in sorted(texts.items()):
            if field == "text":
                by_choice[i] = {"index": i, "text": text, "logprobs": None, "finish_reason": None}
                continue
            entry = by_choice.setdefault(i, {"index": i, "delta": {}, "finish_reason": None})
            delta = entry["delta"]
            if field == "tool":
                delta.setdefault("tool_calls", []).append({"index": idx, "function": {"arguments": text}})
            else:
                delta[field] = text
        envelope = {k: v for k, v in self._last.items() if k not in ("choices", "usage")}
        return {**envelope, "choices": [by_choice[i] for i in sorted(by_choice)]}


def _all_empty(choices: list[Any]) -> bool:
    """True when no choice carries anything a client needs (every text went to the hold-back)."""
    for choice in choices:
        if not isinstance(choice, dict) or choice.get("finish_reason") is not None or choice.get("logprobs"):
            return False
        if choice.get("text"):
            return False
        delta = choice.get("delta")
        if isinstance(delta, dict):
            for key, value in delta.items():
                if key in _TEXT_FIELDS:
                    if value:
                        return False
                elif key == "tool_calls":
                    for call in value or ():
                        if not isinstance(call, dict) or set(call) - {"index", "function"}:
                            return False
                        fn = call.get("function") or {}
                        if set(fn) - {"arguments"} or fn.get("arguments"):
                            return False
                else:
                    return False
    return True
