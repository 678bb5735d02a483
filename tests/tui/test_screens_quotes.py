"""The quotes screen: filters must show exactly the codings the Project API selects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hosts import JumpingHost, ScreenHost
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, OptionList

from casecoder.model import Coding, CodingRecord
from casecoder.project import Project
from casecoder.tui.screens.prompts import Choice, PickDialog, rank_choices
from casecoder.tui.screens.quotes import (
    QuoteContext,
    QuotesScreen,
    SentenceIndex,
    fold_lines,
    format_timestamp,
)

SnapCompare = Callable[..., bool]

INTERVIEW_BIP = """Intervju 01 – prosjektleder

[00:00:04] Intervjuer: Hvorfor søkte dere om en BIP?

[00:00:11] Informant: Vi ønsket nye partnere i Europa. Kvalitet var også viktig for oss.

[00:01:20] Informant: Rapporteringen er like tung som for lang mobilitet, dvs. mye arbeid.
Det tar tid.
"""

INTERVIEW_KA220 = """Intervju 02 – prorektor

Intervjuer: Hva gjør det vanskelig?

Informant: Søknadene er tunge. Vi mangler administrativ støtte. Uten finansiering stopper det.
Men modulen lever videre, bl.a. i masterprogrammet.
"""


class ScreenApp(ScreenHost):
    screen_class = QuotesScreen


class JumpingApp(JumpingHost, ScreenApp):
    pass


@pytest.fixture
def study(project: Project, tmp_path: Path) -> Project:
    """Two interviews in two cases of different case types, coded by anna and tomas."""
    for name, text in (("intervju-01", INTERVIEW_BIP), ("intervju-02", INTERVIEW_KA220)):
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        assert project.import_file(path).status == "imported"
    project.set_case("intervju-01", "C1")
    project.set_attributes("C1", {"case_type": "BIP"}, owner_kind="case")
    project.set_attributes("intervju-01", {"role": "project leader"})
    project.set_case("intervju-02", "C6")
    project.set_attributes("intervju-02", {"case_type": "KA220", "role": "prorektor"})
    project.code_segments("intervju-01", "motivation/partners-networks", 3, 3)
    project.code_segments("intervju-01", "motivation/quality", 4, 4)
    project.code_segments("intervju-01", "barriers/workload-funding", 5, 6)
    project.code_segments("intervju-02", "barriers/workload-funding", 2, 2)
    project.code_segments("intervju-02", "motivation", 4, 4)
    a = project.segment_span("intervju-01", 3, 3)
    b = project.segment_span("intervju-02", 4, 5)
    project.add_codings([
        CodingRecord("intervju-01", "motivation/partners-networks", "tomas", *a),
        CodingRecord("intervju-02", "continuation/continued-funding", "tomas", *b),
    ])
    return project


def screen_of(app: App[None]) -> QuotesScreen:
    return next(s for s in reversed(app.screen_stack) if isinstance(s, QuotesScreen))


def guids(codings: list[Coding]) -> list[str]:
    return [c.guid for c in codings]


async def pick(pilot: Pilot[None], key: str, query: str) -> None:
    """Open a filter with its key, filter the list by a query, take the best match."""
    await pilot.press(key)
    assert isinstance(pilot.app.screen, PickDialog)
    pilot.app.screen.query_one(Input).value = query
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def pick_value(pilot: Pilot[None], name: str, value: str) -> None:
    """a, then the attribute's name, then (in the picker that follows) one of its values."""
    await pick(pilot, "a", name)
    assert isinstance(pilot.app.screen, PickDialog), "the value picker follows the name"
    pilot.app.screen.query_one(Input).value = value
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def test_helpers() -> None:
    assert fold_lines("  Det tar tid.\n\nInformant: Ja.\n") == "Det tar tid. Informant: Ja."
    assert format_timestamp(3725.4) == "01:02:05"
    assert format_timestamp(None) == ""
    choices = [Choice("1", "motivation  4", "motivasjon"),
               Choice("2", "motivation/quality  1", "kvalitet"),
               Choice("3", "barriers/workload-funding  2", "arbeidsmengde")]
    assert rank_choices(choices, "") == [0, 1, 2]
    assert rank_choices(choices, "motivation") == [0, 1]
    assert rank_choices(choices, "work")[0] == 2
    assert rank_choices(choices, "kvalitet") == [1]


def test_sentence_index_answers_like_segment_at(study: Project) -> None:
    for name in ("intervju-01", "intervju-02"):
        index = SentenceIndex(study.segments(name, "sentence"))
        for offset in range(study.document(name).length + 1):
            assert index.at(offset) == study.segment_at(name, offset, "sentence"), offset


async def test_without_filters_every_coding_is_shown(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)):
        screen = screen_of(app)
        assert guids(screen.quotes) == guids(study.codings())
        assert screen.query_one(OptionList).option_count == len(study.codings())
        assert screen.counts() == (7, 2, 2)


