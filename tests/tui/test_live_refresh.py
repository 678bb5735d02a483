"""Live refresh: codings another process commits appear in an open workbench by themselves.

Several researchers code one shared project file over SSH at the same time, so the workbench
polls the file (SQLite's data_version) and repaints others' codings without a key press and
without moving the cursor or the selection.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from casecoder.project import Project
from casecoder.tui.widgets.transcript import TranscriptView

SIZE = (120, 40)
DOC_A = "c1-bip-prosjektleder"


def status_text(app: object) -> str:
    """The change part of the status line (what the coding screen shows right of centre)."""
    return str(app.screen.status.message)  # type: ignore[attr-defined]


async def test_a_coding_by_another_process_appears_without_a_key_press(workbench,
                                                                       make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(TranscriptView)
        await pilot.press("j", "j", "shift+down")
        selection = view.selection
        before = {c.guid for c in view.codings}
        # Another coder, in another process, codes sentence 5 of the open document.
        code = ("from casecoder.project import Project\n"
                f"p = Project.open({str(workbench.path)!r}, coder='tomas')\n"
                f"p.code_segments({DOC_A!r}, 'barriers', 5, 5)\n"
                "p.close()\n")
        subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
        for _ in range(30):  # no key press: only the app's own timer may notice
            await pilot.pause(0.1)
            if {c.guid for c in view.codings} != before:
                break
        new = [c for c in view.codings if c.guid not in before]
        assert [(c.coder, c.code_path) for c in new] == [("tomas", "barriers")]
        assert view.selection == selection  # the cursor and selection did not move
        assert "tomas" in status_text(app) and "barriers" in status_text(app)


async def test_blind_mode_announces_others_changes_without_saying_what(workbench,
                                                                       make_app) -> None:
    workbench.set_blind_mode(True)
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(TranscriptView)
        other = Project.open(workbench.path, coder="tomas")
        other.code_segments(DOC_A, "barriers", 5, 5)
        other.close()
        for _ in range(30):
            await pilot.pause(0.1)
            if "other coders" in status_text(app):
                break
        text = status_text(app)
        assert "1 change(s) by other coders" in text and "barriers" not in text
        assert all(c.coder == "ingrid" for c in view.codings)


async def test_a_read_only_project_says_so_and_refuses_changes(workbench, make_app,
                                                               monkeypatch) -> None:
    path = workbench.path
    workbench.close()
    monkeypatch.setenv("CASECODER_READ_ONLY", "1")
    project = Project.open(path, coder="ingrid")
    assert project.read_only
    app = make_app(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.sub_title == "read-only"
        assert any("read-only" in n.message for n in app._notifications)
        await pilot.press("1")  # apply the first shortcut code: refused, not a crash
        await pilot.pause()
        status = app.screen.status  # type: ignore[attr-defined]
        assert status.outcome == "not saved" and "read-only" in status.message
        assert status.read_only
        assert any("read-only" in n.message for n in app._notifications
                   if n.severity == "error")
    assert "ingrid" not in [c.name for c in project.coders()]  # nothing was written
    project.close()
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
