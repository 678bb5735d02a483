"""The export dialog: quote summaries per theme, from the workbench.

It gathers the same choices as `casecoder export quotes` and hands them back to the app,
which runs the same `export_quotes` on its own thread (the project's connection belongs to
it) and says where the file went. Nothing here writes anything.

The pseudonyms field is empty (real names) unless the project remembers the file its last
export used, and then holds that file; clearing it on such a project asks before exporting
real names. The citation field takes the same template as `--cite`, checked before the
dialog closes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList

from casecoder.errors import UserError
from casecoder.export.citations import DEFAULT_CITE, Citation
from casecoder.export.pseudonym_record import remembered
from casecoder.tui.screens.dialogs import ChoiceDialog
from casecoder.tui.screens.prompts import PathSuggester

if TYPE_CHECKING:
    from casecoder.project import Project

FORMATS = (("Word (.docx)", "docx"), ("Markdown (.md)", "md"), ("HTML (.html)", "html"),
           ("Excel (.xlsx)", "xlsx"), ("CSV (.csv)", "csv"), ("JSON (.json)", "json"))
DEFAULT_BY = ("case_type", "role")
ALL_CODERS = "*all*"


@dataclass(frozen=True)
class ExportRequest:
    output: Path
    fmt: str
    themes: tuple[str, ...]
    by: tuple[str, ...]
    coder: str | None
    pseudonyms: Path | None
    context: int
    cite: str | None = None  # None: the default template


class ExportDialog(ModalScreen[ExportRequest | None]):
    """Choose themes, format, breakdowns, coder, pseudonyms and the file; ctrl+s exports."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "export", "Export", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, project: Project, *, folder: Path | None = None) -> None:
        super().__init__()
        self.project = project
        self.folder = folder or Path.cwd()

    def compose(self) -> ComposeResult:
        p = self.project
        themes = [c for c in p.codes() if c.parent_id is None]
        attributes = p.attribute_names()
        coders = [c.name for c in p.coders()]
        stem = Path(p.path).name.split(".")[0]
        with Vertical(classes="dialog", id="export"):
            yield Label("Export quotes per theme", classes="dialog-title")
            with VerticalScroll(id="export-body"):
                yield Label("Themes (space toggles)")
                yield SelectionList[str](*[(c.name, c.path, True) for c in themes],
                                         id="export-themes")
                yield Label("Breakdown by")
                yield SelectionList[str](*[(a, a, a in DEFAULT_BY) for a in attributes],
                                         id="export-by")
                with Horizontal(classes="export-row"):
                    yield Select(FORMATS, value="docx", allow_blank=False, id="export-format")
                    yield Select([("All coders", ALL_CODERS), *[(c, c) for c in coders]],
                                 value=ALL_CODERS, allow_blank=False, id="export-coder")
                    yield Select([("No context", 0), ("1 sentence context", 1),
                                  ("2 sentences context", 2)], value=0, allow_blank=False,
                                 id="export-context")
                yield Label("Pseudonyms file (CSV name,pseudonym or YAML; empty: real names)")
                on_record = remembered(p)
                yield Input(str(on_record) if on_record else "", id="export-pseudonyms",
                            suggester=PathSuggester((".csv", ".yml", ".yaml"),
                                                    base=self.folder))
                yield Label("Cite quotes as (any attribute, speaker, document, sentence, "
                            "time, coder)")
                yield Input(DEFAULT_CITE, id="export-cite")
                yield Label("Write to")
                yield Input(str(self.folder / f"{stem}-quotes.docx"), id="export-output")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Export (ctrl+s)", id="export-go", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#export-themes", SelectionList).focus()

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        """Keep the file's suffix in step with the chosen format."""
        field = self.query_one("#export-output", Input)
        path = Path(field.value.strip() or "quotes")
        if path.suffix.lower().lstrip(".") in {f for _, f in FORMATS} or not path.suffix:
            field.value = str(path.with_suffix(f".{event.value}"))

    @on(Button.Pressed, "#export-go")
    def action_export(self) -> None:
        request = self._request()
        if request is None:
            return
        on_record = remembered(self.project)
        if request.pseudonyms is None and on_record is not None:
            def chosen(choice: int | None) -> None:
                if choice == 0:
                    self.dismiss(replace(request, pseudonyms=on_record))
                elif choice == 1:
                    self.dismiss(request)

            self.app.push_screen(ChoiceDialog(
                "This project was last exported with pseudonyms. Export with them?",
                [f"Use {on_record}", "Export real names"], "enter choose · esc back"),
                chosen)
            return
        self.dismiss(request)

    def _request(self) -> ExportRequest | None:
        """The request the fields describe, or None (after saying why) when one is wrong."""
        themes = tuple(self.query_one("#export-themes", SelectionList).selected)
        if not themes:
            self.notify("Choose at least one theme", severity="warning")
            return None
        output = self.query_one("#export-output", Input).value.strip()
        if not output:
            self.notify("Say where to write the file", severity="warning")
            return None
        cite = self.query_one("#export-cite", Input).value.strip() or DEFAULT_CITE
        try:
            Citation.parse(cite, self.project.attribute_names())
        except UserError as exc:
            self.notify(str(exc), title="Citation", severity="error", markup=False)
            return None
        coder = self.query_one("#export-coder", Select).value
        pseudonyms = self.query_one("#export-pseudonyms", Input).value.strip()
        return ExportRequest(
            output=self._resolve(output),
            fmt=str(self.query_one("#export-format", Select).value),
            themes=themes,
            by=tuple(self.query_one("#export-by", SelectionList).selected),
            coder=None if coder == ALL_CODERS else str(coder),
            pseudonyms=self._resolve(pseudonyms) if pseudonyms else None,
            context=int(self.query_one("#export-context", Select).value),  # type: ignore[arg-type]
            cite=cite,
        )

    def _resolve(self, text: str) -> Path:
        path = Path(text).expanduser()
        return path if path.is_absolute() else self.folder / path

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
