"""The project's foundation: the open file, the current coder, caches and the change unit.

Every change goes through `_change`, which opens one transaction, records the row operations in
an event, and commits both together: a crash at any point leaves the file as it was before the
change, and the log always matches the data.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from casecoder import __version__
from casecoder.config import resolve_coder
from casecoder.errors import StorageError, UserError
from casecoder.ids import new_guid, now
from casecoder.model import Code, Coder, Document, Segment
from casecoder.store import is_read_only, open_database, transaction
from casecoder.store.db import Database
from casecoder.store.events import OpLog

SUPPORTED_LANGUAGES = ("nb", "en")


class _RolledBack(Exception):
    """Ends an `all_or_nothing(keep=False)` block so that its transaction rolls back."""


class ProjectBase:
    """Connection, coder and cache handling shared by the domain API's parts."""

    def __init__(self, db: Database, path: Path, coder: str | None = None) -> None:
        self.db = db
        self.path = path
        self.coder_name = resolve_coder(coder)
        self._coder_id: int | None = None
        self._data_version: int | None = None
        self._text_cache: dict[int, str] = {}
        #: Opened read-only (a file or folder we cannot write, or $CASECODER_READ_ONLY):
        #: reading works as usual, every change is refused in one line.
        self.read_only = is_read_only(db)
        self._invalidate()

    if TYPE_CHECKING:  # what the parts call of each other (defined in documents.py, codes.py)
        def document(self, ref: str | int | Document) -> Document: ...
        def text(self, doc: str | int | Document) -> str: ...
        def segments(self, doc: str | int | Document, kind: str = "sentence"
                     ) -> list[Segment]: ...
        def segment_span(self, doc: str | int | Document, first: int, last: int,
                         kind: str = "sentence") -> tuple[int, int]: ...
        def segment_by_id(self, segment_id: int) -> Segment | None: ...
        def codes(self) -> list[Code]: ...
        def code(self, ref: str | int | Code) -> Code: ...
        def descendants(self, code: str | int | Code) -> list[Code]: ...
        def passage_label(self, doc: str | int | Document, start: int, end: int) -> str: ...
        def _merge_touching(self, log: Any, keep_id: int | None, doc_id: int, code_id: int,
                            coder_id: int, start: int, end: int, memo: str) -> int: ...

    # --- opening and closing -------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, coder: str | None = None) -> Self:
        path = Path(path)
        return cls(open_database(path), path, coder)

    @classmethod
    def open_read_only(cls, path: str | Path) -> Self:
        """Open a project only for reading; any attempt to change it fails in SQLite."""
        from casecoder.store import open_read_only

        path = Path(path)
        return cls(open_read_only(path), path, "reader")

    @classmethod
    def create(cls, path: str | Path, *, language: str = "nb", coder: str | None = None,
               name: str | None = None, created_at: str | None = None) -> Self:
        path = Path(path)
        if language not in SUPPORTED_LANGUAGES:
            raise UserError(f"language must be one of {', '.join(SUPPORTED_LANGUAGES)}, "
                            f"not {language!r}")
        db = open_database(path, create=True)
        with transaction(db.conn) as conn:
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("application", "casecoder"), ("created_at", created_at or now()),
                 ("created_with", __version__), ("language", language),
                 ("name", name or path.stem.removesuffix(".cc")), ("guid", new_guid()),
                 ("nlp_model", "")],
            )
        return cls(db, path, coder)

    def close(self) -> None:
        self.db.conn.close()

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the main file, so the file alone is complete
        (before it is copied or renamed into place)."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    # --- settings ------------------------------------------------------------------------

    def setting(self, key: str, default: str = "") -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self._change("setting", undoable=False) as log:
            self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
            log.summary = f"set {key} = {value!r}"

    def blind_mode(self) -> bool:
        """Whether the current coder codes blind (sees only their own codings).

        Kept in the project, per coder, so that restarting the workbench can never show a
        blind coder the others' work by surprise.
        """
        return self.setting(f"blind_mode:{self.coder_name}") == "on"

    def set_blind_mode(self, on: bool) -> None:
        """Switch blind mode for the current coder; logged, so the audit trail shows when."""
        if on != self.blind_mode():
            self.set_setting(f"blind_mode:{self.coder_name}", "on" if on else "off")

    @property
    def language(self) -> str:
        return self.setting("language", "nb")

    @property
    def name(self) -> str:
        return self.setting("name", self.path.stem)

    @property
    def guid(self) -> str:
        return self.setting("guid")

    # --- coders --------------------------------------------------------------------------

    def coder_id(self, *, create: bool = True) -> int | None:
        """The current coder's id; the row is made on the first change, not on open."""
        if self._coder_id is not None:
            return self._coder_id
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?",
                                (self.coder_name,)).fetchone()
        if row:
            self._coder_id = row[0]
        elif create:
            cur = self.conn.execute(
                "INSERT INTO coders (guid, name, created_at) VALUES (?, ?, ?)",
                (new_guid(), self.coder_name, now()))
            self._coder_id = cur.lastrowid
        return self._coder_id

    def coders(self) -> list[Coder]:
        return [Coder(*r) for r in self.conn.execute(
            "SELECT id, guid, name, kind FROM coders ORDER BY name COLLATE NOCASE")]

    def coder(self, name: str) -> Coder:
        row = self.conn.execute("SELECT id, guid, name, kind FROM coders WHERE name = ?",
                                (name.strip(),)).fetchone()
        if row is None:
            known = ", ".join(c.name for c in self.coders()) or "none yet"
            raise UserError(f"unknown coder {name!r} (coders in this project: {known})")
        return Coder(*row)

    def ensure_coder(self, name: str, guid: str | None = None) -> Coder:
        """A coder by name, created if new (imports and merges bring coders with them)."""
        row = self.conn.execute("SELECT id, guid, name FROM coders WHERE name = ?",
                                (name,)).fetchone()
        if row:
            return Coder(*row)
        guid = guid or new_guid()
        with transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO coders (guid, name, created_at) VALUES (?, ?, ?)",
                (guid, name, now()))
        return Coder(int(cur.lastrowid or 0), guid, name)

    # --- caches --------------------------------------------------------------------------

    def _invalidate(self) -> None:
        """Drop derived caches; document texts stay, because they never change."""
        self._codes_cache: Any = None

    def _fresh(self) -> None:
        """Notice commits by other connections (the CLI while the TUI is open)."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._data_version = version
            self._invalidate()

    def changed_elsewhere(self) -> bool:
        """Whether another connection committed since the last call (cheap: one pragma).

        SQLite's `data_version` changes only for commits of *other* connections, so a
        workbench can poll this about once a second to pick up colleagues' codings.
        """
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        seen, self._watch_version = getattr(self, "_watch_version", None), version
        return seen is not None and version != seen

    # --- the unit of change --------------------------------------------------------------

    @contextmanager
    def all_or_nothing(self, *, keep: bool = True) -> Iterator[None]:
        """Many changes as one transaction; with `keep=False` they are all rolled back at the
        end, so a dry run does exactly what the real run would and leaves nothing behind."""
        try:
            with transaction(self.conn):
                yield
                if not keep:
                    raise _RolledBack
        except _RolledBack:
            pass
        finally:
            self._invalidate()
            self._text_cache.clear()  # ids of rolled-back documents can be given out again

    def log_event(self, action: str, summary: str) -> None:
        """Record a change made outside the API (a file built by copying) in the audit trail;
        it cannot be undone."""
        with self._change(action, undoable=False) as log:
            log.summary = summary

    @contextmanager
    def _change(self, action: str, *, undoable: bool = True) -> Iterator[OpLog]:
        if self.read_only:
            raise StorageError(f"{self.path} is open read-only; nothing can be changed")
        known_coder = self._coder_id
        try:
            with transaction(self.conn) as conn:
                coder_id = self.coder_id()
                log = OpLog(conn)
                yield log
                if log.ops or not undoable:
                    conn.execute(
                        "INSERT INTO events (coder_id, at, kind, action, summary, ops, "
                        "undoable, document_id) VALUES (?, ?, 'do', ?, ?, ?, ?, ?)",
                        (coder_id, now(), action, log.summary or action,
                         log.dumps() if undoable else "[]", int(undoable), log.document_id))
        except BaseException:
            # A coder row made inside the failed transaction was rolled back with it.
            if not self.conn.in_transaction:
                self._coder_id = known_coder
            raise
        self._invalidate()
