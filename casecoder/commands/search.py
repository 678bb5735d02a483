"""`casecoder search`: find passages by words across the project or one document.

Words are matched by lemma unless `--exact` (so `partner` finds partnere, partnerne and
partnerens); the unit, documents, attributes and speaker narrow the search.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from casecoder.commands.common import (
    emit,
    format_option,
    format_timestamp,
    open_project,
    project_argument,
)

if TYPE_CHECKING:
    from rich.text import Text

    from casecoder.model import UnitHit

F = TypeVar("F", bound=Callable[..., Any])


def search_options(func: F) -> F:
    """The options every command that searches shares (search, autocode)."""
    for option in reversed((
        click.option("--exact", is_flag=True,
                     help="Match words as written, not by lemma (today's surface search)."),
        click.option("--unit", type=click.Choice(["sentence", "turn", "paragraph"]),
                     default="sentence", show_default=True, help="What counts as one hit."),
        click.option("--doc", default=None, help="Only this document."),
        click.option("--where", "where", multiple=True, metavar="ATTR=VALUE",
                     help="Only documents with this attribute value (repeatable; all apply)."),
        click.option("--speaker", default=None, metavar="LABEL",
                     help="Only what this speaker says (the label as in the transcript)."),
    )):
        func = option(func)
    return func


def parse_where(where: tuple[str, ...]) -> dict[str, str]:
    from casecoder.project import parse_assignment

    return dict(parse_assignment(w) for w in where)


def styled(hit: UnitHit) -> Text:
    """The hit's text with the matched words in bold yellow, for the terminal."""
    from rich.text import Text

    text = Text(hit.text)
    for s, e in hit.highlights:
        text.stylize("bold yellow", s - hit.start, e - hit.start)
    return text


@click.command("search")
@project_argument
@click.argument("query")
@search_options
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=200, show_default=True)
@format_option
def search_command(project: Path, query: str, exact: bool, unit: str, doc: str | None,
                   where: tuple[str, ...], speaker: str | None, limit: int, fmt: str) -> None:
    """Passages matching QUERY: words by lemma, "a phrase", word* prefixes, AND/OR/NOT.

    Words next to each other must all occur. Matched words are shown in bold (in JSON and CSV
    between ** **, with their offsets in "highlights").

    \b
    Example: casecoder search study.cc.db 'partner NOT erasmus' --unit turn --where role=prorektor
    """
    with open_project(project) as p:
        hits = p.find(query, exact=exact, unit=unit, doc=doc, where=parse_where(where),
                      speaker=speaker, limit=limit)
    rows = [{"document": h.document, "unit": h.unit, "number": h.number,
             "sentence": h.number if h.unit == "sentence" else None,
             "start": h.start, "end": h.end, "speaker": h.speaker or "",
             "time": format_timestamp(h.timestamp), "text": h.text,
             "match": h.marked("**", "**") if fmt != "table" else styled(h),
             "highlights": [list(span) for span in h.highlights]} for h in hits]
    columns = ["document", "number", "speaker", "time", "match"]
    if fmt == "csv":
        columns = ["document", "unit", "number", "start", "end", "speaker", "time", "text",
                   "match"]
    elif fmt == "json":
        columns = list(rows[0]) if rows else []
    noun = {"sentence": "sentences", "turn": "turns", "paragraph": "paragraphs"}[unit]
    emit(rows, fmt, columns, title=f"{len(rows)} {noun} match {query!r}")


COMMANDS = [search_command]
