"""The quote export as one self-contained HTML file: open it, read it, print it to PDF.

Nothing is fetched: styles are inline and each theme's charts (one per --by attribute, the
share of each group's documents that mention the theme) are inline SVG, so the file
works offline, from an e-mail attachment or an archive years later. The print styles start each
theme on a new page and keep a quote together with its attribution. Every piece of project
text is HTML-escaped (transcripts contain "<", "&" and anything a pasted e-mail brought along).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TextIO

from casecoder.export.atomic import atomic_open
from casecoder.export.charts import Chart, group_sizes, svg, theme_charts
from casecoder.export.quotes import (
    COUNT_FIELDS,
    Cell,
    Counts,
    Matrix,
    Quote,
    QuoteExport,
    Theme,
    paragraphs,
)

_CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #277cdc; }
* { box-sizing: border-box; }
body { font: 11pt/1.5 Georgia, "Times New Roman", serif; color: var(--ink); margin: 2rem auto;
       max-width: 52rem; padding: 0 1rem; }
h1, h2, h3 { font-family: "Helvetica Neue", Arial, sans-serif; line-height: 1.25; }
h2 { border-bottom: 2px solid var(--line); padding-bottom: .2rem; margin-top: 3rem; }
.intro, .counts-line, .definition { color: var(--muted); }
nav ol { columns: 2; }
table { border-collapse: collapse; margin: 1rem 0; font: 9.5pt/1.3 Arial, sans-serif; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td, tr.total th { font-weight: bold; background: #f6f8fa; }
figure.quote { margin: 1rem 0 1.25rem; break-inside: avoid; page-break-inside: avoid; }
blockquote { margin: 0; padding: .1rem 0 .1rem 1rem; border-left: 4px solid var(--accent); }
blockquote p { margin: .3rem 0; }
blockquote p.context { color: var(--muted); font-size: .9em; font-style: italic; }
blockquote p.context::before { content: "Context: "; font-weight: bold; font-style: normal; }
figcaption.attribution { font: 9pt/1.4 Arial, sans-serif; color: var(--muted);
                         margin: .25rem 0 0 1.25rem; }
p.memo { font: 9pt/1.4 Arial, sans-serif; margin: .2rem 0 0 1.25rem; }
figure.chart { margin: 1rem 0; }
figure.chart figcaption { font: 9pt Arial, sans-serif; color: var(--muted); }
@media print {
  body { margin: 0; max-width: none; }
  section.theme { break-before: page; page-break-before: always; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""


def write_html(export: QuoteExport, target: Path) -> int:
    """Write the HTML export atomically; returns the number of codings written."""
    with atomic_open(target, encoding="utf-8", newline="\n") as out:
        return _write(export, out)


def _write(export: QuoteExport, out: TextIO) -> int:
    lang = escape(export.project.language)
    out.write(f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
              '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
              f"<title>{escape(export.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n")
    out.write(f"<header>\n<h1>{escape(export.title)}</h1>\n")
    for line in export.intro():
        out.write(f'<p class="intro">{escape(line)}</p>\n')
    out.write("</header>\n<nav><ol>\n")
    for number, code in enumerate(export.theme_codes, start=1):
        out.write(f'<li><a href="#theme-{number}">{escape(export.show(code.path))}</a></li>\n')
    out.write("</ol></nav>\n")
    written = 0
    sizes = group_sizes(export)
    for number, theme in enumerate(export.themes(), start=1):
        written += _theme(export, theme, number, out, sizes)
    out.write("</body>\n</html>\n")
    return written


def _counts_row(label: str, counts: Counts, css: str = "") -> str:
    cells = "".join(f'<td class="n">{getattr(counts, f)}</td>' for f in COUNT_FIELDS)
    return f'<tr{css}><th scope="row">{label}</th>{cells}</tr>\n'


def _cell(cell: Cell | None) -> str:
    if cell is None or not cell.codings:
        return "0"
    return f"{cell.codings} ({cell.documents})"


def _matrix(theme: Theme, matrix: Matrix, out: TextIO) -> None:
    out.write(f"<table class=\"matrix\">\n<caption>Codings (documents) by "
              f"{escape(matrix.attribute)}</caption>\n<thead><tr><th>Code</th>")
    out.write("".join(f'<th class="n">{escape(label)}</th>' for label in matrix.labels))
    out.write('<th class="n">Total</th></tr></thead>\n<tbody>\n')
    for section in theme.sections:
        cells = "".join(f'<td class="n">{_cell(matrix.cell(section.code.id, v))}</td>'
                        for v in matrix.values)
        out.write(f'<tr><th scope="row">{escape(section.label)}</th>{cells}'
                  f'<td class="n">{_cell(matrix.row_totals.get(section.code.id))}</td></tr>\n')
    cells = "".join(f'<td class="n">{_cell(matrix.column_totals[v])}</td>' for v in matrix.values)
    out.write(f'<tr class="total"><th scope="row">Total</th>{cells}'
              f'<td class="n">{_cell(matrix.total)}</td></tr>\n</tbody>\n</table>\n')


def chart_figure(chart: Chart) -> str:
    """One normalised chart (see casecoder.export.charts) as a figure with its caption."""
    return (f'<figure class="chart">{svg(chart)}<figcaption>{escape(chart.caption)}'
            "</figcaption></figure>\n")


def _theme(export: QuoteExport, theme: Theme, number: int, out: TextIO,
           sizes: dict[str, dict[str, int]]) -> int:
    out.write(f'<section class="theme" id="theme-{number}">\n<h2>{escape(theme.path)}</h2>\n')
    for line in paragraphs(theme.definition):
        out.write(f'<p class="definition">{escape(line)}</p>\n')
    out.write(f'<table class="counts">\n<caption>Summary of {escape(theme.path)}</caption>\n'
              "<thead><tr><th>Code</th>")
    out.write("".join(f'<th class="n">{f.capitalize()}</th>' for f in COUNT_FIELDS))
    out.write("</tr></thead>\n<tbody>\n")
    out.write(_counts_row(f"{escape(theme.path)} (all)", theme.counts, ' class="total"'))
    for section in theme.sections:
        out.write(_counts_row(escape(section.label), section.counts))
    out.write("</tbody>\n</table>\n")
    for chart in theme_charts(export, theme, sizes):
        out.write(chart_figure(chart))
    for matrix in theme.matrices:
        if matrix.values:
            _matrix(theme, matrix, out)
    written = 0
    for section in theme.sections:
        out.write(f'<section class="code">\n<h3>{escape(section.label)}</h3>\n')
        if section.level == "subcode":
            for line in paragraphs(export.show(section.code.description)):
                out.write(f'<p class="definition">{escape(line)}</p>\n')
        out.write(f'<p class="counts-line">{section.counts.line()}</p>\n')
        n = 0
        for quote in theme.quotes(section.code):
            _quote(quote, export.cite(quote), out)
            n += 1
        if not n:
            out.write('<p class="none">No quotes.</p>\n')
        written += n
        out.write("</section>\n")
    out.write("</section>\n")
    return written


def _quote(quote: Quote, citation: str, out: TextIO) -> None:
    out.write('<figure class="quote">\n<blockquote>\n')
    if quote.context_before:
        out.write(f'<p class="context">{escape(quote.context_before)}</p>\n')
    for line in paragraphs(quote.text):
        out.write(f'<p class="q">{escape(line)}</p>\n')
    if quote.context_after:
        out.write(f'<p class="context">{escape(quote.context_after)}</p>\n')
    out.write(f'</blockquote>\n<figcaption class="attribution">— '
              f"{escape(citation)}</figcaption>\n")
    if quote.memo:
        out.write(f'<p class="memo"><strong>Memo:</strong> {escape(quote.memo)}</p>\n')
    out.write("</figure>\n")
