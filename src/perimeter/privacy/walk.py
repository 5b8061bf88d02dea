"""Every place user data travels in a request body, as addressable text slots.

The rule is *fail closed*: a body is walked in full, and every string, every object key and
every JSON number of six or more digits is user data — except the structural fields listed in
:data:`STRUCTURE` (model, role, ids, type tags, tool names, numeric sampling parameters…),
whose values carry no user data.  A field the gateway has never heard of is therefore scanned,
not forwarded.  Even a structural string is scanned when it does not look like an identifier
(a "role" holding a sentence is not structural).

What cannot be scanned — token-id arrays, images, audio, files — is reported, not skipped, so
the guard can fail closed.

Slots are grouped into *units*, the texts the scanner actually reads:

- a message's ``content`` string is one unit (cached across turns by the guard);
- the text parts of one content list are **joined** (``""``, as the model reads them), so a
  value split over several parts is still found; :mod:`perimeter.privacy.units` maps findings
  back onto the parts;
- every other string of one message, and of each other top-level field (``tools``,
  ``metadata``, ``response_format``, ``stop`` …), is batched into one unit per field, one
  value per line, keys right before their values (``"inn"`` gives the number after it its
  context word).  Tool definitions repeat unchanged every turn, so their unit hits the cache.

Tool-call ``arguments`` (and any ``arguments`` string) are parsed as JSON: keys, strings and
long numbers inside are slots, and the rewritten arguments stay valid JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from perimeter.privacy.entities import FIELD_SEPARATOR

#: Marks the point in a slot path where a JSON document encoded in a string begins.
IN_JSON = "\x00json"
#: Marks a slot that is an object *key*: ``(*path_of_object, KEY, key)``.
KEY = "\x00key"

Path = tuple[str | int, ...]

#: JSON numbers with at least this many digits are scanned (as their decimal text).
NUMBER_DIGITS = 6

# ----------------------------------------------------------------------------- the allow-list
# A tree of the structural positions.  ``LEAF`` marks a field whose value (a string that looks
# like an identifier, a number, a boolean, null, or a list of those) carries no user data;
# ``"*"`` matches any array index.  Dicts describe objects whose other keys are user data.
LEAF = "leaf"
_CONTENT = "content"  # a message content: a string or a list of typed parts
_JSON_TEXT = "json-text"  # a string holding a JSON document (tool-call arguments)
_PROMPT = "prompt"  # completions ``prompt`` / embeddings ``input``: strings or token ids

_SAMPLING = {
    name: LEAF for name in (
        "model", "stream", "n", "temperature", "top_p", "top_k", "max_tokens", "max_completion_tokens",
        "presence_penalty", "frequency_penalty", "repetition_penalty", "seed", "logprobs", "top_logprobs",
        "parallel_tool_calls", "store", "reasoning_effort", "service_tier", "verbosity", "echo", "best_of",
        "dimensions", "encoding_format", "modalities", "min_p", "logit_bias",
    )
}
_TOOL_CALL: dict[str, Any] = {
    "id": LEAF, "type": LEAF, "index": LEAF,
    "function": {"name": LEAF, "arguments": _JSON_TEXT},
}
_VENDOR_TOKEN = "vendor-token"  # an opaque token a vendor issued (a thinking signature): not text
_CACHE_CONTROL: dict[str, Any] = {"type": LEAF, "ttl": LEAF}
_MESSAGE: dict[str, Any] = {
    "role": LEAF, "tool_call_id": LEAF, "content": _CONTENT,
    "tool_calls": {"*": _TOOL_CALL},
    "function_call": {"name": LEAF, "arguments": _JSON_TEXT},
    "cache_control": _CACHE_CONTROL,
    # Anthropic thinking sent back (providers/extensions.py): the text is user data; the
    # signature and a redacted block's data are Anthropic's own opaque tokens, which must reach
    # it byte for byte (a surrogate inside one would void it).
    "thinking_blocks": {"*": {"type": LEAF, "signature": _VENDOR_TOKEN, "data": _VENDOR_TOKEN}},
}
_TOOL: dict[str, Any] = {"type": LEAF, "function": {"name": LEAF, "strict": LEAF}, "cache_control": _CACHE_CONTROL}
STRUCTURE: dict[str, Any] = {
    **_SAMPLING,
    "stream_options": {"include_usage": LEAF},
    "messages": {"*": _MESSAGE},
    "system": _CONTENT,
    "tools": {"*": _TOOL},
    "functions": {"*": {"name": LEAF}},
    "tool_choice": {"type": LEAF, "function": {"name": LEAF}, "name": LEAF},
    "function_call": {"name": LEAF},
    "response_format": {"type": LEAF, "json_schema": {"name": LEAF, "strict": LEAF}},
    "thinking": {"type": LEAF, "budget_tokens": LEAF},
    "cache_control": _CACHE_CONTROL,
    "prompt": _PROMPT,
    "input": _PROMPT,
}
# Content part types whose payload is binary or a reference the scanner cannot read.
_OPAQUE_PARTS = {"image_url": "image_url", "input_audio": "input_audio", "file": "file", "audio": "audio",
                 "image": "source", "document": "source"}
# Besides ``text``, the key that holds a part's text for these part types.
_TEXT_KEYS = {"refusal": "refusal", "thinking": "thinking"}
_PART: dict[str, Any] = {"type": LEAF, "cache_control": _CACHE_CONTROL, "image_url": {"detail": LEAF}}
# A structural string is trusted only if it looks like one: an identifier or an enum value.
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.:/\-]{0,128}")
_LONG_DIGITS = re.compile(r"\d{6}")
# What a vendor's opaque token looks like: long base64/base64url, letters and digits mixed.
_TOKEN = re.compile(r"(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9+/=_\-]{16,}")
#: Joins the values of a batched unit: a line with a character no detector reads across.
SEPARATOR = FIELD_SEPARATOR


@dataclass(slots=True, frozen=True)
class Slot:
    """One place in the body: ``path`` and the text scanned there.

    ``kind`` is ``"text"`` (a string value), ``"key"`` (an object key) or ``"number"`` (a JSON
    number, scanned as its digits).  ``raw`` is the text as it is in the body; the guard may
    hand the pseudonymizer a different ``text`` for a content part whose boundary moved to keep
    a value whole (see :mod:`perimeter.privacy.units`).
    """

    path: Path
    text: str
    kind: str = "text"
    raw: str = ""

    @property
    def original(self) -> str:
        return self.raw or self.text


@dataclass(slots=True)
class Unit:
    """Slots scanned as one text: ``joiner`` is ``""`` for content parts, else :data:`SEPARATOR`."""

    slots: list[int] = field(default_factory=list)
    joiner: str = SEPARATOR


@dataclass(slots=True)
class Collected:
    slots: list[Slot]
    units: list[Unit]
    unscannable: list[str]

    def texts(self) -> list[str]:
        """The text of each unit, as the scanner reads it."""
        return [u.joiner.join(self.slots[i].text for i in u.slots) for u in self.units]


class _Collector:
    __slots__ = ("batches", "slots", "units", "unscannable")

    def __init__(self) -> None:
        self.slots: list[Slot] = []
        self.units: list[Unit] = []
        self.unscannable: list[str] = []
        self.batches: dict[Path, Unit] = {}

    # ------------------------------------------------------------------ slots and units
    def _add(self, unit: Unit, slot: Slot) -> None:
        unit.slots.append(len(self.slots))
        self.slots.append(slot)

    def own(self, path: Path, text: str) -> None:
        """A text scanned on its own (message content: cached across turns)."""
        if text:
            unit = Unit()
            self.units.append(unit)
            self._add(unit, Slot(path, text))

    def batch(self, path: Path, slot: Slot) -> None:
        key = path[:2] if path[:1] == ("messages",) else path[:1]
        unit = self.batches.get(key)
        if unit is None:
            unit = self.batches[key] = Unit()
            self.units.append(unit)
        self._add(unit, slot)

    # ------------------------------------------------------------------ walking
    def node(self, path: Path, value: Any, shape: Any) -> None:
        """Walk ``value`` found at ``path`` whose structural description is ``shape`` (or None)."""
        if shape == LEAF:
            if not _structural(value):
                self.data(path, value)  # not what a structural field holds: treat it as user data
        elif shape == _CONTENT:
            self.content(path, value)
        elif shape == _JSON_TEXT:
            self.json_text(path, value)
        elif shape == _PROMPT:
            self.prompt(path, value)
        elif shape == _VENDOR_TOKEN:
            if not (isinstance(value, str) and _TOKEN.fullmatch(value)):
                self.data(path, value)  # not shaped like a vendor token: treat it as user data
        elif isinstance(shape, dict):
            if isinstance(value, dict):
                self.obj(path, value, shape)
            elif isinstance(value, list) and "*" in shape:
                for i, item in enumerate(value):
                    self.node((*path, i), item, shape["*"])
            else:
                self.data(path, value)
        else:
            self.data(path, value)

    def obj(self, path: Path, value: dict[str, Any], shape: dict[str, Any]) -> None:
        for k, v in value.items():
            sub = shape.get(k)
            if sub is None:
                self.key(path, k)
                self.data((*path, k), v)
            else:
                self.node((*path, k), v, sub)

    def key(self, path: Path, k: str) -> None:
        if k:
            self.batch((*path, k), Slot((*path, KEY, k), k, "key"))

    def data(self, path: Path, value: Any) -> None:
        """User data: every string, key and long number below ``path`` is a slot."""
        if isinstance(value, str):
            if value:
                self.batch(path, Slot(path, value))
        elif isinstance(value, dict):
            for k, v in value.items():
                self.key(path, k)
                self.data((*path, k), v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.data((*path, i), v)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            digits = _number_text(value)
            if digits is not None:
                self.batch(path, Slot(path, digits, "number"))

    def json_text(self, path: Path, value: Any) -> None:
        """A string holding JSON (tool arguments): scan its keys and values, keep it valid JSON."""
        if not isinstance(value, str):
            self.data(path, value)  # arguments sent as an object, not a string: still user data
            return
        if not value:
            return
        try:
            doc = orjson.loads(value)
        except orjson.JSONDecodeError:
            self.batch(path, Slot(path, value))  # not JSON (a model's broken arguments): scan it as text
            return
        inner = (*path, IN_JSON)
        if isinstance(doc, str):
            if doc:
                self.batch(path, Slot(inner, doc))
        else:
            self.data(inner, doc)

    def content(self, path: Path, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, str):
            self.own(path, value)
            return
        if not isinstance(value, list):
            self.data(path, value)
            return
        joined = Unit(joiner="")
        for i, part in enumerate(value):
            where = (*path, i)
            if isinstance(part, str):
                if part:
                    self._add(joined, Slot(where, part))
                continue
            if not isinstance(part, dict):
                self.data(where, part)
                continue
            ptype = part.get("type")
            opaque = _OPAQUE_PARTS.get(ptype) if isinstance(ptype, str) else None
            for k, v in part.items():
                if (k == "text" or (isinstance(ptype, str) and k == _TEXT_KEYS.get(ptype))) and isinstance(v, str):
                    if v:
                        self._add(joined, Slot((*where, k), v))
                    continue
                if k == opaque:
                    self.unscannable.append(f"{_fmt(path)}[{i}] ({ptype})")
                    continue
                sub = _PART.get(k)
                if sub is None:
                    self.key(where, k)
                    self.data((*where, k), v)
                else:
                    self.node((*where, k), v, sub)
        if joined.slots:
            self.units.append(joined)

    def prompt(self, path: Path, value: Any) -> None:
        """``prompt``/``input``: a string, a list of strings, or token ids (unscannable)."""
        if value is None:
            return
        if isinstance(value, str):
            self.own(path, value)
            return
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    self.own((*path, i), item)
                elif isinstance(item, int | list) and not isinstance(item, bool):
                    self.unscannable.append(f"{_fmt(path)}[{i}] (token ids)")
                    return
                else:
                    self.data((*path, i), item)
            return
        self.data(path, value)


def _structural(value: Any) -> bool:
    """Does ``value`` look like what a structural field holds (an identifier, a flag, a number)?"""
    if isinstance(value, str):
        return bool(_IDENTIFIER.fullmatch(value)) and not _LONG_DIGITS.search(value)
    if isinstance(value, list):
        return all(isinstance(v, bool | int | float) or (isinstance(v, str) and _structural(v)) for v in value)
    return isinstance(value, bool | int | float) or value is None


def _number_text(value: int | float) -> str | None:
    """The digits a long JSON number is scanned as (``None`` for short ones)."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        if value.is_integer():
            value = int(value)
        else:
            text = repr(abs(value))
            return text if "e" not in text and len(text.split(".")[0]) >= NUMBER_DIGITS else None
    text = str(abs(value))
    return text if len(text) >= NUMBER_DIGITS else None


