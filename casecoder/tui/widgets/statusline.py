"""The coding screen's bottom lines: a status line and a one-line command input.

Both hold their state in reactive attributes and draw themselves from it, so the screen
sets what changed (`status.selection = ...`, `status.report(...)`) and never redraws by
hand; the last change is kept as its parts (ok or failed, its text), not as a string that
has to be parsed back.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input

#: What the right-hand report says: a saved change, a failed change, or a failed command.
SAVED, NOT_SAVED, FAILED = "saved", "not saved", "failed"
NOTE = "note"  # news rather than an outcome: another coder's change arrived


class StatusLine(Widget):
    """One line, most important first: where, who, what is selected, the last change, mode.

    The last change is spelled out as far as the width allows; `report` says whether the
    text was cut, so the caller can show it whole elsewhere (a notification).
    """

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    project_name = reactive("")
    document = reactive("")
    coder = reactive("")
    selection = reactive("")
    char_mode = reactive(False)
    blind = reactive(False)
    mine_only = reactive(False)
    read_only = reactive(False)
    outcome = reactive(SAVED)
    message = reactive("")

    def report(self, outcome: str, message: str = "") -> bool:
        """Show the last change or failure; True when all of `message` fits on the line."""
        self.outcome = outcome
        self.message = message
        return len(message) <= self._message_room()

    def _left(self) -> Text:
        width = self.size.width
        left = Text(no_wrap=True, overflow="ellipsis")
        if width >= 110 and self.project_name:
            name = self.project_name
            left.append(f" {name if len(name) <= 20 else name[:19] + '…'} │")
        if self.document:
            left.append(f" {self.document}", style="bold")
        left.append(f" │ ✎ {self.coder}")
        if self.selection:
            left.append(f" │ {self.selection}")
        return left

    def _modes(self) -> Text:
        modes = Text(no_wrap=True)
        modes.append(" CHAR " if self.char_mode else " SENTENCE ", style="reverse")
        if self.read_only:
            modes.append(" READ-ONLY ", style="bold reverse")
        if self.blind:
            modes.append(" BLIND ", style="bold reverse")
        elif self.mine_only:
            modes.append(" mine only ", style="reverse")
        return modes

    def _head(self) -> str:
        return {SAVED: "saved", NOT_SAVED: "not saved", FAILED: ""}.get(self.outcome, "")

    def _message_room(self) -> int:
        """The last change goes before the selection details: the left part gives way
        (down to a third of the line) so that a message is read, not cut."""
        width = self.size.width
        left = min(self._left().cell_len, max(24, width // 3))
        used = left + self._modes().cell_len + len(self._head()) + 8
        return max(0, width - used)

    def render(self) -> Table:
        ok = self.outcome in (SAVED, NOTE)
        right = Text(no_wrap=True, justify="right")
        right.append("✓ " if ok else "✗ ", style="bold green" if ok else "bold red")
        head = self._head()
        right.append(head)
        room = self._message_room()
        detail = self.message
        if detail and (room >= 12 or not head):
            cut = detail if len(detail) <= room else detail[:max(1, room - 1)] + "…"
            right.append((": " if head else "") + cut)
        right.append("  ")
        right.append_text(self._modes())
        grid = Table.grid(expand=True)
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(self._left(), right)
        return grid


class CommandLine(Input):
    """The one-line input for `:` (go to) and `/` (search); says which when submitted."""

    mode = reactive("")

    class Command(Message):
        """The user gave a command: `mode` is "jump" or "search", `value` what they typed."""

        def __init__(self, mode: str, value: str) -> None:
            super().__init__()
            self.mode = mode
            self.value = value

    def open(self, mode: str, placeholder: str, value: str = "") -> None:
        self.mode = mode
        self.placeholder = placeholder
        self.value = value
        self.focus()

    def watch_mode(self, mode: str) -> None:
        self.display = bool(mode)
        status = self.screen.query(StatusLine) if self.is_mounted else None
        if status:
            status.first().display = not mode

    def close(self) -> None:
        self.mode = ""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input is not self:
            return
        event.stop()
        mode = self.mode
        self.close()
        self.post_message(self.Command(mode, event.value.strip()))
