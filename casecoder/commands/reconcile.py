"""`reconcile`: two coders into one consensus version, seeded from what they agree on.

Numpy and the agreement module are imported inside the command, so `casecoder --help` stays
light.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from casecoder.commands.common import (
    coder_option,
    open_project,
    parse_range,
    print_json,
    project_argument,
)
from casecoder.errors import UserError

REVIEW_UNITS = ("sentence", "turn", "paragraph")
TAKES = ("a", "b", "both", "neither")


def _status(p: Any, rec: Any, seeded: int, decided: list[str]) -> dict[str, Any]:
    counts = dict.fromkeys(TAKES, 0)
    for decision in p.decisions(rec.consensus):
        if decision.unit == rec.data.unit:
            counts[decision.choice] += 1
    return {"consensus": rec.consensus, "coders": list(rec.data.coders),
            "unit": rec.data.unit, "seeded": seeded, "decided_now": decided,
            "disagreements": rec.total, "resolved": rec.done,
            "unresolved": rec.total - rec.done, "decisions": counts}


@click.command("reconcile")
@project_argument
@click.option("--coders", required=True, metavar="A,B", help="The two coders to reconcile.")
@click.option("--into", "into", default="consensus", show_default=True, metavar="NAME",
              help="The consensus coder (marked as such in the project).")
@click.option("--unit", type=click.Choice(REVIEW_UNITS), default="sentence", show_default=True,
              help="The unit agreement and decisions are made on.")
@click.option("--take", type=click.Choice(TAKES), default=None,
              help="Decide disagreements: take coder A's coding, B's, both or neither.")
@click.option("--code", "code", default=None, metavar="PATH", help="The code decided (--take).")
@click.option("--doc", default=None, metavar="NAME", help="The document decided in (--take).")
@click.option("--segments", default=None, metavar="N-M",
              help="The units decided (--take), numbered as `casecoder show` shows them.")
@click.option("--memo", default="", help="Why (kept with the decision and its codings).")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table",
              show_default=True, help="table for people, json for scripts.")
@coder_option
def reconcile_command(project: Path, coders: str, into: str, unit: str, take: str | None,
                      code: str | None, doc: str | None, segments: str | None, memo: str,
                      fmt: str, coder: str | None) -> None:
    """Build the consensus version of two coders: what they agree on, then decisions.

    Without --take, seeds the consensus coder with every unit both coders coded with a code
    (running it again adds nothing) and reports how many disagreements are left. With --take,
    decides the disagreements on --segments of --doc for --code; "neither" is stored as a
    decision, so a later seed never brings the passage back. `casecoder undo` takes a decision
    back.

    Example: casecoder reconcile study.cc.db --coders ingrid,tomas --take b --code barriers
    --doc c1-bip-helse-prosjektleder --segments 12-13
    """
    from casecoder.analysis.agreement import (
        SEED_RULE,
        Reconciliation,
        build_agreement_data,
        seed_consensus,
    )

    if take is None and (code or doc or segments):
        raise UserError("--code, --doc and --segments go with --take")
    if take is not None and not (code and doc and segments):
        raise UserError("--take needs --code, --doc and --segments")
    with open_project(project, coder) as p:
        data = build_agreement_data(p, coders=[coders], unit=unit)
        if len(data.coders) != 2:
            raise UserError(f"reconcile takes exactly 2 coders, not {len(data.coders)}")
        seeded = 0
        decided: list[str] = []
        if take is None:
            seeded = seed_consensus(p, data, into)
        else:
            assert code is not None and doc is not None and segments is not None
            first, last = parse_range(segments)
            p.segment_span(doc, first, last, unit)  # a range out of bounds: one clear error
            for number in range(first, last + 1):
                decided.append(p.decide(into=into, doc=doc, code=code, unit=unit, number=number,
                                        choice=take, coders=data.coders, memo=memo))
        status = _status(p, Reconciliation(p, data, into), seeded, decided)
    if fmt == "json":
        print_json({**status, "rule": SEED_RULE})
        return
    for line in decided:
        click.echo(line)
    if take is None:
        click.echo(f"seeded {into!r} with {seeded} agreed passage(s) of "
                   f"{' and '.join(data.coders)} ({unit})")
    counts = ", ".join(f"{k} {v}" for k, v in status["decisions"].items())
    click.echo(f"{status['resolved']} of {status['disagreements']} disagreements decided "
               f"({counts}); {status['unresolved']} left "
               "(review them in the TUI with F6, or here with --take)")


COMMANDS = [reconcile_command]