def collect(endpoint: str, body: dict[str, Any]) -> Collected:
    """The slots of ``body`` grouped into scan units, and each part that cannot be scanned.

    ``endpoint`` is accepted for symmetry with the pipeline; the walk is the same for every
    endpoint, because a field is user data unless :data:`STRUCTURE` says otherwise.
    """
    c = _Collector()
    c.obj((), body, STRUCTURE)
    return Collected(c.slots, c.units, c.unscannable)


# ----------------------------------------------------------------------------- rewriting
def apply(body: dict[str, Any], replacements: dict[Path, str], kinds: dict[Path, str] | None = None) -> dict[str, Any]:
    """A deep copy of ``body`` with the slot at each path replaced; ``body`` is left untouched.

    ``kinds`` tells which paths are keys (renamed in place, order kept) and numbers (written
    back as a number when the new text is digits, else as a string).
    """
    kinds = kinds or {}
    out: dict[str, Any] = orjson.loads(orjson.dumps(body))
    in_json: dict[Path, dict[Path, str]] = {}
    plain: dict[Path, str] = {}
    for path, value in replacements.items():
        if IN_JSON in path:
            cut = path.index(IN_JSON)
            in_json.setdefault(path[:cut], {})[path[cut + 1:]] = value
        else:
            plain[path] = value
    _apply_doc(out, plain, kinds)
    for outer, inner in in_json.items():
        doc = orjson.loads(_get(out, outer))
        if () in inner:
            doc = inner[()]
        else:
            sub_kinds = {p[len(outer) + 1:]: k for p, k in kinds.items() if p[:len(outer) + 1] == (*outer, IN_JSON)}
            doc = _apply_doc(doc, inner, sub_kinds)
        _set(out, outer, orjson.dumps(doc).decode())
    return out


def _apply_doc(doc: Any, replacements: dict[Path, str], kinds: dict[Path, str]) -> Any:
    keys = []
    for path, value in replacements.items():
        if KEY in path:
            keys.append(path)
        elif kinds.get(path) == "number":
            _set(doc, path, _as_number(value))
        else:
            _set(doc, path, value)
    # Keys last and deepest first: a value's path names its keys as they were.
    for path in sorted(keys, key=len, reverse=True):
        obj = _get(doc, path[:-2])
        old, new = path[-1], replacements[path]
        if isinstance(obj, dict) and old in obj and new != old:
            items = [(new if k == old else k, v) for k, v in obj.items()]
            obj.clear()
            obj.update(items)
    return doc


def _as_number(text: str) -> int | str:
    if text.isascii() and text.isdigit() and (text == "0" or not text.startswith("0")):
        return int(text)
    return text


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
