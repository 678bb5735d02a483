"""The CLI reference, docs/cli.md, generated from the commands' own help.

Regenerate after changing a command:  python -m casecoder.commands._reference
tests/test_cli_docs.py regenerates it and fails if the checked-in file differs, in the manner
of sqlite-utils' documentation tests, so the reference can never drift from `--help`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def walk(command: click.Command, path: list[str]) -> Iterator[tuple[list[str], click.Command]]:
    """Every command and subcommand, depth first, subcommands in name order."""
    yield path, command
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from walk(command.commands[name], [*path, name])


def render() -> str:
    """docs/cli.md: one section per command with its `--help` text, at a fixed width."""
    from casecoder.cli import main

    out = ["# casecoder command reference", "",
           "Generated from `--help` by `python -m casecoder.commands._reference`; do not edit.",
           ""]
    for path, command in walk(main, ["casecoder"]):
        name = " ".join(path)
        ctx = click.Context(command, info_name=name, terminal_width=88, max_content_width=88,
                            help_option_names=["-h", "--help"])  # as main's context has it
        help_text = command.get_help(ctx)
        out += [f"## {name}", "", "```text", help_text.rstrip(), "```", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in args:
        current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
        if current != text:
            print(f"{REFERENCE} is out of date: run python -m casecoder.commands._reference",
                  file=sys.stderr)
            return 1
        return 0
    REFERENCE.write_text(text, encoding="utf-8")
    print(f"wrote {REFERENCE}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
