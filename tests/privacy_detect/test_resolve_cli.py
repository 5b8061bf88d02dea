"""Overlap resolution, the scan CLI contract, and concurrent use of one Scanner."""

from __future__ import annotations

import itertools
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson
from click.testing import CliRunner

from perimeter.cli.scan import scan
from perimeter.privacy import Entity, Scanner
from perimeter.privacy.detect.resolve import resolve


def test_longest_span_wins() -> None:
    a = Entity("PERSON", 0, 10, "x" * 10, 0.9)
    b = Entity("PHONE", 2, 6, "x" * 4, 0.99)
    assert resolve([b, a]) == [a]


def test_specificity_breaks_length_ties_then_score() -> None:
    inn = Entity("RU_INN", 5, 15, "7707083893", 0.75)
    phone = Entity("PHONE", 5, 15, "7707083893", 0.9)
    assert resolve([phone, inn]) == [inn]
    low = Entity("PERSON", 0, 4, "Анна", 0.7)
    high = Entity("PERSON", 0, 4, "Анна", 0.9)
    assert resolve([low, high]) == [high]


def test_resolution_is_order_independent() -> None:
    rng = random.Random(7)
    ents = [Entity(rng.choice(["PERSON", "PHONE", "RU_INN"]), s, s + rng.randint(1, 12), "v", rng.random())
            for s in (rng.randint(0, 60) for _ in range(40))]
    expected = resolve(ents)
    for _ in range(20):
        rng.shuffle(ents)
        assert resolve(ents) == expected
    spans = [(e.start, e.end) for e in expected]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_cli_jsonl_offsets_are_code_points(tmp_path: Path) -> None:
    docs = [
        {"id": 1, "text": "👋🏽 Привет! Я Анна Петрова, ИНН 7707083893"},
        {"id": "b", "text": "no sensitive data here"},
        {"id": None, "text": "mail: ünïcødé@example.com"},
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    result = CliRunner().invoke(scan, ["--jsonl", str(src)])
    assert result.exit_code == 0, result.output
    lines = [orjson.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == [1, "b", None]
    for doc, out in zip(docs, lines, strict=True):
        for ent in out["entities"]:
            assert set(ent) == {"type", "start", "end", "text", "score"}
            assert doc["text"][ent["start"] : ent["end"]] == ent["text"]
    assert {e["type"] for e in lines[0]["entities"]} == {"PERSON", "RU_INN"}
    assert lines[1]["entities"] == []
    assert lines[2]["entities"][0]["text"] == "ünïcødé@example.com"


def test_cli_jsonl_from_stdin_and_bad_line() -> None:
    runner = CliRunner()
    ok = runner.invoke(scan, ["--jsonl"], input='{"id": 3, "text": "ИНН 7707083893"}\n')
    assert ok.exit_code == 0
    assert orjson.loads(ok.stdout)["entities"][0]["type"] == "RU_INN"
    bad = runner.invoke(scan, ["--jsonl"], input='{"id": 1, "text": "ok"}\nnot json\n')
    assert bad.exit_code != 0
    assert "<stdin>:2" in bad.output
    missing = runner.invoke(scan, ["--jsonl"], input='{"id": 1}\n')
    assert missing.exit_code != 0 and '"text"' in missing.output


def test_cli_text_json_and_stdin() -> None:
    runner = CliRunner()
    res = runner.invoke(scan, ["--json", "--no-ner", "ИНН 7707083893, тел. +7 912 345-67-89"])
    assert res.exit_code == 0
    payload = orjson.loads(res.stdout)
    assert [e["type"] for e in payload["entities"]] == ["RU_INN", "PHONE"]
    res = runner.invoke(scan, ["-", "--no-ner"], input="карта 4111 1111 1111 1111")
    assert res.exit_code == 0 and "CREDIT_CARD" in res.stdout
    res = runner.invoke(scan, ["--types", "NOPE", "x"])
    assert res.exit_code != 0 and "unknown entity types" in res.output


def test_scanner_is_thread_safe(scanner: Scanner) -> None:
    texts = [f"Сотрудник Иванов Иван Иванович №{i}, ИНН 7707083893, John Smith, +7 912 345-67-{i % 90 + 10}"
             for i in range(64)]
    sequential = [scanner.scan(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(scanner.scan, texts))
    assert parallel == sequential
    assert all(any(e.type == "PERSON" for e in ents) for ents in parallel)
