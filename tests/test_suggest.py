"""Suggestions learned from the coder's own codings: sensible, explained, deterministic, and
never written to the project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from casecoder.analysis.suggest import suggest_document, suggest_span, train
from casecoder.cli import main
from casecoder.errors import UserError
from casecoder.project import Project

DOC = "intervju-07"


def _coded(p: Project) -> None:
    """Code two passages: partners (motivation) and money (barriers)."""
    for query, code in (("partner", "partners-networks"), ("penger", "workload-funding")):
        hit = p.find(query)[0]
        p.code_range(DOC, code, hit.start, hit.end)


def test_suggestions_follow_the_coders_own_codings(coded_project: Project,
                                                   tmp_path: Path) -> None:
    p = coded_project
    _coded(p)
    other = tmp_path / "annet.txt"
    other.write_text("Informant: Partnerne i Europa var viktige for oss. Vi fikk lite "
                     "penger til arbeidet.\n", encoding="utf-8")
    p.import_file(other)
    units = suggest_document(p, "annet")
    by_text = {u.text: u for u in units}
    partners = by_text["Partnerne i Europa var viktige for oss."]
    assert partners.codes[0].code == "motivation/partners-networks"
    assert partners.codes[0].examples[0].text == "Altså, vi ønsket å få nye partnere i Europa."
    money = by_text["Vi fikk lite penger til arbeidet."]
    assert money.codes[0].code == "barriers/workload-funding"
    assert all(0 < c.score <= 1 for u in units for c in u.codes)
    span = suggest_span(p, "annet", partners.start, partners.end, top=1)
    assert [c.code for c in span] == ["motivation/partners-networks"]


def test_suggestions_are_deterministic_and_change_nothing(coded_project: Project,
                                                          tmp_path: Path) -> None:
    p = coded_project
    _coded(p)
    before = list(p.conn.iterdump())
    first = [u.as_dict() for u in suggest_document(p, DOC, include_coded=True)]
    again = [u.as_dict() for u in suggest_document(p, DOC, include_coded=True)]
    assert first == again and first
    fresh = Project.open(p.path, coder="anna")
    try:
        assert [u.as_dict() for u in suggest_document(fresh, DOC, include_coded=True)] == first
    finally:
        fresh.close()
    assert list(p.conn.iterdump()) == before
    coded = {(c.start, c.end) for c in p.codings()}
    assert not any((u["start"], u["end"]) in coded
                   for u in (x.as_dict() for x in suggest_document(p, DOC)))


def test_no_codings_to_learn_from_is_a_user_error(coded_project: Project) -> None:
    with pytest.raises(UserError, match="no codings yet"):
        train(coded_project)
    with pytest.raises(UserError, match="no codings yet"):
        train(coded_project, coder="nobody")


def test_autocoded_codings_are_not_learned_by_default(coded_project: Project) -> None:
    p = coded_project
    p.apply_autocode(p.plan_autocode(search="partner", code="partners-networks"))
    with pytest.raises(UserError, match="no codings yet"):
        train(p)
    assert len(train(p, include_autocoded=True)) == 1


def test_cli_suggest_json_shape(coded_project: Project,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    p = coded_project
    _coded(p)
    path = str(p.path)
    p.close()
    monkeypatch.setenv("CASECODER_CODER", "anna")
    out = CliRunner().invoke(main, ["suggest", path, "--doc", DOC, "--top", "2",
                                    "--format", "json"])
    assert out.exit_code == 0, out.output
    units = json.loads(out.stdout)
    assert units and set(units[0]) >= {"start", "end", "text", "codes"}
    assert all(len(u["codes"]) <= 2 for u in units)
    first = units[0]["codes"][0]
    assert set(first) == {"code", "score", "examples"} and "/" in first["code"]
    bad = CliRunner().invoke(main, ["suggest", path, "--doc", "nope"])
    assert bad.exit_code == 2 and "no document named" in bad.stderr
