"""A copy of a project file with nobody's coding in it, for a second coder.

The event log holds every earlier change with the rows it touched, so it is emptied too, and
the file is vacuumed so that deleted codings cannot be read back from free pages. Kept in the
store because it is SQL on the file, below the domain API: the append-only triggers are
lifted for the moment of the copy and put back exactly as the schema made them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from casecoder.store.schema import _V1, _split


def blank_copy(source: sqlite3.Connection, out: Path) -> None:
    """Copy `source` to `out` (SQLite's backup API) without codings, review decisions,
    framework summaries, autocode runs, document status, per-coder view settings, memos
    other than project and code memos, and coders who keep no memo; the event log is
    emptied and the file vacuumed. Speakers and their attributes stay: they are material,
    like document attributes."""
    dest = sqlite3.connect(out)
    try:
        source.backup(dest)
        dest.isolation_level = None
        triggers = [s for s in _split(_V1) if "TRIGGER events_append_only" in s]
        dest.execute("BEGIN IMMEDIATE")
        dest.execute("DROP TRIGGER events_append_only_update")
        dest.execute("DROP TRIGGER events_append_only_delete")
        dest.execute("DELETE FROM events")
        dest.execute("DELETE FROM codings")
        # The first coder's analysis, and how disagreements were settled (with memos):
        # review decisions, framework summaries, autocode runs (their codings are gone too).
        dest.execute("DELETE FROM review_decisions")
        dest.execute("DELETE FROM framework_summaries")
        dest.execute("DELETE FROM autocode_runs")
        dest.execute("DELETE FROM document_status")
        dest.execute("DELETE FROM memos WHERE target_kind NOT IN ('project', 'code')")
        dest.execute("DELETE FROM coders WHERE id NOT IN (SELECT coder_id FROM memos)")
        dest.execute("DELETE FROM meta WHERE key LIKE 'blind_mode:%'")
        for statement in triggers:
            dest.execute(statement)
        dest.execute("COMMIT")
        dest.execute("VACUUM")
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()
