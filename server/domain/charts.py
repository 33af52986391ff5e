"""Small hand-written SVG bar charts for the analytics pages (no charting library).

Charts are served as images, so they must be safe and readable on their own: every piece
of text is XML-escaped (session titles and hashtags come from other people), characters XML
cannot carry are dropped, styling uses presentation attributes only (no ``<style>`` or
script, nothing for a Content-Security-Policy to block), and each chart has a ``<title>``
and ``<desc>`` (``role="img"``) so a screen reader says what it shows; each bar has its
own ``<title>`` with its exact figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import regex

# Characters XML 1.0 cannot contain (C0 controls but tab/LF/CR, surrogates, U+FFFE/FFFF).
_NOT_XML = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

FONT: Final = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
BAR: Final = "#2563eb"
INK: Final = "#1f2937"
MUTED: Final = "#6b7280"
GRID: Final = "#e5e7eb"


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: ``label`` names it (tooltips, and the axis in horizontal charts),
    ``tick`` is an optional axis label under a vertical bar."""

    label: str
    value: int
    tick: str | None = None


def escape(text: str) -> str:
    """Text safe inside an SVG element or a double- or single-quoted attribute."""
    cleaned = _NOT_XML.sub("", text)
    return (
        cleaned.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "\u2026"


def nice_ticks(maximum: int, count: int = 5) -> list[int]:
    """Round gridline values from 0 to at least ``maximum`` (1, 2 or 5 times a power of 10)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def _open(width: int, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc" '
        f'font-family="{escape(FONT)}">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="16" y="26" font-size="16" font-weight="600" fill="{INK}">'
        f"{escape(title)}</text>",
    ]


def _empty(lines: list[str], width: int, height: int, message: str) -> str:
    lines.append(
        f'<text x="{width // 2}" y="{height // 2}" font-size="14" fill="{MUTED}" '
        f'text-anchor="middle">{escape(message)}</text>'
    )
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def column_chart(
    title: str,
    description: str,
    bars: Sequence[Bar],
    *,
    unit: str = "posts",
    width: int = 960,
    height: int = 360,
    empty_message: str = "No posts yet",
) -> str:
    """Vertical bars (a time series): gridlines with round values, ticks under the bars."""
    lines = _open(width, height, title, description)
    if not bars:
        return _empty(lines, width, height, empty_message)
    left, right, top, bottom = 56, 16, 44, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(max(bar.value for bar in bars))
    scale = plot_h / ticks[-1]
    for value in ticks:
        y = top + plot_h - value * scale
        lines.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        lines.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" fill="{MUTED}" '
            f'text-anchor="end">{value:,}</text>'
        )
    slot = plot_w / len(bars)
    gap = min(2.0, slot * 0.2)
    for index, bar in enumerate(bars):
        x = left + index * slot
        h = bar.value * scale
        lines.append(
            f'<rect x="{x + gap / 2:.2f}" y="{top + plot_h - h:.2f}" '
            f'width="{max(0.5, slot - gap):.2f}" height="{h:.2f}" fill="{BAR}">'
            f"<title>{escape(bar.label)}: {bar.value:,} {escape(unit)}</title></rect>"
        )
        if bar.tick:
            lines.append(
                f'<line x1="{x:.2f}" y1="{top + plot_h}" x2="{x:.2f}" y2="{top + plot_h + 6}" '
                f'stroke="{MUTED}" stroke-width="1"/>'
            )
            lines.append(
                f'<text x="{x + 2:.2f}" y="{top + plot_h + 20}" font-size="11" '
                f'fill="{INK}">{escape(bar.tick)}</text>'
            )
    lines.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def bar_chart(
    title: str,
    description: str,
    bars: Sequence[Bar],
    *,
    unit: str = "posts",
    width: int = 720,
    label_chars: int = 42,
    empty_message: str = "No posts yet",
) -> str:
    """Horizontal bars (a ranking), labelled on the left, the figure at each bar's end."""
    row, top, bottom = 26, 44, 16
    height = top + bottom + row * max(1, len(bars))
    lines = _open(width, height, title, description)
    if not bars:
        return _empty(lines, width, height, empty_message)
    label_w = min(width // 2, 7 * label_chars)
    plot_w = width - label_w - 80
    maximum = max(bar.value for bar in bars) or 1
    for index, bar in enumerate(bars):
        y = top + index * row
        w = plot_w * bar.value / maximum
        lines.append(
            f'<text x="{label_w - 8}" y="{y + 16}" font-size="12" fill="{INK}" '
            f'text-anchor="end">{escape(shorten(bar.label, label_chars))}</text>'
        )
        lines.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{max(0.5, w):.2f}" height="{row - 8}" '
            f'fill="{BAR}"><title>{escape(bar.label)}: {bar.value:,} {escape(unit)}</title></rect>'
        )
        lines.append(
            f'<text x="{label_w + w + 6:.2f}" y="{y + 16}" font-size="12" fill="{MUTED}">'
            f"{bar.value:,}</text>"
        )
    lines.append("</svg>")
    return "\n".join(lines) + "\n"
