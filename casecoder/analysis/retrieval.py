"""Retrieval with filters: the codings of a code, narrowed by who said it, where, and which
other codes are (or are not) applied beside it.

`retrieve` answers questions like "every quote of barriers/workload said by pro-rectors in
KA220 cases" (`Selection.where`) or "coded A and B in the same sentence" / "A but not B"
(`with_codes`, `without_codes` with a `unit`: sentence, turn, paragraph, document, or overlap
by at least one character, the co-occurrence rules). Other codes are looked for among the
codings the selection allows (the same coder, documents and attributes), a code standing
for its subcodes. The CLI's `casecoder codings` and the quotes screen use it the same way.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from casecoder.analysis.cooccurrence import UNITS
from casecoder.analysis.data import ALL, AnalysisData, Selection, selected_rows
from casecoder.errors import UserError


def _presence(data: AnalysisData, rows: Sequence[int], unit: str) -> dict[int, object]:
    """Where the given codings are, per document: unit indices, or spans for overlap."""
    out: dict[int, object] = {}
    if unit == "document":
        return {data.doc_ids[i]: True for i in rows}
    if unit == "overlap":
        spans: dict[int, list[tuple[int, int]]] = {}
        for i in rows:
            spans.setdefault(data.doc_ids[i], []).append((data.starts[i], data.ends[i]))
        for doc_id, items in spans.items():
            items.sort()
            out[doc_id] = items
        return out
    table = data.unit_table(unit)
    units: dict[int, set[int]] = {}
    for i in rows:
        starts, ends, _numbers = table.get(data.doc_ids[i], ((), (), ()))
        units.setdefault(data.doc_ids[i], set()).update(
            range(bisect_right(ends, data.starts[i]), bisect_left(starts, data.ends[i])))
    return dict(units)


def _meets(data: AnalysisData, i: int, where: dict[int, object], unit: str) -> bool:
    found = where.get(data.doc_ids[i])
    if found is None:
        return False
    if unit == "document":
        return True
    start, end = data.starts[i], data.ends[i]
    if unit == "overlap":
        spans = found  # sorted by start
        assert isinstance(spans, list)
        k = bisect_left(spans, (end, -1))
        return any(e > start for _s, e in spans[:k])
    starts, ends, _numbers = data.unit_table(unit).get(data.doc_ids[i], ((), (), ()))
    assert isinstance(found, set)
    return any(u in found for u in range(bisect_right(ends, start), bisect_left(starts, end)))


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
        where = _presence(data, others, unit)
        rows = [i for i in rows if _meets(data, i, where, unit) == keep]
    return rows
