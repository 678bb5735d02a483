"""The workbench reaches every screen by key, and every screen's keys are remappable."""

from __future__ import annotations

from typing import Any

from casecoder.project import Project
from casecoder.tui.keymap import user_keymap


async def test_function_keys_open_each_screen_and_come_back(workbench: Project,
                                                            make_app: Any) -> None:
    from casecoder.tui.screens.agreement import AgreementScreen
    from casecoder.tui.screens.codebook import CodebookScreen
    from casecoder.tui.screens.coding import CodingScreen
    from casecoder.tui.screens.documents import DocumentsScreen
    from casecoder.tui.screens.quotes import QuotesScreen

    app = make_app(workbench)
    async with app.run_test(size=(120, 40)) as pilot:
        for key, screen_class in (("f2", CodebookScreen), ("f3", QuotesScreen),
                                  ("f4", DocumentsScreen), ("f6", AgreementScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen_class), key
            await pilot.press("f5")
            await pilot.pause()
            assert isinstance(app.screen, CodingScreen)


def test_user_keymap_knows_the_other_screens_keys() -> None:
    keymap, problems = user_keymap({"keys": {"codebook.add": "n", "review.take_a": "1",
                                             "quotes.clear": "ctrl+x", "no.such": "z"}})
    assert keymap == {"codebook.add": "n", "review.take_a": "1", "quotes.clear": "ctrl+x"}
    assert problems == ["unknown binding id 'no.such' in [keys]"]


async def settle(app: Any, pilot: Any) -> None:
    """Until the app's thread workers (the start-up counting) are done."""
    from textual.worker import WorkerState

    for _ in range(500):
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            break
        await pilot.pause(0.01)
    await pilot.pause()


async def test_document_list_shares_arrive_from_the_start_up_worker(workbench: Project,
                                                                   make_app: Any) -> None:
    from casecoder.tui.widgets.panels import DocumentList

    tomas = Project.open(workbench.path, coder="tomas")
    app = make_app(tomas)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        rows = {r.name: r.share for r in app.coding_screen.query_one(DocumentList).rows}
        assert rows["c4-ka220-prorektor"] == 0.0
        shares = tomas.coded_shares()["tomas"]
        assert rows["c1-bip-prosjektleder"] == shares[tomas.document("c1-bip-prosjektleder").id]
        assert 0 < rows["c1-bip-prosjektleder"] < 1
    tomas.close()


async def test_documents_screen_reopened_after_one_coding_shows_the_new_share(
        workbench: Project, make_app: Any) -> None:
    from casecoder.tui.screens.documents import DocumentsScreen

    app = make_app(workbench)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        doc = app.coding_screen.doc.name
        await pilot.press("f4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DocumentsScreen)
        assert str(screen.table.get_cell(doc, "coder:ingrid")) == "0%"
        assert str(screen.table.get_cell(doc, "coder:tomas")) != "0%"
        tomas_before = str(screen.table.get_cell(doc, "coder:tomas"))
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("1")  # the first code on the sentence at the cursor
        await pilot.pause()
        assert len(workbench.codings(doc=doc, coder="ingrid")) == 1
        await pilot.press("f4")
        await pilot.pause()
        n = len(workbench.segments(doc, "sentence"))
        assert n < 200  # so one sentence shows as at least 1%
        assert str(screen.table.get_cell(doc, "coder:ingrid")) == f"{1 / n:.0%}"
        assert str(screen.table.get_cell(doc, "coder:tomas")) == tomas_before


async def test_quotes_screen_reopened_after_one_coding_lists_it(workbench: Project,
                                                                make_app: Any) -> None:
    from casecoder.tui.screens.quotes import QuotesScreen

    app = make_app(workbench)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuotesScreen)
        assert len(screen.quotes) == 2  # tomas's two
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert len(screen.quotes) == 3
        assert screen.counts()[0] == 3
        assert [c.guid for c in screen.quotes] == [c.guid for c in workbench.codings()]
        assert "ingrid" in {c.coder for c in screen.quotes}
