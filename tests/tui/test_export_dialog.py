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


async def test_the_pseudonyms_field_is_empty_until_a_file_is_on_record(
        workbench: Project, make_app: Any, tmp_path: Path) -> None:
    app = make_app(workbench)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await _open_dialog(app, pilot)
        field = dialog.query_one("#export-pseudonyms", Input)
        assert field.value == "" and not field.placeholder
        assert dialog.query_one("#export-cite", Input).value == "{role}, {case_type}"
    names = tmp_path / "names.csv"
    names.write_text("name,pseudonym\nKari,[kollega]\n", encoding="utf-8")
    from casecoder.export.pseudonym_record import remember_pseudonyms

    remember_pseudonyms(workbench, names)
    app = make_app(workbench)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await _open_dialog(app, pilot)
        assert dialog.query_one("#export-pseudonyms", Input).value == str(names.resolve())


async def test_clearing_the_remembered_pseudonyms_asks_before_real_names(
        workbench: Project, make_app: Any, tmp_path: Path) -> None:
    from casecoder.tui.screens.dialogs import ChoiceDialog

    workbench.code_range(workbench.documents()[0], "barriers/workload-funding", 0, 40)
    names = tmp_path / "names.csv"
    names.write_text("name,pseudonym\nKari,[kollega]\n", encoding="utf-8")
    target = tmp_path / "q.md"
    app = make_app(workbench)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await _open_dialog(app, pilot)
        dialog.query_one("#export-output", Input).value = str(target)
        dialog.query_one("#export-pseudonyms", Input).value = str(names)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert target.exists()
        # The project now remembers the file; a second export with the field cleared asks.
        target.unlink()
        dialog = await _open_dialog(app, pilot)
        dialog.query_one("#export-output", Input).value = str(target)
        dialog.query_one("#export-pseudonyms", Input).value = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        assert not target.exists()
        await pilot.press("down", "enter")  # "Export real names"
        await pilot.pause()
        assert target.exists()


async def test_an_unknown_citation_field_is_named_and_nothing_is_written(
        workbench: Project, make_app: Any, tmp_path: Path) -> None:
    target = tmp_path / "q.md"
    app = make_app(workbench)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await _open_dialog(app, pilot)
        dialog.query_one("#export-output", Input).value = str(target)
        dialog.query_one("#export-cite", Input).value = "{rolle}"
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors and "unknown field 'rolle'" in errors[-1] and "speaker" in errors[-1]
        assert app.screen is dialog
    assert not target.exists()
