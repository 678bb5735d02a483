"""Turning coders' spans into units for agreement statistics (pure, no database).

Agreement statistics need a reliability matrix of units, but coders mark free spans of text. A
unit (sentence, paragraph, character) counts as coded by a coder when that coder's spans cover
any character of it (NVivo's and MAXQDA's rule), or, with ``min_overlap``, at least that share of
its characters (MAXQDA's "segment overlap of at least x percent"). Overlapping spans of one coder
are merged first, so coding the same words twice never counts twice. All offsets are
``[start, end)`` character offsets; documents are handled one at a time and the resulting
columns can be concatenated across documents.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from casecoder.errors import UserError

__all__ = [
    "Span",
    "character_matrix",
    "character_presence",
    "merge_spans",
    "presence_by_code",
    "presence_matrix",
    "unit_presence",
]

Span = tuple[int, int]
CodeT = TypeVar("CodeT", bound=Hashable)
CoderT = TypeVar("CoderT", bound=Hashable)

# Relative slack when comparing a covered share with min_overlap: 0.3 * 10 is 3.0000000000000004
# in floating point, and a researcher who asks for 30 % of a 10-character sentence means 3.
_SLACK = 1e-12


def _as_offsets(spans: Sequence[Span] | NDArray[Any], what: str) -> NDArray[np.int64]:
    array = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    if np.any(array[:, 0] < 0) or np.any(array[:, 1] < array[:, 0]):
        bad = next((s, e) for s, e in array.tolist() if s < 0 or e < s)
        raise UserError(f"{what} [{bad[0]}, {bad[1]}) is not a valid [start, end) offset range")
    return array


def merge_spans(spans: Sequence[Span] | NDArray[Any]) -> NDArray[np.int64]:
    """The union of spans as sorted, disjoint ``[start, end)`` rows (empty spans dropped).

    Touching spans are joined too; that changes no coverage and keeps the result minimal.
    """
    array = _as_offsets(spans, "span")
    array = array[array[:, 1] > array[:, 0]]
    if array.shape[0] == 0:
        return array.reshape(0, 2)
    array = array[np.argsort(array[:, 0], kind="stable")]
    starts, ends = array[:, 0], array[:, 1]
    reach = np.maximum.accumulate(ends)
    first = np.empty(starts.size, dtype=bool)
    first[0] = True
    first[1:] = starts[1:] > reach[:-1]
    group_starts = np.flatnonzero(first)
    return np.column_stack((starts[group_starts], np.maximum.reduceat(ends, group_starts)))


def _covered_before(merged: NDArray[np.int64], points: NDArray[np.int64]) -> NDArray[np.int64]:
    """How many characters in [0, point) the merged spans cover, for each point."""
    starts, ends = merged[:, 0], merged[:, 1]
    cumulative = np.concatenate(([0], np.cumsum(ends - starts)))
    # Spans starting at or before the point: all of them count, minus the part of the last one
    # that reaches beyond the point.
    count = np.searchsorted(starts, points, side="right")
    overshoot = np.zeros(points.shape, dtype=np.int64)
    some = count > 0
    overshoot[some] = np.maximum(ends[count[some] - 1] - points[some], 0)
    return cumulative[count] - overshoot


def _presence(
    units: NDArray[np.int64], spans: Sequence[Span] | NDArray[Any], min_overlap: float | None
) -> NDArray[np.bool_]:
    merged = merge_spans(spans)
    if merged.shape[0] == 0 or units.shape[0] == 0:
        return np.zeros(units.shape[0], dtype=bool)
    covered = _covered_before(merged, units[:, 1]) - _covered_before(merged, units[:, 0])
    if min_overlap is None:
        return covered > 0
    length = units[:, 1] - units[:, 0]
    return (length > 0) & (covered >= min_overlap * length * (1.0 - _SLACK))


def _ordered(units: NDArray[np.int64]) -> bool:
    """Whether units are sorted, non-overlapping runs (segments are), for `_any_presence`."""
    if units.shape[0] < 2:
        return True
    return bool(np.all(units[1:, 0] >= units[:-1, 1]))


def _any_presence(units: NDArray[np.int64], spans: Sequence[Span] | NDArray[Any]
                  ) -> NDArray[np.bool_]:
    """`_presence` without a minimum overlap, for sorted non-overlapping units.

    Each merged span covers a contiguous run of units, found with two binary searches of the
    (few) spans into the (many) units; the runs are marked with a difference array. That is
    O(units + spans log units) instead of a search per unit, which matters when a whole corpus
    of 300,000 sentences is one array.
    """
    merged = merge_spans(spans)
    n = units.shape[0]
    if merged.shape[0] == 0 or n == 0:
        return np.zeros(n, dtype=bool)
    first = np.searchsorted(units[:, 1], merged[:, 0], side="right")
    last = np.searchsorted(units[:, 0], merged[:, 1], side="left")
    marks = np.zeros(n + 1, dtype=np.int64)
    np.add.at(marks, first, 1)
    np.add.at(marks, last, -1)
    return (np.cumsum(marks[:-1]) > 0) & (units[:, 1] > units[:, 0])


def _check_overlap(min_overlap: float | None) -> None:
    if min_overlap is not None and not 0.0 < min_overlap <= 1.0:
        raise UserError(f"minimum overlap must be a share above 0 and at most 1, not {min_overlap}")


def unit_presence(
    units: Sequence[Span] | NDArray[Any],
    spans: Sequence[Span] | NDArray[Any],
    min_overlap: float | None = None,
) -> list[bool]:
    """Whether one coder's spans code each unit.

    Without ``min_overlap`` a unit is coded when any of its characters is covered; with
    ``min_overlap`` F in (0, 1] when the union of the spans covers at least share F of its
    characters. An empty unit is never coded. Units may be in any order and may overlap. A sorted
    sweep (merge, prefix sums, binary search) costs O((units + spans) log spans), so a
    million-word transcript with thousands of codings stays instant.
    """
    _check_overlap(min_overlap)
    return _presence(_as_offsets(units, "unit"), spans, min_overlap).tolist()


def presence_matrix(
    units: Sequence[Span] | NDArray[Any],
    coder_spans: Sequence[Sequence[Span] | NDArray[Any]],
    min_overlap: float | None = None,
) -> NDArray[np.bool_]:
    """A coders x units boolean reliability matrix for one code, one row per coder's spans."""
    _check_overlap(min_overlap)
    unit_array = _as_offsets(units, "unit")
    rows = [_presence(unit_array, spans, min_overlap) for spans in coder_spans]
    return np.vstack(rows) if rows else np.zeros((0, unit_array.shape[0]), dtype=bool)


