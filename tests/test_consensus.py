"""A complete consensus version on the sample study: seed, decide, export, count.

Everything goes through the CLI (reconcile, export quotes) and is checked against the Project
API and the agreement data, so the consensus export is judged by what the coders agreed on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from casecoder.analysis.agreement import agreed_spans, build_agreement_data, find_disagreements
from casecoder.cli import main
from casecoder.project import Project


def run(*args: Any) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def consensus_quotes(path: Path, out: Path) -> list[dict[str, Any]]:
    result = run("export", "quotes", path, "-o", out, "--coder", "consensus")
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    return [q for t in data["themes"] for s in t["sections"] for q in s["quotes"]]


def covers(quotes: list[dict[str, Any]], doc: str, code: str, start: int, end: int) -> bool:
    return any(q["document"] == doc and q["code"] == code and q["start"] <= start
               and q["end"] >= end for q in quotes)


def overlaps(quotes: list[dict[str, Any]], doc: str, code: str, start: int, end: int) -> bool:
    return any(q["document"] == doc and q["code"] == code and q["start"] < end
               and q["end"] > start for q in quotes)


def test_consensus_export_holds_agreed_and_decided_passages(demo_path: Path,
                                                             tmp_path: Path) -> None:
    result = run("reconcile", demo_path, "--coders", "ingrid,tomas", "--coder", "leder")
    assert result.exit_code == 0, result.output
    assert "seeded 'consensus' with" in result.output
    again = run("reconcile", demo_path, "--coders", "ingrid,tomas", "--coder", "leder")
    assert "with 0 agreed passage(s)" in again.output  # idempotent

    with Project.open(demo_path, coder="leder") as p:
        data = build_agreement_data(p, coders=["ingrid,tomas"])
        names = {d.id: d.name for d in p.documents()}
        paths = {c.id: c.path for c in p.codes()}
        agreed = [(names[d], paths[c], s, e) for d, c, s, e in agreed_spans(p, data)]
        rows = find_disagreements(data)
        assert p.consensus_coders() == {"consensus"}
    assert len(agreed) > 50 and len(rows) > 50
    # One disagreement of each kind, where the chosen coder coded the unit.
    picks: dict[str, Any] = {}
    for row in rows:
        if "a" not in picks and row.coded_by == ("ingrid",):
            picks["a"] = row
        elif "b" not in picks and row.coded_by == ("tomas",):
            picks["b"] = row
        elif "both" not in picks and row.coded_by == ("ingrid",) and row is not picks.get("a"):
            picks["both"] = row
        elif "neither" not in picks and row.coded_by == ("tomas",) \
                and row is not picks.get("b"):
            picks["neither"] = row
    assert set(picks) == {"a", "b", "both", "neither"}
    for take, row in picks.items():
        result = run("reconcile", demo_path, "--coders", "ingrid,tomas", "--coder", "leder",
                     "--take", take, "--code", row.code, "--doc", row.document, "--segments",
                     row.number, "--memo", "drøftet på møtet")
        assert result.exit_code == 0, result.output
    # Seeding again brings nothing back, not even the "neither" passage.
    again = run("reconcile", demo_path, "--coders", "ingrid,tomas", "--coder", "leder",
                "--format", "json")
    status = json.loads(again.output)
    assert status["seeded"] == 0
    assert status["decisions"] == {"a": 1, "b": 1, "both": 1, "neither": 1}

    quotes = consensus_quotes(demo_path, tmp_path / "consensus.json")
    for doc, code, start, end in agreed:
        assert covers(quotes, doc, code, start, end), (doc, code, start, end)
    with Project.open(demo_path) as p:
        for take in ("a", "b", "both"):
            row = picks[take]
            coder = row.coded_by[0]
            for c in p.codings(doc=row.document, code=row.code, coder=coder, subcodes=False):
                if c.start < row.end and c.end > row.start:
                    s, e = max(c.start, row.start), min(c.end, row.end)
                    assert covers(quotes, row.document, row.code, s, e), take
    neither = picks["neither"]
    assert not overlaps(quotes, neither.document, neither.code, neither.start, neither.end)


def test_consensus_is_left_out_of_agreement_unless_named(demo_path: Path) -> None:
    assert run("reconcile", demo_path, "--coders", "ingrid,tomas").exit_code == 0
    result = run("agreement", demo_path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["coders"] == ["ingrid", "tomas"]
    named = run("agreement", demo_path, "--coders", "ingrid,consensus", "--format", "json")
    assert json.loads(named.output)["coders"] == ["ingrid", "consensus"]
    listing = run("disagreements", demo_path, "--format", "csv")
    assert "consensus" not in listing.output.split("\n", 1)[1]


def test_undo_takes_a_decision_back(demo_path: Path) -> None:
    with Project.open(demo_path, coder="leder") as p:
        data = build_agreement_data(p, coders=["ingrid,tomas"])
        row = find_disagreements(data)[0]
        p.decide(into="consensus", doc=row.document, code=row.code, unit="sentence",
                 number=row.number, choice="both", coders=("ingrid", "tomas"))
        assert len(p.decisions("consensus")) == 1
        assert p.codings(coder="consensus")
        p.undo()
        assert p.decisions("consensus") == []
        assert p.coding_rows(["consensus"]) == []  # the coder made with it is gone too


def test_bad_decisions_are_one_line_errors(demo_path: Path) -> None:
    before = demo_path.read_bytes()
    for args, message in (
            (["--take", "a"], "--take needs --code, --doc and --segments"),
            (["--code", "barriers"], "go with --take"),
            (["--take", "a", "--code", "barriers/workload", "--doc",
              "c1-bip-helse-prosjektleder", "--segments", "9000"], "out of range"),
            (["--into", "ingrid"], "one of the compared coders")):
        result = run("reconcile", demo_path, "--coders", "ingrid,tomas", *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output
    assert demo_path.read_bytes() == before


def test_unused_codes_are_warned_about_and_can_be_left_out(demo_path: Path) -> None:
    result = run("agreement", demo_path, "--format", "md")
    assert "were applied by no compared coder" in result.output
    assert "--used-codes-only" in result.output
    used = run("agreement", demo_path, "--used-codes-only", "--format", "json")
    data = json.loads(used.output)
    assert data["unused_codes"] == []
    full = json.loads(run("agreement", demo_path, "--format", "json").output)
    assert len(data["codes"]) == len(full["codes"]) - len(full["unused_codes"])


def test_figures_are_judged_as_printed() -> None:
    from casecoder.analysis.report import level

    assert level("cohen_kappa", 0.39996) == "tentative"  # printed 0.400: not below 0.400
    assert level("cohen_kappa", 0.3994) == "poor"  # printed 0.399
    assert level("cohen_kappa", 0.66651) == ""  # printed 0.667: not below 0.667


def test_updating_one_document_equals_building_afresh(demo_project: Project) -> None:
    from casecoder.analysis.agreement import compute_agreement, update_documents

    p = demo_project
    data = build_agreement_data(p, coders=["ingrid,tomas"])
    doc = data.documents[1].name
    start, end = p.segment_span(doc, 3, 4)
    p.code_range(doc, "barriers/admin-support", start, end)  # as ingrid
    assert update_documents(p, data, [p.document(doc).id])
    fresh = build_agreement_data(p, coders=["ingrid,tomas"])
    assert data.data_hash == fresh.data_hash
    for code in data.codes:
        assert (data.presence(code.id) == fresh.presence(code.id)).all()
    mine, theirs = compute_agreement(data), compute_agreement(fresh)
    assert [r.figures for r in mine.rows()] == [r.figures for r in theirs.rows()]
    outside = next(d.id for d in p.documents() if d.id not in data.doc_ids)
    assert not update_documents(p, data, [outside])  # not compared: build afresh instead


def test_stats_and_docs_show_the_consensus_apart(demo_path: Path) -> None:
    assert run("reconcile", demo_path, "--coders", "ingrid,tomas").exit_code == 0
    stats = json.loads(run("stats", demo_path, "--format", "json").output)
    assert "consensus" not in stats["codings_per_coder"]
    assert stats["consensus_codings"]["consensus"] > 0
    docs = json.loads(run("docs", demo_path, "--format", "json").output)
    assert sum(d["consensus"] for d in docs) == stats["consensus_codings"]["consensus"]
    assert sum(d["codings"] for d in docs) == sum(stats["codings_per_coder"].values())


def test_interviewer_turns_can_be_left_out_of_the_units(demo_path: Path) -> None:
    full = json.loads(run("agreement", demo_path, "--format", "json").output)
    lean = run("agreement", demo_path, "--no-interviewers", "--format", "json")
    assert lean.exit_code == 0, lean.output
    lean_data = json.loads(lean.output)
    with Project.open(demo_path) as p:
        asked = sum(len(v) for k, v in p.interviewer_segments("sentence").items()
                    if p.document(k).name in {d["name"] for d in full["documents"]})
    assert lean_data["n_units"] == full["n_units"] - asked > 0
    assert "interviewer turns left out" in lean_data["unit_description"]
    assert lean_data["data_hash"] != full["data_hash"]
    # Decisions still name the segment numbers `casecoder show` prints.
    with Project.open(demo_path, coder="leder") as p:
        data = build_agreement_data(p, coders=["ingrid,tomas"], skip_interviewers=True)
        row = find_disagreements(data)[-1]
        sentence = p.segments(row.document, "sentence")[row.number - 1]
        assert (sentence.start, sentence.end) == (row.start, row.end)
        assert p.speaker(row.document, sentence.speaker or "").interviewer is False


def test_default_export_leaves_the_consensus_out(demo_path: Path, tmp_path: Path) -> None:
    assert run("reconcile", demo_path, "--coders", "ingrid,tomas").exit_code == 0
    out = tmp_path / "all.json"
    assert run("export", "quotes", demo_path, "-o", out).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    coders = {c for t in data["themes"] for s in t["sections"] for q in s["quotes"]
              for c in q["coder"].split(", ")}
    assert coders == {"ingrid", "tomas"}
    md = tmp_path / "all.md"
    assert run("export", "quotes", demo_path, "-o", md).exit_code == 0
    assert "The consensus version (consensus) is left out" in md.read_text(encoding="utf-8")


def test_a_decision_by_code_id_is_stored_field_by_field(demo_path: Path) -> None:
    """The review screen decides by code id; what is read back is what was decided."""
    with Project.open(demo_path, coder="leder") as p:
        data = build_agreement_data(p, coders=["ingrid,tomas"])
        row = find_disagreements(data)[0]
        code = p.code(row.code)
        p.decide(into="konsensus", doc=row.document, code=code.id, unit="sentence",
                 number=row.number, choice="a", coders=("ingrid", "tomas"),
                 memo="  drøftet   på møtet «enige» ")
        [decision] = p.decisions("konsensus", doc=row.document)
    assert (decision.consensus, decision.document, decision.code_id, decision.unit,
            decision.number, decision.choice) == ("konsensus", row.document, code.id,
                                                  "sentence", row.number, "a")
    assert (decision.start, decision.end) == (row.start, row.end)  # the unit decided on
    assert decision.coders == ("ingrid", "tomas")
    assert decision.memo == "drøftet på møtet «enige»"
    assert decision.decided_at.startswith("20")
