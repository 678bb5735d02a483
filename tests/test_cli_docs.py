"""Every command documents itself, in the manner of sqlite-utils' documentation tests.

Each command and subcommand has help text with an example of its own, and appears in the
generated reference docs/cli.md, which must be exactly what the commands' `--help` says now
(regenerate with `python -m casecoder.commands._reference`).
"""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from casecoder.cli import main
from casecoder.commands._reference import REFERENCE, render, walk

COMMANDS = [(" ".join(path), command) for path, command in walk(main, ["casecoder"])]


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_help_with_its_own_example(name: str,
                                                     command: click.Command) -> None:
    text = command.help or ""
    assert text.strip(), f"{name} has no help text"
    examples = [line.strip() for line in text.splitlines() if line.strip().startswith(
        "Example:")]
    assert examples, f"{name}: add 'Example: {name} ...' to its docstring"
    shown = examples[0].removeprefix("Example:").strip()
    # The example runs this command (a group's example runs one of its subcommands).
    assert shown.startswith(name), f"{name}: the example runs {shown!r}"


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_is_in_the_reference(name: str, command: click.Command) -> None:
    assert f"\n## {name}\n" in REFERENCE.read_text(encoding="utf-8")


def test_the_reference_is_what_help_says_now() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is out of date: run python -m casecoder.commands._reference")


def test_help_shows_the_example() -> None:
    result = CliRunner().invoke(main, ["stats", "--help"])
    assert result.exit_code == 0 and "Example: casecoder stats study.cc.db" in result.output
