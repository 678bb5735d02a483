"""The key table is a contract: no key does two things on one screen, and every key works.

Branches add rows to casecoder/tui/keymap.py in parallel, and two of them once gave the
documents screen the same key twice (F8, `s`); Textual then silently runs only one of them.
These checks read the table through the classes that attach it (`BINDINGS = bindings(...)`),
so a row whose action is misspelt, or whose target no class attaches, fails here instead of
doing nothing when a researcher presses it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict

import pytest
from textual.actions import parse
from textual.binding import Binding
from textual.keys import REPLACED_KEYS, Keys, key_to_character

import casecoder.tui
from casecoder.tui.app import CasecoderApp
from casecoder.tui.keymap import ALL_KEYS, BY_ID
from casecoder.tui.screens.coding import CodingScreen
from casecoder.tui.widgets.transcript import TranscriptView

#: Keys one layer of the coding screen deliberately takes from another, with why.
#: (layer that wins, key) -> the binding id it overrides.
DELIBERATE = {
    # The focused transcript clears its selection; from a side panel, escape returns to it.
    ("transcript", "escape"): "focus.transcript",
}
MODIFIERS = ("ctrl+", "shift+", "alt+", "meta+", "super+", "hyper+")
NAMED_KEYS = {key.value for key in Keys}


def split(keys: str) -> list[str]:
    return [k.strip() for k in keys.split(",") if k.strip()]


def table_classes() -> dict[type, list[Binding]]:
    """Every class in casecoder.tui whose own BINDINGS come from the table, with them."""
    found: dict[type, list[Binding]] = {}
    for info in pkgutil.walk_packages(casecoder.tui.__path__, "casecoder.tui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            own = cls.__dict__.get("BINDINGS", ())
            table = [b for b in own if isinstance(b, Binding) and b.id in BY_ID]
            if cls.__module__ == module.__name__ and table:
                found[cls] = table
    return found


CLASSES = table_classes()


def keys_of(cls: type) -> dict[str, list[str]]:
    """Key -> binding ids in one class's table bindings (its own target plus shared ids)."""
    out: dict[str, list[str]] = defaultdict(list)
    for binding in CLASSES[cls]:
        for key in split(binding.key):
            out[key].append(str(binding.id))
    return out


def test_every_target_is_attached_and_every_row_reaches_a_class() -> None:
    attached = {str(b.id) for bindings in CLASSES.values() for b in bindings}
    assert {spec.id for spec in ALL_KEYS} <= attached
    for cls, bindings in CLASSES.items():  # each class attaches exactly one target
        own = {BY_ID[str(b.id)].target for b in bindings} - {"screen"}
        assert len(own) <= 1, (cls.__name__, own)
    assert {CasecoderApp, CodingScreen, TranscriptView} <= set(CLASSES)


@pytest.mark.parametrize("cls", list(CLASSES), ids=lambda c: c.__name__)
def test_no_two_bindings_of_one_class_share_a_key(cls: type) -> None:
    clashes = {key: ids for key, ids in keys_of(cls).items() if len(ids) > 1}
    assert clashes == {}


@pytest.mark.parametrize("cls", list(CLASSES), ids=lambda c: c.__name__)
def test_every_action_exists_with_the_arguments_the_table_gives(cls: type) -> None:
    for binding in CLASSES[cls]:
        namespace, name, params = parse(binding.action)
        assert namespace == "", binding.id  # a namespace would run on another class
        method = getattr(cls, f"action_{name}", None)
        assert callable(method), f"{cls.__name__} has no action_{name} for {binding.id}"
        try:
            inspect.signature(method).bind(None, *params)  # None stands for self
        except TypeError as exc:
            pytest.fail(f"{binding.id}: {binding.action} does not fit "
                        f"{cls.__name__}.action_{name}: {exc}")


def test_coding_screen_layers_and_the_app_do_not_clash() -> None:
    """The transcript (focused), the coding screen and the app answer keys together."""
    app_keys = set(CasecoderApp._merge_bindings().key_to_bindings)  # Textual's own too
    layers = {"transcript": keys_of(TranscriptView), "screen": keys_of(CodingScreen)}
    clashes = []
    for key, ids in layers["transcript"].items():
        overridden = DELIBERATE.get(("transcript", key))
        if key in layers["screen"] and overridden not in layers["screen"][key]:
            clashes.append((key, ids, layers["screen"][key]))
    for layer in layers.values():
        clashes += [(key, ids, "app") for key, ids in layer.items() if key in app_keys]
    assert clashes == []


def test_no_other_screen_takes_an_app_key() -> None:
    app_keys = set(CasecoderApp._merge_bindings().key_to_bindings)
    clashes = [(cls.__name__, key, ids) for cls in CLASSES if cls is not CasecoderApp
               for key, ids in keys_of(cls).items() if key in app_keys]
    assert clashes == []


def test_every_key_is_one_textual_knows() -> None:
    """A misspelt key name ("right_square_braket") would bind nothing, silently."""
    bad = []
    for spec in ALL_KEYS:
        for key in split(spec.keys):
            base = key
            while base.startswith(MODIFIERS):
                base = base.split("+", 1)[1]
            known = (key in NAMED_KEYS or base in NAMED_KEYS or base in REPLACED_KEYS
                     or key_to_character(base) is not None)  # "j", "question_mark"
            if not known:
                bad.append((spec.id, key))
    assert bad == []
