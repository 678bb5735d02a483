"""What the analysis room works on: the project's codings, documents and units, loaded once.

`load_analysis_data` reads every coding and the sentence segments of the whole project in
two queries (through the Project API's `coding_table` / `segment_rows`) into numpy columns, so
that a matrix or a co-occurrence table over 100,000 codings is a few array operations, not a
query (or a Python loop) per cell. Everything after loading is pure: the functions in
`matrix.py`, `cooccurrence.py` and `retrieval.py` take this object and return plain results.
GUIDs are read only when something asks for them (a JSON export, a drill-down).

Speakers and informants (the quote export's rules, `casecoder/export/quotes.py`): the speaker
of a coding is the speaker label of the sentence where it starts (or of the next sentence if it
starts between sentences). Its informant is that speaker's record (`Project.speakers`):
interviewers are never informants, speakers linked to one `person` are one informant across
documents, and a survey document is its one informant (its "speakers" are questions). Its
attributes resolve speaker > document > case: every (document, speaker label) pair belongs to
one *source*, the document's own or, for a speaker with attributes of its own, the speaker's,
so a group interview's informants land in their own `--by role` columns and `--where` matches
what the speaker is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from casecoder.errors import UserError
from casecoder.model import Code

if TYPE_CHECKING:
    from casecoder.project import Project

NOT_SET = "(not set)"
UNNAMED_SPEAKER = "(no speaker label)"
#: Column kinds that are not attributes (they win over an attribute of the same name).
SPECIAL_COLUMNS = ("document", "coder", "speaker")
_SHIFT = np.int64(1 << 32)  # document id * _SHIFT + offset: one sortable key per position

Ints = NDArray[np.int64]


def sorted_unique(values: Ints) -> Ints:
    """np.unique by sorting: on 100,000s of large int64 keys numpy's hash table is slower."""
    ordered = np.sort(values)
    first = np.ones(ordered.size, dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return ordered[first]


@dataclass
class DocInfo:
    """One document as analysis needs it: attributes, size and its sentences' speakers."""

    id: int
    name: str
    case: str | None
    words: int
    attributes: dict[str, str]
    speakers: set[int] = field(default_factory=set)  # speaker codes of its sentences
    survey: bool = False


@dataclass
class Source:
    """Where a coding's attributes come from: a document, or one speaker of it with its own
    attributes (speaker > document > case), with the informants and words it holds."""

    doc: int
    attributes: dict[str, str]
    informants: set[int] = field(default_factory=set)  # indices into informant_keys
    words: int = 0
    pairs: int = 0  # speaker labels of the document whose sentences it holds


@dataclass
class UnitTable:
    """Segments of one kind for the whole project, sorted by document and start."""

    doc: Ints
    start: Ints
    end: Ints
    number: Ints

    def ranges(self, doc: Ints, start: Ints, end: Ints) -> tuple[Ints, Ints]:
        """For spans, the [first, last) unit indices they cover by at least one character."""
        start_keys = self.doc * _SHIFT + self.start
        end_keys = self.doc * _SHIFT + self.end
        first = np.searchsorted(end_keys, doc * _SHIFT + start, side="right")
        last = np.searchsorted(start_keys, doc * _SHIFT + end, side="left")
        return first, np.maximum(last, first)

    def by_document(self) -> dict[int, tuple[Ints, Ints, Ints]]:
        """Per document its (starts, ends, numbers)."""
        out: dict[int, tuple[Ints, Ints, Ints]] = {}
        if not self.doc.size:
            return out
        cuts = np.flatnonzero(np.diff(self.doc)) + 1
        for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, self.doc.size], strict=True):
            out[int(self.doc[lo])] = (self.start[lo:hi], self.end[lo:hi], self.number[lo:hi])
        return out


