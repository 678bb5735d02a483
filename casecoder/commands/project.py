"""Project-level commands: init, stats, undo, redo, log, settings."""

from __future__ import annotations

from pathlib import Path

import click

from casecoder.commands.common import (
    coder_option,
    console,
    emit,
    format_option,
    open_project,
    print_json,
    project_argument,
)
from casecoder.errors import UserError


@click.command("init")
@project_argument
@click.option("--codebook", type=click.Path(dir_okay=False, path_type=Path),
              help="A YAML codebook to start with (e.g. codebooks/erasmus-plus.yml).")
@click.option("--language", type=click.Choice(["nb", "en"]), default="nb", show_default=True,
              help="Main language of the transcripts (sentence splitting, search).")
@coder_option
def init_command(project: Path, codebook: Path | None, language: str, coder: str | None) -> None:
    """Create a new, empty project file."""
    from casecoder.codebook import read_codebook
    from casecoder.project import Project

    spec = read_codebook(codebook) if codebook else None  # validate before creating anything
    with Project.create(project, language=language, coder=coder) as p:
        if spec is not None:
            report = p.import_codebook(spec)
            click.echo(f"created {project} ({language}) with {len(report['added'])} codes "
                       f"from {codebook}")
        else:
            click.echo(f"created {project} ({language})")


@click.command("stats")
@project_argument
@format_option
def stats_command(project: Path, fmt: str) -> None:
    """Counts of documents, words, segments, codes, codings and memos."""
    with open_project(project) as p:
        stats = p.stats()
    if fmt == "json":
        print_json(stats)
        return
    rows = []
    for key, value in stats.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "none"
        rows.append({"what": key.replace("_", " "), "value": str(value)})
    emit(rows, fmt, ["what", "value"], title=f"Project {stats['project']}")


def _replay(project: Path, coder: str | None, kind: str) -> None:
    with open_project(project, coder) as p:
        event = p.undo() if kind == "undo" else p.redo()
        click.echo(f"{kind} ({p.coder_name}): {event.summary}")


@click.command("undo")
@project_argument
@coder_option
def undo_command(project: Path, coder: str | None) -> None:
    """Undo your latest change (each coder has their own undo history)."""
    _replay(project, coder, "undo")


@click.command("redo")
@project_argument
@coder_option
def redo_command(project: Path, coder: str | None) -> None:
    """Redo the change you undid last."""
    _replay(project, coder, "redo")


@click.command("log")
@project_argument
@click.option("--limit", type=click.IntRange(1, 100_000), default=30, show_default=True)
@click.option("--by", "by_coder", default=None, metavar="NAME", help="Only this coder's events.")
@format_option
def log_command(project: Path, limit: int, by_coder: str | None, fmt: str) -> None:
    """The audit trail: who changed what, and when (newest first)."""
    with open_project(project) as p:
        events = p.history(limit=limit, coder=by_coder)
    rows = [{"id": e.id, "at": e.at, "coder": e.coder, "kind": e.kind, "action": e.action,
             "document": e.document, "summary": e.summary} for e in events]
    emit(rows, fmt, ["id", "at", "coder", "kind", "summary"], title="Event log")


@click.command("set")
@project_argument
@click.argument("key", type=click.Choice(["nlp_model", "name", "language"]))
@click.argument("value")
def set_command(project: Path, key: str, value: str) -> None:
    """Change a project setting (nlp_model: a spaCy pipeline you installed yourself)."""
    if key == "language" and value not in ("nb", "en"):
        raise UserError("language must be nb or en")
    if key == "nlp_model" and value:
        from casecoder.nlp.pipeline import load_pipeline

        load_pipeline("nb", value)  # fails with a clear message if it is not installed
    with open_project(project) as p:
        p.set_setting(key, value)
    console().print(f"{key} = {value!r}")


COMMANDS = [init_command, stats_command, undo_command, redo_command, log_command, set_command]
