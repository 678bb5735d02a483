"""The search screen, the autocode review and the suggestion keys, driven through Pilot."""

from __future__ import annotations

from hosts import JumpingHost, ScreenHost
from textual.widgets import Input, OptionList, Static

from casecoder.project import Project
from casecoder.tui.screens.autocode_review import AutocodeReviewScreen
from casecoder.tui.screens.search import SearchScreen


class SearchApp(JumpingHost):
    screen_class = SearchScreen


class ReviewApp(ScreenHost):
    screen_class = AutocodeReviewScreen


def hits_shown(screen: SearchScreen) -> list[tuple[str, int]]:
    return [(h.document, h.number) for h in screen.rows if h is not None]


def ingrids(p: Project, doc: str | None = None) -> list:  # type: ignore[type-arg]
    return [c for c in p.codings(doc=doc) if c.coder == "ingrid"]


def summary(screen: SearchScreen) -> str:
    return str(screen.query_one("#search-summary", Static).render())


async def test_search_groups_hits_by_document_and_opens_one(workbench: Project) -> None:
    app = SearchApp(workbench)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.press(*"partner", "enter")
        # partnere (A), Partnerne and partnere (B): lemma search finds every form.
        assert hits_shown(screen) == [("c1-bip-prosjektleder", 5), ("c4-ka220-prorektor", 4),
                                      ("c4-ka220-prorektor", 5)]
        assert screen.rows[0] is None  # a document heading before its hits
        assert "3 sentences in 2 documents" in summary(screen)
        await pilot.press("e")  # exact words: no "partner" as written
        assert hits_shown(screen) == []
        await pilot.press("e", "u")  # back to lemmas, unit turn
        assert [h.unit for h in screen.hits] == ["turn", "turn"]
        await pilot.press("u", "u")  # paragraph, then sentence again
        option_list = screen.query_one("#search-hits", OptionList)
        option_list.focus()
        option_list.highlighted = 1
        await pilot.press("enter")
        hit = screen.rows[1]
        assert hit is not None
        assert app.opened == [(hit.document, hit.start, hit.end)]


async def test_search_filters_and_bad_queries(workbench: Project) -> None:
    app = SearchApp(workbench, query="partner")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert len(screen.hits) == 3
        await pilot.press("a", *"role=pro-rector", "enter")
        assert {h.document for h in screen.hits} == {"c4-ka220-prorektor"}
        assert "role = pro-rector" in str(screen.query_one("#search-filters", Static).render())
        await pilot.press("x")
        assert len(screen.hits) == 3
        await pilot.press("p", *"Intervjuer", "enter")
        assert screen.hits == []
        await pilot.press("x", "slash")
        field = screen.query_one("#search-query", Input)
        assert field.has_focus
        field.value = "NOT partner"
        await pilot.press("enter")
        assert app.messages and "NOT needs words" in app.messages[-1][0]


async def test_autocode_from_search_after_review(workbench: Project) -> None:
    app = SearchApp(workbench, query="partner")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("A", *"partners-networks", "enter")
        review = app.screen
        assert isinstance(review, AutocodeReviewScreen)
        assert len(review.plan.items) == 3
        context = str(review.query_one("#review-transcript", Static).render())
        assert "sammen med tre partnere" in context  # the transcript beside the list
        await pilot.press("a", "r", "a")  # accept, reject, accept
        assert review.counts() == {"pending": 0, "accepted": 2, "rejected": 1,
                                   "coded already": 0}
        assert ingrids(workbench) == []  # nothing coded while reviewing
        await pilot.press("c")
        assert isinstance(app.screen, SearchScreen)
        mine = ingrids(workbench)
        assert len(mine) == 2 and all(c.autocoded for c in mine)
        assert "coded 2 passages" in app.messages[-1][0]
        assert "motivation/partners-networks 2" in summary(app.screen)
    events = workbench.history()
    assert events[0].action == "autocode"
    workbench.undo()
    assert ingrids(workbench) == []


async def test_review_accept_all_and_cancel(workbench: Project) -> None:
    plan = workbench.plan_autocode(search="ledelse", code="leadership-support")
    assert len(plan.items) == 3
    app = ReviewApp(workbench, plan=plan)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "A")
        await pilot.pause()
    assert len(ingrids(workbench)) == 2
    app = ReviewApp(workbench, plan=workbench.plan_autocode(search="partner", code="quality"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "escape")
        await pilot.pause()
    assert {c.code_path for c in ingrids(workbench)} == {
        "barriers/leadership-support"}


async def test_suggestion_in_the_at_cursor_panel_and_one_key_applies_it(
        workbench: Project, make_app) -> None:  # type: ignore[no-untyped-def]
    # ingrid codes one passage about partners; the other interview's partner sentence is
    # then suggested that code.
    hit = workbench.find('"tre partnere"')[0]
    workbench.code_range(hit.document, "partners-networks", hit.start, hit.end)
    target = workbench.find("partnerne", exact=True)[0]
    app = make_app(workbench, document=target.document)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("colon", *str(target.number), "enter")
        await pilot.press("a")  # suggestions are off: nothing happens but a notice
        assert ingrids(workbench, target.document) == []
        await pilot.press("S")
        panel = str(app.screen.query_one("#at-cursor", Static).render())
        assert "✦ motivation/partners-networks" in panel
        await pilot.press("a")
        await pilot.pause()
    coded = ingrids(workbench, target.document)
    assert [(c.code_path, c.start, c.end) for c in coded] == [
        ("motivation/partners-networks", target.start, target.end)]
    assert not coded[0].autocoded  # applied by the researcher's key press


def test_snapshot_search_120x40(workbench: Project, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = SearchApp(workbench, query="partner")
    app.cursor_blink = False  # type: ignore[attr-defined]
    assert snap_compare(app, terminal_size=(120, 40))


def test_snapshot_review_80x24(workbench: Project, snap_compare) -> None:  # type: ignore[no-untyped-def]
    plan = workbench.plan_autocode(search="partner", code="partners-networks")
    assert snap_compare(ReviewApp(workbench, plan=plan), press=["a"], terminal_size=(80, 24))
