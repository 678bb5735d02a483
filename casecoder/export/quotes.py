"""The quote summary researchers write their report from: themes, counts, matrices, quotes.

One model feeds every format (Markdown, HTML, DOCX, XLSX, CSV, JSON), so a count in the Word
file is the count in the spreadsheet. Per theme (a top-level code, or any chosen code) it holds:

- sections: the codings applied to the theme itself ("coded at theme level") and to each code
  below it, in codebook order; a passage coded with two subcodes appears under each;
- counts per section and for the theme: codings, distinct passages, documents, informants and
  cases (`COUNTING_NOTE` says exactly how, and every format prints it, because "12 quotes"
  means nothing in a methods section until one knows what was counted);
- one matrix per `--by` attribute: codings and documents per code and attribute value;
- the quotes themselves, with attribution, built lazily one at a time.

Memory and speed: the Project API returns codings as a list of dataclasses, so a theme's codings
are fetched one code at a time (one `project.codings()` call per code) into a compact table of
arrays (`_CodingTable`, ~130 bytes a coding against ~600); that table is what grows with the
number of quotes, one theme at a time. Documents are loaded once each (text, sentence offsets as
arrays, attributes) and quotes are located in them with bisect, so a 100k-coding export makes
a few thousand queries, not one per quote. Quotes are never collected: writers pull them from a
generator and write them out as they come.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casecoder.errors import UserError
from casecoder.model import (
    Code,
    Coding,
    Document,
    format_timestamp,
)
from casecoder.project.autocode import origin_matches

if TYPE_CHECKING:
    from casecoder.export.pseudonyms import Pseudonymizer
    from casecoder.project import Project

#: Output formats by file extension, for when --format is not given.
EXTENSIONS = {".md": "md", ".markdown": "md", ".qmd": "md", ".html": "html", ".htm": "html",
              ".docx": "docx", ".xlsx": "xlsx", ".csv": "csv", ".json": "json"}
FORMATS = ("md", "html", "docx", "xlsx", "csv", "json")
#: The breakdowns a report in the study needs when the researcher names none (if present).
DEFAULT_BY = ("case_type", "role")
NOT_SET = "(not set)"
THEME_LEVEL = "coded at theme level"
MAX_CONTEXT = 20

COUNTING_NOTE = (
    "How counts are made: codings = every application of a code (a passage coded with two "
    "subcodes counts once under each, and once per coder); passages = distinct coded spans "
    "(same document, start and end), so a passage under two subcodes counts once in the theme "
    "total. Unless one coder (--coder) or --per-coder is asked for, codings of one code in one "
    "document by different coders that overlap (share at least one character) are merged into "
    "one passage and one quote, from the earliest start to the latest end of the merged "
    "codings, listing every coder who coded it; codings that only touch stay apart. "
    "Documents, informants and cases = distinct ones with at least one coding; an informant is "
    "the speaker of the sentence where a quote starts, told apart per document unless linked "
    "to one person across documents (unlabelled text counts as one unnamed speaker; "
    "interviewers are never informants); attributes come from the speaker, then the document, "
    "then the case; a subcode's counts include only codings of that code itself, the theme's "
    "include everything below it; breakdown tables count codings (every coder's application) "
    "and documents."
)
COUNT_FIELDS = ("codings", "passages", "documents", "informants", "cases")

#: First characters that make Excel or LibreOffice run a cell as a formula.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text that XML-based files (DOCX, XLSX) can hold: control characters are dropped."""
    return _XML_ILLEGAL.sub("", text)


def paragraphs(text: str) -> list[str]:
    """Display lines of a quote: line breaks start a new paragraph, blank lines vanish."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def fold(text: str) -> str:
    """One-line form for table cells and headings."""
    return " ".join(text.split())


def format_for(path: Path, fmt: str | None) -> str:
    """The format asked for, or the one the output's extension names."""
    if fmt:
        if fmt not in FORMATS:
            raise UserError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        return fmt
    found = EXTENSIONS.get(Path(path).suffix.lower())
    if found is None:
        raise UserError(f"cannot tell the format from {Path(path).name!r}; use --format "
                        f"({'|'.join(FORMATS)}) or an extension such as .md, .xlsx, .csv")
    return found


