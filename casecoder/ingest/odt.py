"""OpenDocument text (.odt, LibreOffice's own format): body paragraphs, lists and tables.

An .odt is a zip of XML parts from whoever sent it, so it goes through the same vetting as a
.qdpx (`safezip`: member paths, member count, declared sizes and compression ratio, decided
before anything is inflated), and content.xml is parsed by defusedxml with DTDs forbidden
(entity expansion, external entities). Only content.xml is read.

What a researcher codes is the body: headings, paragraphs, list items, and table rows as
"cell | cell" lines (like the .docx reader). Left out on purpose: footnotes and endnotes,
comments (office:annotation), tracked deletions, and frames' alternative text, which are
remarks about the text rather than the text. `text:s` (repeated spaces), `text:tab` and
`text:line-break` are expanded, so the words come out as the author typed them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from casecoder.errors import ImportFileError
from casecoder.ingest.model import SourceText
from casecoder.ingest.safezip import open_safe_zip
from casecoder.ingest.text import describe, normalise

MAX_ODT_BYTES = 100 * 1024 * 1024
MAX_CONTENT_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 10_000
ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
}


def _q(prefix: str, name: str) -> str:
    return f"{{{_NS[prefix]}}}{name}"


_P, _H = _q("text", "p"), _q("text", "h")
_LIST, _LIST_ITEM, _LIST_HEADER = _q("text", "list"), _q("text", "list-item"), \
    _q("text", "list-header")
_SECTION = _q("text", "section")
_TABLE, _ROW, _CELL = _q("table", "table"), _q("table", "table-row"), _q("table", "table-cell")
_ROW_GROUPS = {_q("table", n) for n in ("table-rows", "table-header-rows", "table-row-group")}
_S, _TAB, _BREAK = _q("text", "s"), _q("text", "tab"), _q("text", "line-break")
_SKIPPED = {_q("text", "note"), _q("office", "annotation"), _q("office", "annotation-end"),
            _q("text", "tracked-changes"), _q("text", "bookmark-ref")}
_C = _q("text", "c")


def read_odt(path: Path) -> SourceText:
    """The body of an OpenDocument text, one line per paragraph or table row."""
    with open_safe_zip(path, what="an OpenDocument text (.odt)", max_members=MAX_MEMBERS,
                       max_read_bytes=MAX_CONTENT_BYTES, max_ratio=MAX_RATIO,
                       counted=lambda name: name in ("content.xml", "mimetype"),
                       max_file_bytes=MAX_ODT_BYTES) as archive:
        if archive.find("mimetype") is not None:
            mimetype = archive.read("mimetype", 200).decode("ascii", "replace").strip()
            if mimetype != ODT_MIMETYPE:
                raise ImportFileError(f"{path}: not an OpenDocument text (its type is "
                                      f"{mimetype!r}; only .odt text documents are read)")
        if archive.find("content.xml") is None:
            raise ImportFileError(f"{path}: not an OpenDocument text (no content.xml inside)")
        content = archive.read("content.xml", MAX_CONTENT_BYTES)
    lines = _body_lines(path, content)
    text, warnings = normalise("\n".join(lines))
    if not text.strip():
        raise ImportFileError(f"{path}: the document has no text in its body")
    return SourceText(text, "odt", None, None, warnings)


def _body_lines(path: Path, content: bytes) -> list[str]:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(content, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ImportFileError(f"{path}: refused: content.xml declares a DTD or entities "
                              f"({type(exc).__name__})") from exc
    except Exception as exc:
        raise ImportFileError(f"{path}: not a readable OpenDocument text ({describe(exc)})"
                              ) from exc
    body = root.find(f"{_q('office', 'body')}/{_q('office', 'text')}")
    if body is None:
        raise ImportFileError(f"{path}: not an OpenDocument text (no office:text body)")
    try:
        return list(_blocks(body))
    except RecursionError as exc:
        raise ImportFileError(f"{path}: refused: content.xml nests too deeply") from exc


def _blocks(parent: Any) -> Iterator[str]:
    """Paragraph-level lines in document order, looking inside lists and sections."""
    for child in parent:
        tag = child.tag
        if tag in (_P, _H):
            yield _inline(child)
        elif tag in (_LIST, _LIST_ITEM, _LIST_HEADER, _SECTION):
            yield from _blocks(child)
        elif tag == _TABLE:
            yield from _rows(child)


def _rows(table: Any) -> Iterator[str]:
    for child in table:
        if child.tag == _ROW:
            cells = [" ".join(" ".join(_blocks(cell)).split()) for cell in child
                     if cell.tag == _CELL]
            if any(cells):
                yield " | ".join(cells)
        elif child.tag in _ROW_GROUPS:
            yield from _rows(child)


def _inline(element: Any) -> str:
    """A paragraph's text: spans flattened, spaces, tabs and line breaks expanded."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            tag = child.tag
            if tag == _S:
                count = child.get(_C, "1")
                parts.append(" " * (min(int(count), 100) if count.isdigit() else 1))
            elif tag == _TAB:
                parts.append("\t")
            elif tag == _BREAK:
                parts.append("\n")
            elif tag not in _SKIPPED:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return "".join(parts)
