"""``perimeter scan --eval``: strict/overlap scores, leak rate and false alarms on a customer's gold file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from perimeter.cli.scan import scan
from perimeter.privacy.evaluation import GoldError, Span, parse_gold, score

GOLD = [
    {"id": "a", "lang": "en", "text": "Call Mr. John Smith on +1 212 555 0147.",
     "entities": [{"type": "PERSON", "start": 5, "end": 19}, {"type": "PHONE", "text": "+1 212 555 0147"}]},
    {"id": "b", "lang": "ru", "text": "ИНН 7707083893, заказ 12345.",
     "entities": [{"type": "RU_INN", "text": "7707083893"}]},
    {"id": "c", "text": "The weather in Paris is fine.", "entities": []},
]


def test_title_is_not_a_leak_but_an_uncovered_letter_is() -> None:
    docs = parse_gold([json.dumps(d) for d in GOLD])
    preds = {"a": [Span("PERSON", 9, 19), Span("PHONE", 23, 38)], "b": [Span("RU_INN", 4, 14)], "c": []}
    rep = score(docs, preds)
    assert rep.leak_rate == 0.0 and rep.false_alarm_rate == 0.0
    assert rep.per_type["PERSON"].strict() == (0.0, 0.0, 0.0) and rep.per_type["PERSON"].overlap()[2] == 1.0
    preds["a"] = [Span("PERSON", 9, 17), Span("PHONE", 23, 38)]  # "John Smi": "th" leaks
    preds["c"] = [Span("LOCATION", 15, 20)]
    rep = score(docs, preds)
    assert rep.leaks == 1 and rep.sensitive == 2 and rep.alarms == 1 and rep.negatives == 1


def test_bad_gold_lines_name_the_line() -> None:
    with pytest.raises(GoldError, match="<gold>:2: entities\\[0\\] offsets 5-99"):
        parse_gold(['{"text": "ok", "entities": []}', '{"text": "short", "entities": [{"type": "X", "start": 5, "end": 99}]}'])
    with pytest.raises(GoldError, match="does not occur"):
        parse_gold(['{"text": "abc", "entities": [{"type": "X", "text": "zzz"}]}'])


def test_cli_scores_the_scanner(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in GOLD), encoding="utf-8")
    res = CliRunner().invoke(scan, ["--eval", str(gold), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["docs"] == 3 and out["sensitive_docs"] == 2 and out["negative_docs"] == 1
    assert out["leak_rate"] == 0.0 and out["false_alarm_rate"] == 0.0
    assert out["per_type"]["RU_INN"]["strict"] == [1.0, 1.0, 1.0]
    assert out["per_type"]["PHONE"]["overlap"][1] == 1.0
    res = CliRunner().invoke(scan, ["--eval", str(gold)])
    assert "| PERSON |" in res.output and "document leak rate: **0.00%**" in res.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    res = CliRunner().invoke(scan, ["--eval", str(bad)])
    assert res.exit_code != 0 and "bad.jsonl:1" in res.output
