"""Turning untrusted bytes into the one canonical text every offset points into.

Researchers in Norway still receive transcripts saved by old Word or Notepad setups in
Windows-1252, and charset-normalizer alone tends to call short Norwegian text cp1250 (which
turns "æøå" into "ćřĺ"). So the order is: BOMs, then strict UTF-8, then a Western guess that is
checked for plausibility, and only then charset-normalizer for everything else.
"""

from __future__ import annotations

import codecs
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from casecoder.errors import ImportFileError

MAX_TEXT_BYTES = 50 * 1024 * 1024

# Line separators that str.splitlines() honours but "\n".split would not: mapping them to "\n"
# keeps line numbers identical for every consumer of the text.
_LINE_BREAKS = re.compile("\r\n|[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# C0/C1 controls other than tab and newline, plus stray BOMs / zero-width no-break spaces.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ufeff]")
# The same two rules, in one pattern, for the reading that also needs a map of every offset.
_CLEAN_WITH_BREAKS = re.compile(f"({_LINE_BREAKS.pattern})|{_CONTROLS.pattern}")
_NON_ASCII_LETTER = re.compile(r"[^\W\d_a-zA-Z]")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warnings: tuple[str, ...]
    #: How sure the detection is, 0-1 (1.0 for a BOM, valid UTF-8 or an encoding given).
    confidence: float = 1.0


# A well-formed UTF-8 multi-byte sequence (no overlongs, no surrogates).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}"
    rb"|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}")


def decode_as(data: bytes, path: Path, encoding: str) -> Decoded:
    """Decode with the encoding the researcher named (`--encoding`), strictly."""
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise ImportFileError(f"{path}: unknown encoding {encoding!r}") from None
    if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    try:
        return Decoded(data.decode(codec), codec, (f"read as {codec} (given)",), 1.0)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFileError(f"{path}: not valid {codec} (line {line}, byte {exc.start})"
                              ) from None


def read_bytes(path: Path, limit: int) -> bytes:
    """Read a whole file, refusing directories, missing files and anything over `limit` bytes."""
    try:
        if not path.exists():
            raise ImportFileError(f"{path}: file not found")
        if not path.is_file():
            raise ImportFileError(f"{path}: not a regular file")
        size = path.stat().st_size
        if size > limit:
            raise ImportFileError(
                f"{path}: file is too large ({size / 1e6:.1f} MB; the limit is "
                f"{limit / 1e6:.0f} MB)"
            )
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    if len(data) > limit:  # grew between stat and read
        raise ImportFileError(f"{path}: file is too large (the limit is {limit / 1e6:.0f} MB)")
    return data


def decode(data: bytes, path: Path) -> Decoded:
    """Decode file bytes, naming the encoding found; raises ImportFileError for binary data."""
    for bom, codec, name in (
        (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), name, ())
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    f"{path}: starts with a {name} byte-order mark but is not valid {name} "
                    f"(byte {exc.start})"
                ) from exc
    if b"\x00" in data:
        bomless = _bomless_utf16(data)
        if bomless is not None:
            return Decoded(data.decode(bomless), bomless, ())
        raise ImportFileError(
            f"{path}: looks like a binary file (it contains NUL bytes); "
            "if it is text, save it as UTF-8"
        )
    try:
        return Decoded(data.decode("utf-8"), "utf-8", ())
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    for codec, confidence in (("cp1252", 0.8), ("latin-1", 0.6)):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _plausibly_western(text):
            return Decoded(text, codec, (f"not UTF-8: read as {codec}",), confidence)
    return _guess(data, path)


def _mostly_utf8(data: bytes) -> Decoded | None:
    """A UTF-8 file with a few bad bytes is UTF-8: never re-read it as a single-byte encoding.

    Read as cp1252, every "å" of such a file would become "Ã¥" in the immutable text. Real
    cp1252 text almost never forms valid UTF-8 sequences, so when well-formed multi-byte
    sequences outnumber the invalid bytes the file is decoded as UTF-8, each bad byte becomes
    U+FFFD, and the lines holding them are reported.
    """
    valid = len(_UTF8_SEQUENCE.findall(data))
    if not valid:
        return None
    escaped = data.decode("utf-8", errors="surrogateescape")  # one pass; bad bytes -> U+DCxx
    positions = [m.start() for m in _ESCAPED.finditer(escaped)]
    invalid = len(positions)
    if invalid >= valid:
        return None
    lines: list[int] = []
    line, last = 1, 0
    for pos in positions:
        line += escaped.count("\n", last, pos)
        last = pos
        if not lines or lines[-1] != line:
            lines.append(line)
    shown = ", ".join(map(str, lines[:10])) + (" ..." if len(lines) > 10 else "")
    return Decoded(_ESCAPED.sub("\ufffd", escaped), "utf-8", (
        f"{invalid} invalid UTF-8 byte(s) replaced by U+FFFD on line(s) {shown}; fix the "
        "file and import it again, or force an encoding with --encoding",),
        round(valid / (valid + invalid), 2))


