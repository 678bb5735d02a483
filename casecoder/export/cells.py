"""Formula safety for spreadsheet outputs: the one place that says what casecoder does.

Excel and LibreOffice run a cell that starts with =, +, -, @, tab or CR as a formula (CSV
injection): a quote such as "-Vi søkte ..." or a name "=HYPERLINK(...)" planted in a transcript
must stay text. What each output does:

- XLSX of the quote export: every text is written as a string cell, which no
  spreadsheet runs, and the text is kept exactly. A cell whose text starts with a formula
  character also gets the "quote prefix" cell style (Excel's own mark for text typed with a
  leading apostrophe), so editing the cell in Excel or LibreOffice keeps it text. Nothing is
  added to the text: `openpyxl` reads back exactly the coded passage.
- CSV (quote export, listings with `--format csv`, codebook CSV) and the other spreadsheet
  cells made with `neutralise` (the agreement report): CSV has no cell types, so a
  cell that starts with a formula character gets one leading apostrophe (`neutralise`). So that
  this stays reversible, a cell that starts with apostrophes followed by a formula character
  ("'-x", which a transcript could hold) gets one more apostrophe too; `restore` removes
  exactly one and gives back the original text for every cell. Plain text that starts with an
  apostrophe ("'Tis") is left alone.
- CSV with `--raw` (`casecoder export quotes ... --raw`): exact text, nothing added, for
  pandas, R or a database; such a file must not be opened in a spreadsheet.

README.md ("Quote summaries for the report") states the same; the quote CSV's default is
neutralised.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = frozenset("=+-@\t\r")


def needs_apostrophe(text: str) -> bool:
    """Whether `neutralise` prefixes this text: a formula start, after any apostrophes."""
    if not text:
        return False
    if text[0] in FORMULA_START:
        return True
    if text[0] != "'":
        return False
    rest = text.lstrip("'")
    return bool(rest) and rest[0] in FORMULA_START


def neutralise(value: Any) -> str:
    """The CSV cell text a spreadsheet will show, never run (see the module's rules)."""
    text = "" if value is None else str(value)
    if needs_apostrophe(text):
        return "'" + text
    return text


def restore(cell: str) -> str:
    """The original text of a neutralised CSV cell (the inverse of `neutralise`)."""
    if cell.startswith("'"):
        rest = cell.lstrip("'")
        if rest and rest[0] in FORMULA_START:
            return cell[1:]
    return cell
