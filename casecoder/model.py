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