@dataclass(frozen=True)
class QuoteOptions:
    """What the researcher asked for; validated by `QuoteExport` before anything is written."""

    themes: tuple[str, ...] = ()
    by: tuple[str, ...] | None = None  # None: DEFAULT_BY, as far as the project has them
    coder: str | None = None  # None: every coder, shown per quote
    context: int = 0
    pseudonyms: Path | None = None
    timestamp: bool = False
    per_coder: bool = False  # one quote per coding, as before passages were merged
    skip_interviewers: bool = False  # leave out quotes that start in an interviewer's turn
    origin: str = "all"  # all | manual | autocode (codings an autocode run made)
    cite: str | None = None  # citation template (casecoder.export.citations); None: default
    raw: bool = False  # CSV only: exact text, formulas not neutralised (for pandas/R)
    template: Path | None = None  # DOCX only: a .docx whose styles the export takes


@dataclass
class Counts:
    codings: int = 0
    passages: int = 0
    documents: int = 0
    informants: int = 0
    cases: int = 0

    def as_dict(self) -> dict[str, int]:
        return {f: getattr(self, f) for f in COUNT_FIELDS}

    def line(self) -> str:
        """The counts as the one sentence every display format prints under a subcode."""
        return (f"{self.codings} codings · {self.passages} passages · {self.documents} "
                f"documents · {self.informants} informants · {self.cases} cases")


@dataclass(frozen=True)
class Section:
    """The codings of one code inside a theme (the theme's own codings are a section too)."""

    code: Code
    label: str  # the code's path below the theme, or THEME_LEVEL
    level: str  # "theme" | "subcode"
    depth: int  # 0 for the theme level, 1 for a direct subcode, ...
    counts: Counts


@dataclass(frozen=True)
class Cell:
    codings: int = 0
    documents: int = 0


@dataclass(frozen=True)
class Matrix:
    """Codings and documents per code (rows) and value of one attribute (columns)."""

    attribute: str
    values: tuple[str, ...]  # raw values, sorted; NOT_SET last
    labels: tuple[str, ...]  # the values as shown (pseudonymised)
    cells: dict[tuple[int, str], Cell]
    row_totals: dict[int, Cell]  # per code id, over all values
    column_totals: dict[str, Cell]  # per value, over the whole theme
    total: Cell

    def cell(self, code_id: int, value: str) -> Cell:
        return self.cells.get((code_id, value), Cell())


@dataclass(slots=True)
class Quote:
    """One coding as the report shows it; every text field is already pseudonymised."""

    theme: str
    code: str
    section: str
    level: str
    guid: str
    document: str
    case: str
    attributes: dict[str, str]
    speaker: str
    coder: str
    memo: str
    segment: int | None
    timestamp: float | None
    start: int
    end: int
    text: str
    context_before: str
    context_after: str
    head: str = ""  # attribution_head() of the quote's document
    timestamp_text: str = ""  # the timestamp as HH:MM:SS
    page: int | None = None  # the page the quote starts on, in a paged document (PDF)
    origin: str = "manual"  # or "autocode:<run guid>"

    @property
    def role(self) -> str:
        return self.attributes.get("role", "")

    @property
    def case_type(self) -> str:
        return self.attributes.get("case_type", "")

    def attribution(self) -> str:
        """The line under a quote: who (role, case type), where (case, document, position).

        The document's part is the same for all its quotes, so it is made once per document
        (`head`); only the position, speaker and coder are joined here.
        """
        where = self.head
        if self.page is not None:
            where += f", p. {self.page}"
        if self.segment is not None:
            where += f", sentence {self.segment}"
        if self.timestamp_text:
            where += f" [{self.timestamp_text}]"
        coder = self.coder if self.origin == "manual" else f"{self.coder} (autocoded)"
        if self.speaker:
            return f"{where} · speaker: {self.speaker} · coder: {coder}"
        return f"{where} · coder: {coder}"


def attribution_head(attributes: dict[str, str], case: str, document: str) -> str:
    """The start of every attribution in one document: "role, case type · case C1 · doc"."""
    parts = []
    who = ", ".join(p for p in (attributes.get("role", ""), attributes.get("case_type", ""))
                    if p)
    if who:
        parts.append(who)
    if case:
        parts.append(f"case {case}")
    parts.append(document)
    return " · ".join(parts)


