"""Retrieval with filters: the codings of a code, narrowed by who said it, where, and which
other codes are (or are not) applied beside it.

`retrieve` answers questions like "every quote of barriers/workload said by pro-rectors in
KA220 cases" (`Selection.where`) or "coded A and B in the same sentence" / "A but not B"
(`with_codes`, `without_codes` with a `unit`: sentence, turn, paragraph, document, or overlap
by at least one character, the co-occurrence rules). Other codes are looked for among the
codings the selection allows (the same coder, documents and attributes, but any speaker), a
code standing for its subcodes. The CLI's `casecoder codings` and the quotes screen use it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from casecoder.analysis.cooccurrence import UNITS, _expand
from casecoder.analysis.data import _SHIFT, ALL, AnalysisData, Ints, Selection, selected_rows
from casecoder.errors import UserError


def _meets(data: AnalysisData, rows: Ints, others: Ints, unit: str) -> NDArray[np.bool_]:
    """For each of rows, whether one of `others` is in the same unit (or overlaps it)."""
    if not rows.size:
        return np.zeros(0, dtype=bool)
    if not others.size:
        return np.zeros(rows.size, dtype=bool)
    if unit == "document":
        return np.isin(data.doc_ids[rows], data.doc_ids[others])
    if unit == "overlap":
        order = np.lexsort((data.starts[others], data.doc_ids[others]))
        o = others[order]
        start_keys = data.doc_ids[o] * _SHIFT + data.starts[o]
        reach = np.maximum.accumulate(data.doc_ids[o] * _SHIFT + data.ends[o])
        before = np.searchsorted(start_keys, data.doc_ids[rows] * _SHIFT + data.ends[rows],
                                 side="left")
        out = np.zeros(rows.size, dtype=bool)
        some = before > 0
        out[some] = reach[before[some] - 1] > (data.doc_ids[rows] * _SHIFT
                                               + data.starts[rows])[some]
        return out
    table = data.unit_table(unit)
    first, last = table.ranges(data.doc_ids[others], data.starts[others], data.ends[others])
    _which, units = _expand(first, last)
    first, last = table.ranges(data.doc_ids[rows], data.starts[rows], data.ends[rows])
    which, mine = _expand(first, last)
    hit = np.isin(mine, units)
    return np.bincount(which[hit], minlength=rows.size) > 0


def retrieve(data: AnalysisData, *, codes: Sequence[str] = (), subcodes: bool = True,
             selection: Selection = ALL, with_codes: Sequence[str] = (),
             without_codes: Sequence[str] = (), unit: str = "sentence") -> list[int]:
    """Row numbers (into `data`) of the codings passing every filter, in document order.

    `codes` are ORed (each with its subcodes unless `subcodes` is false); every code in
    `with_codes` must be present in the same unit, none of `without_codes` may be.
    """
    if unit not in UNITS:
        raise UserError(f"--unit must be one of {', '.join(UNITS)}, not {unit!r}")
    wanted: set[int] | None = None
    if codes:
        wanted = set()
        for ref in codes:
            code = data.code(ref)
            wanted |= data.subtree(code) if subcodes else {code.id}
    rows = selected_rows(data, selection, wanted)
    # Other codes are looked for without the speaker filter: "pro-rectors' quotes on A said
    # in a turn that also has B" must find B wherever it is in that turn.
    context = Selection(selection.coder, False, selection.documents, selection.where)
    for ref, keep in [*((r, True) for r in with_codes), *((r, False) for r in without_codes)]:
        others = selected_rows(data, context, data.subtree(data.code(ref)))
        rows = rows[_meets(data, rows, others, unit) == keep]
    return rows.tolist()
