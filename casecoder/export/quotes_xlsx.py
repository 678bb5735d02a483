"""The quote export as an Excel workbook: a summary sheet, one sheet per theme, all quotes.

Researchers sort and filter quotes in a spreadsheet while writing, so the all-quotes sheet is
a plain table (one row per coding, every attribute a column) with a frozen header and an
autofilter. Every text goes in with `write_string`, never as a formula, and text starting with a
formula character is prefixed with an apostrophe as in the CSV (a transcript can hold
"=HYPERLINK(...)" or a line starting with "-"). XlsxWriter runs in constant_memory mode: rows
are flushed to disk as soon as the next row starts, so memory stays flat however many quotes
there are; that is why the sheets are all created up front and each is filled strictly top to
bottom while the themes stream past.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from casecoder.export.atomic import atomic_path
from casecoder.export.cells import FORMULA_START
from casecoder.export.quotes import (
    COUNT_FIELDS,
    Matrix,
    Quote,
    QuoteExport,
    Theme,
    long_columns,
    paragraphs,
)

MAX_CELL = 32_767  # Excel's limit on characters in one cell
_TRUNCATED = " [… cut: Excel holds at most 32,767 characters per cell; see the CSV or JSON]"
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
# A theme's sheet is for reading: per code, each quote with its attribution on a line below
# it in one wrapped cell, as in the report (and one cell fewer per quote, which counts at 100k
# quotes); the all-quotes sheet is for filtering and has every field, the exact quote text
# included, in its own column. Offsets and GUIDs, meaningless in a spreadsheet, stay in CSV
# and JSON.
_THEME_WIDTHS = (90, 30, 40, 40)
# Left out of the all-quotes sheet: "level" (the code column already shows the theme for
# theme-level codings), and offsets and GUID. Fewer cells is what keeps 100k quotes fast.
_LONG_DROPPED = ("level", "start", "end", "coding")


def _theme_columns(export: QuoteExport) -> list[str]:
    extra = ["Context before", "Context after"] if export.options.context else []
    return ["Quote and attribution", "Memo", *extra]


def _long_columns(export: QuoteExport) -> list[str]:
    """The long format's columns without offsets and GUID (kept in CSV and JSON)."""
    return [c for c in long_columns(export) if c not in _LONG_DROPPED]


def _long_row(attributes: list[str], quote: Quote) -> list[str | int]:
    """A row under _long_columns: the long format less the dropped columns."""
    return [quote.theme, quote.code, quote.document, quote.case,
            *[quote.attributes.get(a, "") for a in attributes],
            "" if quote.segment is None else quote.segment, quote.timestamp_text,
            quote.speaker, quote.coder, quote.text, quote.context_before, quote.context_after,
            quote.memo]


def cell_text(value: Any) -> str:
    """Text as it goes into a cell: no formula start, within Excel's length limit.

    Control characters need no care here: XlsxWriter writes them as _xHHHH_ escapes, which
    Excel and openpyxl read back as the character.
    """
    text = "" if value is None else str(value)
    if text and text[0] in FORMULA_START:
        text = "'" + text
    if len(text) > MAX_CELL:
        text = text[:MAX_CELL - len(_TRUNCATED)] + _TRUNCATED
    return text


def sheet_names(export: QuoteExport) -> list[str]:
    """Legal, distinct sheet names: Excel allows 31 characters and no []:*?/\\."""
    used = {"summary", "all quotes", "history"}
    names = []
    for code in export.theme_codes:
        base = _SHEET_BAD.sub("-", export.show(code.name)).strip("'").strip() or "theme"
        name = base[:31]
        counter = 2
        while name.casefold() in used:
            suffix = f" ({counter})"
            name = base[:31 - len(suffix)] + suffix
            counter += 1
        used.add(name.casefold())
        names.append(name)
    return names


class _Sheet:
    """A worksheet written strictly top to bottom, as constant_memory mode requires."""

    def __init__(self, worksheet: Any, formats: dict[str, Any]) -> None:
        self.ws = worksheet
        self.formats = formats
        self.row = 0

    def write(self, values: Sequence[Any], fmt: str | None = None) -> int:
        """Write one row below the last; empty values leave the cell empty."""
        ws, row = self.ws, self.row
        style = self.formats[fmt] if fmt else None
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if type(value) is int or type(value) is float:
                ws.write_number(row, col, value, style)
            else:
                ws.write_string(row, col, cell_text(value), style)
        self.row += 1
        return row

    def write_data(self, values: Sequence[Any]) -> None:
        """`write` for the quote rows, which run into the hundreds of thousands: no formats
        (the column's applies), bound methods, and cell_text inlined."""
        row, write_string, write_number = self.row, self.ws.write_string, self.ws.write_number
        for col, value in enumerate(values):
            if type(value) is str:
                if not value:
                    continue
                if value[0] in FORMULA_START:
                    value = "'" + value
                if len(value) > MAX_CELL:
                    value = cell_text(value)
                write_string(row, col, value)
            elif value is not None:
                write_number(row, col, value)
        self.row += 1

    def skip(self, n: int = 1) -> None:
        self.row += n


