"""Every place user data travels in a request body, as addressable text slots.

Chat: every message's ``content`` (a string, or parts with ``type: text``), ``name``,
``refusal``/``reasoning_content``, the text of ``thinking_blocks``, tool-call and legacy function-call ``arguments`` (parsed as
JSON: each string value is a slot, so the rewritten arguments stay valid JSON), plus ``system``
(an Anthropic-style top level, string or text blocks), ``prediction.content`` and ``user``.
Completions: ``prompt`` and ``suffix``.  Embeddings: ``input``.

What cannot be scanned — token-id arrays, images, audio, files — is reported, not skipped, so
the guard can fail closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

#: Marks the point in a slot path where a JSON document encoded in a string begins.
IN_JSON = "\x00json"

Path = tuple[str | int, ...]


@dataclass(slots=True, frozen=True)
class Slot:
    path: Path
    text: str


class _Collector:
    __slots__ = ("slots", "unscannable")

    def __init__(self) -> None:
        self.slots: list[Slot] = []
        self.unscannable: list[str] = []

    def text(self, path: Path, value: Any) -> None:
        if isinstance(value, str) and value:
            self.slots.append(Slot(path, value))

    def json_string(self, path: Path, value: Any) -> None:
        """A string holding JSON (tool arguments): scan its string values, keep it valid JSON."""
        if not isinstance(value, str) or not value:
            return
        try:
            doc = orjson.loads(value)
        except orjson.JSONDecodeError:
            self.text(path, value)  # not JSON (a model's broken arguments): scan it as text
            return
        self._json_values((*path, IN_JSON), doc)

    def _json_values(self, path: Path, doc: Any) -> None:
        if isinstance(doc, str):
            self.text(path, doc)
        elif isinstance(doc, dict):
            for k, v in doc.items():
                self._json_values((*path, k), v)
        elif isinstance(doc, list):
            for i, v in enumerate(doc):
                self._json_values((*path, i), v)

    def content(self, path: Path, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, str):
            self.text(path, value)
        elif isinstance(value, list):
            for i, part in enumerate(value):
                if isinstance(part, str):
                    self.text((*path, i), part)
                elif isinstance(part, dict) and isinstance(part.get("text"), str):
                    self.text((*path, i, "text"), part["text"])
                elif isinstance(part, dict) and part.get("type") in ("refusal",):
                    self.text((*path, i, "refusal"), part.get("refusal"))
                else:
                    kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                    self.unscannable.append(f"{_fmt(path)}[{i}] ({kind})")
        else:
            self.unscannable.append(f"{_fmt(path)} ({type(value).__name__})")

    def prompt(self, path: Path, value: Any) -> None:
        """``prompt``/``input``: a string, a list of strings, or token ids (unscannable)."""
        if value is None:
            return
        if isinstance(value, str):
            self.text(path, value)
            return
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    self.text((*path, i), item)
                else:
                    self.unscannable.append(f"{_fmt(path)}[{i}] (token ids)")
                    return
            return
        self.unscannable.append(f"{_fmt(path)} ({type(value).__name__})")


def collect(endpoint: str, body: dict[str, Any]) -> tuple[list[Slot], list[str]]:
    """The text slots of ``body`` and a description of each part that cannot be scanned."""
    c = _Collector()
    if endpoint == "embeddings":
        c.prompt(("input",), body.get("input"))
        c.text(("user",), body.get("user"))
        return c.slots, c.unscannable
    if endpoint == "completions":
        c.prompt(("prompt",), body.get("prompt"))
        c.text(("suffix",), body.get("suffix"))
        c.text(("user",), body.get("user"))
        return c.slots, c.unscannable
    system = body.get("system")
    if system is not None:
        c.content(("system",), system)
    messages = body.get("messages")
    if isinstance(messages, list):
        for i, msg in enumerate(messages):
            if not isinstance(msg, dict):
                continue
            base: Path = ("messages", i)
            c.content((*base, "content"), msg.get("content"))
            for field in ("name", "refusal", "reasoning_content"):
                c.text((*base, field), msg.get(field))
            blocks = msg.get("thinking_blocks")  # Anthropic thinking sent back (extensions.py)
            if isinstance(blocks, list):
                for k, block in enumerate(blocks):
                    if isinstance(block, dict):
                        c.text((*base, "thinking_blocks", k, "thinking"), block.get("thinking"))
            calls = msg.get("tool_calls")
            if isinstance(calls, list):
                for j, call in enumerate(calls):
                    fn = call.get("function") if isinstance(call, dict) else None
                    if isinstance(fn, dict):
                        c.json_string((*base, "tool_calls", j, "function", "arguments"), fn.get("arguments"))
            fc = msg.get("function_call")
            if isinstance(fc, dict):
                c.json_string((*base, "function_call", "arguments"), fc.get("arguments"))
    prediction = body.get("prediction")
    if isinstance(prediction, dict):
        c.content(("prediction", "content"), prediction.get("content"))
    c.text(("user",), body.get("user"))
    return c.slots, c.unscannable


def apply(body: dict[str, Any], replacements: dict[Path, str]) -> dict[str, Any]:
    """A deep copy of ``body`` with the slot at each path replaced; ``body`` is left untouched."""
    out: dict[str, Any] = orjson.loads(orjson.dumps(body))
    in_json: dict[Path, dict[Path, str]] = {}
    for path, value in replacements.items():
        if IN_JSON in path:
            cut = path.index(IN_JSON)
            in_json.setdefault(path[:cut], {})[path[cut + 1:]] = value
        else:
            _set(out, path, value)
    for outer, inner in in_json.items():
        doc = orjson.loads(_get(out, outer))
        for path, value in inner.items():
            if path:
                _set(doc, path, value)
            else:
                doc = value
        _set(out, outer, orjson.dumps(doc).decode())
    return out


def _get(doc: Any, path: Path) -> Any:
    for p in path:
        doc = doc[p]
    return doc


def _set(doc: Any, path: Path, value: Any) -> None:
    for p in path[:-1]:
        doc = doc[p]
    doc[path[-1]] = value


def _fmt(path: Path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + str(p)
    return out
