"""The room table of docs/architecture.md is a contract, checked over every import.

import-linter reads every `import` in casecoder (inside functions and TYPE_CHECKING blocks
too) and checks the layers declared in pyproject.toml; `.ci/run` runs it as well, this test
makes `pytest` alone catch a room that reaches upwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_no_room_imports_one_above_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True,
                        no_logo=True) == 0


def test_the_package_says_it_is_typed() -> None:
    assert (ROOT / "casecoder" / "py.typed").exists()
