"""Latin-script names found by the place they stand in, not by a list.

No list holds every name ("Hi Rashmi,", "Mme Vasseur", "Hope from accounting", "tío ramón").
What gives such a name away is its slot: a greeting or a sign-off, a title in any language, a
kinship word, a department after it, a verb of what people do after it.  In such a slot a word
counts as a name when it is not an ordinary English word (Zipf < 3 in wordfreq's list) or when
the lists know it as a given name.  Romanised Korean names (family name + hyphenated given
name: "Hwang Ji-hoon") have a syllable grammar of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.gates import without_leading_assertion
from perimeter.privacy.detect.prescan import TextIndex
from perimeter.privacy.detect.slot_gate import group_may_start
from perimeter.privacy.entities import Entity

_UP = "A-ZÀ-ÖØ-Þ\u0100-\u024f"
_LO = "a-zß-öø-ÿ\u0100-\u024f"
# "DeShawn", "LaToya", "McKenzie": a name prefix, then a capital inside (not "MetLife", "YouTube")
_CAP = rf"(?:(?:Mc|Mac|De|Da|Di|Du|La|Le|Lo|Ja|Ka|Sha|Ta|Tre|Ke|Ty)[{_UP}][{_LO}]+|[{_UP}][{_LO}]+)(?:[-'’][{_UP}]?[{_LO}]+)*"
# Particles inside a name: "Rania Al Mheiri", "Siobhán Ní Bhriain", "Maartje de Wit", "Khalid ibn Said".
_PARTICLE = r"(?:al|el|Al|El|ibn|Ibn|bin|Bin|bint|binti|binte|abu|Abu|ben|Ben|Ní|Nic|Mac|Ó|Ua|van|Van|von|Von|de|De|der|den|da|Da|di|Di|del|Del|della|dos|Dos|du|Du|la|La|le|Le|ter|ten)"
_NAME = rf"{_CAP}(?:[ \u00a0](?:{_PARTICLE}[ \u00a0])*{_CAP}){{0,3}}"

# Titles of address in the languages a European or Latin-American document uses.
_TITLE_WORD = (
    r"(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Mme|Mlle|Madame|Monsieur|M\.|Frau|Herr|Fr\.|Hr\.|Sr|Sra|Srta|Señor|Señora|"
    r"Señorita|Sig|Sig\.ra|Signor|Signora|Signorina|Dona|Dom|Pan|Pani|Mevrouw|Meneer|Mevr|Dhr|Fru|Herra|Rouva|"
    r"Sheikh|Sheikha|Shri|Smt|Sri|"
    # a patient in clinical notes; family titles of Māori, Filipino and Malay English
    r"Pt|Aunty|Auntie|Nana|Tita|Tito|Lola|Lolo|Ate|Kuya|Encik|Cik|Datin|Dato|Datuk|Tuan|Puan)"
)
_TITLE = re.compile(rf"(?<![\w]){_TITLE_WORD}\.?[ \u00a0]+({_NAME})")
# Greetings and sign-offs: the name right after them ("Hi Rashmi,", "Best,\nAlistair", "— Dan").
_GREETING_WORD = (
    r"(?:[Hh]i|[Hh]ello|[Hh]ey|[Dd]ear|[Tt]hanks|[Tt]hank you|[Cc]heers|[Gg]ood morning|[Gg]ood afternoon|"
    r"[Gg]reetings|[Bb]onjour|[Hh]ola|[Hh]allo|[Cc]iao|[Oo]lá|"
    # thanks and regards in the languages of the same letters, before the name that signs them
    r"[Gg]racias|[Gg]razie|[Oo]brigad[oa]|[Mm]erci|[Dd]anke|[Gg]roete|[Gg]roetjes|[Ss]aludos|[Pp]ozdrawiam|"
    r"[Dd]ziękuję|[Kk]iitos|[Tt]ack|[Ss]alamat|[Aa]braços|[Aa]brazos)"
)
_GREETING = re.compile(
    rf"(?<![\w]){_GREETING_WORD}[ \u00a0]*,?[ \u00a0]+({_NAME})(?=[ \u00a0]*[,!.:\n—–\-\"”»)]|$)"
)
_SIGN_OFF = re.compile(
    rf"(?:(?:[Bb]est|[Mm]any thanks|[Tt]hanks again|[Tt]hanks so much|[Rr]egards|[Kk]ind regards|[Bb]est regards|[Cc]heers|[Tt]hanks|[Tt]hank you|[Ss]incerely|[Yy]ours|"
    rf"[Ww]arm regards|[Ww]armly|[Tt]a|[Xx]o|[Cc]ordialement|[Mm]it freundlichen Grüßen|[Ss]aludos|[Gg]rüße|"
    rf"[Yy]ours (?:faithfully|sincerely|truly)|[Ss]incerely yours|[Bb]est wishes|[Ww]ith (?:best )?(?:thanks|wishes)|"
    rf"[Rr]espectfully|[Mm]et vriendelijke groet(?:en)?|[Gg]roete|[Gg]roetjes|[Pp]ozdrawiam|[Cc]ordiali saluti|"
    rf"[Uu]n saludo|[Aa]tentamente|[Aa]tenciosamente|[Aa]braços|(?:[Mm]ed vänliga )?[Hh]älsningar)[ \u00a0]*,?[ \u00a0]*\n"
    # a dash signs off at a line start or after a sentence ("Thanks! — Dan"), not inside a
    # letterhead line ("Jürgen Schäfer – Tischlerei")
    rf"|(?:^|(?<=[.!?)])[ \u00a0])[—–][ \u00a0]?|^--[ \u00a0]*\n)({_NAME})[ \u00a0]*(?=$|\n|[\"”»])",
    re.MULTILINE,
)
# "my daughter Anika", "my neighbor Okonkwo", "our intern Thabo".
_RELATION_WORD = (
    r"(?i:plumber|electrician|driver|courier|nurse|cleaner|contractor|handyman|carer|caregiver|"
    r"therapist|dentist|surgeon|agent|realtor|broker|mechanic|coach|trainer|receptionist|groom|bride|spouse|"
    r"daughter|son|wife|husband|partner|girlfriend|boyfriend|gf|bf|friend|colleague|coworker|"
    r"co-worker|boss|manager|mentor|intern|assistant|landlord|landlady|tenant|neighbou?r|cousin|aunt|uncle|niece|"
    r"nephew|brother|sister|mom|mum|dad|father|mother|grandma|grandpa|grandmother|grandfather|fianc[eé]e?|"
    r"roommate|flatmate|client|patient|student|teacher|tutor|nanny|doctor|lawyer|accountant|contact|lead|"
    r"recruiter|candidate|employee|supervisor|director|ceo|cto)"
)
_RELATION = re.compile(
    rf"(?<![\w])(?:(?:[Mm]y|[Oo]ur|[Hh]is|[Hh]er|[Tt]heir|[Tt]he|[Aa]n?|[Yy]our)[ \u00a0]+)?(?:(?:new|old|little|older|younger|elder|former|"
    rf"best)[ \u00a0]+)?{_RELATION_WORD}[ \u00a0]*,?[ \u00a0]+({_NAME})"
)
# A verb that takes a person as its object, before two or three name words: "interview Malala
# Yousafzai", "remind Mark", "invite Ngozi Adeyemi" (each word rare in English or a listed name).
_VERB_OBJECT = re.compile(
    rf"(?<![\w])(?i:interview|interviewed|invite|invited|hire|hired|meet|met|thank|thanked|congratulate|remind|"
    rf"introduce|welcome|welcomed|email|emailed|text|texted|message|call|called|ask|asked|tell|told|cc|ping|pay|paid|"
    rf"help|helped|contact|contacted|notify|page|paged|name|named)[ \u00a0]+({_NAME})"
)
# "I'm Dev Malhotra", "this is Ngozi": a self-introduction.
_INTRO = re.compile(rf"(?<![\w])(?:I['’]m|I am|[Tt]his is|[Mm]y name is|[Mm]y name['’]s)[ \u00a0]+({_NAME})")
# "Hope from accounting", "Mercedes in payroll": a department after a name.
_DEPARTMENT = re.compile(
    rf"(?<![\w])({_CAP})[ \u00a0]+(?:from|in|at|of)[ \u00a0]+(?:the[ \u00a0]+)?(?:accounting|accounts|payroll|HR|"
    rf"human resources|IT|legal|finance|sales|marketing|ops|operations|support|procurement|compliance|engineering|"
    rf"security|reception|facilities|admin|logistics|QA|design|product|billing|dispatch|customer service|"
    rf"customer success|recruiting|talent|the front desk|the office|my team|our team|your team)\b"
)
# Korean given names romanised as two hyphenated syllables ("Ji-hoon", "Eun-ji", "Seo-yeon").
_KO_SYLLABLE = r"(?:[bcdghjklmnprstwy]|ch|kk|tt|pp|ss|jj)?(?:y?eo|oo|ee|y?ae|y?a|y?e|y?o|y?u|wa|wo|wi|ui|oe|eu|i|u|o)(?:ng|n|m|k|l|p|t)?"
_KO_FAMILY = (
    r"Kim|Lee|Yi|Park|Pak|Choi|Choe|Jung|Jeong|Chung|Kang|Cho|Jo|Yoon|Yun|Jang|Chang|Lim|Im|Han|Oh|Seo|Suh|Shin|Sin|"
    r"Kwon|Hwang|Ahn|An|Song|Yoo|Yu|Ryu|Hong|Jeon|Jun|Ko|Go|Moon|Mun|Yang|Son|Bae|Baek|Paik|Heo|Huh|Nam|Shim|Sim|"
    r"Noh|Roh|Ha|Kwak|Sung|Cha|Joo|Ju|Woo|Koo|Ku|Min|Na|Jin|Ji|Um|Eom|Chae|Won|Chun|Cheon|Bang|Gong|Hyun|Ham|Byun|"
    r"Yeom|Yeo|Choo|Do|Seok|Sul|Ma|Gil|Pyo|Myung|Ki|Ban|Wang|Geum|Ok|Yook|Maeng|Je|Mo|Tak|Kook|Yeon|Kyung|Bong|Ryoo"
)
# "Ekaterina (Katya) Smirnova": a nickname in brackets between the given name and the surname.
_NICKNAME = re.compile(rf"({_CAP})[ \u00a0](?:\(({_CAP})\)|\"({_CAP})\"|“({_CAP})”|'({_CAP})')[ \u00a0]({_CAP})")
_KO_FAMILIES = frozenset(_KO_FAMILY.split("|"))
_KO_GIVEN = rf"[A-Z]{_KO_SYLLABLE}-[a-z]{_KO_SYLLABLE}"
_KOREAN = re.compile(
    rf"(?<![\w-])(?:(?:{_KO_FAMILY})[ \u00a0]+{_KO_GIVEN}|{_KO_GIVEN}[ \u00a0]+(?:{_KO_FAMILY}))(?![\w-])"
)
# "Aleksei оставил комментарий": a Latin-script given name before a Russian past-tense verb.
# "Kirill говорит, что не он": the same with a present-tense verb, checked by pymorphy (the endings
# alone would take nouns: "бюджет").
_BEFORE_RU_PRESENT = re.compile(rf"(?<![\w])({_CAP})[ \u00a0]+([а-яё]{{2,}}(?:ит|ет|ёт|ат|ят|ится|ется))(?![а-яё])")


def _present_verb_after(text: str, s: int) -> re.Match[str] | None:
    m = _BEFORE_RU_PRESENT.match(text, s)
    if m is None:
        return None
    from perimeter.privacy.detect.morph import analyzer

    parses = analyzer().parse(m.group(2))
    best = parses[0].tag if parses else None
    ok = best is not None and "VERB" in best and ("pres" in best or "futr" in best) and "3per" in best
    return m if ok else None


_BEFORE_RU_VERB = re.compile(rf"(?<![\w])({_CAP})[ \u00a0]+[а-яё]{{2,}}(?:ал|ял|ил|ел|ул|ыл|ла|ли|ло|лся|лась)(?![а-яё])")
# Lower case, as typed in chat: "mrs okonkwo", "tío ramón", "my neighbor jake".
_LOWER_TITLE = re.compile(
    rf"(?<![\w])(?:mr|mrs|ms|miss|dr|prof|aunt|auntie|uncle|tío|tía|tio|tia|abuela|abuelo|grandma|grandpa|nana|"
    rf"cousin|coach|mme|frau|herr|doctor)\.?[ \u00a0]+([{_LO}A-Z][{_LO}'’-]{{2,}})(?![\w])"
)
_LOWER_TITLE_GATE = without_leading_assertion(_LOWER_TITLE)
# A surname after a title is as common as a rarer word is: "dr alvarez", "mrs Thornton".
_TITLE_SURNAME_ZIPF = 4.0
_LOWER_NEXT = re.compile(rf"[ \u00a0]+([{_LO}][{_LO}'’-]{{2,}})(?![\w])")
# Chat: a lower-case given name after a greeting ("hey dee", "yo chris", "thx sam") or opening a
# line with a request ("sam can u update the invite?").
_GREETED = r"(?:hi|hey|hello|hiya|yo|thanks|thx|ty|sorry|morning|cheers)[ \u00a0]*,?[ \u00a0]+"
_ASKED = r"[ \u00a0]+(?:can u|can you|could you|pls|please|plz)"
_LOWER_GREETING = re.compile(
    rf"(?<![\w'’]){_GREETED}([a-z]{{3,}})(?![\w'’@.\-])"
    rf"|(?:^|(?<=[\n.!?][ \u00a0]))([a-z]{{3,}}){_ASKED}\b",
    re.MULTILINE,
)
# Gates (see gates): a piece each branch's match holds, each pattern opening with a literal
# alternation or a character class (CPython then skips ahead in C instead of trying every character).
_LOWER_GREETING_GATES = (re.compile(_GREETED + "[a-z]{3}"), re.compile(_ASKED))
_GREETED_ZIPF = 5.0  # "hey chris" (4.8) is a name; "hey will you …" (6.3), "hi mark my words" are not
# "jake just posted…": a lower-case given name before a verb of what people do.
_PERSON_VERB = (
    r"(?:said|says|told|tells|asked|asks|posted|wrote|sent|texted|messaged|called|emailed|replied|mentioned|"
    r"shared|forgot|left|quit|got|went|thinks|wants|needs|pinged|dm'?d|dropped|promised|agreed|complained)\b"
)
_LOWER_BEFORE_VERB = re.compile(
    r"(?<![\w@/.-])([a-z]{3,})[ \u00a0]+(?:(?:just|already|also|still|literally|finally|then|never)[ \u00a0]+)?"
    + _PERSON_VERB
)
_LOWER_BEFORE_VERB_GATE = re.compile(r"[ \u00a0]" + _PERSON_VERB)  # the verb always follows a space
_STOP = frozenset(
    """
