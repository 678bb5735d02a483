"""`casecoder import-survey`: open-ended survey answers (CSV, XLSX) as documents to code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from casecoder.commands.common import (
    coder_option,
    emit,
    err_console,
    format_option,
    open_project,
    print_json,
    project_argument,
)


@click.command("import-survey")
@project_argument
@click.argument("survey_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "id_column", default=None, metavar="COLUMN",
              help="The column naming each respondent (default: a column of unique values).")
@click.option("--text", "text_columns", multiple=True, metavar="COLUMN",
              help="An answer column to code (repeatable; default: the free-text columns).")
@click.option("--attr", "attr_columns", multiple=True, metavar="COLUMN",
              help="A column to keep as a document attribute (repeatable; default: every "
                   "column that is neither the id nor an answer).")
@click.option("--per", type=click.Choice(["respondent", "answer"]), default="respondent",
              show_default=True, help="One document per respondent, or one per answer.")
@click.option("--name", "stem", default=None, metavar="PREFIX",
              help="Start of every document name (default: the file's stem).")
@click.option("--language", type=click.Choice(["nb", "en"]), default=None,
              help="Language of the answers (default: the project's).")
@click.option("--dry-run", is_flag=True, help="Show the columns chosen; store nothing.")
@coder_option
@format_option
def import_survey_command(project: Path, survey_file: Path, id_column: str | None,
                          text_columns: tuple[str, ...], attr_columns: tuple[str, ...],
                          per: str, stem: str | None, language: str | None, dry_run: bool,
                          coder: str | None, fmt: str) -> None:
    """Import a survey spreadsheet: each respondent's (or answer's) text becomes a document.

    Every answer is a turn labelled with its question, so the question shows beside the text
    and in every quote's attribution; the other columns become attributes. Empty answers are
    skipped and counted; importing the same file again adds nothing. Columns are named by
    header (any case) or number.

    Example: casecoder import-survey study.cc.db elevsvar.xlsx --id Respondent --text
    "Hva lærte du?" --attr Skole --attr Trinn
    """
    from casecoder.ingest.survey import plan_survey, read_table

    table = read_table(survey_file)
    plan = plan_survey(table, stem=stem or survey_file.stem, id_column=id_column,
                       text_columns=text_columns,
                       attribute_columns=list(attr_columns) if attr_columns else None, per=per)
    summary: dict[str, Any] = {
        "file": str(survey_file), "per": per, "id_column": plan.id_column,
        "text_columns": plan.text_columns, "attribute_columns": plan.attribute_columns,
        "respondents": plan.respondents, "documents": len(plan.documents),
        "empty_answers": plan.empty_answers,
        "respondents_without_answers": plan.empty_respondents,
        "encoding": table.encoding, "warnings": list(table.warnings)}
    if not dry_run:
        with open_project(project, coder) as p:
            stored = _store(p, plan.documents, survey_file.name, language, fmt)
        summary.update(imported=len(stored.imported), skipped=len(stored.skipped),
                       conflicts=stored.conflicts, words=stored.words,
                       sentences=stored.sentences)
    if fmt == "json":
        print_json(summary)
        return
    rows = [{"what": key.replace("_", " "), "value": _shown(value)}
            for key, value in summary.items() if value not in (None, [], "")]
    emit(rows, fmt, ["what", "value"], title=f"Survey {survey_file.name}"
         + (" (dry run: nothing stored)" if dry_run else ""))
    if not dry_run and stored.conflicts:
        click.echo(f"casecoder: warning: {len(stored.conflicts)} document name(s) are taken "
                   f"by a different text and were left alone: "
                   f"{', '.join(stored.conflicts[:5])}", err=True)


def _shown(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value[:10]) + (" …" if len(value) > 10 else "")
    return value


def _store(p: Any, documents: list[Any], source_name: str, language: str | None,
           fmt: str) -> Any:
    if fmt != "table" or len(documents) < 200:
        return p.add_survey(documents, source_name=source_name, language=language)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("segmenting answers"), BarColumn(), MofNCompleteColumn(),
                  console=err_console(), transient=True) as bar:
        task = bar.add_task("survey", total=len(documents))
        return p.add_survey(documents, source_name=source_name, language=language,
                            progress=lambda done, total: bar.update(task, completed=done))


COMMANDS = [import_survey_command]
