"""The SSE parser and line splitter the provider client feeds with each network read.

Whatever way the bytes are cut into reads, the events (and lines) that come out must be the
ones the whole body holds, in order; a burst of events in one read must come out of one call
(that is what lets the gateway relay it as one batch).
"""

from __future__ import annotations

import itertools
import random

import pytest

from perimeter.providers.sse import LineSplitter, SSEEvent, SSEParser, StreamLineTooLong

BODY = (b": keep-alive\n\n"
        b"data: {\"a\": 1}\n\n"
        b"event: ping\ndata: one\ndata: two\n\n"
        b"data:no-space\r\n\r\n"
        b"id: 7\nretry: 10\ndata: \xd0\x9b\xd1\x83\xd0\xba\xd0\xb8\xd0\xbd\n\n"
        b"data: [DONE]")
EXPECTED = [SSEEvent("message", '{"a": 1}'), SSEEvent("ping", "one\ntwo"), SSEEvent("message", "no-space"),
            SSEEvent("message", "Лукин"), SSEEvent("message", "[DONE]")]


def parse(pieces: list[bytes]) -> list[SSEEvent]:
    p = SSEParser(max_line=1 << 20)
    out: list[SSEEvent] = []
    for piece in pieces:
        out += p.feed(piece)
    return out + p.end()


def cut(data: bytes, points: list[int]) -> list[bytes]:
    bounds = [0, *sorted(points), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


def test_whole_body_in_one_read() -> None:
    assert parse([BODY]) == EXPECTED


def test_any_cut_gives_the_same_events() -> None:
    rng = random.Random(7)
    for _ in range(300):
        points = rng.sample(range(1, len(BODY)), rng.randint(1, 12))
        assert parse(cut(BODY, points)) == EXPECTED, points
    for i in range(1, len(BODY)):  # every single cut, a multi-byte character split included
        assert parse([BODY[:i], BODY[i:]]) == EXPECTED, i


def test_a_burst_comes_out_of_one_feed() -> None:
    p = SSEParser(max_line=1 << 20)
    assert p.feed(b"data: 1\n\ndata: 2\n\ndata: 3\n\n") == [SSEEvent("message", s) for s in "123"]
    assert p.feed(b"data: 4\n") == []  # the event is not complete before its blank line
    assert p.feed(b"\n") == [SSEEvent("message", "4")]


def test_content_seen_waits_for_a_line_that_carries_something() -> None:
    p = SSEParser(max_line=1 << 20)
    p.feed(b": ping\n\n\n: ping\n")
    assert not p.content_seen
    p.feed(b"data: {}")  # an unfinished line is not content yet
    assert not p.content_seen
    p.feed(b"\n")
    assert p.content_seen


def test_a_runaway_line_raises_instead_of_growing() -> None:
    p = SSEParser(max_line=1000)
    p.feed(b"data: ok\n\n" + b"x" * 600)
    with pytest.raises(StreamLineTooLong):
        p.feed(b"y" * 600)
    with pytest.raises(StreamLineTooLong):
        SSEParser(max_line=10).feed(b"data: 1\n\ndata: 0123456789")


def test_line_splitter_keeps_lines_as_they_came() -> None:
    body = b": c\n\n{\"a\":1}\r\n{\"b\":2}\nlast"
    rng = random.Random(3)
    for _ in range(200):
        s = LineSplitter(max_line=1 << 20)
        out: list[bytes] = []
        for piece in cut(body, rng.sample(range(1, len(body)), rng.randint(1, 8))):
            out += s.feed(piece)
        out += s.end()
        assert out == [b": c\n", b"\n", b"{\"a\":1}\r\n", b"{\"b\":2}\n", b"last"]
        assert s.content_seen
    quiet = LineSplitter(max_line=100)
    quiet.feed(b": ping\n\n")
    assert not quiet.content_seen
    with pytest.raises(StreamLineTooLong):
        quiet.feed(b"z" * 101)
