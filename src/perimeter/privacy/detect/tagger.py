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

Cost (issue 13): what a word contributes to the rows — its own strings and the ten its
neighbours see of it — is built once per distinct word and cached (``_view``; ``_model_view``
for the model), so a token costs a few list extends.  The model is given those rows as UTF-8
bytes less the attributes it has no weight for (``_known``): CRFsuite would drop them itself,
so labels and marginals are the same floats.  On new text pymorphy3 is most of the cost (one
dictionary look-up per new Cyrillic word, not two: ``_in_dictionary``).
``benchmarks/privacy/tagger_identity.py`` proves the output unchanged against a copy of an
older module; ``benchmarks/privacy/bench_tagger.py`` times the two.  Since round 16 the model is
not given those strings at all but three summed label scores per token (``tagger_sums``, made by
:func:`summed`): the same labels, the marginals to the last bits of a double; the strings' path
stays for a model file laid out otherwise.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from operator import itemgetter
from pathlib import Path
from typing import Any

from perimeter.privacy.detect import lexicon, tagger_sums
from perimeter.privacy.detect.morph import analyzer, ordinary_word
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
    # the common shapes without the per-character loop (same results: a character is "X" when
    # isupper(), else "x" when isalpha(), else "d" when isdigit())
    if word.isalpha():
        # (not str.isupper(): "A中" is upper-case to it, "Xx" here)
        if word.islower():  # no upper-case letter at all (uncased letters: "x" too)
            return "x"
        if word[0].isupper() and word[1:].islower():
            return "Xx"
    elif word.isdigit():
        return f"d{min(len(word), 9)}"
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


_MORPH_MARKS = frozenset(("Name", "Surn", "Patr", "Geox", "Orgn", "Abbr"))


@lru_cache(maxsize=65536)
def _morph(lw: str) -> tuple[str, ...]:
    """pymorphy3's view of a Cyrillic word: name roles, places, organisations, part of speech
    and case of the likeliest reading, and whether the word is in its dictionary at all."""
    parses = analyzer().parse(lw)
    out: set[str] = set()
    for p in parses[:4]:
        # set intersection, not `g in tag` six times: for an absent grammeme pymorphy3 checks
        # in Python that the name is valid (these six are), a third of this loop's time
        out.update("m" + g for g in _MORPH_MARKS.intersection(p.tag.grammemes))
    if parses:
        top = parses[0].tag
        out.add(f"mp={top.POS}")
        if top.case:
            out.add(f"mc={top.case}")
        if not _in_dictionary(parses):
            out.add("munk")
    return tuple(sorted(out))


@lru_cache(maxsize=1)
def _dictionary_unit() -> type:
    from pymorphy3.units.by_lookup import DictionaryAnalyzer

    return DictionaryAnalyzer


def _in_dictionary(parses: list[Any]) -> bool:
    """``parses[0].is_known`` without its second dictionary look-up (~14 µs, a tenth of a new
    Cyrillic word's cost): pymorphy3 asks its dictionary first and stops there when it has the
    word, so either some reading is the dictionary's own (a one-step ``methods_stack``) and the
    word is known, or every reading was guessed (prefix, suffix, hyphen, unknown) for a word —
    or an ё/е spelling of it — that the same dictionary lookup did not find, and ``is_known``
    says no.  tests/privacy_detect/test_tagger_speed.py checks the two agree."""
    unit = _dictionary_unit()
    return any(len(p.methods_stack) == 1 and isinstance(p.methods_stack[0][0], unit) for p in parses)


#: Round 14's experiment (docs/privacy-detection.md, "Round 14"): the gazetteer reads the grown
#: given-name lists and a Cyrillic word that is a listed name with a case ending or a pet suffix
#: is marked ``gfi``.  Off for the shipped model, which was trained without either; only
#: ``train_tagger.py --grown-lists`` turns it on, before any feature is built.
GROWN_LISTS = False


