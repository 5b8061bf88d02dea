"""Readings of a name that the words around it rule out, whichever detector proposed it.

Each rule is about a class of look-alikes, not a list of them:

- a **title in quotes** after a word for a work or a product ("the plot of "Forrest Gump"",
  «Мастер и Маргарита» after книга, a candle line "Earl Grey Fig", ООО «Невские берега»);
- a **breed or a pet** right after the name ("a Jack Russell terrier", "King Charles spaniel");
- a **country or a US state** alone ("why Georgia (the country) …"), unless a cue (a greeting, a title)
  stands before it;
- a **month abbreviation before a day** ("On Thu, Jun 6, 2024");
- a Russian **toponym prefix** ("Усть-", "Ново-", "Верхне-"…) and an **organisational form**
  at the start ("Индивидуальный предприниматель", "Общество с ограниченной …");
- (round 4) a **version number** right after a Latin name ("the app is Spring Boot 3.3"): people
  carry no release numbers; a **cultivar in single quotes** before "variety"/"roses"/сорт;
  an **institution word** closing the span ("Lincoln Elementary", "India Post"); a one-word
  name right after a word for a **bank, firm or shop** ("комиссии банков Зираат и Гаранти");
  a one-word name **between places** in a dash- or comma-separated route
  ("Суздаль — Владимир — Гороховец"); a **colour** adjective before one Russian word names a
  thing ("поставил синюю Ладу", "на белой Волге"): people are not described by paint; a month
  abbreviation after a time preposition ("out until Jan."); a name after "им."/"имени"
  ("МГТУ им. Н. Э. Баумана"): an institution named after a person;
- (round 7) a Russian name in the **genitive after a place noun** ("улицы Льва Толстого",
  "сквера Лермонтова", "Музей Рублёва"): a street, park or museum named after a person; a name
  after a word for a **storm, ship or robot** ("Hurricane Katrina", "ураган „Хелен“"); a one-word
  Latin **city or country after a preposition of place** ("the store in Augusta"), by the GeoNames list.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.addresses_colloquial import street_named_after
from perimeter.privacy.detect.addresses_postal import british_street_at
from perimeter.privacy.detect.names_cues import cue_before
from perimeter.privacy.detect.names_en import NOT_PERSON
from perimeter.privacy.detect.names_things import is_a_thing
from perimeter.privacy.detect.ru_profile import word_profile
from perimeter.privacy.entities import Entity

_QUOTES = {"\"": "\"", "«": "»", "“": "”", "„": "“"}
_WORK_WORD = re.compile(
    r"(?<![A-Za-zА-Яа-яЁё])(?i:plot|movie|film|book|novel|song|album|series|sitcom|show|game|episode|play|musical|opera|poem|painting|"
    r"product|brand|flavou?r|blend|scent|candle|dish|cocktail|menu|recipe|"
    r"книг|фильм|кино|роман|повест|песн|сериал|спектакл|пьес|альбом|игр|мультфильм|поэм|стих|картин|"
    r"торт|конфет|салат|блюд|коктейл|духи|аромат|бренд|магазин|кафе|ресторан|отел|гостиниц|сорт|"
    r"компани|фирм|ООО|ОАО|ЗАО|ПАО|АО|ИП|НКО|ТСЖ|СНТ|назван)"
)
_BREED_AFTER = re.compile(
    r"[ \u00a0]+(?i:terriers?|spaniels?|retrievers?|shepherds?|poodles?|collies?|hounds?|pinschers?|setters?|"
    r"pointers?|mastiffs?|bulldogs?|cats?|dogs?|puppy|puppies|kitten|horses?|pony|parrot|терьер\w*|спаниел\w*|овчарк\w*)\b"
)
_GEO = frozenset(
    """
