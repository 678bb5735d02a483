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
