"""The documents screen: attributes, cases, progress and import, checked through the API."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hosts import JumpingHost, ScreenHost
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, TextArea

from casecoder.errors import UserError
from casecoder.model import CodingRecord
from casecoder.project import Project
from casecoder.tui.screens.documents import (
    DocumentsScreen,
    attribute_changes,
    import_paths,
    parse_attribute_lines,
)
from casecoder.tui.screens.prompts import PathSuggester, TextEditDialog, TextPrompt

SnapCompare = Callable[..., bool]

INTERVIEW_01 = """Intervju 01 – prosjektleder

[00:00:04] Intervjuer: Hvorfor søkte dere om en BIP?

[00:00:11] Informant: Vi ønsket nye partnere i Europa. Kvalitet var også viktig for oss.

[00:01:20] Informant: Rapporteringen er like tung som for lang mobilitet, dvs. mye arbeid.
"""

INTERVIEW_02 = """Intervju 02 – prorektor

Intervjuer: Hva gjør det vanskelig?

Informant: Søknadene er tunge. Vi mangler administrativ støtte. Uten finansiering stopper det.
"""

INTERVIEW_03 = """Intervju 03 – koordinator

Intervjuer: Lever tilbudet videre?

Informant: Ja, modulen er nå et valgemne på 5 studiepoeng. Studentene etterspør det.
"""


class ScreenApp(ScreenHost):
    screen_class = DocumentsScreen


class JumpingApp(JumpingHost, ScreenApp):
    pass


@pytest.fixture
def study(project: Project, tmp_path: Path) -> Project:
    """Two interviews, one in a case with a case-level attribute; anna and tomas coded."""
    for name, text in (("intervju-01", INTERVIEW_01), ("intervju-02", INTERVIEW_02)):
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        assert project.import_file(path).status == "imported"
    project.set_case("intervju-01", "C1")
    project.set_attributes("C1", {"case_type": "BIP"}, owner_kind="case")
    project.set_attributes("intervju-01", {"role": "project leader", "date": "2025-03-14"})
    project.code_segments("intervju-01", "motivation/partners-networks", 3, 4)
    project.code_segments("intervju-02", "barriers/workload-funding", 3, 3)
    start, end = project.segment_span("intervju-01", 5, 5)
    project.add_codings([CodingRecord("intervju-01", "barriers/workload-funding", "tomas",
                                      start + 3, end)])
    return project


def screen_of(app: App[None]) -> DocumentsScreen:
    return next(s for s in reversed(app.screen_stack) if isinstance(s, DocumentsScreen))


def expected_share(project: Project, document: str, coder: str) -> float:
    """Brute force: a sentence counts if any coding of the coder overlaps it."""
    sentences = project.segments(document, "sentence")
    codings = project.codings(doc=document, coder=coder)
    hit = [s for s in sentences if any(c.start < s.end and c.end > s.start for c in codings)]
    return len(hit) / len(sentences)


def cell(screen: DocumentsScreen, document: str, column: str) -> str:
    return str(screen.table.get_cell(document, column))


def test_attribute_lines() -> None:
    text = "role=prorektor\n\n# a comment\n interviewer = IH \nempty="
    assert parse_attribute_lines(text) == {"role": "prorektor", "interviewer": "IH",
                                           "empty": ""}
    with pytest.raises(UserError, match="KEY=VALUE"):
        parse_attribute_lines("role prorektor")
    with pytest.raises(UserError, match="press c"):
        parse_attribute_lines("case=C2")
    old = {"role": "project leader", "date": "2025-03-14", "field": "health"}
    new = {"role": "prorektor", "date": "2025-03-14", "language": "nb"}
    assert attribute_changes(old, new) == {"role": "prorektor", "language": "nb", "field": ""}


def test_import_paths_and_path_completion(tmp_path: Path) -> None:
    inbox = tmp_path / "inn"
    (inbox / "eldre").mkdir(parents=True)
    for name in ("intervju-04.txt", "intervju-05.DOCX", "notater.pages", ".skjult.txt",
                 "~$intervju-05.docx"):
        (inbox / name).write_text("x", encoding="utf-8")
    # Hidden files and Word's lock files are never transcripts.
    assert [p.name for p in import_paths(inbox)] == ["intervju-04.txt", "intervju-05.DOCX"]
    assert import_paths(inbox / "notater.pages") == [inbox / "notater.pages"]

    suggester = PathSuggester((".txt", ".docx"), base=tmp_path)
    assert suggester.candidates("") == ["inn/"]
    assert suggester.candidates("inn/") == ["inn/eldre/", "inn/intervju-04.txt",
                                            "inn/intervju-05.DOCX", "inn/~$intervju-05.docx"]
    assert suggester.candidates("inn/.") == ["inn/.skjult.txt"]
    assert suggester.candidates("inn/E") == ["inn/eldre/"]  # case is forgiven if needed
    assert suggester.candidates("inn/x") == []
    assert suggester.candidates("finnes-ikke/") == []
    assert suggester.candidates(str(inbox) + "/el") == [str(inbox) + "/eldre/"]


async def test_path_suggestions_complete_as_far_as_matches_agree(tmp_path: Path) -> None:
    inbox = tmp_path / "inn"
    inbox.mkdir()
    for name in ("intervju-04.txt", "intervju-05.txt"):
        (inbox / name).write_text("x", encoding="utf-8")
    suggester = PathSuggester((".txt",), base=tmp_path)
    assert await suggester.get_suggestion("i") == "inn/"
    assert await suggester.get_suggestion("inn/i") == "inn/intervju-0"
    assert await suggester.get_suggestion("inn/intervju-05") == "inn/intervju-05.txt"
    assert await suggester.get_suggestion("inn/intervju-05.txt") is None


async def test_table_shows_documents_attributes_and_progress(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)):
        screen = screen_of(app)
        assert screen.table.row_count == 2
        assert screen.coders == ["anna", "tomas"]
        assert cell(screen, "intervju-01", "case") == "C1"
        assert cell(screen, "intervju-01", "case_type") == "BIP"
        assert cell(screen, "intervju-01", "role") == "project leader"
        assert cell(screen, "intervju-02", "case") == ""
        for document in ("intervju-01", "intervju-02"):
            assert cell(screen, document, "words") == str(study.document(document).word_count)
            for coder in ("anna", "tomas"):
                share = expected_share(study, document, coder)
                assert cell(screen, document, f"coder:{coder}") == f"{share:.0%}"
        assert cell(screen, "intervju-02", "coder:tomas") == "0%"


async def test_edit_attributes_in_the_dialog(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        assert screen.current().name == "intervju-01"
        await pilot.press("e")
        assert isinstance(app.screen, TextEditDialog)
        area = app.screen.query_one(TextArea)
        assert area.text == "case_type=BIP\ndate=2025-03-14\nrole=project leader"
        area.load_text("case_type=BIP\nrole=prorektor\ninterviewer=IH\n")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert study.attributes("intervju-01") == {
            "case": "C1", "case_type": "BIP", "role": "prorektor", "interviewer": "IH"}
        assert cell(screen, "intervju-01", "role") == "prorektor"


async def test_bad_attribute_lines_keep_the_dialog_and_change_nothing(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        before = study.all_attributes()
        await pilot.press("e")
        app.screen.query_one(TextArea).load_text("role prorektor")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, TextEditDialog)
        assert "KEY=VALUE" in str(app.screen.query_one("#prompt-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert study.all_attributes() == before


async def test_removing_a_case_attribute_warns_it_comes_from_the_case(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")
        app.screen.query_one(TextArea).load_text("date=2025-03-14\nrole=project leader")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert study.attributes("intervju-01")["case_type"] == "BIP"
        assert app.messages[-1][1] == "warning"
        assert "case C1" in app.messages[-1][0]


async def test_set_and_clear_the_case(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("down", "c")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"C6", "enter")
        await pilot.pause()
        assert study.document("intervju-02").case == "C6"
        assert cell(screen, "intervju-02", "case") == "C6"
        assert screen.current().name == "intervju-02"

        await pilot.press("c")
        field = app.screen.query_one(Input)
        assert field.value == "C6"
        field.value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert study.document("intervju-02").case is None


async def test_import_a_file_through_the_prompt_with_completion(
        study: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "arbeid"
    (work / "inn").mkdir(parents=True)
    (work / "inn" / "intervju-03.txt").write_text(INTERVIEW_03, encoding="utf-8")
    (work / "inn" / "notater.pdf").write_bytes(b"%PDF-1.4")
    monkeypatch.chdir(work)
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("i")
        assert isinstance(app.screen, TextPrompt)
        field = app.screen.query_one(Input)
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("tab")
        assert field.value == "inn/"
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("tab")
        assert field.value == "inn/intervju-03.txt"
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert study.document("intervju-03").word_count > 10
        assert screen.table.row_count == 3
        assert screen.current().name == "intervju-03"
        assert ("intervju-03.txt: imported as 'intervju-03'" in app.messages[-1][0]
                and app.messages[-1][1] == "information")
        assert not screen.importing


async def test_import_a_folder_reports_each_file(
        study: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inn"
    inbox.mkdir()
    (inbox / "intervju-03.txt").write_text(INTERVIEW_03, encoding="utf-8")
    (inbox / "intervju-01-kopi.txt").write_text(INTERVIEW_01, encoding="utf-8")
    (inbox / "tom.txt").write_text("   \n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("i")
        app.screen.query_one(Input).value = "inn"
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [d.name for d in study.documents()] == ["intervju-01", "intervju-02",
                                                       "intervju-03"]
        reports = {m.split(":")[0]: severity for m, severity in app.messages if ".txt: " in m}
        assert reports == {"intervju-01-kopi.txt": "warning", "intervju-03.txt": "information",
                           "tom.txt": "error"}


async def test_closing_the_screen_during_an_import_is_safe(
        study: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "intervju-03.txt").write_text(INTERVIEW_03, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    release = threading.Event()
    import casecoder.tui.screens.documents as documents_screen

    real_prepare = documents_screen.prepare_file

    def held_prepare(*args: Any) -> Any:
        assert release.wait(10)
        return real_prepare(*args)

    monkeypatch.setattr(documents_screen, "prepare_file", held_prepare)
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("i")
        app.screen.query_one(Input).value = "intervju-03.txt"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.importing
        await pilot.press("e")  # edits wait for the import
        assert app.messages[-1] == (
            "An import is running; try again when it has finished.", "warning")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DocumentsScreen)
        release.set()
        # The closed screen's worker is no longer tracked by the app: wait for its report.
        for _ in range(100):
            if app.messages[-1][0].startswith("intervju-03.txt: imported"):
                break
            await pilot.pause(0.05)
        assert app.messages[-1][0].startswith("intervju-03.txt: imported")
        assert study.document("intervju-03")


async def test_import_prompt_refuses_a_missing_path(
        study: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("i")
        app.screen.query_one(Input).value = "finnes-ikke.txt"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        assert "no file or folder" in str(app.screen.query_one("#prompt-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert len(study.documents()) == 2


async def test_enter_opens_the_document(study: Project) -> None:
    app = JumpingApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.opened == [("intervju-02", 0, 0)]


async def test_progress_is_recounted_when_the_screen_comes_back(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await app.push_screen(Screen())
        last = len(study.segments("intervju-02", "sentence"))
        study.code_segments("intervju-02", "continuation/integration", 1, last)
        app.pop_screen()
        await pilot.pause()
        assert cell(screen, "intervju-02", "coder:anna") == "100%"


async def test_escape_closes_the_screen(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DocumentsScreen)


def test_snapshot_120x40(snap_compare: SnapCompare, study: Project) -> None:
    assert snap_compare(ScreenApp(study), terminal_size=(120, 40))


def test_snapshot_80x24_light(snap_compare: SnapCompare, study: Project) -> None:
    assert snap_compare(ScreenApp(study, theme="textual-light"), terminal_size=(80, 24),
                        press=["down"])


async def test_speakers_are_listed_and_edited_in_the_documents_screen(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.pause()
        shown = str(screen.query_one("#documents-speakers").render())
        assert "Intervjuer" in shown and "interviewer" in shown and "Informant" in shown
        await pilot.press("s")
        assert isinstance(app.screen, TextEditDialog)
        area = app.screen.query_one(TextArea)
        assert area.text == "Intervjuer: interviewer=yes\nInformant: interviewer=no"
        area.load_text("Intervjuer: interviewer=yes\n"
                       "Informant: interviewer=no; role=førstelektor; person=Åse Ødegård\n")
        await pilot.press("ctrl+s")
        await pilot.pause()
        speaker = study.speaker("intervju-01", "Informant")
        assert speaker.attributes == {"role": "førstelektor"}
        assert speaker.person == "Åse Ødegård"
        assert "role=førstelektor" in str(screen.query_one("#documents-speakers").render())
        await pilot.press("s")
        app.screen.query_one(TextArea).load_text("Ingen: role=x")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, TextEditDialog)  # refused, the dialog stays
        await pilot.press("escape")
        await pilot.pause()
        assert study.speaker("intervju-01", "Informant").attributes == {"role": "førstelektor"}
