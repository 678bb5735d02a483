"""The project file's schema and its forward migrations.

The schema version lives in `PRAGMA user_version` and the file is marked as ours with
`PRAGMA application_id`, so that a file can be recognised (or refused) from its 100-byte header
alone, before anything is written to it. Each migration takes the file from version N-1 to N
inside the same transaction as the version bump.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

#: 'CCDR' — marks a SQLite file as a casecoder project (offset 68 of the header).
APPLICATION_ID = 0x43434452
#: The newest schema this casecoder writes and understands.
SCHEMA_VERSION = 6

_V1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE coders (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL
);
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT NOT NULL DEFAULT ''
);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    text TEXT NOT NULL,
    length INTEGER NOT NULL,
    word_count INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    source_format TEXT NOT NULL,
    source_name TEXT NOT NULL DEFAULT '',
    encoding TEXT,
    language TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL
);
CREATE INDEX documents_sha256 ON documents(sha256);
-- Offsets of every coding point into this text: it must never change after import.
CREATE TRIGGER documents_text_immutable BEFORE UPDATE OF text ON documents
BEGIN
    SELECT RAISE(ABORT, 'document text is immutable');
END;
CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('sentence', 'turn', 'paragraph')),
    number INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    speaker TEXT,
    timestamp REAL,
    UNIQUE (document_id, kind, number)
);
CREATE INDEX segments_doc_kind_start ON segments(document_id, kind, start);
CREATE VIRTUAL TABLE segments_fts USING fts5(
    text, tokenize = "unicode61 remove_diacritics 0"
);
CREATE TABLE attributes (
    id INTEGER PRIMARY KEY,
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('case', 'document')),
    owner_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (owner_kind, owner_id, key)
);
CREATE TABLE codes (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    parent_id INTEGER REFERENCES codes(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    color TEXT NOT NULL,
    keywords TEXT NOT NULL DEFAULT '[]',
    shortcut TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    codable INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX codes_parent ON codes(parent_id, position);
CREATE UNIQUE INDEX codes_shortcut ON codes(shortcut) WHERE shortcut IS NOT NULL;
CREATE TABLE codings (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    code_id INTEGER NOT NULL REFERENCES codes(id),
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    start INTEGER NOT NULL CHECK (start >= 0),
    "end" INTEGER NOT NULL,
    memo TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    CHECK ("end" > start)
);
CREATE INDEX codings_code ON codings(code_id, document_id);
CREATE INDEX codings_doc_start ON codings(document_id, start);
CREATE INDEX codings_coder ON codings(coder_id, document_id, code_id, start);
CREATE TABLE memos (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('project', 'document', 'code', 'segment')),
    target_id INTEGER NOT NULL,
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (target_kind, target_id, coder_id)
);
CREATE TABLE document_status (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    done INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (document_id, coder_id)
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    coder_id INTEGER REFERENCES coders(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('do', 'undo', 'redo')),
    action TEXT NOT NULL,
    summary TEXT NOT NULL,
    ops TEXT NOT NULL,
    target_event INTEGER REFERENCES events(id),
    undoable INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX events_coder ON events(coder_id, id);
-- The event log is the audit trail: rows are only ever appended.
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
"""

Migration = Callable[[sqlite3.Connection], None]


def _to_v1(conn: sqlite3.Connection) -> None:
    for statement in _split(_V1):
        conn.execute(statement)


