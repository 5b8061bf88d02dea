"""Tool calls and JSON output for the in-process model, through llama.cpp grammars.

llama-cpp-python turns a JSON schema into a GBNF grammar (``llama_grammar.SchemaConverter``)
and llama.cpp's grammar sampler lets only tokens that keep the output inside it through — so
JSON mode, a JSON schema and a tool call's arguments are valid by construction, on any model.

Tool calls use the Hermes format that Qwen 2.5/3, Hermes and many fine-tunes are trained on::

    <tool_call>
    {"name": "get_weather", "arguments": {"city": "Paris"}}
    </tool_call>

* ``tool_choice: required`` or a named function: the whole answer is constrained to one call
  (several, with ``parallel_tool_calls``) of the offered tools.
* ``tool_choice: auto``: the model writes freely; if it writes ``<tool_call>`` the rest is
  constrained to calls (a lazy grammar, started by that trigger).  Text before it is content.

A GGUF whose chat template knows ``tools`` renders them itself; for one that does not (the
tiny test model's ChatML), :func:`render_tools` writes the tool list into the system prompt and
earlier calls and results into the turns, the way Qwen's template does.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import llama_cpp
import orjson
from llama_cpp.llama_grammar import SchemaConverter

from perimeter.providers.llamacpp.params import invalid

NL = "\n"
MARKER = "<tool_call>"
END = "</tool_call>"
#: Calls one answer may hold with ``parallel_tool_calls`` (bounded, so a model cannot loop).
MAX_PARALLEL = 8

_TOOLS_PROMPT = (
    "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n{tools}\n</tools>\n\n"
    "For each function call, return a json object with function name and arguments within "
    "<tool_call></tool_call> XML tags:\n<tool_call>\n{{\"name\": <function-name>, \"arguments\": "
    "<args-json-object>}}\n</tool_call>"
)


@dataclass(slots=True)
class OutputPlan:
    """How one request's answer is shaped (built by :func:`plan_output`).

    ``grammar`` constrains sampling from the first token when ``eager``; otherwise (tools with
    ``tool_choice: auto`` and free text) it starts once the model writes ``<tool_call>``.
    """

    grammar: str
    eager: bool
    tools: bool  # the answer may hold tool calls
    forced: bool = False  # ... and holds nothing else


def plan_output(tools: list[dict[str, Any]], forced: bool, parallel: bool,
                response_format: dict[str, Any] | None) -> OutputPlan | None:
    """The grammar plan for a request's tools and ``response_format`` (``None``: free text)."""
    json_format = response_format if response_format and response_format.get("type") != "text" else None
    if not tools and json_format is None:
        return None
    conv = _converter()  # one converter: rules shared by the JSON answer and the calls are defined once
    if not tools:
        assert json_format is not None
        _json_rules(conv, json_format, "root")
        return OutputPlan(conv.format_grammar(), eager=True, tools=False)
    calls = _calls_rules(conv, tools, parallel)
    if forced or json_format is None:
        return OutputPlan(f"{conv.format_grammar()}\n{calls}root ::= calls\n", eager=forced, tools=True,
                          forced=forced)
    # JSON or calls: the first character tells them apart ("{" or "<"), so one grammar holds both.
    _json_rules(conv, json_format, "answer")
    return OutputPlan(f"{conv.format_grammar()}\n{calls}root ::= answer | calls\n", eager=True, tools=True)


def _literal(text: str) -> str:
    return orjson.dumps(text).decode()  # a JSON string literal is a valid GBNF literal


def _converter() -> SchemaConverter:
    return SchemaConverter(prop_order={}, allow_fetch=False, dotall=False, raw_pattern=False)


def _schema_rules(conv: SchemaConverter, schema: Any, name: str, param: str) -> str:
    try:
        resolved = conv.resolve_refs(schema if isinstance(schema, dict) else {}, name)
        return str(conv.visit(resolved, name))
    except Exception as exc:  # the converter raises plain errors on schemas it cannot express
        raise invalid(f"{param}: this JSON schema cannot be turned into a grammar ({exc})", param) from None


