"""The event log: every change as a list of row operations, replayable in both directions.

An event stores, for each row it touched, enough to apply the change again (redo) or its inverse
(undo): the full row for inserts and deletes, before/after values for updates. Undo and redo are
themselves appended as events, so the log never loses history and stays the audit trail. Before
an operation is reversed, the row is checked to still be as the event left it; if someone changed
it since, the undo is refused rather than silently overwriting their work.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from casecoder.errors import UserError

#: Tables whose rows events may touch; anything else is a programming error.
TABLES = frozenset({"codings", "codes", "memos", "attributes", "cases", "documents",
                    "document_status", "coders", "framework_summaries", "speakers",
                    "speaker_attributes", "review_decisions", "autocode_runs"})


class UndoConflict(UserError):
    """The project changed since the event, so reversing it would overwrite newer work."""


@dataclass
class OpLog:
    """Collects the row operations of one change while it runs inside a transaction."""

    conn: sqlite3.Connection
    ops: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""
    document_id: int | None = None  # the document this change is about, for the audit trail

    def insert(self, table: str, row: dict[str, Any]) -> int:
        _check_table(table)
        cols = list(row)
        cur = self.conn.execute(
            f"INSERT INTO {table} ({', '.join(_q(c) for c in cols)}) "
            f"VALUES ({', '.join('?' for _ in cols)})",
            [row[c] for c in cols],
        )
        full = dict(row)
        if "id" not in full and table != "document_status":
            full["id"] = cur.lastrowid
        self.ops.append({"t": table, "op": "insert", "row": full})
        return int(cur.lastrowid or 0)

    def delete(self, table: str, key: dict[str, Any]) -> dict[str, Any]:
        _check_table(table)
        row = _fetch(self.conn, table, key)
        if row is None:
            raise UserError(f"nothing to delete in {table} for {key}")
        _delete(self.conn, table, key)
        self.ops.append({"t": table, "op": "delete", "row": row, "key": key})
        return row

    def update(self, table: str, key: dict[str, Any], changes: dict[str, Any]) -> None:
        _check_table(table)
        row = _fetch(self.conn, table, key)
        if row is None:
            raise UserError(f"nothing to update in {table} for {key}")
        before = {c: row[c] for c in changes}
        if before == changes:
            return
        _update(self.conn, table, key, changes)
        self.ops.append({"t": table, "op": "update", "key": key, "before": before,
                         "after": dict(changes)})

    def dumps(self) -> str:
        return json.dumps(self.ops, ensure_ascii=False, separators=(",", ":"))


def _q(col: str) -> str:
    return f'"{col}"'


def _check_table(table: str) -> None:
    if table not in TABLES:
        raise ValueError(f"events do not cover table {table!r}")


def _where(key: dict[str, Any]) -> tuple[str, list[Any]]:
    return " AND ".join(f"{_q(k)} = ?" for k in key), list(key.values())


def _fetch(conn: sqlite3.Connection, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    where, params = _where(key)
    cur = conn.execute(f"SELECT * FROM {table} WHERE {where}", params)
    rec = cur.fetchone()
    if rec is None:
        return None
    return dict(zip([d[0] for d in cur.description], rec, strict=True))


def _delete(conn: sqlite3.Connection, table: str, key: dict[str, Any]) -> None:
    where, params = _where(key)
    conn.execute(f"DELETE FROM {table} WHERE {where}", params)


def _update(conn: sqlite3.Connection, table: str, key: dict[str, Any],
            changes: dict[str, Any]) -> None:
    where, params = _where(key)
    sets = ", ".join(f"{_q(c)} = ?" for c in changes)
    conn.execute(f"UPDATE {table} SET {sets} WHERE {where}", [*changes.values(), *params])


def _key_of(op: dict[str, Any]) -> dict[str, Any]:
    if "key" in op:
        return op["key"]
    row = op["row"]
    if op["t"] == "document_status":
        return {"document_id": row["document_id"], "coder_id": row["coder_id"]}
    return {"id": row["id"]}


def _conflict(table: str) -> UndoConflict:
    noun = {"codings": "coding", "codes": "code", "memos": "memo"}.get(table, table)
    return UndoConflict(f"cannot reverse this change: a {noun} it touched has been changed since")


def apply(conn: sqlite3.Connection, ops: list[dict[str, Any]], *, inverse: bool) -> None:
    """Re-apply ops (redo) or reverse them in opposite order (undo), checking for conflicts."""
    sequence = reversed(ops) if inverse else ops
    for op in sequence:
        table, kind, key = op["t"], op["op"], _key_of(op)
        _check_table(table)
        if kind == "update":
            expect, target = (op["after"], op["before"]) if inverse else (op["before"], op["after"])
            row = _fetch(conn, table, key)
            if row is None or any(row[c] != v for c, v in expect.items()):
                raise _conflict(table)
            _update(conn, table, key, target)
            continue
        removing = (kind == "insert") == inverse
        if removing:
            row = _fetch(conn, table, key)
            if row is None or any(row.get(c) != v for c, v in op["row"].items()):
                raise _conflict(table)
            _delete(conn, table, key)
        else:
            if _fetch(conn, table, key) is not None:
                raise _conflict(table)
            cols = list(op["row"])
            conn.execute(
                f"INSERT INTO {table} ({', '.join(_q(c) for c in cols)}) "
                f"VALUES ({', '.join('?' for _ in cols)})",
                [op["row"][c] for c in cols],
            )
