"""`casecoder import-codings`: bring in codings written as quotes in a YAML file."""

from __future__ import annotations

from pathlib import Path

import click

from casecoder.commands.common import coder_option, open_project, project_argument


@click.command("import-codings")
@project_argument
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@coder_option
def import_codings_command(project: Path, files: tuple[Path, ...], coder: str | None) -> None:
    """Add codings given as exact quotes (YAML: document, codings: coder, code, quote, memo).

    Each file is checked completely before anything is written; a quote that is not found
    refuses that file.
    """
    from casecoder.quotecodings import quote_records

    with open_project(project, coder) as p:
        for file in files:
            counts = p.add_codings(quote_records(p, file), action="import-codings",
                                   summary=f"codings from {file.name}")
            click.echo(f"{file.name}: {counts['added']} added, {counts['merged']} merged, "
                       f"{counts['skipped']} already there")


COMMANDS = [import_codings_command]
