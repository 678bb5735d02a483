"""read_file: the one entry point from a path on disk to a SourceText.

Every file is treated as untrusted: size is capped before reading, encodings are detected
rather than assumed, archives are vetted before parsing, and every failure becomes one
ImportFileError line that names the file, never a traceback from a third-party parser.
"""

from __future__ import annotations

from pathlib import Path

from casecoder.errors import ImportFileError
from casecoder.ingest.model import SourceText, Turn
from casecoder.ingest.text import (
    MAX_TEXT_BYTES,
    decode,
    decode_as,
    normalise,
    read_bytes,
    require_text,
)

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".docx", ".vtt", ".srt", ".pdf", ".odt",
                                        ".rtf")


#: Document formats, each in its own module (imported when a file of that kind is read).
_DOCUMENT_READERS = {".pdf": ("pdf", "read_pdf"), ".odt": ("odt", "read_odt"),
                     ".rtf": ("rtf", "read_rtf")}


def read_file(path: Path, encoding: str | None = None) -> SourceText:
    """Read a transcript; raises ImportFileError (one line naming the file) on any bad input.

    `encoding` forces the decoding of a text file (.txt, .md, .vtt, .srt) instead of detecting it.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "(no suffix)"
        raise ImportFileError(
            f"{path}: unsupported format '{shown}' (supported: {', '.join(SUPPORTED_SUFFIXES)})"
        )
    if suffix == ".docx":
        return _read_docx(path)
    if suffix in _DOCUMENT_READERS:
        import importlib

        module, function = _DOCUMENT_READERS[suffix]
        reader = getattr(importlib.import_module(f"casecoder.ingest.{module}"), function)
        source: SourceText = reader(path)
        return source
    data = read_bytes(path, MAX_TEXT_BYTES)
    if not data.strip():
        raise ImportFileError(f"{path}: the file is empty or contains only whitespace")
    decoded = decode_as(data, path, encoding) if encoding else decode(data, path)
    text, cleaned = normalise(decoded.text)
    require_text(text, path)
    warnings = decoded.warnings + cleaned
    if suffix in (".txt", ".md"):
        return SourceText(text, suffix[1:], decoded.encoding, None, warnings,
                          decoded.confidence)
    from casecoder.ingest import captions

    reader = captions.read_vtt if suffix == ".vtt" else captions.read_srt
    text, turns, more = reader(path, text)
    if decoded.encoding not in ("utf-8", "utf-8-sig"):
        warnings += (f"caption file is not UTF-8: read as {decoded.encoding}",)
    _check_turns(text, turns)
    return SourceText(text, suffix[1:], None, turns, warnings + more)


def _read_docx(path: Path) -> SourceText:
    from casecoder.ingest.docx import MAX_DOCX_BYTES, read_docx_text

    data = read_bytes(path, MAX_DOCX_BYTES)
    if not data:
        raise ImportFileError(f"{path}: the file is empty")
    text, warnings = normalise(read_docx_text(path, data))
    if not text.strip():
        raise ImportFileError(f"{path}: the document has no text in its body")
    return SourceText(text, "docx", None, None, warnings)


def _check_turns(text: str, turns: tuple[Turn, ...]) -> None:
    """Turn offsets are computed by hand in the caption readers; a slip here would corrupt every
    coding in the document, so it is checked rather than trusted."""
    for turn in turns:
        if not (0 <= turn.start <= turn.body_start <= turn.end <= len(text)):
            raise AssertionError(f"caption turn out of range: {turn}")
        body = text[turn.body_start:turn.end]
        if body != body.strip():
            raise AssertionError(f"caption turn not trimmed: {turn}")


def import_paths(path: Path) -> list[Path]:
    """A file, or every importable file directly inside a folder, in name order.

    In a folder, hidden files and Word's lock files ("~$name.docx", left while a transcript
    is open in Word) are passed over: they are never transcripts.
    """
    if path.is_dir():
        return sorted((p for p in path.iterdir()
                       if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                       and not p.name.startswith((".", "~$"))),
                      key=lambda p: p.name.casefold())
    return [path]
