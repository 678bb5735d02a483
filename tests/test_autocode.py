"""Autocoding: one event per run, undone whole, origin marked and carried into exports and
agreement, dry-run changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from casecoder.cli import main
from casecoder.errors import UserError
from casecoder.project import Project


def dump(p: Project) -> list[str]:
    """Every row of the project but the event log (which only ever grows)."""
    return [line for line in p.conn.iterdump()
            if not line.startswith('INSERT INTO "events"') and "sqlite_sequence" not in line]


def test_autocode_then_undo_leaves_the_project_as_before(coded_project: Project) -> None:
    p = coded_project
    p.code_range("intervju-07", "partners-networks", 0, 20)  # a manual coding stays untouched
    before = dump(p)
    plan = p.plan_autocode(search="partner OR student", code="partners-networks")
    assert [i.text for i in plan.items] == [
        "Mange av studentene våre har barn og jobb ved siden av studiene.",
        "Altså, vi ønsket å få nye partnere i Europa."]
    result = p.apply_autocode(plan)
    assert result.added == 2
    auto = [c for c in p.codings() if c.autocoded]
    assert len(auto) == 2 and {c.origin for c in auto} == {f"autocode:{result.run_guid}"}
    runs = p.autocode_runs()
    assert [(r["query"], r["codings_now"], r["codes"]) for r in runs] == [
        ("partner OR student", 2, ["motivation/partners-networks"])]
    events = p.history()
    assert events[0].action == "autocode" and "2 passages" in events[0].summary
    p.undo()
    assert dump(p) == before


def test_dry_run_plan_changes_nothing_and_marks_what_is_coded(coded_project: Project) -> None:
    p = coded_project
    hit = p.find("partner")[0]
    p.code_range("intervju-07", "partners-networks", hit.start, hit.end)
    before = dump(p)
    plan = p.plan_autocode(search="partner", code="partners-networks")
    assert [i.already for i in plan.items] == [True]
    assert dump(p) == before
    with pytest.raises(UserError, match="coded with this code already"):
        p.apply_autocode(plan)
    assert dump(p) == before


def test_speaker_and_keywords_runs(coded_project: Project) -> None:
    p = coded_project
    plan = p.plan_autocode(speaker="intervjuer", code="quality")
    assert plan.unit == "turn" and len(plan.items) == 3
    assert all(i.text.endswith("?") for i in plan.items)
    plan = p.plan_autocode(keywords=True)
    by_code = {i.code for i in plan.items}
    assert "motivation/partners-networks" in by_code  # keyword "partnere" finds "partnere"
    assert "motivation" in by_code  # keyword "motivasjon" finds "motivasjonen" by lemma
    one = p.plan_autocode(keywords=True, code="partners-networks")
    assert {i.code for i in one.items} == {"motivation/partners-networks"}
    result = p.apply_autocode(plan)
    assert result.added == len(plan.items)
    assert len(p.history()) and p.history()[0].action == "autocode"
    p.undo()
    assert p.codings() == []


def test_review_accepts_some_and_rejects_others(coded_project: Project) -> None:
    p = coded_project
    plan = p.plan_autocode(search="partner OR student OR finansiering", code="barriers")
    assert len(plan.items) == 3
    result = p.apply_autocode(plan, accept=[0, 2])
    assert (result.added, result.rejected) == (2, 1)
    assert [c.start for c in p.codings()] == [plan.items[0].start, plan.items[2].start]


@pytest.mark.parametrize("kwargs, message", [
    ({}, "exactly one of"),
    ({"search": "partner", "keywords": True, "code": "barriers"}, "exactly one of"),
    ({"search": "partner"}, "needs --code"),
    ({"search": "partner", "code": "nope"}, "unknown code"),
    ({"speaker": "Nobody", "code": "barriers"}, "no turns by speaker"),
])
def test_bad_runs_are_refused(coded_project: Project, kwargs: dict, message: str) -> None:
    with pytest.raises(UserError, match=message):
        coded_project.plan_autocode(**kwargs)


def test_origin_travels_into_quote_exports_and_filters(coded_project: Project,
                                                       tmp_path: Path) -> None:
    from casecoder.export.quotes import QuoteOptions, export_quotes

    p = coded_project
    p.code_range("intervju-07", "partners-networks", 0, 20)
    p.apply_autocode(p.plan_autocode(search="partner", code="partners-networks"))
    out = tmp_path / "q.json"
    export_quotes(p, out, QuoteOptions(themes=("motivation",)), "json")
    text = out.read_text(encoding="utf-8")
    origins = sorted(q["origin"].split(":")[0] for q in _quotes(json.loads(text)))
    assert origins == ["autocode", "manual"]
    export_quotes(p, out, QuoteOptions(themes=("motivation",), origin="manual"), "json")
    assert [q["origin"] for q in _quotes(json.loads(out.read_text("utf-8")))] == ["manual"]
    md = tmp_path / "q.md"
    export_quotes(p, md, QuoteOptions(themes=("motivation",)), "md")
    assert "(autocoded)" in md.read_text(encoding="utf-8")
    csv_out = tmp_path / "q.csv"
    export_quotes(p, csv_out, QuoteOptions(themes=("motivation",), origin="autocode"), "csv")
    lines = csv_out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].endswith(",origin") and len(lines) == 2
    assert ",autocode:" in lines[1]


def _quotes(data: dict) -> list[dict]:  # type: ignore[type-arg]
    found: list[dict] = []  # type: ignore[type-arg]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "origin" in node and "coding" in node:
                found.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    return found


def test_agreement_can_leave_autocoded_codings_out(coded_project: Project) -> None:
    from casecoder.analysis.agreement import build_agreement_data

    p = coded_project
    p.apply_autocode(p.plan_autocode(search="partner", code="partners-networks"))
    other = Project.open(p.path, coder="bob")
    try:
        other.code_range("intervju-07", "partners-networks", 0, 20)
    finally:
        other.close()
    with_auto = build_agreement_data(p, coders=["anna", "bob"])
    assert "intervju-07" in [d.name for d in with_auto.documents]
    # Without autocoded material anna has done nothing in the document: nothing to compare.
    with pytest.raises(UserError, match="not worked on by anna"):
        build_agreement_data(p, coders=["anna", "bob"], origin="manual")


def test_cli_autocode_dry_run_run_and_undo(coded_project: Project,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASECODER_CODER", "anna")
    path = str(coded_project.path)
    coded_project.close()
    runner = CliRunner()
    dry = runner.invoke(main, ["autocode", path, "--search", "partner", "--code",
                               "partners-networks", "--dry-run", "--format", "json"])
    assert dry.exit_code == 0, dry.output
    assert [r["status"] for r in json.loads(dry.stdout)] == ["would code"]
    run = runner.invoke(main, ["autocode", path, "--search", "partner", "--code",
                               "partners-networks", "--unit", "turn", "--format", "json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["coded"] == 1
    runs = json.loads(runner.invoke(main, ["autocode-runs", path, "--format", "json"]).stdout)
    assert runs[0]["unit"] == "turn" and runs[0]["codings_now"] == 1
    undo = runner.invoke(main, ["undo", path])
    assert undo.exit_code == 0 and "autocode" in undo.stdout
    assert json.loads(runner.invoke(main, ["codings", path, "--format", "json"]).stdout) == []
    bad = runner.invoke(main, ["autocode", path, "--search", "partner"])
    assert bad.exit_code == 2 and "needs --code" in bad.stderr
    bad = runner.invoke(main, ["autocode", path, "--search", "zebra", "--code", "barriers"])
    assert bad.exit_code == 2 and "found no passages" in bad.stderr
