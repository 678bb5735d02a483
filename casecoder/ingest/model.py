"""What a reader hands to the project: the text that every offset will point into.

The text is fixed here, once, at import: NFC, "\\n" line endings, no BOM or stray control
characters. Everything downstream (segments, codings, exports, agreement) counts code points of
this string, so readers must never hand back anything they would normalise differently later.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Turn:
    """One speaker turn, located by offsets so the label stays out of quotes and sentences."""

    start: int  # offset of the turn's first character (timestamp or label included)
    body_start: int  # offset where the speech begins (after "[00:12:31] Intervjuer: ")
    end: int  # exclusive end of the speech, trailing whitespace excluded
    speaker: str | None  # None for unlabelled text (a header, or a transcript without labels)
    timestamp: float | None  # seconds


@dataclass(frozen=True)
class SourceText:
    """A decoded, normalised file; `turns` is set only when the file format itself has turns."""

    text: str
    format: str  # "txt" | "md" | "docx" | "vtt" | "srt" | "pdf" | "odt" | "rtf" | "survey"
    encoding: str | None  # detected encoding for txt/md, else None
    turns: tuple[Turn, ...] | None  # from the file's structure (vtt/srt); None = parse labels
    warnings: tuple[str, ...] = ()
    #: How sure the encoding detection is, 0-1 (None where the format fixes the encoding).
    confidence: float | None = None
    #: Paged sources (PDF): the offset where each page starts, page 1 first; None = no pages.
    pages: tuple[int, ...] | None = None

    def page_at(self, offset: int) -> int | None:
        """The 1-based page an offset lies on, or None for a source without pages."""
        if not self.pages:
            return None
        from bisect import bisect_right

        return max(1, bisect_right(self.pages, offset))


@dataclass(frozen=True)
class SegmentSpec:
    """A unit a researcher can code in one keystroke: [start, end) into SourceText.text."""

    kind: str  # "sentence" | "turn" | "paragraph"
    number: int  # 1-based per kind, in text order
    start: int
    end: int
    speaker: str | None
    timestamp: float | None
    page: int | None = None  # the page it starts on, for paged sources (PDF)
