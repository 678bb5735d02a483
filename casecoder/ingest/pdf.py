"""PDF documents (project applications, final reports): the text layer, page by page.

A PDF is untrusted input with more ways to hurt than a text file: compressed streams that
inflate to gigabytes, page trees of millions of entries, and encryption. So:

- the file size is capped before reading, and so are the page count and the extracted text;
- pypdf runs under a configuration with lower decompression and parsing limits than its
  defaults, and with its external JBIG2 decoder switched off (no programs are started for a
  file from outside); a limit reached is one refusal line, not a half-read document;
- an encrypted PDF is refused (even one that opens without a password: its text can be
  restricted, and decrypting AES needs a cryptography library we do not ship);
- a PDF without a text layer (a scan) is refused, with the advice to run OCR first: importing
  it empty would look like success and leave nothing to code. Pages without text in an
  otherwise readable PDF are named in a warning.

Page numbers are the physical pages of the file (1 = the first page), kept as the offset where
each page's text starts (`SourceText.pages`); segments carry the page they start on, so a
quote can be cited as "p. 12". See `layout.py` for headers, footers, hyphens and paragraphs.
"""

from __future__ import annotations

import io
from pathlib import Path

from casecoder.errors import ImportFileError
from casecoder.ingest.layout import assemble, drop_running_lines, lines_with_gaps
from casecoder.ingest.model import SourceText
from casecoder.ingest.text import describe, normalise, read_bytes

MAX_PDF_BYTES = 200 * 1024 * 1024
MAX_PAGES = 3_000
#: Decompressed bytes of any one stream (a page's content, a font): ample for text pages.
MAX_STREAM_BYTES = 20_000_000
MAX_TEXT_CHARS = 20_000_000
_LIMITS = {
    "zlib_maximum_output_length": MAX_STREAM_BYTES,
    "lzw_maximum_output_length": MAX_STREAM_BYTES,
    "run_length_maximum_output_length": MAX_STREAM_BYTES,
    "brotli_maximum_output_length": MAX_STREAM_BYTES,
    "array_based_stream_maximum_output_length": MAX_STREAM_BYTES,
    "maximum_declared_stream_length": MAX_STREAM_BYTES,
    "stream_decoding_work_maximum_length": 4 * MAX_STREAM_BYTES,
    "jbig2_maximum_output_length": MAX_STREAM_BYTES,
    "image_maximum_buffer_size": MAX_STREAM_BYTES,
    "page_tree_maximum_entries": 4 * MAX_PAGES,
    "jbig2dec_binary": None,
}


def read_pdf(path: Path) -> SourceText:
    """The text layer of a PDF as paragraphs, with each page's start offset."""
    data = read_bytes(path, MAX_PDF_BYTES)
    if not data.lstrip()[:5] == b"%PDF-":
        raise ImportFileError(f"{path}: not a PDF file (it does not start with %PDF-)")
    import logging

    import pypdf
    from pypdf.errors import LimitReachedError

    # pypdf logs what it repairs ("EOF marker not found") to the root logger, which would
    # print it on the researcher's terminal; a file it cannot read is reported by us instead.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    try:
        with pypdf.apply_configuration(None, **_LIMITS):
            pages = _page_lines(path, pypdf.PdfReader(io.BytesIO(data), strict=False))
    except ImportFileError:
        raise
    except LimitReachedError as exc:
        raise ImportFileError(f"{path}: refused: a stream in the PDF inflates beyond the "
                              f"limit of {MAX_STREAM_BYTES / 1e6:.0f} MB (a decompression "
                              "bomb, or not a text document)") from exc
    except RecursionError as exc:
        raise ImportFileError(f"{path}: refused: the PDF's structure nests too deeply") from exc
    except Exception as exc:  # untrusted input: any parser failure means a bad file
        raise ImportFileError(f"{path}: not a readable PDF ({describe(exc)})") from exc
    pages, dropped = drop_running_lines(pages)
    empty = [str(i) for i, page in enumerate(pages, start=1) if not page]
    text, starts = assemble(pages)
    text, cleaned = normalise(text)  # each page is normalised already: this only checks
    if not text.strip():
        raise ImportFileError(
            f"{path}: the PDF has no text layer (a scanned document?); run OCR on it first "
            "(for example with ocrmypdf) and import the result")
    warnings = list(cleaned)
    if empty:
        shown = ", ".join(empty[:10]) + (" …" if len(empty) > 10 else "")
        warnings.append(f"no text on page(s) {shown} (scanned pages are not read)")
    if dropped:
        warnings.append(f"dropped {dropped} running header/footer line(s)")
    return SourceText(text, "pdf", None, None, tuple(warnings), pages=starts)


def _page_lines(path: Path, reader: object) -> list[list[str]]:
    import pypdf

    assert isinstance(reader, pypdf.PdfReader)
    if reader.is_encrypted:
        raise ImportFileError(f"{path}: refused: the PDF is encrypted; save a copy without "
                              "password protection and import that")
    count = len(reader.pages)
    if count > MAX_PAGES:
        raise ImportFileError(f"{path}: refused: the PDF has {count} pages "
                              f"(limit {MAX_PAGES})")
    pages: list[list[str]] = []
    total = 0
    for page in reader.pages:
        lines = _lines(page)
        total += sum(len(text) for _, text in lines)
        if total > MAX_TEXT_CHARS:
            raise ImportFileError(f"{path}: refused: the PDF holds more than "
                                  f"{MAX_TEXT_CHARS / 1e6:.0f} million characters of text")
        pages.append(lines_with_gaps(lines))
    return pages


def _lines(page: object) -> list[tuple[float | None, str]]:
    """A page's text lines (pypdf's reading order) with the baseline height of each."""
    pieces: list[tuple[float | None, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        y = tm[5] * cm[3] + cm[5] if cm and tm else None
        pieces.append((y, text))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    lines: list[tuple[float | None, str]] = []
    y_line: float | None = None
    parts: list[str] = []
    for y, text in pieces:
        chunks = normalise(text)[0].split("\n")
        for i, chunk in enumerate(chunks):
            if i:
                lines.append((y_line, "".join(parts)))
                y_line, parts = None, []
            if chunk:
                if y_line is None and chunk.strip() and y:
                    y_line = y
                parts.append(chunk)
    if parts:
        lines.append((y_line, "".join(parts)))
    return lines