async def test_code_filter_by_keys_and_a_theme_brings_its_subcodes(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pick(pilot, "c", "workl")
        assert guids(screen.quotes) == guids(study.codings(code="barriers/workload-funding"))
        assert screen.counts() == (2, 2, 2)

        await pick(pilot, "c", "workl")  # picking it again takes it out
        await pick(pilot, "c", "motivation")
        expected = study.codings(code="motivation", subcodes=True)
        assert {c.code_path for c in expected} == {"motivation", "motivation/partners-networks",
                                                   "motivation/quality"}
        assert guids(screen.quotes) == guids(expected)

        await pick(pilot, "c", "continued")
        union = expected + study.codings(code="continuation/continued-funding")
        assert sorted(guids(screen.quotes)) == sorted(guids(union))
        order = {d.name: i for i, d in enumerate(study.documents())}
        keys = [(order[c.document], c.start) for c in screen.quotes]
        assert keys == sorted(keys)


async def test_attribute_filter_shows_exactly_the_matching_quotes(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pick_value(pilot, "case_type", "BIP")
        bip = [c for c in study.codings()
               if study.attributes(c.document).get("case_type") == "BIP"]
        assert bip and guids(screen.quotes) == guids(bip)
        assert screen.counts() == (len(bip), 1, 1)

        # A second value of the same attribute widens the filter (OR) ...
        await pick_value(pilot, "case_type", "KA220")
        assert guids(screen.quotes) == guids(study.codings())

        # ... another attribute narrows it (AND), and so does a code.
        screen.attribute_filter["role"] = {"prorektor"}
        screen.refresh_quotes()
        await pick(pilot, "c", "workl")
        expected = [c for c in study.codings(code="barriers/workload-funding")
                    if c.document == "intervju-02"]
        assert guids(screen.quotes) == guids(expected)

        await pilot.press("x")
        await pilot.pause()
        assert guids(screen.quotes) == guids(study.codings())


async def test_coder_and_document_filters(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pick(pilot, "o", "tomas")
        assert guids(screen.quotes) == guids(study.codings(coder="tomas"))
        await pick(pilot, "d", "intervju-02")
        assert guids(screen.quotes) == guids(study.codings(coder="tomas", doc="intervju-02"))
        assert screen.counts() == (1, 1, 1)
        title = str(screen.query_one("#quotes-title").render())
        assert "1 quote · 1 document · 1 case" in title


async def test_attribution_and_quote_text(study: Project) -> None:
    app = ScreenApp(study, codes=("barriers/workload-funding",))
    async with app.run_test(size=(120, 40)):
        screen = screen_of(app)
        coding = screen.quotes[0]
        assert coding.document == "intervju-01"
        sentence = study.segment_at(coding.document, coding.start, "sentence")
        assert sentence is not None and sentence.timestamp == 80
        attribution, quote = screen._prompt(coding).plain.split("\n")
        assert f"sent. {sentence.number}" in attribution
        assert "00:01:20" in attribution
        assert "project leader · BIP" in attribution
        assert "barriers/workload-funding" in attribution and "anna" in attribution
        span = study.text(coding.document)[coding.start:coding.end]
        assert "\n" in span
        assert quote == fold_lines(span)
        assert quote == ("Rapporteringen er like tung som for lang mobilitet, dvs. mye arbeid. "
                         "Det tar tid.")


async def test_long_lists_are_shown_a_chunk_at_a_time(
        study: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("casecoder.tui.screens.quotes.QUOTE_CHUNK", 4)
    app = JumpingApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        option_list = screen.query_one(OptionList)
        assert len(screen.quotes) == 7 and option_list.option_count == 4
        await pilot.press("down", "down", "down")  # nearing the end loads the next chunk
        assert option_list.option_count == 7
        await pilot.press("end", "enter")
        await pilot.pause()
        last = study.codings()[-1]
        assert app.opened == [(last.document, last.start, last.end)]

        # A refresh keeps the highlighted quote, loading as far as it needs.
        screen.refresh_quotes()
        assert option_list.highlighted == 6 and option_list.option_count == 7
        await pilot.press("x")
        await pilot.pause()
        assert option_list.highlighted == 6


async def test_scrolling_to_the_end_loads_more(
        study: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("casecoder.tui.screens.quotes.QUOTE_CHUNK", 5)
    app = ScreenApp(study)
    async with app.run_test(size=(80, 12)) as pilot:
        option_list = screen_of(app).query_one(OptionList)
        assert option_list.option_count == 5
        option_list.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert option_list.option_count == 7


async def test_enter_opens_the_quote_where_it_is(study: Project) -> None:
    app = JumpingApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("down", "enter")
        await pilot.pause()
        second = screen.quotes[1]
        assert app.opened == [(second.document, second.start, second.end)]


async def test_v_reads_one_quote_whole_in_its_context(study: Project) -> None:
    app = ScreenApp(study, codes=("motivation/quality",))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        coding = screen.quotes[0]
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, QuoteContext)
        context = app.screen.context.plain
        assert "Kvalitet var også viktig for oss." in context
        # Two sentences either side of the quote, as far as the document has them.
        for number in (2, 3, 5, 6):
            start, end = study.segment_span(coding.document, number, number)
            assert study.text(coding.document)[start:end] in context
        start, end = study.segment_span(coding.document, 1, 1)
        assert study.text(coding.document)[start:end] not in context
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_coming_back_to_the_screen_shows_new_codings(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await app.push_screen(Screen())
        study.code_segments("intervju-02", "continuation/integration", 5, 5)
        app.pop_screen()
        await pilot.pause()
        assert guids(screen.quotes) == guids(study.codings())


async def test_escape_closes_the_screen(study: Project) -> None:
    app = ScreenApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, QuotesScreen)


def test_snapshot_120x40(snap_compare: SnapCompare, study: Project) -> None:
    assert snap_compare(ScreenApp(study), terminal_size=(120, 40))


def test_snapshot_80x24_light(snap_compare: SnapCompare, study: Project) -> None:
    app = ScreenApp(study, codes=("motivation", "barriers/workload-funding"),
                    theme="textual-light")
    assert snap_compare(app, terminal_size=(80, 24), press=["down"])
