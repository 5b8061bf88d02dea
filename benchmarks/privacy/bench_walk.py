"""Cost of finding every slot of a request body (the walk), before the scanner runs.

    python benchmarks/privacy/bench_walk.py [--src DIR]

Times ``walk.collect`` (+ the scan plan, where it exists) on three bodies: one short chat turn,
a 20-turn conversation with 5 tools and tool calls, and the same with metadata and a JSON
schema.  ``--src`` imports an older ``perimeter`` (e.g. ``git archive 00c75d7 src``) to compare.
Medians of 2,000 calls.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, sys.argv[sys.argv.index("--src") + 1] if "--src" in sys.argv else str(Path(__file__).parents[2] / "src"))

from perimeter.privacy import walk

TOOL = {"type": "function", "function": {"name": "lookup_client", "description": "Find a client by INN or name",
                                         "parameters": {"type": "object", "properties": {
                                             "inn": {"type": "string", "description": "ИНН клиента"},
                                             "name": {"type": "string"}}, "required": ["inn"]}}}


def conversation(extra: bool) -> dict[str, Any]:
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "Ты помощник банка. Отвечай кратко."}]
    for i in range(10):
        msgs.append({"role": "user", "content": f"Вопрос {i}: проверь клиента ООО Вектор, ИНН 7707083893."})
        msgs.append({"role": "assistant", "content": None, "tool_calls": [{"id": f"call_{i}", "type": "function",
                     "function": {"name": "lookup_client", "arguments": '{"inn": "7707083893", "name": "Вектор"}'}}]})
    body: dict[str, Any] = {"model": "chat", "temperature": 0.2, "messages": msgs, "tools": [TOOL] * 5}
    if extra:
        body["metadata"] = {"team": "risk", "ticket": "RISK-1042"}
        body["response_format"] = {"type": "json_schema", "json_schema": {"name": "answer", "schema": TOOL["function"]["parameters"]}}
    return body


def main() -> None:
    bodies = {"short chat": {"model": "chat", "messages": [{"role": "user", "content": "Привет! Как дела?"}]},
              "20 turns + 5 tools": conversation(False), "+ metadata + schema": conversation(True)}
    plan = None
    if Path(walk.__file__).with_name("units.py").exists():
        from perimeter.privacy.units import ScanPlan as plan
    for name, body in bodies.items():
        times = []
        for _ in range(2000):
            t = time.perf_counter()
            c = walk.collect("chat", body)
            if plan is not None:
                plan(c)
            times.append(time.perf_counter() - t)
        print(f"{name}: {statistics.median(times) * 1e6:.1f} µs")


if __name__ == "__main__":
    main()
