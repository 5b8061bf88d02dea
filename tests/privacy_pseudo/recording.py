"""The real gateway in front of recording upstreams, run in a thread so sync tests (hypothesis) can use it.

Two loopback OpenAI-compatible upstreams (``tests.fakes.openai_server``): ``cloud`` (location
``cloud``) and ``onprem`` (location ``on_prem``).  Every body either receives is recorded, and
:func:`leaked` says which planted originals any recorded cloud body holds — in any string, key
or number, inside JSON-encoded arguments too, with separators ignored for numbers.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from typing import Any

import orjson

from tests.fakes.gateway import RunningGateway, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI

SECRET = "shapes-secret-0123456789abcdef"


class Recording:
    def __init__(self, gw: RunningGateway, cloud: FakeOpenAI, onprem: FakeOpenAI, data_dir: str) -> None:
        self.gw, self.cloud, self.onprem, self.data_dir = gw, cloud, onprem, data_dir

    @property
    def base_url(self) -> str:
        return self.gw.url


def config(cloud: FakeOpenAI, onprem: FakeOpenAI, data_dir: str, **privacy: Any) -> dict[str, Any]:
    return {
        "storage": {"data_dir": data_dir},
        "providers": [openai_provider("cloud", cloud.base_url, location="cloud"),
                      openai_provider("onprem", onprem.base_url, location="on_prem")],
        "models": {"cloud": {"targets": ["cloud"]}, "hybrid": {"targets": ["cloud", "onprem"]}},
        "privacy": {"secret": SECRET, **privacy},
    }


def run_in_thread(data_dir: str, **privacy: Any) -> Iterator[Recording]:
    """Start upstreams and gateway (ledger and audit in ``data_dir``) on a private event loop; yield; stop."""
    loop = asyncio.new_event_loop()
    ready: dict[str, Any] = {}
    stop = asyncio.Event()
    started = threading.Event()

    async def main() -> None:
        try:
            async with FakeOpenAI(name="cloud") as cloud, FakeOpenAI(name="onprem") as onprem:
                async with running_gateway(config(cloud, onprem, data_dir, **privacy)) as gw:
                    ready["rec"] = Recording(gw, cloud, onprem, data_dir)
                    started.set()
                    await stop.wait()
        except BaseException as exc:
            ready["error"] = exc
            started.set()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    started.wait(120)
    if "error" in ready:
        raise ready["error"]
    try:
        yield ready["rec"]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)


def _leaves(value: Any) -> Iterator[str]:
    """Every string, key and number in a body; JSON held in a string is opened too."""
    if isinstance(value, str):
        yield value
        if value[:1] in "{[\"":
            try:
                inner = orjson.loads(value)
            except orjson.JSONDecodeError:
                return
            yield from _leaves(inner)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def leaked(bodies: list[dict[str, Any]], originals: list[str]) -> list[str]:
    """The originals (or an identifying piece: a name word, the digits of a number) seen in ``bodies``."""
    leaves = [leaf for body in bodies for leaf in _leaves(body)]
    joined = "\n".join(leaves)
    low = joined.lower()
    digit_leaves = [_digits(leaf) for leaf in leaves]
    out = []
    for value in originals:
        digits = _digits(value)
        if len(digits) >= 6:
            if any(digits in d for d in digit_leaves) or digits in _digits(joined):
                out.append(value)
            continue
        if value.lower() in low:
            out.append(value)
            continue
        if not re.fullmatch(r"[^\W\d_]+(?:[ \-][^\W\d_]+)*", value):
            continue  # not a name: only the whole value identifies
        for word in re.findall(r"[^\W\d_]{3,}", value):
            if re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", low):
                out.append(f"{value} ({word})")
                break
    return out
