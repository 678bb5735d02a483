"""`speakers`: the people speaking in each document, their attributes and interviewer marks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from casecoder.commands.common import (
    FORMATS,
    coder_option,
    emit,
    open_project,
    project_argument,
)
from casecoder.errors import UserError


def _rows(speakers: list[Any]) -> list[dict[str, Any]]:
    return [{"document": s.document, "speaker": s.label, "turns": s.turns, "words": s.words,
             "interviewer": "yes" if s.interviewer else "", "person": s.person or "",
             "attributes": "; ".join(f"{k}={v}" for k, v in s.attributes.items())}
            for s in speakers]


@click.command("speakers")
@project_argument
@click.argument("doc", required=False)
@click.option("--interviewer", "interviewers", multiple=True, metavar="LABEL",
              help="Mark this speaker label as an interviewer (in DOC, or in every document).")
@click.option("--informant", "informants", multiple=True, metavar="LABEL",
              help="Mark this speaker label as an informant, not an interviewer.")
@click.option("--speaker", "label", default=None, metavar="LABEL",
              help="The speaker --person links (needs DOC).")
@click.option("--person", default=None, metavar="NAME",
              help="Link --speaker to a person across documents (empty: unlink).")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, metavar="FILE",
              help="Speaker attributes from a CSV: document,speaker,attribute,... (columns "
                   "interviewer and person set the mark and the link).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
              show_default=True, help="Output format: a table for people, JSON or CSV.")
@coder_option
def speakers_command(project: Path, doc: str | None, interviewers: tuple[str, ...],
                     informants: tuple[str, ...], label: str | None, person: str | None,
                     csv_file: Path | None, fmt: str, coder: str | None) -> None:
    """List speakers per document (turns, words, interviewer, person, attributes); mark them.

    Every speaker label of a document is a speaker; attributes set on one (casecoder attr
    --doc NAME --speaker LABEL role=...) win over the document's and the case's in quotes,
    counts and breakdowns. Interviewers are never counted as informants.

    Example: casecoder speakers study.cc.db c1-bip-helse-gruppeintervju --interviewer Intervjuer
    """
    if (label is None) != (person is None):
        raise UserError("--speaker and --person go together")
    if label is not None and doc is None:
        raise UserError("--speaker needs the document (DOC)")
    with open_project(project, coder) as p:
        if csv_file is not None:
            report = p.load_speakers_csv(csv_file)
            click.echo(f"set attributes on {len(report['updated'])} speakers", err=True)
            if report["unknown"]:
                click.echo(f"not in the project: {', '.join(report['unknown'])}", err=True)
        for labels, flag in ((interviewers, True), (informants, False)):
            for name in labels:
                targets = [doc] if doc else sorted(
                    {s.document for s in p.speakers() if s.label.casefold() == name.casefold()})
                if not targets:
                    raise UserError(f"no document has a speaker {name!r}")
                for target in targets:
                    p.set_speaker(target, name, interviewer=flag)
        if label is not None and person is not None:
            p.set_speaker(doc, label, person=person)
        speakers = p.speakers(doc) if doc else p.speakers()
    rows = _rows(speakers)
    emit(rows, fmt, ["document", "speaker", "turns", "words", "interviewer", "person",
                     "attributes"], title="Speakers",
         json_data=[{"document": s.document, "speaker": s.label, "turns": s.turns,
                     "words": s.words, "interviewer": s.interviewer, "person": s.person,
                     "attributes": s.attributes} for s in speakers])


COMMANDS = [speakers_command]