_ESCAPED = re.compile("[\udc80-\udcff]")


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM (some Windows tools write it) shows NULs in every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    half = len(data) // 2
    even_nuls, odd_nuls = data[0::2].count(0), data[1::2].count(0)
    if odd_nuls >= 0.9 * half and even_nuls == 0:
        codec = "utf-16-le"
    elif even_nuls >= 0.9 * half and odd_nuls == 0:
        codec = "utf-16-be"
    else:
        return None
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return None
    return codec


def _plausibly_western(text: str) -> bool:
    """Western European prose has few non-ASCII letters; Cyrillic or Greek misread as cp1252
    turns nearly every letter into an accented Latin one, and binary turns into controls."""
    letters = len(_LETTER.findall(text))
    if letters == 0:
        return False
    controls = len(_CONTROLS.findall(text))
    if controls > 0.01 * len(text):
        return False
    return len(_NON_ASCII_LETTER.findall(text)) <= 0.4 * letters + 3


def _guess(data: bytes, path: Path) -> Decoded:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ImportFileError(
            f"{path}: not readable as text (unknown encoding or binary data); "
            "save it as UTF-8 and import it again"
        )
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ImportFileError(f"{path}: not readable as text ({best.encoding} failed)") from exc
    if len(_CONTROLS.findall(text)) > 0.01 * len(text):
        raise ImportFileError(f"{path}: looks like a binary file, not text")
    confidence = round(max(0.0, 1.0 - float(best.chaos)), 2)
    return Decoded(text, best.encoding, (f"not UTF-8: read as {best.encoding} (a guess)",),
                   confidence)


def normalise(text: str) -> tuple[str, tuple[str, ...]]:
    """Canonical form of a document text: LF line endings, no controls, NFC.

    Returns the text and warnings (removed control characters are reported, not silently lost).
    """
    text = _LINE_BREAKS.sub("\n", text)
    warnings: list[str] = []
    boms = text.count("\ufeff")
    removed = len(_CONTROLS.findall(text))
    if removed:
        text = _CONTROLS.sub("", text)
        if removed > boms:
            warnings.append(f"removed {removed - boms} control character(s)")
    return unicodedata.normalize("NFC", text), tuple(warnings)


# --- the same canonical text, with a map of positions ----------------------------------


@functools.cache
def _composing_starters() -> frozenset[str]:
    """Characters with combining class 0 that NFC can still merge into the character before
    them (Hangul vowels and trailing consonants, some Indic vowel signs)."""
    found = {chr(cp) for cp in (*range(0x1161, 0x1176), *range(0x11A8, 0x11C3))}
    for cp in range(0x110000):
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                second = chr(int(parts[1], 16))
                if unicodedata.combining(second) == 0:
                    found.add(second)
    return frozenset(found)


def normalise_with_positions(raw: str) -> tuple[str, list[int]]:
    """The text as casecoder stores it (LF line ends, no control characters, NFC) and, for
    every offset 0..len(raw) in the text as written, the offset it becomes.

    Other tools count positions in the text they wrote (MAXQDA writes CRLF), but casecoder
    stores LF: without this map every coding after the first line break would drift.
    """
    pieces: list[str] = []
    mapping: list[int] = []
    out = last = 0
    for match in _CLEAN_WITH_BREAKS.finditer(raw):
        start, end = match.span()
        pieces.append(raw[last:start])
        mapping.extend(range(out, out + start - last))
        out += start - last
        if match.group(1):
            mapping.extend([out] * (end - start))
            pieces.append("\n")
            out += 1
        else:
            mapping.append(out)
        last = end
    pieces.append(raw[last:])
    mapping.extend(range(out, out + len(raw) - last))
    out += len(raw) - last
    mapping.append(out)
    cleaned = "".join(pieces)
    if unicodedata.is_normalized("NFC", cleaned):
        return cleaned, mapping
    composed, nfc_map = _nfc_with_positions(cleaned)
    return composed, [nfc_map[m] for m in mapping]


def _nfc_with_positions(text: str) -> tuple[str, list[int]]:
    starters = _composing_starters()
    bounds = [0]
    for i in range(1, len(text)):
        ch = text[i]
        if unicodedata.combining(ch) == 0 and ch not in starters:
            bounds.append(i)
    bounds.append(len(text))
    pieces: list[str] = []
    mapping: list[int] = []
    out = 0
    for a, b in itertools.pairwise(bounds):
        chunk = text[a:b]
        composed = unicodedata.normalize("NFC", chunk)
        pieces.append(composed)
        if len(composed) == len(chunk):
            mapping.extend(range(out, out + len(chunk)))
        else:  # a position inside a merged cluster moves to the cluster's start
            mapping.extend([out] * len(chunk))
        out += len(composed)
    mapping.append(out)
    return "".join(pieces), mapping



def describe(exc: BaseException, limit: int = 160) -> str:
    """A parser's exception, short enough for a one-line error: some quote the whole input."""
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())
    return detail if len(detail) <= limit else detail[: limit - 1] + "…"


def require_text(text: str, path: Path) -> None:
    if not text.strip():
        raise ImportFileError(f"{path}: the file is empty or contains only whitespace")
