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

import math
import re
from collections import Counter
from collections.abc import Callable

from perimeter.privacy.entities import Entity

_CRED = r"pass(?:word|wd|phrase)?|pwd|secret|token|api_?key|access_?key|private_?key|app_?key|key_?id|signing_?key"
# "PGPASSWORD=…", "adminPassword: …", "APP_KEY=base64:…": the credential word inside a longer key.
_KEY_IN_NAME = re.compile(
    rf"(?<![\w.\-])(?P<key>(?:[A-Za-z_][\w.\-]*?)?(?i:{_CRED})[\w\-]*)[\"']?[ \t]*(?:=|:(?!//))[ \t]*"
    r"(?P<q>[\"']?)(?:base64:)?(?P<value>(?:[a-z]{4} ){3}[a-z]{4}(?![\w])|[^\s\"',;<>]{4,200})(?P=q)"
)
_CRED_WORD = re.compile(_CRED)
_CURL_USER = re.compile(r"(?:^|[ \t'\"])(?:-u|--user)[ \t]+[\"']?[^\s:\"']+:(?P<value>[^\s\"'@]{4,128})")
_MYSQL_PASS = re.compile(r"\b(?:mysql|mysqldump|mariadb)\b[^\n]{0,120}?[ \t]-p(?P<value>[^\s\"']{4,128})")
_URL_EMPTY_USER = re.compile(r"[a-z][a-z0-9+.\-]*://:(?P<value>[^\s@/]{4,128})@[\w.\-]+", re.IGNORECASE)
_URL_AT_PASS = re.compile(r"[a-z][a-z0-9+.\-]*://[^\s:/@]+:(?P<value>[^\s/]*@[^\s/]*)@[\w\-]+(?:\.[\w\-]+)*(?::\d+)?(?=[/\s\"']|$)", re.IGNORECASE)
_URL_KEY_USER = re.compile(r"https?://(?P<value>[0-9a-f]{32})@[\w.\-]+", re.IGNORECASE)
_CUE = re.compile(
    r"(?<![\w])(?:парол\w*|пасс\b|pass(?:word|wd|code)?\b|pw\b|pwd\b|wi-?fi|вайфа\w*|wlan|логин\w*|login|"
    r"кодов\w* слов\w*|code\s?word|the code is|код от\w*|router|роутер\w*|admin|админк\w*|sticker|стикер\w*)",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"(?<![\w@#$%&*!?/.:\-])([^\s\"'`«»()\[\]<>,;]{6,64})")
_PAIR = re.compile(r"(?<![\w])([\w.@\-]{2,40})[ \t]+/[ \t]+([^\s\"'`,;()]{6,64})")
_APP_PASSWORD = re.compile(r"(?:[a-z]{4} ){3}[a-z]{4}")
_PLACEHOLDER = re.compile(r"^(?:\*+|x+|\.+|<.*>|\$\{.*\}|\$\w+|%\w+%|\{\{.*\}\}|changeme|example|your[_\-].*|null|none|true|false)$", re.I)
_HEXISH = re.compile(r"[0-9a-f]{8,}")
# Cues after which a word-and-digits passphrase counts; the rest need the full mix of classes.
_LOOSE_CUE = re.compile(r"парол|password|passwd|passcode|pwd|wi-?fi|вайфа|wlan|кодов|code|код от", re.IGNORECASE)
_NETWORK_NAME = re.compile(r"(?i:network|ssid|сеть|сети|wlan)\W{0,3}(?:is|:|—|-)?\s*$")


def _entropy(value: str) -> float:
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


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
    if re.match(r"[A-Za-z_]{2,}=", token):
        return False  # "attempts=4" in a log line: another field
    if _PLACEHOLDER.match(token) or token.replace(".", "").replace("-", "").isdigit():
        return False
    if re.fullmatch(r"[\w\-]+\.(?i:xml|json|ya?ml|conf|cfg|ini|txt|log|env|py|js|sh|toml|md|html?)", token):
        return False
    if re.search(r"\d\.\d|[A-Za-z]{2}\.[A-Za-z]{2}", token):
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
    return len(value) >= 16 and _entropy(value) >= 3.2 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def find_context_secrets(text: str, lower: str) -> list[Entity]:
    """``lower``: ``text.lower()`` with the same length (offsets are shared)."""
    out: list[Entity] = []

    def add(s: int, e: int, score: float = 0.85) -> None:
        out.append(Entity("SECRET", s, e, text[s:e], score, "secret_context"))

    if any(w in lower for w in ("pass", "pwd", "secret", "token", "key")):
        tried: set[int] = set()
        for word in _CRED_WORD.finditer(lower):
            at = word.start()
            while at > 0 and (text[at - 1].isalnum() or text[at - 1] in "_.-"):
                at -= 1  # back to the start of the key holding the word
            if at in tried:
                continue
            tried.add(at)
            m = _KEY_IN_NAME.match(text, at)
            if m is not None and _key_value_ok(m.group("key"), m.group("value")):
                add(*m.span("value"))
    if "-u" in text or "--user" in text:
        for m in _CURL_USER.finditer(text):
            if not _PLACEHOLDER.match(m.group("value")) and not m.group("value").startswith("$"):
                add(*m.span("value"))
    if "mysql" in lower or "mariadb" in lower:
        for m in _MYSQL_PASS.finditer(text):
            add(*m.span("value"))
    if "://" in text:
        for rx in (_URL_EMPTY_USER, _URL_AT_PASS, _URL_KEY_USER):
            for m in rx.finditer(text):
                if not _PLACEHOLDER.match(m.group("value")):
                    add(*m.span("value"), 0.9)
    for cue in _CUE.finditer(lower):
        _after_cue(text, cue, add)
    return out


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
    strong_cue = _LOOSE_CUE.match(cue.group()) is not None
    pair = _PAIR.search(text, cue.end(), end)
    if pair is not None and _password_shaped(pair.group(2), loose=True):
        add(pair.start(2), pair.end(2))
        return
    for m in _TOKEN.finditer(text, cue.end(), end):
        token = m.group(1).rstrip(".?:")  # "Marusya_1988!": a bang is the password's
        if _HEXISH.fullmatch(token.lower()) or _NETWORK_NAME.search(text, max(0, m.start() - 16), m.start()):
            continue  # "network is CabinNet_5G": the wifi's name, the password comes next
        if _password_shaped(token, loose=strong_cue):
            add(m.start(1), m.start(1) + len(token))
            return
