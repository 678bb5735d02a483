"""The help screen: every key of the workbench, as currently mapped.

It is generated from the same table the bindings are built from, with the user's keymap
applied, so it cannot drift from what the keys actually do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from casecoder.tui.keymap import ALL_KEYS, SECTIONS, KeySpec, effective_keys

_NAMES = {
    "question_mark": "?", "colon": ":", "slash": "/", "exclamation_mark": "!",
    "left_square_bracket": "[", "right_square_bracket": "]",
    "left_parenthesis": "(", "right_parenthesis": ")",
    "left_curly_bracket": "{", "right_curly_bracket": "}",
    "down": "↓", "up": "↑", "left": "←", "right": "→", "space": "space",
    "pagedown": "PgDn", "pageup": "PgUp", "escape": "esc", "home": "Home", "end": "End",
}

INTRO = (
    "Everything you change is saved at once (there is no save key). Move the cursor by "
    "sentence or turn, extend the selection, then apply a code with its shortcut (1-9) or "
    "the picker (c). In character mode (v) the selection can be trimmed to part of a "
    "sentence. Remap any key in the user config: [keys] binding-id = \"key\"."
)


def key_label(key: str) -> str:
    parts = key.split("+")
    name = _NAMES.get(parts[-1], parts[-1])
    mods = [{"ctrl": "ctrl", "shift": "shift", "alt": "alt"}.get(p, p) for p in parts[:-1]]
    return "+".join([*mods, name])


def keys_label(spec: KeySpec, keymap: Mapping[str, str]) -> str:
    return ", ".join(key_label(k) for k in effective_keys(spec, keymap))


def help_table(keymap: Mapping[str, str]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column("keys", style="bold", no_wrap=True)
    table.add_column("what")
    table.add_column("id", style="dim")
    for section in SECTIONS:
        specs = [s for s in ALL_KEYS if s.section == section]
        if not specs:
            continue
        table.add_row(Text(section, style="bold underline"), "", "")
        for spec in specs:
            table.add_row(keys_label(spec, keymap), spec.description, spec.id)
        table.add_row("", "", "")
    return table


class HelpScreen(ModalScreen[None]):
    """Lists every binding; any of escape, ?, F1 or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,f1,q", "close", "Close")]

    def __init__(self, keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.keymap = dict(keymap)

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog"):
            yield Label("casecoder — keys", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(Text(INTRO, style="italic"), id="help-intro")
                yield Static(help_table(self.keymap), id="help-table")
            yield Label("esc / ? close · ↑↓ PgUp PgDn scroll", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
