"""Passwords typed in chat without the word "password": Wi-Fi keys, login/password pairs,
a second password in the same sentence, a password a sentence after the word that names it.

- **A credential word of chat** (wifi, вайфай, pw, pwd, pass, пасс, логин/login, ключ, key)
  then a colon, a dash or an equals sign within the clause: "вайфай на даче: Kx9#mP2!";
- **A login and its password** joined by "/" or ":" ("login admin / Zx81!pq", "креды
  root:Tr0ub4dor&3");
- **Another password** later in the sentence of one found by its word ("I tried Brasil@2026
  and also the old one flamengo1981");
- **The next sentence**: a token that only a password looks like (three kinds of character, a
  digit, eight or more long) within 200 characters after a password or Wi-Fi word ("пароль от
  вайфая … на роутере написано dacha_Zel3nogorsk").

A door or locker code ("the code for the door is 4411#") is no secret: digits alone never
count, and "code" is no credential word.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from perimeter.privacy.entities import Entity

_CHAT_KEY = re.compile(
    r"(?:wi-?fi|вай-?фа[йяюе]\w*|pw|pwd|pass|пасс|логин|login|ключ\w*|key)(?![a-zа-яё])"
    r"[^\n:=—–.!?;\"'`]{0,40}?(?:[:=—–]|[ \t]-)[ \t]*(?P<value>[^\s\"'`«»,;]{4,64})"
)
_PAIR = re.compile(
    r"(?:login|логин|user(?:name)?|юзер|учётк\w*|учетк\w*|creds|креды|доступ\w*)(?![a-zа-яё])[ \t:=]+"
    r"(?P<user>[\w.@\-]{2,40})[ \t]*(?:/|:|\||,)[ \t]*(?:(?:pass(?:word)?|пароль|pwd|pw)[ \t:=]+)?(?P<value>[^\s\"'`«»,;]{4,64})"
)
_PASSWORD_WORD = re.compile(r"(?:пароль|пароля|паролем|password|passwd|pwd|wi-?fi|вай-?фа[йяюе]\w*)(?![a-z])")
_TOKEN = re.compile(r"[^\s\"'`«»(),;]+")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")
# A dotted name of three or more identifier parts is code (a Java frame, a module path), not a password.
_DOTTED_NAME = re.compile(r"[A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*){2,}")
_OTHER_ONE = re.compile(r"(?i:\b(?:old|previous|other|another|also|or|and|старый|прежний|другой|ещё|еще|или|и)\b)")


def _kinds(token: str) -> int:
    return (
        any(c.islower() for c in token) + any(c.isupper() for c in token) + any(c.isdigit() for c in token)
        + any(not c.isalnum() for c in token)
    )


def _mixed(token: str) -> bool:
    """Letters and digits mixed ("flamengo1981"): a password when a credential word vouches."""
    letters = sum(c.isalpha() for c in token)
    digits = sum(c.isdigit() for c in token)
    return 6 <= len(token) <= 64 and letters >= 3 and digits >= 2 and token.isalnum() and not token.isdigit()


def _prose_token(token: str, strong: Callable[[str], bool]) -> bool:
    """A password standing alone in prose: not a path, a time stamp, an image tag or a URL part."""
    return (
        len(token) >= 8 and strong(token) and any(c.isdigit() for c in token) and sum(c.isalpha() for c in token) >= 3
        and not token[0].isdigit() and "/" not in token and ":" not in token and "=" not in token and "@" not in token
        and not _DOTTED_NAME.fullmatch(token)
    )


def _value(token: str) -> str:
    return token.strip("\"'`«»()[]<>").rstrip(".?:")


def _matches(rx: re.Pattern[str], lower: str, starts: list[int], glue: str) -> list[re.Match[str]]:
    """``rx`` at each start that begins a word (not after a letter or one of ``glue``)."""
    out = []
    for at in starts:
        if at and (lower[at - 1].isalpha() or lower[at - 1] in glue):
            continue
        m = rx.match(lower, at)
        if m is not None:
            out.append(m)
    return out


def find_chat_secrets(text: str, lower: str, starts: list[int], strong: Callable[[str], bool]) -> list[Entity]:
    """``starts``: where a word of ``literals.CHAT_CREDENTIALS`` starts in ``lower`` (the shared
    literal pass finds them); ``strong``: the scanner's test for a token only a password looks
    like (three kinds of character, a digit or a symbol, a letter; no address or placeholder)."""
    if not starts:
        return []
    out: list[Entity] = []

    def add(start: int, raw: str, score: float) -> None:
        value = _value(raw)
        if value:
            s = start + raw.index(value)
            out.append(Entity("SECRET", s, s + len(value), value, score, "credential_assignment"))

    for m in _matches(_CHAT_KEY, lower, starts, "_-"):
        raw = text[m.start("value"):m.end("value")]
        value = _value(raw)
        if strong(value) or (_mixed(value) and len(value) >= 8):
            add(m.start("value"), raw, 0.85)
    for m in _matches(_PAIR, lower, starts, "_-/:."):
        raw = text[m.start("value"):m.end("value")]
        if strong(_value(raw)) and "/" not in raw:  # "user:password@localhost:5432/app" is a URL
            add(m.start("value"), raw, 0.85)
    for m in _matches(_PASSWORD_WORD, lower, starts, ""):
        # only tokens in the 200 characters after the word are read, so the end of the sentence is
        # looked for there too (an unbounded search made a run-on text quadratic)
        end = _SENTENCE_END.search(text, m.end(), m.end() + 202)
        stop = end.start() if end is not None else len(text)
        first = None
        for t in _TOKEN.finditer(text, m.end(), min(len(text), m.end() + 200)):
            value = _value(t.group())
            if first is None:
                if t.start() < stop:
                    if not value.isalpha() and strong(value):
                        first = t  # the password its word names; the next ones may be others
                    continue
                if not value.isalpha() and _prose_token(value, strong):
                    add(t.start(), t.group(), 0.75)  # a sentence on: only a strong token
                    break
                continue
            if t.start() >= stop:
                break
            if not value.isalpha() and (strong(value) or _mixed(value)) and _OTHER_ONE.search(text, first.end(), t.start()):
                add(t.start(), t.group(), 0.8)
                first = t
    return out