@lru_cache(maxsize=1)
def _gazetteers() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str], frozenset[str], frozenset[str], dict[str, float]]:
    """The word lists ``_static`` looks a word up in, fetched by one call (seven were a third of
    its time on a new Latin word)."""
    # the lists the model was trained with: a list grown since (round 13's hand-written names)
    # would change its inputs under it; the rules read the grown lists.  Round 14 trained on the
    # grown ones (GROWN_LISTS, train_tagger.py --grown-lists) and did not ship the result.
    if GROWN_LISTS:
        return (lexicon.first_names(), lexicon.cyrillic_first_names(), lexicon.last_names(), lexicon.cyrillic_last_names(),
                lexicon.weak_last_names(), lexicon.places(), lexicon.common_words())
    return (lexicon.first_names_as_trained(), lexicon.cyrillic_first_names_as_trained(), lexicon.last_names(), lexicon.cyrillic_last_names(),
            lexicon.weak_last_names(), lexicon.places(), lexicon.common_words())


#: Case endings a Cyrillic given name takes ("Бахром" -> "Бахромом", "Гульноза" -> "Гульнозой"),
#: longest first, and the endings its nominative may have lost with them.
_CASE_ENDINGS = ("ом", "ем", "ой", "ей", "ою", "ею", "у", "ю", "а", "я", "е", "ы", "и")
_NOMINATIVE_TAILS = ("", "а", "я", "й", "ь")
#: Pet suffixes before a case ending ("Арсланчик", "Айгулька", "Тимурик", "Рустамчиком").
_PET_SUFFIXES = ("чик", "ечк", "очк", "ушк", "юшк", "еньк", "оньк", "ул", "юл", "ус", "юс", "ик", "ок", "к")


def _inflected_given(lw: str, names: frozenset[str]) -> bool:
    """Whether a Cyrillic word pymorphy does not know is a listed given name with a case ending
    or a pet suffix ("бахромом", "асели", "арсланчик", "айгульке"): the round-13 names are in
    the lists in the nominative only, and pymorphy has no paradigm for most of them."""
    stems = [lw]
    for end in _CASE_ENDINGS:
        if lw.endswith(end) and len(lw) - len(end) >= 3:
            stems.append(lw[:-len(end)])
    for stem in stems:
        if stem != lw and any(stem + t in names for t in _NOMINATIVE_TAILS):
            return True
        for pet in _PET_SUFFIXES:
            if stem.endswith(pet) and len(stem) - len(pet) >= 3:
                base = stem[:-len(pet)]
                if any(base + t in names for t in _NOMINATIVE_TAILS):
                    return True
    return False


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
        first_names, cyrillic_first, last_names, cyrillic_last, weak_last, places, common = _gazetteers()
        first = lw in first_names or lw in cyrillic_first
        last = lw in last_names or lw in cyrillic_last
        if first:
            f.append("gfn")
            gaz += "f"
        if last:
            f.append("gln")
            gaz += "l"
        if lw in weak_last:
            f.append("gwl")
        if lw in places:
            f.append("gpl")
            gaz += "p"
        if script == "L":
            z = common.get(lw.lower(), 0.0)  # lexicon.zipf(lw), without two calls
            f.append("z=" + ("0" if z == 0 else str(int(z))))
        elif script == "C":
            morph = _morph(lw)
            f.extend(morph)
            roles = [m for m in morph if m in ("mName", "mSurn", "mPatr")]
            gaz += "".join(r[1] for r in roles)
            if GROWN_LISTS and not first and "munk" in morph and _inflected_given(lw, cyrillic_first):
                f.append("gfi")
                gaz += "i"
    elif len(word) == 1 and script in "LCA":
        f.append("init" if word.isupper() else "one")
    return tuple(f), lw[:24], shape, gaz or "-"


#: What one word shows in the rows of features: its own strings (``b`` first, ``g=`` last); the
#: strings its neighbours see of it one token before them, two before, one after, two after; the
#: head of the ``-1ws=`` string of the token after it (None: the model knows no such string);
#: its shape (for the ``-1ws=`` of the token before it) and its lower-cased form.
#: ``features`` works on ``str``; the model's rows are UTF-8 ``bytes`` (see ``_model_view``).
_View = tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...], tuple[Any, ...], tuple[Any, ...], Any, Any, str]


