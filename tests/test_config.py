"""Who is coding: --coder, then $CASECODER_CODER, then the user config, then the login."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import pytest

from casecoder.config import resolve_coder
from casecoder.errors import UserError


def test_resolution_order(monkeypatch: pytest.MonkeyPatch) -> None:
    config = Path(os.environ["CASECODER_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    assert resolve_coder() == getpass.getuser()
    config.write_text('coder = "Åse Ørn"\n', encoding="utf-8")
    assert resolve_coder() == "Åse Ørn"
    monkeypatch.setenv("CASECODER_CODER", "tomas")
    assert resolve_coder() == "tomas"
    assert resolve_coder("  ingrid   h ") == "ingrid h"


def test_broken_config_is_a_one_line_error() -> None:
    config = Path(os.environ["CASECODER_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("coder = \n", encoding="utf-8")
    with pytest.raises(UserError, match="cannot read the user config"):
        resolve_coder()


def test_coder_names_are_checked() -> None:
    with pytest.raises(UserError, match="empty"):
        resolve_coder("   ")
    with pytest.raises(UserError, match="80 characters"):
        resolve_coder("x" * 81)


def test_cli_takes_the_coder_from_the_environment(tmp_path: Path, interview_file: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from casecoder.cli import main

    project = tmp_path / "p.cc.db"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(project)]).exit_code == 0
    assert runner.invoke(main, ["import", str(project), str(interview_file)]).exit_code == 0
    assert runner.invoke(main, ["codebook", "add", str(project), "tema"]).exit_code == 0
    monkeypatch.setenv("CASECODER_CODER", "kari")
    result = runner.invoke(main, ["code", str(project), "--doc", "intervju-07", "--code", "tema",
                                  "--segments", "2"])
    assert result.exit_code == 0 and "by kari" in result.stdout
