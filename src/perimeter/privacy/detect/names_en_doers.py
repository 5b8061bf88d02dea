"""Given names in chat and notes known by what the sentence has them do: say, ask, approve,
belong to a team, receive a message, own a phone number.

"rich says the export broke", "mitch from finance says", "write a message to sarah asking",
"ask deb to redo the recon", "conor's new number": people type their colleagues' names in lower
case and without a title, and many are words too ("rich", "bill", "hope").  The list tells
a given name; the slot tells a person: only somebody says, asks, approves, works in finance or
has a new number.  So a word the given-name lists hold is a name in one of these slots:

- **subject of a verb only a person does** ("says", "asked", "approved", "pushed to main"),
  with no article, possessive or pronoun before it ("the bill says", "my will says" stay words);
- **somebody from a team or an office** ("mitch from finance", "Kemi from our Lagos team"; a
  capitalised word no list or dictionary knows counts here too: "Bec from HR");
- **a given name and an unknown surname doing such a thing** ("Hope Taufa worked for us");
- **the one written to or asked** ("a message to sarah", "ask deb to", "tell will to");
- **the owner of a contact detail or a family member** ("conor's new number", "yusuf's mum");
- **the owner of a code comment's task** ("// TODO(rafa): move this to vault");
- **somebody paired with the writer** ("our side Sizwe + me", "Kemi and I will call"), when a
  list knows the word or no dictionary does.

The capitalised reporting-verb rule of :mod:`names_en_chat` stays as it was; this module adds the
lower-case forms and the slots it lacks.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.entities import Entity

_NAME = r"(?P<n>[A-Za-z][a-z'’-]{1,15})"
_VERB = re.compile(
    r"[ \t](?:said|says|asked|asks|told|tells|wants|wanted|thinks|thought|mentioned|confirmed|approved|replied|"
    r"pushed|merged|reckons|agreed|promised|suggested|insists|swears|texted|messaged|emailed|pinged|"
    r"is out|is off|is on pto|is on leave|was patching|is patching|is covering|is getting|did but|"
    r"worked for|worked with|works for|joined|resigned|was hired|has worked)\b"
)
# the subject right before a verb hit (searched in a short window that ends at the verb)
# "Hope Taufa worked for our family": a given name (a frequent word too) and a word no list or
# dictionary knows, before such a verb
_SUBJECT_PAIR = re.compile(r"(?<![\w@.#/-])(?P<n>[A-Z][a-z'’]{1,15}[ \u00a0](?P<s>[A-Z][a-z'’-]{2,20}))[ \t]*$")
_SUBJECT = re.compile(
    rf"(?<![\w@.#/-]){_NAME}(?:[ \t]+(?:just|also|already|still|never|finally|apparently|literally|actually))?$"
)
_FROM_TEAM = re.compile(
    rf"(?<![\w@.#/-]){_NAME}[ \t]+from[ \t]+(?:(?:the|our|their|your|my)[ \t]+)?"
    r"(?:(?i:finance|accounting|accounts|hr|legal|sales|support|ops|it|marketing|procurement|payroll|security|"
    r"devops|qa|design|product|engineering|billing|compliance)\b"
    r"|[A-Za-z]+[ \t]+(?i:team|office|branch|site|desk)\b)"
)
_WRITTEN_TO = re.compile(
    rf"(?:(?i:message|msg|note|e-?mail|text|reply|dm|reminder|invite|letter)[ \t]+to|"
    rf"(?i:ask|asked|tell|told|want|wants|wanted|remind|reminded|need|needs|get|got)[ \t]+(?=[a-z]+[ \t]+to\b))"
    rf"[ \t]+{_NAME}(?=[ \t]+(?:asking|about|to|re|and|that|for|saying)\b|[ \t]*[,.!?:;)\n]|[ \t]*$)"
)
_OWNS = re.compile(
    rf"(?<![\w@.#/-]){_NAME}['’]s[ \t]+(?:(?:new|old|mobile|work|home|personal|cell)[ \t]+)?"
    r"(?:number|phone|mobile|cell|e-?mail|address|mum|mom|dad|wife|husband|kid|son|daughter|partner|"
    r"wedding|birthday|bday|30th|40th|50th|demo)\b"
)
# words before a subject that make it a thing: "the bill says", "my will says", "this rich text"
_THING_BEFORE = re.compile(
    r"(?<![\w'’])(?i:the|a|an|my|your|his|her|our|their|its|this|that|these|those|every|each|no|any|some|of|in|on|at|by)[ \t]+$"
)
# words the lists hold as names that in these slots are still pronouns, roles or things
_NOT_NAMES = frozenset(
    """
