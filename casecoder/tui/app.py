"""The casecoder workbench: one Textual app over one open Project.

The app owns the screens and the keymap; all reading and writing goes through the Project
API (the TUI holds no SQL), so whatever the TUI does, the CLI can see and undo, and the
other way round. The other screens (codebook, quotes, documents, agreement) live in their own
modules and are imported the first time they are shown, which keeps start-up fast.
"""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from casecoder.config import load_config, set_config_value
from casecoder.errors import UserError
from casecoder.tui.keymap import KEYS, KeySpec, bindings, user_keymap
from casecoder.tui.messages import OpenLocation
from casecoder.tui.screens.coding import CodingScreen
from casecoder.tui.screens.help import HelpScreen, keys_label

if TYPE_CHECKING:
    from casecoder.project import Project

#: name -> (module, class) of the screens shown over the coding screen; each takes the Project.
EXTRA_SCREENS = {
    "codebook": ("casecoder.tui.screens.codebook", "CodebookScreen"),
    "quotes": ("casecoder.tui.screens.quotes", "QuotesScreen"),
    "documents": ("casecoder.tui.screens.documents", "DocumentsScreen"),
    "agreement": ("casecoder.tui.screens.agreement", "AgreementScreen"),
    "analysis": ("casecoder.tui.screens.analysis", "AnalysisScreen"),
    "search": ("casecoder.tui.screens.search", "SearchScreen"),
    "memos": ("casecoder.tui.screens.memos", "MemosScreen"),
}
#: Key targets that act on the coding screen (the palette offers only these and the app's).
CODING_TARGETS = ("app", "screen", "transcript")


