"""The workbench as a researcher reads it at 120x40 and 80x24 (issue 16).

One crowded passage: a long code name, three coders on the same sentences, a long memo.
Snapshots of the coding, quotes, agreement and memo screens at both sizes, and behaviour
checks of what the snapshots cannot show (lanes, filters, sort, keys, the theme).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from casecoder.config import load_config
from casecoder.model import Coding, CodingRecord
from casecoder.project import Project
from casecoder.tui.screens.memos import MemosScreen, memo_rows
from casecoder.tui.textmodel import build_marks, wrap_text
from casecoder.tui.widgets.panels import short_name
from casecoder.tui.widgets.statusline import StatusLine
from casecoder.tui.widgets.transcript import TranscriptView

LONG_CODE = "alliance-links/alliance-student-priority-and-long-term-anchoring"
LONG_MEMO = ("Prorektoren knytter BIP-en til alliansens strategi, men partnerne ble funnet "
             "gjennom gamle nettverk. Sjekk mot intervju 05 om «koblingen er svak» gjelder "
             "hele alliansen eller bare dette fagfeltet, og om ledelsen faktisk styrte valget.")
DOC = "c1-bip-prosjektleder"
SIZES = [(120, 40), (80, 24)]


@pytest.fixture
def crowded(workbench: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    # memos show their date: write them at a fixed time, so the snapshots hold on any day
    monkeypatch.setattr("casecoder.project.coding.now", lambda: "2025-05-01T10:00:00Z")
    p = workbench
    p.add_code(LONG_CODE)
    sentences = p.segments(DOC)
    a, b = sentences[7].start, sentences[8].end
    records = [
        (LONG_CODE, "ingrid", a, b, LONG_MEMO),
        (LONG_CODE, "tomas", a, sentences[9].end, ""),
        (LONG_CODE, "kari-mette", sentences[8].start, b, ""),
        ("motivation/inclusive-mobility", "kari-mette", a, b, ""),
        ("barriers/leadership-support", "ingrid", a, b, ""),
        ("motivation/leadership-priority", "ingrid", a, b, ""),
    ]
    # Fixed GUIDs and times: the agreement screen shows a hash over the codings.
    p.add_codings([CodingRecord(DOC, code, coder, start, end, memo=memo,
                                guid=f"00000000-0000-4000-8000-00000000000{i}",
                                created_at="2025-05-01T10:00:00Z")
                   for i, (code, coder, start, end, memo) in enumerate(records)])
    p.set_memo("document", DOC, LONG_MEMO)
    p.set_memo("segment", (DOC, "sentence", 8), "Kort memo på setning 8.")
    return p


def keys(*press: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await pilot.press(*press)
        pilot.app.coding_screen.flush_panels()  # type: ignore[attr-defined]
        pilot.app.clear_notifications()
        await pilot.pause()

    return run


# --- snapshots ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_snapshot_coding_crowded_passage(crowded, make_app, snap_compare, size) -> None:
    assert snap_compare(make_app(crowded), run_before=keys("colon", "8", "enter"),
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_snapshot_coding_wide_margin(crowded, make_app, snap_compare, size) -> None:
    assert snap_compare(make_app(crowded), run_before=keys("colon", "8", "enter", "e"),
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_snapshot_quotes_screen(crowded, make_app, snap_compare, size) -> None:
    assert snap_compare(make_app(crowded), run_before=keys("f3"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_snapshot_agreement_screen(crowded, make_app, snap_compare, size, monkeypatch) -> None:
    # The data hash covers document and code GUIDs, new in every test run: fix it.
    import casecoder.analysis.agreement as agreement

    monkeypatch.setattr(agreement, "data_hash", lambda *args, **kwargs: "0123456789ab")
    assert snap_compare(make_app(crowded), run_before=keys("f6"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_snapshot_memo_screen(crowded, make_app, snap_compare, size) -> None:
    assert snap_compare(make_app(crowded), run_before=keys("f10"), terminal_size=size)


# --- behaviour ---------------------------------------------------------------------------


def test_own_codings_get_margin_lanes_first() -> None:
    text = "Én setning her. " * 4
    layout = wrap_text(text, 40)
    others = [Coding(i, f"g{i}", 1, "d", i, f"x/c{i}", 2, "tomas", 0, 30, "", "")
              for i in range(1, 5)]
    mine = Coding(9, "g9", 1, "d", 9, "x/mine", 1, "ingrid", 0, 30, "", "")
    marks = build_marks([*others, mine], layout, 3, "ingrid")
    assert marks.lane[9] == 0  # own bar first, the overflow hides others'
    assert sum(lane is None for lane in marks.lane.values()) == 2


def test_code_names_keep_the_part_that_tells_them_apart() -> None:
    assert short_name("leadership-priority", 12) == "l-priority"
    assert short_name("leadership-support", 12) == "l-support"
    assert short_name("labour-market-relevance", 14) == "l-m-relevance"
    assert short_name("quality", 12) == "quality"


def test_memo_rows_hold_every_memo_with_where_to_open_it(crowded: Project) -> None:
    rows = memo_rows(crowded)
    kinds = {r.kind for r in rows}
    assert {"document", "segment", "coding"} <= kinds
    coding = next(r for r in rows if r.kind == "coding")
    assert coding.text == LONG_MEMO and coding.document == DOC and coding.end > coding.start


async def test_memo_screen_filters_and_opens_the_passage(crowded: Project, make_app) -> None:
    app = make_app(crowded)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f10")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MemosScreen)
        assert len(screen.shown) == 3
        await pilot.press("k", "k", "k", "k", "k")  # all -> ... -> coding
        assert screen.kind == "coding" and [r.kind for r in screen.shown] == ["coding"]
        await pilot.press("o")
        assert screen.coder == "ingrid"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.coding_screen
        transcript = app.coding_screen.query_one(TranscriptView)
        start, end = transcript.selection
        row = next(r for r in memo_rows(crowded) if r.kind == "coding")
        assert (start, end) == (row.start, row.end)


async def test_agreement_sort_home_and_coders_from_a_list(crowded: Project, make_app) -> None:
    from casecoder.tui.screens.dialogs import ChoiceDialog

    app = make_app(crowded)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        from textual.widgets import DataTable

        table = screen.query_one(DataTable)
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("end", "s")
        await pilot.pause()
        assert table.cursor_row == 0  # after a sort the cursor is on the first row
        keys_shown = [str(c.key.value) for c in table.columns.values()]
        assert "krippendorff_alpha" in keys_shown and "cohen_kappa" in keys_shown
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        assert any("kari-mette" in str(c) for c in app.screen.choices)


async def test_failed_jump_is_no_failed_save_and_long_messages_are_kept(crowded: Project,
                                                                      make_app) -> None:
    app = make_app(crowded)
    async with app.run_test(size=(80, 24)) as pilot:
        status = app.coding_screen.query_one(StatusLine)
        await pilot.press("colon", *"abc", "enter")
        await pilot.pause()
        assert status.outcome == "failed" and "go to 'abc'" in status.message
        await pilot.press("colon", "8", "enter", "u")  # undo the last (import) change
        await pilot.pause()
        assert any(n.message.startswith("undid") for n in app._notifications)


async def test_light_theme_is_remembered(crowded: Project, make_app) -> None:
    app = make_app(crowded, theme=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+t")
        assert load_config()["theme"] == app.theme == "textual-light"
    again = make_app(crowded, theme=None)
    async with again.run_test(size=(80, 24)):
        assert again.theme == "textual-light"
