"""A learned second opinion on names and addresses: a linear-chain CRF over word features.

Why a model beside the rules: every round of hand-written rules reached 0–2 % leak on the
corpora it was tuned on and stayed near 30 % on the next corpus nobody had seen.  The rules
recognise the phrasings their author met; a name in capitals, an inverted "Surname, Given", a
CJK name or an address in a layout nobody wrote a rule for slips through.  A tagger trained on
every labelled corpus learns the *evidence* instead (shape, gazetteers, morphology, the words
around, the field a value sits in), so it carries over to phrasings none of the rules names.

The model is a CRF (python-crfsuite, a C++ library in a PyPI wheel) trained by
``benchmarks/privacy/train_tagger.py`` and shipped as ``data/tagger.crfsuite``: nothing is
downloaded.  Its findings are added to the rules' (a union), at a marginal-probability
threshold chosen on corpora the model was not trained on.

Thread-safety: a crfsuite ``Tagger`` is not safe to share, so each thread opens its own
(a ~1 ms read of a memory-mapped file), kept in a thread-local.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.morph import analyzer
from perimeter.privacy.entities import Entity

#: The labels the model tags (one per token; "O" is everything else).
LABELS = ("PER", "ADDR")
_TYPE_OF = {"PER": "PERSON", "ADDR": "ADDRESS"}
LABEL_OF = {v: k for k, v in _TYPE_OF.items()}

# Words (letters with inner apostrophes: O'Brien, d’Artagnan), digit runs, single symbols.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+|[^\w\s]|_")
# Two tagged tokens are one finding when only these characters lie between them.
_JOIN = re.compile(r"[ \u00a0\t.\-'’]*")
_JOIN_ADDR = re.compile(r"[ \u00a0\t.,\-/'’№#]*")


def tokens(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every token: the unit the model tags."""
    return [m.span() for m in _TOKEN.finditer(text)]


def _script(word: str) -> str:
    c = word[0]
    if c.isdigit():
        return "D"
    if "a" <= c.lower() <= "z":
        return "L"
    if "\u0400" <= c <= "\u04ff":
        return "C"
    if c.isalpha():
        return "A"  # another alphabet: CJK, Hangul, Arabic, Greek, accented Latin …
    return "P"


def _shape(word: str) -> str:
    out = []
    last = ""
    for c in word:
        k = "X" if c.isupper() else "x" if c.isalpha() else "d" if c.isdigit() else c
        if k != last:
            out.append(k)
            last = k
    s = "".join(out)
    if s == "d":
        return f"d{min(len(word), 9)}"
    if s == "X" and len(word) > 1:
        return "XX"
    return s


def _zipf_bucket(lw: str) -> str:
    z = lexicon.zipf(lw)
    return "0" if z == 0 else str(int(z))


@lru_cache(maxsize=65536)
def _morph(lw: str) -> tuple[str, ...]:
    """pymorphy3's view of a Cyrillic word: name roles, places, organisations, part of speech
    and case of the likeliest reading, and whether the word is in its dictionary at all."""
    parses = analyzer().parse(lw)
    out: set[str] = set()
    for p in parses[:4]:
        tag = p.tag
        for g in ("Name", "Surn", "Patr", "Geox", "Orgn", "Abbr"):
            if g in tag:
                out.add("m" + g)
    if parses:
        top = parses[0].tag
        out.add(f"mp={top.POS}")
        if top.case:
            out.add(f"mc={top.case}")
        if not parses[0].is_known:
            out.add("munk")
    return tuple(sorted(out))


