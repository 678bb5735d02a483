"""Small modal dialogs of the coding screen: code picker, choosers, memo editor, confirm.

Each returns its answer through `dismiss` and changes nothing itself: the coding screen makes
the change through the Project API, so every change has one place where errors are caught.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from casecoder.model import Code

CREATE_ID = "create-new-code"


@dataclass(frozen=True)
class PickResult:
    """A code to apply, or a new code to create (name under parent path) and apply."""

    code_id: int | None = None
    new_name: str | None = None
    parent_path: str | None = None


STRONG_MATCH = 80  # below this, a typed name is more likely a new code than a typo
WEAK_MATCH = 65  # below this, a code is not offered at all


def rank_codes(codes: Sequence[Code], query: str,
               limit: int = 40) -> list[tuple[float, Code]]:
    """(score, code) by fuzzy match on name, path and keywords; tree order for no query."""
    query = query.strip()
    if not query:
        return [(100.0, c) for c in codes]
    from rapidfuzz import fuzz, utils

    q = utils.default_process(query)
    if len(q) <= 2:
        return _rank_by_prefix(codes, q, limit)
    scored: list[tuple[float, int, Code]] = []
    for position, c in enumerate(codes):
        name = utils.default_process(c.name)
        score = max(fuzz.WRatio(q, name), 0.9 * fuzz.WRatio(q, utils.default_process(c.path)))
        if name.startswith(q):
            score = max(score, 100.0)
        for kw in c.keywords:
            keyword = utils.default_process(kw)
            # Researchers search by their own terms ("ildsjel"): a keyword prefix is strong.
            score = max(score, 95.0 if keyword.startswith(q) else 0.85 * fuzz.WRatio(q, keyword))
        if score >= WEAK_MATCH:
            scored.append((score, position, c))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(score, c) for score, _, c in scored[:limit]]


def _rank_by_prefix(codes: Sequence[Code], q: str, limit: int) -> list[tuple[float, Code]]:
    """One or two letters say too little for fuzzy matching (nearly every code would match):
    rank by where a word starts instead — the name, then a word in it, its theme, a keyword."""
    import re

    def words(text: str) -> list[str]:
        return [w for w in re.split(r"[\s/_-]+", text.casefold()) if w]

    scored: list[tuple[float, int, Code]] = []
    for position, c in enumerate(codes):
        if c.name.casefold().startswith(q):
            score = 100.0
        elif any(w.startswith(q) for w in words(c.name)):
            score = 95.0
        elif any(w.startswith(q) for w in words(c.path)):
            score = 90.0
        elif any(k.casefold().startswith(q) for k in c.keywords):
            score = 85.0
        else:
            continue
        scored.append((score, position, c))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(score, c) for score, _, c in scored[:limit]]


class CodePicker(ModalScreen[PickResult | None]):
    """Fuzzy code picker: type, move with up/down, enter applies; offers to create new codes.

    A plain new name is created under the highlighted theme (the code highlighted in the
    picker, or at first the one selected in the codebook panel); "theme/name" puts it under
    that code and "/name" makes a new theme. When nothing matches well (or a new path was
    typed), the offer to create comes first, so typing it and pressing enter creates it.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("up", "cursor(-1)", "Up", show=False),
    ]

    def __init__(self, codes: Sequence[Code], counts: Mapping[int, int], *,
                 title: str = "Apply a code", allow_create: bool = True,
                 initial: int | None = None) -> None:
        super().__init__()
        self.codes = list(codes)
        self.counts = counts
        self.title_text = title
        self.allow_create = allow_create
        self.initial = initial
        self.shown: list[Code] = []
        self.option_codes: list[Code | None] = []  # None: the "create" option
        by_id = {c.id: c for c in self.codes}
        self.theme_for_new: Code | None = self._theme_of(by_id.get(initial or -1))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="picker"):
            yield Label(self.title_text, classes="dialog-title")
            field = Input(placeholder="type a name, path or keyword…", id="picker-input")
            field.cursor_blink = getattr(self.app, "cursor_blink", True)
            yield field
            yield OptionList(id="picker-list")
            hint = "enter apply · ↑↓ choose · esc cancel"
            if self.allow_create:
                hint += " · new name: creates it (theme/name, /new-theme)"
            yield Label(hint, classes="dialog-hint")

    def on_mount(self) -> None:
        self._refresh("")
        if self.initial is not None:
            for i, c in enumerate(self.option_codes):
                if c is not None and c.id == self.initial:
                    self.query_one(OptionList).highlighted = i
        self.query_one(Input).focus()

    @on(Input.Changed, "#picker-input")
    def _changed(self, event: Input.Changed) -> None:
        self._refresh(event.value)

    def _new_code(self, typed: str) -> tuple[str | None, str] | None:
        """(parent path or None for a theme, name) that a typed text would create, if any."""
        name = " ".join(typed.split())
        if not self.allow_create or not name.strip("/"):
            return None
        folded = name.strip("/").casefold()
        if any(c.path.casefold() == folded or c.name.casefold() == folded for c in self.codes):
            return None
        if "/" not in name:
            return (self.theme_for_new.path if self.theme_for_new else None), name
        parent_path, _, leaf = name.rpartition("/")
        parent_path = parent_path.strip("/")
        if not leaf.strip():
            return None
        if not parent_path:
            return None, leaf.strip()
        for c in self.codes:
            if c.path.casefold() == parent_path.casefold():
                return c.path, leaf.strip()
        return None

    def _refresh(self, query: str) -> None:
        ranked = rank_codes(self.codes, query)
        self.shown = [c for _, c in ranked]
        if query.strip() and self.shown and self.theme_for_new is None:
            self.theme_for_new = self._theme_of(self.shown[0])
        options: list[Option] = []
        codes: list[Code | None] = []
        for c in self.shown:
            prompt = Text(no_wrap=True, overflow="ellipsis")
            prompt.append("■ ", style=c.color)
            prompt.append(f"{c.shortcut or ' '} ", style="bold")
            prompt.append(c.path, style="" if c.codable else "italic dim")
            n = self.counts.get(c.id, 0)
            if n:
                prompt.append(f"  {n}", style="dim")
            options.append(Option(prompt, id=str(c.id)))
            codes.append(c)
        new = self._new_code(query)
        if new is not None:
            create = Option(self._create_prompt(*new), id=CREATE_ID)
            if "/" in query or not ranked or ranked[0][0] < STRONG_MATCH:
                options.insert(0, create)
                codes.insert(0, None)
            else:
                options.append(create)
                codes.append(None)
        self.option_codes = codes
        option_list = self.query_one(OptionList)
        option_list.set_options(options)
        if options:
            option_list.highlighted = 0

    def _theme_of(self, code: Code | None) -> Code | None:
        """Where a new code goes: under the highlighted theme (a subcode's own parent)."""
        if code is None:
            return None
        if code.parent_id is None:
            return code
        for c in self.codes:
            if c.id == code.parent_id:
                return c
        return None

    def _create_prompt(self, parent: str | None, name: str) -> Text:
        return Text.assemble(("+ create ", "bold"), (f"«{name}»", "bold italic"),
                             f" under {parent}" if parent else " as a new theme")

    def action_cursor(self, delta: int) -> None:
        """Move in the list; a new code follows the theme of the code moved to."""
        option_list = self.query_one(OptionList)
        if delta > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()
        index = option_list.highlighted
        code = self.option_codes[index] if index is not None else None
        theme = self._theme_of(code)
        if code is None or theme == self.theme_for_new:
            return
        self.theme_for_new = theme
        typed = self.query_one(Input).value
        new = None if "/" in typed else self._new_code(typed)  # a typed path stays put
        if new is None:
            return
        for i, c in enumerate(self.option_codes):
            if c is None:
                option_list.replace_option_prompt_at_index(i, self._create_prompt(*new))

    @on(Input.Submitted, "#picker-input")
    def _submitted(self) -> None:
        self._choose(self.query_one(OptionList).highlighted)

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option_index)

    def _choose(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self.option_codes):
            return
        code = self.option_codes[index]
        if code is None:
            new = self._new_code(self.query_one(Input).value)
            if new is not None:
                self.dismiss(PickResult(new_name=new[1], parent_path=new[0]))
            return
        self.dismiss(PickResult(code_id=code.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[int | None]):
    """Pick one of a few labelled choices; returns its index."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: Sequence[Text | str], hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.hint = hint or "enter choose · esc cancel"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="choice"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(c, id=str(i)) for i, c in enumerate(self.choices)],
                             id="choice-list")
            yield Label(self.hint, classes="dialog-hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.highlighted = 0
        option_list.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)


class MemoEditor(ModalScreen[str | None]):
    """Write or edit one memo; ctrl+s saves (an empty memo is deleted), escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.initial = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="memo"):
            yield Label(self.title_text, classes="dialog-title")
            area = TextArea(self.initial, id="memo-text", soft_wrap=True)
            area.cursor_blink = getattr(self.app, "cursor_blink", True)
            yield area
            yield Label("ctrl+s save · esc cancel · empty text deletes the memo",
                        classes="dialog-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question where the safe answer is the default."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
    ]

    def __init__(self, question: str, yes: str, no: str) -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm"):
            yield Label(self.question, classes="dialog-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.no} (n)", id="no", variant="primary")
                yield Button(f"{self.yes} (y)", id="yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
