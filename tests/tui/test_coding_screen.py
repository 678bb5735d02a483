"""Pilot tests of the coding screen: every key path ends in an assertion on the project itself.

The TUI is only a way to call the Project API, so each test checks what was stored (offsets,
code, coder, memo, undo state) through that API, not just what the screen shows.
"""

from __future__ import annotations

from pathlib import Path

from casecoder.project import Project
from casecoder.tui.screens.dialogs import ChoiceDialog, CodePicker, ConfirmDialog, MemoEditor
from casecoder.tui.widgets.panels import CodeList, QuoteList
from casecoder.tui.widgets.statusline import FAILED, NOT_SAVED, StatusLine
from casecoder.tui.widgets.transcript import TranscriptView

SIZE = (120, 40)
DOC_A = "c1-bip-prosjektleder"
DOC_B = "c4-ka220-prorektor"


def mine(project: Project, doc: str = DOC_A) -> list[tuple[str, int, int]]:
    return [(c.code_path, c.start, c.end) for c in project.codings(doc=doc, coder="ingrid")]


def span(project: Project, first: int, last: int, doc: str = DOC_A) -> tuple[int, int]:
    """Offsets of sentences first..last (1-based, as the gutter shows them)."""
    return project.segment_span(doc, first, last, "sentence")


