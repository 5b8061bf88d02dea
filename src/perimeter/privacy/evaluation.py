"""Score a detector against a labelled ("gold") corpus — so a customer measures recall on their own data.

Gold format (JSONL, one document per line)::

    {"id": "t-1", "text": "Звоните Ивану Петрову: +7 912 345-67-89", "lang": "ru",
     "entities": [{"type": "PERSON", "start": 8, "end": 20}, {"type": "PHONE", "text": "+7 912 345-67-89"}]}

- ``id`` (any JSON value, default: the line number) and ``text`` are required; ``lang`` is
  optional and only splits PERSON recall by language.
- Each entity has a ``type`` and either code-point offsets ``start``/``end`` into ``text`` or a
  ``text`` (every occurrence of it is then a gold value).
- A document with ``"entities": []`` is a negative (PII-free): any finding in it is a false alarm.

Metrics:

- per type and micro: **strict** P/R/F1 (same type, same offsets) and **overlap** P/R/F1 (same
  type, spans overlap) — overlap is what protects data, strict is what published numbers use;
- **document leak rate**: sensitive documents in which some alphanumeric character of some gold
  value is covered by no finding of any type (masking is what protects it; spaces and
  punctuation do not identify anyone, and a leading title — Mr, Mrs, Ms, Dr, Prof, г-н — does
  not count);
- **false-alarm rate**: negatives with at least one finding.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

_TITLE = re.compile(r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|г-н|г-жа)\.?\s+", re.IGNORECASE)


class GoldError(ValueError):
    """A gold file line that does not follow the format (the message says where and why)."""


@dataclass(slots=True, frozen=True)
class Span:
    type: str
    start: int
    end: int


@dataclass(slots=True)
class GoldDoc:
    id: Any
    text: str
    entities: list[Span]
    lang: str = ""


@dataclass(slots=True)
class Counts:
    gold: int = 0
    pred: int = 0
    strict_tp: int = 0
    overlap_tp_pred: int = 0  # predictions that overlap a gold span of their type
    overlap_tp_gold: int = 0  # gold spans overlapped by a prediction of their type

    def strict(self) -> tuple[float, float, float]:
        return _prf(self.strict_tp, self.pred, self.strict_tp, self.gold)

    def overlap(self) -> tuple[float, float, float]:
        return _prf(self.overlap_tp_pred, self.pred, self.overlap_tp_gold, self.gold)


@dataclass(slots=True)
class Report:
    docs: int = 0
    sensitive: int = 0
    negatives: int = 0
    leaks: int = 0
    alarms: int = 0
    per_type: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    person_by_lang: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    misses: list[str] = field(default_factory=list)
    leaked: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)

    @property
    def leak_rate(self) -> float:
        return self.leaks / self.sensitive if self.sensitive else 0.0

    @property
    def false_alarm_rate(self) -> float:
        return self.alarms / self.negatives if self.negatives else 0.0

    def micro(self) -> Counts:
        total = Counts()
        for c in self.per_type.values():
            total.gold += c.gold
            total.pred += c.pred
            total.strict_tp += c.strict_tp
            total.overlap_tp_pred += c.overlap_tp_pred
            total.overlap_tp_gold += c.overlap_tp_gold
        return total

    def to_json(self) -> dict[str, Any]:
        micro = self.micro()
        return {
            "docs": self.docs, "sensitive_docs": self.sensitive, "negative_docs": self.negatives,
            "leak_rate": self.leak_rate, "false_alarm_rate": self.false_alarm_rate,
            "micro": {"strict": micro.strict(), "overlap": micro.overlap()},
            "per_type": {t: {"gold": c.gold, "predicted": c.pred, "strict": c.strict(), "overlap": c.overlap()}
                         for t, c in sorted(self.per_type.items())},
            "person_recall": {k: v[0] / v[1] for k, v in sorted(self.person_by_lang.items()) if v[1]},
        }


def _prf(tp_pred: int, n_pred: int, tp_gold: int, n_gold: int) -> tuple[float, float, float]:
    p = tp_pred / n_pred if n_pred else 1.0
    r = tp_gold / n_gold if n_gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def parse_gold(lines: Iterable[bytes | str], source: str = "<gold>") -> list[GoldDoc]:
    """Read gold documents; a malformed line raises :class:`GoldError` naming ``source:line``."""
    docs = []
    for lineno, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        where = f"{source}:{lineno}"
        try:
            rec = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise GoldError(f"{where}: not valid JSON ({exc})") from None
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
            raise GoldError(f'{where}: expected an object with "text" (and "entities")')
        text = rec["text"]
        spans: list[Span] = []
        for k, ent in enumerate(rec.get("entities") or []):
            if not isinstance(ent, dict) or not isinstance(ent.get("type"), str):
                raise GoldError(f"{where}: entities[{k}] needs a \"type\"")
            start, end = ent.get("start"), ent.get("end")
            if isinstance(start, int) and isinstance(end, int):
                if not 0 <= start < end <= len(text):
                    raise GoldError(f"{where}: entities[{k}] offsets {start}-{end} are outside the text "
                                    f"(length {len(text)}; offsets count code points)")
                spans.append(Span(ent["type"], start, end))
            elif isinstance(ent.get("text"), str) and ent["text"]:
                hits = [m.start() for m in re.finditer(re.escape(ent["text"]), text)]
                if not hits:
                    raise GoldError(f"{where}: entities[{k}] text {ent['text']!r} does not occur in the text")
                spans.extend(Span(ent["type"], h, h + len(ent["text"])) for h in hits)
            else:
                raise GoldError(f'{where}: entities[{k}] needs "start" and "end", or "text"')
        docs.append(GoldDoc(rec.get("id", lineno), text, spans, str(rec.get("lang") or "")))
    return docs


def _covered_identifying(text: str, span: Span, covered: set[int]) -> bool:
    start = span.start
    m = _TITLE.match(text, start, span.end)
    if m is not None and m.end() < span.end:
        start = m.end()
    return all(i in covered for i in range(start, span.end) if text[i].isalnum())


def score(docs: Sequence[GoldDoc], predictions: Mapping[Any, Sequence[Span]], types: Iterable[str] | None = None) -> Report:
    """Compare ``predictions[doc.id]`` with each document's gold spans.

    ``types`` restricts P/R/F1 to those types (leak and false-alarm rates always use every
    prediction: any finding masks its characters, and any finding in a negative is an alarm).
    """
    only = frozenset(types) if types is not None else None
    rep = Report()
    for d in docs:
        rep.docs += 1
        preds = list(predictions.get(d.id, ()))
        gold = [g for g in d.entities if only is None or g.type in only]
        scored = [p for p in preds if only is None or p.type in only]
        for p in scored:
            c = rep.per_type[p.type]
            c.pred += 1
            if any(g.type == p.type and g.start == p.start and g.end == p.end for g in gold):
                c.strict_tp += 1
            if any(g.type == p.type and g.start < p.end and p.start < g.end for g in gold):
                c.overlap_tp_pred += 1
            else:
                rep.false_positives.append(f"{d.id}: {p.type} {d.text[p.start:p.end]!r}")
        for g in gold:
            c = rep.per_type[g.type]
            c.gold += 1
            hit = any(p.type == g.type and g.start < p.end and p.start < g.end for p in scored)
            c.overlap_tp_gold += hit
            if g.type == "PERSON" and d.lang:
                rep.person_by_lang[d.lang][0] += hit
                rep.person_by_lang[d.lang][1] += 1
            if not hit:
                rep.misses.append(f"{d.id}: {g.type} {d.text[g.start:g.end]!r}")
        if d.entities:
            rep.sensitive += 1
            covered = {i for p in preds for i in range(p.start, p.end)}
            leaked = [g for g in d.entities if not _covered_identifying(d.text, g, covered)]
            if leaked:
                rep.leaks += 1
                rep.leaked.append(f"{d.id}: " + "; ".join(f"{g.type} {d.text[g.start:g.end]!r}" for g in leaked))
        else:
            rep.negatives += 1
            rep.alarms += bool(preds)
    return rep


def render(rep: Report, title: str = "", verbose: bool = False) -> str:
    """A Markdown report: the table per type, the micro scores and the two document rates."""
    out = []
    if title:
        out.append(f"## {title} ({rep.docs} docs: {rep.sensitive} sensitive, {rep.negatives} PII-free)\n")
    out.append("| type | gold | predicted | strict P / R / F1 | overlap P / R / F1 |")
    out.append("|---|---|---|---|---|")
    for t, c in sorted(rep.per_type.items()):
        sp, sr, sf = c.strict()
        op, orr, of = c.overlap()
        out.append(f"| {t} | {c.gold} | {c.pred} | {sp:.3f} / {sr:.3f} / {sf:.3f} | {op:.3f} / {orr:.3f} / {of:.3f} |")
    m = rep.micro()
    sp, sr, sf = m.strict()
    op, orr, of = m.overlap()
    out.append("")
    out.append(f"- micro overlap: P {op:.3f} R {orr:.3f} **F1 {of:.3f}**; strict: P {sp:.3f} R {sr:.3f} F1 {sf:.3f}")
    if rep.person_by_lang:
        out.append("- PERSON recall: " + ", ".join(
            f"{k} {v[0] / v[1]:.3f}" for k, v in sorted(rep.person_by_lang.items()) if v[1]))
    out.append(f"- document leak rate: **{rep.leak_rate:.2%}** ({rep.leaks} of {rep.sensitive}); "
               f"false alarms on PII-free documents: **{rep.false_alarm_rate:.2%}** ({rep.alarms} of {rep.negatives})")
    if verbose:
        out.append("\nleaks:\n  " + "\n  ".join(rep.leaked))
        out.append("misses:\n  " + "\n  ".join(rep.misses))
        out.append("false positives:\n  " + "\n  ".join(rep.false_positives))
    return "\n".join(out)
