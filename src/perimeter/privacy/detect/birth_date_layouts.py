"""More written layouts of a date, for the birth-date detectors' shared date pattern.

Forms, scanned passports and foreign CVs write a date of birth in layouts that
``contacts._DATE`` did not read, so the date right after "DOB" / "дата рождения" / a person's
name leaked:

* "16-Apr-1985", "16.APR.85", "16-апр-1985", "1985-Apr-16", "Apr-16-1985": a day, an English or Russian month
  abbreviation and a year joined by "-", "." or "/" (the spaced "16 Apr 1985" is already read);
* "16APR85", "02SEP1958": the airline and travel-document layout, capitals only;
* "1958-9-2", "1958/9/02": an ISO-like date with one-digit month or day, the same separator twice;
* "12.IV.1985", "12 IV 1985", "12-IV-85": a Roman-numeral month (Soviet and East-European forms),
  upper case only, so "1 x 2000" or a word "i" stays text.

These are only *layouts*: every caller still asks for a birth cue before the date (or a
person's record right before it), which is what keeps an ordinary date in a text a date.
"""

from __future__ import annotations

_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_MON_EN = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
_MON_RU = r"(?:янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|сент|окт|ноя|дек)"
# Longest numerals first, so "VIII" is not read as "V" and a stray "III".
_ROMAN = r"(?-i:XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)"
_YEAR4 = r"(?:19|20)\d{2}"

#: Alternatives for a date regex that is compiled with ``re.IGNORECASE`` and wrapped in
#: ``(?<![\w.])(?:…)(?![\w])``; they use named groups ``lsep``, ``isep``, ``msep``, ``asep`` and ``rsep``.
LAYOUTS = (
    rf"{_DAY}(?P<lsep>[-./])(?:{_MON_EN}|{_MON_RU})(?P=lsep)(?:{_YEAR4}|\d{{2}})"
    rf"|{_YEAR4}(?P<isep>[-./]){_MONTH}(?P=isep){_DAY}(?![-./]?\d)"
    rf"|{_YEAR4}(?P<msep>[- ]){_MON_EN}(?P=msep){_DAY}"
    rf"|{_MON_EN}(?P<asep>[-./]){_DAY}(?P=asep){_YEAR4}"
    rf"|{_DAY}(?-i:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(?:{_YEAR4}|\d{{2}})"
    rf"|{_DAY}(?P<rsep>[./\-][ \u00a0]?|[ \u00a0])(?-i:{_ROMAN})(?P=rsep)(?:{_YEAR4}|\d{{2}})"
)
