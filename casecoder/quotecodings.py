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

from casecoder.codebook import load_yaml
from casecoder.errors import UserError
from casecoder.model import CodingRecord

MAX_QUOTE_CODINGS_BYTES = 50_000_000


def read_quote_codings(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_QUOTE_CODINGS_BYTES:
            raise UserError(f"{path} is larger than {MAX_QUOTE_CODINGS_BYTES // 1_000_000} MB")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from None
    data = load_yaml(text, str(path))
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
            coder = _text_field(item, "coder")
            if not coder:
                raise UserError("the coder's name cannot be empty")
            code = project.code(_text_field(item, "code"))
            if not code.codable:
                raise UserError(f"{code.path!r} is a category and cannot be applied; "
                                "pick a subcode")
            occurrence = item.get("occurrence", 1)
            if isinstance(occurrence, bool) or not isinstance(occurrence, int) \
                    or not 1 <= occurrence <= len(text):
                raise UserError(f"occurrence must be a whole number from 1, not {occurrence!r}")
            start, end = locate(text, _text_field(item, "quote"), occurrence)
            memo = item.get("memo")
            if memo is not None and not isinstance(memo, str | int | float):
                raise UserError("memo must be text")
        except UserError as exc:
            raise UserError(f"{path}: coding {i}: {exc}") from None
        records.append(CodingRecord(doc.id, code.path, coder, start, end,
                                    "" if memo is None else str(memo)))
    return records


def _text_field(item: dict[str, Any], key: str) -> str:
    """A field that must be text (a number is taken as written); lists, maps and null refused."""
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise UserError(f"{key} must be text, not {value!r}"[:120])
    return " ".join(str(value).split()) if key != "quote" else str(value)
