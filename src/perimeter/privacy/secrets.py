"""Secrets: vendor API keys, JWTs, private-key blocks, ``password=`` values, credential tokens.

Vendor keys have fixed prefixes, so they are matched exactly.  Everything else needs a
credential word next to it ("password", "token", "пароль", "Authorization: Bearer") and, for
free-form tokens, enough entropy that it is not an English word or a placeholder.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from perimeter.privacy.entities import Entity

_VENDOR = re.compile(
    r"(?<![\w\-])(?:"
    r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}"  # OpenAI
    r"|sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{20,}"  # Anthropic
    r"|(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}"  # AWS access key id
    r"|gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255}"  # GitHub
    r"|xox[abposr]-[A-Za-z0-9\-]{10,}"  # Slack tokens
    r"|https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,}"
    r"|AIza[0-9A-Za-z_\-]{35}|ya29\.[0-9A-Za-z_\-]{20,}"  # Google
    r"|(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,}|whsec_[0-9A-Za-z]{20,}"  # Stripe
    r"|SG\.[\w\-]{16,32}\.[\w\-]{30,64}"  # SendGrid
    r"|glpat-[\w\-]{20,}|npm_[A-Za-z0-9]{36}|hf_[A-Za-z0-9]{30,}|pypi-[A-Za-z0-9_\-]{50,}"
    r"|dop_v1_[a-f0-9]{64}|shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}|xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}"
    r"|AC[a-f0-9]{32}|SK[a-f0-9]{32}|key-[a-f0-9]{32}"  # Twilio, Mailgun
    r"|y0_[A-Za-z0-9_\-]{40,}|AQVN[A-Za-z0-9_\-]{30,}|t1\.[A-Za-z0-9_\-]{40,}"  # Yandex Cloud
    r"|\d{8,10}:AA[A-Za-z0-9_\-]{33}"  # Telegram bot token
    r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"  # JWT
    r")"
)
_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)",
    re.DOTALL,
)
_KEY_WORDS = (
    r"password|passwd|pass|pwd|passphrase|пароль|парол\w+|secret|client_secret|api[_\-\s]?key|apikey|"
    r"access[_\-]?key|secret[_\-]?key|private[_\-]?key|auth[_\-]?token|access[_\-]?token|"
    r"refresh[_\-]?token|token|токен|ключ(?:\s+api)?|credentials?|bearer|signing[_\-]?key|"
    r"webhook[_\-]?secret|db[_\-]?pass\w*|aws_secret_access_key"
)
_ASSIGN = re.compile(
    rf"(?<![A-Za-z])(?P<key>(?i:{_KEY_WORDS}))(?:[_\-][\w\-]*)?[\"']?\s*(?:[:=]|=>|:=|\s(?i:is|—|-|был|будет))\s*"
    rf"(?:(?i:bearer|basic|token)\s+)?(?P<q>[\"'`]?)(?P<value>[^\s\"'`,;<>]{{4,200}})(?P=q)"
)
_AUTH_HEADER = re.compile(r"(?i:authorization|x-api-key|api-key|x-auth-token)\s*:\s*(?:(?i:bearer|basic|token)\s+)?(?P<value>[A-Za-z0-9._~+/=\-]{12,})")
_URL_CREDS = re.compile(r"[a-z][a-z0-9+.\-]*://[^\s:/@]+:(?P<value>[^\s@/]{3,})@[\w.\-]+", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"^(?:\*+|x+|\.+|<.*>|\$\{.*\}|\$\w+|%\w+%|\{\{.*\}\}|null|none|true|false|nil|undefined|"
    r"required|optional|string|str|redacted|hidden|secret|password|changeme|example|your[_\-].*|"
    r"os\.environ.*|process\.env.*|env\(.*|getenv.*|settings\..*|config\..*|self\..*|\[.*\]|\(.*)$",
    re.IGNORECASE,
)
_CODE_EXPR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.|\(|\[)")


def _entropy(value: str) -> float:
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _credential_value(value: str, key: str) -> bool:
    value = value.rstrip(".)")
    if len(value) < 4 or _PLACEHOLDER.match(value) or _CODE_EXPR.match(value):
        return False
    if value.lower() == key.lower():
        return False
    if "token" in key.lower() or "key" in key.lower() or "ключ" in key.lower() or "токен" in key.lower():
        # Free-form tokens must look random: a long mix, not a word or a sentence fragment.
        return len(value) >= 12 and _entropy(value) >= 3.0 and any(c.isdigit() for c in value)
    # Passwords: anything that is not a plain lowercase dictionary-looking word.
    return not value.isalpha() or not value.islower() or len(value) >= 10


def find_secrets(text: str) -> list[Entity]:
    out: list[Entity] = []
    for m in _VENDOR.finditer(text):
        out.append(Entity("SECRET", m.start(), m.end(), m.group(), 0.99, "vendor_key"))
    if "PRIVATE KEY" in text:
        for m in _PRIVATE_KEY.finditer(text):
            out.append(Entity("SECRET", m.start(), m.end(), m.group(), 0.99, "private_key"))
    for m in _AUTH_HEADER.finditer(text):
        s, e = m.span("value")
        out.append(Entity("SECRET", s, e, m.group("value"), 0.95, "auth_header"))
    if "://" in text:
        for m in _URL_CREDS.finditer(text):
            s, e = m.span("value")
            if not _PLACEHOLDER.match(m.group("value")):
                out.append(Entity("SECRET", s, e, m.group("value"), 0.95, "url_credentials"))
    for m in _ASSIGN.finditer(text):
        s, e = m.span("value")
        value = m.group("value")
        trimmed = value.rstrip(".)")
        if _credential_value(value, m.group("key")):
            e = s + len(trimmed)
            out.append(Entity("SECRET", s, e, trimmed, 0.9, "credential_assignment"))
    return out
