"""Cheap, language-aware features of a prompt that predict whether it needs a strong model.

Everything here is regex and arithmetic over the text (RU + EN), so a 1 KB prompt is
featurised in well under a millisecond.  The features follow what difficulty routers such as
RouteLLM learn implicitly: length and structure, code, mathematics, and the verbs that ask for
multi-step work (prove, design, analyse, optimise, find the race) versus those that ask for a
lookup or a small edit (translate, fix the typo, sort, rename, what is).

The task is read from the *instruction*, not from the whole prompt: users paste an email, a
list or a code block and put a one-line ask in front of it ("Fix the typos:\\n\\n<email>").  A long
paste with an easy ask is still easy, and a budget or a deadline mentioned inside a pasted
email is not a design question, so the verb and vocabulary features look at the instruction
(:func:`split_request`) and the pasted material only contributes its length and its kind (code).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import numpy.typing as npt


def _words(*stems: str) -> re.Pattern[str]:
    # Stems match at a word start, so Russian inflections ("докажи", "доказать") share one stem.
    # Matched against lower-cased text: re.IGNORECASE makes these scans ~4x slower.
    pattern = r"(?<![\w])(?:" + "|".join(stems) + r")"
    if re.search(r"\\[A-Z]", pattern):
        raise ValueError("keyword patterns are lower-cased: no upper-case escapes")
    return re.compile(pattern.lower())


REASONING = _words(
    r"prov", r"proof", r"deriv", r"show that", r"step by step", r"explain (?:why|how)", r"why",
    r"reason", r"justify", r"analy[sz]", r"evaluat", r"critic", r"compar", r"trade-?off", r"implicat",
    r"risk", r"weigh", r"pros\b", r"cons\b", r"should (?:we|i)\b", r"worth", r"consequen", r"second-order",
    r"bias", r"confound", r"hypothes", r"assumption", r"argue", r"steelman", r"counterexample", r"rigor",
    r"(?:how|what) would you", r"how should", r"identif", r"root cause",
    r"докаж", r"доказ", r"выведи", r"вывод", r"пошагов", r"по шагам", r"объясни,? (?:почему|как)", r"почему",
    r"рассужд", r"обоснуй", r"обосн", r"проанализ", r"анализ", r"оцени", r"сравни", r"компромисс", r"критич",
    r"риск", r"взвес", r"плюсы", r"минусы", r"стоит ли", r"последстви", r"смещени", r"гипотез", r"допущен",
    r"аргумент", r"контрпример", r"строг", r"как бы (?:ты|вы)", r"откуда", r"первопричин", r"верно ли",
)
DESIGN = _words(
    r"design", r"architect", r"scal", r"distributed", r"migrat", r"strateg", r"plan\b", r"pipeline", r"schema",
    r"consisten", r"replic", r"shard", r"fault", r"failure", r"latency", r"throughput", r"concurren",
    r"thread-?safe", r"lock-?free", r"optimi[sz]", r"refactor", r"security", r"threat",
    r"idempot", r"exactly-once", r"consensus", r"rebalanc", r"failover", r"backoff", r"retr(?:y|ies)",
    r"invariant", r"amorti[sz]", r"transaction", r"cost model", r"break-?even", r"restructur", r"propose",
    r"спроектир", r"проектир", r"архитектур", r"масштаб", r"распредел", r"миграц", r"стратеги", r"спланир",
    r"схем", r"согласован", r"реплик", r"шардир", r"отказ", r"сбо", r"задержк", r"конкурентн",
    r"потокобезопас", r"оптимиз", r"отрефактор", r"рефактор", r"безопасност", r"угроз",
    r"идемпотент", r"консенсус", r"ретра", r"инвариант", r"транзакц", r"амортиз", r"модель затрат",
    r"безубыточ", r"разработай", r"перестро", r"предложи (?:подход|архитектур|план|схем|решени)",
)
CODE_WORDS = _words(
    r"implement", r"write (?:a |an )?(?:\w+ )?(?:function|class|program|script|parser|query|module|test)",
    r"algorithm", r"complexity", r"O\(", r"debug", r"bug", r"regex", r"sql", r"api\b", r"compile", r"runtime",
    r"python", r"java\b", r"rust", r"golang", r"\bgo\b", r"c\+\+", r"typescript", r"javascript", r"kubernetes",
    r"реализуй", r"реализова", r"напиши (?:\w+ )?(?:функци|класс|программ|скрипт|парсер|запрос|модул|тест)",
    r"алгоритм", r"сложност", r"отлад", r"найди ошибку", r"ошибк[ау] в код", r"код",
)
# What a debugging or performance question says: a symptom to explain, not an edit to make.
DEBUG_ASK = _words(
    r"bug", r"race", r"deadlock", r"leak", r"hang", r"freez", r"crash", r"segfault", r"panic", r"oom",
    r"slow", r"speed (?:it |this )?up", r"takes? \d", r"time(?:s|d)? ?out", r"flaky", r"sometimes",
    r"intermittent", r"what'?s wrong", r"wrong with", r"(?:doesn'?t|does not|isn'?t) work", r"reject",
    r"exploit", r"vulnerab", r"diagnos", r"troubleshoot", r"why (?:does|is|do|are|would|did)",
    r"баг", r"гонк", r"взаимоблок", r"дедлок", r"утечк", r"завис", r"пада", r"пада[ею]т", r"тормоз",
    r"медленн", r"ускор", r"таймаут", r"не работает", r"иногда", r"уязвим", r"диагност", r"что не так",
    r"в ч[её]м проблема", r"почему (?:этот|этот|мой|у меня|мой|тест|код|запрос|сервис)",
)
MATH_WORDS = _words(
    r"integral", r"derivative", r"equation", r"theorem", r"lemma", r"matrix", r"eigen", r"probabilit",
    r"induction", r"converg", r"irrational", r"prime", r"polynomial", r"expected", r"variance", r"bayes",
    r"limit\b", r"lim\b", r"recurrence", r"perfect square", r"infinitely", r"for (?:all|every|any)\b",
    r"there (?:is|are|exists?)\b", r"exists?\b", r"unique", r"integer", r"real (?:number|solution|root)",
    r"graph", r"bipartite", r"combinator", r"how many ways", r"random", r"uniform", r"asymptot",
    r"divisib", r"parity", r"consecutive",
    r"интеграл", r"производн", r"уравнен", r"теорем", r"лемм", r"матриц", r"собственн", r"вероятност",
    r"индукц", r"сходит", r"иррацион", r"прост(?:ых|ые) чис", r"многочлен", r"ожидаем", r"дисперс", r"байес",
    r"предел", r"рекуррент", r"полн(?:ый|ым) квадрат", r"бесконечн", r"при (?:всех|любом|любых)",
    r"для (?:всех|любого|любых|каждого)", r"существу", r"найдутся", r"единствен", r"цел(?:ых|ые|ыми) ",
    r"целочисл", r"рациональн", r"действительн", r"вещественн", r"граф", r"двудольн", r"комбинатор",
    r"сколькими способами", r"сколько существует", r"случайн", r"равномерн", r"асимптот", r"делит",
    r"чётност", r"по модулю", r"подряд",
)
EASY_WORDS = _words(
    r"hi\b", r"hello", r"hey\b", r"thanks", r"thank you", r"good (?:morning|night|evening)", r"translate",
    r"what is the capital", r"who (?:wrote|painted|is|invented|discovered)", r"how many", r"spell", r"typo",
    r"synonym", r"antonym", r"opposite", r"rewrite", r"rephrase", r"shorten", r"summari[sz]e", r"format",
    r"uppercase", r"lowercase", r"capitali[sz]", r"sort\b", r"convert", r"joke", r"name (?:a|three)",
    r"one[- ]line", r"one sentence", r"one word", r"plural", r"polite", r"friendl",
    r"rename", r"docstring", r"add (?:a |some )?comments?", r"type hints", r"extract", r"pull out",
    r"group (?:it|them|these|this)", r"(?:markdown |a )?table\b", r"bullet", r"numbered", r"formal",
    r"proofread", r"grammar", r"punctuation", r"spelling", r"reformat", r"pretty", r"to (?:yaml|json|csv|xml)",
    r"in simple terms", r"short answer", r"briefly", r"in (?:one|two|three|a few|\d) (?:sentence|line|word)",
    r"list (?:the|all)\b", r"give me (?:\d|a |an |one|two|three|five|some)", r"suggest", r"recommend",
    r"ideas?\b", r"haiku", r"poem", r"greeting", r"birthday", r"what does", r"what'?s the (?:difference|plural|"
    r"past tense|opposite|capital)", r"how do (?:i|you) (?:say|spell|reverse|exit|install|check|undo)",
    r"what year", r"when (?:is|was|did)\b",
    r"привет", r"здравствуй", r"спасибо", r"добр(?:ое|ый|ой) (?:утро|день|вечер|ночи)", r"переведи",
    r"какая столица", r"кто (?:написал|нарисовал|изобр[её]л|открыл)", r"сколько", r"как пишется", r"опечат",
    r"синоним", r"антоним", r"перепиши", r"перефраз", r"сократи", r"оформи", r"заглавн", r"отсортируй",
    r"анекдот", r"назови", r"одним (?:словом|предложением)", r"одной строк", r"множественное число",
    r"вежлив", r"дружелюбн", r"придумай", r"исправь (?:только )?(?:опечат|ошибку|орфограф)",
    r"переименуй", r"докстринг", r"комментари", r"вытащи", r"извлеки", r"выпиши", r"найди в тексте",
    r"сгруппируй", r"в таблицу", r"таблиц[уей] ", r"маркированн", r"нумерованн", r"списк", r"официальн",
    r"грамотн", r"орфограф", r"пунктуац", r"запят", r"строчн", r"отформатируй", r"преобразуй", r"перескажи",
    r"кратко", r"коротко", r"простыми словами", r"в (?:двух|тр[её]х|одном|\d) (?:предложени|строк|слов)",
    r"ребёнку", r"посоветуй", r"стих", r"поздравлени", r"как будет", r"по-английски", r"что такое",
    r"что значит", r"что означает", r"что делает", r"какой командой", r"в каком году", r"какой праздник",
    r"чему равн",
)
CONSTRAINTS = _words(
    r"must", r"should", r"without", r"at least", r"at most", r"ensure", r"handle", r"including", r"with tests",
    r"no more than", r"max(?:imum)?\b", r"under \$?\d", r"exactly", r"each\b", r"every\b", r"survive",
    r"должн", r"без ", r"не менее", r"не более", r"обеспеч", r"обработай", r"включая", r"с тестами",
    r"не больше", r"максимум", r"ровно", r"кажд", r"с уч[её]том", r"учти", r"чтобы не",
)
CODE_SYMBOLS = re.compile(r"```|[{};]|=>|->|::|\bdef\b|\bfunc\b|\bfunction\b|\bclass\b|\breturn\b|\bimport\b|==|!=|<=|>=|\+\+")
MATH_SYMBOLS = re.compile(r"[=^∫∑√≤≥≠±∞π→]|\\frac|\\sum|\\int|\d+\s*[*/^]\s*\d+|[a-z]\^\d|\b[fgpt]\([a-z]")
SENTENCE_END = re.compile(r"[.!?…]+(?:\s|$)")
QUESTION = re.compile(r"\?")
ENUMERATION = re.compile(r"(?m)^\s*(?:\d+[.)]|[-*•])\s+")
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
WORD = re.compile(r"\w+")

# Where pasted material starts: a fenced block, a colon that ends a line, or a colon followed by a
# quote or a bracket ("Fix the typo: 'I recieved…'", "Format this: {"id": 7}").
FENCE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
COLON_LINE = re.compile(r":[ \t]*\r?\n")
COLON_QUOTE = re.compile(r":\s*(?=[\"'«“„`{\[<])")
# Shorter prompts are read whole: there is nothing pasted to set aside.
SHORT = 80
# An instruction longer than this is not the one-line ask in front of a paste.
MAX_ASK = 400

FEATURE_NAMES = (
    "log_chars", "log_instr_words", "log_material_words", "sentences", "lines", "questions", "enumerations",
    "mean_word_len", "reasoning", "design", "code_words", "math_words", "easy_words", "constraints",
    "debug_ask", "code_debug", "code_symbols", "math_symbols", "digits_ratio", "cyrillic", "turns",
    "has_code", "imperative_len",
)


def _sat(n: int, cap: float = 3.0) -> float:
    # Saturating count: the fourth "prove" adds nothing the first did not.
    return min(float(n), cap)


def split_request(text: str) -> tuple[str, str]:
    """``(instruction, material)``: the ask, and what was pasted for it to work on.

    Heuristic and cheap: fenced code is material; otherwise the ask is what comes before the
    first line-ending colon (or a colon followed by a quote or bracket), or the first line of a
    multi-line prompt.  A short question on the last line ("…\\n\\nwhy does this deadlock?") is
    part of the ask too.  Prompts shorter than ``SHORT`` characters are all instruction.
    """
    if len(text) < SHORT:
        return text, ""
    body, material = text, ""
    if "```" in body:
        material = " ".join(FENCE.findall(body))
        body = FENCE.sub("\n", body)
    nl = body.find("\n")
    m = COLON_QUOTE.search(body, 0, min(nl if nl >= 0 else len(body), MAX_ASK))
    if m is None:
        para = body.find("\n\n")
        m = COLON_LINE.search(body, 0, min(para + 1 if para >= 0 else len(body), MAX_ASK + 2))
    if m is not None:
        ask, rest = body[:m.start()], body[m.end():]
    elif 0 <= nl <= MAX_ASK:
        ask, rest = body[:nl], body[nl + 1:]
    else:
        return body, material
    rest = rest.rstrip()
    cut = rest.rfind("\n")
    last = rest[cut + 1:].strip()
    if cut >= 0 and last.endswith("?") and len(last) <= 200:
        ask, rest = f"{ask}\n{last}", rest[:cut]
    return ask.strip(), (f"{material} {rest}" if material else rest).strip()


def featurize(text: str, turns: int = 1) -> npt.NDArray[np.float64]:
    """Feature vector of one prompt (the last user message, plus the number of turns)."""
    ask, material = split_request(text)
    low = ask.lower()  # the keyword patterns are lower-case
    n = len(text)
    words = WORD.findall(text)
    nw = len(words)
    ask_words = len(WORD.findall(ask)) if material else nw
    material_words = len(WORD.findall(material)) if material else 0
    letters = sum(1 for c in text if c.isalpha()) or 1
    digits = sum(1 for c in text if c.isdigit())
    easy = len(EASY_WORDS.findall(low))  # scanned once: it is the slowest pattern and used twice
    code_symbols = len(CODE_SYMBOLS.findall(text))
    has_code = "```" in text or code_symbols >= 4
    debug = len(DEBUG_ASK.findall(low))
    return np.array(
        [
            math.log1p(n),
            math.log1p(ask_words),
            math.log1p(material_words),
            _sat(len(SENTENCE_END.findall(ask)), 8),
            _sat(text.count("\n"), 20) / 4,
            _sat(len(QUESTION.findall(ask)), 4),
            _sat(len(ENUMERATION.findall(text)), 6),
            (sum(len(w) for w in words) / nw) if nw else 0.0,
            _sat(len(REASONING.findall(low))),
            _sat(len(DESIGN.findall(low))),
            _sat(len(CODE_WORDS.findall(low))),
            _sat(len(MATH_WORDS.findall(low))),
            _sat(easy),
            _sat(len(CONSTRAINTS.findall(low))),
            _sat(debug),
            1.0 if has_code and debug else 0.0,
            _sat(code_symbols, 6) / 2,
            _sat(len(MATH_SYMBOLS.findall(text)), 6) / 2,
            digits / (letters + digits),
            1.0 if CYRILLIC.search(text) else 0.0,
            math.log1p(max(turns - 1, 0)),
            1.0 if has_code else 0.0,
            # Long requests that are not edits of a pasted text: the instruction itself is long.
            math.log1p(ask_words) * (0.0 if easy else 1.0),
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
