"""The pseudonym file a project's quotes were last exported with, kept in the project.

A researcher who once exported with `--pseudonyms` has said that names must not leave the
machine; exporting again without the file (a forgotten option, a dialog left empty) would
put real names in a report. So the project remembers the file (the `export.pseudonyms` key
of its settings, via `Project.set_setting`, logged like every change) and an export without
it is refused on the command line unless `--no-pseudonyms` says so, and asked about in the
F7 dialog, which also fills the field in from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from casecoder.errors import UserError

if TYPE_CHECKING:
    from casecoder.project import Project

KEY = "export.pseudonyms"


def remembered(project: Project) -> Path | None:
    """The pseudonym file of the project's last export that used one, if any."""
    value = project.setting(KEY)
    return Path(value) if value else None


def remember_pseudonyms(project: Project, pseudonyms: Path | None) -> None:
    """Record the file an export just used (nothing changes when it is already on record)."""
    if pseudonyms is None:
        return
    value = str(Path(pseudonyms).expanduser().resolve())
    if project.setting(KEY) != value:
        project.set_setting(KEY, value)


def check_pseudonyms(project: Project, pseudonyms: Path | None) -> None:
    """Refuse an export without pseudonyms from a project that has a file on record."""
    on_record = remembered(project)
    if pseudonyms is None and on_record is not None:
        raise UserError(f"this project's quotes were last exported with pseudonyms from "
                        f"{on_record}: add --pseudonyms {on_record}, or --no-pseudonyms to "
                        "export real names")
