"""One frozen, in-memory picture of a whole project, keyed by GUID.

Every whole-project exchange goes through it: a .qdpx is read into a snapshot and a snapshot is
written out as a .qdpx; a pseudonymised copy is a snapshot with names replaced; a merge builds
another project's snapshot into this one. So the rules for what a project is made of (and how
a coding points at its document, code and coder) are written once, here, instead of once per
format.

Records refer to each other by GUID only (never by database id), so a snapshot can be made
from one project and built into another. Every record has an `extra` mapping: fields that a
later casecoder adds (a speaker's attributes, a coding's origin, a page location) travel there
until they earn a typed field; `extra` is written to and read from the `casecoder.json` member
of a .qdpx unchanged, so older and newer casecoders pass each other's additions through.
See docs/architecture.md, "Adding a field to the exchange".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from casecoder.model import MemoKind, SegmentKind

#: A JSON value (what `json.loads` gives): Any, because its shape is only known, and
#: checked, where a key is read. The one Any of the exchange; everything else names it.
JsonValue = Any
#: A record's extension fields (see the module docstring).
Extra = Mapping[str, JsonValue]
Match = Literal["new", "merge"]
FrameworkRowKind = Literal["case", "document"]
SEGMENT_KINDS: tuple[SegmentKind, ...] = ("sentence", "turn", "paragraph")



@dataclass(frozen=True)
class SegmentRecord:
    kind: SegmentKind
    number: int
    start: int
    end: int
    speaker: str | None = None
    timestamp: float | None = None
    page: int | None = None  # the page it starts on, in a paged document (schema 5)


@dataclass(frozen=True)
class SpeakerRecord:
    """A speaker label of a document (schema 3): interviewer mark, the person it is, and
    the speaker's own attributes. The label is the turns' speaker, so it is found again in
    the document's segments; turns and words are counted from them, never carried."""

    label: str
    interviewer: bool = False
    person: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentRecord:
    """A document with its text; `segments` None means "segment the text when built"."""

    guid: str
    name: str
    text: str
    source_format: str = "txt"
    source_name: str = ""
    encoding: str | None = None
    language: str | None = None
    imported_at: str | None = None
    case: str | None = None  # GUID of a CaseRecord
    attributes: Mapping[str, str] = field(default_factory=dict)
    segments: tuple[SegmentRecord, ...] | None = None
    speakers: tuple[SpeakerRecord, ...] = ()
    extra: Extra = field(default_factory=dict)


@dataclass(frozen=True)
class CodeRecord:
    """A code; `parent` is a GUID, and parents always come before their children."""

    guid: str
    name: str
    parent: str | None = None
    description: str = ""
    color: str | None = None  # None: the file had no colour, none is invented
    keywords: tuple[str, ...] = ()
    shortcut: str | None = None
    codable: bool = True
    extra: Extra = field(default_factory=dict)


@dataclass(frozen=True)
class CaseRecord:
    guid: str
    name: str
    description: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)
    extra: Extra = field(default_factory=dict)


@dataclass(frozen=True)
class CoderRecord:
    guid: str
    name: str
    kind: str = "coder"  # "consensus" for a consensus coder (schema 3)
    extra: Extra = field(default_factory=dict)


@dataclass(frozen=True)
class CodingRecord:
    """A coded span [start, end) of a document's text, by a coder, with a code."""

    guid: str
    document: str
    code: str
    coder: str  # GUID of a CoderRecord
    start: int
    end: int
    memo: str = ""
    created_at: str | None = None
    origin: str = "manual"  # or "autocode:<run guid>" (schema 6)
    extra: Extra = field(default_factory=dict)


@dataclass(frozen=True)
class MemoTarget:
    """What a memo is about. `ref` is the document's or the code's GUID; a segment memo names
    its document, and the segment by kind and number and/or by its span."""

    kind: MemoKind
    ref: str | None = None
    segment_kind: SegmentKind | None = None
    number: int | None = None
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class MemoRecord:
    guid: str
    target: MemoTarget
    coder: str  # GUID of a CoderRecord
    text: str
    created_at: str | None = None
    updated_at: str | None = None
    extra: Extra = field(default_factory=dict)