@lru_cache(maxsize=65536)
def _view(word: str) -> _View:
    """Every per-word string ``features`` used to build per token (ten neighbour strings per
    token, most of its time), built once per distinct word instead."""
    own, lw, shape, gaz = _static(word)
    return (("b", *own, "g=" + gaz), ("-1w=" + lw, "-1s=" + shape, "-1g=" + gaz), ("-2w=" + lw, "-2g=" + gaz),
            ("+1w=" + lw, "+1s=" + shape, "+1g=" + gaz), ("+2w=" + lw, "+2g=" + gaz), "-1ws=" + lw + "|", shape, lw)


@lru_cache(maxsize=1)
def _place_heads() -> frozenset[str]:
    """The first words of the multi-word place names: a pair or a triple can only be a place
    when its first word is one of these, so the rest are not joined and looked up."""
    return frozenset(p.partition(" ")[0] for p in lexicon.places() if " " in p)


def _multiword_places(text: str, spans: list[tuple[int, int]], lws: list[str]) -> set[int]:
    """Indexes of the tokens that make up a two- or three-word place name ("Los Angeles",
    "Нижний Новгород"), looked up only where the first word is capitalised."""
    out: set[int] = set()
    heads = _place_heads().intersection(lws)
    if not heads:
        return out
    places = lexicon.places()
    for i in [i for i, lw in enumerate(lws[:-1]) if lw in heads]:  # the few heads, not a Python loop over every token
        if not text[spans[i][0]].isupper():
            continue
        pair = lws[i] + " " + lws[i + 1]
        if pair in places and text[spans[i][1]:spans[i + 1][0]] == " ":
            out.update((i, i + 1))
        elif i + 2 < len(spans) and pair + " " + lws[i + 2] in places:
            out.update((i, i + 1, i + 2))
    return out


# The columns of a view (``_View``), taken by C-level getters: a generator per column cost more.
_BEFORE2, _AFTER1, _AFTER2, _LOWER_WORD = itemgetter(2), itemgetter(3), itemgetter(4), itemgetter(7)


