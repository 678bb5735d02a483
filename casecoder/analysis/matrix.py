"""The code x attribute matrix: how many codings, passages, documents, informants and cases
each code has per value of an attribute (or per case, document, coder or speaker).

Counting rules (`COUNTING_NOTE`, printed by every output) are the quote export's
(`casecoder/export/quotes.py`): codings = every application of a code, once per coder;
passages = distinct spans, where by default overlapping codings of one code in one document
(several coders) are merged into one passage (`Selection.per_coder` keeps each coding's own
span); informants are speaker records (interviewers left out, persons counted once, a survey
document one informant) and columns take attributes speaker > document > case
(`casecoder/analysis/data.py`). A theme's row counts everything below it (a passage under two
subcodes is one passage of the theme); a subcode's row counts only its own codings.

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
    Counted,
    Ints,
    Selection,
    counted_rows,
    selected_documents,
    selected_sources,
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
    "How counts are made (the quote export's rules): codings = every application of a code, "
    "once per coder; passages = distinct coded spans. Unless one coder (--coder) or "
    "--per-coder is asked for, codings of one code in one document that overlap (share at "
    "least one character, whoever coded them) are one passage, from the earliest start to "
    "the latest end; codings that only touch stay apart; with --per-coder each coding's own "
    "span is its passage. Documents, informants and cases = distinct ones with at least one "
    "coding; an informant is the speaker of the sentence where a passage starts, told apart "
    "per document unless linked to one person across documents (unlabelled text counts as "
    "one unnamed speaker; interviewers are never informants; a survey document is its one "
    "informant); attributes (columns and --where) come from the speaker, then the document, "
    "then the case; a theme's row includes everything below it, a subcode's only its own "
    "codings. Normalised: share of the column's documents (or informants: every informant "
    "of the column, interviewers left out) with the code, and codings per 1,000 words of "
    "the column's text (a speaker with attributes of their own brings their words). The "
    "total column and row count distinct passages, documents, informants and cases, so they "
    "are not sums."
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


def _tally(data: AnalysisData, counted: Counted, members: Ints, groups: Ints, ngroups: int,
           case_of_doc: Ints) -> list[MatrixCell]:
    """One cell per group for the counted codings `members` (positions in `counted`,
    repeated as memberships) in `groups`."""
    docs = data.doc_ids[counted.rows[members]]
    codings = np.bincount(groups, minlength=ngroups)
    passages = _distinct(groups, counted.passages[members], ngroups)
    documents = _distinct(groups, docs, ngroups)
    informant = counted.informants[members]
    some = informant >= 0  # interviewers are never informants
    informants = _distinct(groups[some], informant[some], ngroups)
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
    Columns are every value found among the selected documents (attributes resolved
    speaker > document > case), so a value whose documents never mention a code still
    shows its 0 and its number of documents and informants.
    """
    kind = by.strip().casefold()
    if kind not in ("document", "coder", "speaker"):
        kind = "attribute"
        attribute = data.resolve_attribute(by)
    else:
        attribute = kind
    rows = matrix_rows(data, codes, subcodes=subcodes)
    sources = [data.sources[i] for i in selected_sources(data, selection)]
    source_ids = selected_sources(data, selection)
    docs = selected_documents(data, selection)
    doc_by_id = {d.id: d for d in docs}
    wanted = frozenset().union(*(r.code_ids for r in rows))
    counted = counted_rows(data, selection, set(wanted))
    behind = counted.rows

    # --- the columns: what each holds ---------------------------------------------------------
    col_docs: dict[str, set[int]] = {}
    col_informants: dict[str, set[int]] = {}
    col_words: dict[str, int] = {}
    source_column: dict[int, str] = {}
    if kind in ("attribute", "document"):
        for i, src in zip(source_ids, sources, strict=True):
            key = (data.docs[src.doc].name if kind == "document"
                   else src.attributes.get(attribute) or NOT_SET)
            source_column[i] = key
            col_docs.setdefault(key, set()).add(src.doc)
            col_informants.setdefault(key, set()).update(src.informants)
            col_words[key] = col_words.get(key, 0) + (
                data.docs[src.doc].words if kind == "document" else src.words)
    elif kind == "coder":
        for coder_id, doc_id in set(zip(data.coder_ids[behind].tolist(),
                                        data.doc_ids[behind].tolist(), strict=True)):
            col_docs.setdefault(data.coders[coder_id], set()).add(doc_id)
        for key, ids in col_docs.items():
            col_informants[key] = {inf for src in sources if src.doc in ids
                                   for inf in src.informants}
            col_words[key] = sum(doc_by_id[d].words for d in ids)
    else:
        nspeakers = np.int64(len(data.speaker_names))
        chosen = set(source_ids)
        for d in docs:
            for s in d.speakers:
                pair = int(np.searchsorted(data.pair_keys, d.id * nspeakers + s))
                if int(data.pair_sources[pair]) not in chosen:
                    continue
                key = data.speaker_names[s] or UNNAMED_SPEAKER
                col_docs.setdefault(key, set()).add(d.id)
                informants = col_informants.setdefault(key, set())
                if data.pair_informants[pair] >= 0:
                    informants.add(int(data.pair_informants[pair]))
        col_words = _speaker_words(data, [d.id for d in docs])
    keys = sorted(col_docs, key=_sort_key)
    columns = [MatrixColumn(k, k, len(col_docs[k]), len(col_informants.get(k, ())),
                            col_words.get(k, 0)) for k in keys]
    all_informants = len({inf for src in sources for inf in src.informants})
    total_column = MatrixColumn(TOTAL, "Total", len(docs), all_informants,
                                sum(d.words for d in docs) if kind != "speaker"
                                else sum(col_words.values()))

    # --- each coding's column -------------------------------------------------------------
    index = {k: i for i, k in enumerate(keys)}
    if kind in ("attribute", "document"):
        of_source = np.full(len(data.sources) + 1, -1, dtype=np.int64)
        for i, key in source_column.items():
            of_source[i] = index[key]
        column_of = of_source[counted.sources]
    elif kind == "coder":
        of_coder = np.full(max(data.coders, default=0) + 1, -1, dtype=np.int64)
        for cid, name in data.coders.items():
            of_coder[cid] = index.get(name, -1)
        column_of = of_coder[data.coder_ids[behind]]
    else:
        of_speaker = np.array([index.get(name or UNNAMED_SPEAKER, -1)
                               for name in data.speaker_names], dtype=np.int64)
        column_of = of_speaker[counted.speakers]

    # --- the cells: every (row, column) and (row, total) in one tally -----------------------
    size = max(data.docs, default=0) + 1
    case_ids = {name: i for i, name in enumerate(sorted({d.case for d in docs if d.case}))}
    case_of_doc = np.full(size, -1, dtype=np.int64)
    for d in docs:
        if d.case:
            case_of_doc[d.id] = case_ids[d.case]
    ncols = len(columns)
    width = np.int64(ncols + 1)  # the last column of each row is its total
    member_rows: list[Ints] = []
    member_groups: list[Ints] = []
    code_column = data.code_ids[behind]
    for r, row in enumerate(rows):
        mask = np.flatnonzero(np.isin(code_column, np.array(sorted(row.code_ids),
                                                            dtype=np.int64)))
        member_rows += [mask, mask]
        member_groups += [r * width + column_of[mask],
                          np.full(mask.size, r * width + ncols, dtype=np.int64)]
    all_rows = np.concatenate(member_rows) if member_rows else np.zeros(0, np.int64)
    all_groups = np.concatenate(member_groups) if member_groups else np.zeros(0, np.int64)
    tallies = _tally(data, counted, all_rows, all_groups, len(rows) * (ncols + 1),
                     case_of_doc)
    cells: dict[tuple[int, str], MatrixCell] = {}
    for r in range(len(rows)):
        for c in range(ncols + 1):
            cell = tallies[r * (ncols + 1) + c]
            if cell.codings:
                cells[(r, keys[c] if c < ncols else TOTAL)] = cell
    everything = np.arange(behind.size, dtype=np.int64)
    totals = _tally(data, counted, np.concatenate((everything, everything)),
                    np.concatenate((column_of, np.full(behind.size, ncols, dtype=np.int64))),
                    ncols + 1, case_of_doc)
    column_totals = {keys[c] if c < ncols else TOTAL: cell for c, cell in enumerate(totals)}
    return MatrixResult(attribute, rows, columns, total_column, cells, column_totals,
                        selection, data, behind, column_of)
