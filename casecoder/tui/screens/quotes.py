"""The quotes screen: every coded passage for the codes, cases and coders one is writing about.

Writing up a theme means reading all its quotes side by side, narrowed to a kind of case or
informant ("what did project leaders of BIPs say about workload?"). Filters stack: chosen
codes are ORed (a theme brings its subcodes), values of one attribute are ORed, and different
attributes, coders and documents are ANDed. Each quote is exactly the coded span, attributed
the way the report will attribute it (role and case type), plus where to find it again
(document, sentence number, timestamp). Enter opens the quote in its transcript.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from casecoder.errors import UserError
from casecoder.model import Coding, SentenceIndex, format_timestamp
from casecoder.project import Project
from casecoder.tui.keymap import bindings
from casecoder.tui.messages import OpenLocation
from casecoder.tui.screens.prompts import Choice, PickDialog

#: Attributes that attribute a quote in the report ("a project leader of a BIP").
ATTRIBUTION_KEYS = ("role", "case_type")
CONTEXT_SENTENCES = 2
QUOTE_CHUNK = 300
_LINE_BREAKS = re.compile(r"\s*\n\s*")


def fold_lines(text: str) -> str:
    """The quote on one line: line breaks (turns, paragraphs) become single spaces."""
    return _LINE_BREAKS.sub(" ", text.strip())


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class QuoteContext(ModalScreen[None]):
    """A quote inside the sentences around it, for apps without a coding screen to jump to."""

    DEFAULT_CSS = """
    QuoteContext {
        align: center middle;
    }
    QuoteContext > Vertical {
        width: 90;
        max-width: 96%;
        height: auto;
        max-height: 90%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    QuoteContext VerticalScroll {
        height: auto;
        max-height: 24;
    }
    QuoteContext .context-hint {
        color: $text-muted;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Close", id="quotes.context_close"),
    ]

    def __init__(self, title: Text, context: Text) -> None:
        super().__init__()
        self.title_text = title
        self.context = context

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text)
            with VerticalScroll():
                yield Static(self.context)
            yield Static("esc close", classes="context-hint dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class QuoteList(OptionList):
    """The quote list; says when it is scrolled near its end, so more quotes can be added."""

    class NearEnd(Message):
        pass

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if (new_value > old_value
                and new_value >= self.max_scroll_y - 2 * self.scrollable_content_region.height):
            self.post_message(self.NearEnd())


class QuotesScreen(Screen[None]):
    """Quotes by code, attribute, coder and document (F3)."""

    DEFAULT_CSS = """
    QuotesScreen #quotes-title {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    QuotesScreen #quotes-filter {
        height: auto;
        max-height: 4;
        padding: 0 1;
        color: $text-muted;
    }
    QuotesScreen #quotes-list {
        height: 1fr;
        max-height: 100%;
        border: round $primary 50%;
    }
    QuotesScreen #quotes-list:focus {
        border: round $primary;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("quotes")

    def __init__(self, project: Project, *, codes: Sequence[str] = ()) -> None:
        super().__init__()
        self.project = project
        self._just_mounted = True
        self.initial_codes = list(codes)
        self.code_ids: list[int] = []
        self.attribute_filter: dict[str, set[str]] = {}
        self.coder_filter: set[str] = set()
        self.document_filter: set[str] = set()
        # The analysis room's retrieval filters (casecoder codings --speaker/--with-code/...).
        self.speaker_filter: set[str] = set()
        self.with_codes: list[int] = []
        self.without_codes: list[int] = []
        self.unit = "sentence"
        self.quotes: list[Coding] = []
        self.shown = 0  # quotes[:shown] are options in the list
        self.attributes: dict[str, dict[str, str]] = {}
        self._sentences: dict[int, SentenceIndex] = {}

    # --- layout and refresh ------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="quotes-title")
        yield Static(id="quotes-filter")
        quotes = QuoteList(id="quotes-list")
        quotes.border_title = "Quotes"
        yield quotes
        yield Footer()

    def on_mount(self) -> None:
        for ref in self.initial_codes:
            try:
                self.code_ids.append(self.project.code(ref).id)
            except UserError as exc:
                self.notify(str(exc), severity="error", markup=False)
        self.refresh_quotes()
        self.query_one(QuoteList).focus()

    def on_screen_resume(self) -> None:
        # Back from another screen (the app keeps this one installed and pushes it again),
        # where codings, codes or documents may have changed: reload. The first resume comes
        # right after mounting, which has just loaded everything.
        if self._just_mounted:
            self._just_mounted = False
            return
        self.refresh_quotes()

    def _ask(self, dialog: Screen[Any], answer: Callable[[Any], None] | None = None) -> None:
        """Open one of this screen's dialogs; its answer comes back to `answer`."""
        self.app.push_screen(dialog, answer)

    def sentences(self, document_id: int) -> SentenceIndex:
        index = self._sentences.get(document_id)
        if index is None:
            index = SentenceIndex(self.project.segments(document_id, "sentence"))
            self._sentences[document_id] = index
        return index

    def filtered(self) -> list[Coding]:
        """The codings that pass every filter, in document order."""
        project = self.project
        known = {c.id for c in project.codes()}
        self.code_ids = [i for i in self.code_ids if i in known]  # deleted meanwhile
        if not self.code_ids:  # all codings: kept by the project, re-read per changed doc
            rows = project.cached_codings()
        elif len(self.code_ids) == 1:
            rows = project.codings(code=self.code_ids[0], subcodes=True)
        else:
            by_id: dict[int, Coding] = {}
            for code_id in self.code_ids:
                for coding in project.codings(code=code_id, subcodes=True):
                    by_id[coding.id] = coding
            order = {d.name: i for i, d in enumerate(project.documents())}
            rows = sorted(by_id.values(), key=lambda c: (order.get(c.document, -1), c.start,
                                                         c.end, c.code_id, c.coder))
        out = []
        for coding in rows:
            if self.coder_filter and coding.coder not in self.coder_filter:
                continue
            if self.document_filter and coding.document not in self.document_filter:
                continue
            attrs = self.attributes.get(coding.document, {})
            if any(attrs.get(key) not in values
                   for key, values in self.attribute_filter.items()):
                continue
            out.append(coding)
        if self.speaker_filter or self.with_codes or self.without_codes:
            out = self._retrieval_filter(out)
        return out

    def _retrieval_filter(self, codings: list[Coding]) -> list[Coding]:
        """Speaker and "with / without code in the same unit", as `casecoder codings` does."""
        from casecoder.analysis.data import Selection, load_analysis_data
        from casecoder.analysis.retrieval import retrieve

        data = load_analysis_data(self.project)
        coder = next(iter(self.coder_filter)) if len(self.coder_filter) == 1 else None
        kept = {data.guids[i] for i in retrieve(
            data, selection=Selection(coder, speakers=tuple(sorted(self.speaker_filter))),
            with_codes=[str(self.project.code(c).path) for c in self.with_codes],
            without_codes=[str(self.project.code(c).path) for c in self.without_codes],
            unit=self.unit)}
        return [c for c in codings if c.guid in kept]

    def refresh_quotes(self) -> None:
        """Recompute the filtered quotes and show them, keeping the highlighted one if shown."""
        option_list = self.query_one(QuoteList)
        previous = None
        if option_list.highlighted is not None and option_list.highlighted < len(self.quotes):
            previous = self.quotes[option_list.highlighted].guid
        try:
            self.attributes = self.project.all_attributes()
            self.quotes = self.filtered()
        except UserError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        option_list.clear_options()
        self.shown = 0
        guids = [c.guid for c in self.quotes]
        target = guids.index(previous) if previous in guids else 0
        self.show_more(until=target)
        if self.quotes:
            option_list.highlighted = target
        self._show_header()

    def show_more(self, until: int = 0) -> None:
        """Turn the next quotes into options (at least up to index `until`).

        An option list measures every option it is given, so thousands of quotes are
        shown a chunk at a time, the next chunk when the cursor or the scrollbar nears the
        end: the first screenful appears at once however many codings the filter selects.
        """
        end = min(max(self.shown + QUOTE_CHUNK, until + QUOTE_CHUNK), len(self.quotes))
        if end <= self.shown:
            return
        options: list[Option | None] = []
        for coding in self.quotes[self.shown:end]:
            options.append(Option(self._prompt(coding)))
            options.append(None)
        self.shown = end
        self.query_one(QuoteList).add_options(options)

    @on(OptionList.OptionHighlighted, "#quotes-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index >= self.shown - QUOTE_CHUNK // 4:
            self.show_more()

    def on_quote_list_near_end(self, _: QuoteList.NearEnd) -> None:
        self.show_more()

    def _prompt(self, coding: Coding) -> Text:
        code = self.project.code(coding.code_id)
        sentence = self.sentences(coding.document_id).at(coding.start)
        attrs = self.attributes.get(coding.document, {})
        where = [coding.document]
        if sentence is not None:
            where.append(f"sent. {sentence.number}")
            if sentence.timestamp is not None:
                where.append(format_timestamp(sentence.timestamp))
        who = [attrs[key] for key in ATTRIBUTION_KEYS if attrs.get(key)]
        text = Text()
        text.append("■ ", style=code.color)
        text.append(code.path, style="bold")
        text.append("  " + " · ".join(where), style="dim")
        if who:
            text.append("  " + " · ".join(who), style="italic")
        text.append(f"  {coding.coder}", style="dim")
        text.append("\n")
        text.append(fold_lines(self.project.text(coding.document_id)[coding.start:coding.end]))
        if coding.memo:
            text.append("\n✎ " + " ".join(coding.memo.split()), style="italic")
        return text

    def counts(self) -> tuple[int, int, int]:
        """Quotes, documents and cases in the current filter."""
        documents = {c.document for c in self.quotes}
        cases = {self.attributes.get(d, {}).get("case") for d in documents} - {None}
        return len(self.quotes), len(documents), len(cases)

    def _show_header(self) -> None:
        n, docs, cases = self.counts()
        title = Text.assemble(("Quotes", "bold"), f" · {plural(n, 'quote')} · "
                              f"{plural(docs, 'document')} · {plural(cases, 'case')}")
        self.query_one("#quotes-title", Static).update(title)
        parts: list[Text] = []
        if self.code_ids:
            codes = Text("codes: ")
            for i, code_id in enumerate(self.code_ids):
                code = self.project.code(code_id)
                if i:
                    codes.append(", ")
                codes.append("■ ", style=code.color)
                codes.append(code.path, style="bold")
            parts.append(codes)
        else:
            parts.append(Text("codes: all"))
        for key in sorted(self.attribute_filter):
            parts.append(Text.assemble(f"{key}: ", (" | ".join(sorted(
                self.attribute_filter[key])), "bold")))
        if self.coder_filter:
            parts.append(Text.assemble("coders: ", (", ".join(sorted(self.coder_filter)),
                                                    "bold")))
        if self.document_filter:
            parts.append(Text.assemble("documents: ", (", ".join(sorted(
                self.document_filter)), "bold")))
        if self.speaker_filter:
            parts.append(Text.assemble("speakers: ", (", ".join(sorted(self.speaker_filter)),
                                                      "bold")))
        for label, ids in (("with", self.with_codes), ("without", self.without_codes)):
            if ids:
                parts.append(Text.assemble(f"{label} in the same {self.unit}: ", (", ".join(
                    self.project.code(i).path for i in ids), "bold")))
        line = Text(" · ").join(parts)
        if not self.quotes:
            line.append("\nNo quotes match: c codes, a attributes, o coders, d documents, "
                        "x clears.", style="italic")
        self.query_one("#quotes-filter", Static).update(line)

    # --- filters -----------------------------------------------------------------------

    def _toggle(self, chosen: set[str], value: str) -> None:
        if value in chosen:
            chosen.discard(value)
        else:
            chosen.add(value)

    def action_filter_code(self) -> None:
        counts = self.project.code_counts()
        choices = []
        for code in self.project.codes():
            label = Text.assemble(("■ ", code.color), code.path,
                                  (f"  {counts.get(code.id, 0)}", "dim"))
            choices.append(Choice(str(code.id), label, " ".join(code.keywords),
                                  marked=code.id in self.code_ids))

        def answer(value: str | None) -> None:
            if value is None:
                return
            code_id = int(value)
            if code_id in self.code_ids:
                self.code_ids.remove(code_id)
            else:
                self.code_ids.append(code_id)
            self.refresh_quotes()

        self._ask(PickDialog("Add or remove a code (✓ = in the filter)", choices),
                             answer)

    def action_filter_attribute(self) -> None:
        names = self.project.attribute_names()
        if not names:
            self.notify("No document has attributes yet (documents screen: e).",
                        severity="warning")
            return
        choices = [Choice(name, name, marked=name in self.attribute_filter) for name in names]

        def picked_name(name: str | None) -> None:
            if name is not None:
                self._pick_value(name)

        self._ask(PickDialog("Filter by attribute", choices), picked_name)

    def _pick_value(self, name: str) -> None:
        documents: dict[str, int] = {}
        for attrs in self.project.all_attributes().values():
            if attrs.get(name):
                documents[attrs[name]] = documents.get(attrs[name], 0) + 1
        chosen = self.attribute_filter.get(name, set())
        choices = [Choice(value, Text.assemble(value, (f"  {plural(n, 'document')}", "dim")),
                          marked=value in chosen)
                   for value, n in sorted(documents.items(), key=lambda kv: kv[0].casefold())]

        def answer(value: str | None) -> None:
            if value is None:
                return
            values = self.attribute_filter.setdefault(name, set())
            self._toggle(values, value)
            if not values:
                del self.attribute_filter[name]
            self.refresh_quotes()

        self._ask(PickDialog(f"{name}: add or remove a value", choices), answer)

    def action_filter_coder(self) -> None:
        choices = [Choice(c.name, c.name, marked=c.name in self.coder_filter)
                   for c in self.project.coders()]

        def answer(value: str | None) -> None:
            if value is not None:
                self._toggle(self.coder_filter, value)
                self.refresh_quotes()

        self._ask(PickDialog("Add or remove a coder", choices), answer)

    def action_filter_document(self) -> None:
        choices = [Choice(d.name, Text.assemble(d.name, (f"  {d.case or ''}", "dim")),
                          marked=d.name in self.document_filter)
                   for d in self.project.documents()]

        def answer(value: str | None) -> None:
            if value is not None:
                self._toggle(self.document_filter, value)
                self.refresh_quotes()

        self._ask(PickDialog("Add or remove a document", choices), answer)

    def action_filter_speaker(self) -> None:
        from casecoder.analysis.data import UNNAMED_SPEAKER, load_analysis_data

        speakers = sorted({s or UNNAMED_SPEAKER for s in load_analysis_data(
            self.project).speakers}, key=str.casefold)
        choices = [Choice(s, s, marked=s in self.speaker_filter) for s in speakers]

        def answer(value: str | None) -> None:
            if value is not None:
                self._toggle(self.speaker_filter, value)
                self.refresh_quotes()

        self._ask(PickDialog("Add or remove a speaker (where the quote starts)", choices),
                  answer)

    def _pick_other_code(self, chosen: list[int], title: str) -> None:
        choices = [Choice(str(c.id), Text.assemble(("■ ", c.color), c.path),
                          " ".join(c.keywords), marked=c.id in chosen)
                   for c in self.project.codes()]

        def answer(value: str | None) -> None:
            if value is None:
                return
            code_id = int(value)
            if code_id in chosen:
                chosen.remove(code_id)
            else:
                chosen.append(code_id)
            self.refresh_quotes()

        self._ask(PickDialog(title, choices), answer)

    def action_filter_with(self) -> None:
        self._pick_other_code(self.with_codes, f"Also coded in the same {self.unit} with …")

    def action_filter_without(self) -> None:
        self._pick_other_code(self.without_codes, f"Not coded in the same {self.unit} with …")

    def action_filter_unit(self) -> None:
        from casecoder.analysis.cooccurrence import UNITS

        self.unit = UNITS[(UNITS.index(self.unit) + 1) % len(UNITS)]
        self.notify(f"with / without: the same {self.unit}", markup=False)
        self.refresh_quotes()

    def action_clear_filters(self) -> None:
        self.speaker_filter.clear()
        self.with_codes.clear()
        self.without_codes.clear()
        self.code_ids.clear()
        self.attribute_filter.clear()
        self.coder_filter.clear()
        self.document_filter.clear()
        self.refresh_quotes()

    # --- opening -----------------------------------------------------------------------

    def highlighted(self) -> Coding | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.quotes):
            return None
        return self.quotes[index]

    @on(OptionList.OptionSelected, "#quotes-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """Open the quote in its transcript (the app handles OpenLocation)."""
        coding = self.highlighted()
        if coding is None:
            return
        self.post_message(OpenLocation(coding.document, coding.start, coding.end))

    def action_read(self) -> None:
        """Read one quote whole, inside the sentences around it."""
        coding = self.highlighted()
        if coding is None:
            return
        try:
            self._ask(QuoteContext(*self.context(coding)))
        except UserError as exc:
            self.notify(str(exc), severity="error", markup=False)

    def context(self, coding: Coding) -> tuple[Text, Text]:
        """The quote's attribution and the quote within two sentences either side."""
        text = self.project.text(coding.document_id)
        index = self.sentences(coding.document_id)
        first = index.index_at(coding.start)
        last = index.index_at(max(coding.start, coding.end - 1))
        start, end = coding.start, coding.end
        if first is not None:
            start = min(start, index.sentences[max(first - CONTEXT_SENTENCES, 0)].start)
        if last is not None:
            end = max(end, index.sentences[min(last + CONTEXT_SENTENCES,
                                               len(index.sentences) - 1)].end)
        body = Text()
        body.append(text[start:coding.start], style="dim")
        body.append(text[coding.start:coding.end], style="bold reverse")
        body.append(text[coding.end:end], style="dim")
        title = self._prompt(coding).split("\n")[0]
        return title, body

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
