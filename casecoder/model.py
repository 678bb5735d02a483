"""Plain dataclasses the domain API hands to the CLI, the TUI and the exporters.

They are snapshots, not live rows: changing one changes nothing in the project. Offsets are
[start, end) code-point indices into the document's immutable text.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Coder:
    id: int
    guid: str
    name: str


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
    kind: str
    number: int
    start: int
    end: int
    speaker: str | None
    timestamp: float | None


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


@dataclass(frozen=True)
class Memo:
    id: int
    guid: str
    target_kind: str
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
    kind: str
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
    status: str  # "imported" | "skipped" | "failed"
    message: str
    document: Document | None = None
    encoding: str | None = None
    segments: dict[str, int] = field(default_factory=dict)
    words: int = 0


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
