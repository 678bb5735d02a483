"""The memo browser (F10): every memo of the project, filtered by target and coder.

Memos are where the analysis is written down, scattered over the project, documents,
codes, sentences and codings; here they are read in one list, each in full, and enter opens
the passage (or document) a memo is about on the coding screen. In blind mode only one's own
memos are listed, as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from casecoder.errors import UserError
from casecoder.tui.keymap import bindings
from casecoder.tui.messages import OpenLocation

if TYPE_CHECKING:
    from casecoder.project import Project

#: The memo targets in the order the filter key cycles through them (None: all).
KINDS: tuple[str | None, ...] = (None, "project", "document", "code", "segment", "coding")
KIND_LABELS = {"project": "Project", "document": "Document", "code": "Code",
               "segment": "Sentence", "coding": "Coding"}


@dataclass(frozen=True)
class MemoRow:
    """One memo as the browser shows it, with where enter takes the reader."""

    kind: str
    target: str
    coder: str
    text: str
    updated_at: str
    document: str | None = None  # where to open it, if anywhere
    start: int = 0
    end: int = 0


def memo_rows(project: Project) -> list[MemoRow]:
    """Every memo, coding memos included, oldest target kind first as `memos` lists them."""
    rows: list[MemoRow] = []
    names = {d.id: d.name for d in project.documents()}
    for m in project.memos():
        document, start, end = None, 0, 0
        if m.target_kind == "document":
            document = names.get(m.target_id)
        elif m.target_kind == "segment":
            segment = project.segment_by_id(m.target_id)
            if segment is not None:
                document, start, end = names.get(segment.document_id), segment.start, segment.end
        rows.append(MemoRow(m.target_kind, m.target, m.coder, m.text, m.updated_at,
                            document, start, end))
    try:
        codings = project.codings()
    except UserError:
        codings = []
    for c in codings:
        if c.memo.strip():
            rows.append(MemoRow("coding", f"{c.code_path} in {c.document}", c.coder, c.memo,
                                c.created_at, c.document, c.start, c.end))
    return rows


class MemosScreen(Screen[None]):
    """All memos in full; k cycles the target kind, o the coder, enter opens the target."""

    DEFAULT_CSS = """
    MemosScreen #memos-title {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    MemosScreen #memos-list {
        height: 1fr;
        border: round $primary 50%;
    }
    MemosScreen #memos-list:focus {
        border: round $primary;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("memos")

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self.kind: str | None = None
        self.coder: str | None = None
        self.rows: list[MemoRow] = []
        self.shown: list[MemoRow] = []

    def compose(self) -> ComposeResult:
        yield Static(id="memos-title")
        yield OptionList(id="memos-list")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        rows = memo_rows(self.project)
        if self.project.blind_mode():
            rows = [r for r in rows if r.coder == self.project.coder_name]
        self.rows = rows
        self.show()

    def coders(self) -> list[str]:
        return sorted({r.coder for r in self.rows})

    def show(self) -> None:
        self.shown = [r for r in self.rows
                      if (self.kind is None or r.kind == self.kind)
                      and (self.coder is None or r.coder == self.coder)]
        options: list[Option | None] = []
        for row in self.shown:
            options.append(Option(self._prompt(row)))
            options.append(None)
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options(options)
        if self.shown:
            option_list.highlighted = 0
        title = Text.assemble(("Memos", "bold"), f" · {len(self.shown)} of {len(self.rows)}",
                              " · on: ", (KIND_LABELS.get(self.kind or "", "all"), "bold"),
                              " · coder: ", (self.coder or "all", "bold"))
        if not self.shown:
            title.append("  (k: target, o: coder)", style="italic")
        self.query_one("#memos-title", Static).update(title)

    @staticmethod
    def _prompt(row: MemoRow) -> Text:
        text = Text()
        text.append(f"{KIND_LABELS.get(row.kind, row.kind)} ", style="bold")
        text.append(row.target, style="bold")
        text.append(f"  {row.coder} · {row.updated_at[:10]}", style="dim")
        text.append("\n")
        text.append(row.text.strip())
        return text

    def highlighted(self) -> MemoRow | None:
        index = self.query_one(OptionList).highlighted
        if index is None:
            return None
        row_index = index // 2  # a separator follows every memo
        return self.shown[row_index] if 0 <= row_index < len(self.shown) else None

    def action_filter_kind(self) -> None:
        self.kind = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]
        self.show()

    def action_filter_coder(self) -> None:
        choices: list[str | None] = [None, *self.coders()]
        self.coder = choices[(choices.index(self.coder) + 1) % len(choices)
                             if self.coder in choices else 0]
        self.show()

    def action_open(self) -> None:
        row = self.highlighted()
        if row is None:
            return
        if row.document is None:
            self.notify(f"a memo on the {row.kind} has no passage to open", timeout=3)
            return
        self.post_message(OpenLocation(row.document, row.start, row.end))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
