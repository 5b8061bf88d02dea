"""Secrets: vendor API keys, JWTs, private-key blocks, ``password=`` values, credential tokens.

Vendor keys have fixed prefixes, so they are matched exactly.  Everything else needs a
credential word next to it ("password", "token", "пароль", "Authorization: Bearer") and, for
free-form tokens, enough entropy that it is not an English word or a placeholder.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import literals
from perimeter.privacy.detect.entropy import entropy
from perimeter.privacy.detect.literals import CHAT_CREDENTIALS, SECRET_WORDS, VENDOR_PREFIXES, alternation
from perimeter.privacy.detect.prescan import TextIndex, aligned_lower
from perimeter.privacy.detect.secrets_chat import find_chat_secrets
from perimeter.privacy.detect.secrets_context import find_context_secrets
from perimeter.privacy.detect.secrets_shapes import find_shaped_secrets
from perimeter.privacy.entities import Entity

_VENDOR = re.compile(
    r"(?:"
    r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}"  # OpenAI
    r"|sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{20,}"  # Anthropic
    r"|(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}"  # AWS access key id
    r"|gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255}"  # GitHub
    r"|xox[abposr]-[A-Za-z0-9\-]{10,}"  # Slack tokens
    r"|https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,}"
    r"|AIza[0-9A-Za-z_\-]{35}|ya29\.[0-9A-Za-z_\-]{20,}"  # Google
    r"|(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}|whsec_[0-9A-Za-z]{20,}"  # Stripe (pk_ keys are public)
    r"|SG\.[\w\-]{16,32}\.[\w\-]{30,64}"  # SendGrid
    r"|glpat-[\w\-]{20,}|npm_[A-Za-z0-9]{36}|hf_[A-Za-z0-9]{30,}|pypi-[A-Za-z0-9_\-]{50,}"
    r"|dop_v1_[a-f0-9]{64}|shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}|xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}"
    r"|AC[a-f0-9]{32}|SK[a-f0-9]{32}|key-[a-f0-9]{32}"  # Twilio, Mailgun
    r"|y0_[A-Za-z0-9_\-]{40,}|AQVN[A-Za-z0-9_\-]{30,}|t1\.[A-Za-z0-9_\-]{40,}"  # Yandex Cloud
    r"|\d{8,10}:AA[A-Za-z0-9_\-]{33}"  # Telegram bot token
    r"|sntry[su]_[A-Za-z0-9_=+/\-]{40,}"  # Sentry auth tokens (org and user)
    r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"  # JWT
    r")"
)
_VENDOR_TRIGGER = re.compile(alternation(VENDOR_PREFIXES))
_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)",
    re.DOTALL,
)
_KEY_WORDS = (
    r"password|passwd|pass|pwd|passphrase|пароль|парол\w+|secret|client_secret|api[_\-\s]?key|apikey|"
    r"access[_\-]?key|secret[_\-]?key|private[_\-]?key|auth[_\-]?token|access[_\-]?token|"
    r"refresh[_\-]?token|token|токен|ключ(?:\s+api)?|credentials?|bearer|signing[_\-]?key|"
    r"webhook[_\-]?secret|db[_\-]?pass\w*|aws_secret_access_key|account[_\-]?key|shared[_\-]?access[_\-]?key|"
    r"encryption[_\-]?key|enc[_\-]?key|master[_\-]?key|app[_\-]?key|hmac[_\-]?key|jwt[_\-]?key|session[_\-]?key|"
    r"cipher[_\-]?key|crypt[_\-]?key"
)
# Lowercase stems of every credential word: a literal alternation scans at >150 MB/s, so the
# full assignment pattern only runs where one of them occurs.
_TRIGGER = re.compile(alternation(SECRET_WORDS))
_ASSIGN = re.compile(
    rf"(?<![A-Za-z])(?P<key>(?i:{_KEY_WORDS}))(?:[_\-][\w\-]*)?[\"']?\s*(?:[:=]|=>|:=|\s(?i:is|was|—|-|был|была|было|будет))\s*"
    rf"(?:(?i:bearer|basic|token)\s+)?(?P<q>[\"'`]?)(?P<value>[^\s\"'`,;<>]{{4,200}})(?P=q)"
)
# "Пароль от Wi-Fi в переговорке: Kofe_2024!" — a few words between the word and the colon.
_PROSE_PASSWORD = re.compile(
    r"(?P<key>(?i:пароль|password|passwd|passcode|pin-код|pin code|token|токен|secret|секрет|api key|ключ))"
    r"[^:=\n,.;!?@/\"'`]{1,40}?(?::|(?<![\w])=)\s*"  # "… user_id=1234": that value is another key's
    r"(?P<q>[\"'`«]?)(?P<value>[^\s\"'`,;<>»]{4,200})"
)
_AUTH_HEADER = re.compile(r"(?i:authorization|x-api-key|api-key|x-auth-token)\s*:\s*(?:(?i:bearer|basic|token)\s+)?(?P<value>[A-Za-z0-9._~+/=\-]{12,})")
# the password may hold an "@" (the host starts after the last one): "mongodb://app:Tq4!z@Lk@10.0.0.5"
_URL_CREDS = re.compile(r"[a-z][a-z0-9+.\-]*://[^\s:/@]+:(?P<value>[^\s/\"'<>]{3,})@[\w.\-]+", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"^(?:\*+|x+|\.+|<.*>|\$\{.*\}|\$\w+|%\w+%|\{\{.*\}\}|null|none|true|false|nil|undefined|"
    r"required|optional|string|str|redacted|hidden|secret|password|changeme|change[_\-]me|replace[_\-]?me|example|your[_\-].*|"
    r"os\.environ.*|process\.env.*|env\(.*|getenv.*|settings\..*|config\..*|self\..*|\[.*\]|\(.*)$",
    re.IGNORECASE,
)
_PLACEHOLDER_KEY = re.compile(r"(?:x{6,}|X{6,}|\*{4,}|your_|YOUR_|<your|0{8,})")
_CODE_EXPR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.|\(|\[)")


def _credential_value(value: str, key: str) -> bool:
    if value.endswith(":") and value[:-1].replace("_", "").isalnum():
        return False  # "пароль:\n\nservices:": the next YAML key, not the value
    value = value.rstrip(".)")
    if len(value) < 4 or _PLACEHOLDER.match(value) or _PLACEHOLDER_KEY.search(value):
        return False
    if _IP_LIKE.fullmatch(value):
        return False  # "token refresh ip=2001:db8::…": the value of another key
    if _CODE_EXPR.match(value) and not (len(value) >= 30 and entropy(value) >= 4.0):
        return False  # "settings.API_KEY", "os.getenv(…)"; a dotted random token is no code
    if value.lower() == key.lower():
        return False
    if "token" in key.lower() or "key" in key.lower() or "ключ" in key.lower() or "токен" in key.lower():
        # Free-form tokens must look random: a long mix, not a word or a sentence fragment.
        return len(value) >= 12 and entropy(value) >= 3.0 and any(c.isdigit() for c in value)
    # Passwords: anything that is not a plain lowercase dictionary-looking word.
    return not value.isalpha() or not value.islower() or len(value) >= 10


# The shortest vendor key any ``_VENDOR`` branch can match (Slack: "xoxb-" + 10).
_SHORTEST_KEY = 15
_WORD_TAIL = re.compile(r"[\w\-]*\Z")
_SCHEME_CHAR = re.compile(r"[a-z0-9+.\-]", re.IGNORECASE)
_SCHEME_FIRST = re.compile(r"[a-z]", re.IGNORECASE)


class _StartingWithin:
    """``rx`` restricted to matches that start at most ``reach`` characters after the search start.

    ``rx.search(text, lo, hi)`` followed by "drop it if it starts after the trigger" scans the
    whole 300-character window for nothing when the trigger word is not a credential; a lazy
    ``.{0,reach}?`` prefix tries the same start positions in the same order and stops early.
    One compiled variant per ``reach`` (at most ~50), kept in a list: looking a compiled
    pattern up in a dict would hash its whole program on every call.
    """

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self.variants: list[re.Pattern[str] | None] = []

    def __getitem__(self, reach: int) -> re.Pattern[str]:
        variants = self.variants
        if reach >= len(variants):
            variants.extend([None] * (reach + 1 - len(variants)))
        found = variants[reach]
        if found is None:
            found = variants[reach] = re.compile(f"(?s:.{{0,{reach}}}?)(?P<at>{self.rx.pattern})", self.rx.flags)
        return found


_CREDENTIAL_RULES = (
    (_StartingWithin(_AUTH_HEADER), "auth_header"),
    (_StartingWithin(_ASSIGN), "credential_assignment"),
    (_StartingWithin(_PROSE_PASSWORD), "credential_assignment"),
)


def _any_of(*patterns: re.Pattern[str]) -> re.Pattern[str]:
    """One pattern that matches where any of ``patterns`` matches (group names made unique)."""
    branches = []
    for i, rx in enumerate(patterns):
        branches.append(f"(?:{rx.pattern.replace('(?P<', f'(?P<b{i}_').replace('(?P=', f'(?P=b{i}_')})")
    return re.compile("|".join(branches))


# Most trigger words ("key" in code, "password" in prose) start no credential at all: one
# attempt with the three rules together rules that out before each is tried on its own.
_ANY_CREDENTIAL = _StartingWithin(_any_of(_AUTH_HEADER, _ASSIGN, _PROSE_PASSWORD))


def _vendor_keys(ix: TextIndex, out: list[Entity]) -> None:
    text = ix.text
    for hit in _vendor_prefixes(ix):
        at = hit.start()
        if hit.group() == ":AA":  # Telegram bot token: the digits before the colon are part of it
            while at > 0 and text[at - 1].isdigit() and hit.start() - at < 10:
                at -= 1
        m = _VENDOR.match(text, at)
        if m is None or (at > 0 and (text[at - 1].isalnum() or text[at - 1] in "_-")):
            continue
        out.append(Entity("SECRET", m.start(), m.end(), m.group(), 0.99, "vendor_key"))


def _vendor_prefixes(ix: TextIndex) -> list[re.Match[str]]:
    """``_VENDOR_TRIGGER.finditer(text)``."""
    if literals.available():
        return ix.literal_matches(_VENDOR_TRIGGER, "vendor_prefixes")
    # A key is a run of 15+ characters that keys and their URLs are made of, so without
    # hyperscan the alternation (which starts with common letters) runs only inside such runs.
    return [hit for lo, hi in ix.token_runs(_SHORTEST_KEY) for hit in _VENDOR_TRIGGER.finditer(ix.text, lo, hi)]


def _url_credentials(text: str) -> list[re.Match[str]]:
    """``_URL_CREDS.finditer(text)``, tried once per "://" from the start of its scheme."""
    out: list[re.Match[str]] = []
    reach = 0
    colon = text.find("://")
    while colon != -1:
        start = colon
        while start > reach and _SCHEME_CHAR.match(text, start - 1):
            start -= 1
        while start < colon and not _SCHEME_FIRST.match(text, start):
            start += 1
        m = _URL_CREDS.match(text, start) if start < colon else None
        if m is not None:
            out.append(m)
            reach = m.end()
        colon = text.find("://", max(colon + 1, reach))
    return out


# "пароль vT9$eR3%nB", "пароль от вайфая на даче Lis1chka#2023", "password here (`qwerty_Liza88`)":
# a password word, then within a few words a token that only a password looks like.
_PASSWORD_WORD = re.compile(r"(?<![A-Za-zА-Яа-яЁё])(?i:пароль|пароля|паролем|password|passwd|passcode|pwd)(?![A-Za-z])")
_NEXT_TOKEN = re.compile(r"[ \t]+([^\s]+)")


_EMAIL_LIKE = re.compile(r"@[\w-]+\.[\w.-]")
# A libpq password file line, "host:port:database:user:password" (~/.pgpass): the last field.
_PGPASS_LINE = re.compile(r"(?<![^\s:])[\w.\-*\[\]]+:(?:\d{2,5}|\*):[^\s:]+:[^\s:]+:(?P<value>[^\s]+)$", re.MULTILINE)


_FILE_NAME = re.compile(
    r"[\w\-]+\.(?i:xml|json|ya?ml|conf|cfg|ini|txt|log|properties|env|py|js|ts|sh|toml|php|rb|go|java|kt|sql|md)"
)


def _password_like(token: str) -> bool:
    if not 6 <= len(token) <= 64 or "://" in token or _EMAIL_LIKE.search(token) or _PLACEHOLDER.match(token):
        return False  # "Brasil@2026" is a password, "ops@acme.io" an address
    kinds = (
        any(c.islower() for c in token) + any(c.isupper() for c in token) + any(c.isdigit() for c in token)
        + any(not c.isalnum() and c not in "-'’" for c in token)
    )
    has_digit_or_symbol = any(c.isdigit() or (not c.isalnum() and c not in "-'’.") for c in token)
    if re.fullmatch(r"[0-9a-fA-F:.]+|[\d.:/\-]+", token) or re.match(r"v?\d+\.\d+", token):
        return False  # an IPv6 or IPv4 address, a version, a time
    if re.fullmatch(r"[a-z_]{2,}=[\w.\-:]*", token):
        return False  # "attempts=4", "ip=203.0.113.54" in a log line: another field, not the password
    if _FILE_NAME.fullmatch(token):
        return False  # "пароль … в log4j2.xml": a file that holds the setting, not the password
    return kinds >= 3 and has_digit_or_symbol and any(c.isalpha() for c in token)


def _bare_passwords(text: str, lower: str, out: list[Entity]) -> None:
    starts = TextIndex.stem_starts(("pass", "парол", "pwd"), lower)
    for m in (m for at in starts if (m := _PASSWORD_WORD.match(text, at)) is not None):
        pos = m.end()
        past_comma = False
        for _ in range(7):
            t = _NEXT_TOKEN.match(text, pos)
            if t is None:
                break
            raw = t.group(1)
            token = raw.strip("\"'`«»()[]<>,;:")
            token = token.rstrip(".!?")
            if _password_like(token) and (not past_comma or len(token) >= 8):
                s = t.start(1) + raw.index(token)
                out.append(Entity("SECRET", s, s + len(token), token, 0.85, "credential_assignment"))
                break
            if raw.endswith(",") and not past_comma:
                past_comma = True  # "пароль поменяли, теперь Kx_92#…": one comma on, a long token only
            elif raw.endswith((".", "!", "?", ",", ";", ":")) and not raw.endswith(("..",)):
                break  # the clause with the password word ends here
            pos = t.end()


# A long random literal in quotes in code that deals with credentials (a second positional
# argument after an account SID, a key passed to a client constructor).
_QUOTED_TOKEN = re.compile(r"[\"'`]([A-Za-z0-9+/=_\-]{24,128})[\"'`]")
_IP_LIKE = re.compile(r"[0-9a-fA-F]*:[0-9a-fA-F:.]*|\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?")
_SLUG = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HASH_WORD = re.compile(r"(?i:sha\d*|hash|digest|checksum|commit|etag|integrity|md5|uuid|guid|id)\W{0,6}$")


def _wordy(value: str) -> bool:
    """Mostly words joined by separators ("PERIMETER_EMBEDDINGS_BACKEND=onnxruntime-int8")."""
    parts = re.split(r"[-_.=/:]", value)
    letters = sum(len(p) for p in parts if p.isalpha() and len(p) >= 3)
    return len(parts) >= 3 and letters >= 0.7 * len(value.replace("-", "").replace("_", ""))


def _quoted_tokens(text: str, lower: str, triggers: list[re.Match[str]], out: list[Entity]) -> None:
    """Only the 300 characters after a credential word are searched (the word must come first)."""
    windows: list[tuple[int, int]] = []
    for hit in triggers:
        a, b = hit.start(), min(len(text), hit.start() + 300)
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], b)
        else:
            windows.append((a, b))
    for m in (m for a, b in windows for m in _QUOTED_TOKEN.finditer(text, a, b)):
        value = m.group(1)
        if _UUID.fullmatch(value) or _PLACEHOLDER_KEY.search(value) or _HASH_WORD.search(text, max(0, m.start() - 30), m.start()):
            continue
        if not (any(c.isdigit() for c in value) and any(c.isalpha() for c in value) and entropy(value) >= 3.5):
            continue
        if _SLUG.fullmatch(value) or _wordy(value):
            continue  # "claude-3-5-sonnet-latest", "APP_BACKEND=onnxruntime-int8": names, not keys
        window = lower[max(0, m.start() - 300):m.start()]
        if any(w in window for w in ("auth", "token", "secret", "passw", "api_key", "apikey", "api key", "credential", "ключ", "токен")):
            out.append(Entity("SECRET", m.start(1), m.end(1), value, 0.8, "credential_assignment"))


_SQL_IDENTIFIED = re.compile(r"(?i:identified[ \t]+(?:with[ \t]+\w+[ \t]+)?by)[ \t]+'((?:[^'\\\n]|\\.){4,128})'")
_RECOVERY_KEY = re.compile(r"(?<![\w\-])\d{6}(?:-\d{6}){7}(?![\w\-])")


def find_secrets(ix: TextIndex) -> list[Entity]:
    text = ix.text
    out: list[Entity] = []
    _vendor_keys(ix, out)
    out[:] = [e for e in out if not _PLACEHOLDER_KEY.search(e.text[4:])]  # "sk_test_xxxxxxxx…"
    lower = ix.lower
    if "pass" in lower or "парол" in lower or "pwd" in lower:
        aligned = lower if len(lower) == len(text) else aligned_lower(text)
        _bare_passwords(text, aligned, out)
    triggers = ix.literal_matches(_TRIGGER, "secret_words")
    if triggers and any(q in text for q in "\"'`"):
        _quoted_tokens(text, lower, triggers, out)
    for at in TextIndex.stem_starts(("pgpass",), lower) if "pgpass" in lower else ():
        for m in _PGPASS_LINE.finditer(text, at, min(len(text), at + 400)):  # the lines after the name
            if not _PLACEHOLDER.match(m.group("value")):
                out.append(Entity("SECRET", m.start("value"), m.end("value"), m.group("value"), 0.9, "pgpass"))
    if "identified" in lower:  # MySQL/MariaDB "CREATE USER … IDENTIFIED BY 'QwA5j66K$16'"
        for m in _SQL_IDENTIFIED.finditer(text):
            if not _PLACEHOLDER.match(m.group(1)):
                out.append(Entity("SECRET", m.start(1), m.end(1), m.group(1), 0.9, "credential_assignment"))
    if text.count("-") >= 7:  # a BitLocker recovery key: eight groups of six digits
        for m in _RECOVERY_KEY.finditer(text):
            out.append(Entity("SECRET", m.start(), m.end(), m.group(), 0.9, "recovery_key"))
    if "PRIVATE KEY" in text:
        for m in _PRIVATE_KEY.finditer(text):
            # The whole armoured block, as the generated splits label it (the hand-written ones
            # label only the body; covering more leaks nothing).
            out.append(Entity("SECRET", m.start(), m.end(), m.group(), 0.99, "private_key"))
    if "://" in text:
        for m in _url_credentials(text):
            s, e = m.span("value")
            if not _PLACEHOLDER.match(m.group("value")):
                out.append(Entity("SECRET", s, e, m.group("value"), 0.95, "url_credentials"))
    seen: set[int] = set()
    for hit in triggers:
        # Back to the start of the identifier holding the trigger (at most 40 characters).
        word = _WORD_TAIL.search(text, max(0, hit.start() - 40), hit.start())
        lo = word.start() if word is not None else hit.start()
        hi = min(len(text), hit.end() + 260)
        reach = hit.end() - lo
        if _ANY_CREDENTIAL[reach].match(text, lo, hi) is None:
            continue
        for rule, detector in _CREDENTIAL_RULES:
            # The match must start no later than the end of the trigger word.
            cm = rule[reach].match(text, lo, hi)
            if cm is None or cm.start("value") in seen:
                continue
            seen.add(cm.start("value"))
            s, e = cm.span("value")
            value = cm.group("value")
            if detector == "auth_header":
                out.append(Entity("SECRET", s, e, value, 0.95, detector))
                continue
            trimmed = value.rstrip(".)")
            if _credential_value(value, cm.group("key")):
                out.append(Entity("SECRET", s, s + len(trimmed), trimmed, 0.9, detector))
    if len(ix.lower) == len(text):
        chat_starts = ix.literal_starts("chat_credentials", fallback_find=True) or []
        out.extend(find_chat_secrets(text, ix.lower, chat_starts, _password_like))
    else:  # a rare character changed length when lower-cased: offsets of the aligned copy
        aligned = aligned_lower(text)
        chat_starts = sorted(set(TextIndex.stem_starts(CHAT_CREDENTIALS, aligned)))
        out.extend(find_chat_secrets(text, aligned, chat_starts, _password_like))
    if len(lower) == len(text):
        out.extend(find_context_secrets(text, lower, ix.literal_starts("secret_context", fallback_find=True)))
    else:
        out.extend(find_context_secrets(text, aligned_lower(text)))
    out.extend(find_shaped_secrets(text, lower))
    return [_narrowed(text, e) for e in out]


def _narrowed(text: str, e: Entity) -> Entity:
    """A Slack webhook's secret is its last path segment; a token in a URL's userinfo ends at "@"
    ("https://x-access-token:ghp_…@github.com/…")."""
    value = e.text
    if value.startswith("https://hooks.slack.com/services/"):
        cut = value.rfind("/") + 1
        return Entity(e.type, e.start + cut, e.end, value[cut:], e.score, e.detector)
    at = value.find("@")
    if at > 0 and "://" in text[max(0, e.start - 120):e.start] and "/" in value[at:] and " " not in value:
        line_start = text.rfind("\n", 0, e.start) + 1
        word_start = max(text.rfind(" ", line_start, e.start), line_start - 1) + 1
        if "://" in text[word_start:e.start]:
            return Entity(e.type, e.start, e.start + at, value[:at], e.score, e.detector)
    return e
