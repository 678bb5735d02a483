"""Small PDF, ODT and RTF files written in the tests, so every fixture is visible in code.

PDFs are assembled byte by byte (catalog, page tree, one standard Helvetica font with
WinAnsiEncoding so æ ø å are single bytes, one content stream per page): the smallest thing
that real PDF readers accept, and no PDF-writing dependency. ODT files are the zip + XML that
LibreOffice writes, reduced to what a reader needs.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Sequence


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def page_stream(lines: Sequence[str], *, gap_after: Sequence[int] = ()) -> bytes:
    """Text lines from the top of an A4 page, 14 points apart (more after `gap_after`)."""
    out = [b"BT /F1 11 Tf"]
    y = 800
    for i, line in enumerate(lines):
        out.append(b"1 0 0 1 56 %d Tm " % y + _pdf_string(line) + b" Tj")
        y -= 28 if i in gap_after else 14
    out.append(b"ET")
    return b"\n".join(out)


IMAGE_ONLY_STREAM = (b"q 200 0 0 200 56 500 cm\nBI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI"
                     b"\nQ")


def make_pdf(streams: Sequence[bytes], *, compress: bool = False) -> bytes:
    """A PDF with one page per content stream."""
    objects: list[bytes] = []
    n_pages = len(streams)
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n_pages)
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                   b"/Encoding /WinAnsiEncoding >>")
    for i, stream in enumerate(streams):
        content_ref = 5 + 2 * i
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                       % content_ref)
        if compress:
            body = zlib.compress(stream)
            objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body)
                           + body + b"\nendstream")
        else:
            objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream
                           + b"\nendstream")
    return _assemble(objects)


def _assemble(objects: list[bytes]) -> bytes:
    buf = io.BytesIO()
    buf.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(buf.tell())
        buf.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = buf.tell()
    buf.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        buf.write(b"%010d 00000 n \n" % offset)
    buf.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return buf.getvalue()


def encrypt_pdf(data: bytes, password: str = "hemmelig") -> bytes:
    """The same PDF encrypted with RC4 (pypdf does that without a cryptography library)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


_ODT_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'office:version="1.3"')


def make_odt(body_xml: str, *, mimetype: str = "application/vnd.oasis.opendocument.text",
             extra: dict[str, bytes] | None = None, prolog: str = "") -> bytes:
    """An .odt whose office:text holds `body_xml`."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
               f"<office:document-content {_ODT_NS}><office:body><office:text>"
               f"{body_xml}</office:text></office:body></office:document-content>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        archive.writestr("content.xml", content.encode("utf-8"), zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", "<manifest/>", zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            archive.writestr(name, data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()
