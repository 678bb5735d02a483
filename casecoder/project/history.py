"""Undo and redo per coder, driven by the append-only event log.

The stacks are not stored: they are replayed from the coder's events, so undo works the same
from the TUI and across separate CLI invocations, and nothing can drift out of step with the log.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

from casecoder.errors import UserError
from casecoder.ids import now
from casecoder.model import Document, Event
from casecoder.store import transaction
from casecoder.store.events import UndoConflict, apply

if TYPE_CHECKING:
    from casecoder.project.core import ProjectBase as _Base
else:
    _Base = object

_EVENT_SELECT = ("SELECT e.id, c.name, e.at, e.kind, e.action, e.summary, e.target_event, "
                 "e.undoable, d.name FROM events e LEFT JOIN coders c ON c.id = e.coder_id "
                 "LEFT JOIN documents d ON d.id = e.document_id ")


class HistoryMixin(_Base):
    def _stacks(self) -> tuple[list[int], list[int]]:
        coder_id = self.coder_id(create=False)
        done: list[int] = []
        redo: list[int] = []
        if coder_id is None:
            return done, redo
        for event_id, kind, target, undoable in self.conn.execute(
                "SELECT id, kind, target_event, undoable FROM events WHERE coder_id = ? "
                "ORDER BY id", (coder_id,)):
            if kind == "do":
                if undoable:
                    done.append(event_id)
                    redo.clear()
            elif kind == "undo":
                if done and done[-1] == target:
                    redo.append(done.pop())
            elif kind == "redo" and redo and redo[-1] == target:
                done.append(redo.pop())
        return done, redo

    def _replay(self, kind: str) -> Event:
        with transaction(self.conn):
            done, redo = self._stacks()
            stack = done if kind == "undo" else redo
            if not stack:
                raise UserError(f"nothing to {kind} for {self.coder_name}")
            target = stack[-1]
            action, summary, ops, document_id = self.conn.execute(
                "SELECT action, summary, ops, document_id FROM events WHERE id = ?",
                (target,)).fetchone()
            try:
                apply(self.conn, json.loads(ops), inverse=(kind == "undo"))
            except sqlite3.IntegrityError:
                # e.g. undoing "add code" after someone coded with it: refuse, keep their work.
                raise UndoConflict(f"cannot {kind} {summary!r}: later changes depend on it"
                                   ) from None
            self.conn.execute(
                "INSERT INTO events (coder_id, at, kind, action, summary, ops, target_event, "
                "undoable, document_id) VALUES (?, ?, ?, ?, ?, '[]', ?, 0, ?)",
                (self.coder_id(), now(), kind, action, f"{kind}: {summary}", target,
                 document_id))
        self._invalidate()
        return self.event(target)

    def undo(self) -> Event:
        """Reverse the current coder's latest change; returns the event that was undone."""
        return self._replay("undo")

    def redo(self) -> Event:
        """Re-apply the change the current coder undid last."""
        return self._replay("redo")

    def can_undo(self) -> bool:
        return bool(self._stacks()[0])

    def can_redo(self) -> bool:
        return bool(self._stacks()[1])

    def last_document(self, coder: str | None = None) -> Document | None:
        """The document a coder changed something in most recently (None if nothing yet).

        Events name their document; for events from before they did, the coder's newest
        coding answers instead.
        """
        coder_id = self.coder(coder).id if coder else self.coder_id(create=False)
        if coder_id is None:
            return None
        row = self.conn.execute(
            "SELECT e.document_id FROM events e JOIN documents d ON d.id = e.document_id "
            "WHERE e.coder_id = ? ORDER BY e.id DESC LIMIT 1", (coder_id,)).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT document_id FROM codings WHERE coder_id = ? ORDER BY id DESC LIMIT 1",
                (coder_id,)).fetchone()
        return self.document(row[0]) if row else None

    def event(self, event_id: int) -> Event:
        row = self.conn.execute(_EVENT_SELECT + "WHERE e.id = ?", (event_id,)).fetchone()
        if row is None:
            raise UserError(f"no event {event_id}")
        return Event(*[*row[:7], bool(row[7]), row[8]])

    def latest_event_id(self) -> int:
        """The newest event's id (0 for a new project): where watching for changes starts."""
        return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])

    def events_after(self, event_id: int, *, limit: int = 200) -> list[Event]:
        """Events newer than `event_id`, oldest first: what others did since we last looked."""
        rows = self.conn.execute(_EVENT_SELECT + "WHERE e.id > ? ORDER BY e.id LIMIT ?",
                                 (event_id, limit))
        return [Event(*[*r[:7], bool(r[7]), r[8]]) for r in rows]

    def history(self, *, limit: int = 50, coder: str | None = None) -> list[Event]:
        """Newest first: the audit trail of who changed what, and when."""
        if coder:
            rows = self.conn.execute(_EVENT_SELECT + "WHERE c.name = ? ORDER BY e.id DESC "
                                     "LIMIT ?", (coder, limit))
        else:
            rows = self.conn.execute(_EVENT_SELECT + "ORDER BY e.id DESC LIMIT ?", (limit,))
        return [Event(*[*r[:7], bool(r[7]), r[8]]) for r in rows]
