"""The code x attribute matrix: how many codings, passages, documents, informants and cases
each code has per value of an attribute (or per case, document, coder or speaker).

Counting rules (`COUNTING_NOTE`, printed by every output) are the quote export's
(`casecoder/export/quotes.py`): codings = every application of a code, once per coder;
passages = distinct (document, start, end) spans; documents, informants and cases = distinct
ones with at least one coding, an informant being the speaker of the sentence where the
coding starts, told apart per document. A theme's row counts everything below it (a passage
under two subcodes is one passage of the theme); a subcode's row counts only its own codings.
With `Selection.once_per_passage`, codings of one code on the same passage by several coders
count as one coding ("all coders counted once per passage").

The normalised measures divide by what the column holds, so that a BIP column with two
interviews and a KA220 column with one can be compared: share of the column's documents
(informants) with the code, and codings per 1,000 words of the column's documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from casecoder.analysis.data import (
    ALL,
    NOT_SET,
    UNNAMED_SPEAKER,
    AnalysisData,
    DocInfo,
    Selection,
    passage_groups,
    selected_documents,
    selected_rows,
)
from casecoder.errors import UserError
from casecoder.model import Code

COUNT_MEASURES = ("codings", "passages", "documents", "informants", "cases")
NORMALISED_MEASURES = ("share_documents", "share_informants", "per_1000_words")
MEASURES = COUNT_MEASURES + NORMALISED_MEASURES
MEASURE_LABELS = {
    "codings": "codings", "passages": "passages", "documents": "documents",
    "informants": "informants", "cases": "cases",
    "share_documents": "% of the column's documents", "share_informants":
    "% of the column's informants", "per_1000_words": "codings per 1,000 words"}
TOTAL = "(total)"
ALL_ROWS = "(all rows)"

COUNTING_NOTE = (
    "How counts are made: codings = every application of a code (once per coder, unless "
    "'each passage counted once per code' is stated: then codings of one code on the same "
    "span by several coders count once); passages = distinct coded spans (same document, "
    "start and end); documents, informants and cases = distinct ones with at least one "
    "coding; an informant is the speaker of the sentence where a coding starts, told apart "
    "per document (unlabelled text counts as one unnamed speaker); a theme's row includes "
    "everything below it, a subcode's only its own codings. Normalised: share of the "
    "column's documents (or informants: every speaker of the column's documents) with the "
    "code, and codings per 1,000 words of the column's documents (of the speaker's "
    "sentences for speaker columns). The total column and row count distinct passages, "
    "documents, informants and cases, so they are not sums."
)


@dataclass(frozen=True)
class MatrixRow:
    code: Code
    level: str  # "theme" (counts its subtree) | "subcode" (its own codings)
    depth: int  # 0 for a chosen code, 1 for its direct subcodes, ...
    code_ids: frozenset[int]

    @property
    def path(self) -> str:
        return self.code.path


@dataclass(frozen=True)
class MatrixColumn:
    key: str
    label: str
    n_documents: int
    n_informants: int
    words: int


@dataclass
class MatrixCell:
    codings: int = 0
    passages: int = 0
    documents: int = 0
    informants: int = 0
    cases: int = 0
    guids: list[str] = field(default_factory=list)

    def count(self, measure: str) -> int:
        return int(getattr(self, measure))

    def value(self, measure: str, column: MatrixColumn) -> float | int | None:
        """The cell in one measure; None where a normalised figure is undefined (0 of 0)."""
        if measure in COUNT_MEASURES:
            return self.count(measure)
        if measure == "share_documents":
            return self.documents / column.n_documents if column.n_documents else None
        if measure == "share_informants":
            return self.informants / column.n_informants if column.n_informants else None
        if measure == "per_1000_words":
            return self.codings * 1000 / column.words if column.words else None
        raise UserError(f"measure must be one of {', '.join(MEASURES)}, not {measure!r}")


@dataclass
class MatrixResult:
    by: str
    rows: list[MatrixRow]
    columns: list[MatrixColumn]
    total_column: MatrixColumn
    cells: dict[tuple[int, str], MatrixCell]  # (row index, column key)
    column_totals: dict[str, MatrixCell]  # over every row's codes; TOTAL: the corner
    selection: Selection

    def cell(self, row: int, column: str) -> MatrixCell:
        if column == TOTAL:
            return self.cells.get((row, TOTAL), MatrixCell())
        return self.cells.get((row, column), MatrixCell())

    def column(self, key: str) -> MatrixColumn:
        if key == TOTAL:
            return self.total_column
        return next(c for c in self.columns if c.key == key)

    def value(self, row: int | None, column: str, measure: str) -> float | int | None:
        col = self.column(column)
        cell = self.column_totals.get(column, MatrixCell()) if row is None else self.cell(
            row, column)
        return cell.value(measure, col)


class _Acc:
    __slots__ = ("cases", "codings", "docs", "guids", "informants", "passages")

    def __init__(self) -> None:
        self.codings = 0
        self.passages: set[tuple[int, int, int]] = set()
        self.docs: set[int] = set()
        self.informants: set[tuple[int, str | None]] = set()
        self.cases: set[str] = set()
        self.guids: list[str] = []

    def merge(self, other: _Acc) -> None:
        self.codings += other.codings
        self.passages |= other.passages
        self.docs |= other.docs
        self.informants |= other.informants
        self.cases |= other.cases
        self.guids.extend(other.guids)

    def cell(self) -> MatrixCell:
        return MatrixCell(self.codings, len(self.passages), len(self.docs),
                          len(self.informants), len(self.cases), self.guids)


def matrix_rows(data: AnalysisData, codes: list[str] | tuple[str, ...] = (), *,
                subcodes: bool = True) -> list[MatrixRow]:
    """Rows for the chosen codes (default: every theme), each followed by its subcodes."""
    chosen = [data.code(ref) for ref in codes] if codes else [
        c for c in data.codes if c.parent_id is None]
    if not chosen:
        raise UserError("the project's codebook has no codes (see: casecoder codebook import)")
    rows: list[MatrixRow] = []
    seen: set[int] = set()
    for code in chosen:
        if code.id in seen:
            continue
        seen.add(code.id)
        rows.append(MatrixRow(code, "theme", 0, frozenset(data.subtree(code))))
        if not subcodes:
            continue
        prefix = code.path + "/"
        for c in data.codes:
            if c.path.startswith(prefix):
                rows.append(MatrixRow(c, "subcode", c.depth - code.depth, frozenset({c.id})))
    return rows


def _doc_speakers(doc: DocInfo) -> set[str | None]:
    return set(doc.speakers) if doc.speakers else {None}


def _speaker_words(data: AnalysisData, docs: list[DocInfo]) -> dict[str, int]:
    words: dict[str, int] = {}
    if data.project is None:
        return words
    for d in docs:
        text = data.project.text(d.id)
        for start, end, speaker in zip(d.starts, d.ends, d.speakers, strict=True):
            key = speaker or UNNAMED_SPEAKER
            words[key] = words.get(key, 0) + len(text[start:end].split())
    return words


def _sort_key(value: str) -> tuple[bool, str, str]:
    return (value in (NOT_SET, UNNAMED_SPEAKER), value.casefold(), value)


def build_matrix(data: AnalysisData, *, by: str, codes: list[str] | tuple[str, ...] = (),
                 selection: Selection = ALL, subcodes: bool = True) -> MatrixResult:
    """The matrix of the chosen codes against the values of `by`.

    `by` is an attribute (case_type, role, case, ...) or one of document, coder, speaker.
    Columns are every value found among the selected documents, so a value whose documents
    never mention a code still shows its 0 and its number of documents.
    """
    kind = by.strip().casefold()
    if kind not in ("document", "coder", "speaker"):
        kind = "attribute"
        attribute = data.resolve_attribute(by)
    else:
        attribute = kind
    if kind == "coder" and selection.once_per_passage:
        raise UserError("columns by coder count each coder's codings; 'once per passage' "
                        "does not apply to them")
    rows = matrix_rows(data, codes, subcodes=subcodes)
    docs = selected_documents(data, selection)
    doc_by_id = {d.id: d for d in docs}
    wanted = frozenset().union(*(r.code_ids for r in rows))
    coding_rows = selected_rows(data, selection, set(wanted))

    # --- what each column holds -----------------------------------------------------------
    def column_of(i: int) -> str:
        if kind == "attribute":
            return doc_by_id[data.doc_ids[i]].attributes.get(attribute) or NOT_SET
        if kind == "document":
            return doc_by_id[data.doc_ids[i]].name
        if kind == "coder":
            return data.coders[data.coder_ids[i]]
        return data.speakers[i] or UNNAMED_SPEAKER

    col_docs: dict[str, set[int]] = {}
    col_informants: dict[str, set[tuple[int, str | None]]] = {}
    col_words: dict[str, int] = {}
    if kind in ("attribute", "document"):
        for d in docs:
            key = d.name if kind == "document" else d.attributes.get(attribute) or NOT_SET
            col_docs.setdefault(key, set()).add(d.id)
            col_informants.setdefault(key, set()).update((d.id, s) for s in _doc_speakers(d))
            col_words[key] = col_words.get(key, 0) + d.words
    elif kind == "coder":
        for i in coding_rows:
            col_docs.setdefault(data.coders[data.coder_ids[i]], set()).add(data.doc_ids[i])
        for key, ids in col_docs.items():
            col_informants[key] = {(d, s) for d in ids for s in _doc_speakers(doc_by_id[d])}
            col_words[key] = sum(doc_by_id[d].words for d in ids)
    else:
        for d in docs:
            for s in _doc_speakers(d):
                key = s or UNNAMED_SPEAKER
                col_docs.setdefault(key, set()).add(d.id)
                col_informants.setdefault(key, set()).add((d.id, s))
        col_words = _speaker_words(data, docs)
    all_informants = {(d.id, s) for d in docs for s in _doc_speakers(d)}
    columns = [MatrixColumn(k, k, len(col_docs[k]), len(col_informants.get(k, ())),
                            col_words.get(k, 0)) for k in sorted(col_docs, key=_sort_key)]
    total_column = MatrixColumn(TOTAL, "Total", len(docs), len(all_informants),
                                sum(d.words for d in docs) if kind != "speaker"
                                else sum(col_words.values()))

    # --- one pass over the codings: per (code, column) ----------------------------------
    base: dict[tuple[int, str], _Acc] = {}
    doc_ids, starts, ends, speakers = data.doc_ids, data.starts, data.ends, data.speakers
    for group in passage_groups(data, coding_rows, selection.once_per_passage):
        i = group[0]
        doc_id = doc_ids[i]
        key = (data.code_ids[i], column_of(i))
        acc = base.get(key)
        if acc is None:
            acc = base[key] = _Acc()
        acc.codings += 1
        acc.passages.add((doc_id, starts[i], ends[i]))
        acc.docs.add(doc_id)
        acc.informants.add((doc_id, speakers[i]))
        case = doc_by_id[doc_id].case
        if case:
            acc.cases.add(case)
        if len(group) == 1:
            acc.guids.append(data.guids[i])
        else:
            acc.guids.extend(data.guids[j] for j in group)

    by_code: dict[int, list[tuple[str, _Acc]]] = {}
    for (code_id, col), acc in base.items():
        by_code.setdefault(code_id, []).append((col, acc))
    cells: dict[tuple[int, str], MatrixCell] = {}
    for r, row in enumerate(rows):
        per_col: dict[str, _Acc] = {}
        total = _Acc()
        for code_id in row.code_ids:
            for col, acc in by_code.get(code_id, ()):
                merged = per_col.get(col)
                if merged is None:
                    merged = per_col[col] = _Acc()
                merged.merge(acc)
                total.merge(acc)
        for col, acc in per_col.items():
            cells[(r, col)] = acc.cell()
        cells[(r, TOTAL)] = total.cell()
    column_totals: dict[str, MatrixCell] = {}
    corner = _Acc()
    per_column: dict[str, _Acc] = {}
    for (_code_id, col), acc in base.items():
        merged = per_column.get(col)
        if merged is None:
            merged = per_column[col] = _Acc()
        merged.merge(acc)
        corner.merge(acc)
    for col, acc in per_column.items():
        column_totals[col] = acc.cell()
    column_totals[TOTAL] = corner.cell()
    for cell in [*cells.values(), *column_totals.values()]:
        cell.guids.sort()
    return MatrixResult(attribute, rows, columns, total_column, cells, column_totals, selection)
