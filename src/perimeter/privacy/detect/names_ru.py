"""Russian person names: pymorphy3 name grammemes first, natasha's NER where they are unsure.

natasha's NER (slovnet over navec embeddings) finds names in any grammatical case, but costs
~0.1 s per kilobyte on a shared core — far above the 5 ms budget.  pymorphy3 (the morphology
natasha's ecosystem uses) tags first names, surnames and patronymics in any case from its
dictionary and suffix rules in microseconds.  So runs of capitalised words are labelled with
those grammemes; a run is a person when it has a patronymic, a first name next to a
surname-like word, a surname with initials ("Петров И. С.") or a confident surname alone.  Only
runs the grammemes cannot settle (unknown capitalised words in mid-sentence) go to the NER,
one sentence at a time, cached.  Both models ship inside their PyPI wheels and run offline.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from perimeter.privacy.detect import folded_re
from perimeter.privacy.detect.names_ru_cues import find_slot_names
from perimeter.privacy.detect.names_ru_lines import line_pair
from perimeter.privacy.detect.ru_profile import noun_mass as _noun_mass
from perimeter.privacy.detect.ru_profile import word_profile
from perimeter.privacy.entities import Entity

_TOKEN = re.compile(r"[А-ЯЁІЇЄҐ][а-яёіїєґ']+(?:-[А-ЯЁ]?[а-яёіїєґ]+)?|[А-ЯЁ]\.")
_SENTENCE_END = re.compile(r"[.!?\n]")
_HONORIFIC = re.compile(r"(?:г-н|г-жа|господин\w*|госпож\w*|гражданин\w*|гражданк\w*|уважаем\w*|тов\.)\s*$", re.IGNORECASE)
# "у Вики", "позвонить Диме", "спросить у Саши": words that put the next word in a person's place.
_PERSON_CUE = re.compile(
    r"(?:^|[\s(])(?:у|к|ко|от|для|с|со|про|при|спроси\w*|позвони\w*|напиши\w*|передай\w*|попроси\w*|скажи\w*)\s+$",
    re.IGNORECASE,
)
_CAPS_RUN = re.compile(r"(?<![А-ЯЁа-яё])[А-ЯЁ]{2,}(?:-[А-ЯЁ]{2,})?(?:[ \u00a0]+[А-ЯЁ]{2,}(?:-[А-ЯЁ]{2,})?){1,3}(?![А-ЯЁа-яё])")
_NOT_NAME = frozenset({"Привет", "Здравствуйте", "Спасибо", "Уважаемый", "Уважаемая", "Добрый", "Прошу", "Ооо", "Оао", "Зао", "Пао", "Ип"})

_lock = threading.Lock()
_ner: Any = None


def load_morph() -> Any:
    """The process-wide pymorphy3 analyzer, shared with the pseudonymizer (loaded once)."""
    from perimeter.privacy.detect.morph import analyzer

    return analyzer()


def load_ner() -> Any:
    global _ner
    if _ner is None:
        with _lock:
            if _ner is None:
                from natasha import NewsEmbedding, NewsNERTagger

                _ner = NewsNERTagger(NewsEmbedding())
    return _ner


@lru_cache(maxsize=4096)
def _ner_spans(sentence: str) -> tuple[tuple[int, int, str], ...]:
    tagger = load_ner()
    with _ner_lock:
        markup = tagger(sentence)
    return tuple((s.start, s.stop, s.type) for s in markup.spans)


_ner_lock = threading.Lock()


def _label(word: str, mid_sentence: bool) -> str:
    """I(nitial), P(atronymic), N(ame), S(urname), U(nknown word), A(ny other capitalised word
    mid-sentence, a surname candidate next to a name) or O(ther)."""
    if len(word) == 2 and word.endswith("."):
        return "I"
    if word in _NOT_NAME:
        return "O"
    name, surn, patr, other, known = word_profile(word)
    if patr >= 0.5:
        return "P"
    # A capitalised word in mid-sentence is a proper noun, so even a weak name reading counts
    # ("Роман" is mostly the common noun "novel", but not when capitalised mid-sentence).
    low = 0.05 if mid_sentence else 0.4
    if name >= low and name >= other and name >= surn:
        return "N"
    if surn >= (0.05 if mid_sentence else 0.3) and surn >= other:
        return "S"
    if name >= low and name >= other:
        return "N"
    low_word = word.lower()
    if name + surn < 0.05:
        from perimeter.privacy.detect import lexicon

        # Faker's Cyrillic lists: Ukrainian/Bulgarian names and names pymorphy reads as places ("София").
        if low_word in lexicon.cyrillic_first_names():
            return "N"
        if low_word in lexicon.cyrillic_last_names():
            return "S"
    if not known and other < 0.3 and mid_sentence:
        return "U"
    if mid_sentence and other < 0.3:
        return "A"
    return "O"


@lru_cache(maxsize=65536)
def _is_verb(word: str) -> bool:
    parses = load_morph().parse(word)
    return bool(parses) and parses[0].tag.POS in ("VERB", "PRTS") and parses[0].score >= 0.5


@lru_cache(maxsize=65536)
def _is_past_verb(word: str) -> bool:
    parses = load_morph().parse(word)
    return bool(parses) and parses[0].tag.POS == "VERB" and "past" in parses[0].tag and parses[0].score >= 0.5


_NEXT_WORD = re.compile(r"[ \u00a0]+([а-яё]+)")
# "в Королёве", "на Ямале": after these a lone capitalised word is a place unless it is a
# person's accusative ("верю в Петрова").
_PLACE_BEFORE = re.compile(
    r"(?:^|[\s(,])(?:в|во|на)\s+(?:[А-ЯЁ][\w\-ё]*\s*(?:,|\sи)\s*)*$", re.IGNORECASE)
_PLACE_BEFORE_WIDE = re.compile(
    r"(?:^|[\s(,])(?:в|во|на|под|над|близ|около|возле|вблизи|из-под)\s+"
    r"(?:[А-ЯЁ][\w\-ё]*(?:\s+[А-ЯЁ][\w\-ё]*)?\s*(?:,|\sи)\s*)*$",
    re.IGNORECASE)
# A capitalised word before one of these names a place or an institution, not a person.
_PLACE_NOUN_AFTER = re.compile(
    r"[ \u00a0]+(?:вокзал|проспект|район|област|кра[йяею]|гор[аыеу]?\b|горы|мост|собор|парк|сад|театр|музе|"
    r"университет|институт|завод|комбинат|рын(?:ок|ка)|бульвар|переул|площад|улиц|шоссе|набережн|канал|остров|"
    r"озер|рек[аиеу]|залив|мор[ея]|монастыр|кремл|аэропорт|станци|метро|фабрик|двор(?:ец|ца)|сквер|лес|тракт|"
    r"губерни|уезд|волост|федерац|республик|округ|тупик|проезд|вокзал|полуостров|хреб(?:ет|та)|ущель|равнин|"
    r"(?i:посад|слобод))",
)
_ADJECTIVAL = re.compile(r"(?:ский|ская|ское|ского|скому|ским|ской|скую|цкий|цкая|цкого|цкому|цким|цкой)$")
_NAMED_AFTER = re.compile(
    r"(?<![\w])(?:улиц\w*|ул\.|проспект\w*|пр-т|площад\w*|пл\.|переул\w*|пер\.|бульвар\w*|набережн\w*|шоссе|"
    r"станци\w*|метро|им\.|имени)\s+$",
    re.IGNORECASE,
)


@lru_cache(maxsize=65536)
def _accusative_person(word: str) -> bool:
    """Can ``word`` be a name in the accusative (an animate accusative: "в Петрова")?"""
    return any(
        p.tag.case == "accs" and ({"Name", "Surn", "Patr"} & p.tag.grammemes) and p.score >= 0.1
        for p in load_morph().parse(word)
    )


# --- names typed in lower case, as in chat ("скинь контакт ани смирновой", "передай игорю").
_LOW_WORD = re.compile(r"(?<![А-Яа-яЁёA-Za-z\-])[а-яё]{2,}(?:-[а-яё]{2,})?(?![А-Яа-яЁёA-Za-z])")
_SURNAME_OR_PATRONYMIC = re.compile(
    r"(?:ов|ев|ёв|ин|ын|ова|ева|ёва|ина|ына|ову|еву|ёву|ину|ыну|овым|евым|иным|овой|евой|иной|ко|ук|юк|ян|дзе|"
    r"швили|ский|ская|ской|скому|ского|ским|вич|вна|вны|вне|вну|вной|вича|вичу|вичем)$"
)


def _strong(word: str, role: int) -> bool:
    """A lower-case word read as a name part (0 first name, 1 surname, 2 patronymic) with little
    room for a common-noun reading ("вера", "роман", "лев" stay words)."""
    profile = word_profile(word.capitalize())
    noun = _noun_mass(word.capitalize())
    if role == 0:
        return profile[0] >= 0.6 and noun < 0.2 and profile[3] < 0.35
    return profile[role] >= 0.5 and noun < 0.45 and profile[3] < 0.3


def find_lowercase_names(text: str) -> list[Entity]:
    """First name + surname/patronymic in lower case; a lone first name right after a word that
    puts a person there ("скажи лене")."""
    words = list(_LOW_WORD.finditer(text))
    out: list[Entity] = []
    used = -1
    cue_verbs = folded_re.Openings(_CUE_VERB, text)  # one pass instead of a search per word
    for i, w in enumerate(words):
        if i <= used:
            continue
        word = w.group()
        nxt = words[i + 1] if i + 1 < len(words) else None
        adjacent = nxt is not None and text[w.end():nxt.start()] in (" ", "\u00a0")
        if adjacent and nxt is not None:
            pair = None
            if _SURNAME_OR_PATRONYMIC.search(nxt.group()) and _strong(word, 0) and (
                    _strong(nxt.group(), 1) or _strong(nxt.group(), 2)):
                pair = (w.start(), nxt.end())  # "саша морозов", "ольге петровне"
            elif _SURNAME_OR_PATRONYMIC.search(word) and _strong(word, 1) and _strong(nxt.group(), 0):
                pair = (w.start(), nxt.end())  # "петров иван"
            if pair is not None:
                out.append(Entity("PERSON", pair[0], pair[1], text[pair[0]:pair[1]], 0.8, "natasha_lower"))
                used = i + 1
                continue
        if cue_verbs.within(max(0, w.start() - 24), w.start()) and _PERSON_CUE.search(
                text, max(0, w.start() - 24), w.start()) and _CUE_VERB.search(
                text, max(0, w.start() - 24), w.start()) and _strong(word, 0):
            out.append(Entity("PERSON", w.start(), w.end(), word, 0.7, "natasha_lower"))
    return out


# Only verbs of asking and telling: "у лены" is as often "у лены дома" as a person's name.
_CUE_VERB = re.compile(r"(?:спроси\w*|позвони\w*|напиши\w*|передай\w*|попроси\w*|скажи\w*)\s+$", re.IGNORECASE)


def find_ru_names(text: str, use_ner: bool = True, extra_types: frozenset[str] = frozenset()) -> list[Entity]:
    # "Ростов-на-Дону": a capital glued to a hyphen continues a compound place name.
    tokens = [t for t in _TOKEN.finditer(text) if not (t.start() and text[t.start() - 1] == "-")]
    out: list[Entity] = []
    unsure: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        run = [tokens[i]]
        j = i + 1
        while j < len(tokens):
            gap = text[run[-1].end():tokens[j].start()]
            if len(gap) > 2 or gap.strip(" \u00a0") != "":
                break
            run.append(tokens[j])
            j += 1
        labels = []
        for m in run:
            mid = not _starts_sentence(text, m.start())
            labels.append(_label(m.group(), mid))
        vocative = len(run) == 1 and labels[0] == "O" and text[run[0].end():run[0].end() + 1] == ","
        if vocative and word_profile(run[0].group())[0] >= 0.1:
            labels[0] = "N"  # "Роман, вы опять не прислали отчёт"
        elif len(run) == 1 and labels[0] == "O" and word_profile(run[0].group())[0] >= 0.25 and word_profile(run[0].group())[4]:
            nxt = _NEXT_WORD.match(text, run[0].end())
            if nxt and _is_past_verb(nxt.group(1)):
                labels[0] = "N"  # "Вера сказала, что придёт"
        for n in range(len(labels) - 1):
            # "Ген. директор: Пастухов Леонид Аркадьевич": a word opening the sentence right before a
            # first name is read as it would be mid-sentence (a surname, an unknown word).
            if labels[n] == "O" and labels[n + 1] in "NP" and run[n].group() not in _NOT_NAME and (
                    n > 0 or _starts_sentence(text, run[n].start())):
                again = _label(run[n].group(), True)
                if again in "SUA" and not _is_verb(run[n].group()):
                    labels[n] = "S" if again == "U" else again
        for n in range(1, len(labels)):
            # "Роман Владимирович", "Любовь Орлова": a patronymic or surname confirms the name before it
            if (
                labels[n] in "PS" and labels[n - 1] == "O" and word_profile(run[n - 1].group())[0] > 0
                and (labels[n] == "P" or word_profile(run[n].group())[1] >= 0.5)
            ):
                labels[n - 1] = "N"
        _surname_by_initials(run, labels)
        found = _persons_in_run(text, run, labels)
        if not found and len(run) == 2 and line_pair(text, run[0].span(), run[1].span()):
            s, e = run[0].start(), run[1].end()
            found = [Entity("PERSON", s, e, text[s:e], 0.75, "ru_line")]
        out.extend(found)
        if not found and use_ner and ("U" in labels or labels.count("S") + labels.count("N") >= 2):
            unsure.append((run[0].start(), run[-1].end()))
        i = j
    out.extend(_caps_names(text))
    out.extend(find_slot_names(text))
    if use_ner and (unsure or extra_types):
        out.extend(_ner_pass(text, unsure, extra_types))
    return out


def _surname_by_initials(run: list[re.Match[str]], labels: list[str]) -> None:
    """A word written next to two initials is a surname, even one the dictionary reads as a
    common noun or does not know ("Гайдамак О.И.", "О. И. Гайдамак")."""
    for n, lab in enumerate(labels):
        if lab not in "OAU" or run[n].group() in _NOT_NAME or len(run[n].group()) < 3:
            continue
        if labels[n + 1:n + 3] == ["I", "I"] or (n >= 2 and labels[n - 2:n] == ["I", "I"]):
            labels[n] = "S"


def _caps_names(text: str) -> list[Entity]:
    """Full names typed in capitals, as bank statements and forms print them
    ("АЛЕКСЕЕВА СЕРГЕЯ ВИКТОРОВИЧА"): only with a patronymic, or a first name and a surname."""
    out: list[Entity] = []
    if not _CAPS_RUN.search(text):
        return out
    for m in _CAPS_RUN.finditer(text):
        words = m.group().split()
        labels = [_label(w.capitalize(), False) for w in words]
        core = sum(lab in "NS" for lab in labels)
        if ("P" in labels and core) or ("N" in labels and "S" in labels):
            out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.9, "natasha"))
    return out


def _starts_sentence(text: str, pos: int) -> bool:
    k = pos - 1
    while k >= 0 and text[k] in " \t\"«(\u00a0":
        k -= 1
    if k >= 1 and text[k] == "." and text[k - 1].isupper() and (k < 2 or not text[k - 2].isalpha()):
        return False  # the dot of an initial ("И. Петров"), not the end of a sentence
    return k < 0 or text[k] in ".!?\n:;—-•*>"


def _persons_in_run(text: str, run: list[re.Match[str]], labels: list[str]) -> list[Entity]:
    out: list[Entity] = []
    k = 0
    while k < len(run):
        if labels[k] == "O":
            k += 1
            continue
        m = k
        while m < len(run) and labels[m] != "O":
            m += 1
        seg = labels[k:m]
        has_core = any(lab in "NSP" for lab in seg)
        person = False
        score = 0.0
        if "P" in seg and has_core:
            person, score = True, 0.97
        elif "N" in seg and ("S" in seg or "U" in seg or "A" in seg):
            person, score = True, 0.93
        elif "S" in seg and "I" in seg:
            person, score = True, 0.95
        elif "N" in seg and "I" in seg:
            person, score = True, 0.85
        elif seg.count("N") >= 2 or seg.count("S") >= 2:
            person, score = True, 0.8
        elif len(seg) == 1 and seg[0] in "NS":
            profile = word_profile(run[k].group())
            mass = profile[0] + profile[1]
            before = text[max(0, run[k].start() - 24):run[k].start()]
            after = text[run[k].end():run[k].end() + 1]
            mid = not _starts_sentence(text, run[k].start())
            cue = mid and mass >= 0.1 and _PERSON_CUE.search(before)
            if mass >= 0.6 or (mid and mass >= 0.3) or after == "," or _HONORIFIC.search(before) or cue:
                person, score = True, 0.75
            if person and not mid and after != "," and not _HONORIFIC.search(before) and _noun_mass(run[k].group()) >= 0.25:
                # "Лев — царь зверей", "Вера в то, что…": a name that is also a common noun starts
                # a sentence about a person only when a verb follows ("Вера сказала…").
                nxt = _NEXT_WORD.match(text, run[k].end())
                person = bool(nxt and _is_verb(nxt.group(1)))
            elif not person and not mid and mass >= 0.25 and profile[4] and _noun_mass(run[k].group()) >= 0.25:
                nxt = _NEXT_WORD.match(text, run[k].end())
                person = bool(nxt and _is_past_verb(nxt.group(1)))  # "Вера сказала, что придёт"
                score = 0.7
            elif not person and not mid and mass >= 0.25 and profile[4]:
                # "Артёму исполняется 40": a name as likely as a town, opening a sentence before a verb.
                nxt = _NEXT_WORD.match(text, run[k].end())
                person, score = bool(nxt and _is_verb(nxt.group(1))), 0.7
            if person and seg[0] == "S" and _ADJECTIVAL.search(run[k].group()) and not (
                    after == "," or _HONORIFIC.search(before) or cue):
                # "надоел Невский", "от Казанского вокзала": a lone adjectival surname is as often a
                # place's adjective; it needs a person's cue.
                nxt = _NEXT_WORD.match(text, run[k].end())
                person = bool(nxt and _is_verb(nxt.group(1)))
            if text[run[k].end():run[k].end() + 2] in (" «", ' "'):
                person = False  # «Роза "Глория Дей"»: a common noun naming the thing in quotes
            if person and _PLACE_BEFORE.search(text, max(0, run[k].start() - 90), run[k].start()) and not (
                    _accusative_person(run[k].group())
                    or (profile[1] >= 0.4 and profile[3] == 0 and run[k].group().endswith("ой"))):
                person = False  # "в Королёве", "съездили в Чехов": a town; "на Ильиной" is a person
            if person and _NAMED_AFTER.search(before):
                person = False  # "улица Ленина", "университет имени Ломоносова": a public place's name
        elif seg == ["U"] and _HONORIFIC.search(text[max(0, run[k].start() - 24):run[k].start()]):
            person, score = True, 0.7
        if person and "P" not in seg and _PLACE_NOUN_AFTER.match(text, run[m - 1].end()):
            person = False  # "Казанского вокзала", "Воробьёвых гор", "Старой Руссой" area names
        if person and "P" not in seg and len(seg) == 2 and "I" not in seg and _PLACE_BEFORE_WIDE.search(
                text, max(0, run[k].start() - 90), run[k].start()):
            person = False  # "под Великими Луками и Старой Руссой"
        if person and "P" not in seg and not ("N" in seg and "S" in seg):
            # «Альфа-Банк», "Вектор": a quoted capitalised run is a company or product name.
            opening = text[run[k].start() - 1:run[k].start()]
            closing = text[run[m - 1].end():run[m - 1].end() + 1]
            if opening in ("«", '"', "“", "„") and closing in ("»", '"', "”", "“"):
                person = False
        if person:
            # Trim edge "A" words unless they touch a name word (then they are its surname).
            while len(seg) > 1 and seg[0] == "A" and seg[1] == "A":
                k += 1
                seg = seg[1:]
            while len(seg) > 1 and seg[-1] == "A" and seg[-2] == "A":
                m -= 1
                seg = seg[:-1]
        if person:
            s, e = run[k].start(), run[m - 1].end()
            out.append(Entity("PERSON", s, e, text[s:e], score, "natasha"))
        k = m
    return out


def _ner_pass(text: str, windows: list[tuple[int, int]], extra_types: frozenset[str]) -> list[Entity]:
    """Run natasha's NER on the sentences around ``windows`` (or on everything for extras)."""
    sentences = _sentences(text, [(0, len(text))] if extra_types else windows)
    out: list[Entity] = []
    kinds = {"PER": "PERSON", "LOC": "LOCATION", "ORG": "ORGANIZATION"}
    for s0, s1 in sentences:
        for a, b, kind in _ner_spans(text[s0:s1]):
            canonical = kinds.get(kind)
            if canonical is None or (canonical != "PERSON" and canonical not in extra_types):
                continue
            if canonical == "PERSON" and not _plausible_person(text[s0 + a:s0 + b]):
                continue
            out.append(Entity(canonical, s0 + a, s0 + b, text[s0 + a:s0 + b], 0.8, "natasha_ner"))
    return out


def _plausible_person(span: str) -> bool:
    """NER person spans must have a name reading somewhere (drops "Альфа-Логистик")."""
    words = _TOKEN.findall(span)
    if len(words) >= 2:
        # "Аптека Ригла", "Кафе Пушкин": a common noun naming a kind of business, then its name.
        first = words[0]
        return not (sum(word_profile(first)[:3]) < 0.05 and _noun_mass(first) >= 0.5)
    return any(sum(word_profile(w)[:3]) >= 0.05 for w in words)


def _sentences(text: str, windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for a, b in windows:
        start = a
        while start > 0 and a - start < 200 and not _SENTENCE_END.match(text[start - 1]):
            start -= 1
        end = b
        while end < len(text) and end - b < 200 and not _SENTENCE_END.match(text[end]):
            end += 1
        end = min(len(text), end + 1)
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans
