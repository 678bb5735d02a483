"""Which codes go together: code x code counts of shared units, and their Jaccard index.

Two codes co-occur in a unit (sentence, turn, paragraph or document) when a coding of each
covers at least one character of it (the agreement room's presence rule, `units.py`), and by
`overlap` when a passage of one shares at least one character with a passage of the other.
Rules, stated in every output (`COOCCURRENCE_NOTE`):

- count(A, B) = units where both are present; with `overlap`, pairs of overlapping passages
  (a passage as the matrix counts it: overlapping codings of one code in one document merged
  across coders, unless per coder).
- jaccard(A, B) = count / (units with A + units with B - count); with `overlap` the
  denominators are the codes' passages. It is 0..1 and undefined (None) when neither occurs.
- A row code counts its whole subtree (a theme stands for its subcodes), so a code and its
  own subcodes would trivially co-occur: such pairs are left out unless `include_nested`.
  Self-pairs are always left out. With every coder selected, presence is the union of the
  coders' codings (a unit coded A by one coder and B by another counts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from casecoder.analysis.data import (
    ALL,
    AnalysisData,
    Ints,
    Selection,
    counted_rows,
    sorted_unique,
)
from casecoder.analysis.matrix import MatrixRow, matrix_rows
from casecoder.errors import UserError

UNITS = ("sentence", "turn", "paragraph", "document", "overlap")
CO_MEASURES = ("count", "jaccard")

COOCCURRENCE_NOTE = (
    "How co-occurrence is counted: count = units (sentences, turns, paragraphs or documents) "
    "where both codes are present, a code being present in a unit when one of its codings "
    "covers at least one character of it; with 'overlap', pairs of passages that share at "
    "least one character (a passage as the matrix counts it: overlapping codings of one code "
    "in one document by several coders are one passage, unless --coder or --per-coder). "
    "Jaccard = count / (units with A + units with B - "
    "count), with 'overlap' over the codes' passages. A code counts its subcodes, so a code "
    "and its own subcodes are left out unless asked; self-pairs are left out; with all "
    "coders, presence is the union of every coder's codings."
)


@dataclass(frozen=True)
class Passage:
    """Where two codes met: a unit (number, 1-based) or, for overlap, the shared span."""

    document: str
    unit: str
    number: int | None
    start: int
    end: int


@dataclass
class CoCell:
    count: int = 0
    _passages: Callable[[], list[Passage]] | None = field(default=None, repr=False)

    @property
    def passages(self) -> list[Passage]:
        """Where the two codes met, found when asked (JSON export, drill-down)."""
        return self._passages() if self._passages is not None else []


@dataclass
class CooccurrenceResult:
    unit: str
    rows: list[MatrixRow]
    occurrences: list[int]  # units (or passages) with each row's code
    counts: dict[tuple[int, int], int]  # (a, b) with a < b
    excluded: set[tuple[int, int]]  # nested pairs left out (a < b)
    selection: Selection
    where: Callable[[int, int], list[Passage]]

    @property
    def cells(self) -> dict[tuple[int, int], CoCell]:
        return {key: self.pair(*key) or CoCell() for key in self.counts}

    def pair(self, a: int, b: int) -> CoCell | None:
        """The cell of rows a and b; None for a self-pair or a left-out nested pair."""
        if a == b:
            return None
        key = (a, b) if a < b else (b, a)
        if key in self.excluded:
            return None
        return CoCell(self.counts.get(key, 0), lambda: self.where(*key))

    def value(self, a: int, b: int, measure: str) -> float | int | None:
        cell = self.pair(a, b)
        if cell is None:
            return None
        if measure == "count":
            return cell.count
        if measure == "jaccard":
            union = self.occurrences[a] + self.occurrences[b] - cell.count
            return cell.count / union if union else None
        raise UserError(f"measure must be one of {', '.join(CO_MEASURES)}, not {measure!r}")


def _nested(a: MatrixRow, b: MatrixRow) -> bool:
    return a.code.path.startswith(b.code.path + "/") or b.code.path.startswith(
        a.code.path + "/") or a.code.id == b.code.id


def _codes_of(pairs: set[tuple[int, int]], nrows: int) -> Ints:
    return np.array(sorted(a * nrows + b for a, b in pairs), dtype=np.int64)


def _expand(first: Ints, last: Ints) -> tuple[Ints, Ints]:
    """(position in the input, unit index) for every unit each [first, last) covers."""
    lengths = last - first
    which = np.repeat(np.arange(first.size), lengths)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return which, np.repeat(first, lengths) + offsets


def _pairs(groups: Ints, members: Ints, nrows: int) -> tuple[Ints, Ints]:
    """Every pair of distinct members in each group (groups sorted, no duplicates):
    the pair as a * nrows + b (a < b) and its group."""
    codes: list[Ints] = []
    where: list[Ints] = []
    k = 1
    while k < groups.size:
        same = groups[k:] == groups[:-k]
        if not same.any():
            break
        a, b = members[:-k][same], members[k:][same]
        low, high = np.minimum(a, b), np.maximum(a, b)
        codes.append(low * nrows + high)
        where.append(groups[:-k][same])
        k += 1
    if not codes:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(codes), np.concatenate(where)


def build_cooccurrence(data: AnalysisData, *, unit: str = "sentence",
                       codes: list[str] | tuple[str, ...] = (), selection: Selection = ALL,
                       subcodes: bool = True, include_nested: bool = False
                       ) -> CooccurrenceResult:
    """Co-occurrence of the chosen codes (default: every theme and its subcodes)."""
    if unit not in UNITS:
        raise UserError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    rows = matrix_rows(data, codes, subcodes=subcodes)
    nrows = len(rows)
    excluded = {(a, b) for a in range(nrows) for b in range(a + 1, nrows)
                if _nested(rows[a], rows[b])}
    if include_nested:
        excluded = {(a, b) for a, b in excluded if rows[a].code.id == rows[b].code.id}
    wanted = set().union(*(r.code_ids for r in rows))
    counted = counted_rows(data, selection, wanted)
    chosen = counted.rows
    # Every (coding, row) membership: a coding counts for its code's row and its theme's.
    member_rows, member_codings, member_at = [], [], []
    for r, row in enumerate(rows):
        at = np.flatnonzero(np.isin(data.code_ids[chosen], np.array(sorted(row.code_ids))))
        member_at.append(at)
        member_codings.append(chosen[at])
        member_rows.append(np.full(at.size, r, dtype=np.int64))
    codings = np.concatenate(member_codings) if member_codings else np.zeros(0, np.int64)
    owners = np.concatenate(member_rows) if member_rows else np.zeros(0, np.int64)
    if unit == "overlap":
        at_all = np.concatenate(member_at) if member_at else np.zeros(0, np.int64)
        return _overlap(data, rows, codings, owners, excluded, selection,
                        counted.starts[at_all], counted.ends[at_all])
    table = data.unit_table(unit) if unit != "document" else None
    if table is None:
        units, which = data.doc_ids[codings], np.arange(codings.size)
    else:
        first, last = table.ranges(data.doc_ids[codings], data.starts[codings],
                                   data.ends[codings])
        which, units = _expand(first, last)
    presence = sorted_unique(units * np.int64(nrows) + owners[which])
    present_units, present_rows = presence // nrows, presence % nrows
    occurrences = np.bincount(present_rows, minlength=nrows).tolist()
    pair_codes, pair_units = _pairs(present_units, present_rows, nrows)
    keep = np.isin(pair_codes, _codes_of(excluded, nrows), invert=True)
    pair_codes, pair_units = pair_codes[keep], pair_units[keep]
    order = np.lexsort((pair_units, pair_codes))
    pair_codes, pair_units = pair_codes[order], pair_units[order]
    found, counts = np.unique(pair_codes, return_counts=True)
    count_of = {(int(k) // nrows, int(k) % nrows): int(n)
                for k, n in zip(found.tolist(), counts.tolist(), strict=True)}

    def where(a: int, b: int) -> list[Passage]:
        lo = np.searchsorted(pair_codes, a * nrows + b, side="left")
        hi = np.searchsorted(pair_codes, a * nrows + b, side="right")
        out = []
        for u in pair_units[lo:hi].tolist():
            if table is None:
                out.append(Passage(data.docs[u].name, "document", None, 0, 0))
            else:
                out.append(Passage(data.docs[int(table.doc[u])].name, unit,
                                   int(table.number[u]), int(table.start[u]),
                                   int(table.end[u])))
        return out

    return CooccurrenceResult(unit, rows, occurrences, count_of, excluded, selection, where)


def _overlap(data: AnalysisData, rows: list[MatrixRow], codings: Ints, owners: Ints,
             excluded: set[tuple[int, int]], selection: Selection, starts: Ints,
             ends: Ints) -> CooccurrenceResult:
    """Pairs of distinct passages (row, document, start, end) sharing at least a character;
    a passage as the matrix counts it (merged across coders unless per coder)."""
    nrows = len(rows)
    spans = np.unique(np.column_stack((data.doc_ids[codings], starts, ends,
                                       owners)).reshape(-1, 4), axis=0)
    doc, start, end, row = (spans[:, k] for k in range(4))
    occurrences = np.bincount(row, minlength=nrows).tolist()
    keys: list[Ints] = []
    found: list[Ints] = []
    k = 1
    while k < doc.size:
        # Sorted by (document, start): a later span overlaps while it starts before the end.
        meets = (doc[k:] == doc[:-k]) & (start[k:] < end[:-k])
        if not meets.any():
            break
        i = np.flatnonzero(meets)
        a, b = row[i], row[i + k]
        differ = a != b
        i, a, b = i[differ], a[differ], b[differ]
        keys.append(np.minimum(a, b) * nrows + np.maximum(a, b))
        found.append(np.column_stack((i, i + k)))
        k += 1
    pair_codes = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    pair_spans = np.concatenate(found) if found else np.zeros((0, 2), np.int64)
    keep = np.isin(pair_codes, _codes_of(excluded, nrows), invert=True)
    pair_codes, pair_spans = pair_codes[keep], pair_spans[keep]
    order = np.lexsort((pair_spans[:, 1], pair_spans[:, 0], pair_codes))
    pair_codes, pair_spans = pair_codes[order], pair_spans[order]
    uniq, counts = np.unique(pair_codes, return_counts=True)
    count_of = {(int(key) // nrows, int(key) % nrows): int(n)
                for key, n in zip(uniq.tolist(), counts.tolist(), strict=True)}

    def where(a: int, b: int) -> list[Passage]:
        lo = np.searchsorted(pair_codes, a * nrows + b, side="left")
        hi = np.searchsorted(pair_codes, a * nrows + b, side="right")
        out = []
        for x, y in pair_spans[lo:hi].tolist():
            out.append(Passage(data.docs[int(doc[x])].name, "overlap", None,
                               int(max(start[x], start[y])), int(min(end[x], end[y]))))
        return out

    return CooccurrenceResult("overlap", rows, occurrences, count_of, excluded, selection,
                              where)
