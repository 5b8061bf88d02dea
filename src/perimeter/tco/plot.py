"""Monthly cost vs volume for self-hosted, API and the hybrid split, as a self-contained HTML page."""

from __future__ import annotations

from html import escape
from typing import Any

from perimeter.bench import svg
from perimeter.tco.model import api, break_even, hybrid, self_hosted
from perimeter.tco.scenario import Scenario


def volume_grid(sc: Scenario, be: float | None, points: int = 60) -> list[float]:
    """Volumes (units/day) from near zero to well past the current volume and break-even."""
    top = max(sc.traffic.per_day, be or 0) * 2.5
    return [top * i / points for i in range(1, points + 1)]


def curves(sc: Scenario, be: float | None) -> list[svg.Series]:
    grid = volume_grid(sc, be)
    return [
        ("self-hosted", [(v, self_hosted(sc.host, sc.traffic, v).monthly) for v in grid]),
        (f"API ({sc.price.model})", [(v, api(sc.price, sc.traffic, v).monthly) for v in grid]),
        (f"hybrid {sc.local_share:.0%} local", [(v, hybrid(sc.host, sc.price, sc.traffic, sc.local_share, v).monthly)
                                                for v in grid]),
    ]


def chart(sc: Scenario) -> str:
    """The inline SVG: self-hosted, API and hybrid monthly cost against volume (also on ``/ui/cost``)."""
    be = break_even(sc.host, sc.price, sc.traffic)
    unit = "conversations" if sc.traffic.turns > 1 else "requests"
    markers = [(sc.traffic.per_day, "your volume")]
    if be is not None:
        markers.append((be, "break-even"))
    return svg.line_chart("Monthly cost vs volume", f"{unit} per day", f"{sc.currency} per month", curves(sc, be),
                          markers=markers)


def render(sc: Scenario, summary: dict[str, Any]) -> str:
    chart_svg = chart(sc)
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{escape(str(v))}</td></tr>" for k, v in summary.items())
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>perimeter tco</title><style>"
            "body{font-family:system-ui,sans-serif;max-width:900px;margin:24px auto}"
            "td{padding:3px 10px;border-bottom:1px solid #eee}</style></head><body>"
            f"<h1>perimeter tco</h1><p>{escape(sc.description)}</p>{chart_svg}<table>{rows}</table></body></html>")
