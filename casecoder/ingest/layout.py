"""From the lines of laid-out pages (a PDF's text layer) to paragraphs a researcher can code.

A PDF knows lines, not paragraphs, and repeats a running header, a footer and a page number
on every page. Quoting "Prosjektrapport 2023 – side 4" in the middle of an argument, or
"finan- siering" split over two lines, would make the report look careless, so:

- running headers and footers are dropped: a line among the first or last two of a page that
  appears (with its digits ignored, so "side 4" and "side 5" count as one) on at least 60% of
  the pages, and on at least three pages;
- a line ending in a hyphen after a lowercase letter, followed by a line starting in lowercase,
  is joined without the hyphen ("finan-" + "siering"); after a capital or digit the hyphen is
  part of the word and stays ("EU-" + "programmet" gives "EU-programmet"); before "og", "eller",
  "and" or "or" it is a Norwegian or English suspended compound ("barne- og ungdomsarbeid")
  and is kept with its space;
- a paragraph ends where the space between two lines is clearly wider than the page's usual
  line spacing, or after a line that is clearly shorter than the page's full lines; the
  lines of one paragraph are joined with spaces;
- a page break always ends a paragraph, so every paragraph lies on one page and can be cited
  by its page number.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

#: A line counts as a running header or footer when it is on at least this share of the pages.
RUNNING_SHARE = 0.6
RUNNING_MIN_PAGES = 3
EDGE_LINES = 2
#: A gap this many times the usual line spacing separates paragraphs.
PARAGRAPH_GAP = 1.3
_DIGITS = re.compile(r"\d+")
_SUSPENDED = frozenset({"og", "eller", "and", "or", "samt", "enn", "til"})


def running_key(line: str) -> str:
    """A line with its numbers masked: page numbers differ from page to page."""
    return " ".join(_DIGITS.sub("#", line.casefold()).split())


def drop_running_lines(pages: Sequence[list[str]]) -> tuple[list[list[str]], int]:
    """Pages without their running headers and footers, and how many lines were dropped.

    Blank lines inside a page are kept (they mark paragraph breaks); at the edges they go.
    """
    stripped = [_trim_blank([line.strip() for line in page]) for page in pages]
    with_text = [p for p in stripped if p]
    if len(with_text) < RUNNING_MIN_PAGES:
        return stripped, 0
    heads: Counter[str] = Counter()
    feet: Counter[str] = Counter()
    for page in with_text:
        text_lines = [line for line in page if line]
        heads.update({running_key(line) for line in text_lines[:EDGE_LINES]})
        feet.update({running_key(line) for line in text_lines[-EDGE_LINES:]})
    needed = max(RUNNING_MIN_PAGES, RUNNING_SHARE * len(with_text))
    head_keys = {k for k, n in heads.items() if n >= needed}
    foot_keys = {k for k, n in feet.items() if n >= needed}
    dropped = 0
    out: list[list[str]] = []
    for page in stripped:
        lines = list(page)
        for _ in range(EDGE_LINES):
            if lines and running_key(lines[0]) in head_keys:
                lines = _trim_blank(lines[1:])
                dropped += 1
        for _ in range(EDGE_LINES):
            if lines and running_key(lines[-1]) in foot_keys:
                lines = _trim_blank(lines[:-1])
                dropped += 1
        out.append(lines)
    return out, dropped


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start]:
        start += 1
    while end > start and not lines[end - 1]:
        end -= 1
    return lines[start:end]


def lines_with_gaps(lines: Sequence[tuple[float | None, str]]) -> list[str]:
    """Lines of a page, with a blank line where the vertical gap before a line is clearly
    wider than the page's usual line spacing (the space word processors put between
    paragraphs). `lines` holds each line's baseline height (None if unknown) and text."""
    heights = [y for y, text in lines if y is not None and text.strip()]
    gaps = sorted(round(a - b, 1) for a, b in pairwise(heights)
                  if a - b > 0.5)
    if not gaps:
        return [text for _, text in lines]
    usual = gaps[len(gaps) // 2]
    out: list[str] = []
    previous: float | None = None
    for y, text in lines:
        if y is not None and text.strip():
            if previous is not None and (previous - y > PARAGRAPH_GAP * usual
                                         or previous - y < -usual):  # a new column or box
                out.append("")
            previous = y
        out.append(text)
    return out


def join_lines(first: str, second: str) -> str:
    """Two lines of one paragraph as one, mending a word hyphenated at the line end."""
    if first.endswith("-") and len(first) >= 2 and second:
        before, after = first[-2], second[0]
        next_word = second.split()[0].strip(",.;:").casefold()
        if next_word in _SUSPENDED or before.isspace():
            return f"{first} {second}"
        if before.isalpha() and before.islower() and after.islower():
            return first[:-1] + second
        return first + second
    return f"{first} {second}"


def page_paragraphs(lines: Sequence[str]) -> list[str]:
    """The paragraphs of one page, each as one line of text."""
    lengths = sorted(len(line) for line in lines if line.strip())
    if not lengths:
        return []
    full = lengths[int(0.8 * (len(lengths) - 1))]  # a typical full line, ignoring the longest
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        line = " ".join(line.split())
        if not line:
            if current:
                paragraphs.append(current)
                current = ""
            continue
        current = join_lines(current, line) if current else line
        short = len(line) < 0.75 * full and full >= 40
        if short and not line.endswith("-"):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


def assemble(pages: Sequence[Sequence[str]]) -> tuple[str, tuple[int, ...]]:
    """The document text (paragraphs separated by blank lines) and each page's start offset.

    A page with no text still gets a start offset (that of the next text), so page numbers
    stay the physical page numbers of the file.
    """
    parts: list[str] = []
    starts: list[int] = []
    length = 0
    for page in pages:
        starts.append(length + (2 if parts else 0))
        for paragraph in page_paragraphs(page):
            if parts:
                parts.append("\n\n")
                length += 2
            parts.append(paragraph)
            length += len(paragraph)
    text = "".join(parts)
    return text, tuple(min(s, len(text)) for s in starts)
