"""Server-Sent Events: parse an upstream byte stream, frame our own events.

OpenAI-style streams send one JSON document per ``data:`` line and end with
``data: [DONE]``.  The parser follows the SSE spec closely enough for every vendor we talk to:
``event:`` names, multi-line ``data:``, comments (``:``) and CRLF line endings.

:class:`SSEParser` takes the bytes of each network read and returns every event they complete,
so a burst of events (one read) is parsed in one call and travels on as one batch; a generator
step per line and per event was most of what a streamed answer cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

import orjson


@dataclass(slots=True)
class SSEEvent:
    event: str
    data: str


class StreamLineTooLong(Exception):
    """A line grew past the limit without ending (a runaway upstream): the stream fails."""

    def __init__(self, head: bytes, limit: int) -> None:
        super().__init__(f"an event-stream line is longer than {limit} bytes: {head[:100]!r}...")
        self.head = head[:100]
        self.limit = limit


T = TypeVar("T")


class Framer(Protocol[T]):
    """Cuts a streamed body into items (lines, events) read by read."""

    #: Whether anything but blank lines and ``:`` comments has arrived (the first-byte deadline).
    content_seen: bool

    def feed(self, chunk: bytes) -> list[T]: ...

    def end(self) -> list[T]: ...


class LineSplitter:
    """Raw lines (each with its ``\n``; a last one without it as it came) for line-based streams."""

    __slots__ = ("_rest", "content_seen", "max_line")

    def __init__(self, max_line: int) -> None:
        self.max_line = max_line
        self.content_seen = False
        self._rest = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        buf = self._rest + chunk if self._rest else chunk
        lines = buf.split(b"\n")
        self._rest = rest = lines.pop()
        if len(rest) > self.max_line:
            raise StreamLineTooLong(rest, self.max_line)
        out = [line + b"\n" for line in lines]
        if not self.content_seen:
            self.content_seen = any(_carries(line) for line in out)
        return out

    def end(self) -> list[bytes]:
        rest, self._rest = self._rest, b""
        if not rest:
            return []
        if not self.content_seen:
            self.content_seen = _carries(rest)
        return [rest]


def _carries(line: bytes) -> bool:
    return bool(line.strip()) and not line.startswith(b":")


class SSEParser:
    """Incremental SSE parser: :meth:`feed` each read, :meth:`end` once the body ended.

    ``content_seen`` turns true with the first line that carries anything (not blank, not a
    ``:`` comment): the first-byte deadline of a stream waits for that, not for keep-alives.
    """

    __slots__ = ("_data", "_event", "_rest", "content_seen", "max_line")

    def __init__(self, max_line: int) -> None:
        self.max_line = max_line
        self.content_seen = False
        self._rest = b""
        self._event = ""
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """The events completed by ``chunk`` (possibly none: a line or event still open)."""
        buf = self._rest + chunk if self._rest else chunk
        cut = buf.rfind(b"\n")
        if cut < 0:
            self._rest = buf
            if len(buf) > self.max_line:
                raise StreamLineTooLong(buf, self.max_line)
            return []
        self._rest = buf[cut + 1:]
        if len(self._rest) > self.max_line:
            raise StreamLineTooLong(self._rest, self.max_line)
        out: list[SSEEvent] = []
        # A newline byte never occurs inside a UTF-8 sequence: the complete lines decode as one.
        for line in buf[:cut].decode("utf-8", errors="replace").split("\n"):
            self._line(line.rstrip("\r"), out)
        return out

    def end(self) -> list[SSEEvent]:
        """The body ended: a last line without its newline, and an event without its blank line."""
        out: list[SSEEvent] = []
        if self._rest:
            rest, self._rest = self._rest, b""
            self._line(rest.decode("utf-8", errors="replace").rstrip("\r\n"), out)
        if self._data:
            out.append(SSEEvent(self._event or "message", "\n".join(self._data)))
            self._event, self._data = "", []
        return out

    def _line(self, line: str, out: list[SSEEvent]) -> None:
        if not line:
            if self._data:
                out.append(SSEEvent(self._event or "message", "\n".join(self._data)))
                self._data = []
            self._event = ""
            return
        if line[0] == ":":
            return
        if not self.content_seen and line.strip():
            self.content_seen = True
        field, _, value = line.partition(":")
        if value[:1] == " ":
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._event = value


def sse_data(obj: object) -> bytes:
    """One OpenAI-framed SSE event: ``data: {json}\\n\\n``."""
    return b"data: " + orjson.dumps(obj) + b"\n\n"


SSE_DONE = b"data: [DONE]\n\n"
