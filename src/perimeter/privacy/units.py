"""From the texts the scanner reads back to the slots of the body.

:mod:`perimeter.privacy.walk` groups slots into units.  Two kinds need mapping back:

- **Joined content parts** (``joiner == ""``).  The parts are scanned joined, as the model
  reads them, so "+7 912" + "345-67-89" is one phone.  Each part is also scanned alone (a
  model may read parts as separate blocks: "Dear Ivan" + "Petrov said" is two texts), and the
  findings of both passes are resolved together.  A finding that crosses a part boundary moves
  the boundary to its end: the earlier part takes the whole value (and its surrogate), the
  later part loses the tail.  The parts' concatenation is unchanged, so nothing is lost or
  duplicated, and each part hands the pseudonymizer whole values only.
- **Batches** (one value per line).  A finding is clipped to each value it touches.
"""

from __future__ import annotations

from dataclasses import dataclass

from perimeter.privacy.detect.resolve import resolve
from perimeter.privacy.entities import Entity
from perimeter.privacy.walk import Collected, Slot


@dataclass(slots=True)
class Mapped:
    """Slots (with moved boundaries applied) and the findings inside each, plus per-unit findings."""

    slots: list[Slot]
    per_slot: list[list[Entity]]
    per_unit: list[list[Entity]]


class ScanPlan:
    """What to scan for a :class:`Collected` body, and how to map the findings back."""

    def __init__(self, collected: Collected) -> None:
        self.collected = collected
        self.texts: list[str] = collected.texts()
        self._alone: list[tuple[int, int]] = []  # (unit index, slot position) of each extra text
        for u, unit in enumerate(collected.units):
            if unit.joiner == "" and len(unit.slots) > 1:
                for pos, si in enumerate(unit.slots):
                    self._alone.append((u, pos))
                    self.texts.append(collected.slots[si].text)

    def map(self, results: list[list[Entity]]) -> Mapped:
        """``results[i]`` are the findings in ``self.texts[i]``."""
        c = self.collected
        n_units = len(c.units)
        extra: dict[int, list[Entity]] = {}
        for (u, pos), ents in zip(self._alone, results[n_units:], strict=True):
            offset = sum(len(c.slots[si].text) for si in c.units[u].slots[:pos])
            extra.setdefault(u, []).extend(_shift(e, offset) for e in ents)
        slots = list(c.slots)
        per_slot: list[list[Entity]] = [[] for _ in slots]
        per_unit: list[list[Entity]] = []
        for u, unit in enumerate(c.units):
            found = results[u]
            if u in extra:
                found = resolve([*found, *extra[u]])
            per_unit.append(found)
            if unit.joiner == "":
                _split_joined(unit.slots, slots, found, per_slot)
            else:
                _clip_batch(unit.slots, unit.joiner, slots, found, per_slot)
        return Mapped(slots, per_slot, per_unit)


def _shift(e: Entity, offset: int) -> Entity:
    return Entity(e.type, e.start + offset, e.end + offset, e.text, e.score, e.detector)


def _split_joined(members: list[int], slots: list[Slot], found: list[Entity], per_slot: list[list[Entity]]) -> None:
    texts = [slots[si].text for si in members]
    joined = "".join(texts)
    bounds: list[int] = []
    pos = 0
    for t in texts[:-1]:
        pos += len(t)
        bounds.append(pos)
    # Move each boundary that falls inside a finding to the finding's end.
    for k, b in enumerate(bounds):
        for e in found:
            if e.start < b < e.end:
                b = e.end
        bounds[k] = max(b, bounds[k - 1]) if k else b
    edges = [0, *bounds, len(joined)]
    for k, si in enumerate(members):
        lo, hi = edges[k], edges[k + 1]
        text = joined[lo:hi]
        old = slots[si]
        slots[si] = Slot(old.path, text, old.kind, old.original)
        per_slot[si] = [_shift(e, -lo) for e in found if lo <= e.start and e.end <= hi]


def _clip_batch(members: list[int], joiner: str, slots: list[Slot], found: list[Entity],
                per_slot: list[list[Entity]]) -> None:
    pos = 0
    for si in members:
        text = slots[si].text
        lo, hi = pos, pos + len(text)
        for e in found:
            a, b = max(e.start, lo), min(e.end, hi)
            while a < b and text[a - lo].isspace():
                a += 1
            while b > a and text[b - lo - 1].isspace():
                b -= 1
            if a < b:
                per_slot[si].append(Entity(e.type, a - lo, b - lo, text[a - lo:b - lo], e.score, e.detector))
        pos = hi + len(joiner)
