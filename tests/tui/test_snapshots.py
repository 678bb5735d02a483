"""Snapshots of the coding screen (wide and 80x24), the light theme, the help and the picker.

Regenerate with `pytest tests/tui --snapshot-update` and look at the SVGs before committing:
a snapshot only protects what someone has checked is right. `snap_compare` must be called
from a synchronous test. The side panels refill a moment after a change; every snapshot
flushes that refill first, so no picture depends on timing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot

# Sentence 8 is where the other coder's codings begin; coding 8-9 with a shortcut and
# moving on shows tints, margin bars of both coders, the selection and the status line.
CODE_AND_MOVE = ["colon", "8", "enter", "shift+down", "8", "j", "j"]


def keys(*press: str, toasts: bool = True) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await pilot.press(*press)
        pilot.app.coding_screen.flush_panels()  # type: ignore[attr-defined]
        if not toasts:
            pilot.app.clear_notifications()
        await pilot.pause()

    return run


def test_coding_screen_120x40(workbench, make_app, snap_compare) -> None:
    assert snap_compare(make_app(workbench), run_before=keys(*CODE_AND_MOVE),
                        terminal_size=(120, 40))


def test_coding_screen_80x24(workbench, make_app, snap_compare) -> None:
    assert snap_compare(make_app(workbench), run_before=keys(*CODE_AND_MOVE),
                        terminal_size=(80, 24))


def test_coding_screen_light_theme(workbench, make_app, snap_compare) -> None:
    app = make_app(workbench, theme="textual-light")
    assert snap_compare(app, run_before=keys(*CODE_AND_MOVE), terminal_size=(120, 40))


def test_character_mode_and_blind_mode(workbench, make_app, snap_compare) -> None:
    press = ["colon", "1", "0", "enter", "v", "w", "w", "ctrl+left", "exclamation_mark"]
    assert snap_compare(make_app(workbench), run_before=keys(*press, toasts=False),
                        terminal_size=(120, 40))


def test_help_screen(workbench, make_app, snap_compare) -> None:
    assert snap_compare(make_app(workbench), run_before=keys("question_mark"),
                        terminal_size=(120, 40))


def test_code_picker(workbench, make_app, snap_compare) -> None:
    assert snap_compare(make_app(workbench), run_before=keys("c", "m", "o", "b"),
                        terminal_size=(120, 40))
