"""`casecoder export pseudonymised`: a copy of the project with names replaced."""

from __future__ import annotations

from pathlib import Path

import click

from casecoder.commands.common import open_project, project_argument
from casecoder.commands.export import export_group


@export_group.command("pseudonymised")
@project_argument
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The new project file (it must not exist yet).")
@click.option("--pseudonyms", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV (name,pseudonym) or YAML mapping of real names to pseudonyms.")
@click.option("-v", "--verbose", is_flag=True, help="List every replacement per name.")
def export_pseudonymised_command(project: Path, output: Path, pseudonyms: Path,
                                 verbose: bool) -> None:
    """Copy the project with names replaced in texts, speakers, memos and attributes.

    Offsets move with the text, so codings still cover the same words; GUIDs stay. Export
    .qdpx files, agreement reports or copies for colleagues from the copy.
    """
    from casecoder.exchange.pseudonymise import pseudonymised_copy
    from casecoder.export.pseudonyms import Pseudonymizer

    with open_project(project) as p:
        pseudonymizer = Pseudonymizer.from_file(pseudonyms, p.language)
        report = pseudonymised_copy(p, output, pseudonymizer)
    # One line says what happened; -v lists each name (its last line is the total).
    for line in (report.replacements if verbose else report.replacements[-1:]):
        click.echo(line, err=True)
    click.echo(f"wrote {report.path}: {report.documents} documents, {report.codings} codings, "
               f"{report.memos} memos, names replaced")


COMMANDS: list[click.Command] = []