@dataclass
class _Doc:
    """What locating and attributing quotes in one document needs, loaded once.

    Only sentence segments are read: the segmenter gives every sentence the speaker and
    timestamp of the turn it lies in (sentences never cross turns), so the sentence where a
    quote starts also names its turn's speaker and timestamp.
    """

    document: Document
    name: str  # shown (pseudonymised)
    case: str  # shown
    raw_attributes: dict[str, str]
    attributes: dict[str, str]  # shown
    text: str
    starts: array[int]
    ends: array[int]
    numbers: array[int]
    speakers: list[str | None]  # interned: one object per distinct speaker
    timestamps: list[float | None]  # interned likewise
    head: str = ""  # the attribution's document part
    pages: list[int | None] | None = None  # per sentence, for paged documents (PDF) only
    shown_speakers: dict[str | None, str] = field(default_factory=dict)
    # Per speaker label with attributes of its own: (raw, shown, head), speaker > document.
    by_speaker: dict[str, tuple[dict[str, str], dict[str, str], str]] = field(
        default_factory=dict)
    interviewers: frozenset[str] = frozenset()
    persons: dict[str, str] = field(default_factory=dict)  # label -> linked person (folded)

    def informant(self, speaker: str | None) -> tuple[Any, ...] | None:
        """Who counts as the informant for a quote by this speaker (None: an interviewer)."""
        if speaker in self.interviewers:
            return None
        person = self.persons.get(speaker or "")
        if person is not None:
            return ("person", person)
        return ("speaker", self.document.id, speaker)

    def raw_for(self, speaker: str | None) -> dict[str, str]:
        own = self.by_speaker.get(speaker or "")
        return own[0] if own is not None else self.raw_attributes

    def sentence_index(self, offset: int) -> int | None:
        """The sentence containing offset (or the next one, if it falls between sentences)."""
        if not self.ends:
            return None
        return min(bisect_right(self.ends, offset), len(self.ends) - 1)

    def speaker_at(self, offset: int) -> str | None:
        i = self.sentence_index(offset)
        return None if i is None else self.speakers[i]


class _Acc:
    """Running distinct counts for one section or theme.

    Codings arrive sorted by document, so documents are counted on change of document, and the
    sets that tell passages and speakers apart are emptied at every document's end: memory is
    bounded by the busiest document, not by the number of quotes.
    """

    __slots__ = ("cases", "codings", "documents", "informants", "last_doc", "passages",
                 "spans")

    def __init__(self) -> None:
        self.codings = self.documents = self.passages = 0
        self.last_doc: int | None = None
        self.cases: set[str] = set()
        # Informants are people (a linked person spans documents), so kept for the whole
        # section: there are far fewer of them than quotes.
        self.informants: set[tuple[Any, ...]] = set()
        self.spans: set[tuple[int, int]] = set()

    def add(self, doc_id: int, span: tuple[int, int], informant: tuple[Any, ...] | None,
            case: str | None, weight: int = 1) -> None:
        self.codings += weight
        if doc_id != self.last_doc:
            self.end_document()
            self.last_doc = doc_id
            self.documents += 1
            if case:
                self.cases.add(case)
        if informant is not None:
            self.informants.add(informant)
        self.spans.add(span)

    def end_document(self) -> None:
        self.passages += len(self.spans)
        self.spans.clear()

    def counts(self) -> Counts:
        self.end_document()
        return Counts(self.codings, self.passages, self.documents, len(self.informants),
                      len(self.cases))


class _Tally:
    """Codings and distinct documents for one matrix cell (documents arrive in order)."""

    __slots__ = ("codings", "documents", "last_doc")

    def __init__(self) -> None:
        self.codings = self.documents = 0
        self.last_doc: int | None = None

    def add(self, doc_id: int, weight: int = 1) -> None:
        self.codings += weight
        if doc_id != self.last_doc:
            self.last_doc = doc_id
            self.documents += 1

    def cell(self) -> Cell:
        return Cell(self.codings, self.documents)


