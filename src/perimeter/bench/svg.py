"""Tiny inline-SVG charts, so reports open offline with no JavaScript or CDN.

Three shapes cover every plot we draw: lines (metric vs load, cost vs volume), a histogram
(TTFT distribution) and a scatter (latency over time).  Axes get "nice" ticks (1-2-5 steps).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

W, H = 640, 340
ML, MR, MT, MB = 70, 20, 36, 48  # margins: left, right, top, bottom
PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563")

Series = tuple[str, Sequence[tuple[float, float]]]
Scale = Callable[[float], float]


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if not math.isfinite(lo) or not math.isfinite(hi):
        return [0.0, 1.0]
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks, t = [], start
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 10))
        t += step
    if ticks[-1] < hi:
        ticks.append(ticks[-1] + step)
    return ticks


def fmt(v: float) -> str:
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:g}M"
    if a >= 1e4:
        return f"{v / 1e3:g}k"
    return f"{v:.4g}"


def _frame(title: str, xlabel: str, ylabel: str, xt: list[float], yt: list[float],
           px: Scale, py: Scale, xtick_fmt: Callable[[float], str] = fmt) -> list[str]:
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
           'font-family="system-ui,sans-serif" font-size="12">',
           f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">{escape(title)}</text>']
    for t in yt:
        y = py(t)
        out.append(f'<line x1="{ML}" x2="{W - MR}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        out.append(f'<text x="{ML - 6}" y="{y + 4:.1f}" text-anchor="end">{fmt(t)}</text>')
    for t in xt:
        x = px(t)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{MT}" y2="{H - MB}" stroke="#f3f4f6"/>')
        out.append(f'<text x="{x:.1f}" y="{H - MB + 16}" text-anchor="middle">{xtick_fmt(t)}</text>')
    out.append(f'<rect x="{ML}" y="{MT}" width="{W - ML - MR}" height="{H - MT - MB}" fill="none" stroke="#9ca3af"/>')
    out.append(f'<text x="{(ML + W - MR) / 2}" y="{H - 8}" text-anchor="middle">{escape(xlabel)}</text>')
    out.append(f'<text transform="translate(16 {(MT + H - MB) / 2}) rotate(-90)" text-anchor="middle">'
               f'{escape(ylabel)}</text>')
    return out


def _scales(xs: list[float], ys: list[float], logx: bool, y0: bool = True
            ) -> tuple[list[float], list[float], Scale, Scale]:
    ylo = 0.0 if y0 else min(ys)
    yt = nice_ticks(ylo, max(ys) if ys else 1.0)
    if logx:
        lo, hi = math.floor(math.log2(min(xs))), math.ceil(math.log2(max(xs)))
        hi = max(hi, lo + 1)
        xt = [2.0 ** k for k in range(lo, hi + 1)]
        def sx(v: float) -> float:
            return ML + (math.log2(v) - lo) / (hi - lo) * (W - ML - MR)
    else:
        xt = nice_ticks(min(xs), max(xs))
        def sx(v: float) -> float:
            return ML + (v - xt[0]) / ((xt[-1] - xt[0]) or 1) * (W - ML - MR)

    def sy(v: float) -> float:
        return H - MB - (v - yt[0]) / ((yt[-1] - yt[0]) or 1) * (H - MT - MB)
    return xt, yt, sx, sy


def _legend(names: list[str]) -> list[str]:
    out = []
    for i, name in enumerate(names):
        x = ML + 10 + (i % 3) * 185
        y = MT + 14 + (i // 3) * 16
        c = PALETTE[i % len(PALETTE)]
        out.append(f'<rect x="{x}" y="{y - 9}" width="12" height="4" fill="{c}"/>'
                   f'<text x="{x + 16}" y="{y - 4}">{escape(name)}</text>')
    return out


def line_chart(title: str, xlabel: str, ylabel: str, series: Sequence[Series], *,
               logx: bool = False, markers: Sequence[tuple[float, str]] = ()) -> str:
    pts = [p for _, s in series for p in s if math.isfinite(p[1])]
    if not pts:
        return empty(title)
    xs = [p[0] for p in pts]
    logx = logx and min(xs) > 0
    xt, yt, sx, sy = _scales(xs, [p[1] for p in pts], logx)
    out = _frame(title, xlabel, ylabel, xt, yt, sx, sy)
    for i, (_, s) in enumerate(series):
        c = PALETTE[i % len(PALETTE)]
        good = [(x, y) for x, y in s if math.isfinite(y)]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in good)
        out.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="{path}"/>')
        if len(good) <= 40:
            out.extend(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{c}"/>'
                       for x, y in good)
    for x, label in markers:
        px = sx(x)
        out.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{MT}" y2="{H - MB}" stroke="#111" '
                   f'stroke-dasharray="4 3"/><text x="{px + 4:.1f}" y="{H - MB - 6}">{escape(label)}</text>')
    out.extend(_legend([n for n, _ in series]))
    out.append("</svg>")
    return "\n".join(out)


def histogram(title: str, xlabel: str, values: Sequence[float], *, bins: int = 30,
              marks: Sequence[tuple[float, str]] = ()) -> str:
    vals = [v for v in values if math.isfinite(v)]
    if not vals:
        return empty(title)
    lo, hi = min(vals), max(vals)
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0) * 0.01 + 1e-9
    width = (hi - lo) / bins
    counts = [0] * bins
    for v in vals:
        counts[min(int((v - lo) / width), bins - 1)] += 1
    xt, yt, sx, sy = _scales([lo, hi], [float(c) for c in counts], False)
    out = _frame(title, xlabel, "requests", xt, yt, sx, sy)
    for i, c in enumerate(counts):
        x0, x1 = sx(lo + i * width), sx(lo + (i + 1) * width)
        y = sy(c)
        out.append(f'<rect x="{x0:.1f}" y="{y:.1f}" width="{max(x1 - x0 - 1, 0.5):.1f}" '
                   f'height="{H - MB - y:.1f}" fill="{PALETTE[0]}" opacity="0.8"/>')
    for x, label in marks:
        px = sx(x)
        out.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{MT}" y2="{H - MB}" stroke="{PALETTE[1]}" '
                   f'stroke-dasharray="4 3"/><text x="{px + 3:.1f}" y="{MT + 12}" fill="{PALETTE[1]}">'
                   f'{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def scatter(title: str, xlabel: str, ylabel: str, points: Sequence[tuple[float, float]],
            errors: Sequence[float] = ()) -> str:
    if not points and not errors:
        return empty(title)
    xs = [p[0] for p in points] + list(errors)
    ys = [p[1] for p in points] or [1.0]
    xt, yt, sx, sy = _scales(xs, ys, False)
    out = _frame(title, xlabel, ylabel, xt, yt, sx, sy)
    out.extend(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2" fill="{PALETTE[0]}" opacity="0.6"/>'
               for x, y in points)
    out.extend(f'<line x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{H - MB}" y2="{H - MB - 8}" '
               f'stroke="{PALETTE[1]}"/>' for x in errors)
    out.append("</svg>")
    return "\n".join(out)


def empty(title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} 60" width="{W}" height="60" '
            f'font-family="system-ui,sans-serif"><text x="10" y="35">{escape(title)}: no data</text></svg>')
