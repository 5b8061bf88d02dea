"""``POST /v1/responses`` for the loopback OpenAI fake: the Responses API wire format.

Built from OpenAI's API reference and the ``openai`` SDK's types: request checks the real API
makes that matter to a translating client (unknown parameters are refused with
``unknown_parameter``, a ``function_call_output`` must answer a ``function_call`` earlier in
the input, ``previous_response_id`` needs a stored response), the ``response`` object, and the
typed SSE sequence (``event:`` + ``data:`` with ``sequence_number``, no ``[DONE]``).

The fake model: with function tools (and ``tool_choice`` not ``none``) and no tool output yet
it calls the first (or the named) tool with ``{"echo": <last user text>}``; after a tool
output it answers ``"tool said: <output>"``; with a JSON schema it answers a minimal instance
of the schema; otherwise it echoes the last user text.  ``reasoning.effort`` adds a reasoning
item with a summary before the answer.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import orjson
from aiohttp import web

_ids = itertools.count(1)
_ALLOWED = frozenset({
    "model", "input", "instructions", "stream", "store", "previous_response_id", "max_output_tokens", "temperature",
    "top_p", "top_logprobs", "tools", "tool_choice", "parallel_tool_calls", "text", "reasoning", "metadata", "user",
    "include", "truncation", "service_tier", "safety_identifier", "prompt_cache_key", "stream_options", "background",
    "max_tool_calls", "conversation", "prompt",
})


def schema_instance(schema: Any) -> Any:
    """The smallest JSON value a (simple) JSON schema accepts: what a constrained model returns."""
    if not isinstance(schema, dict):
        return None
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return schema_instance(schema[key][0])
    t = schema.get("type")
    t = t[0] if isinstance(t, list) else t
    if t == "object" or "properties" in schema:
        return {k: schema_instance(v) for k, v in (schema.get("properties") or {}).items()}
    if t == "array":
        return [schema_instance(schema.get("items"))] if schema.get("minItems") else []
    return {"string": "echo", "integer": 0, "number": 0.5, "boolean": True, "null": None}.get(str(t), "echo")


def _error(status: int, message: str, param: str | None = None, code: str | None = None) -> web.Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")


def _texts(content: Any) -> str:
    if isinstance(content, str):
        return content
    return " ".join(str(p.get("text", "")) for p in content or () if isinstance(p, dict) and "text" in p)


def _validate(body: Any) -> web.Response | None:
    if not isinstance(body, dict):
        return _error(400, "body must be an object")
    for name in body:
        if name not in _ALLOWED:
            return _error(400, f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    if not isinstance(body.get("model"), str):
        return _error(400, "Missing required parameter: 'model'.", "model", "missing_required_parameter")
    items = body.get("input")
    if not isinstance(items, str | list):
        return _error(400, "Missing required parameter: 'input'.", "input", "missing_required_parameter")
    calls: set[str] = set()
    for i, item in enumerate(items if isinstance(items, list) else ()):
        itype = item.get("type")
        if itype == "function_call":
            calls.add(item["call_id"])
        elif itype == "function_call_output" and item.get("call_id") not in calls:
            return _error(400, f"No tool call found for function call output with call_id {item.get('call_id')}.",
                          f"input[{i}]")
        elif itype in (None, "message") and item.get("role") not in ("user", "assistant", "system", "developer"):
            return _error(400, f"Invalid value for 'input[{i}].role'.", f"input[{i}].role")
    if body.get("previous_response_id"):
        return _error(400, f"Previous response with id '{body['previous_response_id']}' not found.",
                      "previous_response_id", "previous_response_not_found")
    return None


def _answer(body: dict[str, Any], reply: str) -> tuple[str, dict[str, Any] | None]:
    """(text, function call or None) the fake model produces for ``body``."""
    items = body["input"] if isinstance(body["input"], list) else [{"role": "user", "content": body["input"]}]
    last = items[-1]
    if last.get("type") == "function_call_output":
        return f"tool said: {_texts(last.get('output'))}", None
    tools = [t for t in body.get("tools") or () if t.get("type") == "function"]
    choice = body.get("tool_choice", "auto")
    if tools and choice != "none":
        name = choice.get("name") if isinstance(choice, dict) else tools[0]["name"]
        args = orjson.dumps({"echo": reply}).decode()
        return "", {"name": name, "arguments": args}
    fmt = (body.get("text") or {}).get("format") or {}
    if fmt.get("type") == "json_schema":
        return orjson.dumps(schema_instance(fmt.get("schema"))).decode(), None
    if fmt.get("type") == "json_object":
        return orjson.dumps({"echo": reply}).decode(), None
    return f"echo: {reply}", None


def _last_user_text(body: dict[str, Any]) -> str:
    items = body["input"]
    if isinstance(items, str):
        return items
    for item in reversed(items):
        if item.get("role") == "user":
            return _texts(item.get("content"))
    return ""


def _usage(body: dict[str, Any], text: str) -> dict[str, Any]:
    prompt = max(1, len(orjson.dumps(body.get("input"))) // 16)
    completion = max(1, len(text.split()))
    return {"input_tokens": prompt, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": completion,
            "output_tokens_details": {"reasoning_tokens": 3 if body.get("reasoning") else 0},
            "total_tokens": prompt + completion}


def _response(body: dict[str, Any], rid: str, status: str, output: list[dict[str, Any]],
              usage: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": rid, "object": "response", "created_at": int(time.time()), "status": status, "error": None,
        "incomplete_details": None, "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"), "model": body["model"], "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True), "previous_response_id": None,
        "reasoning": {"effort": (body.get("reasoning") or {}).get("effort"), "summary": None},
        "store": body.get("store", True), "temperature": body.get("temperature", 1.0),
        "text": body.get("text") or {"format": {"type": "text"}}, "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [], "top_p": body.get("top_p", 1.0), "truncation": "disabled",
        "usage": usage, "user": None, "metadata": body.get("metadata") or {},
    }


def _output(body: dict[str, Any], text: str, call: dict[str, Any] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if body.get("reasoning"):
        out.append({"id": f"rs_{next(_ids)}", "type": "reasoning",
                    "summary": [{"type": "summary_text", "text": "thinking it over"}]})
    if call is not None:
        out.append({"id": f"fc_{next(_ids)}", "type": "function_call", "status": "completed",
                    "call_id": f"call_{next(_ids)}", **call})
    else:
        out.append({"id": f"msg_{next(_ids)}", "type": "message", "status": "completed", "role": "assistant",
                    "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}]})
    return out


def _events(body: dict[str, Any], rid: str, output: list[dict[str, Any]], usage: dict[str, Any]) -> Iterator[
        tuple[str, dict[str, Any]]]:
    shell = _response(body, rid, "in_progress", [], None)
    yield "response.created", {"response": shell}
    yield "response.in_progress", {"response": shell}
    for n, item in enumerate(output):
        where = {"item_id": item["id"], "output_index": n}
        if item["type"] == "message":
            text = item["content"][0]["text"]
            yield "response.output_item.added", {"output_index": n, "item": {**item, "status": "in_progress",
                                                                             "content": []}}
            part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
            yield "response.content_part.added", {**where, "content_index": 0, "part": part}
            for i in range(0, len(text), 5):
                yield "response.output_text.delta", {**where, "content_index": 0, "delta": text[i:i + 5],
                                                     "logprobs": []}
            yield "response.output_text.done", {**where, "content_index": 0, "text": text, "logprobs": []}
            yield "response.content_part.done", {**where, "content_index": 0, "part": {**part, "text": text}}
        elif item["type"] == "function_call":
            yield "response.output_item.added", {"output_index": n, "item": {**item, "status": "in_progress",
                                                                             "arguments": ""}}
            args = item["arguments"]
            for i in range(0, len(args), 7):
                yield "response.function_call_arguments.delta", {**where, "delta": args[i:i + 7]}
            yield "response.function_call_arguments.done", {**where, "arguments": args, "name": item["name"]}
        else:
            yield "response.output_item.added", {"output_index": n, "item": {**item, "summary": []}}
            summary = item["summary"][0]["text"]
            yield "response.reasoning_summary_part.added", {**where, "summary_index": 0,
                                                            "part": {"type": "summary_text", "text": ""}}
            yield "response.reasoning_summary_text.delta", {**where, "summary_index": 0, "delta": summary}
            yield "response.reasoning_summary_text.done", {**where, "summary_index": 0, "text": summary}
        yield "response.output_item.done", {"output_index": n, "item": item}
    yield "response.completed", {"response": _response(body, rid, "completed", output, usage)}


async def handle_responses(fake: Any, request: web.Request) -> web.StreamResponse:
    """The ``/v1/responses`` route of :class:`tests.fakes.openai_server.FakeOpenAI`."""
    body, fault, early = await fake._pre(request)
    if early is not None:
        return early
    problem = _validate(body)
    if problem is not None:
        return problem
    text, call = _answer(body, _last_user_text(body))
    output = _output(body, text, call)
    usage = _usage(body, text or (call or {}).get("arguments", ""))
    rid = f"resp_{next(_ids):06d}"
    if not body.get("stream"):
        return web.Response(body=orjson.dumps(_response(body, rid, "completed", output, usage)),
                            content_type="application/json", headers={"x-served-by": fake.name})
    resp = web.StreamResponse(headers={"content-type": "text/event-stream; charset=utf-8",
                                       "cache-control": "no-cache", "x-served-by": fake.name})
    await resp.prepare(request)
    for seq, (etype, data) in enumerate(_events(body, rid, output, usage)):
        if fault is not None and fault.kind == "truncate" and seq >= fault.after_chunks:
            assert request.transport is not None
            request.transport.close()
            return resp
        payload = orjson.dumps({"type": etype, "sequence_number": seq, **data})
        await resp.write(b"event: " + etype.encode() + b"\ndata: " + payload + b"\n\n")
    await resp.write_eof()
    return resp
