"""Names in capitals after a payment's direction word, as bank statements print them.

"ZELLE TO ANA RUIZ -$250.00", "VENMO FROM TOMASZ NOWAK +$40.00", "WIRE TRANSFER TO …": the
payee or payer of a person-to-person payment is a person when the first word is a known given
name, the last word a surname or no English word, and the run is no firm (LLC, INC…).  The English name
rules skip text in capitals, where every word looks like a proper noun.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.entities import Entity

_PAYMENT = re.compile(
    r"(?<![A-Z])(?:ZELLE|VENMO|PAYPAL|CASHAPP|CASH APP|TRANSFER|XFER|WIRE|PAYMENT|PMT|DEPOSIT|CHECK|P2P)"
    r"(?:[ \t]+(?:SENT|RECEIVED|RCVD|PAYMENT|PMT))?[ \t]+(?:TO|FROM)[ \t]+"
    r"([A-Z][A-Z'\-]+(?:[ \t][A-Z][A-Z'\-]+){1,2})(?![A-Za-z])"
)
# firms, and the accounts a payment goes to ("PAYMENT TO CHASE CARD", "TRANSFER TO SAVINGS")
_FIRM = frozenset(
    """
INC LLC LTD CORP CO COMPANY BANK GROUP SERVICES STORE MARKET PLC GMBH
CARD ACCT ACCOUNT SAVINGS CHECKING LOAN MORTGAGE CREDIT AUTOPAY BILL
""".split()  # noqa: SIM905 - a word list reads better as text
)


def find_caps_payees(text: str) -> list[Entity]:
    if " TO " not in text and " FROM " not in text:
        return []
    out = []
    for m in _PAYMENT.finditer(text):
        words = m.group(1).split()
        if words[0].lower() not in lexicon.first_names() or any(w in _FIRM for w in words):
            continue
        last = words[-1].lower()
        if last not in lexicon.last_names() and lexicon.zipf(last) >= lexicon.COMMON_ZIPF:
            continue  # "PAYMENT TO CHASE CARD": an English word closes it, not a surname
        out.append(Entity("PERSON", m.start(1), m.end(1), m.group(1), 0.75, "en_names"))
    return out