the a an and or but so team all everyone everybody folks guys there here you me him her them us it this that
sir madam team support admin customer client user manager sales hr it legal finance ops
claude alexa siri cortana gemini jarvis copilot chatgpt corp inc ltd llc gmbh plc co group holdings labs systems
""".split()  # noqa: SIM905 - a word list reads better as text
)


def _rare(word: str) -> bool:
    """Not an ordinary English word (a name in a name's slot is then its only reading)."""
    return lexicon.zipf(word) < lexicon.COMMON_ZIPF


def _name_word(word: str) -> bool:
    low = word.lower()
    return low not in _STOP and (_rare(word) or low in lexicon.first_names() or low in lexicon.last_names())


def _single_ok(word: str) -> bool:
    low = word.lower()
    return low in lexicon.single_first_names() and low not in _STOP


# compiled once: ``re.finditer(pattern_string, …)`` hashes the long pattern on every call
_SLOT_WORD = re.compile(rf"{_CAP}|{_PARTICLE}")
_PARTICLE_WORD = re.compile(_PARTICLE)


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Keep the leading words of a name slot that can be name words (stop at "Hi Team")."""
    words = list(_SLOT_WORD.finditer(text[start:end]))
    keep = 0
    for n, w in enumerate(words):
        if _PARTICLE_WORD.fullmatch(w.group()) and n:
            continue
        if not _name_word(w.group()):
            break
        keep = n + 1
    if keep == 0:
        return None
    last = words[keep - 1]
    return start, start + last.end()


_TITLE_WORDS = frozenset(
    """
mr mrs ms mx miss dr prof mme mlle madame monsieur m frau herr fr hr sr sra srta señor señora señorita sig
sig.ra signor signora signorina dona dom pan pani mevrouw meneer mevr dhr fru herra rouva sheikh sheikha shri
smt sri pt aunty auntie nana tita tito lola lolo ate kuya encik cik datin dato datuk tuan puan
""".split()  # noqa: SIM905 - a word list reads better as text
)
# Russian salutations and relations in their case forms ("Уважаемый Хамад", "брата Змитера")
RU_RELATION_WORDS = frozenset("""
уважаемый уважаемая уважаемой уважаемому уважаемые многоуважаемый многоуважаемая дорогой дорогая брат брата брату братом брате
сестра сестры сестре сестру сестрой сын сына сыну сыном дочь дочери дочка дочки дочке
дочкой муж мужа мужу мужем жена жены жене жену женой мама мамы маме маму
мамой папа папы папе папу папой бабушка бабушки бабушке бабушку бабушкой дедушка дедушки дедушке
дедушку дедушкой тётя тёти тёте тётю тётей тетя тети тете тетю дядя дяди дяде
дядю дядей племянник племянника племяннику племянница племянницы внук внука внуку внучка внучки внучке свекровь
свекрови тёща тёщи тёще тесть тестя зять зятя невестка невестки кума кум кума крёстный
крёстная коллега коллеги коллеге коллегу коллегой сосед соседа соседу соседка соседки соседке подруга подруги
подруге подругу
""".split())  # noqa: SIM905 - a word list reads better as text
_GREETING_WORDS = frozenset(
    ["hi", "hello", "hey", "dear", "thanks", "you", "cheers", "morning", "afternoon", "greetings", "bonjour", "hola", "hallo", "ciao", "olá", "gracias", "grazie", "obrigado", "obrigada", "merci", "danke", "groete", "groetjes", "saludos", "pozdrawiam", "dziękuję", "kiitos", "tack", "salamat", "abraços", "abrazos"]
)
_RELATION_WORDS = frozenset(
    """
daughter son wife husband partner girlfriend boyfriend gf bf friend colleague coworker co-worker boss manager
mentor intern assistant landlord landlady tenant neighbor neighbour cousin aunt uncle niece nephew brother sister
mom mum dad father mother grandma grandpa grandmother grandfather fiance fiancé fiancee fiancée roommate flatmate
client patient student teacher tutor nanny doctor lawyer accountant contact lead recruiter candidate employee
supervisor director ceo cto plumber electrician driver courier nurse cleaner contractor handyman carer caregiver
therapist dentist surgeon agent realtor broker mechanic coach trainer receptionist groom bride spouse lead
""".split()  # noqa: SIM905 - a word list reads better as text
)
_INTRO_WORDS = frozenset({"i'm", "i’m", "am", "is", "name's", "name’s"})
_INTRO_BEFORE = re.compile(r"(?:I['’]m|I am|[Tt]his is|[Mm]y name is|[Mm]y name['’]s)[ \u00a0]+$")
_VERB_WORDS = frozenset(
    """
interview interviewed invite invited hire hired meet met thank thanked congratulate remind introduce welcome
welcomed email emailed text texted message call called ask asked tell told cc ping pay paid help helped contact
contacted notify page paged name named
""".split()  # noqa: SIM905 - a word list reads better as text
)
_SIGN_OFF_LINES = frozenset(
    """
best,regards,best regards,kind regards,cheers,thanks,thank you,sincerely,yours,warm regards,warmly,ta,xo,
cordialement,mit freundlichen grüßen,saludos,grüße,many thanks,thanks again,thanks so much,best wishes,--,
yours faithfully,yours sincerely,yours truly,sincerely yours,with thanks,with best wishes,respectfully,
met vriendelijke groet,met vriendelijke groeten,groete,groetjes,pozdrawiam,cordiali saluti,un saludo,atentamente,
atenciosamente,abraços,hälsningar,med vänliga hälsningar
""".replace("\n", "").split(",")
)
_WORD_REST = re.compile(r"[\w'’-]*")
_CAP_START = re.compile(rf"(?<![\w'’-])[{_UP}][{_LO}]")
# _CAP_START's matches, found as its two classes (a class first: CPython skips ahead in C) with
# the look-behind then checked at each: the same matches, as no two of either can overlap (a
# match after another's first character would follow a letter).
_CAP_PAIR = re.compile(rf"[{_UP}][{_LO}]")
_WORD_BEFORE_CAP = re.compile(r"[\w'’-]")


def _cap_starts(text: str) -> list[re.Match[str]]:
    """``list(_CAP_START.finditer(text))``."""
    return [m for m in _CAP_PAIR.finditer(text) if not m.start() or _WORD_BEFORE_CAP.match(text, m.start() - 1) is None]
_NEXT_PREP = re.compile(rf"{_CAP}[ \u00a0]+(?:from|in|at|of)[ \u00a0]")
# What follows the word in a _NEXT_PREP match: the word's letters end where its run of
# ``_WORD_REST`` characters does (else a letter, a digit or "-'’" comes next, not a space).
_PREP_AFTER = re.compile(r"[ \u00a0]+(?:from|in|at|of)[ \u00a0]")


def previous_word(text: str, start: int, skip: str = " \t\u00a0,:") -> str:
    """The word before ``start`` (over spaces and ``skip`` punctuation, not over a line break),
    lower case, without a trailing dot; "" when there is none.  A plain loop: a regex anchored
    at the end would be tried at every position of the window."""
    i = start - 1
    while i >= 0 and text[i] in skip:
        i -= 1
    j = i
    while j >= 0 and (text[j].isalnum() or text[j] in ".'’-"):
        j -= 1
    return text[j + 1:i + 1].lower().rstrip(".")


def _cue_before(text: str, start: int) -> bool:
    """Whether a title, greeting, relation word or sign-off stands right before ``start``."""
    return _cue_before_word(text, start, previous_word(text, start))


def _cue_before_word(text: str, start: int, word: str) -> bool:
    """``_cue_before`` with the word before ``start`` (``previous_word``) already read."""
    if word in _TITLE_WORDS or word in _GREETING_WORDS or word in _RELATION_WORDS or word in RU_RELATION_WORDS:
        return True
    if word in _INTRO_WORDS and _INTRO_BEFORE.search(text, max(0, start - 16), start):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    # (past the first line only: the slice to the word is as long as the line)
    if line_start > 0 and text[line_start:start].strip(" \t") in ("", "—", "–", "-"):
        prev_line = text[text.rfind("\n", 0, line_start - 1) + 1:line_start - 1].strip().rstrip(",").lower()
        if prev_line in _SIGN_OFF_LINES or prev_line + "," in _SIGN_OFF_LINES:
            return True
    if text[max(0, start - 2):start] in ("— ", "– "):
        before = text[:max(0, start - 2)].rstrip(" \t\u00a0")
        return not before or before[-1] in ".!?)\n"
    return False


cue_before = _cue_before  # for the filters that keep a name its slot vouches for


def _longest(words: str) -> int:
    """An upper bound on the length of a match of a word alternation "(?:a|b…)" or "(?i:…)":
    the longest alternative's source (a class or "?" is never shorter than what it matches)."""
    return max(map(len, words[words.index(":") + 1:-1].split("|")))


# The slot patterns whose part before the name is a word of a list, then spaces, dots or commas
# (``\.?[ \u00a0]+``, ``[ \u00a0]*,?[ \u00a0]+``): a bound on the word's length.
_TITLE_LONGEST, _GREETING_LONGEST, _RELATION_LONGEST = map(_longest, (_TITLE_WORD, _GREETING_WORD, _RELATION_WORD))
_CUE_SLOTS = ((_TITLE, 0.9, _TITLE_LONGEST), (_GREETING, 0.8, _GREETING_LONGEST), (_SIGN_OFF, 0.75, 0),
              (_RELATION, 0.8, _RELATION_LONGEST), (_INTRO, 0.8, 0))


def _slot_may_end(rx: re.Pattern[str], text: str, lo: int, s: int, longest: int) -> bool:
    """``group_may_start(rx, text, lo, s)``, with less to search (``longest``: the bound on the
    slot word's length, 0 for none).  ``_SIGN_OFF``'s part before its name ends with a line
    break, or a dash and at most one space.  ``_TITLE``'s, ``_GREETING``'s and ``_RELATION``'s
    is a word of their list and then only spaces, dots or commas up to ``s``:
    the word ends at or after ``j`` (``s`` less every such character before it), so a match of the
    gate's pattern starts no earlier than ``j`` less the longest word (``_RELATION``'s optional
    "my"/"new" before the word aside; without them the same word matches, from the word).  The
    slot gate then searches a dozen places instead of the 60 before ``s``; the answer is the same."""
    if rx is _SIGN_OFF:
        before = text[s - 1:s]
        if not (before in ("\n", "—", "–") or (before in (" ", "\u00a0") and s >= 2 and text[s - 2] in ("—", "–"))):
            return False
    if longest:
        j = s
        while j > lo and text[j - 1] in " \u00a0,.":
            j -= 1
        lo = max(lo, j - longest)
    return group_may_start(rx, text, lo, s)


def find_cued_names(text: str) -> list[Entity]:
    out: list[Entity] = []

    def add(start: int, end: int, score: float, strict: bool = False) -> None:
        cut = _trim(text, start, end)
        if cut is not None and strict and " " not in text[cut[0]:cut[1]]:
            word = text[cut[0]:cut[1]]
            if not (_rare(word) or _single_ok(word)):
                return  # "I'm Fine": one word after an introduction must be a given name or no English word
        if cut is not None:
            out.append(Entity("PERSON", cut[0], cut[1], text[cut[0]:cut[1]], score, "en_names"))

    for t in _cap_starts(text):
        s = t.start()
        word = previous_word(text, s)
        if _cue_before_word(text, s, word):
            lo = max(0, text.rfind("\n", 0, max(0, s - 1)) - 60, s - 60)
            for rx, score, longest in _CUE_SLOTS:
                if not _slot_may_end(rx, text, lo, s, longest):
                    continue
                m = rx.search(text, lo, min(len(text), s + 160))
                while m is not None and m.start(1) < s:
                    m = rx.search(text, m.start() + 1, min(len(text), s + 160))
                if m is not None and m.start(1) == s:
                    add(m.start(1), m.end(1), score, strict=rx is _INTRO)
                    break
        # after one space (the common case) the word over spaces only is ``word`` itself
        if text[s - 2:s - 1].isalpha() and (word if text[s - 1:s] in (" ", "\t", "\u00a0") else previous_word(
                text, s, " \t\u00a0")) in _VERB_WORDS and group_may_start(
                _VERB_OBJECT, text, max(0, s - 16), s):
            m = _VERB_OBJECT.search(text, max(0, s - 16), min(len(text), s + 80))
            while m is not None and m.start(1) < s:
                m = _VERB_OBJECT.search(text, m.start() + 1, min(len(text), s + 80))
            if m is not None and m.start(1) == s:
                cut = _trim(text, m.start(1), m.end(1))
                # two name words, or one that a person's list knows and English does not use
                if cut is not None and (" " in text[cut[0]:cut[1]] or _single_ok(text[cut[0]:cut[1]])):
                    out.append(Entity("PERSON", cut[0], cut[1], text[cut[0]:cut[1]], 0.75, "en_names"))
        end = _WORD_REST.match(text, t.end()).end()  # type: ignore[union-attr]  # always matches
        if _PREP_AFTER.match(text, end) and _NEXT_PREP.match(text, s):
            m = _DEPARTMENT.match(text, s)
            if m is not None and (m.group(1).lower() in lexicon.first_names() or _rare(m.group(1))):
                out.append(Entity("PERSON", m.start(1), m.end(1), m.group(1), 0.75, "en_names"))
        if end + 1 < len(text) and text[end] == " " and "а" <= text[end + 1] <= "я":
            m = _BEFORE_RU_VERB.match(text, s) or _present_verb_after(text, s)
            if m is not None and m.group(1).lower() in lexicon.single_first_names():
                out.append(Entity("PERSON", m.start(1), m.end(1), m.group(1), 0.75, "en_names"))
        if text[end:end + 2] in (" (", ' "', " “", " '"):
            m = _NICKNAME.match(text, s)
            nick = m and next(g for g in m.groups()[1:5] if g)
            if m is not None and nick and (m.group(1).lower() in lexicon.first_names() or nick.lower() in lexicon.first_names()):
                out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.85, "en_names"))
        if "-" in text[s:end] or text[s:end] in _KO_FAMILIES:
            m = _KOREAN.match(text, s)
            if m is not None:
                out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.85, "en_names"))
    return out


