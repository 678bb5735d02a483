"""Small CSV tables a researcher keeps beside the project (attributes, speakers).

One reader for all of them, so each refuses the same things in one line: a missing, oversized
or non-UTF-8 file, a duplicate column name (the last would win unseen), a row longer than the
header, and a field beyond csv's limit.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from casecoder.errors import UserError

#: Larger than any attribute or speaker table a study keeps by hand.
MAX_TABLE_BYTES = 20_000_000


def read_csv_table(path: Path, what: str) -> list[list[str]]:
    """The table as stripped rows, header first (blank rows left out); `what` names the file
    in messages ("attribute file"). The delimiter (`,` `;` or tab) is sniffed."""
    if not path.exists():
        raise UserError(f"{what} {path} does not exist")
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise UserError(f"{what} {path} is too large")
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{what} {path} is not UTF-8 text") from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            content[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(content), dialect=dialect)
    try:
        for raw in reader:
            if not any(cell.strip() for cell in raw):
                continue
            rows.append([cell.strip() for cell in raw])
            if len(rows) == 1:
                seen: set[str] = set()
                for name in rows[0]:
                    if name and name.casefold() in seen:
                        raise UserError(f"{path}: the column {name!r} appears twice in the "
                                        "header")
                    seen.add(name.casefold())
            elif len(rows[-1]) > len(rows[0]):
                raise UserError(f"{path}: line {reader.line_num} has {len(rows[-1])} fields, "
                                f"but the header names {len(rows[0])}")
    except csv.Error as exc:
        raise UserError(f"{path}: line {reader.line_num} cannot be read as CSV ({exc})"
                        ) from None
    return rows
