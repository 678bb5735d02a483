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