@dataclass
class AnalysisData:
    """Every coding as parallel numpy columns (sorted by document, start) plus documents."""

    codes: list[Code]
    coders: dict[int, str]
    docs: dict[int, DocInfo]
    ids: Ints  # coding ids
    doc_ids: Ints
    code_ids: Ints
    coder_ids: Ints
    starts: Ints
    ends: Ints
    speaker_codes: Ints  # index into speaker_names of the sentence each coding starts in
    speaker_names: list[str | None]
    project: Project | None = None
    sources: list[Source] = field(default_factory=list)
    informant_keys: list[tuple[Any, ...]] = field(default_factory=list)
    #: (document id * len(speaker_names) + speaker code) -> source / informant (-1: none)
    pair_keys: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pair_sources: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pair_informants: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _sentence_speakers: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _units: dict[str, UnitTable] = field(default_factory=dict)
    _guids: list[str] | None = None
    _passage_ids: Ints | None = None

    def __len__(self) -> int:
        return int(self.ids.size)

    @property
    def guids(self) -> list[str]:
        """GUIDs in row order, read from the project the first time they are needed."""
        if self._guids is None:
            if self.project is None:
                raise UserError("no GUIDs were loaded for this analysis")
            by_id = dict(self.project.coding_guids())
            self._guids = [by_id[int(i)] for i in self.ids]
        return self._guids

    @property
    def speakers(self) -> list[str | None]:
        names = self.speaker_names
        return [names[c] for c in self.speaker_codes.tolist()]

    @property
    def passage_ids(self) -> Ints:
        """One id per distinct (document, start, end): the passage of each coding."""
        if self._passage_ids is None:
            order = np.lexsort((self.ends, self.starts, self.doc_ids))
            new = np.ones(order.size, dtype=bool)
            if order.size:
                new[1:] = ((np.diff(self.doc_ids[order]) != 0)
                           | (np.diff(self.starts[order]) != 0)
                           | (np.diff(self.ends[order]) != 0))
            ids = np.empty(order.size, dtype=np.int64)
            ids[order] = np.cumsum(new) - 1
            self._passage_ids = ids
        return self._passage_ids

    def unit_table(self, kind: str) -> UnitTable:
        """Segments of one kind, read from the project the first time."""
        table = self._units.get(kind)
        if table is None:
            if self.project is None:
                raise UserError(f"no {kind} segments were loaded for this analysis")
            table = self._units[kind] = load_unit_table(self.project, kind)[0]
        return table

    def pair_index(self, doc_ids: Ints, speaker_codes: Ints) -> Ints:
        """Index into pair_sources / pair_informants of each (document, speaker code)."""
        keys = doc_ids * np.int64(len(self.speaker_names)) + speaker_codes
        return np.searchsorted(self.pair_keys, keys)

    def speakers_at(self, doc_ids: Ints, starts: Ints) -> Ints:
        """The speaker code at each (document, offset): of the sentence holding it."""
        sentences = self.unit_table("sentence")
        return _speakers_at(sentences, self._sentence_speakers, doc_ids, starts)

    # --- codes, coders, attributes --------------------------------------------------------

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
        names |= {k for src in self.sources for k in src.attributes}
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


def load_unit_table(project: Project, kind: str) -> tuple[UnitTable, list[Any]]:
    """Segments of one kind as arrays, and their speaker labels in the same order."""
    rows = project.segment_rows(kind)
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return UnitTable(empty, empty, empty, empty), []
    # One object array, sliced: faster than zip(*rows) for 100,000+ rows.
    table = np.array(rows, dtype=object)
    numbers = table[:, :4].astype(np.int64)
    return (UnitTable(numbers[:, 0].copy(), numbers[:, 2].copy(), numbers[:, 3].copy(),
                      numbers[:, 1].copy()), [r[4] for r in rows])