class _CodingTable:
    """A theme's codings, compact: what quotes and counts need, ~130 bytes a coding.

    The Project API hands codings over as a list of dataclasses (~600 bytes each with their
    strings). Fetching them one code at a time and keeping only these columns means the
    export holds that expensive form for one code at a time, never for a whole theme.
    """

    def __init__(self) -> None:
        self.doc_ids = array("q")
        self.code_ids = array("q")
        self.starts = array("q")
        self.ends = array("q")
        self.coders = array("q")  # index into coder_names
        self.weights = array("q")  # codings merged into the row (1 unless merged)
        self.guids: list[str] = []
        self.memos: dict[int, str] = {}  # only the non-empty ones
        self.origins: dict[int, str] = {}  # only the autocoded ones
        self.coder_names: list[str] = []
        self.sections: dict[int, range] = {}  # code id -> its rows, in project.codings order
        self._coder_index: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.guids)

    def add_section(self, code_id: int, codings: list[Coding], *, merge: bool = False,
                    keep: Callable[[Coding], bool] | None = None) -> None:
        """One code's codings; with ``merge``, overlapping codings of different coders in one
        document become one row (see `COUNTING_NOTE`), listing its coders."""
        first = len(self.guids)
        chosen = [c for c in codings if keep is None or keep(c)]
        for group in (_overlapping(chosen) if merge else ([c] for c in chosen)):
            c = group[0]
            self.doc_ids.append(c.document_id)
            self.code_ids.append(c.code_id)
            self.starts.append(min(g.start for g in group))
            self.ends.append(max(g.end for g in group))
            names = sorted({g.coder for g in group}, key=lambda n: (n.casefold(), n))
            name = ", ".join(names)
            coder = self._coder_index.get(name)
            if coder is None:
                coder = self._coder_index[name] = len(self.coder_names)
                self.coder_names.append(name)
            self.coders.append(coder)
            self.weights.append(len(group))
            memos = [g for g in group if g.memo]
            if len(group) == 1 and memos:
                self.memos[len(self.guids)] = c.memo
            elif memos:
                self.memos[len(self.guids)] = "\n".join(f"{g.coder}: {g.memo}" for g in memos)
            # A merged passage counts as autocoded only when no coder coded it by hand.
            origins = {g.origin for g in group}
            if "manual" not in origins:
                self.origins[len(self.guids)] = min(origins)
            self.guids.append(c.guid)
        self.sections[code_id] = range(first, len(self.guids))

    def by_document(self) -> list[int]:
        """Row numbers with each document's rows together (what the counting pass needs)."""
        return sorted(range(len(self.guids)), key=self.doc_ids.__getitem__)


def _overlapping(codings: list[Coding]) -> Iterator[list[Coding]]:
    """Codings (already in document order) grouped where they overlap within a document."""
    ordered = sorted(codings, key=lambda c: (c.document_id, c.start, c.end, c.coder))
    group: list[Coding] = []
    end = -1
    for c in ordered:
        if group and c.document_id == group[0].document_id and c.start < end:
            group.append(c)
            end = max(end, c.end)
            continue
        if group:
            yield group
        group, end = [c], c.end
    if group:
        yield group