georgia virginia carolina dakota florida alabama california nevada montana indiana louisiana arizona texas
washington israel india china jamaica kenya chad oklahoma minnesota colorado tennessee kentucky maryland
""".split()  # noqa: SIM905 - a word list reads better as text
)
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
_MONTH_DAY = re.compile(_MONTH_ABBR + r"[ \u00a0]+\d")
_EN_MONTHS = frozenset("jan feb mar apr may jun june jul july aug august sep sept oct nov dec april".split())  # noqa: SIM905
_DAY_BEFORE_EN = re.compile(r"(?<![\d.,])(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?[ \u00a0]+$")
_TOPONYM_PREFIX = re.compile(r"(?:Усть|Ново|Старо|Верхне|Нижне|Красно|Больше|Мало|Соль|Спас|Покров|Горно|Лесо)-?[А-ЯЁ]")
_ORG_START = re.compile(
    r"(?i:индивидуальн\w*|предпринимател\w*|общество|акционерн\w*|товарищество|учреждение|управление|"
    r"департамент|министерство|администраци\w*)(?![\w])"
)

_VERSION_AFTER = re.compile(r"[ \u00a0]+v?\d{1,2}\.\d{1,2}(?:\.\d{1,3})?(?!\d|\.\d)")
_LATIN = re.compile(r"[A-Za-z]")
_CULTIVAR_WORD = re.compile(r"(?i:variet|cultivar|roses?\b|tulips?\b|peon|dahlia|clematis|hydrange|lilac|orchid|apples?\b|grapes?\b|сорт)")
_INSTITUTION_LAST = frozenset(
    """
