"""Pilot tests of the agreement screen, pushed by a tiny host App (it works standalone).

Every decision is checked in the project itself (codings and memos of the consensus coder),
not only on screen: the screen is a way of calling the Project API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import DataTable, Static

from casecoder.ingest.model import SegmentSpec, SourceText
from casecoder.model import CodingRecord
from casecoder.project import Project
from casecoder.tui.screens.agreement import AgreementScreen, ReviewScreen

SIZE = (140, 40)
CODE = "motiv/kvalitet"
OTHER = "motiv/partnere"
DOC = "intervju-01"


class Host(App[None]):
    def __init__(self, project: Project, **options: object) -> None:
        super().__init__()
        self.project = project
        self.options = options

    def on_mount(self) -> None:
        self.push_screen(AgreementScreen(self.project, **self.options))  # type: ignore[arg-type]


def add_doc(project: Project, name: str, n: int) -> list[SegmentSpec]:
    parts = [f"Setning {i} om «kvalitet» i [BIP-en], bl.a. for studentene." for i in
             range(1, n + 1)]
    specs, offset = [], 0
    for number, part in enumerate(parts, start=1):
        specs.append(SegmentSpec("sentence", number, offset, offset + len(part), None, None))
        offset += len(part) + 1
    project.add_document(SourceText(" ".join(parts), "txt", "utf-8", None), name=name,
                         segments=specs)
    return specs


def code(project: Project, doc: str, specs: list[SegmentSpec], coder: str, units: list[int],
         path: str = CODE) -> None:
    project.add_codings([CodingRecord(doc, path, coder, specs[u - 1].start + 3,
                                      specs[u - 1].end - 3) for u in units])


@pytest.fixture
def study(tmp_path: Path) -> Iterator[tuple[Project, list[SegmentSpec]]]:
    """The oracle's sentence example (A: 1, 2, 3, 7; B: 2, 3, 7, 8) plus a second code."""
    project = Project.create(tmp_path / "r.cc.db", language="nb", coder="leder")
    project.add_code("motiv", codable=False)
    project.add_code(CODE)
    project.add_code(OTHER)
    specs = add_doc(project, DOC, 10)
    code(project, DOC, specs, "A", [1, 2, 3, 7])
    code(project, DOC, specs, "B", [2, 3, 7, 8])
    code(project, DOC, specs, "A", [5], OTHER)
    code(project, DOC, specs, "B", [5], OTHER)
    yield project, specs
    project.close()


def consensus(project: Project, name: str = "consensus") -> list[tuple[str, int, int, str]]:
    if name not in {c.name for c in project.coders()}:
        return []
    return [(c.code_path, c.start, c.end, c.memo) for c in project.codings(coder=name)]