class WorkbenchCommands(Provider):
    """Every action of the workbench in the command palette, plus 'open document …'."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = self.app
        assert isinstance(app, CasecoderApp)
        commands: list[tuple[str, str, Callable[[], Any]]] = []
        coding = app.coding_screen if self.screen is app.coding_screen else None
        for spec in KEYS:
            if not spec.palette or spec.target not in CODING_TARGETS:
                continue
            if spec.target != "app" and coding is None:
                continue
            keys = keys_label(spec, app.keymap)
            commands.append((spec.description, f"key: {keys}", partial(app.run_spec, spec)))
        if coding is not None:
            for doc in app.project.documents():
                commands.append((f"Open document {doc.name}",
                                 f"case {doc.case or '-'}, {doc.word_count} words",
                                 partial(coding.open_document, doc.id)))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class CasecoderApp(App[None]):
    """The coding workbench."""

    CSS_PATH = "styles/app.tcss"
    TITLE = "casecoder"
    BINDINGS = bindings("app")
    COMMANDS = App.COMMANDS | {WorkbenchCommands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, project: Project, *, document: str | None = None, blind: bool = False,
                 cursor_blink: bool = True, keymap: dict[str, str] | None = None,
                 theme: str | None = None) -> None:
        super().__init__()
        self.project = project
        self.cursor_blink = cursor_blink
        self.coding_screen = CodingScreen(project, document=document, blind=blind)
        if keymap is None:
            keymap, self.keymap_problems = user_keymap()
        else:
            self.keymap_problems = []
        self.keymap = keymap
        self.remember_theme = theme is None
        theme = theme or self._configured_theme()
        if theme:
            self.theme = theme

    def _configured_theme(self) -> str | None:
        """The theme last chosen with ctrl+t (kept in the user config)."""
        try:
            value = load_config().get("theme")
        except UserError:
            return None
        return value if isinstance(value, str) and value in self.available_themes else None

    def get_default_screen(self) -> Screen[Any]:
        return self.coding_screen

    def on_mount(self) -> None:
        self.set_keymap(self.keymap)
        for problem in self.keymap_problems:
            self.notify(problem, title="User config", severity="warning")
        self.title = f"casecoder — {self.project.name}"
        if self.project.read_only:
            self.sub_title = "read-only"
            self.notify("This project is open read-only: you can read, search and export, "
                        "but not change it.", title="Read-only", severity="warning")
        self._start_live_refresh()

    # --- other processes' changes ----------------------------------------------------------

    def _start_live_refresh(self) -> None:
        """Poll for commits by other processes about once a second (see `tui/live.py`)."""
        from casecoder.tui.live import POLL_SECONDS, LiveRefresh

        try:
            self.live = LiveRefresh(self.project, self.coding_screen, self.project.coder_name)
        except sqlite3.Error:
            return
        self.set_interval(POLL_SECONDS, self._poll_changes, name="live-refresh")

    def _poll_changes(self) -> None:
        # Busy or unreadable for a moment: try again next second.
        with suppress(sqlite3.Error, UserError):
            self.live.poll(blind=self.coding_screen.blind)

    # --- screens -------------------------------------------------------------------------

    def _back_to_coding(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_show_screen(self, name: str) -> None:
        """Show a screen over the coding screen; its own key again (or escape) comes back.

        The screens are installed once and kept, so a filter set on the quotes screen is
        still there next time; they are always pushed straight onto the coding screen, so
        escape on any of them returns to coding.
        """
        if name == "coding":
            self._back_to_coding()
            return
        on_top = self.screen
        if self.is_screen_installed(name) and on_top is self.get_screen(name):
            self._back_to_coding()
            return
        if not self.is_screen_installed(name):
            module_name, class_name = EXTRA_SCREENS[name]
            screen_class = getattr(importlib.import_module(module_name), class_name)
            self.install_screen(screen_class(self.project), name)
        self._back_to_coding()
        self.push_screen(name)

    def open_location(self, document_name: str, start: int, end: int) -> None:
        """Open a passage in context: the coding screen, the document, [start, end) selected.

        An empty range (as the documents screen sends) just opens the document.
        """
        self._back_to_coding()
        self.coding_screen.open_location(document_name, start, end)

    def on_open_location(self, message: OpenLocation) -> None:
        try:
            self.open_location(message.document, message.start, message.end)
        except UserError as exc:
            self.notify(str(exc), severity="error", markup=False)

    # --- app actions ---------------------------------------------------------------------

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.keymap))

    def action_export_quotes(self) -> None:
        from casecoder.tui.screens.export import ExportDialog

        self.push_screen(ExportDialog(self.project), self._export_quotes)

    def _export_quotes(self, request: Any) -> None:
        """Run the export the dialog asked for, here on the app's thread, and say where."""
        if request is None:
            return
        from casecoder.errors import UserError
        from casecoder.export.pseudonym_record import remember_pseudonyms
        from casecoder.export.quotes import QuoteOptions, export_quotes

        options = QuoteOptions(themes=request.themes, by=request.by, coder=request.coder,
                               context=request.context, pseudonyms=request.pseudonyms,
                               cite=request.cite)
        try:
            result = export_quotes(self.project, request.output, options, request.fmt)
            remember_pseudonyms(self.project, request.pseudonyms)
        except UserError as exc:
            self.notify(str(exc), title="Export failed", severity="error", markup=False)
            return
        replaced = ""
        if result.pseudonym_report:  # its last line is the total ("pseudonyms: N ... in all")
            replaced = "; " + result.pseudonym_report[-1].removeprefix("pseudonyms: ")
        self.notify(f"wrote {result.path} ({result.format}): {result.themes} themes, "
                    f"{result.codings} codings{replaced}", title="Exported", markup=False,
                    timeout=10)

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
        if self.remember_theme:
            try:
                set_config_value("theme", self.theme)
            except OSError as exc:
                self.notify(f"the theme is not remembered: {exc}", severity="warning")

    async def run_spec(self, spec: KeySpec) -> None:
        """Run a binding's action on the widget it belongs to (used by the palette)."""
        if spec.target == "app":
            await self.run_action(spec.action)
            return
        coding = self.coding_screen
        if spec.target == "screen":
            await coding.run_action(spec.action)
        else:
            from casecoder.tui.widgets.transcript import TranscriptView

            transcript = coding.query_one(TranscriptView)
            transcript.focus()
            if transcript.check_action(spec.action.split("(")[0], ()) is False:
                self.notify("that key works in character mode (v)", severity="warning")
                return
            await transcript.run_action(spec.action)


def run(project: Project, **kwargs: Any) -> None:
    CasecoderApp(project, **kwargs).run()
