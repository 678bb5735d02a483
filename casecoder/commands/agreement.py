"""`agreement` and `disagreements`: inter-coder agreement reports and where the coders differ.

Kept light to import (every CLI start imports every command module): numpy and the statistics
are imported inside the commands.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from casecoder.commands.common import console, open_project, project_argument

F = TypeVar("F", bound=Callable[..., Any])

# Mirrors casecoder.analysis.agreement.UNITS and casecoder.analysis.report.FORMATS (a test keeps
# them equal); spelled out here so that `casecoder --help` does not import numpy.
UNITS = ("sentence", "turn", "paragraph", "character", "document")
FORMATS = ("table", "md", "csv", "json", "html")
SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".csv": "csv", ".json": "json",
                  ".html": "html", ".htm": "html", ".txt": "table"}


def _parse_overlap(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    """0.3, .3 or 30% as a share of the unit."""
    if value is None:
        return None
    text = value.strip()
    try:
        share = float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a share such as 0.3 or 30%") from None
    if not 0.0 < share <= 1.0:
        raise click.BadParameter(f"{value!r} must be above 0 and at most 1 (or 100%)")
    return share


def comparison_options(func: F) -> F:
    """The options that decide what is compared, shared by both commands."""
    options = [
        click.option("--coders", multiple=True, metavar="A,B,...",
                     help="Coders to compare (default: every coder with codings)."),
        click.option("--unit", type=click.Choice(UNITS), default="sentence", show_default=True,
                     help="What one rating is about: a sentence, turn, paragraph, character "
                          "(NVivo) or the whole document (code present in it)."),
        click.option("--code", "codes", multiple=True, metavar="PATH",
                     help="Compare only this code (a theme brings its subcodes); repeatable."),
        click.option("--documents", multiple=True, metavar="NAME,...",
                     help="Compare only these documents."),
        click.option("--min-overlap", callback=_parse_overlap, default=None, metavar="F",
                     help="A unit counts as coded only when a coder's codings cover this share "
                          "of it (0.5 or 50%); default: any character."),
        click.option("--origin", type=click.Choice(["all", "manual", "autocode"]),
                     default="all", show_default=True,
                     help="Which codings count: all, manual only (leave autocoded out), or "
                          "only autocoded ones."),
        click.option("--partial", is_flag=True,
                     help="Also compare documents only some coders worked on (at least 2); "
                          "the others' ratings there count as missing."),
        click.option("--no-interviewers", "skip_interviewers", is_flag=True,
                     help="Leave out the units of interviewer turns (casecoder speakers)."),
        click.option("--used-codes-only", is_flag=True,
                     help="Leave out codes no compared coder applied (they inflate pooled "
                          "percent agreement and AC1)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _format(fmt: str | None, output: Path | None) -> str:
    if fmt:
        return fmt
    if output is not None:
        return SUFFIX_FORMATS.get(output.suffix.lower(), "table")
    return "table"


def _write(output: Path, text: str, project: Path) -> None:
    from casecoder.export.atomic import atomic_open, check_writable

    target = check_writable(output, protect=(project,))
    with atomic_open(target, newline="") as handle:
        handle.write(text)


def _data(p: Any, coders: tuple[str, ...], unit: str, codes: tuple[str, ...],
          documents: tuple[str, ...], min_overlap: float | None, partial: bool,
          used_codes_only: bool = False, skip_interviewers: bool = False,
          origin: str = "all") -> Any:
    from casecoder.analysis.agreement import build_agreement_data

    return build_agreement_data(p, coders=coders, unit=unit, codes=codes, documents=documents,
                                min_overlap=min_overlap, partial=partial,
                                used_codes_only=used_codes_only,
                                skip_interviewers=skip_interviewers, origin=origin)


@click.command("agreement")
@project_argument
@comparison_options
@click.option("--bootstrap", type=click.IntRange(min=0), default=0, metavar="N",
              help="Add 95% bootstrap intervals from N resamples over units (e.g. 1000).")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Random seed of the bootstrap, so intervals can be reproduced.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="table (terminal), md, csv, json or html; default: from -o's suffix, "
                   "else table.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="OUT", help="Write the report to this file (replaced atomically).")
@click.option("--all-codes", is_flag=True,
              help="In the terminal table, also list codes nobody compared applied.")
def agreement_command(project: Path, coders: tuple[str, ...], unit: str, codes: tuple[str, ...],
                      documents: tuple[str, ...], min_overlap: float | None, origin: str,
                      partial: bool, skip_interviewers: bool, used_codes_only: bool,
                      bootstrap: int, seed: int, fmt: str | None,
                      output: Path | None, all_codes: bool) -> None:
    """Inter-coder agreement per code, theme, document and overall.

    Percent agreement, Cohen's kappa, Scott's pi, Fleiss' kappa, Krippendorff's alpha, Gwet's
    AC1 and Brennan-Prediger, on units coded or not coded by each coder. Undefined figures show
    as n/a with the reason. The report ends with a data hash that identifies the exact coding
    state the figures came from. A consensus coder is compared only when named in --coders;
    codes nobody used are warned about (--used-codes-only leaves them out).

    Example: casecoder agreement study.cc.db --coders ingrid,tomas --used-codes-only
    """
    from casecoder.analysis.agreement import compute_agreement
    from casecoder.analysis.report import print_report, render_report

    fmt = _format(fmt, output)
    if output is not None:
        from casecoder.export.atomic import check_writable

        check_writable(output, protect=(project,))  # fail before the work, not after
    with open_project(project) as p:
        data = _data(p, coders, unit, codes, documents, min_overlap, partial, used_codes_only,
                     skip_interviewers, origin)
        report = compute_agreement(data, project_name=p.name, bootstrap=bootstrap, seed=seed)
    if output is not None:
        _write(output, render_report(report, fmt), project)
        click.echo(f"wrote {output}: {len(report.coders)} coders, {report.n_units:,} "
                   f"{report.unit} units, {len(report.codes)} codes, data hash "
                   f"{report.data_hash}")
    elif fmt == "table":
        print_report(report, console(), all_codes=all_codes)
    else:
        click.echo(render_report(report, fmt), nl=False)


@click.command("disagreements")
@project_argument
@comparison_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="table (terminal), md, csv, json or html; default: from -o's suffix, "
                   "else table.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="OUT", help="Write the listing to this file (replaced atomically).")
def disagreements_command(project: Path, coders: tuple[str, ...], unit: str,
                          codes: tuple[str, ...], documents: tuple[str, ...],
                          min_overlap: float | None, origin: str, partial: bool,
                          skip_interviewers: bool, used_codes_only: bool, fmt: str | None,
                          output: Path | None) -> None:
    """List the units where the coders differ: the text, and who coded what.

    For the reconciliation meeting; `casecoder agreement` gives the figures on the same units.
    """
    from casecoder.analysis.agreement import find_disagreements
    from casecoder.analysis.report import print_disagreements, render_disagreements

    fmt = _format(fmt, output)
    if output is not None:
        from casecoder.export.atomic import check_writable

        check_writable(output, protect=(project,))
    with open_project(project) as p:
        data = _data(p, coders, unit, codes, documents, min_overlap, partial, used_codes_only,
                     skip_interviewers, origin)
        rows = find_disagreements(data, max_text=2000 if unit == "document" else None)
    if output is not None:
        _write(output, render_disagreements(rows, fmt, data_hash=data.data_hash), project)
        click.echo(f"wrote {output}: {len(rows)} disagreements, data hash {data.data_hash}")
    elif fmt == "table":
        print_disagreements(rows, console(), data_hash=data.data_hash)
    else:
        click.echo(render_disagreements(rows, fmt, data_hash=data.data_hash), nl=False)


COMMANDS = [agreement_command, disagreements_command]
