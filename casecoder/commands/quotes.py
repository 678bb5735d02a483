"""`casecoder export quotes`: the per-theme quote summary a report is written from."""

from __future__ import annotations

from pathlib import Path

import click

from casecoder.commands.common import open_project, project_argument
from casecoder.commands.export import export_group
from casecoder.errors import UserError

_FORMATS = ("md", "html", "docx", "xlsx", "csv", "json")


@export_group.command("quotes")
@project_argument
@click.option("-o", "--output", required=True, metavar="OUT",
              type=click.Path(path_type=Path),
              help="File to write; its extension picks the format unless --format is given.")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default=None,
              help="Output format (default: from the extension of OUT).")
@click.option("--theme", "themes", multiple=True, metavar="CODE",
              help="A theme (any code, with its subcodes); repeat for more "
                   "(default: every top-level code).")
@click.option("--by", "by", multiple=True, metavar="ATTRIBUTE",
              help="Break counts down by this attribute; repeat for more "
                   "(default: case_type and role, where the project has them).")
@click.option("--coder", default=None, metavar="NAME",
              help="Only this coder's codings (default: every coder, named per quote).")
@click.option("--all-coders", is_flag=True,
              help="Every coder's codings, named per quote (the default).")
@click.option("--pseudonyms", type=click.Path(path_type=Path), metavar="FILE",
              help="Replace names: CSV (name,pseudonym) or YAML (Name: pseudonym).")
@click.option("--context", type=int, default=0, show_default=True, metavar="N",
              help="Add N sentences of context before and after each quote.")
@click.option("--timestamp", is_flag=True,
              help="Note the export time in the file (makes runs differ).")
@click.option("-v", "--verbose", is_flag=True, help="List every pseudonym replacement.")
def export_quotes_command(project: Path, output: Path, fmt: str | None, themes: tuple[str, ...],
                          by: tuple[str, ...], coder: str | None, all_coders: bool,
                          pseudonyms: Path | None, context: int, timestamp: bool,
                          verbose: bool) -> None:
    """Write quotes per theme with counts, breakdowns and attribution, for the report.

    Per theme: its definition, counts (codings, distinct passages, documents, informants,
    cases) per subcode, a breakdown by each --by attribute, and every quote with role, case
    type, case, document, sentence, timestamp, speaker, coder and memo. Formats: Markdown
    (pandoc/Quarto), HTML (printable, one file), DOCX, XLSX, CSV (one row per coding), JSON.
    Nothing is written unless every argument is valid; the file is replaced atomically.
    """
    from casecoder.export.quotes import QuoteOptions, export_quotes

    if coder and all_coders:
        raise UserError("give either --coder NAME or --all-coders, not both")
    options = QuoteOptions(themes=themes, by=by or None, coder=coder, context=context,
                           pseudonyms=pseudonyms, timestamp=timestamp)
    with open_project(project) as p:
        result = export_quotes(p, output, options, fmt)
    # One line says what happened; -v lists each name (its last line is the total).
    for line in (result.pseudonym_report if verbose else result.pseudonym_report[-1:]):
        click.echo(line, err=True)
    click.echo(f"wrote {output} ({result.format}): {result.themes} theme"
               f"{'s' if result.themes != 1 else ''}, {result.codings} coding"
               f"{'s' if result.codings != 1 else ''}")


COMMANDS: list[click.Command] = []
