"""The `casecoder` command line: one group, commands discovered from `casecoder.commands`.

User errors become one line on stderr and exit status 2; nothing a researcher can cause ends in
a traceback. `casecoder PROJECT` (a project file as the first argument) opens the workbench.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from casecoder import __version__
from casecoder.errors import UserError


class CasecoderGroup(click.Group):
    """A group that runs `tui` when the first argument is a project file, not a command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if (args and args[0] not in self.commands and not args[0].startswith("-")
                and "tui" in self.commands and (Path(args[0]).suffix == ".db"
                                                or Path(args[0]).is_file())):
            args = ["tui", *args]
        return super().parse_args(ctx, args)

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """Like click's, but argument errors are one line too, pointing at --help."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "casecoder"
            click.echo(f"casecoder: error: {exc.format_message()} (see: {where} --help)",
                       err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"casecoder: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("casecoder: aborted", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.echo(f"casecoder: error: {exc}", err=True)
            ctx.exit(2)
        except sqlite3.DatabaseError as exc:
            from casecoder.store import describe_sqlite_error, is_storage_error

            if not is_storage_error(exc):
                raise
            # A damaged file, a full disk, a read-only mount: the file's state, not a bug.
            click.echo(f"casecoder: error: {describe_sqlite_error(exc)}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("casecoder: interrupted; nothing half-done was saved", err=True)
            ctx.exit(130)


@click.group(cls=CasecoderGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="casecoder")
def main() -> None:
    """Code interview transcripts from the keyboard, export quotes, check agreement.

    Project files are single SQLite files (by convention NAME.cc.db). Run
    `casecoder demo` to build and open the sample study.
    """


def _register() -> None:
    import casecoder.commands as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "common":
            continue
        module = importlib.import_module(f"casecoder.commands.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            main.add_command(command)
    _add_examples(main, "")


def _add_examples(command: click.Command, path: str) -> None:
    """Give every command without an example in its docstring the one in the table."""
    from casecoder.commands._examples import EXAMPLES

    if "Example" not in (command.help or "") and path in EXAMPLES:
        # \b keeps click from re-wrapping the example line.
        text = inspect.cleandoc(command.help or "")
        command.help = f"{text}\n\n\b\nExample: {EXAMPLES[path]}"
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            _add_examples(sub, f"{path} {name}".strip())


_register()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
