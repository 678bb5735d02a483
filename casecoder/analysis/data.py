"""What the analysis room works on: the project's codings, documents and units, loaded once.

`load_analysis_data` reads every coding and the sentence segments of the whole project in
two queries (through the Project API's `coding_rows` / `segment_rows`) into compact columns,
so that a matrix or a co-occurrence table over 100,000 codings is a pass over arrays, not a
query per cell. Everything after loading is pure: the functions in `matrix.py`,
`cooccurrence.py` and `retrieval.py` take this object and return plain results.

Speakers: the informant of a coding is the speaker label of the sentence where it starts
(the quote export's rule), told apart per document. When speaker records with attributes
arrive (the team issue), `speaker_at` is where a speaker's record (and its attributes, for a
`--where` on the speaker) plugs in; today the label is all there is.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from casecoder.errors import UserError
from casecoder.model import Code

if TYPE_CHECKING:
    from casecoder.project import Project

NOT_SET = "(not set)"
UNNAMED_SPEAKER = "(no speaker label)"
#: Column kinds that are not attributes (they win over an attribute of the same name).
SPECIAL_COLUMNS = ("document", "coder", "speaker")


@dataclass
class DocInfo:
    """One document as analysis needs it: attributes, size and its sentences' speakers."""

    id: int
    name: str
    case: str | None
    words: int
    attributes: dict[str, str]
    starts: array[int] = field(default_factory=lambda: array("q"))
    ends: array[int] = field(default_factory=lambda: array("q"))
    speakers: list[str | None] = field(default_factory=list)

    def sentence_index(self, offset: int) -> int | None:
        """The sentence containing offset (or the next one, if between sentences)."""
        if not self.ends:
            return None
        return min(bisect_right(self.ends, offset), len(self.ends) - 1)

    def speaker_at(self, offset: int) -> str | None:
        i = self.sentence_index(offset)
        return None if i is None else self.speakers[i]


@dataclass
class AnalysisData:
    """Every coding as parallel columns (sorted by document, start) plus documents and codes."""

    codes: list[Code]
    coders: dict[int, str]
    docs: dict[int, DocInfo]
    guids: list[str]
    doc_ids: array[int]
    code_ids: array[int]
    coder_ids: array[int]
    starts: array[int]
    ends: array[int]
    speakers: list[str | None]  # speaker of the sentence each coding starts in
    project: Project | None = None
    _units: dict[str, UnitTable] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.guids)

    def unit_table(self, kind: str) -> UnitTable:
        """Segments of one kind per document, read from the project the first time."""
        table = self._units.get(kind)
        if table is None:
            if self.project is None:
                raise UserError(f"no {kind} segments were loaded for this analysis")
            table = self._units[kind] = load_unit_table(self.project, kind)
        return table

    # --- codes ---------------------------------------------------------------------------

    def code(self, ref: str | int) -> Code:
        if self.project is not None:
            return self.project.code(ref)
        for c in self.codes:
            if c.id == ref or c.path.casefold() == str(ref).casefold():
                return c
        raise UserError(f"unknown code {ref!r}")

    def subtree(self, code: Code) -> set[int]:
        """Ids of the code and everything below it."""
        prefix = code.path + "/"
        return {c.id for c in self.codes if c.id == code.id or c.path.startswith(prefix)}

    def coder_id(self, name: str) -> int:
        for coder_id, coder in self.coders.items():
            if coder == name.strip():
                return coder_id
        known = ", ".join(sorted(self.coders.values(), key=str.casefold)) or "none yet"
        raise UserError(f"unknown coder {name!r} (coders in this project: {known})")

    def attribute_names(self) -> list[str]:
        names = {k for d in self.docs.values() for k in d.attributes}
        return sorted(names, key=str.casefold)

    def resolve_attribute(self, name: str) -> str:
        """An attribute name as stored (matched without regard to case), or UserError."""
        folded = {n.casefold(): n for n in self.attribute_names()}
        found = folded.get(name.strip().casefold())
        if found is None:
            known = ", ".join(self.attribute_names()) or "none yet"
            raise UserError(f"unknown attribute {name!r} (attributes in this project: {known}; "
                            f"or one of {', '.join(SPECIAL_COLUMNS)})")
        return found


def load_analysis_data(project: Project) -> AnalysisData:
    """Read the whole project once: codings, documents with attributes, sentence speakers."""
    attributes = project.all_attributes()
    docs: dict[int, DocInfo] = {}
    for d in project.documents():
        docs[d.id] = DocInfo(d.id, d.name, d.case, d.word_count, attributes.get(d.name, {}))
    intern: dict[str | None, str | None] = {}
    current: DocInfo | None = None
    for doc_id, _number, start, end, speaker in project.segment_rows("sentence"):
        if current is None or current.id != doc_id:
            current = docs.get(doc_id)
            if current is None:
                continue
        current.starts.append(start)
        current.ends.append(end)
        current.speakers.append(intern.setdefault(speaker, speaker))
    guids: list[str] = []
    doc_ids, code_ids, coder_ids = array("q"), array("q"), array("q")
    starts, ends = array("q"), array("q")
    speakers: list[str | None] = []
    current = None
    for _id, guid, doc_id, code_id, coder_id, start, end in project.coding_rows():
        if current is None or current.id != doc_id:
            current = docs[doc_id]
        guids.append(guid)
        doc_ids.append(doc_id)
        code_ids.append(code_id)
        coder_ids.append(coder_id)
        starts.append(start)
        ends.append(end)
        speakers.append(current.speaker_at(start))
    coders = {c.id: c.name for c in project.coders()}
    return AnalysisData(project.codes(), coders, docs, guids, doc_ids, code_ids, coder_ids,
                        starts, ends, speakers, project)


