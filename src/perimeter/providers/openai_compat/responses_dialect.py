"""What the Responses API and Chat Completions mean by the same thing, both ways.

Perimeter speaks the Responses API in two directions: the inbound endpoint
(:mod:`perimeter.api.responses`: a Responses client to any provider, through the canonical
chat shape) and the outbound native mode of the OpenAI-compatible adapter
(:mod:`.responses_native`: a canonical chat body to an upstream that serves ``/v1/responses``).
Each mapping both need — input items and messages, content parts, function tools, tool
choice, structured output, usage, status and finish reason, output items — is written once
here as a pair of functions, so the two directions cannot drift apart.

Nothing here does I/O.  A shape that cannot be expressed raises :class:`ShapeError` naming the
parameter; each side turns it into its own error (a 400 at the edge, a non-retryable
:class:`~perimeter.errors.ProviderError` in the adapter).
"""

from __future__ import annotations

import uuid
from typing import Any


class ShapeError(ValueError):
    """A request or response part that has no equivalent on the other side."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param


def new_id(prefix: str) -> str:
    """Item ids as OpenAI writes them: ``resp_…``, ``msg_…``, ``fc_…``, ``rs_…``, ``call_…``."""
    return f"{prefix}_{uuid.uuid4().hex}"


# ------------------------------------------------------------------------------ content parts


def part_to_chat(part: Any, role: str, where: str) -> dict[str, Any]:
    """A Responses content part → a chat content part."""
    ptype = part.get("type") if isinstance(part, dict) else None
    if ptype in ("input_text", "output_text"):
        text = part.get("text")
        if not isinstance(text, str):
            raise ShapeError(f"{where}.text must be a string", where)
        return {"type": "text", "text": text}
    if ptype == "input_image":
        url = part.get("image_url")
        if not isinstance(url, str) or not url:
            raise ShapeError(f"{where}: input_image needs an image_url (an https URL or a data: URL); "
                             "file_id is not supported by this gateway (it keeps no file store)", where)
        image: dict[str, Any] = {"url": url}
        if part.get("detail"):
            image["detail"] = part["detail"]
        return {"type": "image_url", "image_url": image}
    if ptype == "input_file":
        if not isinstance(part.get("file_data"), str):
            raise ShapeError(f"{where}: input_file needs file_data (base64); file_id and file_url are not "
                             "supported by this gateway", where)
        file = {k: part[k] for k in ("file_data", "filename") if isinstance(part.get(k), str)}
        return {"type": "file", "file": file}
    if ptype == "input_audio":
        return {"type": "input_audio", "input_audio": part.get("input_audio")}
    if ptype == "refusal" and role == "assistant":
        return {"type": "refusal", "refusal": str(part.get("refusal") or "")}
    raise ShapeError(f"{where}: content part type '{ptype}' is not supported in a {role} message", where)


def part_from_chat(part: dict[str, Any], role: str) -> dict[str, Any]:
    """A chat content part → a Responses input content part (the inverse of :func:`part_to_chat`)."""
    ptype = part.get("type")
    if ptype == "text":
        return {"type": "output_text" if role == "assistant" else "input_text", "text": str(part.get("text", ""))}
    if ptype == "image_url":
        img = part.get("image_url")
        url = img.get("url") if isinstance(img, dict) else img
        out: dict[str, Any] = {"type": "input_image", "image_url": url}
        if isinstance(img, dict) and img.get("detail"):
            out["detail"] = img["detail"]
        else:
            out["detail"] = "auto"
        return out
    if ptype == "file":
        return {"type": "input_file", **(part.get("file") or {})}
    if ptype == "input_audio":
        return {"type": "input_audio", "input_audio": part.get("input_audio")}
    if ptype == "refusal":
        return {"type": "refusal", "refusal": str(part.get("refusal", ""))}
    raise ShapeError(f"content part type '{ptype}' has no Responses API equivalent", "messages")


# ------------------------------------------------------------------------------ input items


_MESSAGE_ROLES = ("user", "system", "developer", "assistant")


def _message_content(content: Any, role: str, where: str) -> tuple[Any, str | None]:
    """Message content in chat terms, and a refusal (assistant turns only)."""
    if isinstance(content, str):
        return content, None
    if not isinstance(content, list):
        raise ShapeError(f"{where}.content must be a string or an array of content parts", f"{where}.content")
    parts: list[dict[str, Any]] = []
    refusal = None
    for j, p in enumerate(content):
        mapped = part_to_chat(p, role, f"{where}.content[{j}]")
        if mapped["type"] == "refusal":
            refusal = mapped["refusal"]
        else:
            parts.append(mapped)
    if all(p["type"] == "text" for p in parts) and (role == "assistant" or len(parts) == 1):
        return "".join(p["text"] for p in parts), refusal  # plain text: the form every server accepts
    return parts, refusal


#: ``encrypted_content`` of a reasoning item that carries an Anthropic thinking block: the
#: block's signature (or a redacted block's data), opaque to the client, which sends it back.
THINKING_PREFIX = "anthropic-thinking:"
REDACTED_PREFIX = "anthropic-redacted:"


def thinking_block(item: dict[str, Any]) -> dict[str, Any] | None:
    """The Anthropic thinking block a reasoning item carries, if it carries one."""
    sealed = item.get("encrypted_content")
    if not isinstance(sealed, str):
        return None
    if sealed.startswith(REDACTED_PREFIX):
        return {"type": "redacted_thinking", "data": sealed.removeprefix(REDACTED_PREFIX)}
    if sealed.startswith(THINKING_PREFIX):
        parts = item.get("content") or item.get("summary") or ()
        text = "".join(str(p.get("text", "")) for p in parts if isinstance(p, dict))
        return {"type": "thinking", "thinking": text, "signature": sealed.removeprefix(THINKING_PREFIX)}
    return None


def items_to_messages(items: list[Any], where: str = "input") -> tuple[list[dict[str, Any]], list[str]]:
    """Responses input items → chat messages, and the item types that were dropped.

    Consecutive ``function_call`` items join the assistant turn before them (chat carries a
    turn's text and its tool calls in one message); ``function_call_output`` becomes a tool
    message.  A ``reasoning`` item that carries an Anthropic thinking block (ours, see
    :func:`message_to_output`) goes back as that block on the assistant turn after it; other
    reasoning items are another vendor's private state that chat cannot carry: they are
    dropped and reported, so the caller can say so in a header.
    """
    messages: list[dict[str, Any]] = []
    dropped: list[str] = []
    thinking: list[dict[str, Any]] = []  # blocks waiting for their assistant turn
    for i, item in enumerate(items):
        w = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise ShapeError(f"{w} must be an object", w)
        itype = item.get("type")
        if itype in (None, "message"):
            role = item.get("role")
            if role not in _MESSAGE_ROLES:
                raise ShapeError(f"{w}.role must be one of {', '.join(_MESSAGE_ROLES)}, got {role!r}", f"{w}.role")
            content, refusal = _message_content(item.get("content"), role, w)
            msg: dict[str, Any] = {"role": role, "content": content}
            if refusal is not None:
                msg["refusal"] = refusal
            if role == "assistant" and thinking:
                msg["thinking_blocks"], thinking = thinking, []
            messages.append(msg)
        elif itype == "function_call":
            for key in ("call_id", "name", "arguments"):
                if not isinstance(item.get(key), str):
                    raise ShapeError(f"{w}.{key} must be a string", f"{w}.{key}")
            call = {"id": item["call_id"], "type": "function",
                    "function": {"name": item["name"], "arguments": item["arguments"]}}
            last = messages[-1] if messages else None
            # Join the assistant turn this call belongs to (the item right before it).
            if last is not None and last["role"] == "assistant" and i > 0 and _is_assistant_item(items[i - 1]):
                last.setdefault("tool_calls", []).append(call)
                if last.get("content") == "":
                    last["content"] = None
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
                if thinking:
                    messages[-1]["thinking_blocks"], thinking = thinking, []
        elif itype == "function_call_output":
            if not isinstance(item.get("call_id"), str):
                raise ShapeError(f"{w}.call_id must be a string", f"{w}.call_id")
            output = item.get("output")
            if isinstance(output, list):
                result: Any = [part_to_chat(p, "user", f"{w}.output[{j}]") for j, p in enumerate(output)]
            elif isinstance(output, str):
                result = output
            else:
                raise ShapeError(f"{w}.output must be a string or an array of content parts", f"{w}.output")
            messages.append({"role": "tool", "tool_call_id": item["call_id"], "content": result})
        elif itype == "reasoning":
            block = thinking_block(item)
            if block is not None:
                thinking.append(block)
            else:
                dropped.append("reasoning")
        else:
            raise ShapeError(f"{w}: input item type '{itype}' is not supported by this gateway "
                             "(supported: message, function_call, function_call_output, reasoning)", w)
    return messages, dropped


def _is_assistant_item(item: Any) -> bool:
    return isinstance(item, dict) and (
        item.get("type") == "function_call" or (item.get("type") in (None, "message") and item.get("role") == "assistant"))


def messages_to_items(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat messages → Responses input items (the inverse of :func:`items_to_messages`)."""
    items: list[dict[str, Any]] = []
    for i, msg in enumerate(messages):
        role = msg.get("role")
        content = msg.get("content")
        if role == "tool":
            output = content if isinstance(content, str) else [part_from_chat(p, "user") for p in content or []]
            items.append({"type": "function_call_output", "call_id": str(msg.get("tool_call_id")), "output": output})
            continue
        if role not in _MESSAGE_ROLES:
            raise ShapeError(f"messages[{i}].role '{role}' has no Responses API equivalent", f"messages[{i}].role")
        if isinstance(content, list):
            parts = [part_from_chat(p, role) for p in content if isinstance(p, dict)]
            if parts:
                items.append({"type": "message", "role": role, "content": parts})
        elif content:
            items.append({"type": "message", "role": role, "content": str(content)})
        for call in msg.get("tool_calls") or ():
            fn = call.get("function") or {}
            items.append({"type": "function_call", "call_id": str(call.get("id")), "name": str(fn.get("name")),
                          "arguments": str(fn.get("arguments") or "{}")})
    return items


# ------------------------------------------------------------------------------ tools


def tools_to_chat(tools: Any, where: str = "tools") -> list[dict[str, Any]]:
    """Responses function tools → chat tools.  Built-in tools (web search, file search,
    code interpreter, computer use, MCP …) run inside OpenAI's cloud: refused here."""
    if not isinstance(tools, list):
        raise ShapeError(f"'{where}' must be an array", where)
    out = []
    for k, t in enumerate(tools):
        ttype = t.get("type") if isinstance(t, dict) else None
        if ttype != "function":
            raise ShapeError(f"{where}[{k}]: tool type '{ttype}' is not supported by this gateway; only function "
                             "tools are (built-in tools run inside a vendor's cloud)", f"{where}[{k}]")
        if not isinstance(t.get("name"), str) or not t["name"]:
            raise ShapeError(f"{where}[{k}].name must be a non-empty string", f"{where}[{k}].name")
        fn: dict[str, Any] = {"name": t["name"], "parameters": t.get("parameters") or {"type": "object", "properties": {}}}
        if t.get("description"):
            fn["description"] = t["description"]
        if t.get("strict") is not None:
            fn["strict"] = bool(t["strict"])
        out.append({"type": "function", "function": fn})
    return out


def tools_from_chat(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for t in tools:
        fn = t.get("function") or {}
        tool: dict[str, Any] = {"type": "function", "name": fn.get("name"),
                                "parameters": fn.get("parameters") or {"type": "object", "properties": {}}}
        if fn.get("description"):
            tool["description"] = fn["description"]
        tool["strict"] = bool(fn.get("strict", False))
        out.append(tool)
    return out


def tool_choice_to_chat(choice: Any, tools: list[dict[str, Any]]) -> tuple[Any, list[dict[str, Any]]]:
    """Responses ``tool_choice`` → (chat ``tool_choice``, the tools left to offer).

    ``allowed_tools`` narrows the tool list here, so every provider (not only the ones that
    know ``allowed_tools``) offers exactly the allowed set.
    """
    if choice in ("auto", "none", "required"):
        return choice, tools
    if isinstance(choice, dict) and choice.get("type") == "function" and isinstance(choice.get("name"), str):
        return {"type": "function", "function": {"name": choice["name"]}}, tools
    if isinstance(choice, dict) and choice.get("type") == "allowed_tools":
        mode = choice.get("mode", "auto")
        if mode not in ("auto", "required"):
            raise ShapeError("tool_choice.mode must be 'auto' or 'required'", "tool_choice.mode")
        names = {t.get("name") for t in choice.get("tools") or () if isinstance(t, dict)}
        return mode, [t for t in tools if t["function"]["name"] in names]
    raise ShapeError("tool_choice must be 'auto', 'none', 'required', {type: function, name} or "
                     "{type: allowed_tools, mode, tools}", "tool_choice")


def tool_choice_from_chat(choice: Any) -> Any:
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        return {"type": "function", "name": choice["function"].get("name")}
    return choice


# ------------------------------------------------------------------------------ structured output


def text_format_to_chat(fmt: Any) -> dict[str, Any]:
    """``text.format`` → ``response_format``."""
    ftype = fmt.get("type") if isinstance(fmt, dict) else None
    if ftype in ("text", "json_object"):
        return {"type": ftype}
    if ftype == "json_schema":
        if not isinstance(fmt.get("schema"), dict):
            raise ShapeError("text.format.schema must be an object (a JSON schema)", "text.format.schema")
        schema = {k: fmt[k] for k in ("name", "schema", "description", "strict") if fmt.get(k) is not None}
        schema.setdefault("name", "response")
        return {"type": "json_schema", "json_schema": schema}
    raise ShapeError("text.format.type must be 'text', 'json_object' or 'json_schema'", "text.format")


def text_format_from_chat(rf: dict[str, Any]) -> dict[str, Any]:
    if rf.get("type") == "json_schema":
        return {"type": "json_schema", **(rf.get("json_schema") or {})}
    return {"type": rf.get("type", "text")}


# ------------------------------------------------------------------------------ usage


def usage_from_chat(usage: Any) -> dict[str, Any] | None:
    if not isinstance(usage, dict):
        return None
    pd = usage.get("prompt_tokens_details") or {}
    cd = usage.get("completion_tokens_details") or {}
    prompt, completion = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": int(pd.get("cached_tokens") or 0),
                                 "cache_write_tokens": int(pd.get("cache_creation_tokens") or 0)},
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": int(cd.get("reasoning_tokens") or 0)},
        "total_tokens": int(usage.get("total_tokens") or prompt + completion),
    }


