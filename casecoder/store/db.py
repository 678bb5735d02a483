"""Opening, creating and migrating the project file.

A project file is checked from its header before SQLite touches it: a file that is not ours, or
one written by a newer casecoder, must be refused without a single byte changing (even setting
WAL mode writes to the header). Only then is it opened.

sqlite-utils is imported only when its helpers are used (`Database.utils`): importing it
imports numpy when numpy is installed, which alone took most of a `casecoder code` process.
"""

from __future__ import annotations

import os
import sqlite3
import struct
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path
from typing import Any

from casecoder.errors import ProjectFileError, StorageError
from casecoder.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

_SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
#: Set (to anything but "" or "0") to open every project read-only, whatever the permissions.
ENV_READ_ONLY = "CASECODER_READ_ONLY"


class Database:
    """An open project file: its sqlite3 connection, and sqlite-utils over it when asked.

    Attributes it does not have itself (`table_names()`, `table(...)`) come from a
    `sqlite_utils.Database` on the same connection, made the first time one is used.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @cached_property
    def utils(self) -> Any:
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.utils, name)


def describe_sqlite_error(exc: sqlite3.Error) -> str:
    """One line for the researcher about a storage failure SQLite reported.

    These are not bugs but the state of the file or the disk (damaged, read-only, full, busy):
    the message says what happened and that nothing was changed, never a traceback.
    """
    text = str(exc)
    low = text.lower()
    if "malformed" in low or "not a database" in low or "corrupt" in low:
        return (f"the project file is damaged ({text}); nothing was changed. Restore it from "
                "a backup, or try: sqlite3 FILE .recover")
    if "readonly" in low or "read-only" in low:
        return ("the project file is read-only here (file or folder permissions, or a "
                "read-only disk); nothing was changed")
    if "full" in low:
        return "the disk is full; nothing was changed (free some space and try again)"
    if "disk i/o" in low or "i/o error" in low:
        return (f"the project file could not be read or written ({text}: the disk may be "
                "full or failing); nothing was changed")
    if "locked" in low or "busy" in low:
        return ("the project file is busy (another casecoder holds a long write lock); "
                "nothing was changed, try again")
    if "unable to open" in low:
        return f"cannot open the project file ({text}); check the path and its permissions"
    return f"the project file could not be used ({text}); nothing was changed"


def is_storage_error(exc: BaseException) -> bool:
    """A failure of the file or disk (to report in one line), not a constraint or a bug."""
    return (isinstance(exc, sqlite3.DatabaseError)
            and not isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError
                               | sqlite3.InterfaceError))


def read_header(path: Path) -> tuple[int, int]:
    """Return (application_id, user_version) from the file header, refusing non-SQLite files."""
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except IsADirectoryError:
        raise ProjectFileError(f"{path} is a directory, not a casecoder project file") from None
    except OSError as exc:
        raise ProjectFileError(f"cannot read {path}: {exc.strerror}") from None
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise ProjectFileError(f"{path} is not a casecoder project (not an SQLite file)")
    user_version = struct.unpack(">I", header[60:64])[0]
    application_id = struct.unpack(">I", header[68:72])[0]
    return application_id, user_version


def check_file(path: Path) -> int:
    """Refuse anything but a casecoder project we can read; return its schema version."""
    if not path.exists():
        raise ProjectFileError(f"no project at {path} (create one with: casecoder init {path})")
    return _check_marks(path, *read_header(path))


def _check_marks(path: Path, application_id: int, version: int) -> int:
    if application_id != APPLICATION_ID:
        raise ProjectFileError(f"{path} is an SQLite file but not a casecoder project")
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"{path} was written by a newer casecoder (schema {version}, this version reads up "
            f"to {SCHEMA_VERSION}); upgrade casecoder to open it"
        )
    return int(version)


def _configure(conn: sqlite3.Connection) -> None:
    # Autocommit at the driver level: every change runs inside an explicit BEGIN IMMEDIATE
    # transaction of ours (see `transaction`), so nothing half-done is ever committed.
    conn.isolation_level = None
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")


def _verify_live(conn: sqlite3.Connection, path: Path) -> int:
    """Re-check identity and version through SQLite, which also sees pages still in the WAL.

    The raw header is only a first filter: in WAL mode a recent header change (a migration by
    a newer casecoder still open elsewhere) may not have reached the main file yet.
    """
    return _check_marks(path, conn.execute("PRAGMA application_id").fetchone()[0],
                        conn.execute("PRAGMA user_version").fetchone()[0])


def open_read_only(path: Path) -> Database:
    """Open a project only to read it (a colleague's file being merged in, a worker thread's
    second connection). A project we must not write is opened as `open_reading` does, so
    not even a -wal or -shm file appears beside it."""
    if must_read_only(path):
        return open_reading(path)
    check_file(path)
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                           check_same_thread=False)
    try:
        conn.isolation_level = None
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = _verify_live(conn, path)
        if version < SCHEMA_VERSION:
            raise ProjectFileError(f"{path} uses an older schema ({version}); open it once "
                                   "with this casecoder to upgrade it, then try again")
    except BaseException:
        conn.close()
        raise
    return Database(conn)


def must_read_only(path: Path) -> bool:
    """Whether a project has to be opened read-only: asked to, or we could not write it.

    Writing needs the file and its folder (SQLite keeps its -wal and -shm files beside it).
    """
    forced = os.environ.get(ENV_READ_ONLY, "").strip()
    if forced and forced != "0":
        return True
    return not (os.access(path, os.W_OK) and os.access(path.parent if str(path.parent) else
                                                       Path("."), os.W_OK | os.X_OK))


def open_reading(path: Path) -> Database:
    """Open a project we may not (or must not) write: no byte and no -wal/-shm file is made.

    Without a pending write-ahead log the file is opened `immutable`, so SQLite needs neither
    locks nor shared memory (a read-only disk, a mode 444 file, a folder of another user).
    With a pending log (a writer is active) it is read through that log instead.
    """
    check_file(path)
    wal = Path(f"{path}-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    uri = f"{path.resolve().as_uri()}?mode=ro" + ("" if pending else "&immutable=1")
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StorageError(describe_sqlite_error(exc)) from None
    try:
        conn.isolation_level = None
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA query_only = ON")
        version = _verify_live(conn, path)
        if version < SCHEMA_VERSION:
            raise ProjectFileError(f"{path} is read-only and uses an older schema ({version});"
                                   " open it once where it can be written, to upgrade it")
    except sqlite3.Error as exc:
        conn.close()
        raise StorageError(describe_sqlite_error(exc)) from None
    except BaseException:
        conn.close()
        raise
    return Database(conn)


def open_database(path: Path, *, create: bool = False) -> Database:
    """Open (or with create=True, make) a project file at the newest schema version.

    A file we cannot write (or every file, with $CASECODER_READ_ONLY set) is opened read-only
    instead; `is_read_only` tells which.
    """
    if create:
        if path.exists():
            raise ProjectFileError(f"{path} already exists; choose another name or open it")
        if not path.parent.exists():
            raise ProjectFileError(f"folder {path.parent} does not exist")
    else:
        check_file(path)
        if must_read_only(path):
            return open_reading(path)
    try:
        return _open_writable(path, create)
    except sqlite3.Error as exc:
        if is_storage_error(exc):
            raise StorageError(describe_sqlite_error(exc)) from None
        raise


def is_read_only(db: Database) -> bool:
    return bool(db.conn.execute("PRAGMA query_only").fetchone()[0])


def _open_writable(path: Path, create: bool) -> Database:
    conn = sqlite3.connect(str(path), check_same_thread=False)
    try:
        _configure(conn)
        if create:
            # Still in rollback-journal mode: the marks go straight into the main file's
            # header, where any other process (and `check_file`) can read them at once.
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            migrate(conn, 0)
            version = SCHEMA_VERSION
        else:
            version = _verify_live(conn, path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        if version < SCHEMA_VERSION:
            migrate(conn, version)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db = Database(conn)
    except BaseException:
        conn.close()
        if create and path.exists():
            _remove_partial(path)
        raise
    return db


@contextmanager
def building_project(target: Path, *, replace: bool = False) -> Iterator[Path]:
    """A temporary project path beside `target`; it becomes `target` only if the block succeeds.

    Everything that makes a whole project file (the demo, a copy for a coder, a pseudonymised
    copy, a .qdpx import) builds it aside, so an interrupted build never leaves a half-made
    project that later runs would trust. The block must close its connections. Unless
    `replace`, the result is linked into place and never overwrites a file that appeared
    meanwhile.
    """
    import uuid

    tmp = target.with_name(f".{target.name}.building-{uuid.uuid4().hex[:8]}")
    try:
        yield tmp
        wal = Path(f"{tmp}-wal")
        if wal.exists() and wal.stat().st_size:
            raise ProjectFileError(f"could not finish writing {target} "
                                   "(the journal was not emptied)")
        if replace:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise ProjectFileError(f"{target} already exists; choose another file name"
                                       ) from None
            except OSError:  # a file system without hard links
                if target.exists():
                    raise ProjectFileError(f"{target} already exists") from None
                os.replace(tmp, target)
    finally:
        _remove_partial(tmp)


def _remove_partial(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def migrate(conn: sqlite3.Connection, from_version: int) -> None:
    """Apply forward migrations one version at a time, each in its own transaction."""
    for version in range(from_version, SCHEMA_VERSION):
        with transaction(conn):
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One all-or-nothing unit of change; nested use joins the outer transaction."""
    if conn.in_transaction:
        yield conn
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        if is_storage_error(exc):
            raise StorageError(describe_sqlite_error(exc)) from None
        raise
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        # A full disk or an I/O error may have rolled the transaction back already.
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        if is_storage_error(exc):
            raise StorageError(describe_sqlite_error(exc)) from None  # type: ignore[arg-type]
        raise
