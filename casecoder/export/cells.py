"""One rule for spreadsheet cells, shared by every CSV and XLSX writer and the CLI listings.

Excel and LibreOffice run a CSV cell, or typed XLSX text, that starts with =, +, -, @, tab or
CR as a formula (CSV injection): a quote such as "-Vi søkte ..." or a name "=HYPERLINK(...)"
planted in a transcript must stay text.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = frozenset("=+-@\t\r")


def neutralise(value: Any) -> str:
    """The cell text a spreadsheet will show, never run: formula starters get an apostrophe."""
    text = "" if value is None else str(value)
    if text and text[0] in FORMULA_START:
        return "'" + text
    return text
