"""Plain dataclasses the domain API hands to the CLI, the TUI and the exporters.

They are snapshots, not live rows: changing one changes nothing in the project. Offsets are
[start, end) code-point indices into the document's immutable text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: The closed sets of values the schema's CHECK constraints allow.
SegmentKind = Literal["sentence", "turn", "paragraph"]
MemoKind = Literal["project", "document", "code", "segment"]
EventKind = Literal["do", "undo", "redo"]
ImportStatus = Literal["imported", "skipped", "failed"]


@dataclass(frozen=True)
class Coder:
    id: int
    guid: str
    name: str
    kind: str = "coder"  # "consensus" for a consensus coder (schema 3)


@dataclass(frozen=True)
class Case:
    id: int
    guid: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Document:
    id: int
    guid: str
    name: str
    length: int
    word_count: int
    sha256: str
    source_format: str
    source_name: str
    encoding: str | None
    language: str
    imported_at: str
    case: str | None


@dataclass(frozen=True)
class Segment:
    id: int
    document_id: int
    kind: SegmentKind
    number: int
    start: int
    end: int
    speaker: str | None
    timestamp: float | None
    page: int | None = None  # the page it starts on, in a paged document (PDF)


@dataclass(frozen=True)
class Code:
    id: int
    guid: str
    parent_id: int | None
    name: str
    path: str
    description: str
    color: str
    keywords: tuple[str, ...]
    shortcut: str | None
    position: int
    codable: bool
    depth: int = 0
    #: False when the code has no colour of its own (a .qdpx without one): `color` is then a
    #: display colour chosen from the palette, and exports leave the colour out.
    color_set: bool = True


@dataclass(frozen=True)
class Coding:
    id: int
    guid: str
    document_id: int
    document: str
    code_id: int
    code_path: str
    coder_id: int
    coder: str
    start: int
    end: int
    memo: str
    created_at: str
    origin: str = "manual"  # or "autocode:<run guid>"

    @property
    def autocoded(self) -> bool:
        return self.origin != "manual"


@dataclass(frozen=True)
class Memo:
    id: int
    guid: str
    target_kind: MemoKind
    target_id: int
    target: str
    coder: str
    text: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Event:
    id: int
    coder: str | None
    at: str
    kind: EventKind
    action: str
    summary: str
    target_event: int | None
    undoable: bool
    document: str | None = None


@dataclass(frozen=True)
class SearchHit:
    document: str
    segment_number: int
    start: int
    end: int
    speaker: str | None
    timestamp: float | None
    text: str
    snippet: str


@dataclass(frozen=True)
class ImportResult:
    """What happened to one file of an import batch."""

    path: str
    status: ImportStatus
    message: str
    document: Document | None = None
    encoding: str | None = None
    segments: dict[str, int] = field(default_factory=dict)
    words: int = 0
    confidence: float | None = None  # of the detected encoding, 0-1
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodingRecord:
    """A coding brought in from outside (demo data, a .qdpx, another project) by any coder."""

    document: str | int
    code: str | int
    coder: str
    start: int
    end: int
    memo: str = ""
    guid: str | None = None
    created_at: str | None = None
    origin: str = "manual"  # or "autocode:<run guid>" (schema 6)


@dataclass(frozen=True)
class UnitHit:
    """A unit (sentence, turn or paragraph) matching a search, with the matched words.

    `highlights` are [start, end) offsets into the document text of the surface words that
    matched, so every front end can mark them without knowing about lemmas.
    """

    document: str
    document_id: int
    unit: str
    segment_id: int
    number: int
    start: int
    end: int
    speaker: str | None
    timestamp: float | None
    text: str
    highlights: tuple[tuple[int, int], ...] = ()

    def marked(self, left: str = "[", right: str = "]") -> str:
        """The unit's text with the matched words bracketed."""
        out, pos = [], self.start
        for s, e in self.highlights:
            out += [self.text[pos - self.start:s - self.start], left,
                    self.text[s - self.start:e - self.start], right]
            pos = e
        out.append(self.text[pos - self.start:])
        return "".join(out)


class SentenceIndex:
    """A document's sentences, searchable by offset without a query per passage.

    The one definition of "the sentence at an offset" (the TUI, the CLI tables and the quote
    screens use it): the sentence containing the offset, or the next one if the offset falls
    between sentences, as `Project.segment_at(doc, offset, "sentence")` answers.
    """

    def __init__(self, sentences: list[Segment]) -> None:
        from bisect import bisect_right

        self._bisect = bisect_right
        self.sentences = list(sentences)
        self.ends = [s.end for s in self.sentences]

    def index_at(self, offset: int) -> int | None:
        i = self._bisect(self.ends, offset)
        return i if i < len(self.sentences) else None

    def at(self, offset: int) -> Segment | None:
        i = self.index_at(offset)
        return None if i is None else self.sentences[i]

    def label(self, start: int, end: int) -> str:
        """'12' or '12-14': the sentence numbers a passage [start, end) touches."""
        first = self.at(start)
        last = self.at(max(start, end - 1))
        if first is None:
            return ""
        if last is None or last.number == first.number:
            return str(first.number)
        return f"{first.number}-{last.number}"


def format_timestamp(seconds: float | None) -> str:
    """Seconds as hh:mm:ss, the one way casecoder writes a time (tables, panels, exports)."""
    if seconds is None:
        return ""
    total = round(seconds)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def parse_timestamp(value: str) -> float | None:
    """Seconds from "[00:12:31]", "(12:31)", "00:12:31,5"; None if a field is out of range."""
    parts = value.strip("[]()").replace(",", ".").split(":")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        return None
    if len(numbers) not in (2, 3) or any(n < 0 for n in numbers):
        return None
    if len(numbers) == 3 and (numbers[1] >= 60 or numbers[2] >= 60):
        return None
    if len(numbers) == 2 and numbers[1] >= 60:
        return None
    seconds = 0.0
    for number in numbers:
        seconds = seconds * 60 + number
    return seconds
