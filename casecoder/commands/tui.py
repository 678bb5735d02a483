"""`casecoder tui PROJECT` opens the coding workbench; `casecoder demo` opens the sample study.

Textual is imported inside the commands only: every other command stays as quick to start as
before, and the domain packages never see Textual at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from casecoder.commands.common import coder_option, open_project, project_argument


@contextmanager
def _screen_on_the_terminal() -> Iterator[None]:
    """Textual draws on stderr: with `2>log` the screen would go to the file and the
    terminal stay blank. While the workbench runs, stderr is the terminal stdout is on."""
    try:
        redirected = not os.isatty(2) and os.isatty(1)
    except OSError:
        redirected = False
    if not redirected:
        yield
        return
    saved = os.dup(2)
    os.dup2(1, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _run_workbench(path: Path, coder: str | None, document: str | None, blind: bool) -> None:
    project = open_project(path, coder)
    try:
        if document:
            project.document(document)  # a wrong name is a one-line error, before the screen
        from casecoder.tui.app import CasecoderApp

        with _screen_on_the_terminal():
            CasecoderApp(project, document=document, blind=blind).run()
    finally:
        project.close()


@click.command("tui")
@project_argument
@coder_option
@click.option("--document", "-d", default=None, metavar="NAME",
              help="Open this document (default: the one you coded last).")
@click.option("--blind", is_flag=True,
              help="Start in blind mode: show only your own codings (independent coding).")
def tui_command(project: Path, coder: str | None, document: str | None, blind: bool) -> None:
    """Open the coding workbench on PROJECT (also: casecoder PROJECT).

    Press ? inside for every key. Every change is saved at once; u undoes.
    """
    _run_workbench(project, coder, document, blind)


@click.command("demo")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@coder_option
@click.option("--no-tui", is_flag=True, help="Only build the demo project and print a summary.")
@click.option("--force", is_flag=True, help="Rebuild the demo project even if it exists.")
def demo_command(path: Path | None, coder: str | None, no_tui: bool, force: bool) -> None:
    """Build the sample study (12 interviews, codebook, demo codings) and open it.

    PATH defaults to demo.cc.db in your user data folder; an existing demo is reused.
    """
    from casecoder.demo import build_demo, default_demo_path

    target = build_demo(path or default_demo_path(), force=force)
    if no_tui:
        with open_project(target, coder) as project:
            stats = project.stats()
        click.echo(f"demo project: {target}")
        click.echo(f"  {stats['documents']} documents, {stats['words']} words, "
                   f"{stats['cases']} cases, {stats['codes']} codes")
        per_coder = ", ".join(f"{name} {n}" for name, n in stats["codings_per_coder"].items())
        click.echo(f"  {stats['codings']} codings ({per_coder or 'none'})")
        click.echo(f"open it with: casecoder {target}")
        return
    # Said before and after the workbench: the screen hides the first line while it runs,
    # and the README's next examples need the path.
    click.echo(f"demo project: {target}")
    _run_workbench(target, coder, None, False)
    click.echo(f"the demo project is at {target}\n"
               f"try: casecoder codings {target}   (or open it again: casecoder demo)")


COMMANDS = [tui_command, demo_command]
