"""The analysis screen (F8): tabs, measures, sorting, drill-down to quotes, summaries."""

from __future__ import annotations

from typing import ClassVar

from hosts import JumpingHost
from textual.widgets import DataTable

from casecoder.tui.screens.analysis import AnalysisScreen, CellQuotes, SummaryEditor
from casecoder.tui.screens.quotes import QuotesScreen


class AnalysisHost(JumpingHost):
    screen_class: ClassVar[type] = AnalysisScreen


async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
    """The screen reads the project in a thread; wait until the table is there."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _cell(screen: AnalysisScreen, row: int, column: int) -> str:
    return str(screen.query_one(DataTable).get_cell_at((row, column)))


async def test_matrix_tab_drills_to_quotes_and_opens_the_passage(workbench) -> None:
    app = AnalysisHost(workbench, by="role")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = app.screen
        assert isinstance(screen, AnalysisScreen)
        grid = screen.grid
        assert [c[1] for c in grid.columns] == ["pro-rector", "project leader", "Total"]
        motivation = next(r for r, (path, _d) in enumerate(grid.rows) if path == "motivation")
        assert grid.value(motivation, "project leader", "codings") == 1
        assert "1" in _cell(screen, motivation, 2)
        screen.query_one(DataTable).move_cursor(row=motivation, column=2)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CellQuotes)
        assert len(app.screen.codings) == 1
        await pilot.press("enter")
        coding = app.screen.codings[0]
        assert app.opened == [(coding.document, coding.start, coding.end)]
        await pilot.press("escape")
        assert app.screen is screen


async def test_measure_attribute_tab_and_sort_keys(workbench) -> None:
    app = AnalysisHost(workbench, by="role")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        screen = app.screen
        await pilot.press("m")
        assert screen.measure == "passages"
        await pilot.press("b")
        assert screen.by != "role"
        await pilot.press("2")
        assert screen.tab == "cooccurrence" and screen.grid.kind == "cooccurrence"
        await pilot.press("u")
        assert screen.unit == "turn"
        await pilot.press("1")
        screen.query_one(DataTable).move_cursor(row=0, column=1)
        await pilot.press("s")
        values = [screen.grid.value(r, screen.sort_column, screen.measure) or -1
                  for r in screen.row_order]
        assert values == sorted(values, reverse=True)
        await pilot.press("r")
        assert screen.row_order == list(range(len(screen.grid.rows)))


async def test_framework_summary_is_saved_as_typed_and_undone(workbench) -> None:
    app = AnalysisHost(workbench, tab="framework")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = app.screen
        assert [r.name for r in screen.framework.rows] == ["C1", "C4"]
        screen.query_one(DataTable).move_cursor(row=0, column=1)
        await pilot.press("enter")
        assert isinstance(app.screen, SummaryEditor)
        await pilot.press(*"Tung rapportering, lite støtte på ø")
        await pilot.pause(1.0)
        saved = workbench.framework_summaries()
        assert [(s.row, s.code, s.text) for s in saved] == [
            ("C1", "motivation", "Tung rapportering, lite støtte på ø")]
        await pilot.press("escape")
        await pilot.pause()
        assert "ingrid: Tung rapport" in _cell(screen, 0, 1)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert workbench.framework_summaries() == []


def test_analysis_screen_120x40(workbench, make_app, snap_compare) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("f8")
        await ready(pilot)

    assert snap_compare(make_app(workbench), run_before=run, terminal_size=(120, 40))


def test_analysis_screen_80x24_cooccurrence(workbench, make_app, snap_compare) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("f8")
        await ready(pilot)
        await pilot.press("2")
        await pilot.pause()

    assert snap_compare(make_app(workbench), run_before=run, terminal_size=(80, 24))


def test_analysis_screen_light_theme_80x24(workbench, make_app, snap_compare) -> None:
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("f8")
        await ready(pilot)

    assert snap_compare(make_app(workbench, theme="textual-light"), run_before=run,
                        terminal_size=(80, 24))


class QuotesHost(JumpingHost):
    screen_class: ClassVar[type] = QuotesScreen


async def test_quotes_screen_filters_by_speaker_and_other_codes(workbench) -> None:
    app = QuotesHost(workbench)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert len(screen.quotes) == 2
        await pilot.press("w", *"workload", "enter")
        await pilot.pause()
        # Same sentence: only the barriers coding has barriers in its own sentences.
        assert [c.code_path for c in screen.quotes] == ["barriers/workload-funding"]
        await pilot.press("u", "u", "u")  # sentence -> turn -> paragraph -> document
        await pilot.pause()
        assert screen.unit == "document" and len(screen.quotes) == 2
        await pilot.press("x", "n", *"workload", "enter")
        await pilot.pause()
        assert screen.quotes == []  # x cleared the unit's filters, not the unit
        await pilot.press("x", "p", *"Informant", "enter")
        await pilot.pause()
        assert len(screen.quotes) == 2 and screen.speaker_filter == {"Informant"}


async def test_the_table_keeps_the_focus_through_a_slow_read(workbench, monkeypatch) -> None:
    """A large project reads for longer than a frame; the table is blurred while it shows
    the loading indicator and must have the keys again when the figures arrive."""
    import time

    import casecoder.analysis.data as analysis_data

    slow = analysis_data.load_analysis_data

    def load_slowly(project):  # type: ignore[no-untyped-def]
        time.sleep(0.3)
        return slow(project)

    monkeypatch.setattr(analysis_data, "load_analysis_data", load_slowly)
    app = AnalysisHost(workbench)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count > 0
        assert app.screen.focused is table
        # The footer is the table's keys, in the table's order, not those of the loading.
        from textual.widgets._footer import FooterKey

        shown = [k.key for k in app.screen.query(FooterKey)]
        assert shown[:2] == ["enter", "tab"], shown
        await pilot.press("down")
        assert table.cursor_row == 1
