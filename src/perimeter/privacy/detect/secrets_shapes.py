"""Credentials that the assignment patterns of :mod:`secrets` do not reach.

A credential is not always written ``key = value``.  Operators paste:

- a **command line**, where the value follows a flag after a space: ``redis-server
  --requirepass Rk8#vQ2x!Lm7pZ``, ``--s3-secret-access-key 9vK2…``, ``--password=…``;
- an **AWS key pair** in prose: "key was AKIAZ7QW4XLM2RT9PB6N / secret q8Vr+3mTn5…": the
  secret access key is 40 characters of base64 that only its access key id, nearby, names;
- **HTTP cookies** in a header: ``Cookie: sessionid=k3v9xq…; csrftoken=…`` — a session
  cookie is the login itself;
- a **framework key** in its own format: Laravel's ``APP_KEY=base64:…``;
- an **inbound webhook URL** whose path is the token: Bitrix24's
  ``https://portal.bitrix24.ru/rest/118/k7xq2m9vzp4rtw1b/crm.contact.add.json``;
- a bank's **code word, answered in the next turn** of a call transcript ("Оператор: назовите
  кодовое слово / Клиент: бабушкин пирог"): any words at all, so only the asked-for turn counts.
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

# --flag value / --flag=value, the flag naming a credential
_FLAG = re.compile(
    r"(?<![\w\-])--?(?:[\w]+-)*(?i:requirepass|masterauth|password|passwd|pass|pwd|secret|secret-key|"
    r"secret-access-key|access-key|api-key|apikey|token|auth-token|client-secret)(?![\w\-])"
    r"(?:[ \t]+|=)(?P<q>[\"']?)(?P<value>[^\s\"'`]{5,127}[^\s\"'`.,;:)\]}])(?P=q)"
)
_FLAG_WORDS = ("pass", "pwd", "secret", "key", "token", "masterauth")
# a server's config file, where a directive and its value are separated by blanks (redis.conf's
# "requirepass Hh8$kQz2!vN0pLxR", "masterauth …"; keepalived's "auth_pass …")
_DIRECTIVE = re.compile(r"(?im)^[ \t]*(?:requirepass|masterauth|auth_pass|masteruser_password)[ \t]+(?P<q>[\"']?)(?P<value>[^\s\"']{4,128})(?P=q)[ \t]*$")
_AWS_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_AWS_REACH = 300
_COOKIE_HEADER = re.compile(r"(?im)(?:^[ \t]*|\b)(?:set-)?cookie(?:[ \t]+header)?[ \t]*:[^\n]*")
_COOKIE_PAIR = re.compile(r"(?P<name>[\w.\-]+)=(?P<value>[^;\s]{16,4096})")
_SESSION_NAME = re.compile(r"(?i)sess|sid$|^sid|auth|jwt|remember|token|login")
_NOT_SESSION = re.compile(r"(?i)csrf|xsrf|^_ga|^_gid|^_ym|^_fbp|utm|consent|lang|locale|theme|tz")
_LARAVEL_KEY = re.compile(r"(?i:app_key|encryption_key|secret_key)[\"']?[ \t]*[:=][ \t]*[\"']?(?P<value>base64:[A-Za-z0-9+/=_\-]{32,})")
_BITRIX_HOOK = re.compile(r"https?://[\w.\-]+/rest/\d{1,10}/(?P<value>[a-z0-9]{12,32})/", re.IGNORECASE)
# a Kubernetes env list or a name/value JSON pair: the secret's name, then its value
# ("- name: DB_PASSWORD\n  value: \"cL@1ms…\"", {"name": "API_TOKEN", "value": "…"})
_NAMED_VALUE = re.compile(
    r"[\"']?name[\"']?[ \t]*[:=][ \t]*[\"']?[A-Za-z0-9_.\-]*(?i:password|passwd|pass|pwd|secret|token|_key|apikey|"
    r"credentials?)[A-Za-z0-9_.\-]*[\"']?[ \t]*,?[ \t]*\r?\n?[ \t\-]*[\"']?value[\"']?[ \t]*[:=][ \t]*"
    r"(?P<q>[\"']?)(?P<value>[^\s\"'{}$][^\"'\n]{3,199}?)(?P=q)[ \t]*(?:[,}\n]|$)"
)
_CODE_WORD_ASKED = re.compile(r"(?i:кодов\w*[ \t]+слов\w*|секретн\w*[ \t]+слов\w*|code[ \t]?word|security[ \t]+word|secret[ \t]+word|passphrase)[^\n]{0,40}\n")
# the next turn: a speaker label, then a short answer on its own line
_ANSWER_TURN = re.compile(r"[ \t]*(?:\[[^\]\n]{1,20}\][ \t]*)?(?i:клиент\w*|абонент\w*|client|customer|caller|заявител\w*|гражданин\w*|гражданка)[ \t]*[:—–-]?[ \t]+(?P<value>[^\n]{3,40}?)[ \t.!]*(?:\n|\Z)")
_PLACEHOLDER = re.compile(r"^(?:\$\{?\w+\}?|<[^>]*>|\{\{.*\}\}|x{4,}|\*{3,}|\.{3,}|changeme|password|secret|your[_\-].*|example.*)$", re.IGNORECASE)


def _mixed(token: str) -> bool:
    return any(c.isupper() for c in token) and any(c.islower() for c in token) and any(c.isdigit() for c in token)


def find_shaped_secrets(text: str, lower: str) -> list[Entity]:
    out: list[Entity] = []

    def add(m: re.Match[str], detector: str, group: str | int = "value") -> None:
        out.append(Entity("SECRET", m.start(group), m.end(group), m.group(group), 0.9, detector))

    if "-" in text and any(w in lower for w in _FLAG_WORDS):
        for m in _FLAG.finditer(text):
            value = m.group("value")
            if not _PLACEHOLDER.match(value) and not value.startswith("-") and sum(map(str.isdigit, value)) + sum(not c.isalnum() for c in value) > 0:
                add(m, "secret_flag")
    if "pass" in lower or "masterauth" in lower:
        for m in _DIRECTIVE.finditer(text):
            if not _PLACEHOLDER.match(m.group("value")):
                add(m, "secret_directive")
    if "akia" in lower or "asia" in lower:
        ids = [m.start() for m in _AWS_ID.finditer(text)]
        if ids:
            for m in _AWS_SECRET.finditer(text):
                if _mixed(m.group()) and any(abs(m.start() - i) <= _AWS_REACH for i in ids):
                    add(m, "aws_secret", group=0)
    if "cookie" in lower:
        for header in _COOKIE_HEADER.finditer(text):
            for m in _COOKIE_PAIR.finditer(text, header.start(), header.end()):
                name = m.group("name")
                if _SESSION_NAME.search(name) and not _NOT_SESSION.search(name):
                    add(m, "session_cookie")
    if "base64:" in lower:
        for m in _LARAVEL_KEY.finditer(text):
            add(m, "app_key")
    if "кодов" in lower or "word" in lower or "секретн" in lower or "passphrase" in lower:
        for asked in _CODE_WORD_ASKED.finditer(text):
            answer = _ANSWER_TURN.match(text, asked.end())
            if answer is not None and len(answer.group("value").split()) <= 4:
                add(answer, "code_word")
    if "value" in lower and "name" in lower:
        for m in _NAMED_VALUE.finditer(text):
            if not _PLACEHOLDER.match(m.group("value")):
                add(m, "named_value")
    if "/rest/" in lower:
        for m in _BITRIX_HOOK.finditer(text):
            if any(c.isdigit() for c in m.group("value")) and any(c.isalpha() for c in m.group("value")):
                add(m, "webhook_token")
    return out