@dataclass(frozen=True)
class DecisionRecord:
    """A review decision (schema 3): the consensus coder's choice on one unit and code.
    Matched by consensus coder, document, code, unit and number; `coders` are the compared
    coders by name; [start, end) is the unit's span (moved with a pseudonymised text)."""

    consensus: str  # GUID of a CoderRecord
    document: str
    code: str
    unit: SegmentKind
    number: int
    start: int
    end: int
    choice: str  # a | b | both | neither
    coders: tuple[str, ...]
    memo: str = ""
    decided_at: str | None = None


@dataclass(frozen=True)
class SummaryRecord:
    """A framework summary (schema 4): one coder's text on one (case or document) x code
    cell. Matched like a memo: by GUID, else by cell and coder."""

    guid: str
    row_kind: FrameworkRowKind
    row: str  # GUID of the CaseRecord or DocumentRecord
    code: str
    coder: str  # GUID of a CoderRecord
    text: str
    created_at: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True)
class AutocodeRunRecord:
    """An autocode run (schema 6), matched by GUID; its codings carry
    origin "autocode:<guid>". `codes` are paths as they were when it ran."""

    guid: str
    coder: str | None  # GUID of a CoderRecord
    kind: str  # search | speaker | keywords
    query: str
    unit: str
    codes: tuple[str, ...] = ()
    options: Extra = field(default_factory=dict)
    codings: int = 0
    created_at: str | None = None


@dataclass(frozen=True)
class CodeSet:
    guid: str | None
    name: str
    members: tuple[str, ...]  # code GUIDs


@dataclass(frozen=True)
class Snapshot:
    """A whole project. Lists are in a stable order (codes: parents before children)."""

    name: str
    guid: str | None = None
    language: str | None = None
    created_at: str | None = None
    codebook_name: str = ""
    codebook_description: str = ""
    coders: tuple[CoderRecord, ...] = ()
    codes: tuple[CodeRecord, ...] = ()
    cases: tuple[CaseRecord, ...] = ()
    documents: tuple[DocumentRecord, ...] = ()
    codings: tuple[CodingRecord, ...] = ()
    memos: tuple[MemoRecord, ...] = ()
    code_sets: tuple[CodeSet, ...] = ()
    decisions: tuple[DecisionRecord, ...] = ()
    summaries: tuple[SummaryRecord, ...] = ()
    autocode_runs: tuple[AutocodeRunRecord, ...] = ()
    #: GUIDs of objects casecoder has no row for ("variable:NAME", "set:NAME").
    object_guids: Mapping[str, str] = field(default_factory=dict)
    #: Project metadata REFI-QDA carries that casecoder only keeps for the round trip
    #: (origin, modifiedDateTime, creating and modifying user, User@id ...).
    extra: Extra = field(default_factory=dict)

    # --- lookups (computed; a snapshot never changes) -------------------------------------

    def code_paths(self) -> dict[str, str]:
        """Code GUID -> path ("theme/sub")."""
        paths: dict[str, str] = {}
        for code in self.codes:
            parent = paths.get(code.parent) if code.parent else None
            paths[code.guid] = f"{parent}/{code.name}" if parent else code.name
        return paths

    def coder_names(self) -> dict[str, str]:
        return {c.guid: c.name for c in self.coders}

    def documents_by_guid(self) -> dict[str, DocumentRecord]:
        return {d.guid: d for d in self.documents}

    def cases_by_guid(self) -> dict[str, CaseRecord]:
        return {c.guid: c for c in self.cases}

    def children(self) -> dict[str | None, list[CodeRecord]]:
        out: dict[str | None, list[CodeRecord]] = {}
        for code in self.codes:
            out.setdefault(code.parent, []).append(code)
        return out

    def segments_of(self, document: DocumentRecord,
                    kind: SegmentKind) -> Iterator[SegmentRecord]:
        return (s for s in document.segments or () if s.kind == kind)
