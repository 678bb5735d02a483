"""The codebook screen, driven by keys; every assertion is on the project through its API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hosts import ScreenHost
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, TextArea

from casecoder.project import Project
from casecoder.tui.screens.codebook import CodebookScreen, code_label, subtree_totals
from casecoder.tui.screens.prompts import PickDialog, TextEditDialog, TextPrompt

SnapCompare = Callable[..., bool]

INTERVIEW = """Intervju 01 – prosjektleder

[00:00:04] Intervjuer: Hvorfor søkte dere om en BIP?

[00:00:11] Informant: Vi ønsket nye partnere i Europa. Kvalitet var også viktig for oss.

[00:01:20] Informant: Rapporteringen er like tung som for lang mobilitet, dvs. mye arbeid.
"""


class ScreenApp(ScreenHost):
    screen_class = CodebookScreen


@pytest.fixture
def study(project: Project, tmp_path: Path) -> Project:
    """The default codebook, one interview and a few codings by 'anna'."""
    path = tmp_path / "intervju-01.txt"
    path.write_text(INTERVIEW, encoding="utf-8")
    assert project.import_file(path).status == "imported"
    project.code_segments("intervju-01", "motivation/partners-networks", 3, 3)
    project.code_segments("intervju-01", "motivation/quality", 4, 4)
    project.code_segments("intervju-01", "barriers/workload-funding", 5, 5)
    return project


def screen_of(app: App[None]) -> CodebookScreen:
    return next(s for s in reversed(app.screen_stack) if isinstance(s, CodebookScreen))


async def highlight(pilot: Pilot[None], path: str) -> CodebookScreen:
    screen = screen_of(pilot.app)
    screen.tree.move_cursor(screen.nodes[screen.project.code(path).id])
    await pilot.pause()
    assert screen.current() is not None and screen.current().path == path
    return screen


async def replace_input(pilot: Pilot[None], text: str) -> None:
    """Put a new value in the prompt's line (typing it key by key costs ~60 ms a key)."""
    field = pilot.app.screen.query_one(Input)
    field.value = text
    field.cursor_position = len(text)
    await pilot.pause()


def codings_of(project: Project, path: str) -> list[tuple[str, int, int]]:
    return [(c.document, c.start, c.end) for c in project.codings(code=path, subcodes=False)]


def test_totals_add_subcodes_into_their_parents(study: Project) -> None:
    codes = study.codes()
    totals = subtree_totals(codes, study.code_counts())
    assert totals[study.code("motivation").id] == 2
    assert totals[study.code("barriers").id] == 1
    assert totals[study.code("motivation/quality").id] == 1
    label = code_label(study.code("motivation"), 0, 2, True)
    assert label.plain == "■ motivation [1]  0/2"


async def test_tree_shows_every_code_with_counts(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)):
        screen = screen_of(app)
        assert list(screen.nodes) == [c.id for c in study.codes()]
        node = screen.nodes[study.code("motivation").id]
        assert str(node.label).endswith("0/2")
        assert screen.current() == study.codes()[0]


async def test_add_subcode_and_top_level_code(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await highlight(pilot, "barriers")
        await pilot.press("a")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"ny", "enter")
        await pilot.pause()
        assert study.code("barriers/ny").parent_id == study.code("barriers").id
        assert screen_of(app).current().path == "barriers/ny"

        await pilot.press("A")
        await replace_input(pilot, "strategi")
        await pilot.press("enter")
        await pilot.pause()
        assert study.code("strategi").parent_id is None


