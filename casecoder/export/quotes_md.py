"""The quote export as Markdown for pandoc and Quarto: the draft a report grows from.

Pandoc's Markdown is the target: a YAML title block, pipe tables, block quotes. Transcript
text is full of characters Markdown would act on ("[BIP-en]" brackets, "$" amounts, "@" in
addresses which pandoc reads as citations, "*" or "_"), so every piece of project text is
backslash-escaped (pandoc lets any ASCII punctuation be escaped); what renders is exactly the
coded text, with each line break of the transcript as a new paragraph of the block quote.
The file is written line by line, in a fixed order and without a time stamp unless asked, so
the same project always gives the same bytes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TextIO

from casecoder.export.atomic import atomic_open
from casecoder.export.quotes import (
    COUNT_FIELDS,
    Cell,
    Counts,
    Matrix,
    Quote,
    QuoteExport,
    Theme,
    fold,
    paragraphs,
)

# Characters pandoc acts on anywhere in a line (the backslash itself first). Replacing each
# one that occurs is several times faster than a regex or str.translate on Norwegian text.
_INLINE = "\\`*_{}[]<>|$~^@&"
# Markers that only act at the start of a line: headings, lists, quotes, setext lines,
# definition lists, ordered-list numbers ("1." or "1)").
_LINE_START = re.compile(r"^([#+\-=:>])|^(\d+)([.)])")


def escape(text: str) -> str:
    """Inline text that pandoc renders literally."""
    escaped = fold(text)
    for char in _INLINE:
        if char in escaped:
            escaped = escaped.replace(char, "\\" + char)
    if not escaped or not (escaped[0] in "#+-=:>" or escaped[0].isdigit()):
        return escaped
    return _LINE_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1)
                           else f"{m.group(2)}\\{m.group(3)}", escaped)


def write_markdown(export: QuoteExport, target: Path) -> int:
    """Write the Markdown export atomically; returns the number of codings written."""
    with atomic_open(target, encoding="utf-8", newline="\n") as out:
        return _write(export, out)


def _write(export: QuoteExport, out: TextIO) -> int:
    out.write("---\n")
    # Pandoc reads metadata values as Markdown: the title (the project's name) is escaped
    # like any other project text, or a "<script>" in it would run in the rendered page.
    out.write(f"title: {json.dumps(escape(export.title), ensure_ascii=False)}\n")
    if export.exported_at:
        out.write(f"date: {json.dumps(export.exported_at)}\n")
    out.write("---\n\n")
    for line in export.intro():
        out.write(f"{escape(line)}\n\n")
    written = 0
    for theme in export.themes():
        written += _theme(export, theme, out)
    return written


def _counts_row(label: str, counts: Counts) -> str:
    return "| " + " | ".join([label, *(str(getattr(counts, f)) for f in COUNT_FIELDS)]) + " |\n"


def _cell(cell: Cell | None) -> str:
    if cell is None or not cell.codings:
        return "0"
    return f"{cell.codings} ({cell.documents})"


def _matrix(theme: Theme, matrix: Matrix, out: TextIO) -> None:
    out.write(f"Codings (documents) by *{escape(matrix.attribute)}*:\n\n")
    out.write("| Code | " + " | ".join(escape(label) for label in matrix.labels) + " | Total |\n")
    out.write("|:--" + "|--:" * (len(matrix.values) + 1) + "|\n")
    for section in theme.sections:
        cells = [_cell(matrix.cell(section.code.id, v)) for v in matrix.values]
        total = _cell(matrix.row_totals.get(section.code.id))
        out.write("| " + " | ".join([escape(section.label), *cells, total]) + " |\n")
    cells = [_cell(matrix.column_totals[v]) for v in matrix.values]
    out.write("| **Total** | " + " | ".join([*cells, f"**{_cell(matrix.total)}**"]) + " |\n\n")


def _theme(export: QuoteExport, theme: Theme, out: TextIO) -> int:
    out.write(f"# {escape(theme.path)}\n\n")
    for line in paragraphs(theme.definition):
        out.write(f"{escape(line)}\n\n")
    out.write(f"Summary of *{escape(theme.path)}*:\n\n")
    out.write("| Code | " + " | ".join(f.capitalize() for f in COUNT_FIELDS) + " |\n")
    out.write("|:--" + "|--:" * len(COUNT_FIELDS) + "|\n")
    out.write(_counts_row(f"**{escape(theme.path)} (all)**", theme.counts))
    for section in theme.sections:
        out.write(_counts_row(escape(section.label), section.counts))
    out.write("\n")
    for matrix in theme.matrices:
        if matrix.values:
            _matrix(theme, matrix, out)
    written = 0
    for section in theme.sections:
        out.write(f"## {escape(section.label)}\n\n")
        if section.level == "subcode":
            for line in paragraphs(export.show(section.code.description)):
                out.write(f"{escape(line)}\n\n")
        out.write(f"{section.counts.line()}\n\n")
        n = 0
        for quote in theme.quotes(section.code):
            _quote(quote, export.cite(quote), out)
            n += 1
        if not n:
            out.write("No quotes.\n\n")
        written += n
    return written


def _quote(quote: Quote, citation: str, out: TextIO) -> None:
    lines: list[str] = []
    if quote.context_before:
        lines.append(f"*Context before:* {escape(quote.context_before)}")
    lines.extend(escape(p) for p in paragraphs(quote.text))
    if quote.context_after:
        lines.append(f"*Context after:* {escape(quote.context_after)}")
    lines.append(f"— {escape(citation)}")
    if quote.memo:
        lines.append(f"*Memo:* {escape(quote.memo)}")
    out.write("\n>\n".join(f"> {line}" for line in lines))
    out.write("\n\n")
