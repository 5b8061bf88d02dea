"""Japanese and Chinese names by their own grammar: the honorific after them and the space inside.

No word list knows every name written in kanji or hanzi, but the languages mark people:

- **An honorific suffix** stands only after a person ("田中様", "鈴木さんにお願いする",
  "佐藤先生", "王伟先生", "李女士"): 様, さん, 氏, 先生, くん, 君, ちゃん, 殿, 女士, 小姐.  A
  katakana name takes them too ("スミスさん").
- **A space inside a run of kanji**: Japanese writes no spaces between words, but a full name is
  often typed "family given" with one ("サポートの小林 美咲です", "担当: 井上 陽翔").  Two short
  kanji runs with one space between count in a text that holds kana (so it is Japanese, not a
  list of Chinese words) when a person's word follows — an honorific, a copula ("です"), a
  self-introduction ("と申します") — or a field key or a "/" after a Latin name comes before.

Place names take honorifics too rarely to matter ("東京様" is nobody's), and a company takes 様
(御中 is the form for companies; "株式会社…様" is kept out by its corporate word).
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

_HAN = r"[\u4e00-\u9fff\u3400-\u4dbf々]"
_KATAKANA = r"[\u30a1-\u30fa\u30fc・]"
_HONORIFIC = r"(?:様|さま|さん|氏|先生|くん|君|ちゃん|殿|女士|小姐)"
# a name of one to four characters, or a katakana name, right before an honorific; not glued to
# a longer kanji run before it (a compound noun's tail)
_HONOURED = re.compile(rf"(?<![\u4e00-\u9fff\u3400-\u4dbf々])({_HAN}{{2,4}}(?:[ \u3000]{_HAN}{{1,3}})?|{_KATAKANA}{{2,12}}){_HONORIFIC}")
# family and given name with one space, before a person's word or after a key / a Latin name
_SPACED = re.compile(rf"(?<![\u4e00-\u9fff\u3400-\u4dbf々])({_HAN}{{1,3}}[ \u3000]{_HAN}{{1,3}})(?![\u4e00-\u9fff\u3400-\u4dbf々])")
_PERSON_AFTER = re.compile(rf"[ \u3000]?(?:{_HONORIFIC}|です|と申します|と言います|より|から連絡|が担当|（|\()")
_KEY_BEFORE = re.compile(r"(?:[:：][ \u3000]*|の|担当[:：]?[ \u3000]*|氏名[:：]?[ \u3000]*)$")
# the same person's name in Latin letters, then " / " ("Inoue Haruto / 井上 陽翔")
_LATIN_TWIN = re.compile(r"[A-Z][a-z]+[ \u00a0][A-Z][a-z]+[ \u00a0]/[ \u00a0]$")
_KANA = re.compile(r"[\u3040-\u30ff]")
_CORPORATE = ("株式会社", "有限会社", "合同会社", "会社", "御中", "銀行", "大学", "病院", "事務所", "部", "課")
# people by their role, not their name: "患者さん", "担当者様", "利用者様", "社長様"
_ROLES = frozenset({"患者", "担当者", "担当", "利用者", "社員", "会員", "各位", "関係者", "責任者", "運転手", "店員",
                    "部長", "課長", "社長", "店長", "医師", "先生", "生徒", "学生", "子供", "子ども", "奥様", "皆様",
                    "お客", "家族", "親御", "保護者", "申請者", "契約者", "購入者", "応募者", "受取人", "差出人"})


def find_cjk_names(text: str) -> list[Entity]:
    out: list[Entity] = []
    for m in _HONOURED.finditer(text):
        name = m.group(1)
        if name in _ROLES or any(word in name for word in _CORPORATE):
            continue
        out.append(Entity("PERSON", m.start(1), m.end(1), name, 0.8, "cjk_names"))
    if " " in text or "\u3000" in text:
        japanese = _KANA.search(text) is not None
        for m in _SPACED.finditer(text):
            twin = _LATIN_TWIN.search(text, max(0, m.start() - 40), m.start()) is not None
            cued = _PERSON_AFTER.match(text, m.end()) is not None or _KEY_BEFORE.search(
                text, max(0, m.start() - 8), m.start()) is not None
            if not twin and not (japanese and cued):
                continue
            if any(word in m.group(1) for word in _CORPORATE):
                continue
            out.append(Entity("PERSON", m.start(1), m.end(1), m.group(1), 0.8, "cjk_names"))
    return out
