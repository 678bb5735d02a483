"""REFI-QDA project exchange: `casecoder export qdpx` and `casecoder import-qdpx`.

A .qdpx is how a project moves to and from NVivo, ATLAS.ti, MAXQDA and QualCoder; the codebook
alone (.qdc) goes through `casecoder codebook export/import`.
"""

from __future__ import annotations

from pathlib import Path

import click

from casecoder.commands.common import open_project, project_argument
from casecoder.commands.export import export_group


@export_group.command("qdpx")
@project_argument
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .qdpx file to write.")
@click.option("--crlf", is_flag=True,
              help="Write texts with CRLF line ends (for MAXQDA on Windows); positions are "
                   "counted in the text as written.")
def export_qdpx_command(project: Path, output: Path, crlf: bool) -> None:
    """Write the whole project as a REFI-QDA .qdpx (texts, codebook, codings, memos, cases).

    The same project always gives the same file, byte for byte.
    """
    from casecoder.exchange.qdpx_write import export_qdpx
    from casecoder.export.atomic import check_writable

    with open_project(project) as p:
        check_writable(output, protect=(Path(p.path),))
        summary = export_qdpx(p, output, crlf=crlf)
    click.echo(f"wrote {output}: {summary.documents} documents, {summary.codes} codes, "
               f"{summary.codings} codings, {summary.memos} memos, {summary.coders} coders, "
               f"{summary.cases} cases")


@click.command("import-qdpx")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@project_argument
@click.option("--coder", default=None, metavar="NAME",
              help="Whose name the import is recorded under (default: the file's creating "
                   "user, so that no coder without codings is added).")
@click.option("--language", default=None, metavar="nb|en",
              help="Language of the new project (default: the file's, else nb).")
def import_qdpx_command(file: Path, project: Path, coder: str | None,
                        language: str | None) -> None:
    """Create a NEW project from a REFI-QDA .qdpx (from NVivo, ATLAS.ti, MAXQDA, QualCoder).

    Text sources, codes, codings with their coders, cases, variables and notes come along;
    PDF, picture, audio and video sources are skipped and listed. The project file appears
    only when the whole import has succeeded.
    """
    from casecoder.exchange.qdpx_read import import_qdpx

    result = import_qdpx(file, project, coder=coder, language=language)
    click.echo(f"created {project} from {file.name}: {result.documents} documents, "
               f"{result.codes} codes, {result.codings} codings, {result.memos} memos, "
               f"{result.cases} cases, coders: {', '.join(result.coders) or 'none'}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)


COMMANDS = [import_qdpx_command]
