"""Which codes go together: code x code counts of shared units, and their Jaccard index.

Two codes co-occur in a unit (sentence, turn, paragraph or document) when a coding of each
covers at least one character of it (the agreement room's presence rule, `units.py`), and by
`overlap` when a passage of one shares at least one character with a passage of the other.
Rules, stated in every output (`COOCCURRENCE_NOTE`):

- count(A, B) = units where both are present; with `overlap`, pairs of overlapping passages
  (a passage = a distinct span of the code, whoever coded it).
- jaccard(A, B) = count / (units with A + units with B - count); with `overlap` the
  denominators are the codes' passages. It is 0..1 and undefined (None) when neither occurs.
- A row code counts its whole subtree (a theme stands for its subcodes), so a code and its
  own subcodes would trivially co-occur: such pairs are left out unless `include_nested`.
  Self-pairs are always left out. With every coder selected, presence is the union of the
  coders' codings (a unit coded A by one coder and B by another counts).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from casecoder.analysis.data import ALL, AnalysisData, Selection, selected_rows
from casecoder.analysis.matrix import MatrixRow, matrix_rows
from casecoder.errors import UserError

UNITS = ("sentence", "turn", "paragraph", "document", "overlap")
CO_MEASURES = ("count", "jaccard")

COOCCURRENCE_NOTE = (
    "How co-occurrence is counted: count = units (sentences, turns, paragraphs or documents) "
    "where both codes are present, a code being present in a unit when one of its codings "
    "covers at least one character of it; with 'overlap', pairs of passages (distinct spans) "
    "that share at least one character. Jaccard = count / (units with A + units with B - "
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
    passages: list[Passage] = field(default_factory=list)


@dataclass
class CooccurrenceResult:
    unit: str
    rows: list[MatrixRow]
    occurrences: list[int]  # units (or passages) with each row's code
    cells: dict[tuple[int, int], CoCell]  # (a, b) with a < b
    excluded: set[tuple[int, int]]  # nested pairs left out (a < b)
    selection: Selection

    def pair(self, a: int, b: int) -> CoCell | None:
        """The cell of rows a and b; None for a self-pair or a left-out nested pair."""
        if a == b:
            return None
        key = (a, b) if a < b else (b, a)
        if key in self.excluded:
            return None
        return self.cells.get(key, CoCell())

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


def build_cooccurrence(data: AnalysisData, *, unit: str = "sentence",
                       codes: list[str] | tuple[str, ...] = (), selection: Selection = ALL,
                       subcodes: bool = True, include_nested: bool = False
                       ) -> CooccurrenceResult:
    """Co-occurrence of the chosen codes (default: every theme and its subcodes)."""
    if unit not in UNITS:
        raise UserError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    rows = matrix_rows(data, codes, subcodes=subcodes)
    rows_of: dict[int, list[int]] = {}
    for r, row in enumerate(rows):
        for code_id in row.code_ids:
            rows_of.setdefault(code_id, []).append(r)
    excluded = {(a, b) for a in range(len(rows)) for b in range(a + 1, len(rows))
                if _nested(rows[a], rows[b])}
    if include_nested:
        excluded = {(a, b) for a, b in excluded if rows[a].code.id == rows[b].code.id}
    coding_rows = selected_rows(data, selection, set(rows_of))
    occurrences = [0] * len(rows)
    cells: dict[tuple[int, int], CoCell] = {}
    by_doc: dict[int, list[int]] = {}
    for i in coding_rows:
        by_doc.setdefault(data.doc_ids[i], []).append(i)
    table = data.unit_table(unit) if unit in ("sentence", "turn", "paragraph") else None
    for doc_id, items in by_doc.items():
        name = data.docs[doc_id].name
        if unit == "overlap":
            _overlaps(data, name, items, rows_of, occurrences, cells, excluded)
            continue
        present: dict[int, set[int]] = {}
        if table is None:  # the document is the unit
            here = {r for i in items for r in rows_of[data.code_ids[i]]}
            present[0] = here
            where = {0: Passage(name, "document", None, 0, 0)}
        else:
            starts, ends, numbers = table.get(doc_id, ((), (), ()))
            for i in items:
                first = bisect_right(ends, data.starts[i])
                last = bisect_left(starts, data.ends[i])
                if first >= last:
                    continue
                code_rows = rows_of[data.code_ids[i]]
                for u in range(first, last):
                    bucket = present.get(u)
                    if bucket is None:
                        bucket = present[u] = set()
                    bucket.update(code_rows)
            where = {}
        for u, here in present.items():
            for r in here:
                occurrences[r] += 1
            if len(here) < 2:
                continue
            ordered = sorted(here)
            passage = where.get(u) or Passage(name, unit, numbers[u], starts[u], ends[u])
            for x, a in enumerate(ordered):
                for b in ordered[x + 1:]:
                    if (a, b) in excluded:
                        continue
                    cell = cells.get((a, b))
                    if cell is None:
                        cell = cells[(a, b)] = CoCell()
                    cell.count += 1
                    cell.passages.append(passage)
    return CooccurrenceResult(unit, rows, occurrences, cells, excluded, selection)


def _overlaps(data: AnalysisData, name: str, items: list[int], rows_of: dict[int, list[int]],
              occurrences: list[int], cells: dict[tuple[int, int], CoCell],
              excluded: set[tuple[int, int]]) -> None:
    """Pairs of distinct passages of two row codes that share at least one character."""
    spans: set[tuple[int, int, int]] = set()  # (start, end, row)
    for i in items:
        for r in rows_of[data.code_ids[i]]:
            spans.add((data.starts[i], data.ends[i], r))
    ordered = sorted(spans)
    for _s, _e, r in ordered:
        occurrences[r] += 1
    active: list[tuple[int, int, int]] = []
    for start, end, r in ordered:
        active = [x for x in active if x[1] > start]
        for s2, e2, r2 in active:
            if r2 == r:
                continue
            a, b = (r, r2) if r < r2 else (r2, r)
            if (a, b) in excluded:
                continue
            cell = cells.get((a, b))
            if cell is None:
                cell = cells[(a, b)] = CoCell()
            cell.count += 1
            cell.passages.append(Passage(name, "overlap", None, max(start, s2), min(end, e2)))
        active.append((start, end, r))