def _position_strings(text: str, spans: list[tuple[int, int]], lws: list[str],
                      keep: Callable[[str], tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The strings of each token that depend on where it sits in its line, in ``features``'
    order: ``gpl2`` (part of a multi-word place), ``bol``, ``eol``, ``key=`` (the last word
    before the line's first colon, for the tokens after it).  ``keep`` turns a string into what
    the caller passes on (a 1-tuple) or drops (an empty one)."""
    n = len(spans)
    extra: list[tuple[Any, ...]] = [()] * n
    gpl2, bol, eol = keep("gpl2"), keep("bol"), keep("eol")
    if gpl2:
        for i in _multiword_places(text, spans, lws):
            extra[i] = gpl2
    starts = [0]
    if "\n" in text:
        # the first token after each line break (tokens never hold one)
        begins = [s for s, _ in spans]
        at = text.find("\n")
        while at != -1:
            i = bisect_right(begins, at)
            if i >= n:
                break
            if i > starts[-1]:
                starts.append(i)
            at = text.find("\n", begins[i])
    colons = [i for i, lw in enumerate(lws) if lw in (":", "=", "|")] if ":" in text or "=" in text or "|" in text else []
    for j, first in enumerate(starts):
        end = starts[j + 1] if j + 1 < len(starts) else n
        extra[first] += bol
        extra[end - 1] += eol
        c = bisect_left(colons, first)
        if c < len(colons) and (i := colons[c]) < end:  # the line's first colon
            # the key is the last word before the colon ("ФИО:", "Full name:", "name =")
            kf = keep("key=" + (lws[i - 1] if i > first else ""))
            if kf:
                for k in range(i + 1, end):
                    extra[k] += kf
    return extra


def _rows(text: str, spans: list[tuple[int, int]], views: list[_View], known: frozenset[bytes] | None) -> list[list[Any]]:
    """The rows of ``features`` from per-word views.  With ``known`` (the model's attributes,
    as bytes) the views are ``_model_view``'s, and the per-token strings the model has no weight
    for are left out as well.

    Built column by column (what each token sees of the one before, two before, after …) and
    joined in one pass: a per-token loop with its branches cost twice as much."""
    n = len(spans)
    if not n:
        return []

    def keep(s: str) -> tuple[Any, ...]:
        if known is None:
            return (s,)
        b = s.encode()
        return (b,) if b in known else ()

    lws = list(map(_LOWER_WORD, views))
    extra = _position_strings(text, spans, lws, keep)
    # what each token sees of its neighbours; -1ws= pairs the word before with this shape
    if known is None:
        before1 = [("BOS",), *((*p[1], p[5] + v[6]) for p, v in pairwise(views))]
    else:
        before1 = [keep("BOS"), *(p[1] if (h := p[5]) is None or (ws := h + v[6]) not in known else (*p[1], ws)
                                  for p, v in pairwise(views))]
    empty: tuple[Any, ...] = ()
    before2 = [empty, empty, *map(_BEFORE2, views[:-2])][:n]
    after1 = [*map(_AFTER1, views[1:]), keep("EOS")]
    after2 = [*map(_AFTER2, views[2:]), empty, empty][:n]
    return [[*v[0], *x, *b1, *b2, *a1, *a2]
            for v, x, b1, b2, a1, a2 in zip(views, extra, before1, before2, after1, after2, strict=True)]


def features(text: str, spans: list[tuple[int, int]]) -> list[list[str]]:
    """The feature strings of each token: its own, its neighbours' (two each side) and where it
    sits in its line (start, after a "key:" — with the key's last word — in a table cell)."""
    return _rows(text, spans, [_view(text[s:e]) for s, e in spans], None)


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


@lru_cache(maxsize=1)
def _info() -> Any:
    """pycrfsuite's parse of the model's dump (its attributes, labels, header): ~70 ms, read once
    for both ``_known`` and ``summed``."""
    return _tagger().info()


@lru_cache(maxsize=1)
def _known() -> frozenset[bytes] | None:
    """The attributes the model has weights for, UTF-8 encoded (None where they cannot be read).

    CRFsuite drops every attribute of an item that is not in the model's dictionary before it
    scores anything (``Tagger::set``), so leaving those strings out of what is passed changes no
    label and no marginal: the known ones keep their order, so even the floating-point sums
    are the same.  A quarter of the strings ``features`` builds are unknown words and pairs.
    Read once per process through pycrfsuite's model dump (~70 ms, at the gateway's warm-up)
    and checked against the count in the model's header: anything unexpected means no filter.
    """
    try:
        info = _info()
        attrs = frozenset(a.encode() for a in info.attributes)
        return attrs if len(attrs) == int(info.header["num_attrs"]) else None
    except (OSError, KeyError, ValueError):
        return None


class _Every(frozenset[bytes]):
    """Where the model's attributes could not be read: every attribute is passed (unfiltered)."""

    def __contains__(self, item: object) -> bool:
        return True


_EVERY = _Every()


@lru_cache(maxsize=1)
def _encoder() -> Callable[[str], bytes | None]:
    """A feature string -> the model's own bytes object for it, or None where the model does not
    know it (or ``str.encode`` where the attributes could not be read): one C-level dict look-up
    in place of an encode and a set look-up, and the views share the model's 6k bytes objects
    instead of holding copies."""
    known = _known()
    if known is None:
        return str.encode
    return {a.decode(): a for a in known}.get


_NEIGHBOUR_WORD = ("-1w=", "-2w=", "+1w=", "+2w=")
_Strings = tuple[bytes, ...]


@lru_cache(maxsize=1)
def _heads() -> tuple[dict[str, tuple[_Strings, _Strings, _Strings, _Strings]], dict[str, bytes]]:
    """From the known attributes, by lower-cased word: its known ``-1w=``, ``-2w=``, ``+1w=``
    and ``+2w=`` strings (most words have none), and the ``-1ws=word|`` head that some known
    ``-1ws=word|shape`` starts with (a word may be "|" itself).  A new word's view then needs
    two dict look-ups, not ten strings built and looked up."""
    known = _known() or frozenset()
    words: dict[str, list[_Strings]] = {}
    ws: dict[str, bytes] = {}
    for a in known:
        text = a.decode()
        if text[:4] in _NEIGHBOUR_WORD:
            words.setdefault(text[4:], [(), (), (), ()])[_NEIGHBOUR_WORD.index(text[:4])] = (a,)
        elif text.startswith("-1ws="):
            for i in range(5, len(text)):
                if text[i] == "|":
                    ws[text[5:i]] = text[:i + 1].encode()
    return {w: (v[0], v[1], v[2], v[3]) for w, v in words.items()}, ws


@lru_cache(maxsize=4096)
def _context(shape: str, gaz: str) -> tuple[_Strings, _Strings, _Strings, _Strings, bytes]:
    """The known shape and gazetteer strings a word shows its neighbours (few distinct pairs),
    and its shape as bytes."""
    enc = _encoder()
    return (tuple(filter(None, map(enc, ("-1s=" + shape, "-1g=" + gaz)))), tuple(filter(None, map(enc, ("-2g=" + gaz,)))),
            tuple(filter(None, map(enc, ("+1s=" + shape, "+1g=" + gaz)))), tuple(filter(None, map(enc, ("+2g=" + gaz,)))),
            shape.encode())


@lru_cache(maxsize=65536)
def _model_view(word: str) -> _View:
    """``_view`` as the model is given it: UTF-8 bytes (pycrfsuite converts ``str`` to them per
    string per call; ~0.1 ms/KB), less the strings the model does not know (see ``_known``).
    This runs once per new word (cold text): C-level map/filter over its own strings; what it
    shows its neighbours comes from ``_context`` and ``_heads``."""
    enc = _encoder()
    own, lw, shape, gaz = _static(word)
    mine = tuple(filter(None, map(enc, ("b", *own, "g=" + gaz))))
    if enc is str.encode:  # the attributes could not be read: every string, unfiltered
        return (mine, tuple(map(enc, ("-1w=" + lw, "-1s=" + shape, "-1g=" + gaz))),
                tuple(map(enc, ("-2w=" + lw, "-2g=" + gaz))), tuple(map(enc, ("+1w=" + lw, "+1s=" + shape, "+1g=" + gaz))),
                tuple(map(enc, ("+2w=" + lw, "+2g=" + gaz))), ("-1ws=" + lw + "|").encode(), shape.encode(), lw)
    words, ws = _heads()
    b1, b2, a1, a2, sb = _context(shape, gaz)
    named = words.get(lw)
    if named is not None:  # the word's own neighbour strings come first, as in features()
        b1, b2, a1, a2 = named[0] + b1, named[1] + b2, named[2] + a1, named[3] + a2
    return mine, b1, b2, a1, a2, ws.get(lw), sb, lw


def _model_rows(text: str, spans: list[tuple[int, int]]) -> list[list[bytes]]:
    """What the model is given for ``text``: ``features`` as UTF-8 bytes, less the attributes
    the model does not know — the same labels and marginals (see ``_known``) from three
    quarters of the strings, which pycrfsuite need not encode (set+tag ~0.6 -> ~0.36 ms/KB)."""
    return _rows(text, spans, [_model_view(text[s:e]) for s, e in spans], _known() or _EVERY)


@lru_cache(maxsize=1)
def summed() -> tagger_sums.Summed | None:
    """The summed-scores tagger (tagger_sums), made once per process from the model file and
    this module's per-word views; None where the model's attributes or layout could not be read
    (then ``marginals`` gives CRFsuite the strings)."""
    if _known() is None:
        return None
    try:
        raw = _model_path().read_bytes()
    except OSError:
        return None
    model = tagger_sums.read(raw, _info())
    return None if model is None else tagger_sums.Summed(model, _model_view, _position_strings)


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
    fast = summed()
    got = fast.tag(text, spans) if fast is not None else None
    if got is not None:  # three summed scores per token (tagger_sums), not ~10 strings
        tagger, labels = got
    else:
        tagger = _tagger()
        labels = tagger.tag(_model_rows(text, spans))
    for i, label in enumerate(labels):
        if label != "O":
            s, e = spans[i]
            yield s, e, label, tagger.marginal(label, i)


#: The marginal probability a token needs; chosen on splits the model was not trained on
#: (``train_tagger.py --hold-out``), where it kept false alarms on PII-free text flat.
THRESHOLD = 0.85
#: Addresses are surer (a run of them must also hold a number and a word): at 0.5 the held-out
#: splits gained recall with no more false alarms on blind6 and one more document on train10.
ADDRESS_THRESHOLD = 0.5
# A lower-case "name" must be surer, and hold no ordinary word ("слава богу", "lemon curd").
_LOWER_THRESHOLD = 0.95
_WORD3 = re.compile(r"[^\W\d_]{3}")


@lru_cache(maxsize=16384)
def _only_a_name(lw: str) -> bool:
    """Whether every reading pymorphy has of ``lw`` is a name (or it knows none): a lone
    lower-case word with another reading ("мила была погода") is left to the rules' cues."""
    parses = analyzer().parse(lw)
    if not parses or not parses[0].is_known:
        return True
    return all(any(g in p.tag for g in ("Name", "Surn", "Patr")) for p in parses if p.score > 0.05)


@lru_cache(maxsize=16384)
def _also_a_word(lw: str) -> bool:
    """Whether pymorphy reads a Cyrillic name as an ordinary noun as well, with some weight
    ("лев" the lion, "роза", "вера", "слава"): one word of it needs the lower-case certainty."""
    parses = analyzer().parse(lw)
    if parses and parses[0].is_known and not any(g in parses[0].tag for g in ("Name", "Surn", "Patr")):
        return True  # "Гостевой дом": a capital on an ordinary word
    return any(p.is_known and p.score >= 0.2 and not any(g in p.tag for g in ("Name", "Surn", "Patr"))
               and p.tag.POS == "NOUN" for p in parses)


def _evidence(word: str) -> int:
    """How much a lower-case word can be a name: 2 listed or a name reading pymorphy knows;
    1 a word nobody knows (a rare name, a chat nickname: "ержан", "moh"); 0 an ordinary word
    ("богу", "lemon", "роман" — and pymorphy's surname guesses for unknown words do not count)."""
    own, lw, _, gaz = _static(word)
    if lw.isascii():
        if lexicon.zipf(lw) >= lexicon.COMMON_ZIPF:
            return 0
        return 2 if "f" in gaz or "l" in gaz else 1
    if ordinary_word(lw):
        return 0
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
    kept = _plausible_name(text, s, e, p)
    if kept is not None and text.endswith(("'s", "’s", "'S"), kept[0], kept[1]) and kept[1] - kept[0] > 3:
        return kept[0], kept[1] - 2  # "yuki's pr": the possessive is not part of the name
    return kept


def _plausible_name(text: str, s: int, e: int, p: float) -> tuple[int, int] | None:
    """``_plausible`` for a PER run: places, nouns that are names too, lower-case phrases."""
    span = text[s:e]
    words = [m for m in _TOKEN.finditer(text, s, e) if m.group()[0].isalpha()]
    if len(words) == 1 and words[0].group().lower() in lexicon.places():
        return None  # "Manila", "Lagos": a place first; a rule with a cue finds the person
    if len(words) == 1 and text.startswith("-", e) and text[e + 1:e + 2].islower():
        return None  # "Arsen-style label", "Kafka-like queue": a name glued into an adjective
    if len(words) == 1 and span.isascii() and span.isupper() and len(span) <= 4 and span.isalpha():
        return None  # "12.4M KZT", "HR", "CEO": a code or an initialism, no one's name
    if len(words) == 1 and p < _LOWER_THRESHOLD and not span.isascii() and _also_a_word(span.lower()):
        return None  # "Лев — самый крупный хищник", "Роза цветёт": a name that is a noun too
    if span.islower():
        if p < _LOWER_THRESHOLD:
            return None
        score = [_evidence(m.group()) for m in words]
        if 0 in score:
            return None  # "слава богу", "lemon curd": a phrase
        if len(words) == 1 and not words[0].group().isascii() and not _only_a_name(words[0].group()):
            return None
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
        if p < (ADDRESS_THRESHOLD if label == "ADDR" else threshold):
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
