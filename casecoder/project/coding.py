"""Codings: a coder's claim that a code applies to a [start, end) span of a document.

Invariant: for one coder, code and document, codings never overlap or touch; applying a code to a
span that meets an existing coding of the same code by the same coder grows that coding instead
of counting the passage twice. Different codes, and different coders, overlap freely.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from casecoder.errors import UserError
from casecoder.ids import new_guid, now
from casecoder.model import Code, Coding, CodingRecord, Document, Memo

if TYPE_CHECKING:
    from casecoder.project.core import ProjectBase as _Base
else:
    _Base = object

_CODING_SELECT = (
    'SELECT k.id, k.guid, k.document_id, d.name, k.code_id, \'\', k.coder_id, c.name, k.start, '
    'k."end", k.memo, k.created_at, k.origin FROM codings k '
    "JOIN documents d ON d.id = k.document_id "
    "JOIN coders c ON c.id = k.coder_id ")
MEMO_KINDS = ("project", "document", "code", "segment", "coding")


class CodingMixin(_Base):
    """Apply, remove and list codings; memos on everything."""

    def _coding(self, row: tuple[Any, ...], paths: dict[int, str] | None = None) -> Coding:
        path = paths[row[4]] if paths else self.code(row[4]).path
        return Coding(*[*row[:5], path, *row[6:]])

    def _check_span(self, doc: Document, start: int, end: int) -> None:
        if not (0 <= start < end <= doc.length):
            raise UserError(f"offsets {start}-{end} are outside {doc.name!r} "
                            f"(valid: 0 <= start < end <= {doc.length})")
        if not self.text(doc)[start:end].strip():
            raise UserError(f"offsets {start}-{end} of {doc.name!r} hold only whitespace")

    def _merge_touching(self, log: Any, keep_id: int | None, doc_id: int, code_id: int,
                        coder_id: int, start: int, end: int, memo: str) -> int:
        """Fold every same-coder same-code coding meeting [start, end) into one; return its id."""
        rows = self.conn.execute(
            'SELECT id, start, "end", memo FROM codings WHERE coder_id = ? AND document_id = ? '
            'AND code_id = ? AND start <= ? AND "end" >= ? ORDER BY id',
            (coder_id, doc_id, code_id, end, start)).fetchall()
        rows = [r for r in rows if r[0] != keep_id]
        if keep_id is None and not rows:
            return log.insert("codings", {
                "guid": new_guid(), "document_id": doc_id, "code_id": code_id,
                "coder_id": coder_id, "start": start, "end": end, "memo": memo,
                "created_at": now()})
        if keep_id is None:
            # The oldest coding survives, so its GUID (and any reference to it) stays stable.
            keep_id, start0, end0, memo0 = rows.pop(0)
            start, end = min(start, start0), max(end, end0)
            memo = _join_memos(memo0, memo)
        for other_id, other_start, other_end, other_memo in rows:
            log.delete("codings", {"id": other_id})
            start, end = min(start, other_start), max(end, other_end)
            memo = _join_memos(memo, other_memo)
        log.update("codings", {"id": keep_id}, {"start": start, "end": end, "memo": memo})
        return keep_id

    def code_range(self, doc: str | Document, code: str | Code, start: int, end: int, *,
                   memo: str | None = None) -> Coding:
        """Code [start, end) for the current coder; returns the (possibly merged) coding."""
        d = self.document(doc)
        c = self.code(code)
        if not c.codable:
            raise UserError(f"{c.path!r} is a category and cannot be applied; pick a subcode")
        self._check_span(d, start, end)
        with self._change("code") as log:
            coder_id = self.coder_id()
            assert coder_id is not None  # made on the first change
            coding_id = self._merge_touching(log, None, d.id, c.id, coder_id, start, end,
                                             (memo or "").strip())
            log.summary = f"code {c.path} on {d.name}, {self.passage_label(d, start, end)}"
            log.document_id = d.id
        return self.coding(coding_id)

    def add_codings(self, records: list[CodingRecord], *, action: str = "add-codings",
                    summary: str = "", undoable: bool = True) -> dict[str, int]:
        """Bring in many codings by any coders as one undoable change.

        A record whose GUID is already in the project is skipped, so bringing the same file in
        twice changes nothing; records meeting an existing coding of the same coder and code are
        merged into it, keeping the one-coding-per-passage invariant. Every record is checked
        before anything is written: one bad record refuses the whole batch. Building a new
        project from a file passes undoable=False: the event stays in the audit trail, but the
        importing coder's first undo must not quietly take imported work away.
        """
        counts = {"added": 0, "merged": 0, "skipped": 0}
        resolved = []
        for r in records:
            d = self.document(r.document)
            c = self.code(r.code)
            if not (0 <= r.start < r.end <= d.length):
                raise UserError(f"coding {r.start}-{r.end} of {c.path} is outside {d.name!r} "
                                f"(length {d.length})")
            if r.origin != "manual" and not r.origin.startswith("autocode:"):
                raise UserError(f"a coding's origin is manual or autocode:<run>, "
                                f"not {r.origin!r}")
            resolved.append((r, d, c))
        with self._change(action, undoable=undoable) as log:
            coder_ids: dict[str, int] = {}
            for r, d, c in resolved:
                guid = (r.guid or "").strip().strip("{}").lower() or None
                if guid and self.conn.execute("SELECT 1 FROM codings WHERE guid = ?",
                                              (guid,)).fetchone():
                    counts["skipped"] += 1
                    continue
                if r.coder not in coder_ids:
                    coder_ids[r.coder] = self.ensure_coder(r.coder).id
                coder_id = coder_ids[r.coder]
                meets = self.conn.execute(
                    "SELECT 1 FROM codings WHERE coder_id = ? AND document_id = ? AND code_id = ? "
                    'AND start <= ? AND "end" >= ?', (coder_id, d.id, c.id, r.end, r.start)
                ).fetchone()
                if meets:
                    self._merge_touching(log, None, d.id, c.id, coder_id, r.start, r.end,
                                         r.memo.strip())
                    counts["merged"] += 1
                    continue
                log.insert("codings", {
                    "guid": guid or new_guid(), "document_id": d.id, "code_id": c.id,
                    "coder_id": coder_id, "start": r.start, "end": r.end,
                    "memo": r.memo.strip(), "created_at": r.created_at or now(),
                    "origin": r.origin})
                counts["added"] += 1
            log.summary = summary or (f"add {counts['added']} codings "
                                      f"({counts['merged']} merged, {counts['skipped']} known)")
            documents = {d.id for _, d, _ in resolved}
            if len(documents) == 1:  # the audit trail (and incremental views) name it
                log.document_id = documents.pop()
        return counts

    def add_memo_record(self, kind: str, target_id: int, coder: str, text: str, *,
                        guid: str | None = None, created_at: str | None = None,
                        updated_at: str | None = None, undoable: bool = True) -> bool:
        """Store a memo brought in from outside; an existing GUID or target memo is kept."""
        coder_id = self.ensure_coder(coder).id
        if guid and self.conn.execute("SELECT 1 FROM memos WHERE guid = ?",
                                      (guid.lower(),)).fetchone():
            return False
        if self.conn.execute("SELECT 1 FROM memos WHERE target_kind = ? AND target_id = ? AND "
                             "coder_id = ?", (kind, target_id, coder_id)).fetchone():
            return False
        with self._change("add-memo", undoable=undoable) as log:
            log.insert("memos", {"guid": (guid or new_guid()).lower(), "target_kind": kind,
                                 "target_id": target_id, "coder_id": coder_id,
                                 "text": text.strip(), "created_at": created_at or now(),
                                 "updated_at": updated_at or created_at or now()})
            log.summary = f"memo from outside on {kind} {target_id}"
        return True

    def code_segments(self, doc: str | Document, code: str | Code, first: int, last: int, *,
                      unit: str = "sentence", memo: str | None = None) -> Coding:
        start, end = self.segment_span(doc, first, last, unit)
        return self.code_range(doc, code, start, end, memo=memo)

    def uncode(self, doc: str | Document, code: str | Code, start: int, end: int) -> int:
        """Remove the current coder's code from [start, end): trims, splits or deletes codings.

        Returns how many codings were changed; none is a user error, so that a typo in the
        range is noticed rather than silently doing nothing.
        """
        d = self.document(doc)
        c = self.code(code)
        if not (0 <= start < end <= d.length):
            raise UserError(f"offsets {start}-{end} are outside {d.name!r} "
                            f"(valid: 0 <= start < end <= {d.length})")
        coder_id = self.coder_id(create=False)
        rows = self.conn.execute(
            'SELECT id, guid, start, "end", memo, created_at FROM codings WHERE coder_id = ? '
            'AND document_id = ? AND code_id = ? AND start < ? AND "end" > ? ORDER BY start',
            (coder_id, d.id, c.id, end, start)).fetchall()
        if not rows:
            raise UserError(f"you ({self.coder_name}) have no coding of {c.path} in "
                            f"{d.name} between {start} and {end}")
        text = self.text(d)
        with self._change("uncode") as log:
            for coding_id, _guid, s, e, memo, _created in rows:
                left = (s, start) if s < start and text[s:start].strip() else None
                right = (end, e) if e > end and text[end:e].strip() else None
                if left is None and right is None:
                    log.delete("codings", {"id": coding_id})
                    continue
                keep = left or right
                assert keep is not None
                log.update("codings", {"id": coding_id}, {"start": keep[0], "end": keep[1]})
                if left and right:
                    log.insert("codings", {
                        "guid": new_guid(), "document_id": d.id, "code_id": c.id,
                        "coder_id": coder_id, "start": right[0], "end": right[1], "memo": memo,
                        "created_at": now()})
            log.summary = (f"uncode {c.path} on {d.name}, "
                           f"{self.passage_label(d, start, end)}")
            log.document_id = d.id
        return len(rows)

    def remove_coding(self, guid: str) -> Coding:
        coding = self.coding(guid)
        if coding.coder != self.coder_name:
            raise UserError(f"coding {guid} belongs to {coding.coder}; only its coder can remove "
                            f"it (run as --coder {coding.coder!r})")
        with self._change("remove-coding") as log:
            log.delete("codings", {"id": coding.id})
            log.summary = (f"remove {coding.code_path} on {coding.document}, "
                           f"{self.passage_label(coding.document_id, coding.start, coding.end)}")
            log.document_id = coding.document_id
        return coding

    def coding(self, ref: str | int) -> Coding:
        if isinstance(ref, int):
            row = self.conn.execute(_CODING_SELECT + "WHERE k.id = ?", (ref,)).fetchone()
        else:
            row = self.conn.execute(_CODING_SELECT + "WHERE k.guid = ?",
                                    (ref.strip().strip("{}").lower(),)).fetchone()
        if row is None:
            raise UserError(f"no coding {ref!r} in this project")
        return self._coding(row)

    def iter_codings(self, *, doc: str | Document | None = None,
                     code: str | int | Code | None = None, coder: str | None = None,
                     subcodes: bool = True) -> Iterator[Coding]:
        """Codings one at a time, so exporters of 100k codings need not hold them all."""
        where: list[str] = []
        params: list[Any] = []
        if doc is not None:
            where.append("k.document_id = ?")
            params.append(self.document(doc).id)
        if code is not None:
            ids = ([c.id for c in self.descendants(code)] if subcodes
                   else [self.code(code).id])
            where.append(f"k.code_id IN ({','.join('?' for _ in ids)})")
            params.extend(ids)
        if coder is not None:
            where.append("k.coder_id = ?")
            params.append(self.coder(coder).id)
        sql = _CODING_SELECT + (f"WHERE {' AND '.join(where)} " if where else "")
        sql += "ORDER BY d.name COLLATE NOCASE, k.start, k.\"end\", k.code_id, c.name"
        # One look at the code tree for the whole listing, not one per row.
        paths = {c.id: c.path for c in self.codes()}
        for row in self.conn.execute(sql, params):
            yield self._coding(row, paths)

    def codings(self, *, doc: str | Document | None = None,
                code: str | int | Code | None = None,
                coder: str | None = None, subcodes: bool = True) -> list[Coding]:
        """Codings filtered by document, code (with its subcodes unless told not) and coder."""
        return list(self.iter_codings(doc=doc, code=code, coder=coder, subcodes=subcodes))

    def codings_in(self, doc: str | Document, start: int, end: int) -> list[Coding]:
        """Codings (any coder) that overlap [start, end): what is at the cursor."""
        d = self.document(doc)
        paths = {c.id: c.path for c in self.codes()}
        return [self._coding(r, paths) for r in self.conn.execute(
            _CODING_SELECT + 'WHERE k.document_id = ? AND k.start < ? AND k."end" > ? '
            "ORDER BY k.start, k.code_id", (d.id, end, start))]

    def set_coding_memo(self, guid: str, text: str) -> Coding:
        coding = self.coding(guid)
        with self._change("coding-memo") as log:
            log.update("codings", {"id": coding.id}, {"memo": text.strip()})
            log.summary = f"memo on coding {coding.code_path} in {coding.document}"
            log.document_id = coding.document_id
        return self.coding(coding.id)

    # --- memos ---------------------------------------------------------------------------

    def _memo_target(self, kind: str, target: Any) -> tuple[int, str]:
        if kind == "project":
            return 0, "project"
        if kind == "document":
            d = self.document(target)
            return d.id, d.name
        if kind == "code":
            c = self.code(target)
            return c.id, c.path
        if kind == "segment":
            doc, unit, number = target
            segs = [s for s in self.segments(doc, unit)
                    if s.number == number]
            if not segs:
                raise UserError(f"{doc} has no {unit} {number}")
            return segs[0].id, f"{self.document(doc).name} {unit} {number}"
        raise UserError(f"memos go on {', '.join(MEMO_KINDS)}, not {kind!r}")

    def set_memo(self, kind: str, target: Any, text: str) -> Memo | None:
        """Write (or with empty text, delete) the current coder's memo on a target."""
        if kind == "coding":
            self.set_coding_memo(str(target), text)
            return None
        target_id, label = self._memo_target(kind, target)
        with self._change("memo") as log:
            coder_id = self.coder_id()
            row = self.conn.execute(
                "SELECT id FROM memos WHERE target_kind = ? AND target_id = ? AND coder_id = ?",
                (kind, target_id, coder_id)).fetchone()
            text = text.strip()
            if row and not text:
                log.delete("memos", {"id": row[0]})
            elif row:
                log.update("memos", {"id": row[0]}, {"text": text, "updated_at": now()})
            elif text:
                log.insert("memos", {"guid": new_guid(), "target_kind": kind,
                                     "target_id": target_id, "coder_id": coder_id, "text": text,
                                     "created_at": now(), "updated_at": now()})
            log.summary = f"memo on {kind} {label}"
            if kind == "document":
                log.document_id = target_id
            elif kind == "segment":
                segment = self.segment_by_id(target_id)
                log.document_id = segment.document_id if segment else None
        memos = [m for m in self.memos(kind) if m.target_id == target_id
                 and m.coder == self.coder_name]
        return memos[0] if memos else None

    def memos(self, kind: str | None = None) -> list[Memo]:
        sql = ("SELECT m.id, m.guid, m.target_kind, m.target_id, c.name, m.text, m.created_at, "
               "m.updated_at FROM memos m JOIN coders c ON c.id = m.coder_id ")
        params: tuple[Any, ...] = ()
        if kind:
            sql += "WHERE m.target_kind = ? "
            params = (kind,)
        sql += "ORDER BY m.target_kind, m.target_id, c.name"
        out = []
        for mid, guid, tkind, tid, coder, text, created, updated in self.conn.execute(sql, params):
            out.append(Memo(mid, guid, tkind, tid, self._memo_label(tkind, tid), coder, text,
                            created, updated))
        return out

    def _memo_label(self, kind: str, target_id: int) -> str:
        if kind == "project":
            return "project"
        if kind == "document":
            row = self.conn.execute("SELECT name FROM documents WHERE id = ?",
                                    (target_id,)).fetchone()
            return row[0] if row else "?"
        if kind == "code":
            try:
                return self.code(target_id).path
            except UserError:
                return "?"
        row = self.conn.execute(
            "SELECT d.name, s.kind, s.number FROM segments s JOIN documents d "
            "ON d.id = s.document_id WHERE s.id = ?", (target_id,)).fetchone()
        return f"{row[0]} {row[1]} {row[2]}" if row else "?"


def _join_memos(a: str, b: str) -> str:
    a, b = (a or "").strip(), (b or "").strip()
    if not a or a == b:
        return b
    if not b or b in a:
        return a
    return f"{a}\n{b}"
