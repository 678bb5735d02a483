"""The quote export as CSV, long format: one row per coding, every attribute a column.

This is the format for analysis in R, pandas or a pivot table, so it keeps the exact coded text
(line breaks included) and stores no summaries: those are one group-by away. Rows come in the
order of the other formats (theme, then section, then document and offset) and the file carries
no time stamp, so the same project always gives the same bytes.

It is written as UTF-8 with a byte-order mark, because Excel, which many researchers open CSV
with, otherwise reads "æøå" as mojibake; pandas, R (readr) and LibreOffice ignore the mark. Any
cell that a spreadsheet would run as a formula gets a leading apostrophe (see `neutralise`).
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


def write_csv(export: QuoteExport, target: Path) -> int:
    """Write the long-format CSV atomically; returns the number of rows (codings) written."""
    rows = 0
    with atomic_open(target, encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([neutralise(c) for c in long_columns(export)] + ["origin"])
        for theme in export.themes():
            for quote in theme.all_quotes():
                # neutralise() inlined: this loop runs once per cell of a 100k-row file.
                writer.writerow([v if isinstance(v, int) or not v or v[0] not in FORMULA_START
                                 else "'" + v for v in long_row(export, quote)]
                                + [quote.origin])
                rows += 1
    return rows
