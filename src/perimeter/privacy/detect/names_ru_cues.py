"""Cyrillic names that morphology alone does not settle, found by their slot or their origin.

- **Lower case in chat** ("у федосеевой др", "переводить кате", "мама миши", "ленка из отдела
  кадров"): a lone word with a first-name or surname reading right after a word that puts a
  person there (a preposition, a verb of giving or telling, a kinship noun) or before "из
  <отдела>"; diminutives in -ка ("ленка", "танька") through the name they come from.
- **A slot for a person** ("г-ном Сунь Лэем", "меня зовут …", "Я — Ряховская", "получатель —
  Коваль Антонина"): the capitalised run after it is a name whatever the dictionary says.
- **Names of other origins in Cyrillic**: East-Asian family names (Нгуен, Сунь, Пак, Цой…)
  before one or two more words; Arabic names joined by ибн/бин/абу and аль-/ад-/эль-.
- **Later mentions** of a part of a full name found earlier ("Валиев Артём … Артёму
  исполняется"), in any case ending.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.morph import analyzer
from perimeter.privacy.detect.names_cues import RU_RELATION_WORDS, previous_word
from perimeter.privacy.detect.ru_profile import noun_mass, word_profile
from perimeter.privacy.entities import Entity

_W = r"[А-ЯЁ][а-яёіїєґ]+(?:-[А-ЯЁ]?[а-яёіїєґ]+)?"
_RUN = rf"{_W}(?:[ \u00a0]+{_W}){{0,2}}"
# Words that put the next lower-case word in a person's place.
_LOWER_CUES = frozenset(
    """
у к ко от для с со про при спроси спросите спросить позвони позвоните позвонить напиши напишите написать
передай передайте передать попроси попросите попросить скажи скажите сказать переведи переведите перевести
переводить переводите скинь скиньте скинуть отправь отправьте отправить отдай отдайте отдать поздравь
поздравьте поздравить мама мамы маме папа папы папе брат брата сестра сестры сын сына дочь дочка дочки муж
мужа жена жены бабушка дедушка тётя тетя дядя подруга подруги друг друга коллега коллеги начальник начальница
""".split()  # noqa: SIM905 - a word list reads better as text
)
_VERB_CUES = frozenset(
    """
