"""The project-wide search screen (F9): lemma search across every document, grouped by document.

Type a query (words by lemma, "a phrase", prefix*, AND/OR/NOT) and press enter: the hits come
grouped by document, each with its number, speaker and text with the matched words marked; the
header counts hits per document and the codes already applied to them. Filters narrow it (exact
words, unit, document, attribute, speaker); enter on a hit opens it in the transcript, and `A`
autocodes the hits after a review (casecoder.tui.screens.autocode_review).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from casecoder.errors import UserError
from casecoder.model import UnitHit
from casecoder.project import Project
from casecoder.tui.keymap import bindings
from casecoder.tui.screens.prompts import Choice, PickDialog, TextPrompt

UNITS = ("sentence", "turn", "paragraph")
#: Hits shown as options; the header still counts them all.
SHOW_AT_MOST = 1000


def hit_text(hit: UnitHit, width: int = 0) -> Text:
    """The hit's text on one line with the matched words marked."""
    text = Text(hit.text.replace("\n", " "))
    for s, e in hit.highlights:
        text.stylize("bold reverse", s - hit.start, e - hit.start)
    if width and len(text) > width:
        first = hit.highlights[0][0] - hit.start if hit.highlights else 0
        left = max(0, first - width // 3)
        text = text[left:left + width]
        if left:
            text = Text("…") + text
    return text


class SearchScreen(Screen[None]):
    """Search every document (F9)."""

    DEFAULT_CSS = """
    SearchScreen #search-query {
        margin: 0 1;
    }
    SearchScreen #search-filters, SearchScreen #search-summary {
        height: auto;
        max-height: 3;
        padding: 0 1;
        color: $text-muted;
    }
    SearchScreen #search-hits {
        height: 1fr;
        border: round $primary 50%;
    }
    SearchScreen #search-hits:focus {
        border: round $primary;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = bindings("search")

    def __init__(self, project: Project, *, query: str = "") -> None:
        super().__init__()
        self.project = project
        self.query_text = query
        self.exact = False
        self.unit = "sentence"
        self.doc: str | None = None
        self.where: dict[str, str] = {}
        self.speaker: str | None = None
        self.hits: list[UnitHit] = []
        self.rows: list[UnitHit | None] = []  # one per option: a hit, or None (a heading)

    def compose(self) -> ComposeResult:
        field = Input(value=self.query_text, id="search-query",
                      placeholder='search all documents: partner, "nye partnere", student*, '
                                  "a OR b, a NOT b")
        field.cursor_blink = getattr(self.app, "cursor_blink", True)
        yield field
        yield Static(id="search-filters")
        yield Static(id="search-summary")
        hits = OptionList(id="search-hits")
        hits.border_title = "Hits"
        yield hits
        yield Footer()

    def on_mount(self) -> None:
        self._show_filters()
        if self.query_text:
            self.run_search()
        else:
            self.query_one("#search-query", Input).focus()

    # --- searching ---------------------------------------------------------------------

    @on(Input.Submitted, "#search-query")
    def _submitted(self, event: Input.Submitted) -> None:
        self.query_text = event.value.strip()
        self.run_search()

    def run_search(self) -> None:
        """Search with the query and filters; show the hits grouped by document."""
        option_list = self.query_one("#search-hits", OptionList)
        option_list.clear_options()
        self.rows = []
        self.hits = []
        if not self.query_text:
            self.query_one("#search-summary", Static).update("")
            return
        try:
            self.hits = self.project.find(self.query_text, exact=self.exact, unit=self.unit,
                                          doc=self.doc, where=self.where or None,
                                          speaker=self.speaker, limit=None)
            summary = self.project.hit_summary(self.hits)
        except UserError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self._show_summary(summary)
        options: list[Option | None] = []
        width = max(20, self.size.width - 12)
        shown = self.hits[:SHOW_AT_MOST]
        last_doc = None
        per_doc = summary["documents"]
        for hit in shown:
            if hit.document != last_doc:
                last_doc = hit.document
                n = per_doc[hit.document]
                heading = Text.assemble((hit.document, "bold"),
                                        f"  {n} hit" + ("" if n == 1 else "s"))
                options.append(Option(heading, disabled=True))
                self.rows.append(None)
            where = f"{self.unit[:4]}. {hit.number}"
            if hit.speaker:
                where += f" · {hit.speaker}"
            label = Text(f"  {where}\n  ", style="dim")
            label.append_text(hit_text(hit, width))
            options.append(Option(label))
            self.rows.append(hit)
        option_list.add_options(options)
        if self.hits:
            option_list.highlighted = 1
            option_list.focus()

    def _show_summary(self, summary: dict[str, dict[str, int]]) -> None:
        docs = summary["documents"]
        n = len(self.hits)
        text = Text.assemble((f"{n} {self.unit}s", "bold"),
                             f" in {len(docs)} documents" if n else " — no hits")
        if n > SHOW_AT_MOST:
            text.append(f" (first {SHOW_AT_MOST} shown)", style="dim")
        codes = summary["codes"]
        if codes:
            ranked = sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))[:6]
            text.append("\ncoded already: ")
            text.append(", ".join(f"{path} {count}" for path, count in ranked))
            if len(codes) > 6:
                text.append(f", … {len(codes) - 6} more codes", style="dim")
        self.query_one("#search-summary", Static).update(text)

    def _show_filters(self) -> None:
        parts = ["exact words" if self.exact else "by lemma", f"unit: {self.unit}"]
        if self.doc:
            parts.append(f"document: {self.doc}")
        parts += [f"{k} = {v}" for k, v in self.where.items()]
        if self.speaker:
            parts.append(f"speaker: {self.speaker}")
        self.query_one("#search-filters", Static).update("filters: " + " · ".join(parts))

    def _refilter(self) -> None:
        self._show_filters()
        self.run_search()

    # --- actions -----------------------------------------------------------------------

    def selected_hit(self) -> UnitHit | None:
        option_list = self.query_one("#search-hits", OptionList)
        i = option_list.highlighted
        if i is None or i >= len(self.rows):
            return None
        return self.rows[i]

    @on(OptionList.OptionSelected, "#search-hits")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        hit = self.selected_hit()
        if hit is None:
            return
        opener = getattr(self.app, "open_location", None)
        if opener is not None:
            opener(hit.document, hit.start, hit.end)

    def action_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    def action_exact(self) -> None:
        self.exact = not self.exact
        self._refilter()

    def action_unit(self) -> None:
        self.unit = UNITS[(UNITS.index(self.unit) + 1) % len(UNITS)]
        self._refilter()

    def _ask(self, dialog: Screen[Any], answer: Callable[[Any], None]) -> None:
        self.app.push_screen(dialog, answer)

    def action_document(self) -> None:
        choices = [Choice("", "(every document)")] + [
            Choice(d.name, d.name) for d in self.project.documents()]

        def chosen(value: str | None) -> None:
            if value is not None:
                self.doc = value or None
                self._refilter()

        self._ask(PickDialog("Search in document", choices), chosen)

    def action_attribute(self) -> None:
        def check(value: str) -> None:
            if value.strip():
                from casecoder.project import parse_assignment

                parse_assignment(value)

        def answered(value: str | None) -> None:
            if value is None:
                return
            if not value.strip():
                self.where = {}
            else:
                from casecoder.project import parse_assignment

                key, val = parse_assignment(value)
                self.where[key] = val
            self._refilter()

        self._ask(TextPrompt("Only documents with attribute (KEY=VALUE; empty clears)",
                             placeholder="role=prorektor", check=check), answered)

    def action_speaker(self) -> None:
        def answered(value: str | None) -> None:
            if value is not None:
                self.speaker = value.strip() or None
                self._refilter()

        self._ask(TextPrompt("Only this speaker (empty: everyone)",
                             value=self.speaker or "", placeholder="Informant"), answered)

    def action_clear_filters(self) -> None:
        self.exact, self.unit, self.doc, self.where, self.speaker = (False, "sentence", None,
                                                                     {}, None)
        self._refilter()

    def action_autocode(self) -> None:
        """Code the hits with one code, after reviewing them one by one."""
        if not self.hits:
            self.notify("search first: autocoding codes the hits", severity="warning")
            return
        choices = [Choice(c.path, c.path, " ".join(c.keywords))
                   for c in self.project.codes() if c.codable]

        def chosen(path: str | None) -> None:
            if not path:
                return
            try:
                plan = self.project.plan_autocode(
                    search=self.query_text, code=path, unit=self.unit, exact=self.exact,
                    doc=self.doc, where=self.where or None, speaker=self.speaker)
            except UserError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            from casecoder.tui.screens.autocode_review import AutocodeReviewScreen

            self.app.push_screen(AutocodeReviewScreen(self.project, plan), self._reviewed)

        self._ask(PickDialog("Autocode every hit with", choices), chosen)

    def _reviewed(self, message: str | None) -> None:
        if message:
            self.notify(message, title="Autocoded", markup=False)
            self.run_search()

    def action_close(self) -> None:
        back = getattr(self.app, "action_show_screen", None)
        if back is not None and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
