"""Analysis commands: the code x attribute matrix (`matrix`) and shared analysis options."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from casecoder.commands.common import console, open_project, project_argument
from casecoder.errors import UserError

F = TypeVar("F", bound=Callable[..., Any])
OUTPUT_FORMATS = click.Choice(["table", "json", "csv", "md", "xlsx", "html"])


def selection_options(func: F) -> F:
    """--coder, --per-coder, --doc and --where, shared by matrix and co-occurrence."""
    for option in reversed([
        click.option("--code", "codes", multiple=True, metavar="PATH",
                     help="Rows: this code and its subcodes (repeatable; default: every theme)."),
        click.option("--no-subcodes", is_flag=True, help="Only the chosen codes as rows."),
        click.option("--coder", "by_coder", default=None, metavar="NAME",
                     help="Only this coder's codings (default: every coder)."),
        click.option("--per-coder", is_flag=True,
                     help="Count each coder's coding as its own passage (the default, as in "
                          "the quote export, merges overlapping codings of one code in one "
                          "document by several coders into one passage)."),
        click.option("--once-per-passage", is_flag=True, hidden=True,
                     help="Kept for old scripts: counting once per passage is the default."),
        click.option("--doc", "docs", multiple=True, metavar="NAME",
                     help="Only these documents (repeatable)."),
        click.option("--where", "where", multiple=True, metavar="ATTR=VALUE",
                     help="Only codings whose speaker, document or case has this attribute "
                          "value (speaker > document > case; repeat: values of one attribute "
                          "are ORed, different attributes ANDed)."),
        click.option("--format", "fmt", type=OUTPUT_FORMATS, default=None,
                     help="table (default), json, csv (long form), md, xlsx, html; with -o "
                          "the file's extension decides."),
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                     default=None, help="Write to this file instead of printing."),
    ]):
        func = option(func)
    return func


def make_selection(by_coder: str | None, once: bool, docs: tuple[str, ...],
                   where: tuple[str, ...], speakers: tuple[str, ...] = (),
                   per_coder: bool = False) -> Any:
    from casecoder.analysis.data import Selection, parse_where

    if by_coder and once:
        raise UserError("--once-per-passage is for every coder together; drop --coder")
    if once and per_coder:
        raise UserError("--once-per-passage and --per-coder contradict each other; pick one")
    if by_coder and per_coder:
        raise UserError("--per-coder is for every coder together; --coder already counts "
                        "one coder's codings")
    return Selection(by_coder, once, tuple(docs), parse_where(where), tuple(speakers),
                     per_coder=per_coder)


def emit_grid(grid: Any, fmt: str | None, output: Path | None, protect: Path) -> None:
    """Print the grid (table, json, csv, md) or write it to a file (any format)."""
    from casecoder.export.analysis import csv_text, format_of, grid_json, markdown_text

    fmt = format_of(output, fmt)
    if output is not None:
        from casecoder.export.analysis import write_grid
        from casecoder.export.atomic import check_writable

        if fmt == "table":
            raise UserError("-o writes json, csv, md, xlsx or html; give --format or an "
                            "extension")
        target = check_writable(output, protect=(protect,))
        write_grid(grid, fmt, target)
        click.echo(f"wrote {target} ({fmt}): {len(grid.rows)} rows x {len(grid.columns)} "
                   "columns")
        return
    if fmt in ("xlsx", "html"):
        raise UserError(f"{fmt} goes to a file: add -o FILE.{fmt}")
    if fmt == "json":
        import json

        click.echo(json.dumps(grid_json(grid), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(csv_text(grid), nl=False)
    elif fmt == "md":
        click.echo(markdown_text(grid))
    else:
        print_grid(grid)


def print_grid(grid: Any) -> None:
    from rich.table import Table

    from casecoder.export.analysis import fmt_value

    table = Table(title=grid.title, caption=f"{grid.selection}\n{grid.note}",
                  header_style="bold", caption_justify="left")
    table.add_column("code", no_wrap=True)
    for _key, label, size in grid.columns:
        table.add_column(f"{label}\n{size}", justify="right")
    for r, (path, depth) in enumerate(grid.rows):
        label = ("  " * depth + path.rsplit("/", 1)[-1]) if depth else f"[bold]{path}[/]"
        table.add_row(label, *[fmt_value(grid.value(r, k, grid.measure), grid.measure)
                               for k in grid.keys])
    if grid.kind == "matrix":
        table.add_row("[italic]all rows[/]", *[
            fmt_value(grid.value(None, k, grid.measure), grid.measure) for k in grid.keys])
    console().print(table)


@click.command("matrix")
@project_argument
@click.option("--by", required=True, metavar="ATTR",
              help="Columns: an attribute (case_type, role, case, ...), or document, coder, "
                   "speaker.")
@click.option("--measure", default="codings", show_default=True,
              type=click.Choice(["codings", "passages", "documents", "informants", "cases",
                                 "share_documents", "share_informants", "per_1000_words"]),
              help="What each cell counts (json and csv always hold every measure).")
@selection_options
def matrix_command(project: Path, by: str, measure: str, codes: tuple[str, ...],
                   no_subcodes: bool, by_coder: str | None, per_coder: bool,
                   once_per_passage: bool, docs: tuple[str, ...], where: tuple[str, ...],
                   fmt: str | None, output: Path | None) -> None:
    """Codes x attribute values: codings, passages, documents, informants, cases per cell.

    Every output states how it counted; columns show how many documents and informants they
    hold, and share_documents / share_informants / per_1000_words normalise for that.
    Counting is the quote export's: overlapping codings of one code in one document by
    several coders are one passage (--per-coder: each coding its own); informants are
    speakers (interviewers never, one person once); attributes come from the speaker, then
    the document, then the case, so a group interview's informants land in their own columns.

    Example: casecoder matrix study.cc.db --by case_type --code barriers --measure documents

    Example: casecoder matrix study.cc.db --by role --measure informants --per-coder
    """
    from casecoder.analysis.data import load_analysis_data
    from casecoder.analysis.matrix import build_matrix
    from casecoder.export.analysis import matrix_grid

    selection = make_selection(by_coder, once_per_passage, docs, where, per_coder=per_coder)
    with open_project(project) as p:
        data = load_analysis_data(p)
        result = build_matrix(data, by=by, codes=codes, selection=selection,
                              subcodes=not no_subcodes)
        grid = matrix_grid(result, measure, p.name)
        emit_grid(grid, fmt, output, p.path)


COMMANDS = [matrix_command]
