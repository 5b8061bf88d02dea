"""Round 14: the tagger trained on the grown given-name lists (docs/privacy-detection.md, "Round 14").

The experiment is kept behind ``tagger.GROWN_LISTS`` / ``train_tagger.py --grown-lists``: its
models did not beat the shipped one on the splits it never trains on once the seed's own spread
was measured, and the seed that did broke pinned behaviour.  What is tested here is the code the
experiment adds (the inflected-name check, the Cyrillic renamed copies) and that the shipped
model's inputs are untouched by it.
"""

from __future__ import annotations

import random

import pytest

from perimeter.privacy import Scanner
from perimeter.privacy.detect import lexicon, tagger
from tests.privacy_detect.train_script import train_module

pytestmark = pytest.mark.skipif(not tagger.available(), reason="the tagger model is not shipped in this checkout")

# ``scanner``: the session's warmed-up Scanner (conftest.py)


def test_the_shipped_model_reads_the_lists_it_was_trained_with() -> None:
    assert not tagger.GROWN_LISTS
    assert tagger._gazetteers()[0] == lexicon.first_names_as_trained()
    assert "gfi" not in tagger._static("Бахромом")[0]  # the inflected-name feature is the experiment's


@pytest.mark.parametrize("word", ["бахромом", "асели", "арсланчик", "айгульке", "рустамчиком", "гульнозой"])
def test_an_inflected_or_pet_form_of_a_listed_name_is_marked(word: str) -> None:
    assert tagger._inflected_given(word, lexicon.cyrillic_first_names())


@pytest.mark.parametrize("word", ["столом", "москвой", "дома", "компании", "казани", "бахром", "асель"])
def test_ordinary_words_and_the_nominative_are_not_inflected_names(word: str) -> None:
    # "бахром" and "асель" are listed as they stand (the gazetteer's own feature), not inflected
    assert not tagger._inflected_given(word, lexicon.cyrillic_first_names())


@pytest.mark.parametrize(("text", "address"), [
    ("Giao hàng tới 123 Nguyễn Huệ, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh trước thứ Sáu.",
     "123 Nguyễn Huệ, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"),
    ("Please ship it to 123 Nguyễn Huệ, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh by Friday.",
     "123 Nguyễn Huệ, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"),
])
def test_a_street_named_after_a_person_stays_in_its_address(scanner: Scanner, text: str, address: str) -> None:
    found = scanner.scan(text)
    assert not [e.text for e in found if e.type == "PERSON"]
    assert any(address in e.text for e in found if e.type == "ADDRESS")  # whole, not cut at the street


def test_renamed_copies_inflect_cyrillic_names_in_their_case() -> None:
    train = train_module()
    assert train._declined("бахром", "masc")["ablt"] == "бахромом"
    assert train._declined("гульноза", "femn")["ablt"] == "гульнозой"
    assert train._declined("мадина", "femn")["gent"] == "мадины"
    assert train._declined("айгуль", "femn")["ablt"] == "айгулью"
    pools = ([], [], train._cyrillic_pool())
    doc = {"text": "Созвонились с Ильдаром, он всё подтвердил.", "entities": [{"type": "PERSON", "start": 14, "end": 22}]}
    copy = train.renamed(doc, random.Random(1), pools)
    e = copy["entities"][0]
    new = copy["text"][e["start"]:e["end"]]
    assert new != "Ильдаром" and new[0].isupper()
    assert new.lower() in {forms["ablt"] for forms in pools[2]["masc"]}
    assert copy["text"].endswith(", он всё подтвердил.")