elementary school academy college university hospital clinic center centre library museum cathedral
chapel airlines airways stadium arena tunnel theatre theater memorial
foundation company corporation fund trust institute society prize award festival hotel inn cafe café restaurant
plaza mall
river creek circle garden gardens commons canyon harbour harbor valley peninsula medicine enterprise
roasters bakery brewery distillery labs studio studios partners ventures holdings logistics solutions consulting foods
blue yellow pink purple orange navy beige teal ivory charcoal turquoise magenta crimson maroon lilac lavender
""".split()  # noqa: SIM905 - a word list reads better as text
)
# Place words that are also surnames (Ricki Lake, Michael Bay, Sarah Parish): they end a place's
# name only after a word that is no given name ("Calcasieu Lake", "Lincoln Park" is left alone)
_PLACE_LAST_SURNAMES = frozenset("lake bay pass parish island park square line green grey gray black white brown gold silver".split())  # noqa: SIM905
# Keywords of programming languages read as lower-case chat names ("    elif digits…")
_CODE_LINE_AFTER = re.compile(r"[ \t]+[^\n]*[:{][ \t]*(?:\n|\Z)")
_CODE_WORDS = frozenset("elif def var len str int dict self args kwargs func impl enum async await lambda yield".split())  # noqa: SIM905
# Heads that are also surnames (Doris Day, Thomas Hall): they end a place's or a thing's name only
# after a full name ("Grace Hopper Day", "Anne Frank House") or after the name found
_NAMED_AFTER_HEADS = _INSTITUTION_LAST | frozenset("day house hall tower bridge bar pub".split())  # noqa: SIM905
# "Magnum Ice Cream Company", "Anne Frank House": up to three capitalised words right after a name
_CAPITALISED_AFTER = re.compile(r"(?:[ ][A-Z][a-z]+){1,3}")
_FIRM_STEMS = ("банк", "компани", "фирм", "магазин", "аптек", "сет", "отел", "гостиниц", "клиник", "бренд", "марк",
               "bank", "brand", "chain")
_FIRM_NOUN_BEFORE = re.compile(
    r"(?i:банк\w*|компани\w*|фирм\w*|магазин\w*|аптек\w*|сет[иья]\w*|отел\w*|гостиниц\w*|клиник\w*|"
    r"бренд\w*|марк[иау]|banks?|brands?|chains?)[ \u00a0]+(?:[А-ЯЁA-Z][\w-]*(?:[ \u00a0]*,[ \u00a0]*|[ \u00a0]+(?:и|and)[ \u00a0]+))*$"
)
_WORD_BEFORE = re.compile(r"([А-ЯЁ][а-яё-]+)[ \u00a0]*(?:[—–]|-{1,2}|→|,)[ \u00a0]*$")
_WORD_AFTER = re.compile(r"[ \u00a0]*(?:[—–]|-{1,2}|→|,)[ \u00a0]*([А-ЯЁ][а-яё-]+)")

_COLOUR_WORD = re.compile(
    r"(?i:(?:син|красн|бел|ч[её]рн|сер|зел[её]н|ж[её]лт|голуб|оранжев|фиолетов|коричнев|бордов|серебрист|"
    r"золотист|бежев|розов)(?:ий|ый|ой|ая|яя|ее|ое|ую|юю|ого|его|ому|ему|ой|ей|ым|им))"
)

_MONTH_ALONE = re.compile(_MONTH_ABBR)
# Genitive month names that are also given names (Марта, Мая, Августа, Июня is none)
_RU_MONTH_NAMES = frozenset({"марта", "мая", "августа"})
_DAY_BEFORE = re.compile(r"(?<!\d)\d{1,2}[ \u00a0]+$")
_TIME_PREP_BEFORE = re.compile(r"(?i:until|till|by|since|from|before|after|through|in|early|late|mid|end of)[ \u00a0-]+$")
# "МГТУ им. Баумана", "школа имени Пушкина", not "от имени Ирины Викторовны"
_NAMED_AFTER_BEFORE = re.compile(
    r"(?:[А-ЯЁA-Z]{2,}[\w-]*|\d+|[»\"]|(?i:школ|университет|институт|библиотек|театр|музе|завод|парк|лице|гимнази|"
    r"больниц|училищ|академи|фабрик|колледж|стадион|сквер|площад|улиц|проспект)\w*)[ \u00a0]+(?:им\.|имени)[ \u00a0]*$"
)


# A place or an institution called after a person: the person's name in the genitive right
# after the noun ("улицы Льва Толстого", "сквера Лермонтова", "Музей Рублёва", "станции Горького").
_NAMED_PLACE_NOUN = re.compile(
    r"(?<![\w])(?i:улиц[аеуыи]|ул\.|проспект[аеу]?|пр-т[аеу]?|переул(?:ок|ка|ке)|бульвар[аеу]?|площад[ьи]|"
    r"набережн(?:ая|ой|ую)|шоссе|сквер[аеу]?|парк[аеу]?|музе(?:й|я|е|ю)|станци[яиюей]|аллеи|аллея|"
    r"библиотек[аиеу]|театр[аеу]?|вокзал[аеу]?|памятник[аеу]?|мемориал[аеу]?|бюст[аеу]?|"
    # eponyms: a disease, a syndrome, a scale or a law called after someone ("болезнь
    # Паркинсона", "синдром Туретта", "шкала Глисона", "закон Яровой"), an institution "им. …"
    r"болезн[ьиюей]+|синдром[аеуом]*|шкал[аеуыой]+|закон[аеуом]*|теорем[аеуыой]+|метод[аеуом]*|рефлекс[аеуом]*|"
    r"реакци[яиюей]+|эффект[аеуом]*|принцип[аеуом]*|формул[аеуыой]+|"
    r"им\.)[ \u00a0]+$"
)
# "Hashimoto's thyroiditis", "Graves' disease", "Miranda warnings", "Stark Law", "Brady material":
# a name right before the thing called after it.
_EPONYM_AFTER = re.compile(
    r"(?:['’]s?[ \u00a0]+(?i:disease|syndrome|thyroiditis|palsy|law|theorem|principle|equation|sign|reflex|criteria|"
    r"maneuver|manoeuvre|comet|paradox|razor)"
    r"|[ \u00a0]+(?i:disease|syndrome|law|act|rule|warnings?|doctrine|material|prize|award|theorem|criteria|scale|"
    r"(?:space[ \u00a0]+)?telescope|observatory|medal|lecture|fellowship|scholarship))\b"
)


# Things people give personal names to: storms, ships, robots and devices ("Hurricane Katrina",
# "ураган „Хелен“", "the Queen Mary 2" after "ship", "робот-пылесос Hugo").
_NAMED_THING_BEFORE = re.compile(
    r"(?<![\w])(?i:hurricanes?|storms?|typhoons?|cyclones?|tropical storm|ships?|yachts?|vessels?|boats?|ferry|liner|"
    r"robots?|vacuums?|ураган\w*|тайфун\w*|шторм\w*|циклон\w*|судн\w*|корабл\w*|яхт\w*|теплоход\w*|парусник\w*|"
    r"робот\w*|пылесос\w*)[ \u00a0]*[\"«„“']?[ \u00a0]*\Z"  # \Z: "$" also matches before a line end ("relationship\n")
)
# A single place name after a preposition of place: "in Augusta", "near Lagos" (not "to" or
# "from": "I spoke to Austin", "a note from Florence" are people as often as places).
_PLACE_PREP_BEFORE = re.compile(r"\b(?:in|at|near|via|outside|around|across)[ \u00a0]+$")


def _named_thing(text: str, e: Entity) -> bool:
    return _NAMED_THING_BEFORE.search(text, max(0, e.start - 24), e.start) is not None or _quoted_title(text, e)


# «…» / "…" opened right after a Russian noun: "коллекция «Вера и Надежда»", "питомник «Роза
# ветров»", "компании «Роза Хутор»", "подстанция «Ильич»", 'Гостевой дом "У Самвела"'.
_OPENED_AFTER_NOUN = re.compile(r"(?P<noun>[а-яё]{3,})[ \u00a0]+[«\"„“][^«»\"„“\n]{0,40}$")


_SAMPLE_NOUNS = frozenset({"вида", "формата", "типа", "образца", "шаблона", "формы"})
_PATRONYMIC_WORD = re.compile(r"[а-яё](?:ович|евич|ьич|овна|евна|ична|инична)(?![а-яё])")


def _quoted_title(text: str, e: Entity) -> bool:
    """A name inside the quoted title of a thing an inanimate noun names (a collection, a
    nursery, a firm, a substation, a guest house) is that thing's name: the noun says what
    is named, and a person is never introduced as «…» after one."""
    m = _OPENED_AFTER_NOUN.search(text, max(0, e.start - 64), e.start)
    if m is None or text.count(e.text) > 1:
        return False  # a name the text also uses outside the title is a person's («у Нгуен Тхи Хыонг»)
    if m.group("noun") in _SAMPLE_NOUNS or (" " in e.text and _PATRONYMIC_WORD.search(e.text) is not None):
        return False  # 'ФИО вида "Кужугет Айдыс Орланович"': a sample of a name, and a name with a patronymic
    close = text.find("»" if "«" in m.group() else "\"", e.end)
    if close == -1 or "\n" in text[e.end:close] or close - e.end > 40:
        return False
    from perimeter.privacy.detect.morph import analyzer

    tag = analyzer().parse(m.group("noun"))[0].tag
    return "NOUN" in tag and "inan" in tag


# A place of business or a home "на" a name: "ПВЗ на Ленина", "в офисе на Абая", "кофейня на углу
# Пушкина и Баумана", "ресторан на Кабанбай батыра" — the street named after the person (a person
# is "у" somebody or "к" somebody; "жалоба на Иванова" has no place noun before it).
_PLACE_NOUN_NA = re.compile(
    r"(?i:офис\w*|магазин\w*|кофейн\w*|кафе|ресторан\w*|бар|пвз|пункт\w*(?:[ \u00a0]+выдачи)?|склад\w*|филиал\w*|"
    r"точк[аеиу]|отделени\w*|салон\w*|аптек\w*|квартир\w*|дом|сц|сервис\w*|клиник\w*|магазинчик\w*|шашлычн\w*|"
    r"столов\w*|парикмахерск\w*|мастерск\w*|остановк\w*|пробк\w*|стоянк\w*|парковк\w*|рынок|рынке|тц|трц|бц|жк|"
    r"живу|живём|живем|живёт|живет|находимся|находится|переехал\w*|стоим|стоят)"
    r"(?:[ \u00a0]+[а-яё]+){0,2}?[ \u00a0]+на[ \u00a0]+(?:углу[ \u00a0]+|пересечении[ \u00a0]+)?$"
)
# "на углу Пушкина и Баумана", "пересекается с Пушкина": the second street of a crossing
_CROSSING_BEFORE = re.compile(r"(?i:углу|пересечени[иея]|пересекается[ \u00a0]+с)[ \u00a0]+[А-ЯЁ][\w\-]+(?:[ \u00a0]+[А-ЯЁ][\w\-]+)?[ \u00a0]+(?:и|с)[ \u00a0]+$")


def _on_a_street(text: str, e: Entity) -> bool:
    before = text[max(0, e.start - 60):e.start]
    if "на" not in before and "пересе" not in before.lower():
        return False
    return _PLACE_NOUN_NA.search(before) is not None or _CROSSING_BEFORE.search(before) is not None


# A town's or a district's word before a name: "г. Владимир", "из г. Владимира", "город Пушкин",
# "в районе Юнусабада", "в районах Сино и Фирдавси" ("2024 г." is a year: no digit before "г.")
_TOWN_BEFORE_NAME = re.compile(
    r"(?:(?<![\w\d])(?<!\d[ \u00a0])(?:г|гор)\.|(?<![\w])(?i:город[аеуом]?|пгт|посёлк\w*|поселк\w*|пос\.|сел[оаеу]|деревн\w*|"
    r"станиц\w*|аул[аеу]?|кишлак\w*|крепост\w*))[ \u00a0]*\Z"
    r"|(?<![\w])(?i:район[аеуы]?|районах|микрорайон\w*|мкр\.?)[ \u00a0]+(?:[А-ЯЁ][\w\-]+[ \u00a0]*(?:,|и)[ \u00a0]*)?\Z"
)
# "Ельцин Центра", "Есентай Молла": a name before a borrowed word for a building names the building
_BUILDING_AFTER = re.compile(r"[ \u00a0]+(?:Центр|Молл|Холл|Арен|Плаз|Сити|Тауэр|Хаус|Парк)[а-яё]*(?![\w])")


def _a_town_or_district(text: str, e: Entity) -> bool:
    """One word only: "г. Алматы Жаксылыкову Б.К." is read as one span, and the person in it
    must not go with the town."""
    if " " in e.text:
        return False
    if _BUILDING_AFTER.match(text, e.end) is not None:
        return True
    return _TOWN_BEFORE_NAME.search(text, max(0, e.start - 40), e.start) is not None


_POSSESSIVE = re.compile(r"['’]s?$")
_TOKEN_CHAR = re.compile(r"[A-Za-z0-9+/=_\-]")


def _inside_a_token(text: str, e: Entity) -> bool:
    """A name glued inside a long run of letters and digits with no space (base64, a hash, a
    key): the run, not a word in it, is what the text holds."""
    if e.start == 0 or e.end >= len(text) or " " in e.text:
        return False
    if not (_TOKEN_CHAR.match(text, e.start - 1) and _TOKEN_CHAR.match(text, e.end)):
        return False
    lo, hi = e.start, e.end
    while lo > 0 and _TOKEN_CHAR.match(text, lo - 1):
        lo -= 1
    while hi < len(text) and _TOKEN_CHAR.match(text, hi):
        hi += 1
    run = text[lo:hi]
    return hi - lo >= 16 and any(c.isdigit() for c in run)


def _a_whole_place(span: str) -> bool:
    """A span of two or three words that is, whole, a place's name the lists know ("Jebel
    Ali", "Dubai Marina"), and does not start with a given name.  Chinese names read like
    towns ("Liu Yang"), so the caller also wants a place's preposition or a site word."""
    low = span.lower()
    if low not in lexicon.places() and low not in lexicon.place_regions():
        return False
    first = low.split()[0]
    return first not in lexicon.single_first_names() and first not in lexicon.cyrillic_first_names()


