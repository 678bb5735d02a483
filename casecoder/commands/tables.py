"""Listings for people at any terminal width: a name or a code path is never split.

A rich table shrinks every column to fit the terminal, so at 80 columns it broke words
("stat us", code paths in 7-character pieces) while number columns kept their room. Here the
columns are chosen first: identifier columns (names, code paths, coders, numbers) keep their
whole width and never wrap; text columns (quotes, memos, messages) take what is left and wrap
between words; empty columns are left out, then the command's less important columns, in
the order it gives. When even that does not fit, every row becomes a small block (its
identifiers on one line, its text wrapped below), which fits any width.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len

#: Columns holding running text: they wrap between words and give up room first.
TEXT_COLUMNS = frozenset({"text", "memo", "match", "message", "summary", "description",
                          "quote", "value"})
MIN_TEXT = 24  # a text column narrower than this reads as a list of words
_NUMBERISH = re.compile(r"[\d.,:%\- ]+")
BORDER = 3  # a column's padding and rule in rich's default box


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def header(column: str) -> str:
    return column.replace("_", " ")


def _width(rows: Sequence[dict[str, Any]], column: str, text_columns: frozenset[str]) -> int:
    cells = [cell_text(r.get(column)) for r in rows]
    longest = max((cell_len(c) for c in cells), default=0)
    if column in text_columns:
        longest = min(longest, MIN_TEXT)
    return max(cell_len(header(column)), longest)


def needed_width(rows: Sequence[dict[str, Any]], columns: Sequence[str],
                 text_columns: frozenset[str] = TEXT_COLUMNS) -> int:
    """The narrowest table (borders included) that shows these columns without a split."""
    return 1 + sum(_width(rows, c, text_columns) + BORDER for c in columns)


def choose_columns(rows: Sequence[dict[str, Any]], columns: Sequence[str], width: int, *,
                   optional: Sequence[str] = (),
                   text_columns: frozenset[str] = TEXT_COLUMNS) -> tuple[list[str], bool]:
    """The columns to show at `width`, and whether they fit as a table at all.

    The first column names the row and always stays; a column with no value in any row is
    left out; then the `optional` columns go, first named first, until the table fits.
    """
    chosen = [c for i, c in enumerate(columns)
              if i == 0 or any(cell_text(r.get(c)).strip() for r in rows)]
    every = list(chosen)
    for column in optional:
        if needed_width(rows, chosen, text_columns) <= width:
            break
        if column in chosen and column != chosen[0]:
            chosen.remove(column)
    if needed_width(rows, chosen, text_columns) <= width:
        return chosen, True
    return every, False  # as blocks, one per row: every column has room again


def _wrap_fields(fields: list[str], width: int) -> list[str]:
    """Whole fields joined by two spaces, a new line where the next would not fit."""
    lines: list[str] = []
    line = ""
    for field in fields:
        if line and cell_len(line) + 2 + cell_len(field) > width:
            lines.append(line)
            line = field
        else:
            line = f"{line}  {field}" if line else field
    if line:
        lines.append(line)
    return lines


def _labelled(column: str, value: str) -> str:
    """A bare number says nothing outside its column: 'sentences 12-14', 'words 4,210'."""
    if value and _NUMBERISH.fullmatch(value):
        name = header(column)
        if name.endswith("s") and value == "1":
            name = name[:-1]
        return f"{name} {value}"
    return value


def record_lines(rows: Sequence[dict[str, Any]], columns: Sequence[str], width: int, *,
                 text_columns: frozenset[str] = TEXT_COLUMNS) -> list[str]:
    """Each row as a block: identifiers on a line (wrapped between fields), text below."""
    out: list[str] = []
    ids = [c for c in columns if c not in text_columns]
    texts = [c for c in columns if c in text_columns]
    main_text = texts[0] if texts else None
    for row in rows:
        fields = [_labelled(c, cell_text(row.get(c))) for c in ids]
        out.extend(_wrap_fields([f for f in fields if f], width))
        for column in texts:
            value = " ".join(cell_text(row.get(column)).split())
            if not value:
                continue
            label = "" if column == main_text else f"{header(column)}: "
            out.extend(textwrap.wrap(label + value, width=max(20, width - 2),
                                     initial_indent="  ", subsequent_indent="  ",
                                     break_long_words=False, break_on_hyphens=False))
        out.append("")
    return out