@lru_cache(maxsize=65536)
def _static(word: str) -> tuple[tuple[str, ...], str, str, str]:
    """The features of a word that do not depend on its neighbours, its lower-cased form,
    shape and gazetteer class (the last three are what the neighbours see of it)."""
    lw = word.lower()
    shape = _shape(word)
    script = _script(word)
    f = ["w=" + lw[:24], "s=" + shape, "sc=" + script]
    gaz = ""
    if script in "LCA" and len(word) > 1:
        f += ["x2=" + lw[-2:], "x3=" + lw[-3:], "x4=" + lw[-4:], "p3=" + lw[:3]]
        first = lw in lexicon.first_names() or lw in lexicon.cyrillic_first_names()
        last = lw in lexicon.last_names() or lw in lexicon.cyrillic_last_names()
        if first:
            f.append("gfn")
            gaz += "f"
        if last:
            f.append("gln")
            gaz += "l"
        if lw in lexicon.weak_last_names():
            f.append("gwl")
        if lw in lexicon.places():
            f.append("gpl")
            gaz += "p"
        if script == "L":
            f.append("z=" + _zipf_bucket(lw))
        elif script == "C":
            f.extend(_morph(lw))
            roles = [m for m in _morph(lw) if m in ("mName", "mSurn", "mPatr")]
            gaz += "".join(r[1] for r in roles)
    elif len(word) == 1 and script in "LCA":
        f.append("init" if word.isupper() else "one")
    return tuple(f), lw[:24], shape, gaz or "-"


def _multiword_places(text: str, spans: list[tuple[int, int]], stat: list[tuple[tuple[str, ...], str, str, str]]) -> set[int]:
    """Indexes of the tokens that make up a two- or three-word place name ("Los Angeles",
    "Нижний Новгород"), looked up only where the first word is capitalised."""
    places = lexicon.places()
    out: set[int] = set()
    for i in range(len(spans) - 1):
        if not text[spans[i][0]].isupper():
            continue
        pair = stat[i][1] + " " + stat[i + 1][1]
        if pair in places and text[spans[i][1]:spans[i + 1][0]] == " ":
            out.update((i, i + 1))
        elif i + 2 < len(spans) and pair + " " + stat[i + 2][1] in places:
            out.update((i, i + 1, i + 2))
    return out


def features(text: str, spans: list[tuple[int, int]]) -> list[list[str]]:
    """The feature strings of each token: its own, its neighbours' (two each side) and where it
    sits in its line (start, after a "key:" — with the key's last word — in a table cell)."""
    n = len(spans)
    stat = [_static(text[s:e]) for s, e in spans]
    in_place = _multiword_places(text, spans, stat)
    out: list[list[str]] = []
    line_start = 0
    key = ""
    colon_seen = False
    prev_end = 0
    for i, (s, e) in enumerate(spans):
        nl = text.rfind("\n", prev_end, s)
        if nl != -1 or i == 0:
            line_start = i
            key = ""
            colon_seen = False
        own, lw, shape, gaz = stat[i]
        f = ["b", *own, "g=" + gaz]
        if i in in_place:
            f.append("gpl2")
        if i == line_start:
            f.append("bol")
        if i + 1 == n or text.find("\n", e, spans[i + 1][0]) != -1:
            f.append("eol")
        if colon_seen:
            f.append("key=" + key)
        if i > 0:
            _, plw, pshape, pgaz = stat[i - 1]
            f += ["-1w=" + plw, "-1s=" + pshape, "-1g=" + pgaz, "-1ws=" + plw + "|" + shape]
            if i > 1:
                f += ["-2w=" + stat[i - 2][1], "-2g=" + stat[i - 2][3]]
        else:
            f.append("BOS")
        if i + 1 < n:
            _, nlw, nshape, ngaz = stat[i + 1]
            f += ["+1w=" + nlw, "+1s=" + nshape, "+1g=" + ngaz]
            if i + 2 < n:
                f += ["+2w=" + stat[i + 2][1], "+2g=" + stat[i + 2][3]]
        else:
            f.append("EOS")
        out.append(f)
        if not colon_seen and lw in (":", "=", "|"):
            colon_seen = True
            # the key is the last word before the colon ("ФИО:", "Full name:", "name =")
            key = stat[i - 1][1] if i > line_start else ""
        prev_end = e
    return out


def _model_path() -> Path:
    return Path(str(resources.files("perimeter.privacy.detect").joinpath("data", "tagger.crfsuite")))


_local = threading.local()


def _tagger() -> Any:
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        import pycrfsuite

        tagger = pycrfsuite.Tagger()
        tagger.open(str(_model_path()))
        _local.tagger = tagger
    return tagger