def _json_rules(conv: SchemaConverter, response_format: dict[str, Any], name: str) -> None:
    """Rule ``name``: ``response_format`` ``json_object`` (any object) or ``json_schema``."""
    if response_format.get("type") == "json_object":
        schema: Any = {"type": "object"}
    else:
        schema = (response_format.get("json_schema") or {}).get("schema")
        if not isinstance(schema, dict):
            raise invalid("response_format.json_schema.schema must be an object (a JSON schema)", "response_format")
    rule = _schema_rules(conv, schema, name, "response_format.json_schema.schema")
    if rule != name:  # the converter reused an identical rule under another name
        conv._add_rule(name, rule)


def _calls_rules(conv: SchemaConverter, tools: list[dict[str, Any]], parallel: bool) -> str:
    """Rules ``call`` and ``calls``: one or more Hermes-style calls of ``tools``, from ``<tool_call>`` on."""
    bodies = []
    for k, tool in enumerate(tools):
        fn = tool["function"]
        args = _schema_rules(conv, fn.get("parameters") or {"type": "object"}, f"args-{k}",
                             f"tools[{k}].function.parameters")
        head = _literal('{"name": ' + orjson.dumps(fn["name"]).decode() + ', "arguments": ')
        bodies.append(f"{head} {args} {_literal('}')}")
    call = f"{_literal(MARKER + NL)} ({' | '.join(bodies)}) {_literal(NL + END)}"
    repeat = f" ({_literal(NL)} call){{0,{MAX_PARALLEL - 1}}}" if parallel else ""
    return f"call ::= {call}\ncalls ::= call{repeat}\n"


def check_grammar(llama: llama_cpp.Llama, gbnf: str) -> None:
    """Parse a grammar once before sampling with it: llama.cpp would crash on a bad one."""
    sampler = llama_cpp.llama_sampler_init_grammar(llama._model.vocab, gbnf.encode(), b"root")
    if not sampler:
        raise invalid("the requested output format could not be compiled into a grammar", "response_format")
    llama_cpp.llama_sampler_free(sampler)


# ------------------------------------------------------------------------------------------ prompts


def _json(value: Any) -> str:
    """JSON as chat templates write it (``tojson``: spaces after separators, text unescaped)."""
    return json.dumps(value, ensure_ascii=False)


