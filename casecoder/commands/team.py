"""Team commands: copy-for-coder (blind second coding) and merge."""

from __future__ import annotations

from pathlib import Path

import click

from casecoder.commands.common import (
    coder_option,
    format_option,
    open_project,
    print_json,
    project_argument,
)


@click.command("copy-for-coder")
@project_argument
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--coder", required=True, help="The coder who will work on the copy.")
def copy_for_coder_command(project: Path, out: Path, coder: str) -> None:
    """Make a copy with documents, attributes and codebook but no codings, for a second coder."""
    from casecoder.exchange.team import copy_for_coder

    with open_project(project) as p:
        copy_for_coder(p, out, coder)
    click.echo(f"wrote {out} for {coder}: documents, attributes and codebook, no codings")


@click.command("merge")
@project_argument
@click.argument("other", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@coder_option
@format_option
def merge_command(project: Path, other: Path, dry_run: bool, coder: str | None,
                  fmt: str) -> None:
    """Bring another project's codings, memos, coders and new codes and documents in.

    Documents are matched by content hash, codes by GUID then path, codings and memos by
    GUID: merging the same file twice changes nothing ("0 changed").

    Example: casecoder merge study.cc.db bob.cc.db --dry-run
    """
    from casecoder.exchange.team import merge_project

    with open_project(project, coder) as p:
        report = merge_project(p, other, dry_run=dry_run)
    if fmt == "json":
        print_json(report.as_json())
        return
    head = "would merge" if dry_run else "merged"
    click.echo(f"{head} {other.name}: {len(report.documents_added)} new documents "
               f"({report.documents_matched} matched by content), "
               f"{len(report.codes_added)} new codes, {len(report.coders_added)} new coders, "
               f"codings {report.codings['added']} added / {report.codings['merged']} merged / "
               f"{report.codings['skipped']} already here, {report.memos_added} memos; "
               f"{report.changes} changed")
    for conflict in report.conflicts:
        click.echo(f"  conflict: {conflict}")


COMMANDS = [copy_for_coder_command, merge_command]
