"""The consensus coder and review decisions: team coding that ends in one agreed version.

A consensus coder is a coder row marked ``kind = 'consensus'``; agreement, disagreement
listings and default coder sets leave it out unless it is named. A review decision is stored
as a row of its own (document, code, unit, number, choice A/B/both/neither), written in the same
change as the consensus codings it makes, so "neither" is a decision the report can count and a
later seed respects, and undo (the reviewer's ordinary undo) takes back both together.

Reach of a decision: exactly the unit under review. The consensus coder's codings of the code
inside the unit are replaced by the union of the chosen coders' codings of the code clipped to
the unit ("neither": nothing); codings outside the unit are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from casecoder.errors import UserError
from casecoder.ids import new_guid, now
from casecoder.model import Code, Document

if TYPE_CHECKING:
    from casecoder.project.core import ProjectBase as _Base
else:
    _Base = object

CHOICES = ("a", "b", "both", "neither")
CONSENSUS_KIND = "consensus"
REVIEW_UNITS = ("sentence", "turn", "paragraph")


@dataclass(frozen=True)
class Decision:
    """One stored review decision on one unit and code."""

    consensus: str
    document: str
    code_id: int
    unit: str
    number: int
    start: int
    end: int
    choice: str
    coders: tuple[str, ...]
    memo: str
    decided_at: str


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans joined, in order."""
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


