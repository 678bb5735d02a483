"""The quote export as an Excel workbook: a summary sheet, one sheet per theme, all quotes.

Researchers sort and filter quotes in a spreadsheet while writing, so the all-quotes sheet is
a plain table (one row per coding, every attribute a column, a cut flag last) with a frozen
header and an autofilter; each theme's sheet is for reading: its counts and breakdowns, then
per code its quotes, each with its citation (`--cite`) and memo in cells of their own. (The
citation is not repeated on the all-quotes sheet: its fields are columns there, and a column
more is a tenth more cells, which is what a 100,000-quote workbook's time goes on.)

Made to print and read without fixing: quote cells wrap, every quote row gets a height that
fits its text (Excel does not grow rows written by a program), columns have widths, counts a
number format, and every sheet prints landscape, one page wide, with its header row repeated
on each page.

Formula safety (the rules are in `casecoder.export.cells`): every text is a string cell,
exactly as coded; text that starts with a formula character carries Excel's "quote prefix"
style, so it stays text even when edited. A text longer than Excel's 32,767 characters per
cell is cut, marked at the cut, and flagged in the "Cut" column; its citation is in its own
cell and is never lost.

XlsxWriter runs in constant_memory mode: rows are flushed to disk as soon as the next row
starts, so memory stays flat however many quotes there are; that is why the sheets are all
created up front and each is filled strictly top to bottom while the themes stream past.
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
_CUT_MARK = " [… cut]"
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_LINE_HEIGHT = 15.0  # points per line of 11 pt text
_MAX_ROW_HEIGHT = 409.0  # Excel's limit
# Left out of the all-quotes sheet: "level" (the code column already shows the theme for
# theme-level codings), and offsets and GUID. Fewer cells is what keeps 100k quotes fast.
_LONG_DROPPED = ("level", "start", "end", "coding")
# Theme sheets fit a landscape A4 page at full size: 60 + 24 + 28 + 14 character widths.
_QUOTE_WIDTH, _CITE_WIDTH, _MEMO_WIDTH, _CONTEXT_WIDTH, _FLAG_WIDTH = 60, 24, 28, 30, 14


def _theme_columns(export: QuoteExport) -> list[str]:
    extra = ["Context before", "Context after"] if export.options.context else []
    return ["Quote", "Cited as", "Memo", *extra, "Cut"]


def _long_columns(export: QuoteExport) -> list[str]:
    """The long format's columns without offsets and GUID (kept in CSV and JSON)."""
    return [*(c for c in long_columns(export) if c not in _LONG_DROPPED), "cut"]


def cut(text: str) -> tuple[str, str]:
    """Text within Excel's cell limit, and the flag saying it was cut ("" when whole)."""
    if len(text) <= MAX_CELL:
        return text, ""
    kept = MAX_CELL - len(_CUT_MARK)
    return (text[:kept] + _CUT_MARK,
            f"cut: {kept:,} of {len(text):,} characters shown; the whole text is in the "
            "CSV and JSON exports")


def cell_text(value: Any) -> str:
    """Text as it goes into a cell: within Excel's limit (marked where cut), else exact."""
    text = "" if value is None else str(value)
    return cut(text)[0]


