"""Word .docx transcripts: body paragraphs and table rows, nothing else.

A .docx is a zip of XML parts from whoever sent it, so the archive is vetted before python-docx
sees it: member paths, member count, total uncompressed size and compression ratio (a zip bomb
is a few kilobytes that inflate to gigabytes), and a DOCTYPE in any XML part (entity expansion;
python-docx's lxml parser is configured with resolve_entities=False and lxml never fetches from
the network by default, but a DOCTYPE has no business in a Word document, so it is refused).

Headers, footers, footnotes and comments are left out on purpose: they hold page numbers,
project names and reviewers' remarks, not what the informant said.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from casecoder.errors import ImportFileError
from casecoder.ingest.text import describe

MAX_DOCX_BYTES = 100 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_MEMBERS = 10_000
# Below this, the ratio says nothing: tiny XML parts of repeated tags compress extremely well.
_RATIO_FLOOR_BYTES = 1024 * 1024

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _TBL, _SDT = f"{{{_W_NS}}}p", f"{{{_W_NS}}}tbl", f"{{{_W_NS}}}sdt"
_SDT_CONTENT = f"{{{_W_NS}}}sdtContent"


def read_docx_text(path: Path, data: bytes) -> str:
    """The document body as text: one line per paragraph, one line per table row."""
    check_archive(path, data)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        lines: list[str] = []
        for element in _block_elements(body):
            if element.tag == _P:
                lines.append(Paragraph(element, document).text)
            else:
                lines.extend(_table_rows(Table(element, document)))
    except ImportFileError:
        raise
    except Exception as exc:  # untrusted input: any parser failure means a bad file
        raise ImportFileError(f"{path}: not a readable Word document ({describe(exc)})") from exc
    return "\n".join(lines)


def check_archive(path: Path, data: bytes) -> None:
    """Refuse unsafe or non-Word zips before any member is inflated by a parser."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise ImportFileError(
            f"{path}: not a .docx file (not a valid zip archive; an old .doc must be saved as "
            ".docx first)"
        ) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ImportFileError(f"{path}: refused: the archive has {len(infos)} members")
        names = set()
        total = compressed = 0
        for info in infos:
            name = info.filename
            pure = PurePosixPath(name.replace("\\", "/"))
            if pure.is_absolute() or ".." in pure.parts or (len(name) > 1 and name[1] == ":"):
                raise ImportFileError(f"{path}: refused: unsafe member path {name!r} in archive")
            names.add(name)
            total += info.file_size
            compressed += info.compress_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise ImportFileError(
                f"{path}: refused: the archive inflates to {total / 1e6:.0f} MB "
                f"(limit {MAX_UNCOMPRESSED_BYTES / 1e6:.0f} MB)"
            )
        if total > _RATIO_FLOOR_BYTES and total > MAX_COMPRESSION_RATIO * max(compressed, 1):
            raise ImportFileError(
                f"{path}: refused: suspicious compression ratio "
                f"({total / max(compressed, 1):.0f}:1, limit {MAX_COMPRESSION_RATIO}:1)"
            )
        if "word/document.xml" not in names:
            raise ImportFileError(f"{path}: not a Word document (no word/document.xml inside)")
        for info in infos:
            lower = info.filename.lower()
            if lower.endswith((".xml", ".rels")):
                _refuse_doctype(path, archive, info)


def _refuse_doctype(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """A DOCTYPE can only come before the root element, so parsing stops at the first tag."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    try:
        with archive.open(info) as member:
            for _event, _element in iterparse(member, events=("start",), forbid_dtd=True):
                break
    except DefusedXmlException as exc:
        raise ImportFileError(
            f"{path}: refused: {info.filename} declares a DTD or entities ({type(exc).__name__})"
        ) from exc
    except Exception as exc:
        raise ImportFileError(
            f"{path}: not a readable Word document ({info.filename}: {type(exc).__name__})"
        ) from exc


def _block_elements(parent: Any) -> Iterator[Any]:
    """Body paragraphs and tables in document order, looking inside content controls."""
    for child in parent.iterchildren():
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT:
            for content in child.iterchildren(_SDT_CONTENT):
                yield from _block_elements(content)


def _table_rows(table: Any) -> Iterator[str]:
    """One line per row, cells joined by " | "; a merged cell is written once."""
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        yield " | ".join(cells)