class ReviewMixin(_Base):
    """Mark consensus coders; store decisions; seed agreed codings."""

    def coder_kinds(self) -> dict[str, str]:
        """Every coder's kind ('coder' or 'consensus'), by name."""
        return dict(self.conn.execute("SELECT name, kind FROM coders").fetchall())

    def consensus_coders(self) -> set[str]:
        return {name for name, kind in self.coder_kinds().items() if kind == CONSENSUS_KIND}

    def coders_with_codings(self, *, include_consensus: bool = False) -> list[str]:
        """Coders who coded anything, by name; one indexed query, no codings loaded."""
        rows = self.conn.execute(
            "SELECT c.name, c.kind FROM coders c WHERE EXISTS "
            "(SELECT 1 FROM codings k WHERE k.coder_id = c.id) ORDER BY c.name COLLATE NOCASE")
        return [name for name, kind in rows if include_consensus or kind != CONSENSUS_KIND]

    def _consensus_id(self, log: Any, name: str) -> int:
        """The consensus coder's id, the coder made (or marked) as such within the change."""
        name = " ".join(name.split())
        if not name:
            raise UserError("the consensus coder needs a name")
        row = self.conn.execute("SELECT id, kind FROM coders WHERE name = ?", (name,)).fetchone()
        if row is None:
            return log.insert("coders", {"guid": new_guid(), "name": name, "created_at": now(),
                                         "kind": CONSENSUS_KIND})
        if row[1] != CONSENSUS_KIND:
            log.update("coders", {"id": row[0]}, {"kind": CONSENSUS_KIND})
        return int(row[0])

    def mark_consensus(self, name: str, *, undoable: bool = True) -> None:
        """Mark (or create) a coder as a consensus coder (an exchange build that fills a new
        project passes undoable=False, like every import)."""
        with self._change("mark-consensus", undoable=undoable) as log:
            self._consensus_id(log, name)
            log.summary = f"{name!r} is a consensus coder"

    def _clip_codings(self, doc_id: int, code_id: int, coders: Sequence[str], start: int,
                      end: int) -> list[tuple[int, int]]:
        if not coders:
            return []
        marks = ",".join("?" for _ in coders)
        rows = self.conn.execute(
            f'SELECT k.start, k."end" FROM codings k JOIN coders c ON c.id = k.coder_id '
            f"WHERE k.document_id = ? AND k.code_id = ? AND c.name IN ({marks}) "
            f'AND k.start < ? AND k."end" > ?', (doc_id, code_id, *coders, end, start))
        return merge_spans((max(s, start), min(e, end)) for s, e in rows)

    def _cut(self, log: Any, doc_id: int, code_id: int, coder_id: int, start: int,
             end: int) -> None:
        """Remove one coder's code from [start, end), trimming or splitting codings."""
        rows = self.conn.execute(
            'SELECT id, start, "end", memo FROM codings WHERE coder_id = ? AND document_id = ? '
            'AND code_id = ? AND start < ? AND "end" > ? ORDER BY start',
            (coder_id, doc_id, code_id, end, start)).fetchall()
        for coding_id, s, e, memo in rows:
            left = (s, start) if s < start else None
            right = (end, e) if e > end else None
            if left is None and right is None:
                log.delete("codings", {"id": coding_id})
                continue
            keep = left or right
            assert keep is not None
            log.update("codings", {"id": coding_id}, {"start": keep[0], "end": keep[1]})
            if left and right:
                log.insert("codings", {
                    "guid": new_guid(), "document_id": doc_id, "code_id": code_id,
                    "coder_id": coder_id, "start": right[0], "end": right[1], "memo": memo,
                    "created_at": now()})

    def decide(self, *, into: str, doc: str | Document, code: str | int | Code, unit: str,
               number: int, choice: str, coders: Sequence[str], memo: str = "") -> str:
        """Decide one disagreement on one unit into the consensus coder; one undoable change.

        ``coders`` are the compared (A, B). Returns a one-line summary of what was done.
        """
        if choice not in CHOICES:
            raise UserError(f"a decision is one of {', '.join(CHOICES)}, not {choice!r}")
        if unit not in REVIEW_UNITS:
            raise UserError(f"decisions are made on {', '.join(REVIEW_UNITS)} units, "
                            f"not on {unit!r}")
        names = [self.coder(n).name for n in coders]  # unknown coder: UserError
        if len(names) != 2:
            raise UserError(f"a decision is between 2 coders, not {len(names)}")
        if " ".join(into.split()) in names:
            raise UserError(f"{into!r} is one of the compared coders; the consensus coder needs "
                            "a name of its own")
        d = self.document(doc)
        c = self.code(code)
        if not c.codable:
            raise UserError(f"{c.path!r} is a category; decide on one of its codes")
        start, end = self.segment_span(d, number, number, unit)
        sources = {"a": names[:1], "b": names[1:], "both": names, "neither": []}[choice]
        who = {"a": names[0], "b": names[1], "both": f"{names[0]} and {names[1]}"}.get(
            choice, "neither")
        memo = " ".join(memo.split())
        with self._change("reconcile") as log:
            consensus_id = self._consensus_id(log, into)
            self._cut(log, d.id, c.id, consensus_id, start, end)
            for s, e in self._clip_codings(d.id, c.id, sources, start, end):
                self._merge_touching(log, None, d.id, c.id, consensus_id,
                                     s, e, memo)
            key = (consensus_id, d.id, c.id, unit, number)
            row = self.conn.execute(
                "SELECT id FROM review_decisions WHERE consensus_id = ? AND document_id = ? "
                "AND code_id = ? AND unit = ? AND number = ?", key).fetchone()
            values = {"start": start, "end": end, "choice": choice, "coders": ",".join(names),
                      "memo": memo, "decided_at": now()}
            if row:
                log.update("review_decisions", {"id": row[0]}, values)
            else:
                log.insert("review_decisions", {
                    "consensus_id": consensus_id, "document_id": d.id, "code_id": c.id,
                    "unit": unit, "number": number, **values})
            log.summary = f"{into}: {who} for {c.path} in {d.name} {unit} {number}"
            log.document_id = d.id
        if choice == "neither":
            return f"{into}: {c.path} does not apply to {d.name} {unit} {number}"
        return f"{into} takes {who}'s coding of {c.path} in {d.name} {unit} {number}"

    def decisions(self, into: str | None = None, *, doc: str | Document | None = None
                  ) -> list[Decision]:
        """Stored review decisions (of one consensus coder, one document), in document order."""
        where: list[str] = []
        params: list[str | int] = []
        if into is not None:
            where.append("c.name = ?")
            params.append(" ".join(into.split()))
        if doc is not None:
            where.append("r.document_id = ?")
            params.append(self.document(doc).id)
        sql = ("SELECT c.name, d.name, r.code_id, r.unit, r.number, r.start, r.\"end\", r.choice, "
               "r.coders, r.memo, r.decided_at FROM review_decisions r "
               "JOIN coders c ON c.id = r.consensus_id JOIN documents d ON d.id = r.document_id")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY d.name COLLATE NOCASE, r.unit, r.number, r.code_id"
        return [Decision(*[*r[:8], tuple(r[8].split(",")), r[9], r[10]])
                for r in self.conn.execute(sql, params)]

    def seed_consensus(self, into: str, spans: Sequence[tuple[int, int, int, int]], *,
                       summary: str) -> int:
        """Add agreed (document id, code id, start, end) spans to the consensus coder.

        Spans the consensus already covers add nothing, so seeding twice changes nothing.
        Returns how many spans added something.
        """
        added = 0
        with self._change("reconcile-seed") as log:
            consensus_id = self._consensus_id(log, into)
            for doc_id, code_id, start, end in spans:
                covered = self.conn.execute(
                    'SELECT 1 FROM codings WHERE coder_id = ? AND document_id = ? AND code_id = ? '
                    'AND start <= ? AND "end" >= ?',
                    (consensus_id, doc_id, code_id, start, end)).fetchone()
                if covered:
                    continue
                self._merge_touching(log, None, doc_id, code_id, consensus_id,
                                     start, end, "")
                added += 1
            log.summary = summary
        return added

    def add_decisions(self, decisions: Iterable[Decision], *, action: str = "add-decisions",
                      undoable: bool = True) -> int:
        """Store decisions brought in from another project or a .qdpx, as one change.

        A decision is matched by consensus coder, document, code, unit and number: one already
        here is kept (a repeat adds nothing). The consensus coder is made or marked as such;
        the decision's codings travel as codings, so nothing else is touched. Returns how
        many were added; nothing to add writes no event.
        """
        todo = []
        for d in decisions:
            if d.choice not in CHOICES or d.unit not in REVIEW_UNITS:
                raise UserError(f"a decision {d.choice!r} on {d.unit!r} is not one casecoder "
                                "makes")
            doc = self.document(d.document)
            if not 0 <= d.start < d.end <= doc.length:
                raise UserError(f"a decision on {d.start}-{d.end} is outside {doc.name!r}")
            todo.append((d, doc.id))
        added = 0
        consensus: dict[str, int] = {}
        keys = {(r[0], r[1], r[2], r[3], r[4]) for r in self.conn.execute(
            "SELECT consensus_id, document_id, code_id, unit, number FROM review_decisions")}
        if not todo:
            return 0
        names = {c.name: c.id for c in self.coders()}
        if all((names.get(" ".join(d.consensus.split())), doc_id, d.code_id, d.unit, d.number)
               in keys for d, doc_id in todo):
            return 0
        with self._change(action, undoable=undoable) as log:
            for d, doc_id in todo:
                if d.consensus not in consensus:
                    consensus[d.consensus] = self._consensus_id(log, d.consensus)
                key = (consensus[d.consensus], doc_id, d.code_id, d.unit, d.number)
                if key in keys:
                    continue
                keys.add(key)
                log.insert("review_decisions", {
                    "consensus_id": key[0], "document_id": doc_id, "code_id": d.code_id,
                    "unit": d.unit, "number": d.number, "start": d.start, "end": d.end,
                    "choice": d.choice, "coders": ",".join(d.coders), "memo": d.memo,
                    "decided_at": d.decided_at or now()})
                added += 1
            log.summary = f"{action}: {added} review decisions"
        return added
