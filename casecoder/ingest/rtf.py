"""Rich Text Format (.rtf, what older Word setups and WordPad save): the text, one line per
paragraph.

RTF is 7-bit text with control words; striprtf turns it into text, honouring the code page
(`\\ansicpg1252`), `\\'e6`-style escapes and `\\u248?` Unicode escapes, and drops picture groups,
font and colour tables. The file size is capped before reading (embedded pictures make RTF
files large, and the parser works on the whole string).
"""

from __future__ import annotations

from pathlib import Path

from casecoder.errors import ImportFileError
from casecoder.ingest.model import SourceText
from casecoder.ingest.text import describe, normalise, read_bytes

MAX_RTF_BYTES = 50 * 1024 * 1024


def read_rtf(path: Path) -> SourceText:
    data = read_bytes(path, MAX_RTF_BYTES)
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ImportFileError(f"{path}: not an RTF file (it does not start with {{\\rtf)")
    from striprtf.striprtf import rtf_to_text

    # RTF is 7-bit by definition; raw 8-bit bytes some writers leave in are Windows-1252,
    # and latin-1 maps every byte, so decoding never fails before the parser sees it.
    try:
        raw = data.decode("cp1252")
    except UnicodeDecodeError:
        raw = data.decode("latin-1")
    try:
        plain = rtf_to_text(raw, encoding="cp1252", errors="replace")
    except RecursionError as exc:
        raise ImportFileError(f"{path}: refused: the RTF nests too deeply") from exc
    except Exception as exc:  # untrusted input: any parser failure means a bad file
        raise ImportFileError(f"{path}: not a readable RTF file ({describe(exc)})") from exc
    text, warnings = normalise(plain)
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines).strip("\n")
    if not text.strip():
        raise ImportFileError(f"{path}: the document has no text")
    return SourceText(text, "rtf", None, None, warnings)

