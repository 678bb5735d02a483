"""The project file: recognition, refusal without touching, migrations, invariants in SQL."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from casecoder.errors import ProjectFileError, UserError
from casecoder.project import Project
from casecoder.store import APPLICATION_ID, SCHEMA_VERSION


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_project_is_marked_versioned_and_in_wal_mode(project_path: Path) -> None:
    Project.create(project_path, coder="anna").close()
    conn = sqlite3.connect(project_path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    with Project.open(project_path) as p:
        assert p.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert p.conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_create_refuses_existing_file(project_path: Path) -> None:
    project_path.write_text("precious notes")
    with pytest.raises(ProjectFileError, match="already exists"):
        Project.create(project_path)
    assert project_path.read_text() == "precious notes"


@pytest.mark.parametrize("content", [b"", b"hello, not a database\n" * 10, bytes(range(256))])
def test_non_sqlite_file_is_refused_untouched(project_path: Path, content: bytes) -> None:
    project_path.write_bytes(content)
    before = digest(project_path)
    with pytest.raises(ProjectFileError, match="not a casecoder project"):
        Project.open(project_path)
    assert digest(project_path) == before


def test_foreign_sqlite_file_is_refused_untouched(project_path: Path) -> None:
    conn = sqlite3.connect(project_path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = digest(project_path)
    with pytest.raises(ProjectFileError, match="SQLite file but not a casecoder project"):
        Project.open(project_path)
    assert digest(project_path) == before
    assert not Path(f"{project_path}-wal").exists()


def test_file_from_newer_casecoder_is_refused_untouched(project_path: Path) -> None:
    Project.create(project_path).close()
    conn = sqlite3.connect(project_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = digest(project_path)
    with pytest.raises(ProjectFileError, match="newer casecoder"):
        Project.open(project_path)
    assert digest(project_path) == before


def test_missing_project_gives_a_hint(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError, match="casecoder init"):
        Project.open(tmp_path / "nope.cc.db")


def test_forward_migration_from_an_unversioned_marked_file(project_path: Path) -> None:
    conn = sqlite3.connect(project_path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("CREATE TABLE placeholder_for_header (x)")  # makes SQLite write a header
    conn.commit()
    conn.close()
    with Project.open(project_path, coder="anna") as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert "codings" in p.db.table_names()


def test_document_text_is_immutable_at_the_sql_level(coded_project: Project) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        coded_project.conn.execute("UPDATE documents SET text = 'changed'")


def test_event_log_is_append_only(coded_project: Project) -> None:
    coded_project.code_range("intervju-07", "motivation", 0, 10)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        coded_project.conn.execute("DELETE FROM events")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        coded_project.conn.execute("UPDATE events SET summary = 'x'")


def test_failed_change_leaves_nothing_behind(coded_project: Project,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash half-way through a change (after rows were written) rolls all of it back."""
    from casecoder.store import events

    p = coded_project
    p.code_range("intervju-07", "motivation/quality", 100, 140)
    before = (p.conn.execute("SELECT count(*) FROM codings").fetchone()[0],
              p.conn.execute("SELECT count(*) FROM events").fetchone()[0])
    real_insert = events.OpLog.insert
    calls = {"n": 0}

    def failing_insert(self: events.OpLog, table: str, row: dict) -> int:  # type: ignore[type-arg]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real_insert(self, table, row)

    monkeypatch.setattr(events.OpLog, "insert", failing_insert)
    from casecoder.model import CodingRecord

    records = [CodingRecord("intervju-07", "barriers", "bob", 10, 20),
               CodingRecord("intervju-07", "barriers", "bob", 200, 220)]
    with pytest.raises(RuntimeError):
        p.add_codings(records)
    after = (p.conn.execute("SELECT count(*) FROM codings").fetchone()[0],
             p.conn.execute("SELECT count(*) FROM events").fetchone()[0])
    assert after == before


def test_one_bad_record_refuses_a_whole_batch(coded_project: Project) -> None:
    from casecoder.model import CodingRecord

    records = [CodingRecord("intervju-07", "barriers", "bob", 10, 20),
               CodingRecord("intervju-07", "no-such-code", "bob", 30, 40)]
    with pytest.raises(UserError, match="unknown code"):
        coded_project.add_codings(records)
    assert coded_project.codings() == []


def test_a_version_1_file_is_migrated_with_its_history(project_path: Path) -> None:
    """A project written by schema 1 opens, gains events.document_id, and keeps its log."""
    from casecoder.store.schema import MIGRATIONS

    conn = sqlite3.connect(project_path)
    conn.isolation_level = None
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO coders (guid, name, created_at) VALUES ('g', 'anna', 'x')")
    conn.execute("INSERT INTO events (coder_id, at, kind, action, summary, ops) "
                 "VALUES (1, '2025-01-01T00:00:00Z', 'do', 'add-code', 'add code x', '[]')")
    conn.close()
    with Project.open(project_path, coder="anna") as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [(e.summary, e.document) for e in p.history()] == [("add code x", None)]
        assert p.last_document() is None
    assert read_header_version(project_path) == SCHEMA_VERSION  # checkpointed into the file


def read_header_version(path: Path) -> int:
    from casecoder.store.db import read_header

    return read_header(path)[1]


def test_events_name_their_document_and_give_the_last_one_worked_on(
        coded_project: Project, tmp_path: Path) -> None:
    p = coded_project
    other = tmp_path / "annet.txt"
    other.write_text("Intervjuer: Hei.\nInformant: Vi snakker om allianser.\n", encoding="utf-8")
    p.import_file(other)
    p.code_range("intervju-07", "barriers", 100, 150)
    assert p.last_document().name == "intervju-07"
    p.set_memo("segment", ("annet", "sentence", 2), "viktig")
    assert p.last_document().name == "annet"
    p.undo()
    assert p.last_document().name == "annet"  # undoing there is working there too
    assert [e.document for e in p.history(limit=3)] == ["annet", "annet", "intervju-07"]
    with Project.open(p.path, coder="bob") as bob:
        assert bob.last_document() is None


def test_building_a_project_aside_leaves_nothing_on_failure_and_never_overwrites(
        tmp_path: Path) -> None:
    from casecoder.store import building_project

    target = tmp_path / "new.cc.db"
    with pytest.raises(RuntimeError), building_project(target) as tmp:
        Project.create(tmp, coder="anna").close()
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ProjectFileError, match="already exists"), \
            building_project(target) as tmp:
        Project.create(tmp, coder="anna").close()
        target.write_text("appeared meanwhile")
    assert target.read_text() == "appeared meanwhile"
    assert [p.name for p in tmp_path.iterdir()] == ["new.cc.db"]
    target.unlink()
    with building_project(target) as tmp:
        Project.create(tmp, coder="anna").close()
    with Project.open(target) as p:
        assert p.documents() == []
    assert [p.name for p in tmp_path.iterdir()] == ["new.cc.db"]


def test_events_after_carry_the_same_fields_as_history(coded_project: Project) -> None:
    p = coded_project
    start = p.latest_event_id()
    p.code_range("intervju-07", "barriers", 100, 150)
    p.undo()
    newer = p.events_after(start)
    assert newer == list(reversed(p.history(limit=2)))  # the same rows, oldest first
    assert [(e.undoable, e.document) for e in newer] == [(True, "intervju-07"),
                                                         (False, "intervju-07")]
    assert p.event(newer[0].id) == newer[0]
