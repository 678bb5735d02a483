"""`casecoder search`: find sentences by words across the project or one document."""

from __future__ import annotations

from pathlib import Path

import click

from casecoder.commands.common import (
    emit,
    format_option,
    format_timestamp,
    open_project,
    project_argument,
)


@click.command("search")
@project_argument
@click.argument("query")
@click.option("--doc", default=None, help="Only this document.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True)
@format_option
def search_command(project: Path, query: str, doc: str | None, limit: int, fmt: str) -> None:
    """Sentences containing every word of QUERY ("a phrase" in quotes, word* for prefixes)."""
    with open_project(project) as p:
        hits = p.search(query, doc=doc, limit=limit)
    rows = [{"document": h.document, "sentence": h.segment_number, "start": h.start,
             "end": h.end, "speaker": h.speaker or "", "time": format_timestamp(h.timestamp),
             "text": h.text, "match": h.snippet} for h in hits]
    columns = ["document", "sentence", "speaker", "time", "match"]
    if fmt != "table":
        columns = ["document", "sentence", "start", "end", "speaker", "time", "text"]
    emit(rows, fmt, columns, title=f"{len(rows)} sentences match {query!r}")


COMMANDS = [search_command]