class Theme:
    """One theme of the export: its sections, counts and matrices, and its quotes on demand."""

    def __init__(self, export: QuoteExport, code: Code, codes: list[Code],
                 table: _CodingTable) -> None:
        self.export = export
        self.code = code
        self.codes = codes  # the theme and everything below it, codebook order
        self.table = table

    @property
    def path(self) -> str:
        return self.export.show(self.code.path)

    @property
    def definition(self) -> str:
        return self.export.show(self.code.description)

    def label(self, code: Code) -> str:
        if code.id == self.code.id:
            return THEME_LEVEL
        return self.export.show(code.path[len(self.code.path) + 1:])

    @cached_property
    def _stats(self) -> tuple[list[Section], Counts, list[Matrix]]:
        export = self.export
        by = export.by
        accs = {c.id: _Acc() for c in self.codes}
        total = _Acc()
        cells: dict[str, dict[tuple[int, str], _Tally]] = {a: {} for a in by}
        rows: dict[str, dict[int, _Tally]] = {a: {} for a in by}
        columns: dict[str, dict[str, _Tally]] = {a: {} for a in by}
        corner = {a: _Tally() for a in by}
        doc: _Doc | None = None
        table = self.table
        doc_ids, code_ids, starts, ends = table.doc_ids, table.code_ids, table.starts, table.ends
        weights = table.weights
        values_of: dict[str | None, list[tuple[str, str]]] = {}
        for i in table.by_document():
            doc_id = doc_ids[i]
            if doc is None or doc.document.id != doc_id:
                doc = export.doc(doc_id)
                values_of = {}
            start = starts[i]
            span = (start, ends[i])
            # In a survey document the "speakers" are its questions: the informant is the
            # respondent, that is the document, so its turns are not told apart here.
            speaker = None if doc.document.source_format == "survey" else doc.speaker_at(start)
            values = values_of.get(speaker)
            if values is None:  # attributes resolve speaker > document > case
                raw = doc.raw_for(speaker)
                values = values_of[speaker] = [(a, raw.get(a) or NOT_SET) for a in by]
            informant = doc.informant(speaker)
            case = doc.document.case
            code_id = code_ids[i]
            weight = weights[i]
            accs[code_id].add(doc_id, span, informant, case, weight)
            total.add(doc_id, span, informant, case, weight)
            for attribute, value in values:
                key = (code_id, value)
                tally = cells[attribute].get(key)
                if tally is None:
                    tally = cells[attribute][key] = _Tally()
                tally.add(doc_id, weight)
                tally = rows[attribute].get(code_id)
                if tally is None:
                    tally = rows[attribute][code_id] = _Tally()
                tally.add(doc_id, weight)
                tally = columns[attribute].get(value)
                if tally is None:
                    tally = columns[attribute][value] = _Tally()
                tally.add(doc_id, weight)
                corner[attribute].add(doc_id, weight)
        sections = [Section(c, self.label(c), "theme" if c.id == self.code.id else "subcode",
                            c.depth - self.code.depth, accs[c.id].counts()) for c in self.codes]
        matrices = []
        for attribute in by:
            ordered = sorted(columns[attribute], key=lambda v: (v == NOT_SET, v.casefold(), v))
            matrices.append(Matrix(
                attribute, tuple(ordered), tuple(export.show(v) for v in ordered),
                {k: t.cell() for k, t in cells[attribute].items()},
                {k: t.cell() for k, t in rows[attribute].items()},
                {k: t.cell() for k, t in columns[attribute].items()},
                corner[attribute].cell()))
        return sections, total.counts(), matrices

    @property
    def sections(self) -> list[Section]:
        """Every code of the theme with its counts; the theme level only if it was used."""
        return [s for s in self._stats[0] if s.level == "subcode" or s.counts.codings]

    @property
    def counts(self) -> Counts:
        return self._stats[1]

    @property
    def matrices(self) -> list[Matrix]:
        return self._stats[2]

    def quotes(self, code: Code) -> Iterator[Quote]:
        """The quotes of one section, in document order, built one at a time."""
        label = self.label(code)
        level = "theme" if code.id == self.code.id else "subcode"
        theme_path = self.path
        code_path = self.export.show(code.path)
        for i in self.table.sections.get(code.id, ()):
            yield self.export.quote(self.table, i, theme_path, code_path, label, level)

    def all_quotes(self) -> Iterator[Quote]:
        """Every quote of the theme, section after section (the order every format uses)."""
        for code in self.codes:
            yield from self.quotes(code)


