"""Modal prompts of the codebook, quotes and documents screens: text, long text, fuzzy pick.

Like the coding screen's dialogs (`casecoder.tui.screens.dialogs`) they change nothing: each
returns its answer through `dismiss`, and the calling screen makes the change through the
Project API, so errors are caught and shown in one place. A prompt may be given a `check`
that raises `UserError` (usually the domain's own validator): the message is shown inside the
prompt and the prompt stays open, so a typo costs one correction instead of a new start.

Their CSS is their own (DEFAULT_CSS), so they work in any app; they also carry the
workbench's `dialog` classes, so inside the workbench its stylesheet gives them the same look
as the coding screen's dialogs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from casecoder.errors import UserError

Check = Callable[[str], object]
"""Validates an answer by raising UserError; its return value is ignored."""

_PROMPT_CSS = """
{name} {{
    align: center middle;
}}
{name} > .prompt {{
    width: 76;
    max-width: 96%;
    height: auto;
    max-height: 90%;
    border: round $primary;
    background: $surface;
    padding: 0 1;
}}
{name} .prompt-title {{
    text-style: bold;
    color: $text;
    width: 1fr;
}}
{name} .prompt-hint {{
    color: $text-muted;
    width: 1fr;
}}
{name} .prompt-error {{
    color: $text-error;
    width: 1fr;
    display: none;
}}
{name} .prompt-error.shown {{
    display: block;
}}
"""


class _Prompt(ModalScreen[str | None]):
    """Shared behaviour: a title, an error line, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]

    def __init__(self, title: str, *, hint: str = "", check: Check | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.check = check

    def _title(self) -> Static:
        return Static(Text(self.title_text), classes="prompt-title dialog-title")

    def _error(self) -> Static:
        return Static("", classes="prompt-error", id="prompt-error")

    def _hint(self, default: str) -> Static:
        return Static(Text(self.hint or default), classes="prompt-hint dialog-hint")

    def _show_error(self, message: str) -> None:
        error = self.query_one("#prompt-error", Static)
        error.update(Text(message))
        error.set_class(bool(message), "shown")

    def _accept(self, value: str) -> None:
        if self.check is not None:
            try:
                self.check(value)
            except UserError as exc:
                self._show_error(str(exc))
                return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextPrompt(_Prompt):
    """One line of text; enter accepts, escape cancels, tab takes the suggestion."""

    DEFAULT_CSS = _PROMPT_CSS.format(name="TextPrompt")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "complete", "Complete", show=False, id="prompt.complete"),
    ]

    def __init__(self, title: str, *, value: str = "", placeholder: str = "", hint: str = "",
                 check: Check | None = None, suggester: Suggester | None = None) -> None:
        super().__init__(title, hint=hint, check=check)
        self.value = value
        self.placeholder = placeholder
        self.suggester = suggester

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt dialog"):
            yield self._title()
            field = Input(self.value, placeholder=self.placeholder, suggester=self.suggester,
                          id="prompt-input")
            field.cursor_blink = getattr(self.app, "cursor_blink", True)
            yield field
            yield self._error()
            hint = "enter accept · esc cancel"
            if self.suggester is not None:
                hint = "enter accept · tab or → complete · esc cancel"
            yield self._hint(hint)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed, "#prompt-input")
    def _changed(self) -> None:
        self._show_error("")

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._accept(event.value)

    def action_complete(self) -> None:
        """Take the grey suggestion, as → at the end of the line does."""
        field = self.query_one(Input)
        field.cursor_position = len(field.value)
        field.action_cursor_right()