скинь скиньте скинуть переведи переведите перевести переводить отправь отправьте отправить отдай отдайте
отдать передай передайте передать позвони позвоните напиши напишите скажи скажите поздравь поздравьте
""".split()  # noqa: SIM905 - a word list reads better as text
)
_FROM_DEPARTMENT = re.compile(
    r"[ \u00a0]+из[ \u00a0]+(?:отдела|бухгалтерии|кадров|hr|it|поддержки|юротдела|продаж|маркетинга|"
    r"снабжения|логистики|охраны|приёмной|приемной|канцелярии|деканата|регистратуры|банка|школы)",
    re.IGNORECASE,
)
_LOWER_WORD = re.compile(r"(?<![А-Яа-яЁёA-Za-z\-])[а-яА-ЯёЁ][а-яё]*(?![А-Яа-яЁёA-Za-z\-])")
_RELATION = "(?i:" + "|".join(sorted(RU_RELATION_WORDS, key=len, reverse=True)) + ")(?![а-яё])"
# Slots that only a person fills: honorifics, self-introductions, roles in a document.
_SLOT = re.compile(
    rf"(?<![А-Яа-яЁё])(?:(?i:г-н|г-на|г-ну|г-ном|г-не|г-жа|г-жи|г-же|г-жу|г-жой|господин\w*|госпож\w*|гражданин\w*|гражданк\w*|"
    rf"меня зовут|его зовут|её зовут|ее зовут|зовут|по имени|по фамилии|я —|я -|я –|подпись:?|"
    rf"получатель|отправитель|исполнитель|заказчик|плательщик|арендатор|арендодатель|наниматель|"
    rf"представитель(?: истца| ответчика)?|ответственный|отв\.|контактное лицо|пациент(?:ка)?|сотрудни(?:к|ца)|"
    rf"кандидат|студент(?:ка)?|именинни(?:к|ца)|ген\. директор|генеральный директор|директор|руководитель|"
    rf"истец|ответчик|заявитель|должник|взыскатель|доверитель|поверенный|водитель|курьер|"
    # a salutation or a relation: "Уважаемый Хамад", "моего брата Змитера", "у соседки Гульнары"
    rf"{_RELATION})"
    rf"[ \u00a0]*[:—–-]?[ \u00a0]*)({_RUN})"
)
_ORG_FORM = re.compile(r"(?:ООО|АО|ПАО|ЗАО|ОАО|НКО|ГУП|МУП|ФГУП|ИП)\b")
_EAST_ASIAN = (
    r"Нгуен|Нгуeн|Чан|Фам|Хоанг|Фан|Буй|Нго|Зыонг|Чинь|Динь|Лыонг|Чыонг|Чжан|Чэнь|Чен|Хуан|Чжао|Чжоу|Сюй|"
    r"Сунь|Чжу|Линь|Чжэн|Лян|Фэн|Дэн|Цао|Пэн|Цзэн|Сяо|Тянь|Дун|Пань|Юань|Цай|Цзян|Чэн|Вэй|Люй|Дин|Жэнь|Шэнь|"
    r"Цуй|Чжун|Ляо|Цзинь|Цзя|Цзоу|Мэн|Сюн|Цинь|Цю|Хоу|Инь|Сюэ|Дуань|Лэй|Пак|Цой|Ким|Хван|Тен|Тян|Огай|Хегай|"
    r"Югай|Шин|Ли|Ван|Ян|Лю|Ху|Го|Хэ|Гао|Ма|Сун|Тан|Хань|Ву|Во|До|Хо|Ле|Ю|Чон|Кан|Юн|Чо"
)
_ASIAN_NAME = re.compile(rf"(?<![А-Яа-яЁё\-])(?:{_EAST_ASIAN})(?![а-яё])(?:[ \u00a0]+[А-ЯЁ][а-яё]{{1,9}}){{1,2}}(?![А-Яа-яЁё\-])")
_ARABIC_NAME = re.compile(
    rf"(?<![А-Яа-яЁё\-]){_W}(?:(?:[ \u00a0]+(?:ибн|бин|бен|бинт|абу|Абу)[ \u00a0]+{_W})+"
    rf"(?:[ \u00a0]+(?:аль|эль|ад|ас|ат|ар|ан|аш|аз|уль)-{_W})?|[ \u00a0]+(?:аль|эль|ад|ас|ат|ар|ан|аш|аз|уль)-{_W})"
)


_profile = word_profile
_noun = noun_mass


def _diminutive_of_name(word: str) -> bool:
    """"ленка" -> "лена", "танька" -> "таня", "сашке" -> "саша": a -к- diminutive of a name."""
    for end in ("ка", "ки", "ке", "ку", "кой", "кою"):
        if word.endswith(end) and len(word) - len(end) >= 2:
            stem = word[: -len(end)]
            options = [stem + "а"]
            if stem.endswith("ь"):
                options.append(stem[:-1] + "я")
            # any name reading of the base will do: "Света" is mostly the genitive of "свет"
            return any(_profile(o.capitalize())[4] and _profile(o.capitalize())[0] > 0 for o in options)
    return False


def _lower_name(word: str) -> bool:
    cap = word.capitalize()
    name, surn, _patr, place, known = _profile(cap)
    if place >= 0.35:
        return False
    if not known:  # "плиз": pymorphy guesses a name for any unknown word ending in -а/-я/-з
        return word in lexicon.cyrillic_first_names() or _diminutive_of_name(word)
    if name >= 0.25 and name + 0.05 >= _noun(cap):
        return True
    if surn >= 0.5 and _noun(cap) < 0.45:
        return True
    return word in lexicon.cyrillic_first_names() or _diminutive_of_name(word)


_NON_SPACE = re.compile(r"\S+")
_CLAUSE_END = ",.;:!?»)\""


def find_lower_cued(text: str) -> list[Entity]:
    """Walks the words split in C (``str.split``); offsets are recovered only for a hit, which
    is rare.  A regex of all the cue words, or a ``finditer`` over every word, cost ~0.15 ms/KB."""
    out: list[Entity] = []
    words = text.split()
    offsets: list[int] = []
    seen: set[int] = set()

    def consider(i: int) -> None:
        word = words[i].rstrip(_CLAUSE_END)
        if i in seen or len(word) < 3 or not word.isalpha() or not word.islower() or not ("а" <= word[0] <= "я" or word[0] == "ё"):
            return
        if not _lower_name(word):
            return
        seen.add(i)
        if not offsets:
            offsets.extend(m.start() for m in _NON_SPACE.finditer(text))
        start = offsets[i]
        out.append(Entity("PERSON", start, start + len(word), word, 0.7, "natasha_lower"))

    last = len(words) - 1
    for i, raw in enumerate(words):
        if i == last:
            break
        cue = raw.lower()
        if cue in _LOWER_CUES:
            consider(i + 1)
        if cue in _VERB_CUES:
            # "скинь пожалуйста денег вике": a giving verb a few words before, in the same clause
            for j in range(i + 1, min(last, i + 3) + 1):
                consider(j)
                if words[j][-1:] in _CLAUSE_END:
                    break
        if words[i + 1] == "из" and i + 2 <= last and raw.islower():
            at = text.find(raw + " из ")
            if at != -1 and _FROM_DEPARTMENT.match(text, at + len(raw)) and _sentence_head(text, at):
                consider(i)
    return out


def _sentence_head(text: str, pos: int) -> bool:
    """The word opens its sentence (a few chat fillers such as "короче" aside)."""
    head = text[max(0, pos - 24):pos]
    return re.search(r"(?:^|[.!?\n]|короче|кстати|вот|ну|а|и|так)[ ,\u00a0]*$", head) is not None


_SLOT_LAST_WORDS = frozenset(
    """