async def test_opens_first_document_on_its_first_sentence(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(TranscriptView)
        assert view.model is not None and view.model.doc.name == DOC_A
        assert view.selection == span(workbench, 1, 1)
        assert app.focused is view


async def test_opens_the_document_this_coder_worked_on_last(workbench, make_app) -> None:
    workbench.code_segments(DOC_B, "alliance-links", 2, 2)
    workbench.code_segments(DOC_A, "motivation", 2, 2)
    workbench.code_segments(DOC_B, "barriers", 3, 3)
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one(TranscriptView).model.doc.name == DOC_B


async def test_move_by_sentence_turn_and_ends(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(TranscriptView)
        await pilot.press("j", "j", "down")
        assert view.selection == span(workbench, 4, 4)
        await pilot.press("k")
        assert view.selection == span(workbench, 3, 3)
        await pilot.press("J")  # next speaker turn: the informant's first sentence
        assert view.selection == span(workbench, 4, 4)
        await pilot.press("J", "J")
        assert view.selection == span(workbench, 8, 8)
        await pilot.press("K")
        assert view.selection == span(workbench, 7, 7)
        await pilot.press("G")
        assert view.selection == span(workbench, 19, 19)
        await pilot.press("g")
        assert view.selection == span(workbench, 1, 1)


async def test_extend_by_sentence_and_turn_then_apply_shortcut(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(TranscriptView)
        await pilot.press("j", "j", "j", "shift+down", "shift+down")
        assert view.selection == span(workbench, 4, 6)
        await pilot.press("shift+up")
        assert view.selection == span(workbench, 4, 5)
        await pilot.press("1")
        start, end = span(workbench, 4, 5)
        assert mine(workbench) == [("motivation", start, end)]
        assert workbench.codings(doc=DOC_A, coder="ingrid")[0].coder == "ingrid"
        await pilot.press("J", "J", "right_curly_bracket")  # a whole turn: sentences 8-11
        assert view.selection == span(workbench, 8, 11)
        await pilot.press("8")  # motivation/inclusive-mobility
        start8, end8 = span(workbench, 8, 11)
        assert ("motivation/inclusive-mobility", start8, end8) in mine(workbench)
        # Codings that touch merge into one; the screen's copy must match what is stored.
        await pilot.press("colon", "6", "enter", "shift+down", "shift+down", "8")
        start6, _ = span(workbench, 6, 6)
        assert ("motivation/inclusive-mobility", start6, end8) in mine(workbench)
        assert app.screen.doc_codings == workbench.codings(doc=DOC_A)


async def test_character_mode_trims_by_word_and_character(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("G", "v")  # "Den digitale modulen bruker vi fortsatt."
        await pilot.press("w", "ctrl+left", "H")
        await pilot.press("2")
        (path, start, end), = mine(workbench)
        text = workbench.text(DOC_A)
        assert path == "barriers"
        assert text[start:end] == "digitale modulen bruker v"
        await pilot.press("escape")
        view = app.screen.query_one(TranscriptView)
        assert not view.char_mode and view.selection == span(workbench, 19, 19)


async def test_apply_by_picker(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "c")
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"quality", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, CodePicker)
        start, end = span(workbench, 2, 2)
        assert mine(workbench) == [("motivation/quality", start, end)]


async def test_picker_creates_a_new_code_under_the_highlighted_theme(workbench,
                                                                     make_app) -> None:
    from textual.widgets import OptionList

    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", *"barriers")
        picker = app.screen
        assert isinstance(picker, CodePicker)
        assert picker.shown[0].path == "barriers"  # exact name: no offer to create
        assert None not in picker.option_codes
        await pilot.press(*" i språkkrav")  # close to "barriers": offered after the codes
        options = picker.query_one(OptionList)
        create = picker.option_codes.index(None)
        assert create == len(picker.option_codes) - 1 and options.highlighted == 0
        for _ in range(create):
            await pilot.press("down")
        assert options.highlighted == create
        theme = picker.theme_for_new  # the theme of the code highlighted last
        assert theme is not None and theme.parent_id is None
        await pilot.press("enter")
        await pilot.pause()
        created = workbench.code(f"{theme.path}/barriers i språkkrav")
        start, end = span(workbench, 1, 1)
        assert mine(workbench) == [(created.path, start, end)]


async def test_picker_offers_a_new_name_first_and_takes_paths(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", *"forskningskobling")  # matches nothing well
        picker = app.screen
        assert picker.option_codes[0] is None  # enter creates it
        await pilot.press("enter")
        await pilot.pause()
        # under the theme of the code selected in the codebook panel (the first: motivation)
        assert workbench.code("forskningskobling").path == "motivation/forskningskobling"
        await pilot.press("j", "c", *"/horisontale prioriteringer", "enter")
        await pilot.pause()
        theme = workbench.code("horisontale prioriteringer")
        assert theme.parent_id is None
        await pilot.press("j", "c", *"horisontale prioriteringer/inkludering", "enter")
        await pilot.pause()
        assert workbench.code("horisontale prioriteringer/inkludering").parent_id == theme.id
        assert [p for p, _, _ in mine(workbench)] == [
            "motivation/forskningskobling", "horisontale prioriteringer",
            "horisontale prioriteringer/inkludering"]


async def test_remove_a_code_with_x_picks_among_the_codes_on_the_selection(workbench,
                                                                            make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "shift+down", "1", "2")  # sentences 2-3: motivation, barriers
        s2, e2 = span(workbench, 2, 2)
        s3, e3 = span(workbench, 3, 3)
        assert sorted(mine(workbench)) == [("barriers", s2, e3), ("motivation", s2, e3)]
        await pilot.press("escape", "x")  # only sentence 3 is selected now
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("down", "enter")  # the second code listed: barriers
        await pilot.pause()
        # uncode trims to the selection's start: the space before sentence 3 stays coded
        assert sorted(mine(workbench)) == [("barriers", s2, s3), ("motivation", s2, e3)]
        await pilot.press("k", "x", "enter")  # sentence 2: remove the first code listed
        await pilot.pause()
        assert sorted(mine(workbench)) == [("barriers", s2, s3), ("motivation", e2, e3)]
        await pilot.press("j", "x")  # a single code of mine: removed without asking
        await pilot.pause()
        assert mine(workbench) == [("barriers", s2, s3)]


async def test_undo_and_redo_use_the_project_history(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "3")
        assert len(mine(workbench)) == 1
        await pilot.press("u")
        await pilot.pause()
        assert mine(workbench) == []
        assert workbench.can_redo()
        await pilot.press("ctrl+r")
        await pilot.pause()
        start, end = span(workbench, 2, 2)
        assert mine(workbench) == [("continuation", start, end)]
        assert app.screen.query_one(TranscriptView).codings[-1].code_path in (
            "continuation", "barriers/workload-funding", "motivation/inclusive-mobility")


async def test_memo_on_coding_sentence_and_document(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "1", "m")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")  # first choice: the coding at the cursor
        assert isinstance(app.screen, MemoEditor)
        await pilot.press(*"gratitude first", "ctrl+s")
        await pilot.pause()
        coding = workbench.codings(doc=DOC_A, coder="ingrid")[0]
        assert coding.memo == "gratitude first"
        await pilot.press("m", "down", "enter")  # the sentence
        await pilot.press(*"opening", "ctrl+s")
        await pilot.press("m", "end", "enter")  # the document
        await pilot.press(*"pilot", "ctrl+s")
        await pilot.pause()
        segment_memos = [m for m in workbench.memos("segment") if m.coder == "ingrid"]
        assert [(m.text, m.target) for m in segment_memos] == [("opening", f"{DOC_A} sentence 2")]
        doc_memos = workbench.memos("document")
        assert [(m.text, m.target) for m in doc_memos] == [("pilot", DOC_A)]


async def test_blind_mode_hides_others_and_asks_before_turning_off(workbench,
                                                                   make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(TranscriptView)
        await pilot.press("j", "4")
        assert {c.coder for c in view.codings} == {"ingrid", "tomas"}
        await pilot.press("exclamation_mark")
        assert app.screen.blind
        assert {c.coder for c in view.codings} == {"ingrid"}
        await pilot.press("o")  # cannot show others while blind
        assert {c.coder for c in view.codings} == {"ingrid"}
        await pilot.press("exclamation_mark")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.blind
        await pilot.press("exclamation_mark", "y")
        await pilot.pause()
        assert not app.screen.blind
        assert {c.coder for c in view.codings} == {"ingrid", "tomas"}
        # Blind mode never changes what is stored.
        assert {c.coder for c in workbench.codings(doc=DOC_A)} == {"ingrid", "tomas"}


async def test_blind_mode_survives_a_restart_until_turned_off(workbench, make_app) -> None:
    """A blind coder who restarts the workbench must not see the others' work by surprise."""
    async with make_app(workbench).run_test(size=SIZE) as pilot:
        await pilot.press("exclamation_mark")
        assert app_screen_blind(pilot)
    assert workbench.blind_mode()
    async with make_app(workbench).run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app_screen_blind(pilot)
        view = pilot.app.screen.query_one(TranscriptView)
        assert {c.coder for c in view.codings} <= {"ingrid"}
        await pilot.press("exclamation_mark", "y")
        await pilot.pause()
    assert not workbench.blind_mode()
    assert [e.summary for e in workbench.history(limit=2)] == [
        "set blind_mode:ingrid = 'off'", "set blind_mode:ingrid = 'on'"]


def app_screen_blind(pilot) -> bool:  # type: ignore[no-untyped-def]
    return bool(pilot.app.screen.blind)


async def test_blind_mode_from_the_command_line_counts_only_my_codings(workbench,
                                                                        make_app) -> None:
    app = make_app(workbench, blind=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        codes = app.screen.query_one(CodeList)
        rows = {r.code.path: (r.in_doc, r.in_project) for r in codes.rows}
        assert rows["motivation/inclusive-mobility"] == (0, 0)
        await pilot.press("8")
        app.screen.flush_panels()  # the side panels follow a change a moment later
        rows = {r.code.path: (r.in_doc, r.in_project) for r in codes.rows}
        assert rows["motivation/inclusive-mobility"] == (1, 1)
        assert rows["motivation"] == (1, 1)  # a theme counts its subcodes


async def test_quotes_panel_jumps_to_a_quote_in_its_document(workbench, make_app) -> None:
    workbench.code_range(DOC_A, "alliance-links", 10, 40)
    app = make_app(workbench, document=DOC_B)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(TranscriptView)
        assert view.model.doc.name == DOC_B
        await pilot.press("f", *"alliance-links", "escape", "q")
        quotes = app.screen.query_one(QuoteList)
        assert [c.start for c in quotes.codings] == [10]  # focusing the panel fills it now
        await pilot.press("enter")
        await pilot.pause()
        assert view.model.doc.name == DOC_A
        assert view.selection == (10, 40)
        assert view.char_mode  # not on sentence bounds: an exact selection
        assert app.focused is view


async def test_open_location_from_another_screen_api(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        start, end = span(workbench, 2, 3, DOC_B)
        app.open_location(DOC_B, start, end)
        await pilot.pause()
        view = app.screen.query_one(TranscriptView)
        assert view.model.doc.name == DOC_B
        assert view.selection == (start, end) and not view.char_mode


async def test_jump_to_sentence_number_and_time(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(TranscriptView)
        await pilot.press("colon", *"14", "enter")
        assert view.selection == span(workbench, 14, 14)
        await pilot.press("colon", *"00:02:05", "enter")
        assert view.selection == span(workbench, 12, 12)
        await pilot.press("colon", *"2:15", "enter")  # inside the 00:02:12 turn
        assert view.selection == span(workbench, 13, 13)
        await pilot.press("colon", *"999", "enter")
        await pilot.pause()
        assert view.selection == span(workbench, 13, 13)  # an error, nothing moved
        assert app.focused is view


async def test_search_with_slash_and_n(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(TranscriptView)
        await pilot.press("slash", *"mye", "enter")
        await pilot.pause()
        assert view.selection == span(workbench, 14, 14)
        await pilot.press("slash", *"tid", "enter")
        await pilot.pause()
        hits = [span(workbench, 2, 2), span(workbench, 14, 14)]
        assert view.selection in hits
        first = view.selection
        await pilot.press("n")
        assert view.selection in hits and view.selection != first
        await pilot.press("N")
        assert view.selection == first
        text = workbench.text(DOC_A)
        assert {text[a:b].casefold() for a, b in view.matches} == {"tid"}
        assert "of 2" in str(view.border_subtitle)


async def test_errors_become_notifications_and_change_nothing(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")  # nothing to undo yet
        await pilot.press("x")  # nothing of mine to remove
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("nothing to undo" in m for m in messages)
        assert any("none of your codes" in m for m in messages)
        workbench.update_code("motivation", codable=False)
        await pilot.press("1")
        await pilot.pause()
        assert any("cannot be applied" in n.message for n in app._notifications)
        assert mine(workbench) == []
        status = app.screen.query_one(StatusLine)
        assert status.outcome == NOT_SAVED and "cannot be applied" in status.message
        await pilot.press("colon", *"9999", "enter")  # a failed jump is no failed save
        await pilot.pause()
        assert status.outcome == FAILED and "not 9999" in status.message


async def test_mouse_click_moves_the_cursor(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(TranscriptView)
        line = view.text_layout.line_of(span(workbench, 8, 8)[0])
        await pilot.click(TranscriptView, offset=(12, 1 + line))
        assert view.selection == span(workbench, 8, 8)
        await pilot.click(TranscriptView, offset=(12, 1 + line + 2), shift=True)
        first, last = view.selected_sentences
        assert first == 7 and last > first


async def test_keymap_from_the_user_config(workbench, make_app, monkeypatch,
                                           tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keys]\n"move.down" = "ctrl+n"\n"nonsense.id" = "z"\n', encoding="utf-8")
    monkeypatch.setenv("CASECODER_CONFIG", str(config))
    app = make_app(workbench, keymap=None)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(TranscriptView)
        await pilot.press("ctrl+n")
        assert view.selection == span(workbench, 2, 2)
        await pilot.press("j")  # remapped away
        assert view.selection == span(workbench, 2, 2)
        await pilot.pause()
        assert any("nonsense.id" in n.message for n in app._notifications)


async def test_command_palette_runs_an_action(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"blind mode")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.coding_screen.blind


async def test_help_lists_every_binding(workbench, make_app) -> None:
    from rich.console import Console

    from casecoder.tui.keymap import ALL_KEYS
    from casecoder.tui.screens.help import HelpScreen, help_table

    app = make_app(workbench, keymap={"move.down": "ctrl+n"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=200, record=True)
        console.print(help_table(app.screen.keymap))
        listed = console.export_text()
        for spec in ALL_KEYS:  # the other screens' keys too: one table behind every key
            assert spec.id in listed
        assert "ctrl+n" in listed.splitlines()[1]  # the help shows the remapped key
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_narrow_terminal_hides_the_right_panel_until_asked(workbench, make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.screen.query_one("#inspector").display
        assert app.screen.query_one("#sidebar").display
        await pilot.press("i")
        assert app.screen.query_one("#inspector").display
        await pilot.press("1")
        assert len(mine(workbench)) == 1


async def test_function_keys_show_the_other_screens_and_come_back(workbench, make_app) -> None:
    from casecoder.tui.screens.codebook import CodebookScreen
    from casecoder.tui.screens.documents import DocumentsScreen
    from casecoder.tui.screens.quotes import QuotesScreen

    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        assert isinstance(app.screen, CodebookScreen)
        await pilot.press("f3")  # straight to another screen, never stacked on each other
        assert isinstance(app.screen, QuotesScreen) and len(app.screen_stack) == 2
        await pilot.press("f3")  # its own key again: back to coding
        assert app.screen is app.coding_screen
        await pilot.press("f4")
        assert isinstance(app.screen, DocumentsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.coding_screen


async def test_quotes_screen_opens_a_quote_in_its_transcript(workbench, make_app) -> None:
    app = make_app(workbench, document=DOC_B)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.coding_screen
        view = app.screen.query_one(TranscriptView)
        first = workbench.codings()[0]
        assert view.model.doc.name == first.document
        assert view.selection == (first.start, first.end)


async def test_typing_in_the_codebook_filters_it_and_enter_applies(workbench,
                                                                   make_app) -> None:
    app = make_app(workbench)
    async with app.run_test(size=SIZE) as pilot:
        codes = app.screen.query_one(CodeList)
        codes.focus()
        await pilot.press(*"champ")
        assert [r.code.path for r in codes.shown_rows] == ["motivation/champions"]
        await pilot.press("enter")  # from the filter field: the highlighted match
        start, end = span(workbench, 1, 1)
        assert mine(workbench) == [("motivation/champions", start, end)]


async def test_an_empty_project_opens_and_every_key_is_harmless(tmp_path: Path,
                                                               make_app) -> None:
    project = Project.create(tmp_path / "empty.cc.db", coder="ingrid")
    try:
        app = make_app(project)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "J", "shift+down", "v", "1", "c", "escape", "x", "m",
                              "colon", "5", "enter", "slash", "a", "enter", "u", "D",
                              "exclamation_mark", "o", "i", "s", "question_mark", "escape")
            await pilot.pause()
            assert "No documents yet" in str(app.screen.query_one(TranscriptView).border_title)
            # Only the view changed: blind mode (!) is remembered and logged, nothing else.
            assert [e.summary for e in project.history(coder="ingrid")] == [
                "set blind_mode:ingrid = 'on'"]
            assert project.codings() == [] and project.memos() == []
    finally:
        project.close()
