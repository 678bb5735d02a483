"""Framework summaries (Ritchie and Spencer): `framework set`, `show` and `export`."""

from __future__ import annotations

from pathlib import Path

import click

from casecoder.commands.common import coder_option, emit, open_project, project_argument
from casecoder.errors import UserError


@click.group("framework")
def framework_group() -> None:
    """Framework summaries: a grid of cases (or documents) x codes written by the researcher.

    Example: casecoder framework show study.cc.db --format md
    """


@framework_group.command("set")
@project_argument
@click.argument("text")
@click.option("--case", "case", default=None, help="The row: a case.")
@click.option("--doc", "doc", default=None, help="The row: a document (instead of a case).")
@click.option("--code", required=True, metavar="PATH", help="The column: a code.")
@coder_option
def set_command(project: Path, text: str, case: str | None, doc: str | None, code: str,
                coder: str | None) -> None:
    """Write (or with an empty TEXT, delete) your summary of one cell; undo takes it back.

    Example: casecoder framework set study.cc.db --case C1 --code barriers "Rapportering tung."
    """
    if (case is None) == (doc is None):
        raise UserError("give exactly one of --case or --doc")
    with open_project(project, coder) as p:
        saved = p.set_framework_summary(case or doc or "", code, text,
                                        row_kind="case" if case else "document")
    click.echo("summary deleted" if saved is None else
               f"summary saved: {saved.row} x {saved.code} ({p.coder_name})")


@framework_group.command("show")
@project_argument
@click.option("--rows", type=click.Choice(["case", "document"]), default="case",
              show_default=True, help="Rows are cases or documents.")
@click.option("--code", "codes", multiple=True, metavar="PATH",
              help="Columns: these codes (default: every theme).")
@click.option("--coder", "by_coder", default=None, help="Only this coder's summaries.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "md"]), default="table",
              show_default=True)
def show_command(project: Path, rows: str, codes: tuple[str, ...], by_coder: str | None,
                 fmt: str) -> None:
    """The framework grid: each cell the summary (per coder) and the number of quotes.

    Example: casecoder framework show study.cc.db --code barriers --format json
    """
    from casecoder.analysis.framework import build_framework, framework_json, framework_md

    with open_project(project) as p:
        grid = build_framework(p, rows=rows, codes=codes, coder=by_coder)
    if fmt == "json":
        import json

        click.echo(json.dumps(framework_json(grid), ensure_ascii=False, indent=2))
    elif fmt == "md":
        click.echo(framework_md(grid))
    else:
        listing = [{"row": r.name, "code": c.path, "quotes": grid.count(r.name, c.id),
                    "summary": " / ".join(f"{s.coder}: {s.text}"
                                          for s in grid.summaries(r.name, c.id))}
                   for r in grid.rows for c in grid.codes]
        emit(listing, "table", ["row", "code", "quotes", "summary"],
             title=f"Framework: {rows}s x codes")


@framework_group.command("export")
@project_argument
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file: .docx, .xlsx, .md or .json.")
@click.option("--rows", type=click.Choice(["case", "document"]), default="case",
              show_default=True)
@click.option("--code", "codes", multiple=True, metavar="PATH")
@click.option("--coder", "by_coder", default=None, help="Only this coder's summaries.")
def export_command(project: Path, output: Path, rows: str, codes: tuple[str, ...],
                   by_coder: str | None) -> None:
    """A table for a report: rows cases with their attributes, columns codes, each cell the
    summary and the number of quotes behind it.

    Example: casecoder framework export study.cc.db -o framework.docx
    """
    from casecoder.analysis.framework import build_framework, write_framework
    from casecoder.export.atomic import check_writable

    with open_project(project) as p:
        target = check_writable(output, protect=(p.path,))
        grid = build_framework(p, rows=rows, codes=codes, coder=by_coder)
        fmt = write_framework(grid, target)
    click.echo(f"wrote {target} ({fmt}): {len(grid.rows)} rows x {len(grid.codes)} codes")


COMMANDS = [framework_group]