class QuoteExport:
    """A validated export request over an open project; yields its themes one at a time.

    Everything the researcher can get wrong (unknown theme, attribute or coder, an unreadable
    pseudonym file) raises UserError here, in the constructor, before any file is touched.
    """

    def __init__(self, project: Project, options: QuoteOptions) -> None:
        self.project = project
        self.options = options
        if not 0 <= options.context <= MAX_CONTEXT:
            raise UserError(f"--context must be between 0 and {MAX_CONTEXT} sentences")
        self.theme_codes = self._resolve_themes(options.themes)
        self._speakers: dict[int, list[Any]] = {}
        for speaker in project.speakers():
            self._speakers.setdefault(speaker.document_id, []).append(speaker)
        self.attribute_names = sorted({*project.attribute_names(),
                                       *project.speaker_attribute_names()})
        self.by = self._resolve_by(options.by)
        from casecoder.export.citations import Citation

        self.citation = Citation.parse(options.cite, self.attribute_names)
        self.coder = project.coder(options.coder).name if options.coder else None
        #: One quote per passage across coders (the default), or one per coding.
        self.merge = self.coder is None and not options.per_coder
        #: A consensus coder's codings are its own version: shown only when asked for by name.
        self.left_out_coders = sorted(project.consensus_coders()) if self.coder is None else []
        self.pseudonymizer: Pseudonymizer | None = None
        if options.pseudonyms is not None:
            from casecoder.export.pseudonyms import Pseudonymizer

            self.pseudonymizer = Pseudonymizer.from_file(options.pseudonyms, project.language)
        self.exported_at: str | None = None
        if options.timestamp:
            from casecoder.ids import now

            self.exported_at = now()
        self._documents = {d.id: d for d in project.documents()}
        self._attributes = project.all_attributes()
        self._docs: dict[int, _Doc] = {}
        self._coders: dict[str, str] = {}
        self._stamps: dict[float | None, str] = {}
        self._interned: dict[Any, Any] = {}
        self._show: Callable[[str], str] = (self.pseudonymizer.apply if self.pseudonymizer
                                            else _identity)

    # --- validation ----------------------------------------------------------------------

    def _resolve_themes(self, refs: Sequence[str]) -> list[Code]:
        if not refs:
            themes = self.project.children(None)
            if not themes:
                raise UserError("nothing to export: the project's codebook has no codes "
                                "(see: casecoder codebook import)")
            return themes
        out: list[Code] = []
        for ref in refs:
            code = self.project.code(ref)
            if code.id not in {c.id for c in out}:
                out.append(code)
        return out

    def _resolve_by(self, by: Sequence[str] | None) -> list[str]:
        names = self.attribute_names
        if by is None:
            return [a for a in DEFAULT_BY if a in names]
        folded = {n.casefold(): n for n in names}
        out: list[str] = []
        for attribute in by:
            found = folded.get(attribute.strip().casefold())
            if found is None:
                known = ", ".join(names) or "none yet"
                raise UserError(f"unknown attribute {attribute!r} for --by "
                                f"(attributes in this project: {known})")
            if found not in out:
                out.append(found)
        return out

    # --- what the writers read -----------------------------------------------------------

    @property
    def project_name(self) -> str:
        return self.show(self.project.name)

    @property
    def title(self) -> str:
        return f"Quote summary: {self.project_name}"

    @property
    def coder_label(self) -> str:
        if self.coder:
            return f"coder {self.show(self.coder)}"
        if not self.merge:
            return "all coders, one quote per coding (the coder is shown with each quote)"
        return ("all coders, one quote per passage (the coders who coded it are shown with "
                "each quote)")

    @property
    def extra_attributes(self) -> list[str]:
        """Attribute columns of the long formats, beside the fixed ones (case has its own)."""
        return [a for a in self.attribute_names if a != "case"]

    def intro(self) -> list[str]:
        """The opening lines every display format prints, in this order."""
        lines = [f"Project: {self.project_name} ({self.project.path.name}). "
                 f"Codings by {self.coder_label}."]
        if self.left_out_coders:
            names = ", ".join(self.show(n) for n in self.left_out_coders)
            lines.append(f"The consensus version ({names}) is left out; export it with "
                         f"--coder {self.show(self.left_out_coders[0])}.")
        if self.by:
            lines.append(f"Breakdowns by: {', '.join(self.by)}.")
        if self.options.context:
            lines.append(f"Each quote shows {self.options.context} sentence(s) of context "
                         "before and after, marked as context.")
        if self.pseudonymizer is not None:
            lines.append("Names are replaced by pseudonyms.")
        if self.exported_at:
            lines.append(f"Exported at {self.exported_at}.")
        lines.append(COUNTING_NOTE)
        return lines

    def show(self, text: str | None) -> str:
        """Any project text as it may appear in the export (pseudonymised if asked)."""
        return self._show(text or "")

    def cite(self, quote: Quote) -> str:
        """The quote's citation line, from the --cite template (the same in every format);
        an autocoded passage says so, so a report never passes one off as a coder's reading."""
        text = self.citation.render(quote)
        if (quote.page is not None and self.options.cite is None
                and "page" not in self.citation.fields):  # a document study cites pages
            text = f"{text}, p. {quote.page}"
        return text if quote.origin == "manual" else f"{text} (autocoded)"

    def themes(self) -> Iterator[Theme]:
        """The themes in the order asked, each holding only its own codings (one query per
        code of the theme, so that only one code's codings are ever held as dataclasses)."""
        for code in self.theme_codes:
            codes = self.project.descendants(code)
            table = _CodingTable()
            keep = self._keep if (self.options.skip_interviewers
                                  or self.left_out_coders) else None
            for c in codes:
                codings = self.project.codings(code=c, coder=self.coder, subcodes=False)
                if self.options.origin != "all":
                    codings = [k for k in codings if origin_matches(k.origin, self.options.origin)]
                table.add_section(c.id, codings, merge=self.merge, keep=keep)
            yield Theme(self, code, codes, table)

    # --- documents and quotes ------------------------------------------------------------

    def _keep(self, coding: Coding) -> bool:
        if coding.coder in self.left_out_coders:
            return False
        if not self.options.skip_interviewers:
            return True
        doc = self.doc(coding.document_id)
        return doc.speaker_at(coding.start) not in doc.interviewers

    def doc(self, doc_id: int) -> _Doc:
        cached = self._docs.get(doc_id)
        if cached is not None:
            return cached
        document = self._documents[doc_id]
        sentences = self.project.segments(document, "sentence")
        raw = dict(self._attributes.get(document.name, {}))
        intern = self._interned.setdefault
        cached = _Doc(
            document=document, name=self.show(document.name), case=self.show(document.case),
            raw_attributes=raw,
            attributes={k: self.show(v) for k, v in raw.items() if k != "case"},
            text=self.project.text(document),
            # Arrays and interned values: a list of ints from SQLite costs ~36 bytes an entry,
            # which for a thousand interviews is more than all their texts together.
            starts=array("q", [s.start for s in sentences]),
            ends=array("q", [s.end for s in sentences]),
            numbers=array("q", [s.number for s in sentences]),
            speakers=[intern(s.speaker, s.speaker) for s in sentences],
            timestamps=[intern(s.timestamp, s.timestamp) for s in sentences],
            pages=([s.page for s in sentences]
                   if any(s.page is not None for s in sentences) else None))
        cached.head = attribution_head(cached.attributes, cached.case, cached.name)
        for speaker in self._speakers.get(doc_id, ()):
            if speaker.interviewer:
                cached.interviewers |= {speaker.label}
            if speaker.person:
                cached.persons[speaker.label] = speaker.person.casefold()
            if speaker.attributes:
                own = {**raw, **speaker.attributes}
                shown = {k: self.show(v) for k, v in own.items() if k != "case"}
                cached.by_speaker[speaker.label] = (
                    own, shown, attribution_head(shown, cached.case, cached.name))
        self._docs[doc_id] = cached
        return cached

    def _stamp(self, seconds: float | None) -> str:
        """HH:MM:SS of a timestamp, formatted once per distinct timestamp."""
        shown = self._stamps.get(seconds)
        if shown is None:
            shown = self._stamps[seconds] = format_timestamp(seconds)
        return shown

    def _coder_shown(self, name: str) -> str:
        shown = self._coders.get(name)
        if shown is None:
            shown = self._coders[name] = self.show(name)
        return shown

    @staticmethod
    def _context(speaker: str | None, pieces: list[tuple[str | None, str]]) -> str:
        """Context sentences as one text; when another speaker is in it (the interviewer's
        question before an answer), every run of one speaker's sentences is labelled."""
        groups: list[tuple[str | None, list[str]]] = []
        for who, piece in pieces:
            piece = piece.strip()
            if not piece:
                continue
            if groups and groups[-1][0] == who:
                groups[-1][1].append(piece)
            else:
                groups.append((who, [piece]))
        if all(who == speaker for who, _ in groups):
            return " ".join(" ".join(texts) for _, texts in groups)
        return "\n".join(f"{who}: {' '.join(texts)}" if who else " ".join(texts)
                         for who, texts in groups)

    def quote(self, table: _CodingTable, i: int, theme: str, code: str, label: str,
              level: str) -> Quote:
        """Row i of a theme's coding table as a Quote, pseudonymised and attributed."""
        doc = self._docs.get(table.doc_ids[i]) or self.doc(table.doc_ids[i])
        text = doc.text
        show = self._show
        start, end = table.starts[i], table.ends[i]
        first = doc.sentence_index(start)
        raw_speaker = None if first is None else doc.speakers[first]
        speaker = doc.shown_speakers.get(raw_speaker)
        if speaker is None:
            speaker = doc.shown_speakers[raw_speaker] = show(raw_speaker or "")
        before = after = ""
        n = self.options.context
        if n and first is not None:
            last = doc.sentence_index(max(start, end - 1))
            last = first if last is None else last
            before = show(self._context(raw_speaker, [
                *((doc.speakers[k], text[doc.starts[k]:doc.ends[k]])
                  for k in range(max(0, first - n), first)),
                (raw_speaker, text[doc.starts[first]:start])]))
            after = show(self._context(raw_speaker, [
                (doc.speakers[last], text[end:doc.ends[last]]),
                *((doc.speakers[k], text[doc.starts[k]:doc.ends[k]])
                  for k in range(last + 1, min(len(doc.ends), last + n + 1)))]))
        memo = table.memos.get(i, "")
        own = doc.by_speaker.get(raw_speaker or "")
        attributes, head = (own[1], own[2]) if own is not None else (doc.attributes, doc.head)
        return Quote(
            theme, code, label, level, table.guids[i], doc.name, doc.case, attributes,
            speaker, self._coder_shown(table.coder_names[table.coders[i]]),
            show(memo) if memo else "",
            None if first is None else doc.numbers[first],
            None if first is None else doc.timestamps[first],
            start, end, show(text[start:end]), before, after,
            head, self._stamp(None if first is None else doc.timestamps[first]),
            None if first is None or doc.pages is None else doc.pages[first],
            table.origins.get(i, "manual"))