def _split(script: str) -> list[str]:
    """Split a DDL script into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buf: list[str] = []
    in_trigger = False
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        buf.append(line)
        upper = stripped.upper()
        if upper.startswith("CREATE TRIGGER"):
            in_trigger = True
        if in_trigger:
            if upper == "END;":
                statements.append("\n".join(buf))
                buf, in_trigger = [], False
        elif stripped.endswith(";"):
            statements.append("\n".join(buf))
            buf = []
    return statements


def _to_v2(conn: sqlite3.Connection) -> None:
    """Events name the document they touched (NULL for older events and project-wide ones).

    It makes the audit trail answer "what happened to this interview" and lets the workbench
    reopen the document a coder worked on last. No foreign key: the log outlives its rows.
    """
    conn.execute("ALTER TABLE events ADD COLUMN document_id INTEGER")
    conn.execute("CREATE INDEX events_coder_document ON events(coder_id, document_id, id)")


_V3 = """
ALTER TABLE coders ADD COLUMN kind TEXT NOT NULL DEFAULT 'coder';
CREATE TABLE speakers (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    turns INTEGER NOT NULL DEFAULT 0,
    words INTEGER NOT NULL DEFAULT 0,
    interviewer INTEGER NOT NULL DEFAULT 0,
    person TEXT,
    UNIQUE (document_id, label)
);
CREATE INDEX speakers_person ON speakers(person) WHERE person IS NOT NULL;
CREATE TABLE speaker_attributes (
    id INTEGER PRIMARY KEY,
    speaker_id INTEGER NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (speaker_id, key)
);
CREATE TABLE review_decisions (
    id INTEGER PRIMARY KEY,
    consensus_id INTEGER NOT NULL REFERENCES coders(id),
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    code_id INTEGER NOT NULL REFERENCES codes(id),
    unit TEXT NOT NULL CHECK (unit IN ('sentence', 'turn', 'paragraph')),
    number INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    choice TEXT NOT NULL CHECK (choice IN ('a', 'b', 'both', 'neither')),
    coders TEXT NOT NULL,
    memo TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL,
    UNIQUE (consensus_id, document_id, code_id, unit, number)
);
"""


def _to_v3(conn: sqlite3.Connection) -> None:
    """Speakers as people, a consensus coder marked as such, and review decisions stored.

    Speaker records are made from the speaker labels of the existing turns (turns and words
    counted from the text), so an older project gets the same speakers a new import makes.
    A coder named "consensus" that already holds decisions is marked as the consensus coder.
    """
    from casecoder.ingest.speakers import speaker_rows

    for statement in _split(_V3):
        conn.execute(statement)
    for doc_id, text in conn.execute("SELECT id, text FROM documents").fetchall():
        turns = conn.execute(
            'SELECT start, "end", speaker FROM segments WHERE document_id = ? AND kind = ? '
            "ORDER BY number", (doc_id, "turn")).fetchall()
        conn.executemany(
            "INSERT INTO speakers (document_id, label, turns, words, interviewer) "
            "VALUES (?, ?, ?, ?, ?)",
            [(doc_id, *row) for row in speaker_rows(text, turns)])
    conn.execute("UPDATE coders SET kind = 'consensus' WHERE name = 'consensus'")



def _to_v4(conn: sqlite3.Connection) -> None:
    """Framework summaries: one researcher-written text per (row, code, coder).

    The Framework method (Ritchie and Spencer) charts each case (or document) against each
    code in a short summary. A summary belongs to its coder, like a memo, so that merging two
    coders' projects never has to choose between two texts for one cell; `row_kind` says
    whether `row_id` is a case or a document. GUIDs let merges and exchange files match cells.
    """
    conn.execute("""
        CREATE TABLE framework_summaries (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            row_kind TEXT NOT NULL CHECK (row_kind IN ('case', 'document')),
            row_id INTEGER NOT NULL,
            code_id INTEGER NOT NULL REFERENCES codes(id),
            coder_id INTEGER NOT NULL REFERENCES coders(id),
            text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (row_kind, row_id, code_id, coder_id)
        )""")
    conn.execute("CREATE INDEX framework_summaries_code ON framework_summaries(code_id)")


def _to_v5(conn: sqlite3.Connection) -> None:
    """Segments name the page they start on, for documents that have pages (PDF).

    A report cites a document study's quote as "p. 12"; the page is a property of where a
    segment starts, like its speaker, so it is a column (NULL for transcripts) rather than a
    segment kind of its own (which would mean rebuilding the table for its CHECK).
    """
    conn.execute("ALTER TABLE segments ADD COLUMN page INTEGER")


def _to_v6(conn: sqlite3.Connection) -> None:
    """Lemma search and autocoding.

    - `word_index` (FTS5): one row per segment of every kind (rowid = segment id), `surface`
      holding its words lowercased and `lemma` their lemmas, one token per word in order, so a
      hit can be highlighted word by word. Filled at import; a file migrated from an older
      version gets it on first use (`word_index_upto` in meta: the highest segment id indexed).
    - `codings.origin`: 'manual', or 'autocode:<run guid>' for codings an autocode run made, so
      quotes and agreement can leave autocoded material out.
    - `autocode_runs`: what each run searched for, at which unit, for which codes.
    """
    conn.execute('CREATE VIRTUAL TABLE word_index USING fts5(surface, lemma, '
                 'tokenize = "unicode61 remove_diacritics 0")')
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('word_index_upto', '0')")
    conn.execute("ALTER TABLE codings ADD COLUMN origin TEXT NOT NULL DEFAULT 'manual'")
    conn.execute("CREATE INDEX codings_origin ON codings(origin) WHERE origin != 'manual'")
    conn.execute("""CREATE TABLE autocode_runs (
        id INTEGER PRIMARY KEY,
        guid TEXT NOT NULL UNIQUE,
        coder_id INTEGER REFERENCES coders(id),
        kind TEXT NOT NULL CHECK (kind IN ('search', 'speaker', 'keywords')),
        query TEXT NOT NULL,
        unit TEXT NOT NULL,
        codes TEXT NOT NULL DEFAULT '[]',
        options TEXT NOT NULL DEFAULT '{}',
        codings INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    )""")


#: MIGRATIONS[n] takes a file from version n to n + 1.
MIGRATIONS: dict[int, Migration] = {
    0: _to_v1, 1: _to_v2, 2: _to_v3, 3: _to_v4, 4: _to_v5, 5: _to_v6,
}
