"""What every command shares: opening the project, printing results, reading options."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from casecoder.errors import UserError
from casecoder.export.cells import neutralise as safe_cell
from casecoder.model import format_timestamp  # noqa: F401 (re-exported)

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ("table", "json", "csv")


def project_argument(func: F) -> F:
    return click.argument("project", type=click.Path(dir_okay=False, path_type=Path))(func)


def coder_option(func: F) -> F:
    return click.option(
        "--coder", "coder", default=None, metavar="NAME",
        help="Who is coding (default: $CASECODER_CODER, the user config, the login name).",
    )(func)


def format_option(func: F) -> F:
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
        help="Output format: a table for people, JSON or CSV for scripts.",
    )(func)


def open_project(path: Path, coder: str | None = None) -> Any:
    from casecoder.project import Project

    return Project.open(path, coder=coder)


def console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def err_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def print_json(data: Any) -> None:
    click.echo(json.dumps(jsonable(data), ensure_ascii=False, indent=2))


def print_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    sys.stdout.write(buf.getvalue())


def emit(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str], *,
         title: str | None = None, styles: dict[str, str] | None = None,
         json_data: Any = None, optional: Sequence[str] = (),
         table_columns: Sequence[str] | None = None) -> None:
    """Print a listing as a table for people, JSON (full records) or CSV (the columns).

    The table shows `table_columns` (default: the CSV columns) as far as the terminal allows:
    empty columns and then the `optional` ones (first named, first dropped) are left out
    rather than splitting a name or a code path (see casecoder.commands.tables).
    """
    if fmt == "json":
        print_json(rows if json_data is None else json_data)
        return
    if fmt == "csv":
        print_csv(rows, columns)
        return
    from rich.table import Table

    from casecoder.commands.tables import (
        TEXT_COLUMNS,
        cell_text,
        choose_columns,
        header,
        record_lines,
    )

    out = console()
    shown, fits = choose_columns(rows, list(table_columns or columns), out.width,
                                 optional=optional)
    if not fits:
        if title:
            click.echo(title)
        for line in record_lines(rows, shown, out.width):
            click.echo(line)
        return
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in shown:
        text = col in TEXT_COLUMNS
        table.add_column(header(col), style=(styles or {}).get(col),
                         overflow="fold" if text else "ellipsis", no_wrap=not text,
                         justify="right" if _numeric(rows, col) else "left")
    for row in rows:
        table.add_row(*[_cell(cell_text(row.get(c))) for c in shown])
    out.print(table)


def _numeric(rows: Iterable[dict[str, Any]], col: str) -> bool:
    values = [r.get(col) for r in rows if r.get(col) not in (None, "")]
    return bool(values) and all(isinstance(v, int | float) for v in values)


def _cell(value: Any) -> Any:
    from rich.markup import escape

    if hasattr(value, "__rich_console__"):  # already styled (search hits)
        return value
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list | tuple):
        return escape(", ".join(str(v) for v in value))
    return escape(str(value))


def parse_range(text: str) -> tuple[int, int]:
    """'3' or '3-7' (1-based, inclusive) as the CLI writes segment ranges."""
    first, sep, last = text.partition("-")
    try:
        a = int(first)
        b = int(last) if sep else a
    except ValueError:
        raise UserError(f"segment range {text!r} is not of the form N or N-M") from None
    return a, b
