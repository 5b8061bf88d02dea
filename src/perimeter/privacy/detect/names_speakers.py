"""Speakers of a chat export or a transcript, and the people a chat names in lower case.

- **Speaker labels**: in a text where at least two lines open with ``label:`` (a Slack export,
  a call transcript, an on-call channel) or an IRC ``<nick>`` or join/quit line, a label that is a given name is the person speaking:
  "mei: deploy is stuck", "[05:12] marcus b: …", "саша: прод опять лежит".  Chat writes them in
  lower case, which no other rule reads as a name.  Roles ("agent", "caller", "bot", "клиент")
  are no given names; a capitalised label must also be no frequent English word ("Son:",
  "Buddy:", "Ward:" label roles and fields in the training corpora).
- **Lower-case echoes**: once a name is found, its parts written again in lower case in the
  same text are the same person ("Deepak Choudhary … deepak mob +91…", "mei: … prob kofi") —
  for Latin parts that are no frequent English word, so a found "Will" does not make every
  "will" a person (Cyrillic lower case is inflected and full of names that are words: «роза»).
- **A sign-off**: a lone given name that is no frequent English word closing a message after a
  full stop ("… i'm doing a chargeback. dwayne"), or closing a quoted one with a capital
  ("… before we pay anything. Farhana\"").

Measured on the training splits before it was written: 44 of 48 lower-case given-name labels in
transcripts were labelled PERSON by their authors (the other four are one author's omissions).
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.morph import ordinary_word
from perimeter.privacy.entities import Entity

# A turn: optional bullet or quote mark, optional [time] or time stamp, the label, a colon, text.
_TURN = re.compile(
    r"^[ \t]*(?:[-*•>][ \t]*)?(?:\[[^\]\n]{1,24}\][ \t]*|\d{1,2}:\d{2}(?::\d{2})?[ \t]+)?"
    r"(?P<n>[^\W\d_][^\W\d_'’-]{1,20}(?:[ \t][^\W\d_]\.?|[ \t][A-Z][a-z'’-]{1,20})?)[ \t]*:[ \t]+\S",
    re.MULTILINE,
)
# An export that puts the time after the speaker: "ravi 02:12 OOMKilled", "soo-jin 02:20 …".
_TIMED_TURN = re.compile(
    r"^[ \t]*(?P<n>[^\W\d_][^\W\d_'’-]{1,20})[ \t]+\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]?[AaPp][Mm])?[ \t]+\S",
    re.MULTILINE,
)
# IRC and Matrix logs: "[10:42] <mira> ben did it", "02:19 sven joined #ops", "* priya has quit".
_STAMP = r"^[ \t]*(?:\[[^\]\n]{1,24}\][ \t]*|\d{1,2}:\d{2}(?::\d{2})?[ \t]+)?"
_NICK = r"(?P<n>[^\W\d_][^\W\d_'’-]{1,20})"
_IRC_TURN = re.compile(_STAMP + r"<[@+%~&]?" + _NICK + r">[ \t]+\S", re.MULTILINE)
_IRC_EVENT = re.compile(
    _STAMP + r"(?:\*{1,3}|-!-|-->|<--|→|←)?[ \t]*" + _NICK
    + r"(?:[ \t]+\([^)\n]{0,60}\)|[ \t]+\[[^\]\n]{0,60}\])?[ \t]+(?:has[ \t]+)?(?:joined|left|quit|is now known as)\b",
    re.MULTILINE,
)
_NOT_SPEAKERS = frozenset(
    """