def write_xlsx(export: QuoteExport, target: Path) -> int:
    """Write the workbook atomically; returns the number of codings written."""
    import xlsxwriter

    with atomic_path(target) as tmp:
        workbook = xlsxwriter.Workbook(str(tmp), {
            "constant_memory": True, "strings_to_numbers": False,
            "strings_to_formulas": False, "strings_to_urls": False})
        try:
            written = _write(export, workbook)
        finally:
            workbook.close()
    return written


def _write(export: QuoteExport, workbook: Any) -> int:
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "bold": workbook.add_format({"bold": True}),
        "header": workbook.add_format({"bold": True, "bottom": 1, "bg_color": "#EEF2F6",
                                       "text_wrap": True, "valign": "top"}),
        "total": workbook.add_format({"bold": True, "top": 1}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "top": workbook.add_format({"valign": "top"}),
        "muted": workbook.add_format({"italic": True, "font_color": "#59636E"}),
    }
    workbook.set_properties({"title": cell_text(export.title),
                             "comments": "Written by casecoder export quotes"})
    summary = _Sheet(workbook.add_worksheet("Summary"), formats)
    names = sheet_names(export)
    theme_sheets = [_Sheet(workbook.add_worksheet(name), formats) for name in names]
    quotes = _Sheet(workbook.add_worksheet("All quotes"), formats)

    summary.ws.set_column(0, 1, 34)
    summary.ws.set_column(2, 2, 10)
    summary.ws.set_column(3, 3 + len(COUNT_FIELDS), 11)
    summary.write([export.title], "title")
    for line in export.intro():
        summary.write([line], "muted")
    summary.skip()
    summary.write(["Theme", "Code", "Level", *(f.capitalize() for f in COUNT_FIELDS), "Sheet"],
                  "header")
    summary_header = summary.row - 1

    columns = _long_columns(export)
    quote_col = columns.index("quote")
    # Data cells carry no format of their own: the column's format applies, which spares
    # XlsxWriter a style attribute on each of a few million cells.
    quotes.ws.set_column(0, len(columns) - 1, 16, formats["top"])
    quotes.ws.set_column(quote_col, quote_col, 80, formats["wrap"])
    quotes.ws.set_column(quote_col + 1, quote_col + 3, 40, formats["wrap"])
    quotes.write(columns, "header")
    quotes.ws.freeze_panes(1, 0)
    theme_columns = _theme_columns(export)
    attributes = export.extra_attributes

    written = 0
    for theme, sheet, name in zip(export.themes(), theme_sheets, names, strict=True):
        summary.write([theme.path, f"{theme.path} (all)", "theme (all)",
                       *(getattr(theme.counts, f) for f in COUNT_FIELDS), name], "bold")
        for section in theme.sections:
            summary.write([theme.path, section.label, section.level,
                           *(getattr(section.counts, f) for f in COUNT_FIELDS), name])
        for col, width in enumerate(_THEME_WIDTHS):
            sheet.ws.set_column(col, col, width, formats["wrap"])
        _theme_head(export, theme, sheet)
        # One pass feeds both sheets: each quote is built once, and both sheets still grow
        # strictly downwards as constant_memory mode requires. The theme's sheet is for
        # reading: a heading row per code, then quote, attribution and memo.
        context = export.options.context
        for section in theme.sections:
            sheet.skip()
            sheet.write([section.label], "bold")
            sheet.write(theme_columns, "header")
            for quote in theme.quotes(section.code):
                row = [f"{quote.text}\n— {quote.attribution()}", quote.memo]
                if context:
                    row += [quote.context_before, quote.context_after]
                sheet.write_data(row)
                quotes.write_data(_long_row(attributes, quote))
                written += 1
    summary.ws.autofilter(summary_header, 0, max(summary.row - 1, summary_header),
                          3 + len(COUNT_FIELDS))
    quotes.ws.autofilter(0, 0, max(quotes.row - 1, 0), len(columns) - 1)
    return written


def _matrix_block(sheet: _Sheet, theme: Theme, matrix: Matrix, what: str) -> None:
    sheet.write([f"{what.capitalize()} by {matrix.attribute}"], "bold")
    sheet.write(["Code", *matrix.labels, "Total"], "header")
    for section in theme.sections:
        cells = [getattr(matrix.cell(section.code.id, v), what) for v in matrix.values]
        row_total = matrix.row_totals.get(section.code.id)
        sheet.write([section.label, *cells, getattr(row_total, what) if row_total else 0])
    sheet.write(["Total", *(getattr(matrix.column_totals[v], what) for v in matrix.values),
                 getattr(matrix.total, what)], "total")
    sheet.skip()


def _theme_head(export: QuoteExport, theme: Theme, sheet: _Sheet) -> None:
    """The top of a theme's sheet: definition, counts and breakdowns."""
    sheet.write([theme.path], "title")
    for line in paragraphs(theme.definition):
        sheet.write([line], "muted")
    sheet.skip()
    sheet.write(["Code", *(f.capitalize() for f in COUNT_FIELDS)], "header")
    sheet.write([f"{theme.path} (all)", *(getattr(theme.counts, f) for f in COUNT_FIELDS)],
                "bold")
    for section in theme.sections:
        sheet.write([section.label, *(getattr(section.counts, f) for f in COUNT_FIELDS)])
    sheet.skip()
    for matrix in (m for m in theme.matrices if m.values):
        _matrix_block(sheet, theme, matrix, "codings")
        _matrix_block(sheet, theme, matrix, "documents")
