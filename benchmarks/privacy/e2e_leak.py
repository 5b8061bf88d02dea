"""End-to-end leak rate: labelled documents sent through the real gateway to a recording cloud.

    .venv/bin/python -m benchmarks.privacy.e2e_leak benchmarks/privacy/corpus/blind2.jsonl
    .venv/bin/python -m benchmarks.privacy.e2e_leak GOLD.jsonl --shape tools -v

Each document goes to ``POST /v1/chat/completions`` of a gateway whose only provider is a
``cloud``-located loopback server that records every body it receives (``tests/fakes``), with
the default policy (every type pseudonymized).  ``--shape`` picks where the text travels:
``message`` (the user message), ``parts`` (split over two content parts at the middle),
``tools`` (inside a tool call's JSON arguments), ``messages`` (``/v1/messages``, Anthropic).

A document leaks when the cloud saw any identifying piece of one of its gold values:

* digit-bearing values (phones, cards, IBANs, ИНН/СНИЛС/ОГРН, accounts, passports, SSNs,
  dates): the value's whole digit sequence appears in the digits of the body, or (for values
  of 10+ digits) any 7 consecutive digits of it — a surrogate that keeps a card's issuer prefix,
  a phone's country code or a Russian account's 8-digit class-and-currency prefix (40817 810)
  is not a leak, a date's year alone is not identifying;
* names: any part of two or more letters, as a whole word (case-insensitive), particles
  (de, van, al, ibn, аль …) and titles aside;
* addresses: the postcode, or a house number together with the word written next to it;
* e-mails, secrets, IPs: the value itself (or an e-mail's local part).

This is close to what a reviewer reading the recorded traffic would call a leak; the scan-level
rate of ``perimeter scan --eval`` (every alphanumeric character covered) is the stricter twin.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fakes.gateway import openai_provider, running_gateway  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402

DIGIT_TYPES = {"PHONE", "CREDIT_CARD", "IBAN", "RU_INN", "RU_SNILS", "RU_OGRN", "RU_BANK_ACCOUNT", "RU_PASSPORT",
               "US_SSN", "DATE_OF_BIRTH"}
TITLES = {"mr", "mrs", "ms", "dr", "prof", "sir", "г-н", "г-жа"}
PARTICLES = {"de", "da", "di", "du", "des", "del", "la", "le", "van", "von", "der", "den", "ten", "ter", "al", "el",
             "ibn", "bin", "bint", "abu", "аль", "ибн", "бин", "ван", "фон", "де"}
ADDRESS_WORDS = re.compile(r"^(?:ул|улица|пр|просп|проспект|пер|переулок|ш|шоссе|наб|б-р|бульвар|пл|д|дом|к|корп|стр|"
                           r"кв|оф|лит|г|город|обл|область|р-н|район|пос|п|с|дер|пгт|ст|мкр|street|st|avenue|ave|road|"
                           r"rd|lane|ln|drive|dr|blvd|boulevard|apt|suite|ste|unit|floor|fl|ul|rue|via|calle|rua|"
                           r"str|straße|strasse|way|court|ct|place|pl)\.?$", re.IGNORECASE)


def pieces(etype: str, value: str) -> list[tuple[str, str]]:
    """(kind, needle) pairs whose presence in the cloud's body is a leak of ``value``."""
    if etype in DIGIT_TYPES:
        digits = re.sub(r"\D", "", value)
        out = [("digits", digits)] if len(digits) >= 4 else []
        if len(digits) >= 10:
            # A Russian account's first 8 digits are its balance-account class and currency
            # (40817 810 = a person's rouble account): kept by the surrogate, and identifying no
            # more than a card's issuer prefix.
            start = 8 if etype == "RU_BANK_ACCOUNT" and len(digits) == 20 else 0
            out += [("digits", digits[i:i + 7]) for i in range(start, len(digits) - 6)]
        if etype == "IBAN":
            out.append(("text", re.sub(r"\s", "", value).upper()))
        return out
    if etype == "PERSON":
        words = [w for w in re.findall(r"[^\W\d_][\w'’]*", value)
                 if len(w) >= 2 and w.lower().strip(".") not in TITLES | PARTICLES]
        return [("word", w) for w in words]
    if etype == "ADDRESS":
        out = [("digits", p) for p in re.findall(r"\b\d{5,6}\b", value)]
        out += [("text", p) for p in re.findall(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", value)]  # UK postcodes
        tokens = re.findall(r"[\w'’.-]+", value)
        for i, tok in enumerate(tokens):
            if re.fullmatch(r"\d+[\w/-]*", tok):
                near = [t for t in (tokens[i - 1] if i else "", tokens[i + 1] if i + 1 < len(tokens) else "")
                        if len(t) > 2 and not t[0].isdigit() and not ADDRESS_WORDS.match(t)]
                out += [("pair", f"{tok.rstrip(',.')}|{n.rstrip(',.')}") for n in near]
        return out
    if etype == "EMAIL":
        local = value.split("@", 1)[0]
        return [("text", value.lower())] + ([("word", local)] if len(local) >= 4 else [])
    return [("text", value)]


def _word_in(word: str, low: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(word.lower()) + r"(?!\w)", low) is not None


def _seen(kind: str, needle: str, low: str, digits: str) -> bool:
    if kind == "digits":
        return bool(needle) and needle in digits
    if kind == "text":
        return needle.lower() in low
    if kind == "word":
        return _word_in(needle, low)
    num, word = needle.split("|", 1)  # "pair": a house number and the word next to it
    return _word_in(num, low) and _word_in(word, low)


def leaked(body_text: str, body_digits: str, etype: str, value: str) -> list[str]:
    """The identifying pieces of ``value`` present in what the cloud received."""
    low = body_text.lower()
    return [needle for kind, needle in pieces(etype, value) if _seen(kind, needle, low, body_digits)]


def request_for(shape: str, text: str) -> tuple[str, dict[str, Any]]:
    if shape == "parts":
        mid = len(text) // 2
        content: Any = [{"type": "text", "text": text[:mid]}, {"type": "text", "text": text[mid:]}]
        return "/v1/chat/completions", {"model": "cloud", "messages": [{"role": "user", "content": content}]}
    if shape == "tools":
        call = {"id": "call_1", "type": "function",
                "function": {"name": "save_note", "arguments": json.dumps({"note": text}, ensure_ascii=False)}}
        return "/v1/chat/completions", {"model": "cloud", "messages": [
            {"role": "user", "content": "save this"}, {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_1", "content": "saved"}, {"role": "user", "content": "thanks"}]}
    if shape == "messages":
        return "/v1/messages", {"model": "cloud", "max_tokens": 64, "messages": [{"role": "user", "content": text}]}
    return "/v1/chat/completions", {"model": "cloud", "messages": [{"role": "user", "content": text}]}


async def run(gold: Path, shape: str, verbose: bool) -> dict[str, Any]:
    docs = [json.loads(line) for line in gold.read_text("utf-8").splitlines() if line.strip()]
    sensitive = [d for d in docs if d["entities"]]
    leaks: list[tuple[str, str, str, list[str]]] = []
    async with FakeOpenAI(name="cloud") as cloud:
        config = {"providers": [openai_provider("cloud", cloud.base_url, "cloud", retry={"max_retries": 0})],
                  "models": {"cloud": ["cloud"]},
                  "privacy": {"secret": "e2e-leak-benchmark-secret-0123456789", "default_action": "pseudonymize"},
                  "accounting": {"enabled": False}}
        async with running_gateway(config) as gw, httpx.AsyncClient(base_url=gw.url, timeout=120) as client:
            leaked_docs = 0
            for doc in sensitive:
                before = len(cloud.requests)
                path, body = request_for(shape, doc["text"])
                r = await client.post(path, json=body)
                if r.status_code != 200:
                    continue  # refused or kept on-prem: nothing reached the cloud
                seen = json.dumps(cloud.requests[before:], ensure_ascii=False)
                seen_digits = re.sub(r"\D", "", seen)
                doc_leaks = []
                for e in doc["entities"]:
                    value = doc["text"][e["start"]:e["end"]]
                    hit = leaked(seen, seen_digits, e["type"], value)
                    if hit:
                        doc_leaks.append((e["type"], value, hit))
                if doc_leaks:
                    leaked_docs += 1
                    leaks.extend((doc["id"], t, v, h) for t, v, h in doc_leaks)
    result = {"corpus": str(gold), "shape": shape, "sensitive_docs": len(sensitive), "leaked_docs": leaked_docs,
              "leak_rate": leaked_docs / max(1, len(sensitive))}
    print(f"{gold.name} [{shape}]: {leaked_docs} of {len(sensitive)} sensitive documents leaked an identifying "
          f"piece to the cloud ({100 * result['leak_rate']:.1f}%)")
    if verbose:
        for doc_id, etype, value, hit in leaks:
            print(f"  {doc_id}: {etype} {value!r} -> cloud saw {hit}")
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold", type=Path)
    ap.add_argument("--shape", choices=["message", "parts", "tools", "messages"], default="message")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    asyncio.run(run(args.gold, args.shape, args.verbose))


if __name__ == "__main__":
    main()