def _a_brand(text: str, e: Entity) -> bool:
    """A span whose first word is a brand's (``lexicon.brands``), with no title or greeting
    before it: the product or the company, not a person ("Harrison Ford" starts with a given
    name and is not touched)."""
    words = e.text.split()
    first = _POSSESSIVE.sub("", words[0]).lower()
    if first not in lexicon.brands() or cue_before(text, e.start):
        return False
    # "Lada Petrova", "Tilda Swinton", "Kia Johnson": a brand that is also a given name, before
    # a surname the lists know, is the person ("Lada Niva", "Dell Latitude" have no surname)
    if len(words) < 2 or not _listed_given(first):
        return True
    second = words[1].lower().strip(".,")
    return second not in lexicon.last_names() and second not in lexicon.cyrillic_last_names()


def _listed_given(word: str) -> bool:
    """``word`` (lower case) is on a given-name list, Latin or Cyrillic."""
    return word in lexicon.first_names() or word in lexicon.cyrillic_first_names()


def _place_after_preposition(text: str, e: Entity) -> bool:
    """A one-word name that is a city or a country where a place stands, with no greeting or
    title before it: right after a preposition of place, or in a list of places after one
    ("offices in Savannah and Augusta", "customers in Córdoba, Rosario and Mendoza"),
    qualified by its state or country ("Florence (Italy)",
    "Cameron, Louisiana", "Dallas TX"), or before a word for a site ("Austin and Charlotte
    offices")."""
    if " " in e.text or e.text.lower() not in lexicon.places():
        return False
    if _PLACE_PREP_BEFORE.search(text, max(0, e.start - 12), e.start) is not None:
        return True
    places = lexicon.places()
    listed = _LISTED_BEFORE.search(text, max(0, e.start - 80), e.start)
    if listed is not None and all(w.lower() in places for w in _CAPITALISED_WORD.findall(listed.group("items"))):
        return True
    qualifier = _QUALIFIER_AFTER.match(text, e.end)
    if qualifier is not None and (qualifier.group("code") is not None or qualifier.group("place").lower() in places):
        return True
    return _SITE_AFTER.match(text, e.end) is not None


