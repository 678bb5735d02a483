"""Team work: blind copies for a second coder, and merging their work back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from casecoder.cli import main
from casecoder.errors import UserError
from casecoder.exchange.team import copy_for_coder, merge_project
from casecoder.project import Project

DOC = "intervju-07"


def test_copy_for_coder_has_material_but_no_codings(coded_project: Project,
                                                    tmp_path: Path) -> None:
    p = coded_project
    p.set_attributes(DOC, {"role": "prosjektleder"})
    p.code_range(DOC, "barriers", 100, 150, memo="hemmelig vurdering")
    p.set_memo("document", DOC, "anna sine tanker")
    p.set_memo("code", "barriers", "Definisjon: alt som hindrer")
    out = copy_for_coder(p, tmp_path / "bob.cc.db", "bob")
    with Project.open(out, coder="bob") as copy:
        assert [d.name for d in copy.documents()] == [DOC]
        assert copy.text(DOC) == p.text(DOC)
        assert copy.attributes(DOC)["role"] == "prosjektleder"
        assert len(copy.codes()) == len(p.codes())
        assert copy.codings() == []
        assert [m.target_kind for m in copy.memos()] == ["code"]
        assert [e.action for e in copy.history()] == ["copy-for-coder"]
        with pytest.raises(UserError, match="nothing to undo"):
            copy.undo()
    raw = out.read_bytes()
    assert b"hemmelig vurdering" not in raw and b"anna sine tanker" not in raw


def test_merge_brings_codings_in_once(coded_project: Project, tmp_path: Path) -> None:
    p = coded_project
    p.code_range(DOC, "barriers", 100, 150)
    other_path = copy_for_coder(p, tmp_path / "bob.cc.db", "bob")
    with Project.open(other_path, coder="bob") as bob:
        bob.code_range(DOC, "barriers", 120, 170, memo="bob mener")
        bob.add_code("barriers/visum", description="Visum")
        bob.code_range(DOC, "barriers/visum", 10, 40)
        bob.set_memo("document", DOC, "bob sitt notat")
    dry = merge_project(p, other_path, dry_run=True)
    assert dry.codings["added"] == 2 and dry.codes_added == ["barriers/visum"]
    assert len(p.codings()) == 1 and not any(c.path == "barriers/visum" for c in p.codes())
    report = merge_project(p, other_path)
    assert report.codings == {"added": 2, "merged": 0, "skipped": 0}
    assert report.documents_matched == 1 and report.coders_added == ["bob"]
    assert report.memos_added == 1
    got = sorted((c.code_path, c.coder, c.start, c.end) for c in p.codings())
    assert got == [("barriers", "anna", 100, 150), ("barriers", "bob", 120, 170),
                   ("barriers/visum", "bob", 10, 40)]
    again = merge_project(p, other_path)
    assert not again.changed and again.codings["skipped"] == 2
    assert len(p.codings()) == 3


def test_merge_matches_documents_by_content_not_name(coded_project: Project,
                                                     tmp_path: Path) -> None:
    other_path = tmp_path / "other.cc.db"
    with Project.create(other_path, coder="bob") as other:
        src = tmp_path / "x" / f"{DOC}.txt"
        src.parent.mkdir()
        src.write_text("Intervjuer: Et helt annet intervju.\nInformant: Ja.\n", encoding="utf-8")
        assert other.import_file(src).status == "imported"
    report = merge_project(coded_project, other_path)
    assert report.documents_added == [f"{DOC} (other)"]
    assert any("differs from ours" in c for c in report.conflicts)


def test_merge_cli_and_errors(coded_project: Project, project_path: Path,
                              tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "bob.cc.db"
    result = runner.invoke(main, ["copy-for-coder", str(project_path), str(out),
                                  "--coder", "bob"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["merge", str(project_path), str(out), "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["documents_matched"] == 1
    result = runner.invoke(main, ["merge", str(project_path), str(project_path)])
    assert result.exit_code == 2 and "into itself" in result.stderr
    result = runner.invoke(main, ["copy-for-coder", str(project_path), str(out),
                                  "--coder", "bob"])
    assert result.exit_code == 2 and "already exists" in result.stderr
