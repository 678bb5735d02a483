"""The quote export as CSV, long format: one row per coding, every attribute a column.

This is the format for analysis in R, pandas or a pivot table: no summaries (those are one
group-by away), line breaks inside quotes kept, and a last column "citation" with the quote's
citation (`--cite`), as every other format prints it. Rows come in the order of the other
formats (theme, then section, then document and offset) and the file carries no time stamp,
so the same project always gives the same bytes.

Formula safety (the rules are in `casecoder.export.cells`): by default a cell that a
spreadsheet would run as a formula gets one leading apostrophe, reversibly (`cells.restore`);
with `--raw` every cell is the exact text, for pandas or R, and the file must not be opened in
a spreadsheet. README.md says the same.

It is written as UTF-8 with a byte-order mark, because Excel, which many researchers open CSV
with, otherwise reads "æøå" as mojibake; pandas, R (readr) and LibreOffice ignore the mark.
"""

from __future__ import annotations

import csv
from pathlib import Path

from casecoder.export.atomic import atomic_open
from casecoder.export.cells import FORMULA_START, neutralise
from casecoder.export.quotes import (
    QuoteExport,
    long_columns,
    long_row,
)

_CHECK = FORMULA_START | {"'"}


def write_csv(export: QuoteExport, target: Path) -> int:
    """Write the long-format CSV atomically; returns the number of rows (codings) written."""
    rows = 0
    raw = export.options.raw
    cite = export.cite
    with atomic_open(target, encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        header = [*long_columns(export), "citation", "origin"]
        writer.writerow(header if raw else [neutralise(c) for c in header])
        for theme in export.themes():
            for quote in theme.all_quotes():
                row = long_row(export, quote)
                row.append(cite(quote))
                row.append(quote.origin)
                if not raw:
                    # Only cells starting with a formula character or an apostrophe can
                    # need the apostrophe; the check is inlined for 100k-row files.
                    row = [neutralise(v) if type(v) is str and v and v[0] in _CHECK else v
                           for v in row]
                writer.writerow(row)
                rows += 1
    return rows
