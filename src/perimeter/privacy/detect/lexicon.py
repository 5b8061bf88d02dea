"""The packaged word lists, loaded once: given names, surnames and common English words.

Three kinds of source, all inside the package (nothing is downloaded):

- ``first_names.txt`` / ``last_names.txt``: US Census 1990 (public domain);
  ``*_intl.txt``: hand-written for Perimeter;
- ``*_world.txt`` / ``*_cyrillic.txt``: Faker's per-locale person lists (MIT), 86 locales;
- ``common_words_en.txt``: English words with their Zipf frequency, from wordfreq (CC BY-SA 4.0);
- ``places_world.txt``: city, country and US-state names, from GeoNames (CC BY 4.0).

The last two are built by ``scripts/build_name_lexicon.py``; ``data/NOTICE`` carries the
licences.  Loading everything takes ~60 ms and ~12 MB once per process (the gateway does it at
start-up through ``Scanner.warm_up``); look-ups are set membership.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

#: A word at least this frequent in English (Zipf scale) is an ordinary word first.
COMMON_ZIPF = 3.0


@cache
def read(kind: str) -> frozenset[str]:
    data = resources.files("perimeter.privacy.detect").joinpath("data", f"{kind}.txt").read_text("utf-8")
    return frozenset(w for line in data.splitlines() if (w := line.strip()) and not w.startswith("#"))


@cache
def common_words() -> dict[str, float]:
    """English word -> Zipf frequency (3.0 … 7.7), for words with Zipf ≥ 3.0."""
    out: dict[str, float] = {}
    for line in read("common_words_en"):
        word, _, zipf = line.partition("\t")
        out[word] = int(zipf) / 10
    return out


def zipf(word: str) -> float:
    """How common ``word`` (any case) is as an English word; 0 when rare or unknown."""
    return common_words().get(word.lower(), 0.0)


@cache
def first_names() -> frozenset[str]:
    """Given names that count next to a surname (census, hand-written, Faker's locales)."""
    return read("first_names") | read("first_names_intl") | read("first_names_world") | read("first_names_world_latin")


@cache
def first_names_as_trained() -> frozenset[str]:
    """:func:`first_names` as the shipped tagger model was trained with (its gazetteer feature)."""
    return read("first_names") | read("first_names_intl") | read("first_names_world")


@cache
def cyrillic_first_names_as_trained() -> frozenset[str]:
    """:func:`cyrillic_first_names` as the shipped tagger model was trained with."""
    return read("first_names_cyrillic")


@cache
def single_first_names() -> frozenset[str]:
    """Given names that count alone in a name's place: the common census names, the
    hand-written international ones, and Faker's names that are not English words at all."""
    common = common_words()
    world = frozenset(w for w in read("first_names_world") | read("first_names_world_latin") if w not in common)
    return read("first_names_common") | read("first_names_intl") | world


@cache
def last_names() -> frozenset[str]:
    """Surnames that confirm a name; Faker's surnames that are also English words ("Sparks",
    "Rails") are left to :func:`weak_last_names`."""
    common = common_words()
    world = frozenset(w for w in read("last_names_world") if w not in common)
    return read("last_names") | read("last_names_intl") | world


@cache
def weak_last_names() -> frozenset[str]:
    """Surnames that are also English words: they confirm a name only after a known given name."""
    common = common_words()
    return frozenset(w for w in read("last_names_world") if w in common)


@cache
def cyrillic_first_names() -> frozenset[str]:
    """Given names in Cyrillic: Faker's Russian and Ukrainian locales, and the hand-written
    Central Asian, Caucasian, Volga and Siberian ones ("айдар", "асель", "гиви")."""
    return read("first_names_cyrillic") | read("first_names_cyrillic_eurasia")


@cache
def cyrillic_last_names() -> frozenset[str]:
    return read("last_names_cyrillic")


@cache
def brands() -> frozenset[str]:
    """First words of brands, products and companies that read like names ("dell", "lada",
    "kaspi", "леруа"), lower case; hand-written for Perimeter (``data/brands.txt``)."""
    return read("brands")


@cache
def places() -> frozenset[str]:
    """City (15k people or more), country and US-state names, Latin and Cyrillic, lower case;
    multi-word names whole ("los angeles").  GeoNames, CC BY 4.0."""
    return read("places_world")


@cache
def place_regions() -> dict[str, str]:
    """City (100k people or more, Latin and Cyrillic spellings) and country name, lower case ->
    the ISO code of its country ("bengaluru" -> "IN").  GeoNames, CC BY 4.0."""
    data = resources.files("perimeter.privacy.detect").joinpath("data", "place_regions.tsv").read_text("utf-8")
    out: dict[str, str] = {}
    for line in data.splitlines():
        name, _, region = line.partition("\t")
        if region and not name.startswith("#"):
            out[name] = region
    return out


def load() -> None:
    """Read every list now (gateway start-up), so no request pays for it."""
    first_names()
    single_first_names()
    last_names()
    weak_last_names()
    cyrillic_first_names()
    cyrillic_last_names()
    places()
    place_regions()