it he she they we you i who which that this what there someone somebody everyone everybody nobody anyone
boss team manager client customer user admin support bot system doc doctor nurse agent caller
mum mom dad mother father wife husband son daughter kid kids baby sister brother uncle aunt
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
""".split()  # noqa: SIM905 - a word list reads better as text
)


# a name that is a frequent word too ("rich", "page", "bill") needs a clause start or a word of
# relation right before it: "my colleague rich says" but not "our status page says"
_CLAUSE_BEFORE = re.compile(
    r"(?:^|[\n,.;:!?()\"“”'—–\-]|\b(?i:and|but|so|cuz|because|coz|that|if|when|then|lol|ok|okay|also|colleague|"
    r"friend|mate|manager|boss|neighbou?r|cousin|buddy|guy|girl|lead|teammate|coworker|co-worker))[ \t]*$"
)
_FREQUENT = 4.5


# a task's or a ticket's person field with a lower-case given name ("(owner: kasia)", "assignee:
# dylan / integrations", "reviewer - priya"): the field holds a person, the value is a given name
_PERSON_FIELD = re.compile(
    r"(?<![\w-])(?i:owner|owners|assignee|assigned to|reporter|reviewer|approver|author|requester|dri|poc|on-call|"
    r"oncall|point of contact|lead|ответственный|исполнитель)[ \t]*[:=\-–][ \t]*@?(?P<n>[a-z][a-z'’]{2,15})(?![\w@.\-])"
)


def _unknown(word: str) -> bool:
    """A word no English dictionary and no place list holds ("Taufa", "Manalastas", "Bec")."""
    low = word.lower()
    return lexicon.zipf(low) < 2.5 and low not in lexicon.places()


def _given(word: str) -> bool:
    low = word.lower().rstrip("'’")
    return low not in _NOT_NAMES and low in lexicon.first_names()  # the single-name list is part of it


# somebody paired with the writer: "our side Sizwe + me", "Kemi and I will", "me & Thuli"
_WITH_ME = re.compile(
    r"(?<![\w@#/.-])(?P<n>[A-Z][a-z'’\-]{1,15})[ \t]+(?:\+|&|and)[ \t]+(?:me|I|myself)(?![\w'’])"
    r"|(?<![\w])(?:me|I)[ \t]+(?:\+|&|and)[ \t]+(?P<m>[A-Z][a-z'’\-]{1,15})(?![\w])"
)
# where _WITH_ME can match: the joining word next to "me" or "I", looked for as plain substrings
# first (a pattern that opens with a look-behind or an alternation is tried at every position)
_WITH_ME_PAIRS = ("and me", "and I", "+ me", "& me", "me and ", "I and ", "me + ", "me & ", "and myself", "+ I", "& I")
# the owner of a code comment's task: "// TODO(rafa): move this to vault", "# FIXME(kenji)"
_CODE_OWNER = re.compile(r"(?<![\w])(?:TODO|FIXME|XXX|HACK|BUG|NOTE)\((?P<n>[A-Za-z][a-z]{1,15})\)")


def find_doers(text: str) -> list[Entity]:
    """PERSON findings for given names in the slots of the module docstring."""
    out: list[Entity] = []
    low = text.lower()
    rules: list[re.Pattern[str]] = []
    if " from " in low:
        rules.append(_FROM_TEAM)
    if " to " in low:
        rules.append(_WRITTEN_TO)
    if "'s " in low or "’s " in low:
        rules.append(_OWNS)
    for rx in rules:
        for m in rx.finditer(text):
            word = m.group("n")
            if rx is _FROM_TEAM and word[0].isupper() and not _given(word) and _unknown(word):
                # "Bec from HR": a capitalised word no list knows, in a slot only a person fills
                out.append(Entity("PERSON", m.start("n"), m.end("n"), word, 0.7, "en_doers"))
                continue
            _add(text, m, out, rx is not _WRITTEN_TO)
    if ":" in text or "=" in text or " - " in text or " – " in text:
        for m in _PERSON_FIELD.finditer(text):
            if _given(m.group("n")) and lexicon.zipf(m.group("n")) < _FREQUENT:
                out.append(Entity("PERSON", m.start("n"), m.end("n"), m.group("n"), 0.7, "en_doers"))
    if any(pair in text for pair in _WITH_ME_PAIRS):
        for m in _WITH_ME.finditer(text):
            word = m.group("n") or m.group("m")
            if _given(word) or _unknown(word):
                at = m.start("n") if m.group("n") else m.start("m")
                out.append(Entity("PERSON", at, at + len(word), word, 0.7, "en_doers"))
    if "(" in text and ("TODO(" in text or "FIXME(" in text or "XXX(" in text or "HACK(" in text or "BUG(" in text
                        or "NOTE(" in text):
        for m in _CODE_OWNER.finditer(text):
            if _given(m.group("n")):
                out.append(Entity("PERSON", m.start("n"), m.end("n"), m.group("n"), 0.7, "en_doers"))
    for verb in _VERB.finditer(low):
        subject = _SUBJECT.search(text, max(0, verb.start() - 32), verb.start())
        if subject is not None:
            _add(text, subject, out, True)
        pair = _SUBJECT_PAIR.search(text, max(0, verb.start() - 40), verb.start())
        if pair is not None and _given(pair.group("n").split()[0]) and _unknown(pair.group("s")):
            out.append(Entity("PERSON", pair.start("n"), pair.end("n"), pair.group("n"), 0.7, "en_doers"))
    return out


def _add(text: str, m: re.Match[str], out: list[Entity], check_before: bool) -> None:
    word = m.group("n")
    if not _given(word):
        return
    if check_before and _THING_BEFORE.search(text, max(0, m.start("n") - 8), m.start("n")):
        return
    if check_before and lexicon.zipf(word.lower()) >= _FREQUENT and not _CLAUSE_BEFORE.search(text, max(0, m.start("n") - 12), m.start("n")):
        return
    out.append(Entity("PERSON", m.start("n"), m.end("n"), word, 0.7, "en_doers"))
