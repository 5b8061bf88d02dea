"""The ``response`` object a Responses client gets back (whole, or inside stream events)."""

from __future__ import annotations

import time
from typing import Any

from perimeter.api.responses.request import ResponsesRequest
from perimeter.providers.openai_compat.responses_dialect import (
    message_to_output,
    status_from_finish,
    usage_from_chat,
)


def response_object(req: ResponsesRequest, alias: str, created_at: float, *, status: str,
                    output: list[dict[str, Any]], usage: dict[str, Any] | None = None,
                    incomplete: dict[str, Any] | None = None, error: dict[str, Any] | None = None,
                    ) -> dict[str, Any]:
    """A ``response`` echoing the request's settings, as OpenAI returns it."""
    raw = req.raw
    text = raw.get("text") or {}
    reasoning = raw.get("reasoning") or {}
    return {
        "id": req.response_id,
        "object": "response",
        "created_at": int(created_at),
        "status": status,
        "background": False,
        "error": error,
        "incomplete_details": incomplete,
        "instructions": req.instructions,
        "max_output_tokens": raw.get("max_output_tokens"),
        "max_tool_calls": raw.get("max_tool_calls"),
        "model": alias,
        "output": output,
        "parallel_tool_calls": raw.get("parallel_tool_calls", True),
        "previous_response_id": req.previous_id,
        "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")},
        "service_tier": "default",
        "store": req.store,
        "temperature": raw.get("temperature", 1.0),
        "text": {"format": text.get("format") or {"type": "text"}, "verbosity": text.get("verbosity", "medium")},
        "tool_choice": raw.get("tool_choice", "auto"),
        "tools": raw.get("tools") or [],
        "top_logprobs": raw.get("top_logprobs", 0),
        "top_p": raw.get("top_p", 1.0),
        "truncation": raw.get("truncation", "disabled"),
        "usage": usage,
        "user": raw.get("user"),
        "metadata": raw.get("metadata") or {},
        **({"completed_at": int(time.time())} if status == "completed" else {}),
    }


def from_chat_completion(req: ResponsesRequest, alias: str, created_at: float,
                         completion: dict[str, Any]) -> dict[str, Any]:
    """A ``chat.completion`` (first choice) → a finished ``response``."""
    choice = (completion.get("choices") or [{}])[0]
    status, incomplete = status_from_finish(choice.get("finish_reason"))
    output = message_to_output(choice.get("message") or {})
    if status != "completed":
        for item in output:
            if item["type"] == "message":
                item["status"] = "incomplete"
    return response_object(req, alias, created_at, status=status, output=output,
                           usage=usage_from_chat(completion.get("usage")), incomplete=incomplete)
