"""Whole-project reads for analysis: every coding or every segment of a kind in one query.

The matrix and co-occurrence functions look at 100,000 codings at once; building a `Coding`
dataclass per row (and a query per document for segments) would cost more than the analysis
itself. These methods hand out plain tuples in a fixed order instead, still through the
Project API, so the analysis room holds no SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from casecoder.errors import UserError

if TYPE_CHECKING:
    from casecoder.project.core import ProjectBase as _Base
else:
    _Base = object

#: (id, document id, code id, coder id, start, end), ordered by document and start.
CodingRow = tuple[int, int, int, int, int, int]
#: (document id, number, start, end, speaker), ordered by document and start.
SegmentRow = tuple[int, int, int, int, "str | None"]


class TablesMixin(_Base):
    """Codings and segments as compact rows for the analysis room."""

    def coding_rows(self) -> list[CodingRow]:
        """Every coding of every coder as (id, document id, code id, coder id, start, end),
        by document then start (GUIDs separately, `coding_guids`: most analyses never need
        them, and 100,000 strings cost more than the numbers)."""
        return self.conn.execute(
            'SELECT id, document_id, code_id, coder_id, start, "end" FROM codings '
            'ORDER BY document_id, start, "end", code_id, coder_id, id').fetchall()

    def coding_guids(self) -> Iterator[tuple[int, str]]:
        """(id, GUID) of every coding."""
        yield from self.conn.execute("SELECT id, guid FROM codings")

    def segment_rows(self, kind: str) -> list[SegmentRow]:
        """Every segment of one kind (sentence, turn, paragraph), by document then start."""
        if kind not in ("sentence", "turn", "paragraph"):
            raise UserError(f"unit must be sentence, turn or paragraph, not {kind!r}")
        return self.conn.execute(
            'SELECT document_id, number, start, "end", speaker FROM segments WHERE kind = ? '
            "ORDER BY document_id, start", (kind,)).fetchall()