class TextEditDialog(_Prompt):
    """Several lines of text (a description, key=value lines); ctrl+s saves."""

    DEFAULT_CSS = _PROMPT_CSS.format(name="TextEditDialog") + """
    TextEditDialog TextArea {
        height: 12;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True, id="prompt.save"),
    ]

    def __init__(self, title: str, text: str, *, hint: str = "", placeholder: str = "",
                 check: Check | None = None) -> None:
        super().__init__(title, hint=hint, check=check)
        self.initial = text
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt dialog"):
            yield self._title()
            area = TextArea(self.initial, soft_wrap=True, placeholder=self.placeholder,
                            id="prompt-text")
            area.cursor_blink = getattr(self.app, "cursor_blink", True)
            yield area
            yield self._error()
            yield self._hint("ctrl+s save · esc cancel")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @on(TextArea.Changed)
    def _changed(self) -> None:
        self._show_error("")

    def action_save(self) -> None:
        self._accept(self.query_one(TextArea).text)


@dataclass(frozen=True)
class Choice:
    """One entry of a pick list: what is returned, what is shown, what else the filter matches.

    `search` holds extra words (a code's keywords, say) that find the entry without being
    shown; a match in the label always ranks above a match in those extra words.
    """

    value: str
    label: str | Text
    search: str = ""
    marked: bool = False

    @property
    def text(self) -> str:
        return self.label.plain if isinstance(self.label, Text) else self.label


def rank_choices(choices: Sequence[Choice], query: str) -> list[int]:
    """Indexes of the choices matching a fuzzy query, best first (all, in order, if empty).

    A label containing the query literally beats everything else (a label starting with it
    first, then shorter labels), then literal matches in the extra words, then fuzzy matches
    (rapidfuzz WRatio of at least 60), so typing part of a name finds it among many similar.
    """
    query = query.strip()
    if not query:
        return list(range(len(choices)))
    from rapidfuzz import fuzz, utils

    q = utils.default_process(query)
    if not q:
        return list(range(len(choices)))
    scored: list[tuple[float, int]] = []
    for index, choice in enumerate(choices):
        label = utils.default_process(choice.text)
        extra = utils.default_process(choice.search)
        if q in label:
            score = 300.0 + (50.0 if label.startswith(q) else 0.0) - len(label) / 1000
        elif extra and q in extra:
            score = 200.0
        else:
            score = max(fuzz.WRatio(q, label), 0.9 * fuzz.WRatio(q, extra) if extra else 0.0)
        if score >= 60:
            scored.append((score, index))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [index for _, index in scored]


class PickDialog(_Prompt):
    """Pick one of many by typing a few letters: up/down move, enter picks, escape cancels."""

    DEFAULT_CSS = _PROMPT_CSS.format(name="PickDialog") + """
    PickDialog OptionList {
        height: auto;
        max-height: 16;
        border: none;
        padding: 0;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Down", show=False, id="prompt.down"),
        Binding("up", "move(-1)", "Up", show=False, id="prompt.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="prompt.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="prompt.page_up"),
    ]

    def __init__(self, title: str, choices: Sequence[Choice], *, hint: str = "",
                 initial: str | None = None) -> None:
        super().__init__(title, hint=hint)
        self.choices = list(choices)
        self.shown: list[int] = []
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt dialog"):
            yield self._title()
            field = Input(placeholder="type to filter…", id="prompt-input")
            field.cursor_blink = getattr(self.app, "cursor_blink", True)
            yield field
            yield OptionList(id="prompt-list")
            yield self._error()
            yield self._hint("enter pick · ↑↓ move · esc cancel")

    def on_mount(self) -> None:
        self._filter("")
        if self.initial is not None:
            for position, index in enumerate(self.shown):
                if self.choices[index].value == self.initial:
                    self.query_one(OptionList).highlighted = position
        self.query_one(Input).focus()

    def _filter(self, query: str) -> None:
        self.shown = rank_choices(self.choices, query)
        options = []
        for index in self.shown:
            choice = self.choices[index]
            prompt = Text("✓ " if choice.marked else "  ", style="bold", no_wrap=True,
                          overflow="ellipsis")
            prompt.append(choice.label if isinstance(choice.label, Text) else Text(choice.label))
            options.append(Option(prompt, id=str(index)))
        option_list = self.query_one(OptionList)
        option_list.set_options(options)
        option_list.highlighted = 0 if options else None
        self._show_error("" if options or not self.choices else "nothing matches")

    @on(Input.Changed, "#prompt-input")
    def _changed(self, event: Input.Changed) -> None:
        self._filter(event.value)

    def action_move(self, delta: int) -> None:
        option_list = self.query_one(OptionList)
        if delta > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()

    def action_page(self, delta: int) -> None:
        option_list = self.query_one(OptionList)
        if delta > 0:
            option_list.action_page_down()
        else:
            option_list.action_page_up()

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._pick(self.query_one(OptionList).highlighted)

    @on(OptionList.OptionSelected, "#prompt-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option_index)

    def _pick(self, position: int | None) -> None:
        if position is None or not 0 <= position < len(self.shown):
            self.app.bell()
            return
        self.dismiss(self.choices[self.shown[position]].value)


class PathSuggester(Suggester):
    """Completes file system paths to folders and importable files, like a shell's tab.

    Paths are relative to the working directory unless absolute or starting with '~'. With
    several matches it completes their longest common start (as far as they agree), and
    otherwise proposes the first match; hidden entries appear only once '.' is typed.
    """

    def __init__(self, suffixes: Sequence[str], *, base: Path | None = None) -> None:
        # The folder can change between two key presses: never serve a cached answer.
        super().__init__(use_cache=False, case_sensitive=True)
        self.suffixes = tuple(s.lower() for s in suffixes)
        self.base = base

    def candidates(self, value: str) -> list[str]:
        """Completions of a typed path: each is the typed folder part plus an entry name."""
        head, _, prefix = value.rpartition("/")
        folder_part = head + "/" if "/" in value else ""
        folder = Path(os.path.expanduser(folder_part or "."))
        if not folder.is_absolute():
            folder = (self.base or Path.cwd()) / folder
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name.casefold())
        except OSError:
            return []
        exact: list[str] = []
        folded: list[str] = []
        for entry in entries:
            name = entry.name
            if name.startswith(".") and not prefix.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if not is_dir and Path(name).suffix.lower() not in self.suffixes:
                continue
            shown = folder_part + name + ("/" if is_dir else "")
            if name.startswith(prefix):
                exact.append(shown)
            elif name.casefold().startswith(prefix.casefold()):
                folded.append(shown)
        return exact or folded

    async def get_suggestion(self, value: str) -> str | None:
        matches = self.candidates(value)
        if not matches:
            return None
        # Character-wise on purpose: completion extends a typed name, not a folder.
        common = os.path.commonprefix(matches)  # noqa: RUF071
        if len(matches) > 1 and len(common) > len(value) and common.startswith(value):
            return common
        return matches[0] if matches[0] != value else None