_CAPITALISED_WORD = re.compile(r"[A-ZÀ-Þ][\w'’\-]+")
# "in Córdoba, Rosario and " — a preposition of place, then places joined by commas and "and"/"or"
_LISTED_BEFORE = re.compile(
    r"\b(?:in|near|across|throughout|between)[ \u00a0]+"
    r"(?P<items>(?:[A-ZÀ-Þ][\w'’\-]+(?:[ \u00a0][A-ZÀ-Þ][\w'’\-]+)?(?:,[ \u00a0]+|[ \u00a0]+(?:and|or|&)[ \u00a0]+|,[ \u00a0]+(?:and|or)[ \u00a0]+))+)$"
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|"
    "RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
_QUALIFIER_AFTER = re.compile(
    rf"(?:,?[ \u00a0]+(?P<code>(?:{_US_STATES}))(?![\w])|(?:,[ \u00a0]+|[ \u00a0]+\()(?P<place>[A-ZÀ-Þ][\w'’\-]+(?:[ \u00a0][A-ZÀ-Þ][\w'’\-]+)?)(?:\)|(?![\w'’\-])))"
)
_SITE_AFTER = re.compile(
    r"(?:(?:,[ \u00a0]+|[ \u00a0]+(?:and|or|&)[ \u00a0]+)[A-ZÀ-Þ][\w'’\-]+)*[ \u00a0]+"
    r"(?:offices?|branch(?:es)?|campus(?:es)?|region|warehouses?|stores?|plants?|sites?|hubs?|airport|port|metro area)\b"
)


# Scientific and clinical eponyms, whose name pymorphy often cannot parse as a genitive
# ("синдром Туретта", "t-критерий Стьюдента", "критерия χ² Пирсона", "по остаткам Шёнфельда"):
# the noun alone names the thing.
_EPONYM_NOUN = re.compile(
    # (not "операция", "тест", "болезнь", "симптомы": a patient's own is said the same way)
    r"(?i:синдром\w*|критери\w*|уравнени\w*|распределени\w*|коэффициент\w*|индекс\w*|"
    r"преобразовани\w*|алгоритм\w*|гипотез\w*|остатк\w*|поправк\w*|констант\w*|"
    r"триад\w*|шкал\w*|теорем\w*|метод\w*|закон\w*|формул\w*|эффект\w*|принцип\w*)"
    r"[ \u00a0]+(?:\S{1,3}[ \u00a0]+)?$"
)


def _nominative_person(word: str) -> bool:
    """"Метод Иванов предложил": a surname or given name in the nominative is the subject, a person."""
    from perimeter.privacy.detect.morph import analyzer

    return any(p.is_known and p.tag.case == "nomn" and ("Surn" in p.tag or "Name" in p.tag) and p.score >= 0.3
               for p in analyzer().parse(word))


def _named_place(text: str, e: Entity) -> bool:
    """A name in the genitive right after a street, park, museum or station noun names the place;
    any name right after an eponym's noun names the thing."""
    if not ("А" <= e.text[:1] <= "Я" or e.text[:1] == "Ё"):
        return False
    if " " not in e.text and _EPONYM_NOUN.search(text, max(0, e.start - 30), e.start) is not None \
            and not _nominative_person(e.text):
        return True
    if _NAMED_PLACE_NOUN.search(text, max(0, e.start - 24), e.start) is None:
        return False
    from perimeter.privacy.detect.morph import analyzer

    for word in e.text.replace(".", ". ").split():
        if len(word) <= 2 and word.endswith("."):
            continue  # an initial ("ул. А. Невского")
        if not any(p.tag.case == "gent" for p in analyzer().parse(word)):
            return False
    return True


def _is_place(word: str) -> bool:
    name, surn, patr, other, known = word_profile(word)
    return known and other >= 0.5 and name + surn + patr < 0.3


def _between_places(text: str, e: Entity) -> bool:
    """"Суздаль — Владимир — Гороховец": a route or list of towns; one neighbour suffices
    across a dash, both are needed across commas."""
    before = _WORD_BEFORE.search(text, max(0, e.start - 40), e.start)
    after = _WORD_AFTER.match(text, e.end)
    dash_b = before is not None and "," not in before.group(0)
    dash_a = after is not None and "," not in after.group(0)
    place_b = before is not None and _is_place(before.group(1))
    place_a = after is not None and _is_place(after.group(1))
    return (place_b and dash_b) or (place_a and dash_a) or (place_b and place_a)


def _in_single_quotes_cultivar(text: str, e: Entity) -> bool:
    q = e.start - 1
    if q < 0 or text[q] not in "'‘" or (q > 0 and text[q - 1].isalnum()):
        return False
    if e.end >= len(text) or text[e.end] not in "'’":
        return False
    return bool(_CULTIVAR_WORD.search(text, max(0, q - 60), min(len(text), e.end + 60)))


def _in_quoted_title(text: str, e: Entity) -> bool:
    line_start = text.rfind("\n", 0, e.start) + 1
    line_end = text.find("\n", e.end)
    line_end = len(text) if line_end == -1 else line_end
    for open_q, close_q in _QUOTES.items():
        q = text.rfind(open_q, line_start, e.start)
        if q == -1:
            continue
        if open_q == close_q and text[line_start:q].count(open_q) % 2:
            continue  # that quote closes an earlier pair
        c = text.find(close_q, e.end, line_end)
        if c == -1 or c - q > 60:
            continue
        if _WORK_WORD.search(text, max(line_start, q - 100), q) or _WORK_WORD.search(text, c, min(line_end, c + 40)):
            return True
    return False


def _only_a_place(word: str) -> bool:
    """A city or country the place list knows and no name list does ("Астана", "Алматы",
    "Самарканд" in a CSV cell or as a code word): a place, whoever else reads it as a name."""
    if word not in lexicon.places():
        return False
    if word in lexicon.first_names() or word in lexicon.last_names() or word in lexicon.cyrillic_first_names() \
            or word in lexicon.cyrillic_last_names():
        return False
    # "Артём", "Салават", "Даша" are towns too: a name reading pymorphy knows keeps the person
    if word.isascii():
        return True
    name, surn, patr, place, _known = word_profile(word.capitalize())
    return name + surn + patr < 0.2 or place >= 0.8


# A street, district or house right after a comma: the word before it is the address's town.
_LATIN_STREET_AFTER = re.compile(
    r"[ \u00a0]+(?:Avenue|Ave\.?|Street|St\.|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Prospekt|Square|Bridge|Station|Metro|"
    r"Highway|Drive|Dr\.|Quay|Embankment|Park)(?![\w])"
)
_STREET_AFTER = re.compile(
    r",[ \t\u00a0]*(?:ул|улица|пр|просп|пр-т|проспект|пер|переулок|б-р|бульвар|ш|шоссе|наб|пл|мкр|мкр-н|микрорайон|кв-л|"
    r"квартал|ж/м|массив|д|дом|р-н|район|вул|вулиця|пр-кт|str|ul)(?![\w\-])\.?",
    re.IGNORECASE,
)


def _mostly_a_place(word: str) -> bool:
    """A town the place list knows whose likeliest reading is the place ("Астана": a Geox noun
    first, a rare man's name in the genitive second)."""
    if word not in lexicon.places() or word.isascii():
        return False
    name, surn, patr, place, _known = word_profile(word.capitalize())
    return place > name + surn + patr


def drop_non_persons(text: str, found: list[Entity]) -> list[Entity]:
    out = []
    for e in found:
        if e.type == "PERSON" and _not_a_person(text, e):
            continue
        out.append(e)
    return out


def _not_a_person(text: str, e: Entity) -> bool:
    if e.text.isascii() and " " in e.text and NOT_PERSON.fullmatch(e.text):
        return True  # "Morgan Stanley said", "Wells Fargo agreed": a firm or a place, whichever rule read it
    if is_a_thing(text, e):
        return True  # "St Vincent's", "Bill of Lading", "Merchant says", "toBe" (names_things)
    word = e.text.lower()
    if " " not in e.text and e.detector != "column" and (word in _GEO or _only_a_place(word)) and not cue_before(text, e.start):
        # (a "First Name" column's "Jericho" is the person the column says, not the town)
        return True
    if " " not in e.text and _STREET_AFTER.match(text, e.end) and _mostly_a_place(word):
        return True  # "Астана, пр. Республики 62/1": the city an address starts with
    if " " not in e.text and not e.text.isascii() and street_named_after(text, e.start, e.end):
        return True  # "на Гагарина 12": the street named after him, with a house number
    if not e.text.isascii() and _on_a_street(text, e):
        return True  # "ПВЗ на Ленина закрылся", "на углу Пушкина и Баумана": where a place is
    if " " not in e.text and e.text.isascii() and _LATIN_STREET_AFTER.match(text, e.end):
        return True  # "Abay Avenue", "Amir Temur Street": the street named after him
    if " " in e.text and british_street_at(text, e.start, e.end):
        return True  # "Denmark Hill, London SE5 9RS": the street, not Mr Hill
    if _MONTH_DAY.match(text, e.start) and " " not in e.text:
        return True
    if not e.text.isascii() and _a_town_or_district(text, e):
        return True  # "г. Владимир", "(город Пушкин)", "в районе Юнусабада", "до Ельцин Центра"
    if e.text in _CODE_WORDS and _CODE_LINE_AFTER.match(text, e.end):
        return True  # "    elif digits.startswith('0'):" — not Elif, who is asked "elif, можешь глянуть?"
    if _a_brand(text, e):
        return True  # "Dell Latitude 5440", "Lada Niva", "Kaspi Red", "в «Леруа Мерлен»"
    if _inside_a_token(text, e):
        return True  # "sha512-v2kDEe57lecTulaDIuNTPy3…": letters of a hash or a key, not a name
    if " " in e.text and _a_whole_place(e.text) and not cue_before(text, e.start) and (
            _PLACE_PREP_BEFORE.search(text, max(0, e.start - 12), e.start) is not None or _SITE_AFTER.match(text, e.end)):
        return True  # "at Jebel Ali", "in Bang Na", "to Jebel Ali port": a place's own name, whole
    if word in _EN_MONTHS and _DAY_BEFORE_EN.search(text, max(0, e.start - 8), e.start):
        return True  # "ship 4.0 on 15 Jan", "1 Jan – 30 Jun": the date, not Jan or June
    if word in _RU_MONTH_NAMES and _DAY_BEFORE.search(text, max(0, e.start - 4), e.start):
        return True  # "с 8 Марта", "к 1 Мая": the date (and the holiday), not Марта or Мая
    if _BREED_AFTER.match(text, e.end):
        return True
    if _TOPONYM_PREFIX.match(e.text) or _ORG_START.match(e.text):
        return True
    before = text[max(0, e.start - 60):e.start]
    if "им" in before and _NAMED_AFTER_BEFORE.search(before):
        return True
    if _named_place(text, e) or _named_thing(text, e):
        return True
    if e.text.isascii() and _EPONYM_AFTER.match(text, e.end) is not None:
        return True
    if e.text.isascii() and _place_after_preposition(text, e) and not cue_before(text, e.start):
        return True
    if _MONTH_ALONE.fullmatch(e.text) and _TIME_PREP_BEFORE.search(before[-10:]):
        return True
    if _LATIN.match(e.text) and _VERSION_AFTER.match(text, e.end):
        return True
    if " " in e.text:
        last = e.text.rsplit(None, 1)[-1].lower()
        if "," not in e.text and (last in _INSTITUTION_LAST or (last in _NAMED_AFTER_HEADS and e.text.count(" ") >= 2)):
            return True
        first = e.text.split(None, 1)[0].lower()
        if last in _PLACE_LAST_SURNAMES and not _listed_given(first) and "," not in e.text:
            return True
        after = _CAPITALISED_AFTER.match(text, e.end) if e.text.isascii() else None
        if after is not None and "," not in e.text and any(w.lower() in _NAMED_AFTER_HEADS for w in after.group().split()):
            return True
    else:
        # the end-anchored patterns run only where a cheap string test allows them
        low = before.lower()
        if any(stem in low for stem in _FIRM_STEMS) and _FIRM_NOUN_BEFORE.search(before):
            return True
        if "А" <= e.text[0] <= "Я":
            prev = before.rsplit(None, 1)[-1] if before[-1:].isspace() and before.strip() else ""
            if prev and _COLOUR_WORD.fullmatch(prev):
                return True
            near = before.rstrip()[-1:] + text[e.end:e.end + 4].lstrip()[:1]
            if any(c in "—–-→," for c in near) and _between_places(text, e):
                return True
    if _in_single_quotes_cultivar(text, e):
        return True
    if any(ch in before for ch in "\"«“„"):
        return _in_quoted_title(text, e)
    return False