def usage_to_chat(usage: Any) -> dict[str, Any] | None:
    if not isinstance(usage, dict):
        return None
    idt = usage.get("input_tokens_details") or {}
    odt = usage.get("output_tokens_details") or {}
    prompt, completion = int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0)
    out: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                           "total_tokens": int(usage.get("total_tokens") or prompt + completion),
                           "prompt_tokens_details": {"cached_tokens": int(idt.get("cached_tokens") or 0)}}
    if idt.get("cache_write_tokens"):
        out["prompt_tokens_details"]["cache_creation_tokens"] = int(idt["cache_write_tokens"])
    if odt.get("reasoning_tokens"):
        out["completion_tokens_details"] = {"reasoning_tokens": int(odt["reasoning_tokens"])}
    return out


# ------------------------------------------------------------------------------ status


def status_from_finish(finish: Any) -> tuple[str, dict[str, Any] | None]:
    """Chat ``finish_reason`` → Responses ``(status, incomplete_details)``."""
    if finish == "length":
        return "incomplete", {"reason": "max_output_tokens"}
    if finish == "content_filter":
        return "incomplete", {"reason": "content_filter"}
    return "completed", None


def finish_from_status(status: Any, incomplete: Any, has_calls: bool) -> str:
    if status == "incomplete":
        reason = incomplete.get("reason") if isinstance(incomplete, dict) else None
        return "content_filter" if reason == "content_filter" else "length"
    return "tool_calls" if has_calls else "stop"


