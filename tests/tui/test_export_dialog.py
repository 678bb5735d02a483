"""Exporting quotes from the workbench writes the same file the CLI writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input, Select, SelectionList

from casecoder.project import Project


async def _open_dialog(app: Any, pilot: Any) -> Any:
    from casecoder.tui.screens.export import ExportDialog

    await pilot.press("f7")
    await pilot.pause()
    assert isinstance(app.screen, ExportDialog)
    return app.screen


async def test_export_dialog_writes_markdown_and_says_where(workbench: Project, make_app: Any,
                                                            tmp_path: Path) -> None:
    workbench.code_range(workbench.documents()[0], "barriers/workload-funding", 0, 40)
    app = make_app(workbench)
    target = tmp_path / "rapport.md"
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await _open_dialog(app, pilot)
        dialog.query_one("#export-format", Select).value = "md"
        await pilot.pause()
        assert dialog.query_one("#export-output", Input).value.endswith("-quotes.md")
        dialog.query_one("#export-output", Input).value = str(target)
        themes = dialog.query_one("#export-themes", SelectionList)
        themes.deselect_all()
        themes.select("barriers")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not app.screen.query("#export")
    text = target.read_text(encoding="utf-8")
    assert "# barriers" in text and "# motivation" not in text
    assert workbench.text(workbench.documents()[0])[:40].split()[0] in text
    messages = [n.message for n in app._notifications]
    assert any(m.startswith(f"wrote {target} (md): 1 themes") for m in messages)


async def test_a_failed_export_is_a_notification_and_writes_nothing(
        workbench: Project, make_app: Any, tmp_path: Path) -> None:
    app = make_app(workbench)
    target = tmp_path / "missing-folder" / "q.docx"
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await _open_dialog(app, pilot)
        dialog.query_one("#export-output", Input).value = str(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "does not exist" in errors[-1].message
    assert not target.parent.exists()
