"""Lemma-aware search: inflected Norwegian and English forms, exact mode, query syntax, filters,
highlighting on the surface words, and the index for projects from before it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from casecoder.cli import main
from casecoder.errors import UserError
from casecoder.project import Project
from casecoder.store import APPLICATION_ID, SCHEMA_VERSION

NB_TEXT = """Intervjuer: Hvem var partnerne deres?

Informant: Vi fikk nye partnere i Spania. Partnerens rolle var viktig, og partneren i Italia
gikk ut etter ett år. Én partner ble igjen. Barrierene var mange, særlig finansieringen.

Intervjuer: Hva med studentene?

Informant: Studentene var fornøyde, «de aller fleste», f.eks. sykepleiestudenter.
"""

EN_TEXT = """Interviewer: Who were your partners?

Leader: We had five partners. One partner left, and the universities in Portugal went on.
Our studies showed that funding was the barrier.
"""


@pytest.fixture
def two_language(tmp_path: Path) -> Project:
    nb = tmp_path / "norsk.txt"
    nb.write_text(NB_TEXT, encoding="utf-8")
    en = tmp_path / "english.txt"
    en.write_text(EN_TEXT, encoding="utf-8")
    p = Project.create(tmp_path / "s.cc.db", language="nb", coder="anna")
    assert p.import_file(nb, attributes={"role": "prosjektleder"}).status == "imported"
    assert p.import_file(en, language="en", attributes={"role": "leader"}).status == "imported"
    yield p
    p.close()


def words(hits) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.text[s - h.start:e - h.start] for h in hits for s, e in h.highlights]


def test_lemma_search_finds_every_inflected_norwegian_form(two_language: Project) -> None:
    hits = two_language.find("partner", doc="norsk")
    assert sorted(w.lower() for w in words(hits)) == [
        "partner", "partnere", "partneren", "partnerens", "partnerne"]


def test_exact_search_finds_only_the_form_as_written(two_language: Project) -> None:
    hits = two_language.find("partner", doc="norsk", exact=True)
    assert words(hits) == ["partner"]
    assert two_language.find("barriere", exact=True) == []
    assert words(two_language.find("barriere", doc="norsk")) == ["Barrierene"]


def test_english_lemmas(two_language: Project) -> None:
    p = two_language
    assert sorted(words(p.find("partner", doc="english"))) == ["partner", "partners",
                                                               "partners"]
    assert words(p.find("go", doc="english")) == ["went"]
    assert words(p.find("university", doc="english")) == ["universities"]
    assert words(p.find("partner", doc="english", exact=True)) == ["partner"]


def test_a_query_word_is_lemmatised_too(two_language: Project) -> None:
    """Searching an inflected form finds the others (partnerne -> partner -> partnere)."""
    found = {w.lower() for w in words(two_language.find("partnerne", doc="norsk"))}
    assert {"partnere", "partner", "partneren"} <= found


def test_phrase_prefix_and_boolean_queries(two_language: Project) -> None:
    p = two_language
    assert words(p.find('"ny partner"')) == ["nye partnere"]
    assert words(p.find('"nye partnere"', exact=True)) == ["nye partnere"]
    assert words(p.find("student*", doc="norsk")) == ["studentene", "Studentene"]
    both = p.find("partner AND spania")
    assert [h.number for h in both] == [2]
    either = p.find("finansiering OR student")
    assert {h.document for h in either} == {"norsk"}
    assert len(either) == 3
    without = p.find("partner NOT spania", doc="norsk")
    assert 2 not in [h.number for h in without] and without
    grouped = p.find("(spania OR italia) partner")
    assert [h.number for h in grouped] == [2, 3]
    assert p.find("«de aller fleste»")  # punctuation is never FTS syntax


@pytest.mark.parametrize("query, message", [
    ("NOT partner", "NOT needs words before it"),
    ("(partner", "not closed"),
    ("«» --", "no words"),
    ("partner OR", "expected words"),
])
def test_unreadable_queries_are_user_errors(two_language: Project, query: str,
                                            message: str) -> None:
    with pytest.raises(UserError, match=message):
        two_language.find(query)


def test_units_speaker_and_attribute_filters(two_language: Project) -> None:
    p = two_language
    turns = p.find("partner", unit="turn")
    assert [(h.document, h.unit) for h in turns] == [
        ("english", "turn"), ("english", "turn"), ("norsk", "turn"), ("norsk", "turn")]
    assert [h.speaker for h in p.find("partner", speaker="intervjuer")] == ["Intervjuer"]
    assert {h.document for h in p.find("partner", where={"role": "Leader"})} == {"english"}
    assert p.find("partner", where={"role": "nobody"}) == []
    paragraphs = p.find("studentene", unit="paragraph")
    assert {h.unit for h in paragraphs} == {"paragraph"}
    with pytest.raises(UserError, match="unit must be one of"):
        p.find("partner", unit="page")


def test_highlights_are_offsets_into_the_document(two_language: Project) -> None:
    p = two_language
    for hit in p.find("partner", unit="turn"):
        text = p.text(hit.document_id)
        for s, e in hit.highlights:
            assert text[s:e].lower().startswith("partner")
    hit = p.find('"ny partner"')[0]
    assert "[nye partnere]" in hit.marked()


def test_hit_summary_counts_documents_and_codes(two_language: Project) -> None:
    p = two_language
    p.import_codebook(Path(__file__).resolve().parents[1] / "codebooks" / "erasmus-plus.yml")
    hit = p.find("spania")[0]
    p.code_range("norsk", "partners-networks", hit.start, hit.end)
    summary = p.hit_summary(p.find("partner"))
    assert summary["documents"] == {"english": 3, "norsk": 4}
    assert summary["codes"] == {"motivation/partners-networks": 1}


def test_a_version_2_file_is_migrated_and_indexed_on_first_search(tmp_path: Path) -> None:
    """An older project (no word index) opens at the new version and is indexed lazily."""
    from casecoder.store.schema import MIGRATIONS

    path = tmp_path / "old.cc.db"
    with Project.create(path, coder="anna") as p:
        (tmp_path / "a.txt").write_text(NB_TEXT, encoding="utf-8")
        p.import_file(tmp_path / "a.txt")
        rows = p.conn.execute('SELECT id, document_id, kind, number, start, "end", speaker, '
                              "timestamp FROM segments").fetchall()
        doc = p.conn.execute("SELECT guid, name, text, length, word_count, sha256, "
                             "source_format, source_name, encoding, language, imported_at "
                             "FROM documents").fetchone()
    old = tmp_path / "v2.cc.db"
    conn = sqlite3.connect(old)
    conn.isolation_level = None
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    MIGRATIONS[0](conn)
    MIGRATIONS[1](conn)
    conn.execute("PRAGMA user_version = 2")
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                     [("language", "nb"), ("name", "old")])
    conn.execute("INSERT INTO documents (guid, name, text, length, word_count, sha256, "
                 "source_format, source_name, encoding, language, imported_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", doc)
    conn.executemany('INSERT INTO segments (id, document_id, kind, number, start, "end", '
                     "speaker, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("INSERT INTO coders (guid, name, created_at) VALUES ('g', 'anna', 'x')")
    conn.execute("INSERT INTO codes (guid, name, color, created_at) "
                 "VALUES ('c', 'partners', '#fff', 'x')")
    conn.execute("INSERT INTO codings (guid, document_id, code_id, coder_id, start, \"end\", "
                 "created_at) VALUES ('k', 1, 1, 1, 0, 10, 'x')")
    conn.close()
    with Project.open(old, coder="anna") as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [c.origin for c in p.codings()] == ["manual"]
        assert p.word_index_pending() == len(rows)
        assert sorted(w.lower() for w in words(p.find("partner"))) == [
            "partner", "partnere", "partneren", "partnerens", "partnerne"]
        assert p.word_index_pending() == 0


def test_cli_search_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASECODER_CODER", "anna")
    runner = CliRunner()
    path = tmp_path / "p.cc.db"
    src = tmp_path / "norsk.txt"
    src.write_text(NB_TEXT, encoding="utf-8")
    assert runner.invoke(main, ["init", str(path)]).exit_code == 0
    assert runner.invoke(main, ["import", str(path), str(src), "--attr",
                                "role=prosjektleder"]).exit_code == 0
    out = runner.invoke(main, ["search", str(path), "partner", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert len(rows) == 4 and "**partnere**" in rows[1]["match"]
    exact = json.loads(runner.invoke(main, ["search", str(path), "partner", "--exact",
                                            "--format", "json"]).stdout)
    assert [r["number"] for r in exact] == [4]
    turns = json.loads(runner.invoke(main, [
        "search", str(path), "partner", "--unit", "turn", "--speaker", "Informant",
        "--where", "role=prosjektleder", "--format", "json"]).stdout)
    assert [(r["unit"], r["speaker"]) for r in turns] == [("turn", "Informant")]
    bad = runner.invoke(main, ["search", str(path), "NOT x"])
    assert bad.exit_code == 2 and "NOT needs words" in bad.stderr
    bad = runner.invoke(main, ["search", str(path), "x", "--where", "role"])
    assert bad.exit_code == 2 and "KEY=VALUE" in bad.stderr