def _arguments(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return raw
    return raw


def template_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages for a template that renders tools itself: arguments as objects (as HF passes them)."""
    out = []
    for m in messages:
        if m.get("tool_calls"):
            m = {**m, "tool_calls": [{**c, "function": {**c["function"], "arguments": _arguments(
                c["function"].get("arguments"))}} for c in m["tool_calls"]]}
        out.append(m)
    return out


def render_tools(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Tools, earlier calls and their results written into plain turns, for templates without tools."""
    out: list[dict[str, Any]] = []
    for m in messages:
        role, content = m["role"], m.get("content") or ""
        if role == "tool":
            text = f"<tool_response>\n{content}\n</tool_response>"
            if out and out[-1]["role"] == "user" and out[-1].get("_tool_responses"):
                out[-1]["content"] += "\n" + text
            else:
                out.append({"role": "user", "content": text, "_tool_responses": True})
            continue
        if m.get("tool_calls"):
            calls = [f"{MARKER}\n" + _json({"name": c["function"]["name"], "arguments": _arguments(
                c["function"].get("arguments"))}) + f"\n{END}" for c in m["tool_calls"]]
            content = "\n".join([content, *calls] if content else calls)
        out.append({"role": role, "content": content})
    for m in out:
        m.pop("_tool_responses", None)
    if tools:
        listing = "\n".join(_json(t) for t in tools)
        prompt = _TOOLS_PROMPT.format(tools=listing)
        if out and out[0]["role"] == "system":
            out[0] = {**out[0], "content": f"{out[0]['content']}\n\n{prompt}"}
        else:
            out.insert(0, {"role": "system", "content": prompt})
    return out


# ------------------------------------------------------------------------------------------ parsing


@dataclass(slots=True)
class ToolCall:
    id: str
    name: str = ""
    arguments: str = ""

    def as_openai(self) -> dict[str, Any]:
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": self.arguments}}


@dataclass(slots=True)
class CallParser:
    """Hermes calls (from ``<tool_call>`` on), parsed as they are generated.

    :meth:`feed` returns events: ``("call", k, ToolCall)`` once a call's name is known and
    ``("args", k, fragment)`` as its arguments arrive — what a stream sends as tool-call deltas.
    The grammar guarantees the layout, so the parser only has to find its parts.
    """

    calls: list[ToolCall] = field(default_factory=list)
    _buf: str = ""
    _state: str = "head"  # head → name → mid → args → tail → head …
    _depth: int = 0
    _in_string: bool = False
    _escaped: bool = False

    def feed(self, text: str) -> list[tuple[Any, ...]]:
        self._buf += text
        events: list[tuple[Any, ...]] = []
        while self._buf:
            before = (self._state, len(self._buf))
            getattr(self, f"_{self._state}")(events)
            if (self._state, len(self._buf)) == before:
                break  # need more text
        return events

    def _head(self, events: list[tuple[Any, ...]]) -> None:
        start = '{"name": "'
        at = self._buf.find(start)
        if at >= 0:
            self._buf = self._buf[at + len(start):]
            self._state = "name"

    def _name(self, events: list[tuple[Any, ...]]) -> None:
        end = self._buf.find('"')
        if end >= 0:
            call = ToolCall(f"call_{uuid.uuid4().hex[:24]}", orjson.loads('"' + self._buf[:end] + '"'))
            self.calls.append(call)
            events.append(("call", len(self.calls) - 1, call))
            self._buf = self._buf[end + 1:]
            self._state = "mid"

    def _mid(self, events: list[tuple[Any, ...]]) -> None:
        at = self._buf.find("{")
        if at >= 0:
            self._buf = self._buf[at:]
            self._state, self._depth, self._in_string, self._escaped = "args", 0, False, False

    def _args(self, events: list[tuple[Any, ...]]) -> None:
        end = None
        for i, ch in enumerate(self._buf):
            if self._in_string:
                if self._escaped:
                    self._escaped = False
                elif ch == "\\":
                    self._escaped = True
                elif ch == '"':
                    self._in_string = False
            elif ch == '"':
                self._in_string = True
            elif ch in "{[":
                self._depth += 1
            elif ch in "}]":
                self._depth -= 1
                if self._depth == 0:
                    end = i + 1
                    break
        piece = self._buf if end is None else self._buf[:end]
        self.calls[-1].arguments += piece
        if piece:
            events.append(("args", len(self.calls) - 1, piece))
        self._buf = "" if end is None else self._buf[end:]
        if end is not None:
            self._state = "tail"

    def _tail(self, events: list[tuple[Any, ...]]) -> None:
        at = self._buf.find(END)
        if at >= 0:
            self._buf = self._buf[at + len(END):]
            self._state = "head"


class ContentSplitter:
    """Free text until ``<tool_call>`` or a stop string: releases only what cannot be the start
    of either (a trigger split across tokens is still recognised)."""

    def __init__(self, stops: list[str]) -> None:
        self.stops = stops
        self.text = ""
        self.sent = 0
        self._longest = max([len(MARKER), *(len(s) for s in stops)])

    def feed(self, piece: str) -> tuple[str, str | None, str]:
        """``(content to release now, what was hit: MARKER, a stop string or None, text after it)``."""
        self.text += piece
        hits = [(at, s) for s in (MARKER, *self.stops) if (at := self.text.find(s, max(0, self.sent - len(s)))) >= 0]
        if hits:
            at, hit = min(hits)
            release, self.sent = self.text[self.sent:at], at
            return release, hit, self.text[at:] if hit == MARKER else ""
        hold = 0
        for k in range(min(self._longest - 1, len(self.text) - self.sent), 0, -1):
            tail = self.text[-k:]
            if any(s.startswith(tail) for s in (MARKER, *self.stops)):
                hold = k
                break
        release, self.sent = self.text[self.sent:len(self.text) - hold], len(self.text) - hold
        return release, None, ""

    def flush(self) -> str:
        rest, self.sent = self.text[self.sent:], len(self.text)
        return rest
