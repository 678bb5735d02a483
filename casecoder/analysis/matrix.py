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

from dataclasses import dataclass

import numpy as np

from casecoder.analysis.data import (
    ALL,
    NOT_SET,
    UNNAMED_SPEAKER,
    AnalysisData,
    Ints,
    Selection,
    once_per_passage,
    selected_documents,
    selected_rows,
    sorted_unique,
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


@dataclass(frozen=True)
class MatrixCell:
    codings: int = 0
    passages: int = 0
    documents: int = 0
    informants: int = 0
    cases: int = 0

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


_EMPTY = MatrixCell()


@dataclass
class MatrixResult:
    by: str
    rows: list[MatrixRow]
    columns: list[MatrixColumn]
    total_column: MatrixColumn
    cells: dict[tuple[int, str], MatrixCell]  # (row index, column key); TOTAL: the row's total
    column_totals: dict[str, MatrixCell]  # over every row's codes; TOTAL: the corner
    selection: Selection
    data: AnalysisData
    rows_behind: Ints  # the selected codings (every coder's, also with once per passage)
    column_of_row: Ints  # column index of each of rows_behind

    def cell(self, row: int, column: str) -> MatrixCell:
        return self.cells.get((row, column), _EMPTY)

    def column(self, key: str) -> MatrixColumn:
        if key == TOTAL:
            return self.total_column
        return next(c for c in self.columns if c.key == key)

    def value(self, row: int | None, column: str, measure: str) -> float | int | None:
        col = self.column(column)
        cell = self.column_totals.get(column, _EMPTY) if row is None else self.cell(row, column)
        return cell.value(measure, col)

    def guids(self, row: int | None, column: str) -> list[str]:
        """GUIDs of the codings behind a cell (with once per passage: every coder's)."""
        data = self.data
        mask = np.ones(self.rows_behind.size, dtype=bool)
        if row is not None:
            codes = np.array(sorted(self.rows[row].code_ids), dtype=np.int64)
            mask &= np.isin(data.code_ids[self.rows_behind], codes)
        if column != TOTAL:
            keys = [c.key for c in self.columns]
            mask &= self.column_of_row == keys.index(column)
        guids = data.guids
        return sorted(guids[i] for i in self.rows_behind[mask].tolist())


    def guids_by_column(self, row: int) -> dict[str, list[str]]:
        """Every column's GUIDs of one row at once (TOTAL too), for whole-table exports."""
        data = self.data
        codes = np.array(sorted(self.rows[row].code_ids), dtype=np.int64)
        mask = np.isin(data.code_ids[self.rows_behind], codes)
        guids = data.guids
        picked, cols = self.rows_behind[mask].tolist(), self.column_of_row[mask].tolist()
        out: dict[str, list[str]] = {c.key: [] for c in self.columns}
        keys = [c.key for c in self.columns]
        for i, c in zip(picked, cols, strict=True):
            out[keys[c]].append(guids[i])
        out[TOTAL] = [g for k in keys for g in out[k]]
        return {k: sorted(v) for k, v in out.items()}


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


def _speaker_words(data: AnalysisData, docs: list[int]) -> dict[str, int]:
    """Words per speaker label in the documents (the denominator of speaker columns)."""
    words: dict[str, int] = {}
    if data.project is None:
        return words
    for doc_id in docs:
        text = data.project.text(doc_id)
        for s in data.project.segments(doc_id, "sentence"):
            key = s.speaker or UNNAMED_SPEAKER
            words[key] = words.get(key, 0) + len(text[s.start:s.end].split())
    return words


def _sort_key(value: str) -> tuple[bool, str, str]:
    return (value in (NOT_SET, UNNAMED_SPEAKER), value.casefold(), value)


def _distinct(groups: Ints, keys: Ints, ngroups: int) -> Ints:
    """How many distinct keys each group has (keys < 2**40, groups < 2**23)."""
    if not groups.size:
        return np.zeros(ngroups, dtype=np.int64)
    combined = sorted_unique((groups << np.int64(40)) | keys)
    return np.bincount(combined >> np.int64(40), minlength=ngroups)


def _tally(data: AnalysisData, rows: Ints, groups: Ints, ngroups: int,
           case_of_doc: Ints) -> list[MatrixCell]:
    """One cell per group for the codings `rows` (repeated as memberships) in `groups`."""
    docs = data.doc_ids[rows]
    codings = np.bincount(groups, minlength=ngroups)
    passages = _distinct(groups, data.passage_ids[rows], ngroups)
    documents = _distinct(groups, docs, ngroups)
    speakers = np.int64(len(data.speaker_names))
    informants = _distinct(groups, docs * speakers + data.speaker_codes[rows], ngroups)
    cases = case_of_doc[docs]
    has = cases >= 0
    case_counts = _distinct(groups[has], cases[has], ngroups)
    return [MatrixCell(int(a), int(b), int(c), int(d), int(e)) for a, b, c, d, e in zip(
        codings.tolist(), passages.tolist(), documents.tolist(), informants.tolist(),
        case_counts.tolist(), strict=True)]


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
    behind = selected_rows(data, selection, set(wanted))
    counted = once_per_passage(data, behind) if selection.once_per_passage else behind

    # --- the columns: what each holds ---------------------------------------------------------
    col_docs: dict[str, set[int]] = {}
    col_informants: dict[str, set[tuple[int, int]]] = {}
    col_words: dict[str, int] = {}
    if kind in ("attribute", "document"):
        for d in docs:
            key = d.name if kind == "document" else d.attributes.get(attribute) or NOT_SET
            col_docs.setdefault(key, set()).add(d.id)
            col_informants.setdefault(key, set()).update((d.id, s) for s in d.speakers)
            col_words[key] = col_words.get(key, 0) + d.words
    elif kind == "coder":
        for coder_id, doc_id in set(zip(data.coder_ids[behind].tolist(),
                                        data.doc_ids[behind].tolist(), strict=True)):
            col_docs.setdefault(data.coders[coder_id], set()).add(doc_id)
        for key, ids in col_docs.items():
            col_informants[key] = {(d, s) for d in ids for s in doc_by_id[d].speakers}
            col_words[key] = sum(doc_by_id[d].words for d in ids)
    else:
        for d in docs:
            for s in d.speakers:
                key = data.speaker_names[s] or UNNAMED_SPEAKER
                col_docs.setdefault(key, set()).add(d.id)
                col_informants.setdefault(key, set()).add((d.id, s))
        col_words = _speaker_words(data, [d.id for d in docs])
    keys = sorted(col_docs, key=_sort_key)
    columns = [MatrixColumn(k, k, len(col_docs[k]), len(col_informants.get(k, ())),
                            col_words.get(k, 0)) for k in keys]
    all_informants = sum(len(d.speakers) for d in docs)
    total_column = MatrixColumn(TOTAL, "Total", len(docs), all_informants,
                                sum(d.words for d in docs) if kind != "speaker"
                                else sum(col_words.values()))

    # --- each coding's column -------------------------------------------------------------
    index = {k: i for i, k in enumerate(keys)}
    size = max(data.docs, default=0) + 1
    if kind in ("attribute", "document"):
        of_doc = np.full(size, -1, dtype=np.int64)
        for d in docs:
            of_doc[d.id] = index[d.name if kind == "document"
                                 else d.attributes.get(attribute) or NOT_SET]
        column_of = of_doc[data.doc_ids[behind]]
    elif kind == "coder":
        of_coder = np.full(max(data.coders, default=0) + 1, -1, dtype=np.int64)
        for cid, name in data.coders.items():
            of_coder[cid] = index.get(name, -1)
        column_of = of_coder[data.coder_ids[behind]]
    else:
        of_speaker = np.array([index.get(name or UNNAMED_SPEAKER, -1)
                               for name in data.speaker_names], dtype=np.int64)
        column_of = of_speaker[data.speaker_codes[behind]]
    counted_columns = column_of[np.searchsorted(behind, counted)]

    # --- the cells: every (row, column) and (row, total) in one tally -----------------------
    case_ids = {name: i for i, name in enumerate(sorted({d.case for d in docs if d.case}))}
    case_of_doc = np.full(size, -1, dtype=np.int64)
    for d in docs:
        if d.case:
            case_of_doc[d.id] = case_ids[d.case]
    ncols = len(columns)
    width = np.int64(ncols + 1)  # the last column of each row is its total
    member_rows: list[Ints] = []
    member_groups: list[Ints] = []
    code_column = data.code_ids[counted]
    for r, row in enumerate(rows):
        mask = np.flatnonzero(np.isin(code_column, np.array(sorted(row.code_ids),
                                                            dtype=np.int64)))
        member_rows += [counted[mask], counted[mask]]
        member_groups += [r * width + counted_columns[mask],
                          np.full(mask.size, r * width + ncols, dtype=np.int64)]
    all_rows = np.concatenate(member_rows) if member_rows else np.zeros(0, np.int64)
    all_groups = np.concatenate(member_groups) if member_groups else np.zeros(0, np.int64)
    tallies = _tally(data, all_rows, all_groups, len(rows) * (ncols + 1), case_of_doc)
    cells: dict[tuple[int, str], MatrixCell] = {}
    for r in range(len(rows)):
        for c in range(ncols + 1):
            cell = tallies[r * (ncols + 1) + c]
            if cell.codings:
                cells[(r, keys[c] if c < ncols else TOTAL)] = cell
    totals = _tally(data, np.concatenate((counted, counted)),
                    np.concatenate((counted_columns, np.full(counted.size, ncols,
                                                             dtype=np.int64))),
                    ncols + 1, case_of_doc)
    column_totals = {keys[c] if c < ncols else TOTAL: cell for c, cell in enumerate(totals)}
    return MatrixResult(attribute, rows, columns, total_column, cells, column_totals,
                        selection, data, behind, column_of)
