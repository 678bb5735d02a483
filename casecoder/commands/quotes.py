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
@click.option("--per-coder", is_flag=True,
              help="One quote per coding, as each coder coded it (default: one quote per "
                   "passage, listing every coder who coded it).")
@click.option("--no-interviewers", "no_interviewers", is_flag=True,
              help="Leave out quotes that start in an interviewer's turn.")
@click.option("--pseudonyms", type=click.Path(path_type=Path), metavar="FILE",
              help="Replace names: CSV (name,pseudonym) or YAML (Name: pseudonym).")
@click.option("--context", type=int, default=0, show_default=True, metavar="N",
              help="Add N sentences of context before and after each quote.")
@click.option("--origin", type=click.Choice(["all", "manual", "autocode"]), default="all",
              show_default=True,
              help="Which codings: all, only manual ones, or only those autocode runs made.")
@click.option("--exclude-autocoded", is_flag=True, help="Same as --origin manual.")
@click.option("--timestamp", is_flag=True,
              help="Note the export time in the file (makes runs differ).")
@click.option("--cite", default=None, metavar="TEMPLATE",
              help='How each quote is cited, e.g. "{role}, {case_type}" (the default) or '
                   '"({speaker}, {time})"; fields: any attribute, speaker, document, case, '
                   "sentence, time, coder, code, theme.")
@click.option("--template", type=click.Path(path_type=Path), metavar="FILE.docx",
              help="DOCX only: take styles, page setup and footer from this Word file.")
@click.option("--raw", is_flag=True,
              help="CSV only: exact text, without the apostrophe that stops spreadsheets "
                   "running cells as formulas (for pandas or R, not for Excel).")
@click.option("--no-pseudonyms", is_flag=True,
              help="Export real names although the project has a pseudonym file on record.")
@click.option("-v", "--verbose", is_flag=True, help="List every pseudonym replacement.")
def export_quotes_command(project: Path, output: Path, fmt: str | None, themes: tuple[str, ...],
                          by: tuple[str, ...], coder: str | None, all_coders: bool,
                          per_coder: bool, no_interviewers: bool, pseudonyms: Path | None,
                          context: int, origin: str, exclude_autocoded: bool,
                          timestamp: bool, cite: str | None, template: Path | None, raw: bool,
                          no_pseudonyms: bool, verbose: bool) -> None:
    """Write quotes per theme with counts, breakdowns and attribution, for the report.

    Per theme: its definition, counts (codings, distinct passages, documents, informants,
    cases) per subcode, a breakdown by each --by attribute, and every quote with role, case
    type, case, document, sentence, timestamp, speaker, coder and memo. Formats: Markdown
    (pandoc/Quarto), HTML (printable, one file), DOCX, XLSX, CSV (one row per coding), JSON.
    Quotes are cited with --cite (default "{role}, {case_type}"), the same in every format.
    Spreadsheet formats neutralise formulas (a leading apostrophe); CSV --raw keeps the exact
    text. A project whose last export used a pseudonym file refuses to export without one
    unless --no-pseudonyms is given.
    Nothing is written unless every argument is valid; the file is replaced atomically.
    A passage several coders coded is one quote (the counting note says how overlapping
    codings merge); --coder or --per-coder give one quote per coding.

    Example: casecoder export quotes study.cc.db -o quotes.docx --by case_type --cite "{role}, {case_type}"
    """  # noqa: E501
    from casecoder.export.pseudonym_record import check_pseudonyms, remember_pseudonyms
    from casecoder.export.quotes import QuoteOptions, export_quotes

    if coder and all_coders:
        raise UserError("give either --coder NAME or --all-coders, not both")
    if pseudonyms and no_pseudonyms:
        raise UserError("give either --pseudonyms FILE or --no-pseudonyms, not both")
    options = QuoteOptions(themes=themes, by=by or None, coder=coder, context=context,
                           pseudonyms=pseudonyms, timestamp=timestamp, per_coder=per_coder,
                           skip_interviewers=no_interviewers,
                           origin="manual" if exclude_autocoded else origin, cite=cite,
                           raw=raw, template=template)
    with open_project(project) as p:
        if not no_pseudonyms:
            check_pseudonyms(p, pseudonyms)
        result = export_quotes(p, output, options, fmt)
        remember_pseudonyms(p, pseudonyms)
    # One line says what happened; -v lists each name (its last line is the total).
    for line in (result.pseudonym_report if verbose else result.pseudonym_report[-1:]):
        click.echo(line, err=True)
    click.echo(f"wrote {output} ({result.format}): {result.themes} theme"
               f"{'s' if result.themes != 1 else ''}, {result.codings} quote"
               f"{'s' if result.codings != 1 else ''}")


COMMANDS: list[click.Command] = []
