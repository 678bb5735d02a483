"""The documents screen starts a survey import (key s): dialog, worker, one stored change."""

from __future__ import annotations

from pathlib import Path

import pytest
from hosts import ScreenHost
from textual.widgets import Checkbox, Input

from casecoder.project import Project
from casecoder.tui.screens.documents import DocumentsScreen
from casecoder.tui.screens.survey import SurveyDialog, parse_columns

SURVEY = ("Respondent;Skole;Hva lærte du av utvekslingen?;Hva var vanskeligst?\n"
          "r1;Bø;Jeg lærte å snakke spansk og ble tryggere på meg selv.;Å være borte.\n"
          "r2;Åsane;;\n"
          "r3;Åsane;Samarbeid med elever fra Italia, og at det går an.;\n")


class ScreenApp(ScreenHost):
    screen_class = DocumentsScreen


def test_answer_columns_are_separated_by_semicolons() -> None:
    assert parse_columns(" Hva, egentlig?;  Hvorfor ; ") == ("Hva, egentlig?", "Hvorfor")


async def test_survey_import_from_the_documents_screen(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "elevsvar.csv").write_text(SURVEY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    app = ScreenApp(project)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("v")
        assert isinstance(app.screen, SurveyDialog)
        dialog = app.screen
        dialog.query_one("#survey-path", Input).value = "finnes-ikke.csv"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SurveyDialog)  # stays open with the error
        assert "no survey file" in str(dialog.query_one("#prompt-error").render())
        dialog.query_one("#survey-path", Input).value = "elevsvar.csv"
        dialog.query_one("#survey-text", Input).value = "Hva lærte du av utvekslingen?"
        dialog.query_one("#survey-per", Checkbox).value = True
        dialog.query_one("#survey-path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, SurveyDialog)
        assert [d.name for d in project.documents()] == ["elevsvar r1 q1", "elevsvar r3 q1"]
        assert project.attributes("elevsvar r1 q1")["question"] == (
            "Hva lærte du av utvekslingen?")
        message, severity = app.messages[-1]
        assert severity == "information"
        assert message.startswith("elevsvar.csv: 2 documents imported, 0 already there, "
                                  "1 empty answers skipped")
        screen = next(s for s in app.screen_stack if isinstance(s, DocumentsScreen))
        assert screen.table.row_count == 2 and not screen.importing


async def test_a_bad_column_is_reported_and_nothing_stored(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "elevsvar.csv").write_text(SURVEY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    app = ScreenApp(project)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("v")
        app.screen.query_one("#survey-path", Input).value = "elevsvar.csv"
        app.screen.query_one("#survey-id", Input).value = "Skole"
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert project.documents() == []
        message, severity = app.messages[-1]
        assert severity == "error" and "the id column 'Skole' repeats Åsane" in message
