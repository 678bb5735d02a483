"""Charts of the quote export: how widely a theme is mentioned in each group, normalised.

Raw counts per case type mislead when groups differ in size (two BIP interviews against one
EMJM interview), so each bar is the share of the group's documents that have at least one
coding of the theme, with the group's n in its label ("BIP (n=2)": 100 %, 2 of 2). There is
one chart per theme and `--by` attribute. Documents are the unit because every document has
its attributes (an informant's role is an attribute of the interview document); a group's n
counts every document of the project with that value, coded or not.

The same `Chart` is drawn twice: as inline SVG for HTML (`svg`) and as a PNG for Word
(`png`), drawn with Pillow. Pillow rather than matplotlib: a horizontal bar chart is a few
rectangles and labels, Pillow (one wheel, no GUI toolkit, ~4 MB) draws and encodes it in a few
milliseconds and ships its own scalable font, while matplotlib would add ~40 MB of packages
(fonttools, kiwisolver, contourpy, ...) and about half a second of import time for the same
picture.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from casecoder.export.quotes import NOT_SET

if TYPE_CHECKING:
    from casecoder.export.quotes import QuoteExport, Theme

DEFAULT_COLOR = "#277cdc"


@dataclass(frozen=True)
class Bar:
    label: str  # the group as shown (pseudonymised)
    mentioned: int  # documents of the group with a coding of the theme
    n: int  # documents of the group

    @property
    def share(self) -> float:
        return self.mentioned / self.n if self.n else 0.0

    @property
    def value_text(self) -> str:
        return f"{round(100 * self.share)} % ({self.mentioned} of {self.n})"


@dataclass(frozen=True)
class Chart:
    theme: str
    attribute: str
    color: str
    bars: tuple[Bar, ...]

    @property
    def title(self) -> str:
        return f"Share of documents mentioning {self.theme}, by {self.attribute}"

    @property
    def caption(self) -> str:
        return (f"{self.title}: each bar is the share of the group's documents with at least "
                "one coding of the theme; n = the group's documents in the project.")


def group_sizes(export: QuoteExport) -> dict[str, dict[str, int]]:
    """Per --by attribute: how many documents of the project have each value."""
    sizes: dict[str, dict[str, int]] = {a: {} for a in export.by}
    for attributes in export.project.all_attributes().values():
        for attribute, counts in sizes.items():
            value = attributes.get(attribute) or NOT_SET
            counts[value] = counts.get(value, 0) + 1
    return sizes


def theme_charts(export: QuoteExport, theme: Theme,
                 sizes: dict[str, dict[str, int]]) -> list[Chart]:
    """One chart per --by attribute, for a theme with codings (none for an unused theme)."""
    if not theme.counts.codings:
        return []
    color = theme.code.color or ""
    if not (len(color) == 7 and color.startswith("#")
            and all(c in "0123456789abcdefABCDEF" for c in color[1:])):
        color = DEFAULT_COLOR
    charts = []
    for matrix in theme.matrices:
        counts = sizes.get(matrix.attribute, {})
        values = sorted(set(counts) | set(matrix.values),
                        key=lambda v: (v == NOT_SET, v.casefold(), v))
        bars = tuple(Bar(export.show(v), matrix.column_totals[v].documents
                         if v in matrix.column_totals else 0, counts.get(v, 0))
                     for v in values)
        if bars:
            charts.append(Chart(theme.path, matrix.attribute, color, bars))
    return charts


# --- drawing ---------------------------------------------------------------------------------

_ROW, _LABEL_W, _BAR_W, _VALUE_W, _PAD = 24, 300, 260, 110, 8


def _label(bar: Bar, limit: int = 40) -> str:
    """The bar's label with its n, the group's name shortened to fit about `limit` chars."""
    suffix = f" (n={bar.n})"
    room = limit - len(suffix)
    name = bar.label if len(bar.label) <= room else bar.label[:room - 1] + "…"
    return name + suffix


def svg(chart: Chart) -> str:
    """The chart as inline SVG (for HTML), with the share and n of each group as text."""
    height = _ROW * len(chart.bars) + 2 * _PAD + 18
    width = _LABEL_W + _BAR_W + _VALUE_W
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" '
             'font-family="Arial, sans-serif" font-size="12">',
             f"<title>{escape(chart.title)}</title>"]
    for i, bar in enumerate(chart.bars):
        y = _PAD + i * _ROW
        label = _label(bar)
        length = round(_BAR_W * bar.share)
        parts.append(f'<text x="{_LABEL_W - 8}" y="{y + 16}" text-anchor="end">'
                     f"{escape(label)}</text>")
        parts.append(f'<rect x="{_LABEL_W}" y="{y + 4}" width="{_BAR_W}" height="{_ROW - 8}" '
                     'fill="#eef2f6"/>')
        parts.append(f'<rect x="{_LABEL_W}" y="{y + 4}" width="{length}" '
                     f'height="{_ROW - 8}" fill="{chart.color}"><title>{escape(bar.label)}: '
                     f"{escape(bar.value_text)}</title></rect>")
        parts.append(f'<text x="{_LABEL_W + _BAR_W + 6}" y="{y + 16}">'
                     f"{escape(bar.value_text)}</text>")
    axis = _PAD + len(chart.bars) * _ROW + 14
    for tick in (0, 50, 100):
        x = _LABEL_W + _BAR_W * tick // 100
        parts.append(f'<text x="{x}" y="{axis}" text-anchor="middle" fill="#59636e" '
                     f'font-size="10">{tick} %</text>')
    parts.append("</svg>")
    return "".join(parts)


def png(chart: Chart, scale: int = 3) -> tuple[bytes, int, int]:
    """The chart as PNG bytes, with its width and height in points at scale 1 (for Word).

    Drawn at `scale` times the SVG's size so that it stays sharp in print.
    """
    from PIL import Image, ImageDraw, ImageFont

    height = _ROW * len(chart.bars) + 2 * _PAD + 18
    width = _LABEL_W + _BAR_W + _VALUE_W
    image = Image.new("RGB", (width * scale, height * scale), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=12 * scale)
    small = ImageFont.load_default(size=10 * scale)
    color = chart.color
    for i, bar in enumerate(chart.bars):
        y = (_PAD + i * _ROW) * scale
        label = _label(bar)
        limit = 46
        while font.getlength(label) > (_LABEL_W - 12) * scale and limit > 12:
            limit -= 2
            label = _label(bar, limit)
        mid = y + _ROW * scale // 2
        draw.text(((_LABEL_W - 8) * scale, mid), label, fill="#1f2328", font=font, anchor="rm")
        x0 = _LABEL_W * scale
        draw.rectangle((x0, y + 4 * scale, x0 + _BAR_W * scale, y + (_ROW - 4) * scale),
                       fill="#eef2f6")
        length = round(_BAR_W * scale * bar.share)
        if length:
            draw.rectangle((x0, y + 4 * scale, x0 + length, y + (_ROW - 4) * scale),
                           fill=color)
        draw.text(((_LABEL_W + _BAR_W + 6) * scale, mid), bar.value_text, fill="#1f2328",
                  font=font, anchor="lm")
    axis = (_PAD + len(chart.bars) * _ROW + 9) * scale
    for tick in (0, 50, 100):
        x = (_LABEL_W + _BAR_W * tick // 100) * scale
        draw.text((x, axis), f"{tick} %", fill="#59636e", font=small, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue(), width, height