def _none_of(ix: TextIndex | None, group: str) -> bool:
    """Whether the scan's one literal pass (``literals``) found no word of ``group``: every match
    of the gate it stands for holds one, so the gate's regex pass is skipped (False where no such
    pass ran: no index, or no hyperscan)."""
    if ix is None:
        return False
    starts = ix.literal_starts(group)
    return starts is not None and not starts


def _lower_titles(text: str, ix: TextIndex | None = None) -> list[re.Match[str]] | Iterator[re.Match[str]]:
    if _none_of(ix, "lower_titles"):
        return []
    return _LOWER_TITLE.finditer(text) if _LOWER_TITLE_GATE.search(text) is not None else []


def _lower_greetings(text: str, ix: TextIndex | None = None) -> list[re.Match[str]] | Iterator[re.Match[str]]:
    if _none_of(ix, "lower_greetings") or all(g.search(text) is None for g in _LOWER_GREETING_GATES):
        return []
    return _LOWER_GREETING.finditer(text)


def _lower_before_verbs(text: str, ix: TextIndex | None = None) -> list[re.Match[str]] | Iterator[re.Match[str]]:
    if _none_of(ix, "person_verbs"):
        return []
    return _LOWER_BEFORE_VERB.finditer(text) if _LOWER_BEFORE_VERB_GATE.search(text) is not None else []