agent caller client customer user bot assistant system support admin operator manager me you host guest
interviewer interviewee candidate patient doctor nurse q a note notes summary status subject date time
mon tue wed thu fri sat sun will may june april august grace hope joy faith
reporter assignee assignees owner reviewer reviewers approver requester author editor sender recipient from to cc
bcc priority severity component labels sprint epic watcher watchers attendees participants
""".split()  # noqa: SIM905 - a word list reads better as text
)
_ECHO_ZIPF = 3.5
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_SPEAKER_ECHO_ZIPF = 5.0
_CAPITAL_ECHO_ZIPF = 4.0  # a capital keeps "Conor" (3.5) a name; "Will", "Summer", "Mark" are words first
_SIGN_OFF = re.compile(r"[.!?][ \t\n]+(?P<n>[a-z][a-z'’-]{2,20})[ \t.!]*\Z")
# "… before we pay anything. Farhana\"": a capitalised given name closing a quoted message
_SIGN_OFF_CAPITAL = re.compile(r"[.!?][ \t]+(?P<n>[A-Z][a-z'’-]{2,20})[ \t.!]*[\"”»][ \t]*(?:\n|\Z)")


def _given(word: str) -> bool:
    low = word.lower()
    if low in _NOT_SPEAKERS:
        return False
    if not _CYRILLIC.search(word):
        if low not in lexicon.first_names():
            return False
        return word[0].islower() or lexicon.zipf(low) < lexicon.COMMON_ZIPF
    return low in lexicon.cyrillic_first_names()


def find_speakers(text: str) -> list[Entity]:
    """Given names labelling the turns of a chat or a transcript (two turns at least)."""
    if "\n" not in text:
        return []
    turns = list(_TURN.finditer(text)) if text.count(":") >= 2 else []
    if text.count(":") >= 2:  # "ravi 02:12 OOMKilled …": a name, then the time, then the message
        timed = list(_TIMED_TURN.finditer(text))
        if len(timed) >= 2:
            turns += timed
            turns.sort(key=lambda m: m.start("n"))
    if "<" in text or "join" in text or "quit" in text or "left" in text:
        turns += [*_IRC_TURN.finditer(text), *_IRC_EVENT.finditer(text)]
        turns.sort(key=lambda m: m.start("n"))
    if len(turns) < 2:
        return []
    confirmed = {m.group("n").split()[0].lower() for m in turns if _given(m.group("n").split()[0]) or _full_name(m.group("n"))}
    labels = {m.group("n").split()[0].lower() for m in turns}
    # once a transcript's speakers are people, its other speakers are too: a listed given name
    # that is also a word ("Kate", "Precious", "dan") or a word no list knows ("olu", "Lindiwe")
    peers = len(confirmed) >= 1 and len(labels) >= 2
    counts: dict[str, int] = {}
    for m in turns:
        key = m.group("n").split()[0].lower()
        counts[key] = counts.get(key, 0) + 1
    out = []
    for m in turns:
        label = m.group("n")
        first = label.split()[0]
        low = first.lower()
        # "mo: …" twice among other people's turns: a two-letter nickname is a speaker too
        short = peers and len(low) == 2 and counts[low] >= 2 and low.isalpha() and low not in _NOT_SPEAKERS
        if low in confirmed or (peers and _peer(low)) or short:
            end = m.end("n") if " " in label or "\t" in label else m.start("n") + len(first)
            out.append(Entity("PERSON", m.start("n"), end, text[m.start("n"):end], 0.7, "speaker"))
    return out


def _full_name(label: str) -> bool:
    """"Chen Jing", "Maria Lopez": a capitalised given name and a listed surname (either order)."""
    words = label.split()
    if len(words) != 2 or not all(w[:1].isupper() and w[1:2].islower() for w in words):
        return False
    a, b = (w.lower() for w in words)
    names, surnames = lexicon.first_names(), lexicon.last_names()
    return (a in names and b in surnames) or (a in surnames and b in names)


def _peer(low: str) -> bool:
    if low in _NOT_SPEAKERS or len(low) < 3:
        return False
    if _CYRILLIC.search(low):
        return low in lexicon.cyrillic_first_names() or not ordinary_word(low)
    return low in lexicon.first_names() or lexicon.zipf(low) < lexicon.COMMON_ZIPF


def capital_echoes(text: str, found: list[Entity]) -> list[Entity]:
    """Other mentions of a one-word Latin name found once ("Call me Conor … Great, Conor."): the
    same capitalised word again, when it is no frequent English word ("Will", "Summer" stay)."""
    words = {e.text for e in found if e.type == "PERSON" and e.text.isalpha() and e.text.isascii()
             and e.text[:1].isupper() and e.text[1:].islower() and len(e.text) > 2 and lexicon.zipf(e.text) < _CAPITAL_ECHO_ZIPF
             and e.text.lower() not in _NOT_SPEAKERS}
    if not words:
        return []
    covered = [(e.start, e.end) for e in found]
    out: list[Entity] = []
    for word in words:
        at = text.find(word)
        while at != -1:
            end = at + len(word)
            whole = (not at or not (text[at - 1].isalnum() or text[at - 1] in "'’-_.@/")) and (
                end == len(text) or (not (text[end].isalnum() or text[end] in "_@-") and not text.startswith((".com", ".org"), end)))
            if whole and not any(a <= at < b for a, b in covered):
                out.append(Entity("PERSON", at, end, word, 0.7, "name_link"))
            at = text.find(word, end)
    return out


def lower_echoes(text: str, found: list[Entity]) -> list[Entity]:
    """Lower-case mentions of the parts of found names, and a lone given name signing off."""
    out: list[Entity] = []
    sign = _SIGN_OFF.search(text) if text[-40:].rstrip()[-1:].islower() else None
    if sign is not None:
        w = sign.group("n")
        if w in lexicon.single_first_names() and w not in _NOT_SPEAKERS and lexicon.zipf(w) < _ECHO_ZIPF:
            out.append(Entity("PERSON", sign.start("n"), sign.end("n"), w, 0.7, "en_names"))
    if '"' in text or "”" in text or "»" in text:
        for m in _SIGN_OFF_CAPITAL.finditer(text):
            w = m.group("n").lower()
            if w in lexicon.single_first_names() and w not in _NOT_SPEAKERS and lexicon.zipf(w) < _ECHO_ZIPF:
                out.append(Entity("PERSON", m.start("n"), m.end("n"), m.group("n"), 0.7, "en_names"))
    parts = {
        p.lower() for e in found if e.type == "PERSON"
        # a chat's own speakers are echoed even when they are words too ("ben", "dan")
        for p in e.text.split() if len(p) > 2 and p.isascii() and p.isalpha()
        and lexicon.zipf(p) < (_SPEAKER_ECHO_ZIPF if e.detector == "speaker" else _ECHO_ZIPF)
        and p.lower() not in _NOT_SPEAKERS
    }
    if not parts:
        return out
    low = text.lower()
    if len(low) != len(text):
        return out  # a letter whose lower case is longer would shift offsets: leave it to the rules
    covered = [(e.start, e.end) for e in found]  # a name inside an e-mail address is the address's
    for part in parts:
        at = low.find(part)
        while at != -1:
            end = at + len(part)
            whole = (not at or not (low[at - 1].isalnum() or low[at - 1] in "'’-_.@")) and (
                end == len(low) or not (low[end].isalnum() or low[end] in "'’-_@") or low.startswith(("'s", "’s"), end)
            )
            spelt_address = low.startswith((" dot ", " at "), end)  # "emiko dot sato at …": an e-mail read aloud
            if whole and not spelt_address and text[at:end].islower() and not any(a <= at < b for a, b in covered):
                out.append(Entity("PERSON", at, end, text[at:end], 0.7, "name_link"))
            at = low.find(part, end)
    return out