def character_presence(length: int, spans: Sequence[Span] | NDArray[Any]) -> NDArray[np.bool_]:
    """Which characters of a document of ``length`` characters the spans cover.

    The character is NVivo's unit for its coding comparison query; the result is a row of a
    reliability matrix. Spans reaching outside the document raise `UserError`.
    """
    if length < 0:
        raise UserError(f"a document cannot have negative length {length}")
    array = _as_offsets(spans, "span")
    outside = array[:, 1] > length
    if np.any(outside):
        start, end = array[outside][0].tolist()
        raise UserError(f"span [{start}, {end}) lies outside the document of {length} characters")
    change = np.bincount(array[:, 0], minlength=length + 1) - np.bincount(
        array[:, 1], minlength=length + 1
    )
    return np.cumsum(change[:length]) > 0


def character_matrix(
    length: int, coder_spans: Sequence[Sequence[Span] | NDArray[Any]]
) -> NDArray[np.bool_]:
    """A coders x characters boolean reliability matrix for one code in one document."""
    rows = [character_presence(length, spans) for spans in coder_spans]
    return np.vstack(rows) if rows else np.zeros((0, length), dtype=bool)


def presence_by_code(
    units: Sequence[Span] | NDArray[Any],
    codings: Iterable[tuple[CoderT, CodeT, int, int]],
    coders: Sequence[CoderT],
    codes: Iterable[CodeT] = (),
    min_overlap: float | None = None,
) -> dict[CodeT, NDArray[np.bool_]]:
    """Per-code coders x units matrices from (coder, code, start, end) codings of one document.

    Every code in ``codes`` gets a matrix even if nobody applied it, so that the report can say
    "n/a: code never used" instead of silently omitting the code; codes that occur in
    ``codings`` are added too. Codings by coders outside ``coders`` are ignored: the comparison
    is between the chosen coders only. Rows follow the order of ``coders``.
    """
    _check_overlap(min_overlap)
    unit_array = _as_offsets(units, "unit")
    row_of = {coder: i for i, coder in enumerate(coders)}
    collected: dict[CodeT, list[list[Span]]] = {code: [[] for _ in coders] for code in codes}
    for coder, code, start, end in codings:
        row = row_of.get(coder)
        if row is None:
            continue
        if code not in collected:
            collected[code] = [[] for _ in coders]
        collected[code][row].append((start, end))
    fast = min_overlap is None and _ordered(unit_array)

    def presence(spans: list[Span]) -> NDArray[np.bool_]:
        return _any_presence(unit_array, spans) if fast else _presence(unit_array, spans,
                                                                       min_overlap)

    return {
        code: (
            np.vstack([presence(s) for s in per_coder])
            if per_coder
            else np.zeros((0, unit_array.shape[0]), dtype=bool)
        )
        for code, per_coder in collected.items()
    }