def available() -> bool:
    """Whether the shipped model file is there (a source checkout before training has none)."""
    return _model_path().exists()


def marginals(text: str, spans: list[tuple[int, int]] | None = None) -> Iterator[tuple[int, int, str, float]]:
    """(start, end, label, probability) of every token the model's best sequence tags non-O;
    the probability is the token's marginal for that label (Viterbi first: the marginals of
    the O tokens, most of any text, are never asked for)."""
    spans = tokens(text) if spans is None else spans
    if not spans:
        return
    tagger = _tagger()
    labels = tagger.tag(features(text, spans))
    for i, label in enumerate(labels):
        if label != "O":
            s, e = spans[i]
            yield s, e, label, tagger.marginal(label, i)


#: The marginal probability a token needs; chosen on splits the model was not trained on
#: (``train_tagger.py --hold-out``), where it kept false alarms on PII-free text flat.
THRESHOLD = 0.85
# A lower-case "name" must be surer, and hold no ordinary word ("слава богу", "lemon curd").
_LOWER_THRESHOLD = 0.95
_WORD3 = re.compile(r"[^\W\d_]{3}")


def _evidence(word: str) -> int:
    """How much a lower-case word can be a name: 2 listed or a name reading pymorphy knows;
    1 a word nobody knows (a rare name, a chat nickname: "ержан", "moh"); 0 an ordinary word
    ("богу", "lemon", "плиз" — pymorphy's surname guesses for unknown words do not count)."""
    own, lw, _, gaz = _static(word)
    if lw.isascii():
        if lexicon.zipf(lw) >= lexicon.COMMON_ZIPF:
            return 0
        return 2 if "f" in gaz or "l" in gaz else 1
    if "f" in gaz or "l" in gaz:
        return 2
    if "munk" in own:
        return 1 if len(lw) > 3 else 0
    return 2 if gaz.strip("p-") else 0


def _plausible(kind: str, text: str, s: int, e: int, p: float) -> tuple[int, int] | None:
    """The span to report, after the checks the model cannot make from one window of
    features (None: not a finding)."""
    span = text[s:e]
    if kind == "ADDR":
        # a number and a word: not a list of numbers ("7, 14, 21"), not a country or a shop alone
        return (s, e) if _WORD3.search(span) is not None and any(c.isdigit() for c in span) else None
    if len(span) < 2 or not any(c.isalpha() for c in span):
        return None
    words = [m for m in _TOKEN.finditer(text, s, e) if m.group()[0].isalpha()]
    if len(words) == 1 and words[0].group().lower() in lexicon.places():
        return None  # "Manila", "Lagos": a place first; a rule with a cue finds the person
    if span.islower():
        if p < _LOWER_THRESHOLD:
            return None
        score = [_evidence(m.group()) for m in words]
        if 0 in score:
            return None  # "слава богу", "lemon curd": a phrase
        if 2 in score:  # a chat word glued to a name ("ани смирновой плиз"): trim it
            first = score.index(2)
            last = len(score) - 1 - score[::-1].index(2)
            return words[first].start(), words[last].end()
    return s, e


# Scored below the rules (0.8–0.95): where a rule reads the same span, the rule's type wins.
_SCORE_SCALE = 0.75


def find_tagged(text: str, threshold: float = THRESHOLD) -> list[Entity]:
    """PERSON and ADDRESS findings: runs of tokens the model gives ≥ ``threshold`` for one label."""
    runs: list[list[Any]] = []  # [start, end, label, best probability]
    for s, e, label, p in marginals(text):
        if p < threshold:
            continue
        join = _JOIN_ADDR if label == "ADDR" else _JOIN
        if runs and runs[-1][2] == label and join.fullmatch(text, runs[-1][1], s):
            runs[-1][1] = e
            runs[-1][3] = max(runs[-1][3], p)
        else:
            runs.append([s, e, label, p])
    out = []
    for s, e, label, p in runs:
        kept = _plausible(label, text, s, e, p)
        if kept is not None:
            a, b = kept
            out.append(Entity(_TYPE_OF[label], a, b, text[a:b], round(p * _SCORE_SCALE, 3), "tagger"))
    return out
