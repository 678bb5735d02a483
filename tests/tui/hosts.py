"""Small host apps that show one screen over a project, as the workbench would.

They record the notifications they are asked to show and (JumpingHost) the passages other
screens ask them to open, so screen tests can assert on both without the whole workbench.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App
from textual.notifications import SeverityLevel

from casecoder.project import Project
from casecoder.tui.messages import OpenLocation


class ScreenHost(App[None]):
    """Pushes `screen_class(project, **options)` on mount; subclasses name the screen."""

    screen_class: ClassVar[type[Any]]

    def __init__(self, project: Project, theme: str = "textual-dark", **options: Any) -> None:
        super().__init__()
        self.project = project
        self.start_theme = theme
        self.options = options
        self.messages: list[tuple[str, str]] = []

    def on_mount(self) -> None:
        self.theme = self.start_theme
        self.push_screen(self.screen_class(self.project, **self.options))

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        self.messages.append((message, severity))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)


class JumpingHost(ScreenHost):
    """A host that can open a location, recording where it was asked to go."""

    def __init__(self, project: Project, *args: Any, **kwargs: Any) -> None:
        super().__init__(project, *args, **kwargs)
        self.opened: list[tuple[str, int, int]] = []

    def open_location(self, document: str, start: int, end: int) -> None:
        self.opened.append((document, start, end))

    def on_open_location(self, message: OpenLocation) -> None:
        self.open_location(message.document, message.start, message.end)
