"""Working as a team: copies for a second coder, and merging their work back in.

A merge is a build of the other project's snapshot with matching (see `exchange.build`):
documents by the hash of their text, codes by GUID and then by path, codings and memos by
GUID. That makes it idempotent: bringing the same file in twice finds everything already
known and reports 0 changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from casecoder.errors import UserError
from casecoder.exchange.build import BuildReport, build_into
from casecoder.exchange.capture import snapshot_of
from casecoder.ids import now
from casecoder.store import building_project

if TYPE_CHECKING:
    from casecoder.project import Project

#: The merge command's report is the builder's report.
MergeReport = BuildReport


def merge_project(target: Project, other_path: Path, *, dry_run: bool = False) -> BuildReport:
    """Bring another project's documents, codes, coders, codings and memos into target, with
    speakers, consensus marks, review decisions, framework summaries and autocode runs.

    All of it happens in one transaction; with dry_run the same work is done and then rolled
    back, so the report of a dry run is exactly what a real merge would do.
    """
    from casecoder.project import Project

    other_path = Path(other_path)
    if other_path.resolve() == Path(target.path).resolve():
        raise UserError("cannot merge a project into itself")
    if not other_path.exists():
        raise UserError(f"{other_path} does not exist")
    with Project.open_read_only(other_path) as other:
        snapshot = snapshot_of(other)
    with target.all_or_nothing(keep=not dry_run):
        report = build_into(target, snapshot, "merge", action="merge")
    report.dry_run = dry_run
    return report


def copy_for_coder(source: Project, out: Path, coder: str) -> Path:
    """A copy with documents, attributes, speakers and codebook but nobody's codings, review
    decisions, framework summaries or autocode runs, for blind coding.

    The event log holds every earlier change (with the rows it touched), so it is emptied in
    the copy, and the file is vacuumed so that deleted codings cannot be recovered from free
    pages: the second coder must not see the first coder's work.
    """
    from casecoder.config import validate_coder_name
    from casecoder.project import Project
    from casecoder.store.blank import blank_copy

    coder = validate_coder_name(coder)
    out = Path(out)
    if out.exists():
        raise UserError(f"{out} already exists; choose another file name")
    if not out.parent.exists():
        raise UserError(f"folder {out.parent} does not exist")
    with building_project(out) as tmp:
        blank_copy(source.conn, tmp)
        with Project.open(tmp, coder=coder) as copy:
            copy.log_event("copy-for-coder", f"copy of {source.path.name} for {coder} at {now()}")
    return out
