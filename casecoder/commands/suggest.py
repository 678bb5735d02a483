"""`casecoder suggest`: codes for the passages not yet coded, learned from your own codings.

Nothing is coded: the listing is for reading (and for `casecoder code` on what you agree with).
numpy and the model are imported inside the command, so `casecoder --help` stays light.
"""

from __future__ import annotations

from pathlib import Path

import click

from casecoder.commands.common import coder_option, emit, format_option, project_argument


@click.command("suggest")
@project_argument
@click.option("--doc", required=True, help="The document to suggest codes for.")
@click.option("--top", type=click.IntRange(1, 20), default=3, show_default=True,
              help="Codes per passage.")
@click.option("--unit", type=click.Choice(["sentence", "turn", "paragraph"]),
              default="sentence", show_default=True, help="What one suggestion is for.")
@click.option("--include-coded", is_flag=True,
              help="Also suggest for passages you have coded already.")
@coder_option
@format_option
def suggest_command(project: Path, doc: str, top: int, unit: str, include_coded: bool,
                    coder: str | None, fmt: str) -> None:
    """Suggest codes per sentence (or turn) from the codings you (--coder) made so far.

    Each suggestion names the coded passages most like it. JSON: a list of units with start,
    end, text and codes, a ranked list of {code, score, examples}.

    \b
    Example: casecoder suggest study.cc.db --doc c4-eui-prorektor --top 3 --format json
    """
    from casecoder.analysis.suggest import suggest_document
    from casecoder.commands.common import open_project

    with open_project(project, coder) as p:
        units = suggest_document(p, doc, top=top, unit=unit, include_coded=include_coded)
    if fmt == "json":
        emit([], fmt, [], json_data=[u.as_dict() for u in units])
        return
    rows = [{"number": u.number, "start": u.start, "end": u.end, "text": u.text,
             "codes": "; ".join(f"{c.code} ({c.score:.2f})" for c in u.codes),
             "because": u.codes[0].examples[0].text[:120] if u.codes[0].examples else ""}
            for u in units]
    emit(rows, fmt, ["number", "text", "codes", "because"] if fmt == "table"
         else ["number", "start", "end", "text", "codes", "because"],
         title=f"suggestions for {len(rows)} {unit}s of {doc}")


COMMANDS = [suggest_command]
