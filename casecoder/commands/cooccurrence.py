"""The `cooccurrence` command: which codes are applied to the same units."""

from __future__ import annotations

from pathlib import Path

import click

from casecoder.commands.common import open_project, project_argument
from casecoder.commands.matrix import emit_grid, make_selection, selection_options


@click.command("cooccurrence")
@project_argument
@click.option("--unit", type=click.Choice(["sentence", "turn", "paragraph", "document",
                                           "overlap"]), default="sentence", show_default=True,
              help="Where two codes must both be present (overlap: share a character).")
@click.option("--measure", type=click.Choice(["count", "jaccard"]), default="count",
              show_default=True, help="Shown in table, md, xlsx and html (json/csv hold both).")
@click.option("--nested", is_flag=True,
              help="Also count a code with its own subcodes (left out by default).")
@selection_options
def cooccurrence_command(project: Path, unit: str, measure: str, nested: bool,
                         codes: tuple[str, ...], no_subcodes: bool, by_coder: str | None,
                         per_coder: bool, once_per_passage: bool, docs: tuple[str, ...],
                         where: tuple[str, ...],
                         fmt: str | None, output: Path | None) -> None:
    """Code x code: units where both codes are applied, and the Jaccard index.

    JSON lists the passages behind each pair; CSV is long form (code_a,code_b,measure,value).

    Example: casecoder cooccurrence study.cc.db --unit turn --code motivation --code barriers
    """
    from casecoder.analysis.cooccurrence import build_cooccurrence
    from casecoder.analysis.data import load_analysis_data
    from casecoder.export.analysis import cooccurrence_grid

    selection = make_selection(by_coder, once_per_passage, docs, where, per_coder=per_coder)
    with open_project(project) as p:
        data = load_analysis_data(p)
        result = build_cooccurrence(data, unit=unit, codes=codes, selection=selection,
                                    subcodes=not no_subcodes, include_nested=nested)
        emit_grid(cooccurrence_grid(result, measure, p.name), fmt, output, p.path)


COMMANDS = [cooccurrence_command]