def text_of(screen: object, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


async def test_per_code_table_with_figures_and_sorting(study) -> None:  # type: ignore[no-untyped-def]
    project, _ = study
    app = Host(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AgreementScreen)
        table = screen.query_one("#agreement-codes", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == [CODE, OTHER]
        row = table.get_row_at(0)
        assert [str(c) for c in row[1:4]] == ["10", "2", "0/2"]
        assert "0.583" in [str(c) for c in row] and "0.604" in [str(c) for c in row]
        assert "0 / 2 disagreements resolved" in text_of(screen, "#agreement-summary")
        await pilot.press("s")  # next sort column: units (largest first), then differ
        await pilot.press("s")
        assert screen.sort_key == "differ"
        assert str(table.get_row_at(0)[0]) == CODE
        await pilot.press("S")
        assert str(table.get_row_at(0)[0]) == OTHER
        await pilot.click("#agreement-codes", offset=(3, 1))  # the Code header, under the border
        assert screen.sort_key == "code" and str(table.get_row_at(0)[0]) == CODE


async def test_drill_down_next_and_accept_a(study) -> None:  # type: ignore[no-untyped-def]
    project, specs = study
    app = Host(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        units = review.query_one("#review-units", DataTable)
        assert units.row_count == 10 and units.cursor_row == 0  # sentence 1: A only
        assert "0/2 resolved" in text_of(review, "#review-title")
        await pilot.press("n")
        assert units.cursor_row == 7  # sentence 8: B only
        await pilot.press("N")
        assert units.cursor_row == 0
        await pilot.press("a")
        await pilot.pause()
        assert consensus(project) == [(CODE, specs[0].start + 3, specs[0].end - 3, "")]
        assert "1/2 resolved" in text_of(review, "#review-title")
        assert units.cursor_row == 7  # on to the next open disagreement
        assert str(units.get_row_at(0)[4]) == "kvalitet"  # the consensus column
        await pilot.press("x")  # neither: B's lone coding of sentence 8 is not taken
        await pilot.pause()
        assert len(consensus(project)) == 1
        # "neither" is a stored decision, not a memo line
        assert [d.choice for d in project.decisions("consensus")] == ["a", "neither"]
        assert "2/2 resolved" in text_of(review, "#review-title")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AgreementScreen)
        assert "2 / 2 disagreements resolved" in text_of(app.screen, "#agreement-summary")
        table = app.screen.query_one("#agreement-codes", DataTable)
        assert str(table.get_row_at(0)[3]) == "2/2"


async def test_memo_undo_and_agreeing_units(study) -> None:  # type: ignore[no-untyped-def]
    project, specs = study
    app = Host(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        review = app.screen
        units = review.query_one("#review-units", DataTable)
        await pilot.press("n")  # sentence 8, coded by B only
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"klart tema")
        await pilot.press("enter")
        await pilot.pause()
        assert "klart tema" in text_of(review, "#review-detail")
        await pilot.press("b")
        await pilot.pause()
        assert consensus(project) == [(CODE, specs[7].start + 3, specs[7].end - 3,
                                       "klart tema")]
        assert units.cursor_row == 0  # on to the open one, wrapping round to sentence 1
        await pilot.press("u")  # the workbench's undo key takes the decision back
        await pilot.pause()
        assert consensus(project) == []
        assert project.decisions("consensus") == []
        assert "0/2 resolved" in text_of(review, "#review-title")
        await pilot.press("down")  # sentence 2: both coders coded it
        assert units.cursor_row == 1
        await pilot.press("a")
        await pilot.pause()
        assert consensus(project) == []  # nothing to decide where they agree


async def test_consensus_coder_can_be_renamed(study) -> None:  # type: ignore[no-untyped-def]
    project, specs = study
    app = Host(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+u", *"felles", "enter")
        await pilot.pause()
        assert app.screen.reconciliation.consensus == "felles"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("o")  # both: only A coded sentence 1
        await pilot.pause()
        assert consensus(project, "felles") == [(CODE, specs[0].start + 3,
                                                 specs[0].end - 3, "")]
        assert consensus(project) == []


async def test_too_few_coders_is_shown_not_raised(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "one.cc.db", language="nb", coder="leder")
    project.add_code(CODE.split("/")[0], codable=False)
    project.add_code(CODE)
    specs = add_doc(project, DOC, 3)
    code(project, DOC, specs, "A", [1])
    app = Host(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "at least 2 coders" in text_of(app.screen, "#agreement-summary")
        await pilot.press("enter")  # nothing to review: a warning, no crash
        await pilot.pause()
        assert isinstance(app.screen, AgreementScreen)
    project.close()


async def test_figures_follow_codings_made_elsewhere(study) -> None:  # type: ignore[no-untyped-def]
    """Pushed again (as the workbench does), the screen recomputes if the project changed."""
    project, specs = study
    app = Host(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#agreement-codes", DataTable)
        assert str(table.get_row_at(0)[2]) == "2"
        rec = screen.reconciliation  # type: ignore[attr-defined]
        app.push_screen(ReviewScreen(rec, project.code(OTHER).id))
        await pilot.pause()
        code(project, DOC, specs, "B", [1])  # B now agrees on sentence 1
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert str(table.get_row_at(0)[2]) == "1"
        assert "0 / 1 disagreements resolved" in text_of(screen, "#agreement-summary")


async def test_figures_in_a_worker_and_updated_per_document(study, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Large projects compute in a thread worker; after a coding only its document is
    looked at again, and the figures equal a fresh computation."""
    from casecoder.analysis.agreement import build_agreement_data, compute_agreement

    project, specs = study
    monkeypatch.setattr(AgreementScreen, "THREAD_ABOVE", 0)
    app = Host(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AgreementScreen)
        table = screen.query_one("#agreement-codes", DataTable)
        assert str(table.get_row_at(0)[2]) == "2"
        built = screen.data
        code(project, DOC, specs, "B", [1])
        screen.on_screen_resume()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.data is built  # updated in place, not rebuilt
        assert str(table.get_row_at(0)[2]) == "1"
        fresh = compute_agreement(build_agreement_data(project, coders=["A", "B"]))
        assert screen.report.data_hash == fresh.data_hash
        assert [r.figures for r in screen.report.rows()] == [r.figures for r in fresh.rows()]
        await pilot.press("enter")  # the review works on the screen's own connection
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert project.decisions("consensus")