@dataclass(frozen=True)
class Selection:
    """Which codings and documents an analysis looks at.

    - coder: only this coder's codings; None = every coder.
    - once_per_passage: with every coder, codings of one code on the same passage (same
      document, start and end) by several coders count as one coding (their GUIDs stay
      together behind it). This is the "all coders counted once per passage" rule.
    - documents: only these documents (names); empty = all.
    - where: attribute -> accepted values; values of one attribute are ORed, different
      attributes ANDed (as on the quotes screen). NOT_SET matches documents without it.
    - speakers: only codings starting in a sentence of one of these speakers.
    """

    coder: str | None = None
    once_per_passage: bool = False
    documents: tuple[str, ...] = ()
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    speakers: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [f"coder {self.coder}" if self.coder else
                 ("all coders, each passage counted once per code" if self.once_per_passage
                  else "all coders (each coder's coding counted)")]
        for key, values in self.where:
            parts.append(f"{key} = {' | '.join(values)}")
        if self.documents:
            parts.append(f"documents: {', '.join(self.documents)}")
        if self.speakers:
            parts.append(f"speakers: {', '.join(self.speakers)}")
        return "; ".join(parts)


#: Every coding of every coder in every document: the default selection.
ALL = Selection()


def parse_where(items: Iterable[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`ATTR=VALUE` options, grouped by attribute (repeat one attribute to OR its values)."""
    grouped: dict[str, list[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise UserError(f"--where {item!r} is not of the form ATTRIBUTE=VALUE "
                            "(e.g. --where role=pro-rector)")
        values = grouped.setdefault(key, [])
        if value not in values:
            values.append(value)
    return tuple((k, tuple(v)) for k, v in grouped.items())


def selected_documents(data: AnalysisData, selection: Selection) -> list[DocInfo]:
    """The documents that pass the document and attribute filters, by name."""
    wanted: set[int] | None = None
    if selection.documents:
        by_name = {d.name.casefold(): d.id for d in data.docs.values()}
        wanted = set()
        for name in selection.documents:
            found = by_name.get(name.strip().casefold())
            if found is None:
                raise UserError(f"no document named {name!r} in this project "
                                "(see: casecoder docs PROJECT)")
            wanted.add(found)
    where = [(data.resolve_attribute(k), set(v)) for k, v in selection.where]
    out = []
    for d in data.docs.values():
        if wanted is not None and d.id not in wanted:
            continue
        if any((d.attributes.get(k) or NOT_SET) not in values for k, values in where):
            continue
        out.append(d)
    return sorted(out, key=lambda d: d.name.casefold())


def selected_rows(data: AnalysisData, selection: Selection,
                  code_ids: set[int] | None = None) -> list[int]:
    """Row numbers of the codings that pass the selection (before once-per-passage)."""
    docs = {d.id for d in selected_documents(data, selection)}
    coder = data.coder_id(selection.coder) if selection.coder else None
    speakers = set(selection.speakers)
    out = []
    doc_ids, coder_ids, code_col = data.doc_ids, data.coder_ids, data.code_ids
    all_docs = len(docs) == len(data.docs)
    for i in range(len(data.guids)):
        if not all_docs and doc_ids[i] not in docs:
            continue
        if coder is not None and coder_ids[i] != coder:
            continue
        if code_ids is not None and code_col[i] not in code_ids:
            continue
        if speakers and (data.speakers[i] or UNNAMED_SPEAKER) not in speakers:
            continue
        out.append(i)
    return out


def passage_groups(data: AnalysisData, rows: Sequence[int],
                   once_per_passage: bool) -> list[list[int]]:
    """Codings grouped as they are counted: one group per coding, or with once_per_passage,
    one per (code, document, start, end) across coders."""
    if not once_per_passage:
        return [[i] for i in rows]
    groups: dict[tuple[int, int, int, int], list[int]] = {}
    for i in rows:
        key = (data.code_ids[i], data.doc_ids[i], data.starts[i], data.ends[i])
        groups.setdefault(key, []).append(i)
    return list(groups.values())


UnitTable = dict[int, tuple["array[int]", "array[int]", "array[int]"]]


def load_unit_table(project: Project, kind: str) -> UnitTable:
    """Per document the starts, ends and numbers of its segments of one kind, sorted."""
    table: UnitTable = {}
    for doc_id, number, start, end, _speaker in project.segment_rows(kind):
        entry = table.get(doc_id)
        if entry is None:
            entry = table[doc_id] = (array("q"), array("q"), array("q"))
        entry[0].append(start)
        entry[1].append(end)
        entry[2].append(number)
    return table
