"""The quote export as a Word document, ready to become the report's findings chapter.

Layout: a title page (project, date, coders, themes, how quotes are cited, the counting
note), then per theme a Heading 1, its definition in "Code definition", a summary table, a
chart per `--by` attribute (share of each group's documents that mention the theme) and a
breakdown table per attribute, then per code a Heading 2 (3 for deeper codes), its definition
and counts, and its quotes: one "Quote" paragraph per transcript line, context in "Quote
context", the citation (`--cite`) in "Quote attribution" and a memo in "Memo". Page numbers
are a PAGE field in the footer. Styles and tables: see docx_styles and docx_tables.

Speed: python-docx's `add_paragraph` looks for the body's closing sectPr by scanning every
child of the body, and resolves the style by name on each call, so a document of 100,000
quotes took quadratic time (5,000 codings 6.4 s, 20,000 68 s, 100,000 not done in 12 min). Here the
sectPr is taken out while the body is written and put back at the end, style ids are looked up
once, and paragraphs are written as escaped XML text and parsed in batches: linear, a few
microseconds a paragraph.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from casecoder.export.atomic import atomic_path
from casecoder.export.docx_styles import Styles, open_document, resolve
from casecoder.export.docx_tables import add_table
from casecoder.export.quotes import (
    COUNT_FIELDS,
    COUNTING_NOTE,
    Cell,
    Matrix,
    Quote,
    QuoteExport,
    Theme,
    paragraphs,
    xml_safe,
)

_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def write_docx(export: QuoteExport, target: Path) -> int:
    """Write the Word document atomically; returns the number of codings written."""
    document = open_document(export.options.template)
    props = document.core_properties
    props.title = xml_safe(export.title)
    props.author = ""
    props.last_modified_by = ""
    props.comments = "Written by casecoder export quotes"
    writer = _Writer(export, document)
    written = writer.write()
    with atomic_path(target) as tmp:
        document.save(str(tmp))
    return written


class _Body:
    """Appends paragraphs to the body, as XML text parsed in batches.

    Paragraphs are written as strings (escaped here) into a buffer that is parsed and
    appended in one go every few thousand paragraphs, or before anything is appended as an
    element (a table, a chart): parsing a batch in C costs less than building its elements
    one by one from Python.
    """

    BATCH = 4000

    def __init__(self, body: Any) -> None:
        from docx.oxml.ns import qn

        self.body = body
        self.sect_pr = body.find(qn("w:sectPr"))
        if self.sect_pr is not None:
            body.remove(self.sect_pr)
        self._buffer: list[str] = []
        self._open: dict[str, str] = {}

    def close(self) -> None:
        self.flush()
        if self.sect_pr is not None:
            self.body.append(self.sect_pr)

    def flush(self) -> None:
        if not self._buffer:
            return
        from docx.oxml import parse_xml

        batch = parse_xml(f"<w:body {_NS}>{''.join(self._buffer)}</w:body>")
        self._buffer.clear()
        self.body.extend(list(batch))

    def _start(self, style: str) -> str:
        start = self._open.get(style)
        if start is None:
            start = self._open[style] = f"<w:p><w:pPr><w:pStyle w:val={quoteattr(style)}/></w:pPr>"
        return start

    def add(self, style: str, text: str) -> None:
        self._buffer.append(f'{self._start(style)}<w:r><w:t xml:space="preserve">'
                            f"{_escape(text)}</w:t></w:r></w:p>")
        if len(self._buffer) >= self.BATCH:
            self.flush()

    def add_labelled(self, style: str, label: str, text: str) -> None:
        self._buffer.append(f'{self._start(style)}<w:r><w:rPr><w:b/></w:rPr>'
                            f'<w:t xml:space="preserve">{_escape(label)}</w:t></w:r>'
                            f'<w:r><w:t xml:space="preserve">{_escape(text)}</w:t></w:r></w:p>')
        if len(self._buffer) >= self.BATCH:
            self.flush()

    def add_element(self, style: str) -> Any:
        """An empty paragraph as an element, for content python-docx adds (a picture)."""
        self.add(style, "")
        self.flush()
        return self.body[-1]

    def append(self, element: Any) -> None:
        self.flush()
        self.body.append(element)

    def page_break(self) -> None:
        self._buffer.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')


def _escape(text: str) -> str:
    """Text as XML character data: control characters dropped, markup escaped."""
    text = xml_safe(text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


class _Writer:
    def __init__(self, export: QuoteExport, document: Any) -> None:
        self.export = export
        self.document = document
        self.styles: Styles = resolve(document)
        self.out = _Body(document.element.body)

    def write(self) -> int:
        from casecoder.export.charts import group_sizes

        self._title_page()  # ends on a page break unless every theme starts a page
        sizes = group_sizes(self.export)
        written = 0
        for theme in self.export.themes():
            written += self._theme(theme, sizes)
        self.out.close()
        self._footer()
        return written

    # --- title page and footer ------------------------------------------------------------

    def _title_page(self) -> None:
        export, s, out = self.export, self.styles, self.out
        out.add(s.title, "Quote summary")
        out.add(s.subtitle, export.project_name)
        date = (export.exported_at or datetime.date.today().isoformat())[:10]
        if export.coder:
            coders = export.show(export.coder)
        else:
            per_coder = export.project.stats()["codings_per_coder"]
            coders = ", ".join(export.show(c) for c, n in per_coder.items() if n) or "none"
        lines = [("Project: ", f"{export.project_name} ({export.project.path.name})"),
                 ("Date: ", date),
                 ("Coders: ", coders),
                 ("Themes: ", ", ".join(export.show(c.path) for c in export.theme_codes))]
        if export.by:
            lines.append(("Breakdowns by: ", ", ".join(export.by)))
        lines.append(("Quotes are cited as: ", export.citation.template))
        if export.options.context:
            lines.append(("Context: ", f"{export.options.context} sentence(s) before and "
                                       "after each quote, marked as context"))
        if export.pseudonymizer is not None:
            lines.append(("Names: ", "replaced by pseudonyms"))
        for label, text in lines:
            out.add_labelled(s.title_page, label, text)
        out.add_labelled(s.title_page, "How counts are made: ",
                         COUNTING_NOTE.removeprefix("How counts are made: "))
        try:
            breaks = self.document.styles["Heading 1"].paragraph_format.page_break_before
        except KeyError:
            breaks = False
        if not breaks:
            out.page_break()

    def _footer(self) -> None:
        """A centred PAGE field in the footer, unless the template's footer has content."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import parse_xml

        for section in self.document.sections:
            footer = section.footer
            if any(p.text.strip() or p._p.xpath(".//w:fldSimple|.//w:instrText")
                   for p in footer.paragraphs):
                continue
            para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            para._p.append(parse_xml(
                '<w:fldSimple xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                '2006/main" w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))

    # --- themes ---------------------------------------------------------------------------

    def _heading(self, level: int, text: str) -> None:
        self.out.add(self.styles.headings[min(level, 3) - 1], text)

    def _table(self, caption: str, header: list[str], rows: list[list[str]],
               bold_last: bool = False) -> None:
        self.out.add(self.styles.caption, caption)
        add_table(self.out, self.styles, [header, *rows], bold_last=bold_last)
        self.out.add(self.styles.counts, "")

    def _theme(self, theme: Theme, sizes: dict[str, dict[str, int]]) -> int:
        from casecoder.export.charts import theme_charts

        export, s, out = self.export, self.styles, self.out
        self._heading(1, theme.path)
        for line in paragraphs(theme.definition):
            out.add(s.definition, line)
        rows = [[f"{theme.path} (all)", *(str(getattr(theme.counts, f)) for f in COUNT_FIELDS)]]
        rows += [[sec.label, *(str(getattr(sec.counts, f)) for f in COUNT_FIELDS)]
                 for sec in theme.sections]
        self._table(f"Summary of {theme.path}", ["Code", *(f.capitalize() for f in COUNT_FIELDS)],
                    rows)
        for chart in theme_charts(export, theme, sizes):
            self._chart(chart)
        for matrix in theme.matrices:
            if matrix.values:
                self._matrix(theme, matrix)
        written = 0
        cite = export.cite
        quote_style = s.quote
        for section in theme.sections:
            self._heading(1 + max(1, section.depth), section.label)
            if section.level == "subcode":
                for line in paragraphs(export.show(section.code.description)):
                    out.add(s.definition, line)
            out.add(s.counts, section.counts.line())
            n = 0
            for quote in theme.quotes(section.code):
                self._quote(quote, quote_style, cite(quote))
                n += 1
            if not n:
                out.add(s.counts, "No quotes.")
            written += n
        return written

    def _matrix(self, theme: Theme, matrix: Matrix) -> None:
        rows = []
        for section in theme.sections:
            rows.append([section.label, *(_cell(matrix.cell(section.code.id, v))
                                          for v in matrix.values),
                         _cell(matrix.row_totals.get(section.code.id))])
        rows.append(["Total", *(_cell(matrix.column_totals[v]) for v in matrix.values),
                     _cell(matrix.total)])
        self._table(f"Codings (documents) of {theme.path} by {matrix.attribute}",
                    ["Code", *matrix.labels, "Total"], rows, bold_last=True)

    def _chart(self, chart: Any) -> None:
        from docx.shared import Pt, Twips
        from docx.text.paragraph import Paragraph

        from casecoder.export.charts import png

        data, width, height = png(chart)
        shown = min(Pt(width * 0.75), Twips(self.styles.text_width))
        self.out.add(self.styles.caption, chart.caption)
        p = self.out.add_element(self.styles.counts)
        Paragraph(p, self.document._body).add_run().add_picture(
            io.BytesIO(data), width=shown, height=int(shown * height / width))

    def _quote(self, quote: Quote, style: str, citation: str) -> None:
        out, s = self.out, self.styles
        if quote.context_before:
            out.add_labelled(s.context, "Context: ", quote.context_before)
        for line in paragraphs(quote.text):
            out.add(style, line)
        if quote.context_after:
            out.add_labelled(s.context, "Context: ", quote.context_after)
        out.add(s.attribution, f"— {citation}")
        if quote.memo:
            out.add_labelled(s.memo, "Memo: ", quote.memo)


def _cell(cell: Cell | None) -> str:
    if cell is None or not cell.codings:
        return "0"
    return f"{cell.codings} ({cell.documents})"
