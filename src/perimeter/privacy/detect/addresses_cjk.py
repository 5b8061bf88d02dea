"""Chinese, Japanese and Korean postal addresses, written in their own scripts.

They run from the largest unit to the smallest with no spaces a Latin grammar could split on:
"上海市浦东新区张杨路1588弄12号602室", "〒150-0041 東京都渋谷区神南1-19-11", "광주광역시 서구
상무중앙로 110".  Each is recognised by its administrative suffixes — a city or prefecture
(市, 省, 都/道/府/県, 시/도), a district (区, 县, 구, 군), a road or block (路, 街, 弄, 号, 丁目, 로, 길)
— and a number, which a run of CJK prose seldom holds together.
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

_HAN = "\u4e00-\u9fff"
_KANA = "\u3040-\u30ff"
# a run of Han, digits, Latin block letters and hyphens, with single spaces ("… 85号 高德置地广场A座 2106")
_CN = re.compile(rf"[{_HAN}][{_HAN}0-9A-Za-z\-－]*(?: [{_HAN}0-9A-Za-z\-－]+)*")
_CN_CITY = re.compile(r"[省市]|自治区")
_CN_STREET = re.compile(r"[路街道弄巷号村]")
# 〒 and a postcode, or a prefecture, then the rest of the line in kanji, kana and numbers
_JP = re.compile(
    rf"(?:〒[ \u3000]?\d{{3}}[-－]\d{{4}}[ \u3000]*)?"
    rf"(?:[{_HAN}]{{1,3}}[都道府県])?[{_HAN}{_KANA}0-9０-９\-－ー]+(?:[ \u3000][{_HAN}{_KANA}0-9０-９][{_HAN}{_KANA}0-9０-９A-Za-z\-－ー]*)*"
)
_JP_UNIT = re.compile(r"[市区町村郡]")
_JP_MARK = re.compile(r"〒|[都道府県]")
_KR = re.compile(
    r"[가-힣]+(?:특별시|광역시|특별자치시|특별자치도|시|도)(?:[ ][가-힣]+(?:시|군|구))*[ ][가-힣0-9]+(?:로|길)[ ]?\d+(?:-\d+)?"
    r"(?:,?[ ][가-힣A-Za-z0-9]+[ ]?\d+(?:층|호))?"
)
_CJK = re.compile(rf"[{_HAN}{_KANA}가-힣]")


def find_cjk_addresses(text: str) -> list[Entity]:
    if text.isascii() or _CJK.search(text) is None:
        return []
    out: list[Entity] = []
    for m in _CN.finditer(text):
        value = m.group()
        if len(value) >= 8 and _CN_CITY.search(value) and _CN_STREET.search(value) and any(c.isdigit() for c in value):
            out.append(Entity("ADDRESS", m.start(), m.end(), value, 0.85, "address_cjk"))
    if "〒" in text or any("\u3040" <= c <= "\u30ff" for c in text):
        for m in _JP.finditer(text):
            value = m.group()
            if _JP_MARK.search(value) and _JP_UNIT.search(value) and any(c.isdigit() for c in value) and len(value) >= 8:
                out.append(Entity("ADDRESS", m.start(), m.end(), value, 0.85, "address_cjk"))
    for m in _KR.finditer(text):
        out.append(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.85, "address_cjk"))
    return out