г-н г-на г-ну г-ном г-не г-жа г-жи г-же г-жу г-жой господин господина господину господином госпожа госпожи
госпоже госпожу госпожой гражданин гражданина гражданину гражданином гражданка гражданки гражданке гражданку
зовут имени фамилии я подпись получатель отправитель исполнитель заказчик плательщик арендатор арендодатель
наниматель представитель истца ответчика ответственный отв контактное лицо пациент пациентка сотрудник
сотрудница кандидат студент студентка именинник именинница директор руководитель истец ответчик заявитель
должник взыскатель доверитель поверенный водитель курьер
""".split()  # noqa: SIM905 - a word list reads better as text
) | RU_RELATION_WORDS  # "Уважаемый Хамад", "брата Змитера"
_EAST_ASIAN_FAMILIES = frozenset(_EAST_ASIAN.split("|"))
EAST_ASIAN_FAMILIES = _EAST_ASIAN_FAMILIES  # lower-case chat names look their surnames up here
_CYR_CAP = re.compile(r"(?<![А-Яа-яЁё\-])[А-ЯЁ][а-яё]")
_ARABIC_NEXT = re.compile(r"[А-ЯЁ][а-яё]+[ \u00a0]+(?:ибн|бин|бен|бинт|абу|Абу|аль-|эль-|ад-|ас-|ат-|ар-|ан-|аш-|аз-|уль-)")


def find_slot_names(text: str) -> list[Entity]:
    out: list[Entity] = []
    for t in _CYR_CAP.finditer(text):
        s = t.start()
        if previous_word(text, s, " \t\u00a0:—–-") in _SLOT_LAST_WORDS:
            m = _SLOT.search(text, max(0, s - 40), min(len(text), s + 80))
            while m is not None and m.start(1) < s:
                m = _SLOT.search(text, m.start() + 1, min(len(text), s + 80))
            if m is not None and m.start(1) == s:
                _add_slot(text, m, out)
        word_end = s + 1
        while word_end < len(text) and ("а" <= text[word_end] <= "я" or text[word_end] == "ё"):
            word_end += 1
        if text[s:word_end] in _EAST_ASIAN_FAMILIES:
            m = _ASIAN_NAME.match(text, s)
            if m is not None:
                rest = m.group().split()[1:]
                if all(not _profile(w)[4] or sum(_profile(w)[:3]) >= 0.1 or len(w) <= 4 for w in rest):
                    out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.8, "natasha"))
        if _ARABIC_NEXT.match(text, s):
            m = _ARABIC_NAME.match(text, s)
            if m is not None:
                out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.85, "natasha"))
    return out


_SALUTATION = re.compile(r"(?i:уважаем|многоуважаем|дорог)")
_ADDRESSEES = (
    "клиент", "покупател", "пользовател", "абонент", "партн", "коллег", "гост", "жител", "пациент", "заказчик",
    "участник", "подписчик", "читател", "пассажир", "сотрудник", "владел", "собственник", "арендатор", "соискател",
    "кандидат", "родител", "студент", "друз", "друг", "товарищ", "господ", "дам", "команд", "руководств", "член",
    "слушател", "зрител", "акционер", "инвестор", "поставщик", "дилер", "агент", "автор", "жильц", "сосед",
)


def _add_slot(text: str, m: re.Match[str], out: list[Entity]) -> None:
    run = m.group(1)
    if _ORG_FORM.match(run):
        return
    words = run.split()
    # After a salutation a capital is a name whatever the dictionary reads in it ("Уважаемый
    # Хамад"), unless it is the template's addressee ("Уважаемый Клиент", "Дорогие Друзья").
    if _SALUTATION.match(m.group()):
        if not words[0].lower().startswith(_ADDRESSEES):
            out.append(Entity("PERSON", m.start(1), m.end(1), run, 0.8, "natasha"))
        return
    # A lone common noun or place after the slot word is no name ("Клиент Банк", "директор Завода").
    if len(words) == 1:
        name, surn, patr, place, known = _profile(words[0])
        if known and name + surn + patr < 0.05 and (_noun(words[0]) >= 0.5 or place >= 0.5):
            return
    out.append(Entity("PERSON", m.start(1), m.end(1), run, 0.8, "natasha"))


_CYR_TOKEN = re.compile(r"(?<![А-Яа-яЁё\-])[А-ЯЁ][а-яё]{2,}(?![А-Яа-яЁё])")


def later_mentions(text: str, found: list[Entity]) -> list[Entity]:
    """A part of a multi-word Cyrillic name found elsewhere, mentioned alone in any case form
    ("Валиев Артём" … "Артёму исполняется 40")."""
    stems: set[str] = set()
    for e in found:
        if e.type != "PERSON":
            continue
        parts = _CYR_TOKEN.findall(e.text)
        if len(parts) >= 2:
            stems.update(p[:-1] if len(p) >= 5 else p for p in parts)
    covered = [(e.start, e.end) for e in found]
    if not stems:
        return _echoes_in_lower_case(text, found, covered)
    out = []
    for m in _CYR_TOKEN.finditer(text):
        word = m.group()
        if any(s <= m.start() < e for s, e in covered):
            continue
        if any(word.startswith(st) and len(word) - len(st) <= 3 for st in stems):
            out.append(Entity("PERSON", m.start(), m.end(), word, 0.7, "natasha"))
    out.extend(_lower_item_mentions(text, found, covered))
    out.extend(_echoes_in_lower_case(text, found, covered + [(e.start, e.end) for e in out]))
    return out


_CYR_WORD = re.compile(r"(?<![А-Яа-яЁё\-])[а-яё]{3,}(?![А-Яа-яЁё])")


def _echoes_in_lower_case(text: str, found: list[Entity], covered: list[tuple[int, int]]) -> list[Entity]:
    """A found name's word said again in lower case, in any case form: "ты салавату отдал?" …
    "салават живёт на уфа" — a chat writes the same person's name both ways.  The echo must be
    the name's stem with a case ending at most three letters long, and not an ordinary noun
    ("вера" stays faith, "роман" a novel) or a verb."""
    stems: set[str] = set()
    for e in found:
        if e.type != "PERSON" or e.text.isascii():
            continue
        for p in re.findall(r"[А-Яа-яЁё]{4,}", e.text):
            low = p.lower()
            profile = word_profile(low.capitalize())
            names = lexicon.cyrillic_first_names()
            if profile[0] + profile[1] + profile[2] < 0.3 and not (low in names or low[:-1] in names or low[:-1] + "а" in names):
                continue
            stems.add(low[:-1] if len(low) >= 6 and low[-1] in "аяуюеиыоьй" else low)
    if not stems:
        return []
    out = []
    for m in _CYR_WORD.finditer(text):
        word = m.group()
        if any(s <= m.start() < e for s, e in covered):
            continue
        if any(word.startswith(st) and len(word) - len(st) <= 3 for st in stems) and noun_mass(word.capitalize()) < 0.3 \
                and not _is_common(word):
            out.append(Entity("PERSON", m.start(), m.end(), word, 0.7, "natasha"))
    return out


def _is_common(word: str) -> bool:
    parses = analyzer().parse(word)
    return bool(parses) and parses[0].is_known and parses[0].tag.POS in ("VERB", "INFN", "ADJF", "ADVB", "PRTF", "GRND")


_LOWER_ITEM = re.compile(r"^[ \t]*(?:[-*•–]|\d{1,2}[.)])?[ \t]*([а-яё]{3,})(?![а-яёА-ЯЁ\-])", re.MULTILINE)


def _lower_item_mentions(text: str, found: list[Entity], covered: list[tuple[int, int]]) -> list[Entity]:
    """Meeting notes in lower case ("- марат берёт миграцию", "- юля готовит отчёт"): an item
    that opens with a found name's word, lower-cased, is that person (not a common noun: "вера")."""
    firsts = {w.lower() for e in found if e.type == "PERSON" for w in _CYR_TOKEN.findall(e.text) if len(w) >= 3}
    if not firsts:
        return []
    out = []
    for m in _LOWER_ITEM.finditer(text):
        word = m.group(1)
        if word in firsts and not any(a <= m.start(1) < b for a, b in covered) and noun_mass(word.capitalize()) < 0.3:
            out.append(Entity("PERSON", m.start(1), m.end(1), word, 0.7, "natasha"))
    return out