def load_analysis_data(project: Project) -> AnalysisData:
    """Read the whole project once: codings, documents with attributes, sentence speakers."""
    attributes = project.all_attributes()
    docs: dict[int, DocInfo] = {}
    for d in project.documents():
        docs[d.id] = DocInfo(d.id, d.name, d.case, d.word_count, attributes.get(d.name, {}),
                             survey=d.source_format == "survey")
    sentences, labels = load_unit_table(project, "sentence")
    index: dict[str | None, int] = {None: 0}
    codes_of_sentences = np.fromiter((index.setdefault(s, len(index)) for s in labels),
                                     dtype=np.int64, count=len(labels))
    names: list[str | None] = [None] * len(index)
    for label, i in index.items():
        names[i] = label
    rows = project.coding_table()
    columns = (np.array(rows, dtype=np.int64).reshape(-1, 6) if rows
               else np.zeros((0, 6), dtype=np.int64))
    ids, doc_ids, code_ids, coder_ids, starts, ends = (columns[:, k].copy() for k in range(6))
    speaker_codes = _speakers_at(sentences, codes_of_sentences, doc_ids, starts)
    if sentences.doc.size:
        pairs = np.unique(sentences.doc * 1_000_003 + codes_of_sentences)
        for key in pairs.tolist():
            doc = docs.get(key // 1_000_003)
            if doc is not None:
                doc.speakers.add(key % 1_000_003)
    for doc in docs.values():
        if not doc.speakers:
            doc.speakers.add(0)  # no sentences: one unnamed speaker, as the export counts
    coders = {c.id: c.name for c in project.coders()}
    data = AnalysisData(project.codes(), coders, docs, ids, doc_ids, code_ids, coder_ids,
                        starts, ends, speaker_codes, names, project)
    data._units["sentence"] = sentences
    data._sentence_speakers = codes_of_sentences
    _load_sources(data, project)
    return data


def _load_sources(data: AnalysisData, project: Project) -> None:
    """Per (document, speaker label) its source of attributes and its informant (see top)."""
    records = {(s.document_id, s.label): s for s in project.speakers()}
    keys: dict[tuple[Any, ...], int] = {}
    nspeakers = len(data.speaker_names)
    pair_keys: list[int] = []
    pair_sources: list[int] = []
    pair_informants: list[int] = []
    for doc in sorted(data.docs.values(), key=lambda d: d.id):
        own = len(data.sources)
        data.sources.append(Source(doc.id, doc.attributes, words=doc.words))
        for code in sorted(doc.speakers):
            label = data.speaker_names[code]
            record = None if doc.survey or label is None else records.get((doc.id, label))
            source = own
            if record is not None and record.attributes:
                source = len(data.sources)
                data.sources.append(Source(doc.id, {**doc.attributes, **record.attributes},
                                           words=record.words))
                data.sources[own].words -= record.words
            if record is not None and record.interviewer:
                informant = -1
            else:
                key = (("document", doc.id) if doc.survey else record.informant_key
                       if record is not None else ("speaker", doc.id, label))
                informant = keys.setdefault(key, len(keys))
                data.sources[source].informants.add(informant)
            data.sources[source].pairs += 1
            pair_keys.append(doc.id * nspeakers + code)
            pair_sources.append(source)
            pair_informants.append(informant)
        data.sources[own].words = max(data.sources[own].words, 0)
    data.informant_keys = list(keys)
    order = np.argsort(np.array(pair_keys, dtype=np.int64), kind="stable")
    data.pair_keys = np.array(pair_keys, dtype=np.int64)[order]
    data.pair_sources = np.array(pair_sources, dtype=np.int64)[order]
    data.pair_informants = np.array(pair_informants, dtype=np.int64)[order]


def _speakers_at(sentences: UnitTable, speaker_codes: Ints, doc_ids: Ints,
                 starts: Ints) -> Ints:
    """The speaker code of the sentence containing each start (or the next; the last one)."""
    out = np.zeros(doc_ids.size, dtype=np.int64)
    if not sentences.doc.size or not doc_ids.size:
        return out
    end_keys = sentences.doc * _SHIFT + sentences.end
    found = np.searchsorted(end_keys, doc_ids * _SHIFT + starts, side="right")
    lo = np.searchsorted(sentences.doc, doc_ids, side="left")
    hi = np.searchsorted(sentences.doc, doc_ids, side="right")
    has = hi > lo
    found = np.minimum(found, hi - 1)
    out[has] = speaker_codes[found[has]]
    return out


@dataclass(frozen=True)
class Selection:
    """Which codings and documents an analysis looks at, and how coders are counted.

    - coder: only this coder's codings; None = every coder.
    - once_per_passage: kept for old scripts; the default now does what it asked for.
    - documents: only these documents (names); empty = all.
    - where: attribute -> accepted values; values of one attribute are ORed, different
      attributes ANDed (as on the quotes screen). NOT_SET matches where it is not set.
      Attributes resolve speaker > document > case, so `role=pro-rector` picks the
      pro-rector's codings in a group interview, not the other informants'.
    - speakers: only codings starting in a sentence of one of these speaker labels.
    - per_coder: with every coder, count each coder's coding as its own passage (no merge).

    Default (every coder, not per_coder): the quote export's rule: overlapping codings of
    one code in one document (by several coders) are one passage, spanning from the
    earliest start to the latest end, its speaker the one where that passage starts.
    """

    coder: str | None = None
    once_per_passage: bool = False
    documents: tuple[str, ...] = ()
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    speakers: tuple[str, ...] = ()
    per_coder: bool = False

    @property
    def merged(self) -> bool:
        """Whether overlapping codings of one code are merged into one passage."""
        return self.coder is None and not self.per_coder

    def describe(self) -> str:
        parts = [f"coder {self.coder}" if self.coder else
                 ("all coders, each coder's coding its own passage" if self.per_coder
                  else "all coders, overlapping codings of a code merged into one passage")]
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


def _wanted_documents(data: AnalysisData, selection: Selection) -> set[int] | None:
    if not selection.documents:
        return None
    by_name = {d.name.casefold(): d.id for d in data.docs.values()}
    wanted = set()
    for name in selection.documents:
        found = by_name.get(name.strip().casefold())
        if found is None:
            raise UserError(f"no document named {name!r} in this project "
                            "(see: casecoder docs PROJECT)")
        wanted.add(found)
    return wanted


def selected_sources(data: AnalysisData, selection: Selection) -> list[int]:
    """Indices of the sources (document or speaker attributes) passing the filters."""
    wanted = _wanted_documents(data, selection)
    where = [(data.resolve_attribute(k), set(v)) for k, v in selection.where]
    out = []
    for i, src in enumerate(data.sources):
        if not src.pairs or (wanted is not None and src.doc not in wanted):
            continue
        if any((src.attributes.get(k) or NOT_SET) not in values for k, values in where):
            continue
        out.append(i)
    return out


def selected_documents(data: AnalysisData, selection: Selection) -> list[DocInfo]:
    """The documents with at least one source passing the filters, by name."""
    ids = {data.sources[i].doc for i in selected_sources(data, selection)}
    return sorted((data.docs[i] for i in ids), key=lambda d: d.name.casefold())


@dataclass
class Counted:
    """The selected codings with what they count as (aligned with `rows`).

    starts/ends: the passage (merged across coders by default); sources, informants
    (-1: an interviewer) and speakers: at the passage's start; passages: one id per
    distinct (document, start, end) passage.
    """

    rows: Ints
    starts: Ints
    ends: Ints
    speakers: Ints
    sources: Ints
    informants: Ints
    passages: Ints


def _merged_spans(data: AnalysisData, rows: Ints) -> tuple[Ints, Ints]:
    """Per row the span of its group of overlapping codings of one code in one document
    (the quote export's `_overlapping`: sharing a character merges, touching does not)."""
    if not rows.size:
        return rows.copy(), rows.copy()
    order = np.lexsort((data.ends[rows], data.starts[rows], data.doc_ids[rows],
                        data.code_ids[rows]))
    r = rows[order]
    code, doc, start, end = data.code_ids[r], data.doc_ids[r], data.starts[r], data.ends[r]
    segment_new = np.ones(r.size, dtype=bool)
    segment_new[1:] = (np.diff(code) != 0) | (np.diff(doc) != 0)
    segment = np.cumsum(segment_new)
    reach = np.maximum.accumulate(segment * _SHIFT + end)
    new = segment_new.copy()
    new[1:] |= segment[1:] * _SHIFT + start[1:] >= reach[:-1]
    firsts = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    group_start = start[firsts]
    group_end = np.maximum.reduceat(end, firsts)
    out_start = np.empty(rows.size, dtype=np.int64)
    out_end = np.empty(rows.size, dtype=np.int64)
    out_start[order] = group_start[group]
    out_end[order] = group_end[group]
    return out_start, out_end


def _passage_ids(doc: Ints, start: Ints, end: Ints) -> Ints:
    if not doc.size:
        return doc.copy()
    _unique, inverse = np.unique(np.column_stack((doc, start, end)), axis=0,
                                 return_inverse=True)
    return inverse.reshape(-1).astype(np.int64)


def counted_rows(data: AnalysisData, selection: Selection,
                 code_ids: set[int] | None = None) -> Counted:
    """The codings passing the selection, with their passage, source and informant."""
    mask = np.ones(len(data), dtype=bool)
    wanted = _wanted_documents(data, selection)
    if wanted is not None:
        mask &= np.isin(data.doc_ids, np.array(sorted(wanted), dtype=np.int64))
    if selection.coder:
        mask &= data.coder_ids == data.coder_id(selection.coder)
    if code_ids is not None:
        mask &= np.isin(data.code_ids, np.array(sorted(code_ids), dtype=np.int64))
    rows = np.flatnonzero(mask)
    if selection.merged:
        starts, ends = _merged_spans(data, rows)
        speakers = data.speakers_at(data.doc_ids[rows], starts)
    else:
        starts, ends = data.starts[rows], data.ends[rows]
        speakers = data.speaker_codes[rows]
    doc = data.doc_ids[rows]
    pair = data.pair_index(doc, speakers)
    sources = data.pair_sources[pair] if pair.size else pair
    informants = data.pair_informants[pair] if pair.size else pair
    keep = np.ones(rows.size, dtype=bool)
    if selection.where:
        keep &= np.isin(sources, np.array(selected_sources(data, selection), dtype=np.int64))
    if selection.speakers:
        wanted_speakers = [i for i, name in enumerate(data.speaker_names)
                           if (name or UNNAMED_SPEAKER) in set(selection.speakers)]
        keep &= np.isin(speakers, np.array(wanted_speakers, dtype=np.int64))
    rows, starts, ends, speakers = rows[keep], starts[keep], ends[keep], speakers[keep]
    sources, informants = sources[keep], informants[keep]
    return Counted(rows, starts, ends, speakers, sources, informants,
                   _passage_ids(data.doc_ids[rows], starts, ends))


def selected_rows(data: AnalysisData, selection: Selection,
                  code_ids: set[int] | None = None) -> Ints:
    """Row numbers of the codings that pass the selection (each coding, never merged)."""
    return counted_rows(data, Selection(
        selection.coder, False, selection.documents, selection.where, selection.speakers,
        per_coder=True), code_ids).rows


def once_per_passage(data: AnalysisData, rows: Ints) -> Ints:
    """The first of each (code, passage) among rows: one coding per passage across coders."""
    if not rows.size:
        return rows
    keys = data.code_ids[rows] * np.int64(len(data) + 1) + data.passage_ids[rows]
    _unique, first = np.unique(keys, return_index=True)
    return rows[np.sort(first)]
