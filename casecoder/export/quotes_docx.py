"""The quote export as a Word document, ready to become the report's findings chapter.

Built with python-docx on its default template, using Word's own styles (Title, Heading 1-2,
Quote, Caption, Light Grid Accent 1) rather than direct formatting, so the researcher can restyle
the whole document, or paste sections into the institution's report template, and everything
follows. Themes are Heading 1 and codes Heading 2, so Word's navigation pane and table of
contents work at once. Quotes are paragraphs in the "Quote" style, one per line of the
transcript; context sentences are in the same style but grey, italic and labelled; the
attribution and memo follow in small print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casecoder.export.atomic import atomic_path
from casecoder.export.quotes import (
    COUNT_FIELDS,
    Cell,
    Matrix,
    Quote,
    QuoteExport,
    Theme,
    paragraphs,
    xml_safe,
)

QUOTE_STYLE = "Quote"
TABLE_STYLE = "Light Grid Accent 1"


def write_docx(export: QuoteExport, target: Path) -> int:
    """Write the Word document atomically; returns the number of codings written."""
    from docx import Document

    document = Document()
    props = document.core_properties
    props.title = xml_safe(export.title)
    props.author = ""
    props.last_modified_by = ""
    props.comments = "Written by casecoder export quotes"
    written = _write(export, document)
    with atomic_path(target) as tmp:
        document.save(str(tmp))
    return written


def _write(export: QuoteExport, document: Any) -> int:
    from docx.shared import Pt

    document.add_heading(xml_safe(export.title), 0)
    for line in export.intro():
        para = document.add_paragraph()
        run = para.add_run(xml_safe(line))
        run.font.size = Pt(9)
    written = 0
    for theme in export.themes():
        written += _theme(export, theme, document)
    return written


def _table(document: Any, caption: str, header: list[str], rows: list[list[str]],
           bold_last: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document.add_paragraph(xml_safe(caption), style="Caption")
    table = document.add_table(rows=1, cols=len(header))
    table.style = TABLE_STYLE
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = xml_safe(text)
    for r, values in enumerate(rows):
        cells = table.add_row().cells
        for c, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = xml_safe(text)
            para = cell.paragraphs[0]
            if c:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if bold_last and r == len(rows) - 1:
                for run in para.runs:
                    run.bold = True
    document.add_paragraph()


def _cell(cell: Cell | None) -> str:
    if cell is None or not cell.codings:
        return "0"
    return f"{cell.codings} ({cell.documents})"


def _matrix(theme: Theme, matrix: Matrix, document: Any) -> None:
    rows = []
    for section in theme.sections:
        rows.append([section.label, *(_cell(matrix.cell(section.code.id, v))
                                      for v in matrix.values),
                     _cell(matrix.row_totals.get(section.code.id))])
    rows.append(["Total", *(_cell(matrix.column_totals[v]) for v in matrix.values),
                 _cell(matrix.total)])
    _table(document, f"Codings (documents) of {theme.path} by {matrix.attribute}",
           ["Code", *matrix.labels, "Total"], rows, bold_last=True)


def _theme(export: QuoteExport, theme: Theme, document: Any) -> int:
    document.add_heading(xml_safe(theme.path), 1)
    for line in paragraphs(theme.definition):
        para = document.add_paragraph()
        para.add_run(xml_safe(line)).italic = True
    rows = [[f"{theme.path} (all)", *(str(getattr(theme.counts, f)) for f in COUNT_FIELDS)]]
    rows += [[s.label, *(str(getattr(s.counts, f)) for f in COUNT_FIELDS)]
             for s in theme.sections]
    _table(document, f"Summary of {theme.path}",
           ["Code", *(f.capitalize() for f in COUNT_FIELDS)], rows)
    for matrix in theme.matrices:
        if matrix.values:
            _matrix(theme, matrix, document)
    written = 0
    for section in theme.sections:
        document.add_heading(xml_safe(section.label), 2)
        if section.level == "subcode":
            for line in paragraphs(export.show(section.code.description)):
                para = document.add_paragraph()
                para.add_run(xml_safe(line)).italic = True
        document.add_paragraph(section.counts.line())
        n = 0
        for quote in theme.quotes(section.code):
            _quote(quote, document)
            n += 1
        if not n:
            document.add_paragraph("No quotes.")
        written += n
    return written


def _context(document: Any, text: str) -> None:
    from docx.shared import RGBColor

    para = document.add_paragraph(style=QUOTE_STYLE)
    label = para.add_run("Context: ")
    label.bold = True
    run = para.add_run(xml_safe(text))
    for r in (label, run):
        r.italic = True
        r.font.color.rgb = RGBColor(0x59, 0x63, 0x6E)


def _quote(quote: Quote, document: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    if quote.context_before:
        _context(document, quote.context_before)
    for line in paragraphs(quote.text):
        document.add_paragraph(xml_safe(line), style=QUOTE_STYLE)
    if quote.context_after:
        _context(document, quote.context_after)
    para = document.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = para.add_run(xml_safe(f"— {quote.attribution()}"))
    run.font.size = Pt(8.5)
    run.italic = True
    if quote.memo:
        para = document.add_paragraph()
        label = para.add_run("Memo: ")
        label.bold = True
        label.font.size = Pt(8.5)
        para.add_run(xml_safe(quote.memo)).font.size = Pt(8.5)
