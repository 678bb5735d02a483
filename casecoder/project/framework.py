"""Framework summaries: the researcher's short summary of what one case says about one code.

The Framework method (Ritchie and Spencer) charts the data in a grid of cases (or documents)
by codes, each cell a few lines written by the researcher with the cell's quotes beside it.
A summary belongs to its coder, like a memo: two researchers charting the same grid keep
their own texts, and a merge never has to choose between them. Every save is one change with
its event, so it is undoable and in the audit trail; an empty text deletes the summary.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from casecoder.errors import UserError
from casecoder.ids import new_guid, now

if TYPE_CHECKING:
    from casecoder.project.core import ProjectBase as _Base
else:
    _Base = object

ROW_KINDS = ("case", "document")
MAX_SUMMARY_CHARS = 20_000


@dataclass(frozen=True)
class FrameworkSummary:
    guid: str
    row_kind: str  # "case" | "document"
    row: str  # the case's or document's name
    code: str  # the code's path
    code_id: int
    coder: str
    text: str
    created_at: str
    updated_at: str


class FrameworkMixin(_Base):
    """Read and write framework summaries."""

    def _framework_row(self, row_kind: str, row: str) -> tuple[int, str]:
        if row_kind == "document":
            d = self.document(row)
            return d.id, d.name
        if row_kind == "case":
            found = self.conn.execute("SELECT id, name FROM cases WHERE name = ?",
                                      (" ".join(row.split()),)).fetchone()
            if found is None:
                folded = row.strip().casefold()
                found = next((r for r in self.conn.execute("SELECT id, name FROM cases")
                              if r[1].casefold() == folded), None)
            if found is None:
                known = ", ".join(c.name for c in self.cases()) or "none yet"  # type: ignore[attr-defined]
                raise UserError(f"no case named {row!r} (cases in this project: {known})")
            return int(found[0]), str(found[1])
        raise UserError(f"framework rows are {' or '.join(ROW_KINDS)}, not {row_kind!r}")

    def set_framework_summary(self, row: str, code: Any, text: str, *,
                              row_kind: str = "case") -> FrameworkSummary | None:
        """Write (or with empty text, delete) the current coder's summary of one cell."""
        row_id, label = self._framework_row(row_kind, row)
        c = self.code(code)
        text = text.strip()
        if len(text) > MAX_SUMMARY_CHARS:
            raise UserError(f"a framework summary is at most {MAX_SUMMARY_CHARS:,} characters "
                            f"(this one has {len(text):,}); it summarises, the quotes quote")
        with self._change("framework-summary") as log:
            coder_id = self.coder_id()
            found = self.conn.execute(
                "SELECT id, text FROM framework_summaries WHERE row_kind = ? AND row_id = ? "
                "AND code_id = ? AND coder_id = ?", (row_kind, row_id, c.id, coder_id)).fetchone()
            if found and not text:
                log.delete("framework_summaries", {"id": found[0]})
            elif found and found[1] != text:
                log.update("framework_summaries", {"id": found[0]},
                           {"text": text, "updated_at": now()})
            elif not found and text:
                stamp = now()
                log.insert("framework_summaries", {
                    "guid": new_guid(), "row_kind": row_kind, "row_id": row_id,
                    "code_id": c.id, "coder_id": coder_id, "text": text,
                    "created_at": stamp, "updated_at": stamp})
            log.summary = f"framework summary {label} x {c.path}"
            if row_kind == "document":
                log.document_id = row_id
        mine = [s for s in self.framework_summaries(row_kind=row_kind, coder=self.coder_name)
                if s.row == label and s.code_id == c.id]
        return mine[0] if mine else None

    def framework_summaries(self, *, row_kind: str | None = None,
                            coder: str | None = None) -> list[FrameworkSummary]:
        """Summaries in row, code and coder order (names and paths resolved)."""
        sql = ("SELECT f.guid, f.row_kind, COALESCE(cs.name, d.name, '?'), f.code_id, k.name, "
               "f.text, f.created_at, f.updated_at FROM framework_summaries f "
               "JOIN coders k ON k.id = f.coder_id "
               "LEFT JOIN cases cs ON f.row_kind = 'case' AND cs.id = f.row_id "
               "LEFT JOIN documents d ON f.row_kind = 'document' AND d.id = f.row_id ")
        where: list[str] = []
        params: list[str | int] = []
        if row_kind is not None:
            if row_kind not in ROW_KINDS:
                raise UserError(f"framework rows are {' or '.join(ROW_KINDS)}, not {row_kind!r}")
            where.append("f.row_kind = ?")
            params.append(row_kind)
        if coder is not None:
            where.append("k.id = ?")
            params.append(self.coder(coder).id)
        if where:
            sql += "WHERE " + " AND ".join(where)
        paths = {c.id: c.path for c in self.codes()}
        out = [FrameworkSummary(guid, kind, row, paths.get(code_id, "?"), code_id, who, text,
                                created, updated)
               for guid, kind, row, code_id, who, text, created, updated
               in self.conn.execute(sql, params)]
        return sorted(out, key=lambda s: (s.row_kind, s.row.casefold(), s.code, s.coder))

    def add_framework_summaries(self, summaries: Iterable[FrameworkSummary], *,
                                action: str = "add-framework-summaries",
                                undoable: bool = True) -> int:
        """Store summaries brought in from another project or a .qdpx, as one change.

        Matched like memos: a summary whose GUID is here, or whose cell (row, code) already
        has a summary by the same coder, is kept as it is, so a repeat adds nothing and a
        merge never overwrites a researcher's text. Rows are given by name, codes by id.
        Returns how many were added; nothing to add writes no event.
        """
        taken = {r[0] for r in self.conn.execute("SELECT guid FROM framework_summaries")}
        cells = {tuple(r) for r in self.conn.execute(
            "SELECT row_kind, row_id, code_id, coder_id FROM framework_summaries")}
        coders = {c.name: c.id for c in self.coders()}
        todo = []
        for s in summaries:
            text = s.text.strip()
            if not text or s.guid.lower() in taken:
                continue
            if len(text) > MAX_SUMMARY_CHARS:
                raise UserError(f"a framework summary is at most {MAX_SUMMARY_CHARS:,} "
                                "characters")
            row_id, _label = self._framework_row(s.row_kind, s.row)
            code_id = self.code(s.code_id).id
            if (s.row_kind, row_id, code_id, coders.get(s.coder)) in cells:
                continue
            todo.append((s, text, row_id, code_id))
        if not todo:
            return 0
        added = 0
        with self._change(action, undoable=undoable) as log:
            for s, text, row_id, code_id in todo:
                if s.coder not in coders:
                    coders[s.coder] = self.ensure_coder(s.coder).id
                cell = (s.row_kind, row_id, code_id, coders[s.coder])
                if cell in cells or s.guid.lower() in taken:
                    continue
                cells.add(cell)
                taken.add(s.guid.lower())
                stamp = now()
                log.insert("framework_summaries", {
                    "guid": s.guid.lower() or new_guid(), "row_kind": s.row_kind,
                    "row_id": row_id, "code_id": code_id, "coder_id": coders[s.coder],
                    "text": text, "created_at": s.created_at or stamp,
                    "updated_at": s.updated_at or s.created_at or stamp})
                added += 1
            log.summary = f"{action}: {added} framework summaries"
        return added

    def _move_framework_summaries(self, log: Any, src_id: int, dst_id: int) -> None:
        """A merged code's summaries follow it; two of one cell and coder are joined."""
        for sid, kind, row_id, coder_id, text in self.conn.execute(
                "SELECT id, row_kind, row_id, coder_id, text FROM framework_summaries "
                "WHERE code_id = ? ORDER BY id", (src_id,)).fetchall():
            other = self.conn.execute(
                "SELECT id, text FROM framework_summaries WHERE row_kind = ? AND row_id = ? "
                "AND code_id = ? AND coder_id = ?", (kind, row_id, dst_id, coder_id)).fetchone()
            if other is None:
                log.update("framework_summaries", {"id": sid}, {"code_id": dst_id})
                continue
            log.update("framework_summaries", {"id": other[0]},
                       {"text": f"{other[1]}\n{text}", "updated_at": now()})
            log.delete("framework_summaries", {"id": sid})
