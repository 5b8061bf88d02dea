"""Cheap, language-aware features of a prompt that predict whether it needs a strong model.

Everything here is regex and arithmetic over the text (RU + EN), so a 1 KB prompt is
featurised in well under a millisecond.  The features follow what difficulty routers such as
RouteLLM learn implicitly: length and structure, code, mathematics, and the verbs that ask for
multi-step work (prove, design, analyse, optimise) versus those that ask for a lookup or a
small edit (translate, fix the typo, what is).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import numpy.typing as npt


def _words(*stems: str) -> re.Pattern[str]:
    # Stems match at a word start, so Russian inflections ("докажи", "доказать") share one stem.
    return re.compile(r"(?<![\w])(?:" + "|".join(stems) + r")", re.IGNORECASE)


REASONING = _words(
    r"prov", r"proof", r"deriv", r"show that", r"step by step", r"explain (?:why|how)", r"why does", r"why is",
    r"reason", r"justify", r"analy[sz]", r"evaluat", r"critic", r"compar", r"trade-?off", r"implicat",
    r"докаж", r"доказ", r"выведи", r"вывод", r"пошагов", r"по шагам", r"объясни,? (?:почему|как)", r"почему",
    r"рассужд", r"обоснуй", r"обосн", r"проанализ", r"анализ", r"оцени", r"сравни", r"компромисс", r"критич",
)
DESIGN = _words(
    r"design", r"architect", r"scal", r"distributed", r"migrat", r"strateg", r"plan\b", r"pipeline", r"schema",
    r"consisten", r"replic", r"shard", r"fault", r"failure", r"latency", r"throughput", r"concurren",
    r"thread-?safe", r"lock-?free", r"optimi[sz]", r"refactor", r"security", r"threat",
    r"спроектир", r"проектир", r"архитектур", r"масштаб", r"распредел", r"миграц", r"стратеги", r"спланир",
    r"схем", r"согласован", r"реплик", r"шардир", r"отказ", r"сбо", r"задержк", r"конкурентн",
    r"потокобезопас", r"оптимиз", r"отрефактор", r"рефактор", r"безопасност", r"угроз",
)
CODE_WORDS = _words(
    r"implement", r"write (?:a |an )?(?:\w+ )?(?:function|class|program|script|parser|query|module|test)",
    r"algorithm", r"complexity", r"O\(", r"debug", r"bug", r"regex", r"sql", r"api\b", r"compile", r"runtime",
    r"python", r"java\b", r"rust", r"golang", r"\bgo\b", r"c\+\+", r"typescript", r"javascript", r"kubernetes",
    r"реализуй", r"реализова", r"напиши (?:\w+ )?(?:функци|класс|программ|скрипт|парсер|запрос|модул|тест)",
    r"алгоритм", r"сложност", r"отлад", r"найди ошибку", r"ошибк[ау] в код", r"код",
)
MATH_WORDS = _words(
    r"integral", r"derivative", r"equation", r"theorem", r"lemma", r"matrix", r"eigen", r"probabilit",
    r"induction", r"converg", r"irrational", r"prime", r"polynomial", r"expected", r"variance", r"bayes",
    r"интеграл", r"производн", r"уравнен", r"теорем", r"лемм", r"матриц", r"собственн", r"вероятност",
    r"индукц", r"сходит", r"иррацион", r"прост(?:ых|ые) чис", r"многочлен", r"ожидаем", r"дисперс", r"байес",
)
EASY_WORDS = _words(
    r"hi\b", r"hello", r"hey\b", r"thanks", r"thank you", r"good (?:morning|night|evening)", r"translate",
    r"what is the capital", r"who (?:wrote|painted|is)", r"how many", r"spell", r"typo", r"synonym",
    r"antonym", r"opposite", r"rewrite", r"rephrase", r"shorten", r"summari[sz]e in one", r"format",
    r"uppercase", r"capitali[sz]e", r"sort (?:these|this)", r"convert", r"joke", r"name (?:a|three)",
    r"one[- ]line", r"one sentence", r"one word", r"plural", r"polite", r"friendl",
    r"привет", r"здравствуй", r"спасибо", r"добр(?:ое|ый|ой) (?:утро|день|вечер|ночи)", r"переведи",
    r"какая столица", r"кто (?:написал|нарисовал)", r"сколько", r"как пишется", r"опечат", r"синоним",
    r"антоним", r"перепиши", r"перефраз", r"сократи", r"оформи", r"заглавн", r"отсортируй", r"анекдот",
    r"назови", r"одним (?:словом|предложением)", r"одной строк", r"множественное число", r"вежлив",
    r"дружелюбн", r"придумай (?:название|имя|заголовок)", r"исправь (?:только )?(?:опечат|ошибку|орфограф)",
)
CONSTRAINTS = _words(
    r"must", r"should", r"without", r"at least", r"at most", r"ensure", r"handle", r"including", r"with tests",
    r"должн", r"без ", r"не менее", r"не более", r"обеспеч", r"обработай", r"включая", r"с тестами",
)
CODE_SYMBOLS = re.compile(r"```|[{};]|=>|->|::|\bdef\b|\bfunc\b|\bfunction\b|\bclass\b|\breturn\b|\bimport\b|==|!=|<=|>=|\+\+")
MATH_SYMBOLS = re.compile(r"[=^∫∑√≤≥≠±∞π]|\\frac|\\sum|\\int|\d+\s*[*/^]\s*\d+|[a-z]\^\d")
SENTENCE_END = re.compile(r"[.!?…]+(?:\s|$)")
QUESTION = re.compile(r"\?")
ENUMERATION = re.compile(r"(?m)^\s*(?:\d+[.)]|[-*•])\s+")
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
WORD = re.compile(r"\w+")

FEATURE_NAMES = (
    "log_chars", "log_words", "sentences", "lines", "questions", "enumerations", "mean_word_len",
    "reasoning", "design", "code_words", "math_words", "easy_words", "constraints", "code_symbols",
    "math_symbols", "digits_ratio", "cyrillic", "turns", "has_code_block", "imperative_len",
)


def _sat(n: int, cap: float = 3.0) -> float:
    # Saturating count: the fourth "prove" adds nothing the first did not.
    return min(float(n), cap)


def featurize(text: str, turns: int = 1) -> npt.NDArray[np.float64]:
    """Feature vector of one prompt (the last user message, plus the number of turns)."""
    n = len(text)
    words = WORD.findall(text)
    nw = len(words)
    letters = sum(1 for c in text if c.isalpha()) or 1
    digits = sum(1 for c in text if c.isdigit())
    easy = len(EASY_WORDS.findall(text))  # scanned once: it is the slowest pattern and used twice
    return np.array(
        [
            math.log1p(n),
            math.log1p(nw),
            _sat(len(SENTENCE_END.findall(text)), 8),
            _sat(text.count("\n"), 20) / 4,
            _sat(len(QUESTION.findall(text)), 4),
            _sat(len(ENUMERATION.findall(text)), 6),
            (sum(len(w) for w in words) / nw) if nw else 0.0,
            _sat(len(REASONING.findall(text))),
            _sat(len(DESIGN.findall(text))),
            _sat(len(CODE_WORDS.findall(text))),
            _sat(len(MATH_WORDS.findall(text))),
            _sat(easy),
            _sat(len(CONSTRAINTS.findall(text))),
            _sat(len(CODE_SYMBOLS.findall(text)), 6) / 2,
            _sat(len(MATH_SYMBOLS.findall(text)), 6) / 2,
            digits / (letters + digits),
            1.0 if CYRILLIC.search(text) else 0.0,
            math.log1p(max(turns - 1, 0)),
            1.0 if "```" in text else 0.0,
            # Long requests that are not edits of a pasted text: the instruction itself is long.
            math.log1p(nw) * (0.0 if easy else 1.0),
        ],
        dtype=np.float64,
    )


def prompt_text(body: dict[str, Any]) -> tuple[str, int]:
    """The text the difficulty scorer looks at: the last user message, and the turn count.

    Works for Chat Completions (``messages``), legacy completions (``prompt``) and Anthropic-style
    content blocks already translated to the OpenAI shape.
    """
    messages = body.get("messages")
    if isinstance(messages, list) and messages:
        turns = 0
        last = ""
        for m in messages:
            if isinstance(m, dict) and m.get("role") == "user":
                turns += 1
                last = content_text(m.get("content"))
        if not last:
            last = content_text(messages[-1].get("content")) if isinstance(messages[-1], dict) else ""
        return last, max(turns, 1)
    prompt = body.get("prompt")
    if isinstance(prompt, str):
        return prompt, 1
    if isinstance(prompt, list):
        return " ".join(p for p in prompt if isinstance(p, str)), 1
    return "", 1


def content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for block in content:
            if isinstance(block, dict) and isinstance(block.get("text"), str):
                parts.append(block["text"])
            elif isinstance(block, str):
                parts.append(block)
        return "\n".join(parts)
    return ""
