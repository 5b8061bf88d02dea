"""Secrets that :mod:`secrets` misses: odd keys, command-line flags, pairs, passphrases.

:mod:`secrets` wants a credential word right before the value (``password=``, "пароль: …").
People and configs also write credentials like this, and each shape is read here:

* a key that only *contains* a credential word: ``PGPASSWORD=…``, ``adminPassword: …``,
  ``APP_KEY=base64:…``, ``key_id: …`` (``camelCase`` and prefixed env names);
* command-line credentials: ``curl -u deploy:…``, ``mysql -u app -pSECRET``;
* URL credentials the generic URL rule cannot split: an empty user (``redis://:pw@host``), a
  password holding "@" (the host follows the *last* "@"), a DSN whose user part is a hex key
  (``https://<32 hex>@o1.ingest.sentry.io``);
* "login / password" pairs after a wifi/router/login word (``admin / Kx7-Fern-Lake-29``,
  ``OfficeNet-2F / trellis-Oak-5521``);
* a token shaped only like a password (upper, lower, digit and a symbol, or a word-digit
  passphrase) within a few lines after a wifi/password/login cue ("пароль от вайфая …\\nа он
  поменялся, теперь Kv7#plomba_2026", "the code is maplesyrup-4471"), and a Google-style
  app password (``wqpn xrdt lkma zfbe``) after a password key.

Every rule still needs a cue; a password-shaped token alone in running text is not enough.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from perimeter.privacy.detect.entropy import entropy
from perimeter.privacy.detect.prescan import TextIndex
from perimeter.privacy.entities import Entity

_CRED = r"pass(?:word|wd|phrase)?|pwd|secret|token|api_?key|access_?key|private_?key|app_?key|key_?id|signing_?key"
# "PGPASSWORD=…", "adminPassword: …", "APP_KEY=base64:…": the credential word inside a longer key.
_KEY_IN_NAME = re.compile(
    rf"(?<![\w.\-])(?P<key>(?:[A-Za-z_][\w.\-]*?)?(?i:{_CRED})[\w\-]*)[\"']?[ \t]*(?:=|:(?!//))[ \t]*"
    r"(?P<q>[\"']?)(?:base64:)?(?P<value>(?:[a-z]{4} ){3}[a-z]{4}(?![\w])|[^\s\"',;<>]{4,200})(?P=q)"
)
# Every alternative of ``_CRED`` contains one of these; every one of ``_CUE`` starts with one.
_CRED_STEMS = ("pass", "pwd", "secret", "token", "key")
_CUE_STEMS = ("парол", "пасс", "pw", "wi-fi", "wifi", "вайфа", "wlan", "логин", "login", "кодов", "the code", "код от",
              "router", "роутер", "admin", "админк", "sticker", "стикер")
#: Where a rule here starts (``literals.SECRET_CONTEXT`` is the same tuple).
STEMS = (*_CRED_STEMS, *_CUE_STEMS, "-u", "mysql", "mariadb", "://")
_CURL_USER = re.compile(r"(?:^|(?<=[ \t'\"])|[ \t'\"])(?:-u|--user)[ \t]+[\"']?[^\s:\"']+:(?P<value>[^\s\"'@]{4,128})")
_MYSQL_PASS = re.compile(r"(?i:mysql|mysqldump|mariadb)\b[^\n]{0,120}?[ \t]-p(?P<value>[^\s\"']{4,128})")
_URL_EMPTY_USER = re.compile(r"[a-z][a-z0-9+.\-]*://:(?P<value>[^\s@/]{4,128})@[\w.\-]+", re.IGNORECASE)
_URL_AT_PASS = re.compile(r"[a-z][a-z0-9+.\-]*://[^\s:/@]+:(?P<value>[^\s/]*@[^\s/]*)@[\w\-]+(?:\.[\w\-]+)*(?::\d+)?(?=[/\s\"']|$)", re.IGNORECASE)
_URL_KEY_USER = re.compile(r"https?://(?P<value>[0-9a-f]{32})@[\w.\-]+", re.IGNORECASE)
_CUE = re.compile(
    r"(?<![\w])(?:парол\w*|пасс\b|pass(?:word|wd|code)?\b|pw\b|pwd\b|wi-?fi|вайфа\w*|wlan|логин\w*|login|"
    r"кодов\w* слов\w*|code\s?word|the code is|код от\w*|router|роутер\w*|admin|админк\w*|sticker|стикер\w*)",
    re.IGNORECASE,
)
# Every shape below has a digit: the lookahead skips plain words without trying them.
_TOKEN = re.compile(r"(?<![\w@#$%&*!?/.:\-])(?=[^\s\"'`«»()\[\]<>,;]*\d)([^\s\"'`«»()\[\]<>,;]{6,64})")
_FIELD = re.compile(r"[A-Za-z_]{2,}=")
_FILE = re.compile(r"[\w\-]+\.(?i:xml|json|ya?ml|conf|cfg|ini|txt|log|env|py|js|sh|toml|md|html?)")
_DOTTED = re.compile(r"\d\.\d|[A-Za-z]{2}\.[A-Za-z]{2}")
_PAIR = re.compile(r"(?<![\w])([\w.@\-]{2,40})[ \t]+/[ \t]+([^\s\"'`,;()]{6,64})")
_APP_PASSWORD = re.compile(r"(?:[a-z]{4} ){3}[a-z]{4}")
_PLACEHOLDER = re.compile(r"^(?:\*+|x+|\.+|<.*>|\$\{.*\}|\$\w+|%\w+%|\{\{.*\}\}|changeme|example|your[_\-].*|null|none|true|false)$", re.I)
_HEXISH = re.compile(r"[0-9a-f]{8,}")
# Cues after which a word-and-digits passphrase counts; the rest need the full mix of classes.
_LOOSE_CUE = re.compile(r"парол|password|passwd|passcode|pwd|wi-?fi|вайфа|wlan|кодов|code|код от", re.IGNORECASE)
_LEAD = re.compile(r"(?:\bis|\bnow|теперь|это|[:=—–])[ \t]*[\"'«]?[ \t]*$", re.IGNORECASE)
_NETWORK_NAME = re.compile(r"(?i:network|ssid|сеть|сети|wlan)\W{0,3}(?:is|:|—|-)?\s*$")


def _classes(token: str) -> int:
    return (
        any(c.islower() for c in token) + any(c.isupper() for c in token) + any(c.isdigit() for c in token)
        + any(c in "!#$%&*@^~?+=_" for c in token)
    )


def _password_shaped(token: str, loose: bool) -> bool:
    """Upper, lower, digit and a symbol ("Zx!81vqLm2#"); ``loose`` also takes a word-and-digits
    passphrase ("maplesyrup-4471", "Кассиопея1977") after an explicit cue."""
    if not 6 <= len(token) <= 64 or "://" in token or ("@" in token[1:-1] and "." in token.split("@")[-1]):
        return False
    if _FIELD.match(token):
        return False  # "attempts=4" in a log line: another field
    if _PLACEHOLDER.match(token) or token.replace(".", "").replace("-", "").isdigit():
        return False
    if _FILE.fullmatch(token):
        return False
    if _DOTTED.search(token):
        return False  # a version, a host or package name ("org.postgresql.core.v3…")
    has_alpha = any(c.isalpha() for c in token)
    has_digit = any(c.isdigit() for c in token)
    if _classes(token) == 4:
        return True
    if not loose or not (has_alpha and has_digit) or len(token) < 8:
        return False
    letters = sum(c.isalpha() for c in token)
    return letters >= 4 and (_classes(token) >= 3 or "-" in token)


def _key_value_ok(key: str, value: str) -> bool:
    low = key.lower()
    if "passport" in low:
        return False  # "passport_series=4021": a document's field, not a pass word
    if _PLACEHOLDER.match(value) or value.lower() == low or value.endswith(":"):
        return False
    if re.fullmatch(r"[A-Za-z_][\w]*(?:\.|\(|\[)[\w.()\[\]]*", value):
        return False  # "settings.DB_PASSWORD", "os.getenv(…)"
    if _APP_PASSWORD.fullmatch(value):
        return "pass" in low or "pwd" in low
    if value.startswith(("/", "./", "~/", "$", "{{", "%")):
        return False  # "DB_PASSWORD_FILE=/run/secrets/db", "${DB_PASSWORD}": where it is, not what
    if "pass" in low or "pwd" in low:
        return not (value.isalpha() and value.islower() and len(value) < 10) and not value.isdigit()
    if value.lower() in ("true", "false") or value.isdigit():
        return False
    # key, token, secret, key id: a random-looking run, not a word or a file name
    return len(value) >= 16 and entropy(value) >= 3.2 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def find_context_secrets(text: str, lower: str, starts: list[int] | None = None) -> list[Entity]:
    """``lower``: ``text.lower()`` with the same length (offsets are shared); ``starts``: the
    sorted offsets of :data:`STEMS` in it when the caller has them (one hyperscan pass)."""
    out: list[Entity] = []

    def add(s: int, e: int, score: float = 0.85) -> None:
        out.append(Entity("SECRET", s, e, text[s:e], score, "secret_context"))

    tried: set[int] = set()
    for at in sorted(set(TextIndex.stem_starts(STEMS, lower))) if starts is None else starts:
        ch = lower[at]
        if ch == "-":
            m = _CURL_USER.match(text, max(0, at - 1))
            if m is not None and not _PLACEHOLDER.match(m.group("value")) and not m.group("value").startswith("$"):
                add(*m.span("value"))
        elif ch == ":":
            _url_secrets(text, at, add)
        elif lower.startswith(("mysql", "mariadb"), at):
            m = _MYSQL_PASS.match(text, at)
            if m is not None:
                add(*m.span("value"))
        else:
            if lower.startswith(_CRED_STEMS, at):
                key_at = at
                while key_at > 0 and (text[key_at - 1].isalnum() or text[key_at - 1] in "_.-"):
                    key_at -= 1  # back to the start of the key holding the word
                if key_at not in tried:
                    tried.add(key_at)
                    m = _KEY_IN_NAME.match(text, key_at)
                    if m is not None and _key_value_ok(m.group("key"), m.group("value")):
                        s, e = m.span("value")
                        add(s, e - (len(m.group("value")) - len(m.group("value").rstrip(".)"))))  # a full stop
            cue = _CUE.match(lower, at)
            if cue is not None:
                _after_cue(text, cue, add)
    return out


def _url_secrets(text: str, at: int, add: Callable[..., None]) -> None:
    start = at
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "+.-"):
        start -= 1  # back to the start of the scheme
    for rx in (_URL_EMPTY_USER, _URL_AT_PASS, _URL_KEY_USER):
        m = rx.match(text, start)
        if m is not None and not _PLACEHOLDER.match(m.group("value")):
            add(*m.span("value"), 0.9)


def _after_cue(text: str, cue: re.Match[str], add: Callable[[int, int], None]) -> None:
    """The first password-shaped token in the ~3 lines after a cue; a "user / password" pair."""
    end = min(len(text), cue.end() + 160)
    nl = cue.end() - 1
    for _ in range(3):  # the cue's line and at most the two after it
        nl = text.find("\n", nl + 1, end)
        if nl == -1:
            break
    if nl != -1:
        end = nl
    strong_cue = _LOOSE_CUE.search(cue.group()) is not None
    pair = _PAIR.search(text, cue.end(), end)
    if pair is not None and _password_shaped(pair.group(2), loose=True):
        add(pair.start(2), pair.end(2))
        return
    for m in _TOKEN.finditer(text, cue.end(), end):
        token = m.group(1).rstrip(".?:")  # "Marusya_1988!": a bang is the password's
        if _HEXISH.fullmatch(token.lower()) or _NETWORK_NAME.search(text, max(0, m.start() - 16), m.start()):
            continue  # "network is CabinNet_5G": the wifi's name, the password comes next
        # a passphrase only right after the cue or a "теперь"/"is"/":" ("the code is in build-2024" is not one)
        near = not text[cue.end():m.start()].strip(" \t:=\"'«—–") or _LEAD.search(text, max(cue.end(), m.start() - 10), m.start()) is not None
        if _password_shaped(token, loose=strong_cue and near):
            add(m.start(1), m.start(1) + len(token))
            return
