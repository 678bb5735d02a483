"""Speakers as people: records per label, attributes of their own, interviewers, migration."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from casecoder.cli import main
from casecoder.export.quotes import QuoteExport, QuoteOptions
from casecoder.project import Project
from casecoder.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

GROUP = "c1-bip-helse-gruppeintervju"


def run(*args: Any) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_every_label_is_a_speaker_with_turns_and_words(demo_project: Project) -> None:
    speakers = {s.label: s for s in demo_project.speakers(GROUP)}
    assert set(speakers) == {"Intervjuer", "Informant 1", "Informant 2"}
    turns = demo_project.segments(GROUP, "turn")
    text = demo_project.text(GROUP)
    for label, speaker in speakers.items():
        mine = [t for t in turns if t.speaker == label]
        assert speaker.turns == len(mine)
        assert speaker.words == sum(len(text[t.start:t.end].split()) for t in mine)
    assert speakers["Intervjuer"].interviewer and not speakers["Informant 1"].interviewer
    # "I" and "Interviewer" are suggested as interviewers too; "R" is not.
    marks = {(s.document, s.label): s.interviewer for s in demo_project.speakers()}
    assert marks[("c3-emjm-project-leader", "I")] and not marks[("c3-emjm-project-leader", "R")]
    assert marks[("c2-bip-technology-project-leader", "Interviewer")]


def test_group_interview_quotes_carry_each_informants_role(demo_project: Project) -> None:
    export = QuoteExport(demo_project, QuoteOptions(by=("role",)))
    roles: dict[str, set[str]] = {}
    for theme in export.themes():
        for quote in theme.all_quotes():
            if quote.document == GROUP:
                roles.setdefault(quote.speaker, set()).add(quote.role)
                assert quote.attribution().startswith(quote.role)
    assert roles["Informant 1"] == {"head of department"}
    assert roles["Informant 2"] == {"Erasmus+ coordinator"}
    # The breakdown by role counts the group interview under each informant's own role.
    values = {v for theme in export.themes() for m in theme.matrices for v in m.values}
    assert "head of department; Erasmus+ coordinator" not in values
    assert {"head of department", "Erasmus+ coordinator"} <= values


def test_interviewers_are_never_informants_and_can_be_left_out(demo_project: Project) -> None:
    p = demo_project
    doc = "c1-bip-helse-prosjektleder"
    question = next(t for t in p.segments(doc, "turn") if t.speaker == "Intervjuer")
    p.code_range(doc, "barriers/workload-funding", question.start, question.end)
    counts = {t.code.path: t.counts for t in QuoteExport(p, QuoteOptions()).themes()}
    with_question = QuoteExport(p, QuoteOptions(themes=("barriers/workload-funding",)))
    quotes = [q for t in with_question.themes() for q in t.all_quotes()]
    assert any(q.speaker == "Intervjuer" for q in quotes)
    (theme,) = with_question.themes()
    informants = {(q.document, q.speaker) for q in quotes if q.speaker != "Intervjuer"}
    assert theme.counts.informants == len(informants)
    skipped = QuoteExport(p, QuoteOptions(themes=("barriers/workload-funding",),
                                          skip_interviewers=True))
    assert not any(q.speaker == "Intervjuer" for t in skipped.themes() for q in t.all_quotes())
    assert counts["barriers"].codings >= 1


def test_linked_person_is_one_informant_across_documents(demo_project: Project) -> None:
    p = demo_project
    before = next(QuoteExport(p, QuoteOptions(themes=("motivation",))).themes()).counts
    for doc in ("c1-bip-helse-prosjektleder", "c6-ka220-sykepleie-prosjektleder"):
        p.set_speaker(doc, "Informant", person="Kari Nordmann")
    after = next(QuoteExport(p, QuoteOptions(themes=("motivation",))).themes()).counts
    assert after.informants == before.informants - 1


def test_cli_speakers_attr_csv_and_interviewer(demo_path: Path, tmp_path: Path) -> None:
    result = run("attr", demo_path, "--doc", GROUP, "--speaker", "informant 1",
                 "role=instituttleder", "kjønn=kvinne")
    assert result.exit_code == 0, result.output
    listing = json.loads(run("speakers", demo_path, GROUP, "--format", "json").output)
    first = next(s for s in listing if s["speaker"] == "Informant 1")
    assert first["attributes"] == {"kjønn": "kvinne", "role": "instituttleder"}
    sheet = tmp_path / "talere.csv"
    sheet.write_text("document,speaker,institution,interviewer,person\n"
                     f"{GROUP},Informant 2,Høgskolen i Øst,,Åse Ødegård\n"
                     f"{GROUP},Intervjuer,,no,\n"
                     f"{GROUP},Informant 9,x,,\n", encoding="utf-8")
    result = run("speakers", demo_path, "--csv", sheet, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert f"{GROUP}: Informant 9" in result.output  # reported, not guessed
    with Project.open(demo_path) as p:
        second = p.speaker(GROUP, "Informant 2")
        assert second.attributes["institution"] == "Høgskolen i Øst"
        assert second.person == "Åse Ødegård"
        assert not p.speaker(GROUP, "Intervjuer").interviewer
    result = run("speakers", demo_path, "--interviewer", "Intervjuer", "--format", "json")
    assert all(s["interviewer"] for s in json.loads(result.output)
               if s["speaker"] == "Intervjuer")
    bad = run("attr", demo_path, "--doc", GROUP, "--speaker", "Ingen", "role=x")
    assert bad.exit_code == 2 and "has no speaker 'Ingen'" in bad.output


def test_speaker_changes_are_undoable(demo_project: Project) -> None:
    p = demo_project
    p.set_speaker(GROUP, "Informant 1", attributes={"role": "dekan"}, interviewer=True)
    p.undo()
    speaker = p.speaker(GROUP, "Informant 1")
    assert speaker.attributes == {"role": "head of department"} and not speaker.interviewer


def test_a_version_2_file_gets_speakers_from_its_segments(tmp_path: Path) -> None:
    """An older project opens with speaker rows made from its turns, consensus marked."""
    path = tmp_path / "gammel.cc.db"
    conn = sqlite3.connect(path)
    conn.isolation_level = None
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    previous = 2  # the last version without speaker records
    for version in range(previous):
        MIGRATIONS[version](conn)
    conn.execute(f"PRAGMA user_version = {previous}")
    text = "Intervjuer: Hva skjedde?\nInformant 2: Vi søkte på nytt, og fikk ja i år.\n" \
           "Intervjuer: Og så?\nInformant 2: Så reiste vi."
    conn.execute("INSERT INTO documents (guid, name, text, length, word_count, sha256, "
                 "source_format, language, imported_at) VALUES ('d', 'intervju-01', ?, ?, 20, "
                 "'x', 'txt', 'nb', 'now')", (text, len(text)))
    lines, offset = text.split("\n"), 0
    for number, line in enumerate(lines, start=1):
        label = line.split(":")[0]
        conn.execute('INSERT INTO segments (document_id, kind, number, start, "end", speaker) '
                     "VALUES (1, 'turn', ?, ?, ?, ?)",
                     (number, offset + len(label) + 2, offset + len(line), label))
        offset += len(line) + 1
    conn.execute("INSERT INTO coders (guid, name, created_at) VALUES ('c', 'consensus', 'x')")
    conn.close()
    with Project.open(path) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        speakers = {s.label: s for s in p.speakers("intervju-01")}
        assert (speakers["Intervjuer"].turns, speakers["Intervjuer"].words) == (2, 4)
        assert (speakers["Informant 2"].turns, speakers["Informant 2"].words) == (2, 12)
        assert speakers["Intervjuer"].interviewer and not speakers["Informant 2"].interviewer
        assert p.consensus_coders() == {"consensus"}


def test_import_suggests_interviewers(tmp_path: Path) -> None:
    path = tmp_path / "ny.cc.db"
    assert run("init", path).exit_code == 0
    transcript = tmp_path / "intervju-09.txt"
    transcript.write_text("Intervjuer: Hvorfor søkte dere?\n\nInformant: Vi ønsket nye "
                          "partnere.\n\nIntervjuer: Og så?\n\nInformant: Så fikk vi ja.\n",
                          encoding="utf-8")
    result = run("import", path, transcript)
    assert result.exit_code == 0, result.output
    assert "marked as interviewer: Intervjuer" in result.output
    with Project.open(path) as p:
        assert [(s.label, s.interviewer, s.turns) for s in p.speakers("intervju-09")] == [
            ("Intervjuer", True, 2), ("Informant", False, 2)]


def test_a_bad_or_unmatched_speaker_csv_changes_nothing(demo_path: Path, tmp_path: Path) -> None:
    """The speaker table is read as strictly as the attribute table: one line, no change."""
    bad = {
        "long-row.csv": "document,speaker,role\nc1-bip-helse-gruppeintervju,Informant 1,a,b\n",
        "twice.csv": "document,speaker,role,Role\nc1-bip-helse-gruppeintervju,Informant 1,a,b\n",
        "huge-field.csv": 'document,speaker,role\nc1,Informant 1,"' + "å" * 200_000 + "\n",
        "bad-flag.csv": "document,speaker,interviewer\nc1-bip-helse-gruppeintervju,"
                        "Informant 1,kanskje\n",
    }
    before = demo_path.read_bytes()
    for name, content in bad.items():
        sheet = tmp_path / name
        sheet.write_text(content, encoding="utf-8")
        result = run("speakers", demo_path, "--csv", sheet)
        assert result.exit_code == 2, (name, result.output)
        assert len(result.stderr.strip().splitlines()) == 1, name
        assert demo_path.read_bytes() == before, name
    nobody = tmp_path / "nobody.csv"
    nobody.write_text("document,speaker,role\nukjent-intervju,Informant 9,rektor\n",
                      encoding="utf-8")
    result = run("speakers", demo_path, "--csv", nobody)
    assert result.exit_code == 0, result.output
    assert demo_path.read_bytes() == before  # no speaker matched: no event either
