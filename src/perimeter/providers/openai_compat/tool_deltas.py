"""Stream deltas of tool calls as OpenAI sends them: ``id``, ``type`` and ``name`` once per call.

In OpenAI's stream the first delta of a tool call carries its ``id``, ``type`` and
``function.name`` and the later ones only more ``function.arguments``; clients concatenate what
they receive.  llama-cpp-python's server repeats ``id``, ``type`` and ``name`` in every delta
(and the deprecated ``function_call`` alongside), so LangChain assembled the tool name
``get_weatherget_weatherget_weather…``.  :class:`ToolCallDeltas` removes the repeats.
"""

from __future__ import annotations

from typing import Any


class ToolCallDeltas:
    """Per stream: forget ``id``/``type``/``name`` of a tool call after its first delta."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: set[tuple[int, int | str]] = set()

    def fix(self, chunk: dict[str, Any]) -> None:
        """Edit ``chunk`` (freshly decoded, ours to change) in place."""
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") if isinstance(choice, dict) else None
            if not isinstance(delta, dict):
                continue
            calls = delta.get("tool_calls")
            if calls:
                for i, call in enumerate(calls):
                    if isinstance(call, dict):
                        self._once(choice.get("index", 0), call.get("index", i), call)
            fc = delta.get("function_call")
            if isinstance(fc, dict):
                self._once(choice.get("index", 0), "function_call", fc)

    def _once(self, choice: int, key: int | str, call: dict[str, Any]) -> None:
        if (choice, key) not in self._seen:
            self._seen.add((choice, key))
            return
        call.pop("id", None)
        call.pop("type", None)
        call.pop("name", None)  # the deprecated function_call's own name
        fn = call.get("function")
        if isinstance(fn, dict):
            fn.pop("name", None)
