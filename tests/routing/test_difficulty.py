from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from perimeter.routing.calibration import QuantileCalibrator
from perimeter.routing.difficulty import DifficultyScorer, bundled_examples, load_examples, roc_auc
from perimeter.routing.features import prompt_text, split_request

INDEPENDENT = Path(__file__).resolve().parents[2] / "benchmarks" / "routing" / "independent.jsonl"


@pytest.fixture(scope="module")
def scorer() -> DifficultyScorer:
    return DifficultyScorer(bundled_examples())


def test_heldout_auc_is_at_least_085_in_each_language(scorer: DifficultyScorer) -> None:
    held = bundled_examples("heldout")
    train_texts = {e.text for e in bundled_examples()}
    assert not train_texts & {e.text for e in held}, "held-out prompts must not be in the training set"
    for lang in ("en", "ru"):
        part = [e for e in held if e.lang == lang]
        assert len(part) >= 30
        auc = roc_auc([scorer.score(e.text) for e in part], [e.label for e in part])
        assert auc >= 0.85, (lang, auc)


def test_independent_set_auc_is_at_least_085_in_each_language(scorer: DifficultyScorer) -> None:
    # A second author's set (benchmarks/routing/independent_prompts.py): short-but-hard, long-but-easy,
    # multi-turn and system-prompt requests, scored the way the router scores a request body.
    rows = [json.loads(line) for line in INDEPENDENT.read_text(encoding="utf-8").splitlines() if line.strip()]
    train_texts = {e.text for e in bundled_examples()}
    assert not train_texts & {r["text"] for r in rows}, "evaluation prompts must not be in the training set"
    for lang in ("en", "ru"):
        part = [r for r in rows if r["lang"] == lang]
        assert len(part) >= 100
        scores = [scorer.score(*prompt_text({"messages": r.get("messages") or [{"role": "user", "content": r["text"]}]}))
                  for r in part]
        auc = roc_auc(scores, [r["label"] == "hard" for r in part])
        assert auc >= 0.85, (lang, auc)


def test_split_request_separates_the_ask_from_the_paste() -> None:
    email = "Hi team,\nthe release moves to Monday because QA found a bug in the payment flow.\nThanks, Kim"
    assert split_request("Fix the typos in this email:\n\n" + email) == ("Fix the typos in this email", email)
    code = "```go\nfor i := range xs {\n  go func() { total += xs[i] }()\n}\n```"
    ask, material = split_request(f"Look at this loop\n{code}\nwhy is the total different on every run?")
    assert ask == "Look at this loop\nwhy is the total different on every run?" and code in material
    ask, material = split_request("Исправь опечатку: «Мы палучили ваше письмо и обезательно ответим в течении двух рабочих дней».")
    assert ask == "Исправь опечатку" and material.startswith("«")
    short = "prove that there are infinitely many primes of the form 6k+5"
    assert split_request(short) == (short, "")
    one_paragraph = "Our API has a p99 of 900 ms: " + "the database is shared with reporting jobs, " * 5 + "what first?"
    assert split_request(one_paragraph) == (one_paragraph, "")


def test_the_task_verb_outweighs_the_length_of_the_paste(scorer: DifficultyScorer) -> None:
    paste = ("Dear customers, from the first of March our shop opens at nine and closes at eight, except on "
             "Sundays, when we open at ten. Orders placed online before noon are delivered the same day within "
             "the ring road; other orders arrive the next working day. Returns are accepted within thirty days "
             "with the receipt, and gift cards can be used in every branch. ") * 3
    easy = [f"Translate into Italian:\n\n{paste}", f"Fix the spelling mistakes, nothing else:\n\n{paste}",
            f"Переведи на русский:\n\n{paste}"]
    hard = ["prove that there are infinitely many primes of the form 6k+5",
            "why does this deadlock?\n```python\nwith a_lock:\n    with b_lock:\n        move(a, b)\n```",
            "докажи, что уравнение x^2 - 2y^2 = 1 имеет бесконечно много решений в целых числах"]
    assert max(scorer.score(t) for t in easy) < min(scorer.score(t) for t in hard)


def test_roc_auc_matches_definition() -> None:
    assert roc_auc([0.1, 0.9], [0, 1]) == 1.0
    assert roc_auc([0.9, 0.1], [0, 1]) == 0.0
    assert roc_auc([0.5, 0.5, 0.7, 0.2], [0, 1, 1, 0]) == pytest.approx((1 + 0.5 + 1 + 1) / 4)


def test_user_examples_adapt_the_scorer(tmp_path: Path, scorer: DifficultyScorer) -> None:
    # An operator decides that their "ticket triage" prompts are hard for the local model.
    prompt = "Triage ticket #4471 and assign a queue"
    rows = [{"text": f"Triage ticket #{n} and assign a queue", "label": "hard"} for n in range(1000, 1040)]
    f = tmp_path / "mine.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    adapted = DifficultyScorer([*bundled_examples(), *load_examples(f)])
    assert adapted.score(prompt) > scorer.score(prompt) + 0.2


def test_bad_examples_file_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text('{"text": "ok", "label": "easy"}\n{"text": "x", "label": "medium"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:2: expected"):
        load_examples(f)


def test_prompt_text_takes_last_user_message_and_counts_turns() -> None:
    body = {"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "a"},
                         {"role": "assistant", "content": "b"},
                         {"role": "user", "content": [{"type": "text", "text": "c"}, {"type": "text", "text": "d"}]}]}
    assert prompt_text(body) == ("c\nd", 2)
    assert prompt_text({"prompt": "legacy"}) == ("legacy", 1)


def fresh_mix(n: int = 400) -> list[str]:
    """Traffic the calibrator never saw: held-out prompts and reworded training prompts, easy-heavy."""
    rng = random.Random(11)
    base = [e.text for e in bundled_examples("heldout")] + [e.text for e in bundled_examples()]
    wrappers = ["{}", "Please help: {}", "{} Thanks!", "Quick question. {}", "Коллеги, {}", "{} Заранее спасибо."]
    return [rng.choice(wrappers).format(rng.choice(base)) for _ in range(n)]


@pytest.mark.parametrize("share", [0.1, 0.3, 0.5])
def test_calibrated_cloud_share_is_within_005(scorer: DifficultyScorer, share: float) -> None:
    cal = QuantileCalibrator(share, scorer.prior_scores.tolist(), window=2000)
    decisions = [cal.observe(scorer.score(t))[0] for t in fresh_mix()]
    realised = sum(decisions) / len(decisions)
    assert abs(realised - share) <= 0.05, realised


def test_calibration_follows_a_shift_in_traffic() -> None:
    cal = QuantileCalibrator(0.3, [i / 100 for i in range(100)], window=300)
    rng = random.Random(3)
    # The traffic becomes much harder than the prior: the threshold must rise to keep 30%.
    decisions = [cal.observe(0.8 + 0.2 * rng.random())[0] for _ in range(600)]
    assert abs(sum(decisions[-300:]) / 300 - 0.3) <= 0.05
    assert cal.threshold() > 0.8
