"""Checks that a list of chunk dicts is a well-formed OpenAI ``chat.completion.chunk`` stream.

Shared by the adapter tests and the end-to-end gateway tests: whatever vendor served the
request, the client must see the same shape.
"""

from __future__ import annotations

from typing import Any


def check_stream_shape(chunks: list[dict[str, Any]], *, include_usage: bool) -> None:
    """Assert the invariants an OpenAI SDK relies on; raise AssertionError naming the first break."""
    assert chunks, "empty stream"
    body = chunks[:-1] if include_usage else chunks
    if include_usage:
        last = chunks[-1]
        assert last["choices"] == [], f"usage chunk must have no choices: {last}"
        u = last["usage"]
        assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"], u
    ids = {c["id"] for c in chunks}
    assert len(ids) == 1, f"one id per stream, got {ids}"
    for i, c in enumerate(body):
        assert c["object"] == "chat.completion.chunk", c
        assert isinstance(c["created"], int) and isinstance(c["model"], str) and c["model"], c
        assert len(c["choices"]) == 1, c
        ch = c["choices"][0]
        assert ch["index"] == 0 and "delta" in ch and "finish_reason" in ch, c
        if i == 0:
            assert ch["delta"].get("role") == "assistant", f"first delta must carry the role: {c}"
        else:
            assert ch["delta"].get("role") is None, f"role repeated in chunk {i}: {c}"
        if i < len(body) - 1:
            assert ch["finish_reason"] is None, f"finish_reason before the end: {c}"
    assert body[-1]["choices"][0]["finish_reason"] is not None, "the last choice chunk must finish"


def assemble(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """Fold deltas the way the OpenAI SDK does: content, tool calls by index, finish reason."""
    content = ""
    calls: dict[int, dict[str, Any]] = {}
    finish = None
    for c in chunks:
        for ch in c["choices"]:
            d = ch["delta"]
            content += d.get("content") or ""
            for tc in d.get("tool_calls") or []:
                slot = calls.setdefault(tc["index"], {"id": None, "name": None, "arguments": ""})
                if tc.get("id"):
                    assert slot["id"] is None, f"tool call {tc['index']} started twice"
                    slot["id"] = tc["id"]
                    assert tc.get("type") == "function", tc
                fn = tc.get("function") or {}
                if fn.get("name"):
                    slot["name"] = fn["name"]
                slot["arguments"] += fn.get("arguments") or ""
            finish = ch["finish_reason"] or finish
    tool_calls = [{"id": s["id"], "type": "function", "function": {"name": s["name"], "arguments": s["arguments"]}}
                  for _, s in sorted(calls.items())]
    return {"content": content, "tool_calls": tool_calls, "finish_reason": finish}