def lines_needed(text: str, width: float) -> int:
    """How many lines a wrapped cell of `width` (Excel character units) needs for text."""
    if not text:
        return 1
    # Text is narrower than the digit '0' the unit is measured in, but wrapping at word ends
    # loses about half a word a line, which counts most in narrow columns.
    per_line = max(1.0, width * 1.15 - 4)
    lines = 0
    for part in text.split("\n"):
        lines += max(1, -int(-len(part) // per_line))
    return lines


def row_height(cells: Sequence[tuple[str, float]]) -> float:
    """A row height in points that shows every wrapped cell of the row whole."""
    lines = max(lines_needed(text, width) for text, width in cells)
    return min(_MAX_ROW_HEIGHT, lines * _LINE_HEIGHT + 2)


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
    """A worksheet written strictly top to bottom, as constant_memory mode requires.

    It remembers the widest text per column (for widths set at the end: XlsxWriter writes
    column widths when the workbook closes) and sets print setup once.
    """

    def __init__(self, worksheet: Any, formats: dict[str, Any]) -> None:
        self.ws = worksheet
        self.formats = formats
        self.row = 0
        self.widest: dict[int, int] = {}
        worksheet.set_landscape()
        worksheet.set_paper(9)  # A4
        worksheet.fit_to_pages(1, 0)  # one page wide, as many pages down as needed
        worksheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        worksheet.set_footer("&L&A&RPage &P of &N")

    def write(self, values: Sequence[Any], fmt: str | None = None, *,
              measure: bool = True) -> int:
        """Write one row below the last; empty values leave the cell empty; numbers are
        counts and get the count format."""
        ws, row, formats = self.ws, self.row, self.formats
        style = formats[fmt] if fmt else None
        number = formats[f"{fmt}_count" if fmt in ("bold", "total") else "count"]
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if type(value) is int or type(value) is float:
                ws.write_number(row, col, value, number)
                width = len(f"{value:,}")
            else:
                text = cell_text(value)
                ws.write_string(row, col, text, formats[f"{fmt or 'plain'}_prefix"]
                                if text[0] in FORMULA_START else style)
                width = len(text)
            if measure and width > self.widest.get(col, 0):
                self.widest[col] = width
        self.row += 1
        return row

    def write_note(self, text: str, last_col: int, width: float) -> None:
        """A long line of prose across the sheet's first columns, wrapped, tall enough."""
        row = self.row
        self.ws.set_row(row, row_height([(text, width)]))
        if last_col > 0:
            self.ws.merge_range(row, 0, row, last_col, cell_text(text), self.formats["note"])
        else:
            self.ws.write_string(row, 0, cell_text(text), self.formats["note"])
        self.row += 1

    def write_data(self, values: Sequence[Any], height: float | None,
                   prefixed: Sequence[Any]) -> None:
        """`write` for the quote rows, which run into the hundreds of thousands: no formats
        but the column's (a formula-start text gets its column's quote-prefix format), and
        the row's height when it needs more than one line."""
        # XlsxWriter's row/column-only writers, without the decorator that also accepts "A1"
        # cell names: a few percent of the time of a file with a million and more cells.
        ws = self.ws
        write_string = getattr(ws, "_write_string", ws.write_string)
        write_number = getattr(ws, "_write_number", ws.write_number)
        row = self.row
        if height is not None:
            ws.set_row(row, height)
        if row > 1:
            # XlsxWriter keeps every set_row() in two dicts for the whole run; rows two back
            # are already on disk, so their entries can go and memory stays flat.
            info, sizes = getattr(ws, "row_info", None), getattr(ws, "row_sizes", None)
            if info:
                info.pop(row - 2, None)
            if sizes:
                sizes.pop(row - 2, None)
        for col, value in enumerate(values):
            if type(value) is str:
                if not value:
                    continue
                write_string(row, col, value,
                             prefixed[col] if value[0] in FORMULA_START else None)
            elif value is not None:
                write_number(row, col, value, None)
        self.row += 1

    def skip(self, n: int = 1) -> None:
        self.row += n

    def fit_columns(self, fixed: dict[int, float], least: float = 8, most: float = 45) -> None:
        """Column widths: the fixed ones, the others from their widest text."""
        columns = set(self.widest) | set(fixed)
        for col in sorted(columns):
            if col in fixed:
                continue
            width = min(most, max(least, self.widest.get(col, 0) * 1.1 + 2))
            self.ws.set_column(col, col, width)


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


def _formats(workbook: Any) -> dict[str, Any]:
    specs: dict[str, dict[str, Any]] = {
        "plain": {},
        "title": {"bold": True, "font_size": 14},
        "bold": {"bold": True},
        # Headers stay on one line: their columns are as wide as their widest text.
        "header": {"bold": True, "bottom": 1, "bg_color": "#EEF2F6", "valign": "top"},
        "total": {"bold": True, "top": 1},
        "wrap": {"text_wrap": True, "valign": "top"},
        "top": {"valign": "top"},
        "muted": {"italic": True, "font_color": "#59636E"},
        "note": {"italic": True, "font_color": "#59636E", "text_wrap": True, "valign": "top"},
        "flag": {"text_wrap": True, "valign": "top", "font_color": "#B42318"},
    }
    formats = {name: workbook.add_format(spec) for name, spec in specs.items()}
    for name, spec in specs.items():
        formats[f"{name}_prefix"] = workbook.add_format({**spec, "quote_prefix": True})
    formats["count"] = workbook.add_format({"num_format": "#,##0"})
    formats["bold_count"] = workbook.add_format({"num_format": "#,##0", "bold": True})
    formats["total_count"] = workbook.add_format({"num_format": "#,##0", "bold": True,
                                                  "top": 1})
    return formats


def _write(export: QuoteExport, workbook: Any) -> int:
    formats = _formats(workbook)
    workbook.set_properties({"title": cell_text(export.title),
                             "comments": "Written by casecoder export quotes"})
    summary = _Sheet(workbook.add_worksheet("Summary"), formats)
    names = sheet_names(export)
    theme_sheets = [_Sheet(workbook.add_worksheet(name), formats) for name in names]
    quotes = _Sheet(workbook.add_worksheet("All quotes"), formats)

    summary_columns = ["Theme", "Code", "Level", *(f.capitalize() for f in COUNT_FIELDS),
                       "Sheet"]
    summary.write([export.title], "title", measure=False)
    for line in [*export.intro(), f"Quotes are cited as: {export.citation.template}"]:
        summary.write_note(line, len(summary_columns) - 1, 100)
    summary.skip()
    summary_header = summary.write(summary_columns, "header")
    summary.ws.repeat_rows(summary_header)
    summary.ws.freeze_panes(summary_header + 1, 0)

    columns = _long_columns(export)
    quote_col = columns.index("quote")
    wide = {quote_col: _QUOTE_WIDTH, quote_col + 1: _CONTEXT_WIDTH,
            quote_col + 2: _CONTEXT_WIDTH, quote_col + 3: _MEMO_WIDTH,
            quote_col + 4: _CITE_WIDTH}
    # Data cells carry no format of their own: the column's format applies, which spares
    # XlsxWriter a style attribute on each of a few million cells.
    quotes.ws.set_column(0, len(columns) - 1, 16, formats["top"])
    for col, width in wide.items():
        quotes.ws.set_column(col, col, width, formats["flag" if col == quote_col + 4
                                                     else "wrap"])
    quotes_prefixed = [formats["wrap_prefix"] if c in wide else formats["top_prefix"]
                       for c in range(len(columns))]
    quotes.write(columns, "header", measure=False)
    quotes.ws.freeze_panes(1, 0)
    quotes.ws.repeat_rows(0)
    theme_columns = _theme_columns(export)
    theme_widths = [_QUOTE_WIDTH, _CITE_WIDTH, _MEMO_WIDTH,
                    *([_CONTEXT_WIDTH] * (len(theme_columns) - 4)), _FLAG_WIDTH]
    theme_prefixed = [formats["wrap_prefix"]] * len(theme_columns)
    attributes = export.extra_attributes
    cite = export.cite
    context = export.options.context

    written = 0
    for theme, sheet, name in zip(export.themes(), theme_sheets, names, strict=True):
        summary.write([theme.path, f"{theme.path} (all)", "theme (all)",
                       *(getattr(theme.counts, f) for f in COUNT_FIELDS), name], "bold")
        for section in theme.sections:
            summary.write([theme.path, section.label, section.level,
                           *(getattr(section.counts, f) for f in COUNT_FIELDS), name])
        for col, width in enumerate(theme_widths):
            sheet.ws.set_column(col, col, width,
                                formats["flag" if col == len(theme_widths) - 1 else "wrap"])
        _theme_head(export, theme, sheet, len(theme_columns) - 1)
        header = sheet.write(theme_columns, "header", measure=False)
        sheet.ws.repeat_rows(header)
        # One pass feeds both sheets: each quote is built once, and both sheets still grow
        # strictly downwards as constant_memory mode requires.
        for section in theme.sections:
            sheet.write([section.label], "bold", measure=False)
            for quote in theme.quotes(section.code):
                cited = cite(quote)
                text, flag = cut(quote.text)
                memo = cut(quote.memo)[0]
                row = [text, cited, memo]
                cells = [(text, _QUOTE_WIDTH), (cited, _CITE_WIDTH), (memo, _MEMO_WIDTH)]
                before, after = cut(quote.context_before)[0], cut(quote.context_after)[0]
                if context:
                    row += [before, after]
                    cells += [(before, _CONTEXT_WIDTH), (after, _CONTEXT_WIDTH)]
                row.append(flag)
                height: float | None = row_height(cells)
                if height == _LINE_HEIGHT + 2:
                    height = None  # one line: the default height, no row record needed
                sheet.write_data(row, height, theme_prefixed)
                quotes.write_data(_long_row(attributes, quote, text, memo, before, after, flag),
                                  height, quotes_prefixed)
                written += 1
    summary.fit_columns({})
    for sheet in theme_sheets:
        sheet.fit_columns(dict(enumerate(theme_widths)), least=10)
    summary.ws.autofilter(summary_header, 0, max(summary.row - 1, summary_header),
                          len(summary_columns) - 1)
    quotes.ws.autofilter(0, 0, max(quotes.row - 1, 0), len(columns) - 1)
    return written


def _long_row(attributes: list[str], quote: Quote, text: str, memo: str, before: str,
              after: str, flag: str) -> list[str | int]:
    """A row under _long_columns: the long format less the dropped columns."""
    return [quote.theme, quote.code, quote.document, quote.case,
            *[quote.attributes.get(a, "") for a in attributes],
            "" if quote.segment is None else quote.segment, quote.timestamp_text,
            quote.speaker, quote.coder, text, before, after, memo, flag]


def _matrix_block(sheet: _Sheet, theme: Theme, matrix: Matrix, what: str) -> None:
    sheet.write([f"{what.capitalize()} by {matrix.attribute}"], "bold", measure=False)
    sheet.write(["Code", *matrix.labels, "Total"], "header")
    for section in theme.sections:
        cells = [getattr(matrix.cell(section.code.id, v), what) for v in matrix.values]
        row_total = matrix.row_totals.get(section.code.id)
        sheet.write([section.label, *cells, getattr(row_total, what) if row_total else 0])
    sheet.write(["Total", *(getattr(matrix.column_totals[v], what) for v in matrix.values),
                 getattr(matrix.total, what)], "total")
    sheet.skip()


def _theme_head(export: QuoteExport, theme: Theme, sheet: _Sheet, last_col: int) -> None:
    """The top of a theme's sheet: definition, counts and breakdowns."""
    sheet.write([theme.path], "title", measure=False)
    for line in paragraphs(theme.definition):
        sheet.write_note(line, min(last_col, 2), _QUOTE_WIDTH + _CITE_WIDTH + _MEMO_WIDTH)
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
    sheet.skip()