#: Columns of the long formats (CSV, the XLSX all-quotes sheet) around the attribute columns.
LEAD_COLUMNS = ("theme", "code", "level", "document", "case")
TAIL_COLUMNS = ("sentence", "timestamp", "speaker", "coder", "start", "end", "quote",
                "context_before", "context_after", "memo", "coding")


def long_columns(export: QuoteExport) -> list[str]:
    """Header of the long format: one column per attribute, renamed if it clashes."""
    fixed = set(LEAD_COLUMNS) | set(TAIL_COLUMNS)
    attrs = [f"attribute:{a}" if a in fixed else a for a in export.extra_attributes]
    return [*LEAD_COLUMNS, *attrs, *TAIL_COLUMNS]


def long_row(export: QuoteExport, quote: Quote) -> list[str | int]:
    """One coding as a row of the long format (text exact, not yet neutralised)."""
    return [quote.theme, quote.code, quote.level, quote.document, quote.case,
            *[quote.attributes.get(a, "") for a in export.extra_attributes],
            "" if quote.segment is None else quote.segment, quote.timestamp_text,
            quote.speaker, quote.coder, quote.start, quote.end, quote.text,
            quote.context_before, quote.context_after, quote.memo, quote.guid]


def _identity(text: str) -> str:
    return text


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    themes: int
    codings: int
    pseudonym_report: list[str]


