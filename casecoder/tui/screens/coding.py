"""The coding screen: documents and codebook on the left, the transcript, what is at the cursor.

Every change goes through the Project API inside `_guard`, which turns a `UserError` (or a busy
project file) into a notification; the API commits a change together with its event or not
at all, so a failed action leaves the project exactly as it was. After a change the screen
reloads the current document's codings (one query) and redraws only what depends on them.
"""

from __future__ import annotations

import bisect
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList

from casecoder.errors import UserError
from casecoder.model import Code, Coding, Document, Event
from casecoder.tui.keymap import bindings
from casecoder.tui.screens.dialogs import (
    ChoiceDialog,
    CodePicker,
    ConfirmDialog,
    MemoEditor,
    PickResult,
)
from casecoder.tui.textmodel import DocModel, parse_time
from casecoder.tui.widgets.panels import (
    AtCursor,
    CodeFilter,
    CodeList,
    DocRow,
    DocumentList,
    QuoteList,
    at_cursor_text,
)
from casecoder.tui.widgets.statusline import (
    FAILED,
    NOT_SAVED,
    NOTE,
    SAVED,
    CommandLine,
    StatusLine,
)
from casecoder.tui.widgets.transcript import TranscriptView

if TYPE_CHECKING:
    from casecoder.project import Project

WIDE_INSPECTOR = 110  # columns from which the right panel shows by default
WIDE_SIDEBAR = 70


