"""Codings written as quotes: a YAML file that names passages by their text, not offsets.

Offsets are brittle for people to write by hand; a quote plus an occurrence number is what a
researcher (or the sample study) can write and check. Every quote is located exactly in the
document's stored text before anything is written, so a file with one wrong quote changes
nothing.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import yaml

from casecoder.errors import UserError
from casecoder.model import CodingRecord


def read_quote_codings(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from None
    except yaml.YAMLError:
        raise UserError(f"{path} is not valid YAML") from None
    if not isinstance(data, dict) or not isinstance(data.get("codings"), list):
        raise UserError(f"{path}: expected 'document:' and a 'codings:' list")
    return data


def locate(text: str, quote: str, occurrence: int = 1) -> tuple[int, int]:
    """[start, end) of the n-th exact occurrence of quote (NFC) in text."""
    quote = unicodedata.normalize("NFC", quote)
    if not quote.strip():
        raise UserError("an empty quote cannot be located")
    pos = -1
    for _ in range(occurrence):
        pos = text.find(quote, pos + 1)
        if pos < 0:
            raise UserError(f"quote not found (occurrence {occurrence}): {quote[:60]!r}")
    return pos, pos + len(quote)


def quote_records(project: Any, path: Path, *, document: str | None = None) -> list[CodingRecord]:
    """Resolve a quote-codings file against a project into coding records (nothing written)."""
    data = read_quote_codings(path)
    doc_name = document or data.get("document")
    if not doc_name:
        raise UserError(f"{path}: no 'document:' given")
    doc = project.document(str(doc_name))
    text = project.text(doc)
    records = []
    for i, item in enumerate(data["codings"], 1):
        if not isinstance(item, dict) or not {"coder", "code", "quote"} <= set(item):
            raise UserError(f"{path}: coding {i} needs coder, code and quote")
        try:
            start, end = locate(text, str(item["quote"]), int(item.get("occurrence", 1)))
            project.code(str(item["code"]))
        except UserError as exc:
            raise UserError(f"{path}: coding {i}: {exc}") from None
        records.append(CodingRecord(doc.id, str(item["code"]), str(item["coder"]), start, end,
                                    str(item.get("memo") or "")))
    return records