def export_quotes(project: Project, output: Path, options: QuoteOptions,
                  fmt: str | None = None) -> ExportResult:
    """Validate everything, then write the export atomically; a failure leaves no file."""
    from casecoder.export.atomic import check_writable

    target = check_writable(Path(output), protect=(project.path,))
    fmt = format_for(output, fmt)
    export = QuoteExport(project, options)
    writer = _writer(fmt)
    codings = writer(export, target)
    report = export.pseudonymizer.report() if export.pseudonymizer else []
    return ExportResult(target, fmt, len(export.theme_codes), codings, report)


def _writer(fmt: str) -> Callable[[QuoteExport, Path], int]:
    """The format's writer, imported only when used (python-docx and XlsxWriter are heavy)."""
    if fmt == "md":
        from casecoder.export.quotes_md import write_markdown

        return write_markdown
    if fmt == "html":
        from casecoder.export.quotes_html import write_html

        return write_html
    if fmt == "docx":
        from casecoder.export.quotes_docx import write_docx

        return write_docx
    if fmt == "xlsx":
        from casecoder.export.quotes_xlsx import write_xlsx

        return write_xlsx
    if fmt == "csv":
        from casecoder.export.quotes_csv import write_csv

        return write_csv
    from casecoder.export.quotes_json import write_json

    return write_json