class CodingScreen(Screen[None]):
    """Where researchers spend their day: read, select, code, memo."""

    BINDINGS = bindings("screen")

    def __init__(self, project: Project, *, document: str | None = None,
                 blind: bool = False) -> None:
        super().__init__(id="coding")
        self.project = project
        self.me = project.coder_name
        self.start_document = document
        if blind and not project.blind_mode():
            project.set_blind_mode(True)
        self.blind = project.blind_mode()
        self.show_others = True
        self.doc: Document | None = None
        self.model: DocModel | None = None
        self.doc_codings: list[Coding] = []
        self.codes: list[Code] = []
        self.code_by_id: dict[int, Code] = {}
        self.selected_code: int | None = None
        self.search_query = ""
        self.search_hits: list[int] = []  # sentence indices
        self.search_pos = 0
        self.inspector_pref: bool | None = None
        self.sidebar_pref: bool | None = None
        self._shares: dict[int, float] = {}
        self._quotes_dirty = False
        self._quotes_for: int | None = None
        self._panels_timer: Timer | None = None
        self._pending_quotes = False
        self._done: set[str] = set()
        self._attrs: dict[str, dict[str, str]] = {}
        self.suggester: Any = None  # casecoder.tui.suggestions, once S turns suggestions on

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        blink = getattr(self.app, "cursor_blink", True)
        with Horizontal(id="main"):
            with Vertical(id="sidebar"):
                docs = DocumentList(id="documents")
                docs.border_title = "Documents"
                yield docs
                with Vertical(id="codebook"):
                    field = CodeFilter(placeholder="filter codes (f)", id="code-filter")
                    field.cursor_blink = blink
                    yield field
                    yield CodeList(id="codes")
            transcript = TranscriptView(me=self.me, id="transcript")
            yield transcript
            with Vertical(id="inspector"):
                yield AtCursor(id="at-cursor")
                yield QuoteList(id="quotes")
        cmdline = CommandLine(id="cmdline")
        cmdline.cursor_blink = blink
        yield cmdline
        status = StatusLine(id="status")
        status.project_name = self.project.name
        status.coder = self.me
        status.blind = self.blind
        yield status
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#codebook").border_title = "Codebook"
        self.query_one("#at-cursor").border_title = "At cursor"
        self.query_one("#quotes").border_title = "Quotes"
        self._load_codes()
        self._attrs = self.project.all_attributes()
        self._done = self._guarded_value(lambda: self.project.done_documents(), set())
        doc = self._guarded_value(self._initial_document, None)
        self._show_documents()
        if doc is not None:
            self.open_document(doc)
        else:
            self.query_one(TranscriptView).border_title = (
                "No documents yet — add some with: casecoder import PROJECT FILES")
        self.query_one(TranscriptView).focus()
        self._apply_widths(self.size.width)
        self.call_after_refresh(self._count_shares)

    def on_resize(self, event: events.Resize) -> None:
        self._apply_widths(event.size.width)

    def _apply_widths(self, width: int) -> None:
        inspector = self.inspector_pref if self.inspector_pref is not None else (
            width >= WIDE_INSPECTOR)
        sidebar = self.sidebar_pref if self.sidebar_pref is not None else width >= WIDE_SIDEBAR
        self.query_one("#inspector").display = inspector
        self.query_one("#sidebar").display = sidebar
        if inspector and self._quotes_dirty:
            self._update_quotes()
            self._update_inspector()
        self.set_class(width < 100, "narrow")
        self.set_class(self.size.height < 30, "short")  # a lower at-cursor panel

    def on_screen_resume(self) -> None:
        """Back from another screen: the codebook or codings may have changed there."""
        if self.doc is not None:
            self._guarded_value(self._reload_after_change, None)

    def changed_elsewhere(self, changes: Sequence[Event], summary: str) -> None:
        """Another process committed (see `tui/live.py`): repaint codings, keep the cursor.

        Only data is reloaded; the cursor, the selection and the scroll position stay, so a
        colleague's coding never disturbs the passage being read.
        """
        if any(e.action in ("import", "delete-document", "attributes-csv", "set-case",
                            "mark-done") for e in changes):
            self._attrs = self.project.all_attributes()
            self._done = self._guarded_value(lambda: self.project.done_documents(), set())
            self._guarded_value(self._show_documents, None)
        if self.doc is not None:
            self._guarded_value(self._reload_after_change, None)
        self.status.report(NOTE, summary)

    # --- errors --------------------------------------------------------------------------

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def report(self, outcome: str, message: str, *, title: str = "") -> None:
        """The last change (or failure) on the status line; in a notification too when
        the line cannot hold all of it, or when it is an error."""
        fits = self.status.report(outcome, message)
        if outcome != SAVED:
            self.notify(message, title=title, severity="error", markup=False)
        elif not fits:  # briefly: the status line keeps saying it
            self.notify(message, title=title, markup=False, timeout=3)

    @contextmanager
    def _guard(self, what: str, *, change: bool = True) -> Iterator[None]:
        """Run a change (or, change=False, a command such as a jump) and report a failure:
        a failed change says "not saved", a failed command only what went wrong."""
        outcome = NOT_SAVED if change else FAILED
        try:
            yield
        except UserError as exc:
            self.report(outcome, str(exc), title=f"Could not {what}")
        except sqlite3.Error as exc:
            self.report(outcome, f"the project file is busy or unreadable ({exc}); nothing "
                        "changed", title=f"Could not {what}")

    def _guarded_value(self, func: Callable[[], Any], default: Any) -> Any:
        try:
            return func()
        except (UserError, sqlite3.Error) as exc:
            self.notify(str(exc), severity="error")
            return default

    # --- documents -----------------------------------------------------------------------

    def _initial_document(self) -> Document | None:
        """The document named on the command line, else the one this coder worked on last."""
        if self.start_document:
            return self.project.document(self.start_document)
        docs = self.project.documents()
        if not docs:
            return None
        try:
            last = self.project.last_document(self.me)
        except UserError:  # this coder has not changed anything yet
            last = None
        if last is not None:
            return last
        return docs[0]

    def _doc_row(self, d: Document) -> DocRow:
        attrs = self._attrs.get(d.name, {})
        return DocRow(d.id, d.name, d.case or attrs.get("case", ""), attrs.get("role", ""),
                      self._shares.get(d.id), d.name in self._done)

    def _show_documents(self) -> None:
        docs = self.project.documents()
        self._docs = docs
        self.query_one(DocumentList).show([self._doc_row(d) for d in docs],
                                          self.doc.id if self.doc else None)

    def _count_shares(self) -> None:
        """Share of each document's sentences coded by me, counted after the first frame in
        a thread worker with its own read-only connection (a second on 100,000 codings), so
        the screen is usable meanwhile; the document list fills in when it is done."""
        self.run_worker(self._count_shares_work, thread=True, group="shares", exclusive=True,
                        exit_on_error=False)

    def _count_shares_work(self) -> None:
        project = self.project
        try:
            reader = type(project).open_read_only(project.path)
        except (UserError, sqlite3.Error, OSError):
            return  # the shares stay "…"; nothing else depends on them
        try:
            shares = project.coded_shares(reader).get(self.me, {})
            self.app.call_from_thread(self._show_shares, shares)
        except (UserError, sqlite3.Error):
            return
        finally:
            reader.close()

    def _show_shares(self, shares: dict[int, float]) -> None:
        for d in self._docs:
            self._shares[d.id] = shares.get(d.id, 0.0)
        if self.model is not None:  # the open document as this screen has it, newest
            mine = [(c.start, c.end) for c in self.doc_codings if c.coder == self.me]
            self._shares[self.model.doc.id] = self._share(self.model, mine)
        docs = self.query_one(DocumentList)
        highlighted = docs.highlighted
        docs.show([self._doc_row(d) for d in self._docs], self.doc.id if self.doc else None)
        if highlighted is not None and highlighted < len(docs.rows):
            docs.highlighted = highlighted

    @staticmethod
    def _share(model: DocModel, spans: list[tuple[int, int]]) -> float:
        return model.sentences_covered(spans) / max(1, len(model.sentences))

    def open_document(self, doc: Document | str | int,
                      select: tuple[int, int] | None = None) -> None:
        with self._guard("open the document"):
            d = self.project.document(doc)
            if self.doc is None or d.id != self.doc.id:
                self.doc = d
                self.model = DocModel.load(self.project, d)
                self.doc_codings = self.project.codings(doc=d)
                self.search_hits = []
                self.query_one(TranscriptView).border_subtitle = ""
                transcript = self.query_one(TranscriptView)
                transcript.set_document(self.model, self._visible(self.doc_codings),
                                        self._colors())
                transcript.border_title = d.name
                self.query_one(DocumentList).set_current(d.id)
                self._update_counts()
            transcript = self.query_one(TranscriptView)
            if select is not None:
                transcript.select_range(*select)
            elif self.model is not None:
                transcript.select_sentences(0, 0)
            self._update_inspector()
            self._update_selection_status()

    def open_location(self, document_name: str, start: int, end: int) -> None:
        """Show a passage in its context: open its document and select exactly [start, end).

        An empty range only opens the document (keeping the cursor if it is already open).
        """
        if end > start:
            self.open_document(document_name, select=(start, end))
        elif self.doc is None or self.project.document(document_name).id != self.doc.id:
            self.open_document(document_name)
        self.query_one(TranscriptView).focus()

    def action_next_document(self, delta: int) -> None:
        docs = getattr(self, "_docs", [])
        if not docs:
            return
        ids = [d.id for d in docs]
        i = ids.index(self.doc.id) if self.doc and self.doc.id in ids else -1
        self.open_document(docs[(i + delta) % len(docs)])

    @on(OptionList.OptionSelected, "#documents")
    def _document_chosen(self, event: OptionList.OptionSelected) -> None:
        self.open_document(int(event.option.id or 0))
        self.query_one(TranscriptView).focus()

    # --- codes and codings ---------------------------------------------------------------

    def _load_codes(self) -> None:
        self.codes = self.project.codes()
        self.code_by_id = {c.id: c for c in self.codes}

    def _colors(self) -> dict[int, str]:
        return {c.id: c.color for c in self.codes}

    def _visible(self, codings: list[Coding]) -> list[Coding]:
        if self.blind or not self.show_others:
            return [c for c in codings if c.coder == self.me]
        return codings

    def _counts(self) -> tuple[dict[int, int], dict[int, int]]:
        """Codings per code in this document and in the project (only mine when blind)."""
        if self.blind:
            in_doc: dict[int, int] = {}
            for c in self.doc_codings:
                if c.coder == self.me:
                    in_doc[c.code_id] = in_doc.get(c.code_id, 0) + 1
            in_project: dict[int, int] = {}
            try:
                for c in self.project.codings(coder=self.me):
                    in_project[c.code_id] = in_project.get(c.code_id, 0) + 1
            except UserError:
                pass
        else:
            in_doc = self.project.code_counts(self.doc.name) if self.doc else {}
            in_project = self.project.code_counts()
        return self._roll_up(in_doc), self._roll_up(in_project)

    def _roll_up(self, counts: dict[int, int]) -> dict[int, int]:
        """A theme counts its subcodes' codings too: that is how researchers read a tree."""
        total = dict(counts)
        for c in reversed(self.codes):
            if c.parent_id is not None and total.get(c.id):
                total[c.parent_id] = total.get(c.parent_id, 0) + total[c.id]
        return total

    def _update_counts(self) -> None:
        in_doc, in_project = self._counts()
        code_list = self.query_one(CodeList)
        if [r.code for r in code_list.rows] == self.codes:
            code_list.update_counts(in_doc, in_project)
        else:
            code_list.show(self.codes, in_doc, in_project)
        if self.selected_code is not None:
            code_list.select_code(self.selected_code)

    def _reload_after_change(self, message: str = "", changed: Code | None = None,
                             coding: Coding | None = None) -> None:
        """After any change: reload this document's codings and everything derived.

        `changed` names the code a change touched, so the quotes panel is rebuilt only when
        it shows that code or one of its themes; None means "anything may have changed".
        `coding` is the result of applying a code: it replaces the codings it was merged
        from without reading all of the document's codings again.
        """
        self._load_codes()
        if self.doc is None:
            return
        if coding is not None and coding.document_id == self.doc.id:
            self.doc_codings = self._merged_into(self.doc_codings, coding)
        else:
            self.doc_codings = self.project.codings(doc=self.doc)
        transcript = self.query_one(TranscriptView)
        transcript.set_codings(self._visible(self.doc_codings), self._colors())
        self._update_inspector()
        selected = self.code_by_id.get(self.selected_code or -1)
        quotes = (changed is None or selected is None or changed.path == selected.path
                  or changed.path.startswith(selected.path + "/"))
        self._schedule_panels(quotes=quotes)
        if message:
            self.report(SAVED, message)

    @staticmethod
    def _merged_into(codings: list[Coding], coding: Coding) -> list[Coding]:
        """The document's codings after `code_range` returned `coding`.

        The API merges a new coding with every coding of the same code and coder that it
        touches, and such codings never touch each other, so exactly those inside the
        returned span are gone; everything else is unchanged.
        """
        kept = [c for c in codings
                if not (c.code_id == coding.code_id and c.coder_id == coding.coder_id
                        and coding.start <= c.start and c.end <= coding.end)]
        bisect.insort(kept, coding, key=lambda c: (c.start, c.end, c.code_id))
        return kept

    def _selection(self) -> tuple[int, int]:
        return self.query_one(TranscriptView).selection

    def _apply(self, code: Code) -> None:
        if self.doc is None:
            raise UserError("open a document first")
        start, end = self._selection()
        coding = self.project.code_range(self.doc, code, start, end)
        if self.selected_code != code.id:
            self.selected_code = code.id
            self._quotes_for = None
        self._reload_after_change(f"coded {code.path}", changed=code, coding=coding)

    def action_apply_shortcut(self, key: str) -> None:
        with self._guard("apply the code"):
            code = self.project.code_by_shortcut(key)
            if code is None:
                raise UserError(f"no code has the shortcut {key} (give one in the codebook "
                                "screen, or use c for the picker)")
            self._apply(code)

    def action_pick_code(self) -> None:
        if self.doc is None:
            return
        _, in_project = self._counts()
        self.app.push_screen(CodePicker(self.codes, in_project, initial=self.selected_code),
                             self._picked)

    def _picked(self, result: PickResult | None) -> None:
        if result is None:
            return
        with self._guard("apply the code"):
            if result.new_name:
                path = (f"{result.parent_path}/{result.new_name}" if result.parent_path
                        else result.new_name)
                code = self.project.add_code(path)
                self._load_codes()
            else:
                code = self.project.code(int(result.code_id or 0))
            self._apply(code)

    def _my_codes_on_selection(self) -> list[Code]:
        start, end = self._selection()
        seen: dict[int, Code] = {}
        for c in self.doc_codings:
            if c.coder == self.me and c.start < end and c.end > start:
                code = self.code_by_id.get(c.code_id)
                if code is not None:
                    seen.setdefault(code.id, code)
        order = {c.id: i for i, c in enumerate(self.codes)}
        return sorted(seen.values(), key=lambda c: order.get(c.id, 0))

    def action_remove_code(self) -> None:
        if self.doc is None:
            return
        codes = self._my_codes_on_selection()
        if not codes:
            self.notify("none of your codes is on the selection", severity="warning")
            return
        if len(codes) == 1:
            self._uncode(codes[0])
            return
        choices = [Text.assemble(("■ ", c.color), c.path) for c in codes]

        def chosen(index: int | None) -> None:
            if index is not None:
                self._uncode(codes[index])

        self.app.push_screen(ChoiceDialog("Remove which code from the selection?", choices),
                             chosen)

    def _uncode(self, code: Code) -> None:
        with self._guard("remove the code"):
            if self.doc is None:
                return
            start, end = self._selection()
            self.project.uncode(self.doc, code, start, end)
            self._reload_after_change(f"removed {code.path}", changed=code)

    # --- memos ---------------------------------------------------------------------------

    def action_memo(self) -> None:
        if self.doc is None or self.model is None:
            return
        transcript = self.query_one(TranscriptView)
        first, _ = transcript.selected_sentences
        sentence = self.model.sentences[first]
        start, end = self._selection()
        mine = [c for c in self.doc_codings
                if c.coder == self.me and c.start < end and c.end > start]
        targets: list[tuple[str, Any, str]] = []
        choices: list[Text | str] = []
        for c in mine:
            targets.append(("coding", c.guid, c.memo))
            code = self.code_by_id.get(c.code_id)
            choices.append(Text.assemble("Coding ", ("■ ", code.color if code else ""),
                                         c.code_path, (" ✎" if c.memo else "", "dim")))
        targets.append(("segment", (self.doc.name, "sentence", sentence.number),
                        self._memo_text("segment", sentence.id)))
        choices.append(f"Sentence {sentence.number}"
                       + (" ✎" if targets[-1][2] else ""))
        targets.append(("document", self.doc.name, self._memo_text("document", self.doc.id)))
        choices.append(f"Document {self.doc.name}" + (" ✎" if targets[-1][2] else ""))

        def chosen(index: int | None) -> None:
            if index is None:
                return
            kind, target, text = targets[index]
            label = str(choices[index]).replace(" ✎", "").replace("■ ", "")

            def written(new_text: str | None) -> None:
                if new_text is None or new_text.strip() == (text or "").strip():
                    return
                with self._guard("save the memo"):
                    self.project.set_memo(kind, target, new_text)
                    self._reload_after_change(f"memo on {label.lower()}")

            self.app.push_screen(MemoEditor(f"Memo: {label}", text or ""), written)

        self.app.push_screen(ChoiceDialog("Write a memo on…", choices), chosen)

    def _memo_text(self, kind: str, target_id: int) -> str:
        for memo in self.project.memos(kind):
            if memo.target_id == target_id and memo.coder == self.me:
                return memo.text
        return ""

    # --- history -------------------------------------------------------------------------

    def action_undo(self) -> None:
        with self._guard("undo"):
            event = self.project.undo()
            self._reload_after_change(f"undid {event.summary}")

    def action_redo(self) -> None:
        with self._guard("redo"):
            event = self.project.redo()
            self._reload_after_change(f"redid {event.summary}")

    def action_mark_done(self) -> None:
        if self.doc is None:
            return
        with self._guard("mark the document"):
            done = self.doc.name not in self._done
            self.project.mark_done(self.doc, done)
            self._done = self.project.done_documents()
            self.query_one(DocumentList).update_row(self._doc_row(self.doc))
            self.report(SAVED, f"{self.doc.name} {'done' if done else 'not done'}")

    # --- views ---------------------------------------------------------------------------

    def action_blind(self) -> None:
        if not self.blind:
            self.set_blind(True)
            self.notify("Only your own codings are shown. Turning this off asks first.",
                        title="Blind mode on")
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.set_blind(False)

        self.app.push_screen(ConfirmDialog(
            "Turn blind mode off and show other coders' codings? Seeing them ends "
            "independent coding of this material.", "Show others", "Stay blind"), answer)

    def set_blind(self, blind: bool) -> None:
        try:
            self.project.set_blind_mode(blind)
        except UserError as exc:
            self.notify(str(exc), severity="error")
            return
        self.blind = blind
        self._reload_after_change()

    def action_toggle_others(self) -> None:
        if self.blind:
            self.notify("Blind mode is on: other coders' codings stay hidden (! to change)",
                        severity="warning")
            return
        self.show_others = not self.show_others
        self._reload_after_change()

    def action_toggle_margin(self) -> None:
        self.query_one(TranscriptView).toggle_margin()

    def action_toggle_inspector(self) -> None:
        panel = self.query_one("#inspector")
        self.inspector_pref = not panel.display
        self._apply_widths(self.size.width)

    def action_toggle_sidebar(self) -> None:
        panel = self.query_one("#sidebar")
        self.sidebar_pref = not panel.display
        self._apply_widths(self.size.width)

    def action_focus_codes(self) -> None:
        if not self.query_one("#sidebar").display:
            self.sidebar_pref = True
            self._apply_widths(self.size.width)
        self.query_one(CodeFilter).focus()

    def action_focus_documents(self) -> None:
        if not self.query_one("#sidebar").display:
            self.sidebar_pref = True
            self._apply_widths(self.size.width)
        self.query_one(DocumentList).focus()

    def action_focus_quotes(self) -> None:
        if not self.query_one("#inspector").display:
            self.inspector_pref = True
            self._apply_widths(self.size.width)
        self.flush_panels()
        self.query_one(QuoteList).focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A side panel about to be used must show the latest state."""
        if not isinstance(event.widget, TranscriptView):
            self.flush_panels()

    def action_focus_transcript(self) -> None:
        self.query_one(CommandLine).close()
        self.query_one(TranscriptView).focus()

    # --- the codebook panel --------------------------------------------------------------

    @on(Input.Changed, "#code-filter")
    def _filter_codes(self, event: Input.Changed) -> None:
        self.query_one(CodeList).filter(event.value)

    @on(Input.Submitted, "#code-filter")
    def _filter_submitted(self) -> None:
        code = self.query_one(CodeList).highlighted_code
        if code is not None:
            with self._guard("apply the code"):
                self._apply(code)

    @on(OptionList.OptionHighlighted, "#codes")
    def _code_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        code_id = int(event.option.id or 0)
        self.selected_code = code_id
        code = self.code_by_id.get(code_id)
        # the whole path of the highlighted code, since the list may have shortened it
        self.query_one("#codebook").border_subtitle = code.path if code else ""
        if code_id != self._quotes_for:
            self._schedule_panels(quotes=True)

    @on(OptionList.OptionSelected, "#codes")
    def _code_chosen(self, event: OptionList.OptionSelected) -> None:
        with self._guard("apply the code"):
            self._apply(self.project.code(int(event.option.id or 0)))

    @on(OptionList.OptionSelected, "#quotes")
    def _quote_chosen(self, event: OptionList.OptionSelected) -> None:
        quotes = self.query_one(QuoteList)
        coding = quotes.codings[event.option_index]
        self.open_location(coding.document, coding.start, coding.end)

    # --- panels --------------------------------------------------------------------------

    @on(TranscriptView.SelectionChanged)
    def _selection_changed(self) -> None:
        self._update_inspector()
        self._update_selection_status()

    def _update_inspector(self) -> None:
        transcript = self.query_one(TranscriptView)
        if self.model is None or not self.query_one("#inspector").display:
            return
        start, end = transcript.selection
        here = [c for c in self._visible(self.doc_codings) if c.start < end and c.end > start]
        first, last = transcript.selected_sentences
        numbers = (self.model.sentences[first].number, self.model.sentences[last].number)
        suggesting = self.suggester is not None and self.suggester.on
        panel = self.query_one(AtCursor)
        text = at_cursor_text(
            here, self.code_by_id, self.me, (start, end), numbers,
            "Part of" if transcript.char_mode else "Selected:",
            width=max(12, panel.content_region.width or 28),
            max_lines=max(3, (panel.size.height or 12) - 2) - (1 if suggesting else 0))
        if suggesting and self.doc is not None:
            mine = {c.code_path for c in here if c.coder == self.me}
            text.append("\n")
            text.append_text(self.suggester.line(self.doc, start, end, mine))
        panel.show(text)

    def action_toggle_suggestions(self) -> None:
        """Show (or hide) a code suggested from your own codings in the At cursor panel."""
        if self.suggester is None:
            from casecoder.tui.suggestions import SelectionSuggester

            self.suggester = SelectionSuggester(self.project)
        self.suggester.on = not self.suggester.on
        self.notify("suggestions on: a applies the suggested code" if self.suggester.on
                    else "suggestions off")
        self._update_inspector()
        self.query_one(AtCursor).refresh(layout=True)  # one line more (or less) from now on

    def action_accept_suggestion(self) -> None:
        with self._guard("apply the suggestion"):
            if self.suggester is None or not self.suggester.on:
                raise UserError("suggestions are off; S turns them on")
            if self.suggester.current is None:
                raise UserError("no suggestion for this passage")
            self._apply(self.project.code(self.suggester.current))

    PANELS_DELAY = 0.2

    def _schedule_panels(self, *, quotes: bool = False) -> None:
        """Refresh the side panels (counts, share coded, quotes) shortly, once.

        Refilling list widgets costs more than everything else a key press does, so it is
        kept off the key press: a change shows at once in the transcript, its margin, the
        inspector and the status line, and the side panels follow a moment later (at once
        when one of them gets the focus). Quick successive changes refill them only once.
        """
        self._pending_quotes = self._pending_quotes or quotes
        if self._panels_timer is not None:
            self._panels_timer.stop()
        self._panels_timer = self.set_timer(self.PANELS_DELAY, self._refresh_panels)

    def flush_panels(self) -> None:
        """Do a scheduled side-panel refresh now (a panel is about to be used)."""
        if self._panels_timer is not None:
            self._panels_timer.stop()
            self._refresh_panels()

    def _refresh_panels(self) -> None:
        self._panels_timer = None
        if self.doc is None:
            return
        self._update_counts()
        if self.model is not None:
            mine = [(c.start, c.end) for c in self.doc_codings if c.coder == self.me]
            self._shares[self.doc.id] = self._share(self.model, mine)
            self.query_one(DocumentList).update_row(self._doc_row(self.doc))
        if self._pending_quotes:
            self._pending_quotes = False
            self._update_quotes()

    def _update_quotes(self) -> None:
        """Quotes of the selected code; while the panel is hidden, only remember to do it."""
        if not self.query_one("#inspector").display:
            self._quotes_dirty = True
            return
        self._quotes_dirty = False
        self._quotes_for = self.selected_code
        quotes = self.query_one(QuoteList)
        code = self.code_by_id.get(self.selected_code or -1)
        if code is None:
            quotes.border_title = "Quotes"
            quotes.show([], {})
            return
        try:
            codings = self.project.codings(code=code, coder=self.me if self.blind else None)
        except UserError:
            codings = []
        texts = {}
        for c in codings:
            if c.document not in texts:
                texts[c.document] = self.project.text(c.document_id)
        quotes.border_title = f"Quotes: {code.path} ({len(codings)})"
        quotes.show(codings, texts)

    def _update_selection_status(self) -> None:
        """What the status line shows of the selection and the modes."""
        transcript = self.query_one(TranscriptView)
        status = self.status
        status.document = self.doc.name if self.doc else ""
        status.char_mode = transcript.char_mode
        status.blind = self.blind
        status.mine_only = not self.show_others
        status.read_only = self.project.read_only
        if self.model is None:
            status.selection = ""
            return
        start, end = transcript.selection
        first, last = transcript.selected_sentences
        count = last - first + 1
        status.selection = f"{count} {'sentence' if count == 1 else 'sentences'}, " \
                           f"{end - start} chars"

    # --- jump and search: a one-line command input ---------------------------------------

    def action_jump(self) -> None:
        if self.model is not None:
            self.query_one(CommandLine).open(
                "jump", ": sentence number or time, e.g. 57 or 00:12:31")

    def action_search(self) -> None:
        if self.model is not None:
            self.query_one(CommandLine).open(
                "search", "/ search this document (words, \"a phrase\", pre*)",
                self.search_query)

    @on(CommandLine.Command)
    def _cmdline_submitted(self, event: CommandLine.Command) -> None:
        mode, value = event.mode, event.value
        self.query_one(TranscriptView).focus()
        with self._guard("go there" if mode == "jump" else "search", change=False):
            if mode == "jump":
                self.jump(value)
            elif mode == "search":
                self.find(value)

    def jump(self, value: str) -> None:
        m = self.model
        if m is None or not value:
            return
        transcript = self.query_one(TranscriptView)
        seconds = parse_time(value)
        if seconds is not None:
            index = m.sentence_at_time(seconds)
            if index is None:
                raise UserError(f"{m.doc.name} has no timestamps at or before {value}")
        elif value.isdigit():
            index = m.sentence_by_number(int(value))
            if index is None:
                raise UserError(f"{m.doc.name} has sentences 1-{len(m.sentences)}, "
                                f"not {value}")
        else:
            raise UserError(f"go to {value!r}: give a sentence number (57) or a time "
                            "(00:12:31)")
        transcript.select_sentences(index, index, center=True)

    def find(self, query: str) -> None:
        m = self.model
        if m is None or not query:
            return
        hits = self.project.search(query, doc=self.doc, limit=100_000)
        self.search_query = query
        numbers = {h.segment_number for h in hits}
        self.search_hits = [i for i, s in enumerate(m.sentences) if s.number in numbers]
        transcript = self.query_one(TranscriptView)
        transcript.set_matches(self._match_spans(query, self.search_hits))
        if not self.search_hits:
            transcript.border_subtitle = f"/{query}  no hits"
            self.notify(f"no sentence in {m.doc.name} matches {query!r}", severity="warning")
            return
        self.action_search_next(1, from_cursor=True)

    def _match_spans(self, query: str, sentence_indices: list[int]) -> list[tuple[int, int]]:
        """Where the query's words are, inside the matching sentences (for highlighting)."""
        m = self.model
        if m is None:
            return []
        words = [w for w in re.findall(r"[\w*]+", query) if w.strip("*")]
        if not words:
            return []
        parts = [re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else r"\b")
                 for w in words]
        pattern = re.compile(r"\b(?:" + "|".join(parts) + ")", re.IGNORECASE)
        spans: list[tuple[int, int]] = []
        for i in sentence_indices:
            s = m.sentences[i]
            spans.extend(mt.span() for mt in pattern.finditer(m.text, s.start, s.end))
        return spans

    def action_search_next(self, delta: int, from_cursor: bool = False) -> None:
        if not self.search_hits:
            if self.search_query:
                self.notify("no search hits in this document", severity="warning")
            else:
                self.notify("search first with /", severity="warning")
            return
        transcript = self.query_one(TranscriptView)
        here = transcript.head
        if delta > 0:
            later = [i for i in self.search_hits if i > here or (from_cursor and i == here)]
            target = later[0] if later else self.search_hits[0]
        else:
            earlier = [i for i in self.search_hits if i < here]
            target = earlier[-1] if earlier else self.search_hits[-1]
        transcript.select_sentences(target, target, center=True)
        self.search_pos = self.search_hits.index(target) + 1
        transcript.border_subtitle = (f"/{self.search_query}  hit {self.search_pos} of "
                                      f"{len(self.search_hits)}  (n/N)")
