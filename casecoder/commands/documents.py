"""Document commands: import, attributes, docs, show, done."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from casecoder.commands.common import (
    coder_option,
    console,
    emit,
    err_console,
    format_option,
    format_timestamp,
    open_project,
    print_json,
    project_argument,
)
from casecoder.errors import UserError


@click.command("import")
@project_argument
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--case", "case", default=None, metavar="ID", help="Put the documents in this case.")
@click.option("--attr", "attrs", multiple=True, metavar="KEY=VALUE",
              help="Set a document attribute (repeatable).")
@click.option("--language", type=click.Choice(["nb", "en"]), default=None,
              help="Language of these files (default: the project's).")
@click.option("--name", default=None, help="Document name (one file only; default: file stem).")
@click.option("--encoding", default=None, metavar="CODEC",
              help="Decode text files with this encoding (e.g. cp1252) instead of detecting it.")
@coder_option
@format_option
def import_command(project: Path, files: tuple[Path, ...], case: str | None,
                   attrs: tuple[str, ...], language: str | None, name: str | None,
                   encoding: str | None, coder: str | None, fmt: str) -> None:
    """Import transcripts and documents, each in its own transaction.

    Formats: .txt, .md, .docx, .vtt, .srt, and documents: .pdf (its text layer; pages are
    kept, so quotes cite "p. 12"), .odt and .rtf. A folder brings every such file directly
    inside it. A bad file is reported and skipped;
    the others go in. Identical content already in the project is skipped; a different file
    with a name already taken is refused. The report shows each text file's detected
    encoding and how sure the detection is; --encoding forces one.

    Example: casecoder import study.cc.db interviews/ --case C1 --encoding cp1252
    """
    from casecoder.ingest import import_paths
    from casecoder.project import parse_assignment

    files = tuple(p for f in files for p in import_paths(f))
    if not files:
        raise UserError("no transcripts to import in the folder(s) given "
                        "(supported: .txt, .md, .docx, .vtt, .srt, .pdf, .odt, .rtf)")
    if name and len(files) > 1:
        raise UserError("--name works with one file at a time")
    attributes = dict(parse_assignment(a) for a in attrs)
    if encoding:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UserError(f"unknown encoding {encoding!r} (e.g. utf-8, cp1252, latin-1)"
                            ) from None
    with open_project(project, coder) as p:
        results = _import_all(p, files, name, case, attributes, language, fmt, encoding)
        marked = sorted({s.label for r in results if r.document
                         for s in p.speakers(r.document.id) if s.interviewer})
    if marked and fmt == "table":  # a suggestion from the label, easy to take back
        click.echo(f"marked as interviewer: {', '.join(marked)} (casecoder speakers PROJECT "
                   "--informant LABEL if not)", err=True)
    rows = [{"file": Path(r.path).name, "status": r.status,
             "document": r.document.name if r.document else "",
             "encoding": r.encoding or "",
             "confidence": "" if r.confidence is None else f"{r.confidence:.2f}",
             "words": r.words,
             "sentences": r.segments.get("sentence", 0), "turns": r.segments.get("turn", 0),
             "message": r.message} for r in results]
    if fmt == "json":
        print_json(results)
    else:
        emit(rows, fmt, ["file", "status", "document", "encoding", "confidence", "words",
                         "sentences", "turns", "message"], title="Import",
             optional=("encoding", "confidence", "turns", "file"))
    for r in results:
        for warning in r.warnings:
            click.echo(f"casecoder: warning: {Path(r.path).name}: {warning}", err=True)
    failed = [r for r in results if r.status == "failed"]
    for r in failed:
        click.echo(f"casecoder: error: {r.message}", err=True)
    if failed and len(failed) == len(results):
        raise SystemExit(2)


def _import_all(p: Any, files: tuple[Path, ...], name: str | None, case: str | None,
                attributes: dict[str, str], language: str | None, fmt: str,
                encoding: str | None = None) -> list[Any]:
    results = p.import_files(files, names=[name] if name else None, case=case,
                             attributes=attributes, language=language, encoding=encoding)
    if len(files) == 1 or fmt != "table":
        return list(results)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    done = []
    # No refresh thread (auto_refresh=False): with no other thread running, a large batch
    # can fork its segmenting worker with spaCy already loaded instead of spawning one.
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=err_console(), transient=True, auto_refresh=False) as progress:
        task = progress.add_task(f"importing {len(files)} files", total=len(files))
        progress.refresh()
        for result in results:
            done.append(result)
            progress.update(task, advance=1, description=f"imported {Path(result.path).name}")
            progress.refresh()
    return done


@click.command("attributes")
@project_argument
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path))
@coder_option
def attributes_command(project: Path, csv_file: Path, coder: str | None) -> None:
    """Set document attributes from a CSV: one row per document, one column per attribute.

    The column naming the document is 'document' (or 'name'); a 'case' column puts the
    document in that case. Unknown document names are reported and skipped.
    """
    with open_project(project, coder) as p:
        report = p.load_attributes_csv(csv_file)
    click.echo(f"attributes set on {len(report['updated'])} documents "
               f"({', '.join(c for c in report['columns'])})")
    if report["unknown"]:
        click.echo(f"not in the project: {', '.join(report['unknown'])}", err=True)


@click.command("attr")
@project_argument
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE...")
@click.option("--doc", default=None, help="The document to set attributes on.")
@click.option("--case", "case", default=None, help="The case to set attributes on.")
@click.option("--set-case", default=None, metavar="CASE", help="Put --doc in this case.")
@click.option("--speaker", default=None, metavar="LABEL",
              help="Set the attributes on this speaker of --doc (they win over the document's).")
@coder_option
def attr_command(project: Path, assignments: tuple[str, ...], doc: str | None, case: str | None,
                 set_case: str | None, speaker: str | None, coder: str | None) -> None:
    """Set attributes on one document, case or speaker (an empty value removes one).

    Example: casecoder attr study.cc.db --doc c1-bip-helse-gruppeintervju --speaker "Informant 1"
    role="head of department"
    """
    from casecoder.project import parse_assignment

    if (doc is None) == (case is None):
        raise UserError("give exactly one of --doc or --case")
    if speaker is not None and doc is None:
        raise UserError("--speaker needs --doc")
    values = dict(parse_assignment(a) for a in assignments)
    with open_project(project, coder) as p:
        if doc and set_case:
            p.set_case(doc, set_case)
        if speaker is not None:
            p.set_speaker(doc, speaker, attributes=values)
        elif doc:
            p.set_attributes(doc, values)
        else:
            p.set_attributes(case, values, owner_kind="case")
    click.echo(f"set {', '.join(values)}")


@click.command("docs")
@project_argument
@format_option
def docs_command(project: Path, fmt: str) -> None:
    """List documents with case, attributes, size and coding counts."""
    with open_project(project) as p:
        attrs = p.all_attributes()
        coded = p.document_coding_counts()
        agreed: dict[str, int] = {}  # consensus codings are shown apart from the coders'
        for name in sorted(p.consensus_coders()):
            for doc_name, n in p.document_coding_counts(name).items():
                agreed[doc_name] = agreed.get(doc_name, 0) + n
        rows = []
        for d in p.documents():
            a = attrs.get(d.name, {})
            rows.append({"name": d.name, "case": d.case or "", "case_type": a.get("case_type", ""),
                         "role": a.get("role", ""), "language": d.language,
                         "format": d.source_format, "words": d.word_count,
                         "codings": coded.get(d.name, 0) - agreed.get(d.name, 0),
                         "consensus": agreed.get(d.name, 0), "guid": d.guid, "attributes": a})
    columns = ["name", "case", "case_type", "role", "language", "format", "words", "codings",
               *(["consensus"] if agreed else [])]
    if fmt == "csv":  # a spreadsheet gets every attribute, each in its own column
        keys = sorted({k for r in rows for k in r["attributes"]} - set(columns))
        for r in rows:
            r.update({k: r["attributes"].get(k, "") for k in keys})
        emit(rows, fmt, [*columns, "guid", *keys])
        return
    emit(rows, fmt, columns, title="Documents", optional=("format", "language"))


@click.command("show")
@project_argument
@click.argument("doc")
@click.option("--unit", type=click.Choice(["sentence", "turn", "paragraph"]), default="sentence",
              show_default=True, help="Which segments to number in the gutter.")
@format_option
def show_command(project: Path, doc: str, unit: str, fmt: str) -> None:
    """Show a document with segment numbers, speakers and coloured coded spans."""
    with open_project(project) as p:
        d = p.document(doc)
        text = p.text(d)
        segments = {k: p.segments(d, k) for k in ("sentence", "turn", "paragraph")}
        codings = p.codings(doc=d)
        colors = {c.id: c.color for c in p.codes()}
    if fmt in ("json", "csv"):
        segs = [{"kind": s.kind, "number": s.number, "start": s.start, "end": s.end,
                 "speaker": s.speaker, "timestamp": s.timestamp, "page": s.page,
                 "text": text[s.start:s.end]}
                for k in segments for s in segments[k]]
        if fmt == "csv":
            emit(segs, fmt, ["kind", "number", "start", "end", "speaker", "timestamp", "page",
                             "text"])
            return
        print_json({"document": d, "text": text, "segments": segs,
                    "codings": [{"guid": c.guid, "code": c.code_path, "coder": c.coder,
                                 "start": c.start, "end": c.end, "memo": c.memo}
                                for c in codings]})
        return
    _render(d, text, segments[unit], codings, colors)


def _render(d: Any, text: str, segments: list[Any], codings: list[Any],
            colors: dict[int, str]) -> None:
    from rich.table import Table
    from rich.text import Text

    out = console()
    table = Table.grid(padding=(0, 1), expand=True)
    width = len(str(len(segments)))
    table.add_column(justify="right", style="dim", no_wrap=True, min_width=width)
    table.add_column(style="bold cyan", max_width=24, overflow="fold")
    table.add_column(ratio=3, overflow="fold")
    table.add_column(ratio=1, overflow="fold", style="dim")
    page = None
    for seg in segments:
        line = Text(text[seg.start:seg.end])
        codes_here = []
        for c in codings:
            if c.start < seg.end and c.end > seg.start:
                line.stylize(f"underline {colors[c.code_id]}", max(c.start, seg.start) - seg.start,
                             min(c.end, seg.end) - seg.start)
                label = f"{c.code_path.split('/')[-1]} ({c.coder})"
                if label not in codes_here:
                    codes_here.append(label)
        who = seg.speaker or ""
        if seg.timestamp is not None:
            who = f"{format_timestamp(seg.timestamp)} {who}"
        if seg.page is not None and seg.page != page:  # a PDF's page, where a new one begins
            page = seg.page
            who = f"p. {page} {who}".strip()
        table.add_row(str(seg.number), who, line, Text(", ".join(codes_here)))
    out.print(f"[bold]{d.name}[/] ({d.case or 'no case'}, {d.word_count} words)")
    out.print(table)


@click.command("done")
@project_argument
@click.option("--doc", required=True, help="The document you have finished coding.")
@click.option("--undone", is_flag=True, help="Mark it as not finished again.")
@coder_option
def done_command(project: Path, doc: str, undone: bool, coder: str | None) -> None:
    """Mark a document as fully coded by you (agreement then compares it even if empty)."""
    with open_project(project, coder) as p:
        p.mark_done(doc, not undone)
        click.echo(f"{p.document(doc).name}: {'not ' if undone else ''}done for {p.coder_name}")


COMMANDS = [import_command, attributes_command, attr_command, docs_command, show_command,
            done_command]
