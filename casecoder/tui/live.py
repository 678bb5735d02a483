"""Live refresh: the workbench picks up what other processes commit to the project file.

Researchers share one project on a server and code over SSH at the same time. About once a
second the app asks the project whether another connection committed (SQLite's
`data_version`, one pragma), reads the events written since it last looked, and hands them
to the coding screen, which repaints codings without moving the cursor or the selection.
The status line then names who changed what. In blind mode other coders' changes are
announced without saying what they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from casecoder.model import Event

POLL_SECONDS = 1.0


class ChangeListener(Protocol):
    """What a screen implements to be told about changes made elsewhere."""

    def changed_elsewhere(self, events: Sequence[Event], summary: str) -> None: ...


def describe(events: Sequence[Event], me: str, *, blind: bool = False) -> str:
    """One short status phrase for a batch of outside changes, newest last."""
    if not events:
        return "changed elsewhere"
    others = [e for e in events if e.coder != me]
    if blind and others:
        own = len(events) - len(others)
        text = f"{len(others)} change(s) by other coders"
        return text + (f" and {own} of yours elsewhere" if own else "")
    last = events[-1]
    who = last.coder or "someone"
    where = f" in {last.document}" if last.document and last.document not in last.summary \
        else ""
    # The status line always shows the part before the first ": " and the rest as room
    # allows, so who and the gist ("tomas code barriers") come first.
    words = last.summary.split(" ", 2)
    head, rest = " ".join(words[:2]), " ".join(words[2:]) + where
    text = f"{who} {head}: {rest}" if rest.strip() else f"{who} {head}"
    if len(events) > 1:
        text += f" (+{len(events) - 1} more)"
    return text


class LiveRefresh:
    """Polls a project for outside commits and tells a listener; owned by the app."""

    def __init__(self, project: Any, listener: ChangeListener, me: str) -> None:
        self.project = project
        self.listener = listener
        self.me = me
        self.last_event = project.latest_event_id()
        project.changed_elsewhere()  # start watching from now

    def poll(self, *, blind: bool = False) -> list[Event]:
        """Check once; returns the outside events handed to the listener (often none)."""
        if not self.project.changed_elsewhere():
            return []
        events = self.project.events_after(self.last_event)
        if events:
            self.last_event = events[-1].id
        self.listener.changed_elsewhere(events, describe(events, self.me, blind=blind))
        return events
