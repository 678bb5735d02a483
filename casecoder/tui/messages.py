"""Messages screens send up to the app, instead of calling app methods they look up.

A screen that wants a passage shown in its transcript posts `OpenLocation`; the message
bubbles from the screen to the app, and the workbench app handles it (opening the coding
screen there). A host app without a coding screen simply does not handle it.
"""

from __future__ import annotations

from textual.message import Message


class OpenLocation(Message):
    """Show [start, end) of a document on the coding screen (an empty range: just open it)."""

    def __init__(self, document: str, start: int = 0, end: int = 0) -> None:
        super().__init__()
        self.document = document
        self.start = start
        self.end = end
