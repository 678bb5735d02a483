"""The documents screen: every transcript with its case, attributes and each coder's progress.

This is where a study is set up (import the transcripts, put them in cases, record case type
and role) and followed (how far has each coder got?). Progress is the share of a document's
sentences that a coder has coded anything in: the unit agreement is computed on, so "100%"
means every sentence has been looked at and given a code. Sentences are loaded once per
document (they never change) and codings once per coder, so the table costs a few queries per
coder however many documents there are.

Import runs in a thread worker because reading and segmenting a transcript loads spaCy. The
write itself is one short transaction at the end of `import_file`; the screen refuses its own
edits while an import runs, so the only writer on the shared connection during that moment
could be another screen.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from casecoder.errors import UserError
from casecoder.ingest import SUPPORTED_SUFFIXES, import_paths
from casecoder.model import Document, ImportResult
from casecoder.project import Project, parse_assignment, prepare_file
from casecoder.tui.keymap import bindings
from casecoder.tui.screens.prompts import PathSuggester, TextEditDialog, TextPrompt
from casecoder.tui.screens.quotes import plural

ATTRIBUTE_COLUMNS = ("case_type", "role")


def _same_cell(a: str | Text, b: str | Text) -> bool:
    """Equal as shown (rich's Text equality ignores the style, which marks 100%)."""
    if isinstance(a, Text) and isinstance(b, Text):
        return a.plain == b.plain and str(a.style) == str(b.style)
    return a == b


def speaker_lines(speakers: Sequence[Any]) -> str:
    """Speakers as the editor shows them: `LABEL: key=value; key=value`, one a line."""
    lines = []
    for speaker in speakers:
        parts = [f"interviewer={'yes' if speaker.interviewer else 'no'}"]
        if speaker.person:
            parts.append(f"person={speaker.person}")
        parts += [f"{k}={v}" for k, v in speaker.attributes.items()]
        lines.append(f"{speaker.label}: {'; '.join(parts)}")
    return "\n".join(lines)


def parse_speaker_lines(text: str, labels: Sequence[str]
                        ) -> dict[str, tuple[dict[str, str], bool | None, str | None]]:
    """Per speaker label: (attributes, interviewer, person) from the editor's lines."""
    from casecoder.project.speakers import parse_flag

    known = {label.casefold(): label for label in labels}
    out: dict[str, tuple[dict[str, str], bool | None, str | None]] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        label, sep, rest = line.partition(":")
        found = known.get(" ".join(label.split()).casefold())
        if not sep or found is None:
            raise UserError(f"{line.strip()!r} does not start with one of the speakers "
                            f"({', '.join(labels)}) and a colon")
        attributes: dict[str, str] = {}
        interviewer: bool | None = None
        person: str | None = None
        for part in rest.split(";"):
            if not part.strip():
                continue
            key, value = parse_assignment(part)
            if key == "interviewer":
                interviewer = parse_flag(value)
            elif key == "person":
                person = value
            else:
                attributes[key] = value
        out[found] = (attributes, interviewer, person)
    return out


def parse_attribute_lines(text: str) -> dict[str, str]:
    """KEY=VALUE lines (blank lines and # comments skipped) as the editor returns them."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, value = parse_assignment(line)
        if key == "case":
            raise UserError("the case is not an attribute here: press c to set it")
        values[key] = value
    return values


def attribute_changes(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """What `set_attributes` must do: changed or new values, and "" for removed keys."""
    changes = {key: value for key, value in new.items() if old.get(key) != value}
    changes.update({key: "" for key in old if key not in new})
    return changes


class DocumentsScreen(Screen[None]):
    """Documents, cases, attributes, progress and import (F4)."""

    DEFAULT_CSS = """
    DocumentsScreen #documents-title {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    DocumentsScreen #documents-table {
        height: 1fr;
        border: round $primary 50%;
    }
    DocumentsScreen #documents-table:focus {
        border: round $primary;
    }
    DocumentsScreen #documents-speakers {
        height: auto;
        max-height: 7;
        padding: 0 1;
        border-top: solid $primary 30%;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("documents")

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self._just_mounted = True
        self.documents: list[Document] = []
        self.coders: list[str] = []
        self.progress: dict[tuple[str, int], float] = {}
        self._rendered: dict[str, list[str | Text]] = {}  # name -> cells as shown
        self.importing = False

    # --- layout and refresh ------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="documents-title")
        table: DataTable[str | Text] = DataTable(id="documents-table", cursor_type="row",
                                                 zebra_stripes=True)
        table.border_title = "Documents"
        yield table
        yield Static(id="documents-speakers")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_documents()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        # Back from another screen (the app keeps this one installed and pushes it again),
        # where codings, codes or documents may have changed: reload. The first resume comes
        # right after mounting, which has just loaded everything.
        if self._just_mounted:
            self._just_mounted = False
            return
        self.refresh_documents()

    def _ask(self, dialog: Screen[Any], answer: Callable[[Any], None] | None = None) -> None:
        """Open one of this screen's dialogs; its answer comes back to `answer`."""
        self.app.push_screen(dialog, answer)

    @property
    def table(self) -> DataTable[str | Text]:
        return self.query_one("#documents-table", DataTable)

    def compute_progress(self) -> None:
        """Share of sentences coded, per coder and document, for coders who have coded.

        The Project keeps these figures between reads and recomputes only the documents
        changed since (`Project.coded_shares`), so reopening this screen after one coding
        costs one document, not the whole corpus.
        """
        shares = self.project.coded_shares()
        self.coders = sorted(set(shares) | {self.project.coder_name}, key=str.casefold)
        self.progress = {(name, document.id): shares.get(name, {}).get(document.id, 0.0)
                         for document in self.documents for name in self.coders}

    def refresh_documents(self, select: str | None = None) -> None:
        """Reload documents, attributes and progress; keep the cursor on `select` or in place."""
        table = self.table
        previous = self.current()
        row = table.cursor_row
        self.documents = self.project.documents()
        attributes = self.project.all_attributes()
        self.compute_progress()
        columns = ["name", "case", *ATTRIBUTE_COLUMNS, "words",
                   *(f"coder:{name}" for name in self.coders)]
        # Columns are rebuilt only when a coder appears: re-creating them while rows wait
        # to be measured leaves the header at the old widths (Textual 8.2).
        rows = {document.name: self._cells(document, attributes.get(document.name, {}))
                for document in self.documents}
        if ([str(key.value) for key in table.columns] == columns
                and list(rows) == list(self._rendered)):
            self._update_changed_cells(rows, columns)
        elif [str(key.value) for key in table.columns] != columns:
            table.clear(columns=True)
            table.add_column("document", key="name")
            table.add_column("case", key="case")
            for key in ATTRIBUTE_COLUMNS:
                table.add_column(key.replace("_", " "), key=key)
            table.add_column(Text("words", justify="right"), key="words")
            for name in self.coders:
                table.add_column(Text(name, justify="right"), key=f"coder:{name}")
        else:
            table.clear()
        if table.row_count == 0:
            for name, cells in rows.items():
                table.add_row(*cells, key=name)
        self._rendered = rows
        target = select or (previous.name if previous else None)
        names = [d.name for d in self.documents]
        if target in names:
            table.move_cursor(row=names.index(target))
        elif names:
            table.move_cursor(row=min(row, len(names) - 1))
        self._show_title()
        self.show_speakers()

    def _cells(self, document: Document, attrs: dict[str, str]) -> list[str | Text]:
        cells: list[str | Text] = [document.name, document.case or ""]
        cells += [attrs.get(key, "") for key in ATTRIBUTE_COLUMNS]
        cells.append(Text(f"{document.word_count:,}".replace(",", " "), justify="right"))
        for name in self.coders:
            share = self.progress[(name, document.id)]
            cells.append(Text(f"{share:.0%}", justify="right",
                              style="bold" if share >= 0.995 else ""))
        return cells

    def _update_changed_cells(self, rows: dict[str, list[str | Text]],
                              columns: list[str]) -> None:
        """Same documents and columns as shown: update only the cells that differ."""
        table = self.table
        for name, cells in rows.items():
            old = self._rendered.get(name)
            for column, cell, before in zip(columns, cells, old or [], strict=False):
                if not _same_cell(cell, before):
                    table.update_cell(name, column, cell)

    @on(DataTable.RowHighlighted, "#documents-table")
    def _highlighted(self) -> None:
        self.show_speakers()

    def show_speakers(self) -> None:
        """The highlighted document's speakers: turns, words, interviewer, person, attributes."""
        document = self.current()
        text = Text()
        if document is not None:
            speakers = self.project.speakers(document)
            text.append("Speakers", style="bold")
            text.append(" (s edits them)" if speakers else ": none labelled", style="dim")
            for speaker in speakers:
                text.append(f"\n{speaker.label}", style="bold")
                text.append(f" · {plural(speaker.turns, 'turn')} · "
                            f"{speaker.words:,} words".replace(",", " "))
                if speaker.interviewer:
                    text.append(" · interviewer", style="italic")
                if speaker.person:
                    text.append(f" · person {speaker.person}")
                if speaker.attributes:
                    text.append(" · " + "; ".join(f"{k}={v}"
                                                  for k, v in speaker.attributes.items()),
                                style="dim")
        self.query_one("#documents-speakers", Static).update(text)

    def _show_title(self) -> None:
        words = sum(d.word_count for d in self.documents)
        cases = len({d.case for d in self.documents if d.case})
        title = Text.assemble(("Documents", "bold"),
                              f" · {plural(len(self.documents), 'document')} · "
                              f"{plural(cases, 'case')} · {words:,} words".replace(",", " "))
        if self.importing:
            title.append(" · importing…", style="italic")
        self.query_one("#documents-title", Static).update(title)

    def current(self) -> Document | None:
        row = self.table.cursor_row
        if not self.documents or not 0 <= row < len(self.documents):
            return None
        return self.documents[row]

    # --- helpers -----------------------------------------------------------------------

    def _need_document(self) -> Document | None:
        if self.importing:
            self.notify("An import is running; try again when it has finished.",
                        severity="warning")
            return None
        document = self.current()
        if document is None:
            self.notify("No documents yet: press i to import one.", severity="warning")
        return document

    # --- actions -----------------------------------------------------------------------

    @on(DataTable.RowSelected, "#documents-table")
    async def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        await self.action_open()

    async def action_open(self) -> None:
        document = self.current()
        if document is None:
            return
        open_location = getattr(self.app, "open_location", None)
        if not callable(open_location):
            self.notify("This app has no coding screen to open the document in.",
                        severity="warning")
            return
        try:
            result = open_location(document.name, 0, 0)
            if inspect.isawaitable(result):
                await result
        except UserError as exc:
            self.notify(str(exc), severity="error", markup=False)

    def action_attributes(self) -> None:
        document = self._need_document()
        if document is None:
            return
        try:
            old = {k: v for k, v in self.project.attributes(document).items() if k != "case"}
        except UserError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        lines = "\n".join(f"{key}={value}" for key, value in old.items())

        def answer(text: str | None) -> None:
            if text is None:
                return
            try:
                changes = attribute_changes(old, parse_attribute_lines(text))
                if not changes:
                    return
                self.project.set_attributes(document.name, changes)
                still = {k for k, v in changes.items() if not v} & set(
                    self.project.attributes(document))
            except UserError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.refresh_documents(document.name)
            self.notify(f"{document.name}: {', '.join(changes)} saved", markup=False)
            if still:
                self.notify(f"{', '.join(sorted(still))} of {document.name} come from its "
                            f"case {document.case}: set them on the case to change them",
                            severity="warning", markup=False)

        self._ask(TextEditDialog(
            f"Attributes of {document.name}", lines, check=parse_attribute_lines,
            placeholder="case_type=BIP\nrole=project leader",
            hint="one key=value a line · an empty value or a deleted line removes it · "
                 "ctrl+s save · esc cancel"), answer)

    def action_speakers(self) -> None:
        """Edit the document's speakers: attributes, interviewer mark, person link."""
        document = self._need_document()
        if document is None:
            return
        speakers = self.project.speakers(document)
        if not speakers:
            self.notify(f"{document.name} has no labelled speakers", severity="warning")
            return
        labels = [s.label for s in speakers]
        current = {s.label: s for s in speakers}

        def check(text: str) -> None:
            parse_speaker_lines(text, labels)

        def answer(text: str | None) -> None:
            if text is None:
                return
            try:
                wanted = parse_speaker_lines(text, labels)
                changed = []
                for label, (attributes, interviewer, person) in wanted.items():
                    old = current[label]
                    changes = attribute_changes(old.attributes, attributes)
                    flag = interviewer if interviewer != old.interviewer else None
                    link = person if person is not None and person != (old.person or "") \
                        else ("" if person is None and old.person else None)
                    if changes or flag is not None or link is not None:
                        self.project.set_speaker(document.name, label, attributes=changes,
                                                 interviewer=flag, person=link)
                        changed.append(label)
            except UserError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.show_speakers()
            if changed:
                self.notify(f"{document.name}: {', '.join(changed)} saved", markup=False)

        self._ask(TextEditDialog(
            f"Speakers of {document.name}", speaker_lines(speakers), check=check,
            placeholder="Informant 1: interviewer=no; role=head of department",
            hint="one speaker a line · key=value pairs split by ; · interviewer=yes|no · "
                 "person=NAME links documents · ctrl+s save · esc cancel"), answer)

    def action_case(self) -> None:
        document = self._need_document()
        if document is None:
            return
        cases = [c.name for c in self.project.cases()]

        def answer(value: str | None) -> None:
            if value is None:
                return
            case = " ".join(value.split()) or None
            if case == document.case:
                return
            try:
                self.project.set_case(document.name, case)
            except UserError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.refresh_documents(document.name)
            self.notify(f"{document.name} is in case {case}" if case else
                        f"{document.name} is in no case now", markup=False)

        self._ask(TextPrompt(
            f"Case of {document.name}", value=document.case or "", placeholder="case name",
            suggester=SuggestFromList(cases, case_sensitive=True),
            hint="a new name makes a new case · empty: no case · tab completes"), answer)

    def action_import(self) -> None:
        if self.importing:
            self.notify("An import is already running.", severity="warning")
            return

        def check(value: str) -> None:
            path = Path(value.strip()).expanduser()
            if not value.strip() or not path.exists():
                raise UserError(f"no file or folder {value.strip()!r}")
            if not import_paths(path):
                raise UserError(f"{value.strip()} holds no {', '.join(SUPPORTED_SUFFIXES)} "
                                "files")

        def answer(value: str | None) -> None:
            if value is None:
                return
            paths = import_paths(Path(value.strip()).expanduser())
            self.importing = True
            self._show_title()
            app = self.app  # the worker thread cannot look it up once the screen is closed
            settings = self.project.import_settings()
            self.run_worker(lambda: self._import_files(paths, app, settings), thread=True,
                            group="import", name="import",
                            description=f"import {len(paths)} files")

        self._ask(TextPrompt(
            "Import a transcript (or a folder of them)", placeholder="path/to/interview.docx",
            suggester=PathSuggester(SUPPORTED_SUFFIXES), check=check,
            hint=f"{' '.join(SUPPORTED_SUFFIXES)} · relative to {Path.cwd()} · "
                 "tab completes · esc cancel"), answer)

    def action_survey(self) -> None:
        """Survey answers as documents: the dialog asks, a worker reads and segments."""
        if self.importing:
            self.notify("An import is already running.", severity="warning")
            return
        from casecoder.tui.screens.survey import SurveyDialog, prepare_survey

        def answer(request: Any) -> None:
            if request is None:
                return
            self.importing = True
            self._show_title()
            app, settings = self.app, self.project.import_settings()

            def work() -> None:
                try:
                    prepared = prepare_survey(request, *settings)
                except UserError as exc:
                    app.call_from_thread(app.notify, str(exc), severity="error",
                                         markup=False)
                    return
                app.call_from_thread(self._store_survey, request, prepared, app)

            self.run_worker(work, thread=True, group="import", name="survey",
                            description=f"import survey {request.path.name}")

        self._ask(SurveyDialog(), answer)

    def _store_survey(self, request: Any, prepared: Any, app: App[Any]) -> None:
        plan, segments = prepared
        try:
            stored = self.project.add_survey(plan.documents, segments=segments,
                                             source_name=request.path.name)
        except UserError as exc:
            app.notify(str(exc), severity="error", markup=False)
            return
        app.notify(f"{request.path.name}: {len(stored.imported)} documents imported, "
                   f"{len(stored.skipped)} already there, {plan.empty_answers} empty "
                   f"answers skipped", title="survey", markup=False)
        if self.is_attached:
            self.refresh_documents(stored.imported[0] if stored.imported else None)

    def _import_files(self, paths: list[Path], app: App[Any],
                      settings: tuple[str, str | None]) -> None:
        """In the worker thread: read and segment one file after the other (the slow part).

        Only the app's thread touches the project's connection: each prepared file is handed
        back to it to be stored, so an import can never interleave with an edit. The import
        goes on if the screen is closed meanwhile; the reports still reach the app.
        """
        for path in paths:
            prepared = prepare_file(str(path), *settings)
            app.call_from_thread(self._store, path, prepared, app)

    def _store(self, path: Path, prepared: Any, app: App[Any]) -> None:
        self._imported(self.project.store_prepared(path, prepared), app)

    def _imported(self, result: ImportResult, app: App[Any]) -> None:
        severities: dict[str, SeverityLevel] = {"imported": "information", "skipped": "warning"}
        severity = severities.get(result.status, "error")
        name = Path(result.path).name
        message = result.message
        if result.status == "imported":
            message += f" ({result.words} words, {result.segments.get('sentence', 0)} sentences)"
        app.notify(f"{name}: {message}", title=result.status,
                        severity=severity, markup=False)
        if self.is_attached:  # the screen may have been closed while files were imported
            self.refresh_documents(result.document.name if result.document else None)

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "import":
            return
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.importing = False
            self._show_title()

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