def find_lower_cued_names(text: str, ix: TextIndex | None = None) -> list[Entity]:
    """Lower-case names after a title or a greeting, or before a person's verb (``ix``: the
    scan's index, whose literal pass lets a text without any such word skip the regex gates)."""
    out: list[Entity] = []
    for m in _lower_titles(text, ix):
        word = m.group(1)
        low = word.lower()
        if low in _STOP or (not word.islower() and text[m.start():m.start() + 1].isupper()):
            continue  # "Mrs Thornton" is the capitalised rules' to read
        if _rare(low) or low in lexicon.single_first_names() or (
                low in lexicon.last_names() and lexicon.zipf(low) < _TITLE_SURNAME_ZIPF):
            end = m.end(1)
            nxt = _LOWER_NEXT.match(text, end)  # "dr. amara okeke": the surname after the given name
            # ("dr patel said ok": "said" is a surname too, but a common word first)
            if nxt is not None and nxt.group(1) not in _STOP and (_rare(nxt.group(1)) or (
                    nxt.group(1) in lexicon.last_names() and lexicon.zipf(nxt.group(1)) < _TITLE_SURNAME_ZIPF)):
                end = nxt.end(1)
            out.append(Entity("PERSON", m.start(1), end, text[m.start(1):end], 0.7, "en_names"))
    for m in _lower_greetings(text, ix):  # "hey dee", "yo chris", "sam can u …"
        word = m.group(1) or m.group(2)
        at = m.start(1) if m.group(1) else m.start(2)
        if word in lexicon.single_first_names() and word not in _STOP and lexicon.zipf(word) < _GREETED_ZIPF:
            out.append(Entity("PERSON", at, at + len(word), word, 0.65, "en_names"))
    for m in _lower_before_verbs(text, ix):
        word = m.group(1)
        if word in lexicon.single_first_names() and word not in _STOP and lexicon.zipf(word) < 4.5:
            out.append(Entity("PERSON", m.start(1), m.end(1), word, 0.65, "en_names"))
    return out


def has_lower_title(text: str) -> bool:
    """Whether a text without capitals may hold a lower-case name after a title or before a verb."""
    return any(next(iter(found(text)), None) is not None for found in (_lower_titles, _lower_before_verbs, _lower_greetings))
