"""Reviewing an autocode run before anything is coded: accept, reject, accept all.

The planned passages are listed on the left and the highlighted one is shown in its
transcript on the right (the sentences around it, the passage marked). Nothing is written
while reviewing: `c` codes the accepted passages and `A` every passage not rejected, each as
ONE autocode run (one event; undo takes it back whole); escape leaves without coding. The
screen dismisses with a one-line message for the caller to show, or None.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from casecoder.errors import UserError
from casecoder.project import Project
from casecoder.project.autocode import AutocodePlan
from casecoder.tui.keymap import bindings

PENDING, ACCEPTED, REJECTED, ALREADY = "pending", "accepted", "rejected", "coded already"
_MARKS = {PENDING: ("?", "dim"), ACCEPTED: ("✓", "bold green"), REJECTED: ("✗", "bold red"),
          ALREADY: ("=", "dim")}
#: Sentences of context shown before and after the passage.
CONTEXT = 3


class AutocodeReviewScreen(Screen[str | None]):
    """One autocode run's passages, to accept or reject before coding."""

    DEFAULT_CSS = """
    AutocodeReviewScreen #review-title {
        height: auto;
        padding: 0 1;
        background: $panel;
    }
    AutocodeReviewScreen #review-list {
        width: 2fr;
        height: 1fr;
        border: round $primary;
    }
    AutocodeReviewScreen #review-context {
        width: 3fr;
        height: 1fr;
        border: round $primary 50%;
        padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = bindings("autocode")

    def __init__(self, project: Project, plan: AutocodePlan) -> None:
        super().__init__()
        self.project = project
        self.plan = plan
        self.state = [ALREADY if item.already else PENDING for item in plan.items]

    def compose(self) -> ComposeResult:
        yield Static(id="review-title")
        with Horizontal():
            passages = OptionList(id="review-list")
            passages.border_title = "Passages"
            yield passages
            with VerticalScroll(id="review-context") as context:
                context.border_title = "Transcript"
                yield Static(id="review-transcript")
        yield Footer()

    def on_mount(self) -> None:
        option_list = self.query_one("#review-list", OptionList)
        option_list.add_options([Option(self._prompt(i)) for i in range(len(self.plan.items))])
        if self.plan.items:
            option_list.highlighted = 0
        option_list.focus()
        self._show_title()
        self._show_context()

    def _prompt(self, i: int) -> Text:
        item = self.plan.items[i]
        mark, style = _MARKS[self.state[i]]
        text = Text(f"{mark} ", style=style)
        text.append(item.document, style="bold")
        text.append(f"  {item.code}", style="dim")
        if item.already:
            text.append("  coded already", style="italic dim")
        text.append("\n  " + " ".join(item.text.split())[:200])
        return text

    def counts(self) -> dict[str, int]:
        return {s: self.state.count(s) for s in (PENDING, ACCEPTED, REJECTED, ALREADY)}

    def _show_title(self) -> None:
        n = self.counts()
        title = Text.assemble(("Autocode review", "bold"),
                              f" · {self.plan.kind} {self.plan.query!r} · {self.plan.unit} · "
                              f"{len(self.plan.items)} passages: {n[ACCEPTED]} accepted, "
                              f"{n[REJECTED]} rejected, {n[PENDING]} to decide"
                              + (f", {n[ALREADY]} coded already" if n[ALREADY] else ""))
        self.query_one("#review-title", Static).update(title)

    def _current(self) -> int | None:
        return self.query_one("#review-list", OptionList).highlighted

    @on(OptionList.OptionHighlighted, "#review-list")
    def _moved(self) -> None:
        self._show_context()

    def _show_context(self) -> None:
        i = self._current()
        view = self.query_one("#review-transcript", Static)
        if i is None or not self.plan.items:
            view.update(Text("Nothing found to code.", style="dim"))
            return
        item = self.plan.items[i]
        text = self.project.text(item.document_id)
        sentences = self.project.segments(item.document_id, "sentence")
        starts = [s.start for s in sentences if s.end <= item.start][-CONTEXT:]
        ends = [s.end for s in sentences if s.start >= item.end][:CONTEXT]
        left = starts[0] if starts else item.start
        right = ends[-1] if ends else item.end
        shown = Text(f"{item.document}\n\n", style="bold")
        shown.append(text[left:item.start])
        shown.append(text[item.start:item.end], style="reverse")
        shown.append(text[item.end:right])
        view.update(shown)

    def _set(self, i: int, state: str) -> None:
        if self.plan.items[i].already:
            self.notify("this passage has the code already", severity="warning")
            return
        self.state[i] = state
        option_list = self.query_one("#review-list", OptionList)
        option_list.replace_option_prompt_at_index(i, self._prompt(i))
        self._show_title()

    def _decide(self, state: str) -> None:
        i = self._current()
        if i is None:
            return
        self._set(i, state)
        option_list = self.query_one("#review-list", OptionList)
        if i + 1 < len(self.plan.items):
            option_list.highlighted = i + 1

    def action_accept(self) -> None:
        self._decide(ACCEPTED)

    def action_reject(self) -> None:
        self._decide(REJECTED)

    def action_accept_all(self) -> None:
        """Accept every passage not rejected, and code them."""
        for i, item in enumerate(self.plan.items):
            if self.state[i] == PENDING and not item.already:
                self.state[i] = ACCEPTED
        self.action_code()

    def action_code(self) -> None:
        accepted = [i for i, s in enumerate(self.state) if s == ACCEPTED]
        if not accepted:
            self.notify("accept passages first (a), or A to accept all", severity="warning")
            return
        try:
            result = self.project.apply_autocode(self.plan, accept=accepted)
        except UserError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        noun = "passage" if result.added == 1 else "passages"
        self.dismiss(f"coded {result.added} {noun} in one autocode run "
                     f"({len(self.plan.items) - len(accepted)} left out); u undoes it")

    def action_close(self) -> None:
        self.dismiss(None)
