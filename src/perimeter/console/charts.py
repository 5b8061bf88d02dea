"""Inline SVG for the overview: requests over time and a split bar.

Presentation attributes only (``fill``, ``width``…), never a ``style`` attribute, so the pages
keep a Content-Security-Policy without ``'unsafe-inline'``.  Sizes are in viewBox units and
CSS scales the picture to the column it sits in.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from html import escape

from perimeter.bench.svg import fmt, nice_ticks

OK, ERR, GRID = "#2563eb", "#dc2626", "#e5e7eb"
SPLIT = ("#16a34a", "#2563eb", "#9333ea", "#ea580c", "#0891b2", "#4b5563")


def _label(ts: float, span: float) -> str:
    t = time.gmtime(ts)
    return time.strftime("%H:%M" if span <= 86400 else "%d %b", t)


def timeline(points: Sequence[tuple[float, int, int]], title: str) -> str:
    """Stacked bars per time bucket: successful requests (blue) and errors (red)."""
    w, h, ml, mr, mt, mb = 720, 220, 44, 10, 28, 34
    n = max(len(points), 1)
    top = max((ok for _, ok, _ in points), default=0)
    ticks = nice_ticks(0, max(top, 1), 4)
    ymax = ticks[-1] or 1
    bw = (w - ml - mr) / n
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="chart" role="img" '
           f'aria-label="{escape(title)}" font-family="system-ui,sans-serif" font-size="11">',
           f'<text x="{ml}" y="16" font-size="13" font-weight="600">{escape(title)}</text>']
    for t in ticks:
        y = h - mb - t / ymax * (h - mt - mb)
        out.append(f'<line x1="{ml}" x2="{w - mr}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
                   f'<text x="{ml - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4b5563">{fmt(t)}</text>')
    span = (points[-1][0] - points[0][0]) if len(points) > 1 else 0
    every = max(1, n // 6)
    for i, (ts, total, errors) in enumerate(points):
        x = ml + i * bw
        good = total - errors
        hg = good / ymax * (h - mt - mb)
        he = errors / ymax * (h - mt - mb)
        base = h - mb
        if total:
            out.append(f'<rect x="{x + 1:.1f}" y="{base - hg:.1f}" width="{max(bw - 2, 1):.1f}" height="{hg:.1f}" '
                       f'fill="{OK}"><title>{_label(ts, span)}: {total} requests, {errors} errors</title></rect>')
            if errors:
                out.append(f'<rect x="{x + 1:.1f}" y="{base - hg - he:.1f}" width="{max(bw - 2, 1):.1f}" '
                           f'height="{he:.1f}" fill="{ERR}"/>')
        if i % every == 0:
            out.append(f'<text x="{x + bw / 2:.1f}" y="{h - mb + 16}" text-anchor="middle" fill="#4b5563">'
                       f'{_label(ts, span)}</text>')
    out.append(f'<rect x="{w - 190}" y="8" width="10" height="10" fill="{OK}"/><text x="{w - 176}" y="17">served</text>'
               f'<rect x="{w - 110}" y="8" width="10" height="10" fill="{ERR}"/><text x="{w - 96}" y="17">errors</text>')
    out.append("</svg>")
    return "".join(out)


def split_bar(parts: dict[str, int], title: str) -> str:
    """One horizontal bar divided by share (on-prem vs cloud, jurisdictions)."""
    w, h = 720, 58
    total = sum(parts.values())
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="chart" role="img" '
           f'aria-label="{escape(title)}" font-family="system-ui,sans-serif" font-size="12">']
    if not total:
        out.append(f'<rect x="0" y="8" width="{w}" height="26" fill="{GRID}"/>'
                   f'<text x="{w / 2}" y="26" text-anchor="middle" fill="#4b5563">no requests yet</text></svg>')
        return "".join(out)
    x = 0.0
    for i, (name, n) in enumerate(sorted(parts.items(), key=lambda kv: -kv[1])):
        width = n / total * w
        colour = SPLIT[i % len(SPLIT)]
        label = f"{name} {n / total:.0%} ({n})"
        out.append(f'<rect x="{x:.1f}" y="8" width="{width:.1f}" height="26" fill="{colour}">'
                   f'<title>{escape(label)}</title></rect>')
        out.append(f'<rect x="{i * 180}" y="42" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{i * 180 + 14}" y="51">{escape(label)}</text>')
        x += width
    out.append("</svg>")
    return "".join(out)
