"""Small checks for request shapes, shared by the OpenAI and the Anthropic validators.

Each check names the exact place of the problem (``messages[2].content[0].text``) and what was
expected, so a client sees a 400 it can act on instead of a 500 from deep inside a translator.
The validators only check what is *documented* for a field and pass unknown fields through.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from perimeter.errors import GatewayError, bad_request

_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number",
          type(None): "null"}


def type_name(v: Any) -> str:
    return _NAMES.get(type(v), type(v).__name__)


class Path:
    """How places are written in messages: ``a.b[0]`` (OpenAI) or ``a.b.0`` (Anthropic)."""

    def __init__(self, dotted_index: bool = False) -> None:
        self.dotted_index = dotted_index

    def key(self, where: str, name: str) -> str:
        return f"{where}.{name}" if where else name

    def index(self, where: str, i: int) -> str:
        return f"{where}.{i}" if self.dotted_index else f"{where}[{i}]"


OPENAI = Path()
ANTHROPIC = Path(dotted_index=True)


def fail(where: str, message: str, code: str | None = None) -> GatewayError:
    return bad_request(f"'{where}' {message}", param=where, code=code)


def obj(v: Any, where: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise fail(where, f"must be an object, got {type_name(v)}")
    return v


def arr(v: Any, where: str, *, non_empty: bool = False) -> list[Any]:
    if not isinstance(v, list):
        raise fail(where, f"must be an array, got {type_name(v)}")
    if non_empty and not v:
        raise fail(where, "must be a non-empty array")
    return v


def string(v: Any, where: str, *, non_empty: bool = False) -> str:
    if not isinstance(v, str):
        raise fail(where, f"must be a string, got {type_name(v)}")
    if non_empty and not v:
        raise fail(where, "must be a non-empty string")
    return v


def boolean(v: Any, where: str) -> bool:
    if not isinstance(v, bool):
        raise fail(where, f"must be a boolean, got {type_name(v)}")
    return v


def integer(v: Any, where: str, lo: int | None = None, hi: int | None = None) -> int:
    if not isinstance(v, int) or isinstance(v, bool):
        raise fail(where, f"must be an integer, got {type_name(v)}")
    _in_range(v, where, lo, hi)
    return v


def number(v: Any, where: str, lo: float | None = None, hi: float | None = None) -> float:
    if not isinstance(v, int | float) or isinstance(v, bool):
        raise fail(where, f"must be a number, got {type_name(v)}")
    _in_range(v, where, lo, hi)
    return float(v)


def one_of(v: Any, where: str, allowed: Collection[str]) -> str:
    if not isinstance(v, str) or v not in allowed:
        raise fail(where, f"must be one of {', '.join(sorted(allowed))}, got {v!r}"[:300])
    return str(v)


def _in_range(v: float, where: str, lo: float | None, hi: float | None) -> None:
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        bounds = f"between {lo:g} and {hi:g}" if lo is not None and hi is not None else (
            f"at least {lo:g}" if lo is not None else f"at most {hi:g}")
        raise fail(where, f"must be {bounds}, got {v:g}")


def optional(body: dict[str, Any], name: str, where: str, check: Callable[[Any, str], Any]) -> None:
    """Run ``check`` on ``body[name]`` when it is present and not null."""
    v = body.get(name)
    if v is not None:
        check(v, where)


def strings(v: Any, where: str, path: Path = OPENAI) -> list[str]:
    for i, s in enumerate(arr(v, where)):
        string(s, path.index(where, i))
    return v  # type: ignore[no-any-return]
