"""`casecoder autocode`: code every search hit, speaker turn or keyword match in one undoable run.

`--dry-run` lists what would be coded and changes nothing; `casecoder undo` takes a whole run
back. `casecoder autocode-runs` lists the runs still in the project.
"""

from __future__ import annotations

from pathlib import Path

import click

from casecoder.commands.common import (
    coder_option,
    emit,
    err_console,
    format_option,
    open_project,
    project_argument,
)
from casecoder.commands.search import parse_where


@click.command("autocode")
@project_argument
@click.option("--search", "search", default=None, metavar="QUERY",
              help="Code every hit of this query (as in casecoder search).")
@click.option("--speaker", default=None, metavar="LABEL",
              help="Code every turn of this speaker (or, with --search, only their hits).")
@click.option("--keywords", is_flag=True,
              help="Code every match of each code's keywords with that code.")
@click.option("--code", "code", default=None, metavar="PATH",
              help="The code to apply (with --keywords: only this code's keywords).")
@click.option("--unit", type=click.Choice(["sentence", "turn", "paragraph"]),
              default="sentence", show_default=True, help="What one hit codes.")
@click.option("--exact", is_flag=True, help="Match words as written, not by lemma.")
@click.option("--doc", default=None, help="Only this document.")
@click.option("--where", "where", multiple=True, metavar="ATTR=VALUE",
              help="Only documents with this attribute value (repeatable).")
@click.option("--dry-run", is_flag=True, help="List what would be coded; change nothing.")
@coder_option
@format_option
def autocode_command(project: Path, search: str | None, speaker: str | None, keywords: bool,
                     code: str | None, unit: str, exact: bool, doc: str | None,
                     where: tuple[str, ...], dry_run: bool, coder: str | None,
                     fmt: str) -> None:
    """Code every passage a search, a speaker or the codebook's keywords find, as one run.

    The run is one event (casecoder undo takes it back whole); its codings are marked as
    autocoded, so quotes and agreement can leave them out (--origin manual).

    \b
    Example: casecoder autocode study.cc.db --search partner --code partners-networks --dry-run
    """
    with open_project(project, coder) as p:
        plan = p.plan_autocode(search=search, speaker=speaker, keywords=keywords, code=code,
                               unit=unit, exact=exact, doc=doc, where=parse_where(where))
        rows = [{"document": i.document, "code": i.code, "start": i.start, "end": i.end,
                 "status": "coded already" if i.already else
                 ("would code" if dry_run else "coded"), "text": i.text}
                for i in plan.items]
        if dry_run:
            emit(rows, fmt, ["document", "code", "status", "text"],
                 title=f"{len(plan.new_items)} passages would be coded "
                       f"({len(plan.items) - len(plan.new_items)} coded already)")
            return
        if not plan.items:
            from casecoder.errors import UserError

            raise UserError(f"nothing to code: the {plan.kind} found no passages")
        result = p.apply_autocode(plan)
    if fmt == "json":
        emit([], fmt, [], json_data={"run": result.run_guid, "coded": result.added,
                                     "already": result.already, "passages": rows})
        return
    emit(rows, fmt, ["document", "code", "status", "text"],
         title=f"autocode run {result.run_guid}: {result.added} passages coded")
    if fmt == "table":
        err_console().print(f"undo the whole run with: casecoder undo {project}")


@click.command("autocode-runs")
@project_argument
@format_option
def autocode_runs_command(project: Path, fmt: str) -> None:
    """Autocode runs in the project: what each searched for, and its codings now.

    \b
    Example: casecoder autocode-runs study.cc.db --format json
    """
    with open_project(project) as p:
        runs = p.autocode_runs()
    emit(runs, fmt, ["run", "kind", "query", "unit", "codings_now"],
         title=f"{len(runs)} autocode runs")


COMMANDS = [autocode_command, autocode_runs_command]
