"""The survey import dialog of the documents screen (key `s`): the same choices as
`casecoder import-survey` — file, id column, answer columns, one document per respondent or
per answer — with the same defaults when a field is left empty.

The dialog only collects the choices (`SurveyRequest`); the documents screen reads and
segments the sheet in a worker thread (`prepare_survey`, no database) and stores the result
on the app's thread, which owns the connection, in one change.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Static

from casecoder.errors import UserError
from casecoder.tui.screens.prompts import _PROMPT_CSS, PathSuggester

SURVEY_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class SurveyRequest:
    path: Path
    id_column: str | None
    text_columns: tuple[str, ...]
    per: str  # "respondent" | "answer"


def parse_columns(value: str) -> tuple[str, ...]:
    """Answer columns as typed: separated by ";" (question labels often hold commas)."""
    return tuple(part.strip() for part in value.split(";") if part.strip())


def check_request(path_text: str, id_text: str, columns_text: str,
                  per_answer: bool) -> SurveyRequest:
    """The dialog's fields as a request; raises UserError for a missing or wrong file."""
    path = Path(path_text.strip()).expanduser()
    if not path_text.strip() or not path.is_file():
        raise UserError(f"no survey file {path_text.strip()!r}")
    if path.suffix.lower() not in SURVEY_SUFFIXES:
        raise UserError("a survey must be a .csv or .xlsx file")
    return SurveyRequest(path, id_text.strip() or None, parse_columns(columns_text),
                         "answer" if per_answer else "respondent")


def prepare_survey(request: SurveyRequest, language: str, model: str | None) -> Any:
    """In a worker: read the sheet, plan the documents and segment them (no database)."""
    from casecoder.ingest.survey import plan_survey, read_table
    from casecoder.project.surveys import segment_survey

    table = read_table(request.path)
    plan = plan_survey(table, stem=request.path.stem, id_column=request.id_column,
                       text_columns=request.text_columns, per=request.per)
    return plan, segment_survey(plan.documents, language, model)


class SurveyDialog(ModalScreen[SurveyRequest | None]):
    """File, id column, answer columns, per respondent or per answer; enter imports."""

    DEFAULT_CSS = _PROMPT_CSS.format(name="SurveyDialog") + """
    SurveyDialog Input { margin: 0 0 0 0; }
    SurveyDialog .survey-label { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="survey.cancel"),
    ]

    def compose(self) -> ComposeResult:
        blink = getattr(self.app, "cursor_blink", True)
        with Vertical(classes="prompt dialog"):
            yield Static(Text("Import a survey (.csv or .xlsx)"),
                         classes="prompt-title dialog-title")
            fields = [
                ("survey-path", "file", "path/to/survey.xlsx", PathSuggester(SURVEY_SUFFIXES)),
                ("survey-id", "id column (empty: a column of unique values)", "Respondent",
                 None),
                ("survey-text", "answer columns, separated by ; (empty: the free-text ones)",
                 "Hva lærte du?; Hva var vanskelig?", None),
            ]
            for field_id, label, placeholder, suggester in fields:
                yield Static(label, classes="survey-label")
                field = Input(placeholder=placeholder, suggester=suggester, id=field_id)
                field.cursor_blink = blink
                yield field
            yield Checkbox("one document per answer (not per respondent)", id="survey-per")
            yield Static("", classes="prompt-error", id="prompt-error")
            yield Static(Text("enter import · tab next field · esc cancel"),
                         classes="prompt-hint dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#survey-path", Input).focus()

    def _error(self, message: str) -> None:
        error = self.query_one("#prompt-error", Static)
        error.update(Text(message))
        error.set_class(bool(message), "shown")

    @on(Input.Changed)
    def _changed(self) -> None:
        self._error("")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            request = check_request(self.query_one("#survey-path", Input).value,
                                    self.query_one("#survey-id", Input).value,
                                    self.query_one("#survey-text", Input).value,
                                    self.query_one("#survey-per", Checkbox).value)
        except UserError as exc:
            self._error(str(exc))
            return
        self.dismiss(request)

    def action_cancel(self) -> None:
        self.dismiss(None)