async def test_rename_and_a_clash_that_changes_nothing(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await highlight(pilot, "motivation/quality")
        await pilot.press("r")
        await replace_input(pilot, "kvalitet")
        await pilot.press("enter")
        await pilot.pause()
        assert study.code("motivation/kvalitet").id == screen_of(app).current().id
        assert codings_of(study, "motivation/kvalitet")

        before = [c.path for c in study.codes()]
        await pilot.press("r")
        await replace_input(pilot, "champions")
        await pilot.press("enter")
        await pilot.pause()
        assert [c.path for c in study.codes()] == before
        assert app.messages[-1][1] == "error"
        assert "already exists" in app.messages[-1][0]


async def test_invalid_name_keeps_the_prompt_open(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        before = len(study.codes())
        await pilot.press("a", *"a/b", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        assert "cannot contain '/'" in str(app.screen.query_one("#prompt-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert len(study.codes()) == before


async def test_move_under_another_code_and_back_to_top(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await highlight(pilot, "barriers/workload-funding")
        codings = codings_of(study, "barriers/workload-funding")
        await pilot.press("m")
        assert isinstance(app.screen, PickDialog)
        await pilot.press(*"cont", "enter")
        await pilot.pause()
        moved = study.code("continuation/workload-funding")
        assert codings_of(study, moved.path) == codings
        assert screen_of(app).current().id == moved.id

        await pilot.press("m", *"top", "enter")
        await pilot.pause()
        assert study.code(moved.id).path == "workload-funding"


async def test_merge_asks_then_moves_codings_and_undo_restores(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        source = study.code("motivation/quality")
        moved = codings_of(study, source.path)
        kept = codings_of(study, "motivation/partners-networks")
        await highlight(pilot, source.path)
        await pilot.press("M", *"partn", "enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert source.id not in {c.id for c in study.codes()}
        assert codings_of(study, "motivation/partners-networks") == sorted(kept + moved)
        assert screen_of(app).current().path == "motivation/partners-networks"

        await pilot.press("u")
        await pilot.pause()
        assert study.code(source.path).id == source.id
        assert codings_of(study, source.path) == moved
        assert app.messages[-1][0].startswith("Undone: merge code")


async def test_merge_declined_changes_nothing(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        before = [c.path for c in study.codes()]
        await highlight(pilot, "motivation/quality")
        await pilot.press("M", *"champ", "enter")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert [c.path for c in study.codes()] == before
        assert codings_of(study, "motivation/quality")


async def test_delete_with_codings_asks_twice_and_undo_brings_them_back(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        codings = codings_of(study, "barriers/workload-funding")
        await highlight(pilot, "barriers/workload-funding")
        await pilot.press("d", "y")
        await pilot.pause()
        # The first yes is not enough when codings would be lost.
        assert study.code("barriers/workload-funding")
        await pilot.press("n")
        await pilot.pause()
        assert codings_of(study, "barriers/workload-funding") == codings

        await pilot.press("d", "y")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "barriers/workload-funding" not in {c.path for c in study.codes()}
        assert study.codings(code="barriers") == []

        await pilot.press("u")
        await pilot.pause()
        assert codings_of(study, "barriers/workload-funding") == codings

        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "barriers/workload-funding" not in {c.path for c in study.codes()}
        assert app.messages[-1][0].startswith("Redone:")


async def test_delete_without_codings_asks_once(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await highlight(pilot, "motivation/champions")
        await pilot.press("d", "y")
        await pilot.pause()
        assert "motivation/champions" not in {c.path for c in study.codes()}


async def test_edit_description_colour_keywords_shortcut_codable(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await highlight(pilot, "motivation/champions")
        await pilot.press("e")
        assert isinstance(app.screen, TextEditDialog)
        app.screen.query_one(TextArea).load_text("Ildsjeler driver arbeidet.\nInclude: «ildsjel».")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert study.code("motivation/champions").description == (
            "Ildsjeler driver arbeidet.\nInclude: «ildsjel».")

        await pilot.press("c")
        await replace_input(pilot, "#12")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)  # invalid: the prompt stays open
        await replace_input(pilot, "#A0522D")
        await pilot.press("enter")
        await pilot.pause()
        assert study.code("motivation/champions").color == "#a0522d"

        await pilot.press("k")
        await replace_input(pilot, "ildsjel, ildsjeler , , champion")
        await pilot.press("enter")
        await pilot.pause()
        assert study.code("motivation/champions").keywords == ("ildsjel", "ildsjeler",
                                                                "champion")

        holder = study.code_by_shortcut("1")
        assert holder is not None and holder.path == "motivation"
        await pilot.press("s")
        await replace_input(pilot, "1")
        await pilot.press("enter")
        await pilot.pause()
        assert study.code("motivation/champions").shortcut == "1"
        assert study.code("motivation").shortcut is None
        assert "taken from motivation" in app.messages[-1][0]

        await pilot.press("s")
        await replace_input(pilot, "0")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await replace_input(pilot, "")
        await pilot.press("enter")
        await pilot.pause()
        assert study.code("motivation/champions").shortcut is None

        await pilot.press("t")
        await pilot.pause()
        assert study.code("motivation/champions").codable is False
        await pilot.press("u")
        await pilot.pause()
        assert study.code("motivation/champions").codable is True


async def test_undo_with_nothing_to_undo_is_a_notification(project: Project) -> None:
    app = ScreenApp(project)
    async with app.run_test(size=(120, 40)) as pilot:
        project.undo()  # the codebook import
        await pilot.press("u")
        await pilot.pause()
        assert app.messages[-1][1] == "error"


async def test_counts_are_redone_when_the_screen_comes_back(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await app.push_screen(Screen())
        study.code_segments("intervju-01", "motivation/champions", 2, 2)
        app.pop_screen()
        await pilot.pause()
        assert str(screen.nodes[study.code("motivation").id].label).endswith("0/3")


async def test_escape_closes_the_screen(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CodebookScreen)


def test_snapshot_120x40(snap_compare: SnapCompare, study: Project) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await highlight(pilot, "motivation/partners-networks")

    assert snap_compare(ScreenApp(study), terminal_size=(120, 40), run_before=run_before)


def test_snapshot_80x24_light(snap_compare: SnapCompare, study: Project) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await highlight(pilot, "barriers/workload-funding")

    assert snap_compare(ScreenApp(study, theme="textual-light"), terminal_size=(80, 24),
                        run_before=run_before)