# ------------------------------------------------------------------------------ output items


def message_item(item_id: str, text: str, status: str = "completed", *,
                 refusal: str | None = None) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if text or refusal is None:
        content.append(output_text_part(text))
    if refusal is not None:
        content.append({"type": "refusal", "refusal": refusal})
    return {"id": item_id, "type": "message", "status": status, "role": "assistant", "content": content}


def output_text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def function_call_item(item_id: str, call_id: str, name: str, arguments: str, status: str = "completed") -> dict[str, Any]:
    return {"id": item_id, "type": "function_call", "status": status, "call_id": call_id, "name": name,
            "arguments": arguments}


def reasoning_item(item_id: str, text: str, *, encrypted: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": item_id, "type": "reasoning", "summary": [],
                            "content": [{"type": "reasoning_text", "text": text}] if text else []}
    if encrypted is not None:
        item["encrypted_content"] = encrypted
    return item


def sealed_thinking(block: dict[str, Any]) -> str:
    """The ``encrypted_content`` that carries an Anthropic thinking block through a Responses client."""
    if block.get("type") == "redacted_thinking":
        return REDACTED_PREFIX + str(block.get("data", ""))
    return THINKING_PREFIX + str(block.get("signature", ""))


def message_to_output(message: dict[str, Any]) -> list[dict[str, Any]]:
    """A chat ``message`` → Responses output items: reasoning, then the message, then calls."""
    out: list[dict[str, Any]] = []
    blocks = [b for b in message.get("thinking_blocks") or () if isinstance(b, dict)]
    reasoning = message.get("reasoning_content")
    if blocks:
        out.extend(reasoning_item(new_id("rs"), str(b.get("thinking", "")), encrypted=sealed_thinking(b))
                   for b in blocks)
    elif isinstance(reasoning, str) and reasoning:
        out.append(reasoning_item(new_id("rs"), reasoning))
    content = message.get("content")
    text = content if isinstance(content, str) else "".join(
        str(p.get("text", "")) for p in content or () if isinstance(p, dict) and p.get("type") == "text")
    refusal = message.get("refusal") if isinstance(message.get("refusal"), str) else None
    calls = message.get("tool_calls") or []
    if text or refusal is not None or not calls:
        out.append(message_item(new_id("msg"), text, refusal=refusal))
    for call in calls:
        fn = call.get("function") or {}
        out.append(function_call_item(new_id("fc"), str(call.get("id") or new_id("call")), str(fn.get("name")),
                                      str(fn.get("arguments") or "")))
    return out


def output_to_message(output: list[Any]) -> dict[str, Any]:
    """Responses output items → a chat ``message`` (the inverse of :func:`message_to_output`)."""
    texts: list[str] = []
    reasoning: list[str] = []
    calls: list[dict[str, Any]] = []
    refusal: str | None = None
    for item in output:
        if not isinstance(item, dict):
            continue
        itype = item.get("type")
        if itype == "message":
            for part in item.get("content") or ():
                if part.get("type") == "output_text":
                    texts.append(str(part.get("text", "")))
                elif part.get("type") == "refusal":
                    refusal = str(part.get("refusal", ""))
        elif itype == "function_call":
            calls.append({"id": item.get("call_id"), "type": "function",
                          "function": {"name": item.get("name"), "arguments": item.get("arguments") or ""}})
        elif itype == "reasoning":
            parts = item.get("content") or item.get("summary") or ()
            reasoning.extend(str(p.get("text", "")) for p in parts if isinstance(p, dict))
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts or not calls else None}
    if refusal is not None:
        message["refusal"] = refusal
    if reasoning:
        message["reasoning_content"] = "".join(reasoning)
    if calls:
        message["tool_calls"] = calls
    return message
