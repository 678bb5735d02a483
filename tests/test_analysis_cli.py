"""CLI tests for matrix, cooccurrence and framework: every format, errors, undo, migration."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from casecoder.cli import main
from casecoder.project import Project


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str) -> str:
    code, out, err = invoke(*args)
    assert code == 0, err or out
    return out


@pytest.mark.parametrize("command", [["matrix", "--by", "case_type"], ["cooccurrence"]])
@pytest.mark.parametrize("fmt", ["table", "json", "csv", "md"])
def test_printed_formats(demo_path: Path, command: list[str], fmt: str) -> None:
    out = ok(command[0], str(demo_path), *command[1:], "--format", fmt, "--code", "barriers")
    if fmt == "json":
        data = json.loads(out)
        assert data["kind"] == ("matrix" if command[0] == "matrix" else "cooccurrence")
        assert data["rows"][0]["code"] == "barriers"
    elif fmt == "csv":
        first = out.splitlines()[0]
        assert first == ("code,column,measure,value" if command[0] == "matrix"
                         else "code_a,code_b,measure,value")
    elif fmt == "md":
        assert out.startswith("# ") and "| code |" in out and "How" in out
    else:
        assert "workload-funding" in out


@pytest.mark.parametrize("command", [["matrix", "--by", "case_type"], ["cooccurrence"]])
@pytest.mark.parametrize("suffix", ["json", "csv", "md", "xlsx", "html"])
def test_file_formats(demo_path: Path, tmp_path: Path, command: list[str], suffix: str) -> None:
    target = tmp_path / f"out.{suffix}"
    out = ok(command[0], str(demo_path), *command[1:], "-o", str(target))
    assert f"wrote {target}" in out
    if suffix == "xlsx":
        with zipfile.ZipFile(target) as book:
            sheets = book.read("xl/workbook.xml").decode()
        assert "long" in sheets
    elif suffix == "html":
        text = target.read_text(encoding="utf-8")
        assert "<svg" in text and "<script" not in text and "barriers" in text
    else:
        assert target.stat().st_size > 100


def test_html_heat_map_is_normalised_when_columns_differ(demo_path: Path,
                                                         tmp_path: Path) -> None:
    target = tmp_path / "m.html"
    ok("matrix", str(demo_path), "--by", "case_type", "-o", str(target))
    text = target.read_text(encoding="utf-8")
    assert "normalised, the columns differ in size" in text
    assert "% of the column&#x27;s documents" in text


def test_matrix_errors_are_one_line_and_exit_2(demo_path: Path, tmp_path: Path) -> None:
    for args, message in [
        (["--by", "nope"], "unknown attribute 'nope'"),
        (["--by", "role", "--code", "nope"], "unknown code"),
        (["--by", "role", "--where", "role"], "ATTRIBUTE=VALUE"),
        (["--by", "role", "--coder", "nobody"], "unknown coder"),
        (["--by", "role", "--format", "xlsx"], "goes to a file"),
        (["--by", "role", "-o", str(tmp_path / "x.pdf")], "cannot tell the format"),
        (["--by", "role", "-o", str(demo_path), "--format", "csv"], "project file"),
        (["--by", "coder", "--coder", "ingrid", "--per-coder"], "every coder together"),
            (["--by", "role", "--per-coder", "--once-per-passage"], "contradict"),
    ]:
        code, out, err = invoke("matrix", str(demo_path), *args)
        assert code == 2, (args, out)
        assert message in err and len(err.strip().splitlines()) == 1, err


def test_matrix_filters_by_where_doc_and_coder(demo_path: Path) -> None:
    data = json.loads(ok("matrix", str(demo_path), "--by", "role", "--where",
                         "case_type=BIP", "--coder", "ingrid", "--format", "json"))
    assert "case_type = BIP" in data["selection"] and "coder ingrid" in data["selection"]
    total = next(c for c in data["columns"] if c["key"] == "(total)")
    assert total["n_documents"] == 3
    by_doc = json.loads(ok("matrix", str(demo_path), "--by", "document", "--format", "json"))
    assert len(by_doc["columns"]) == 13  # twelve documents and the total
    by_speaker = json.loads(ok("matrix", str(demo_path), "--by", "speaker", "--code",
                               "barriers", "--format", "json"))
    assert {c["key"] for c in by_speaker["columns"]} >= {"Informant", "(total)"}


def test_cooccurrence_leaves_out_nested_pairs_unless_asked(demo_path: Path) -> None:
    plain = json.loads(ok("cooccurrence", str(demo_path), "--code", "barriers", "--format",
                          "json"))
    assert ["barriers", "barriers/frameworks"] in plain["left_out"]
    assert all(c["code_a"] != "barriers" for c in plain["cells"])
    nested = json.loads(ok("cooccurrence", str(demo_path), "--code", "barriers", "--nested",
                           "--format", "json"))
    assert not nested["left_out"]
    assert any(c["code_a"] == "barriers" for c in nested["cells"])


def test_framework_set_show_export_and_undo(demo_path: Path, tmp_path: Path) -> None:
    db = str(demo_path)
    assert "summary saved" in ok("framework", "set", db, "--case", "c1", "--code",
                                 "barriers", "Rapporteringen er «tung» for små fagmiljø.",
                                 "--coder", "ingrid")
    ok("framework", "set", db, "--case", "C1", "--code", "barriers", "Tomas' versjon.",
       "--coder", "tomas")
    data = json.loads(ok("framework", "show", db, "--code", "barriers", "--format", "json"))
    c1 = next(r for r in data["rows"] if r["name"] == "C1")
    cell = c1["cells"][0]
    assert {s["coder"]: s["text"] for s in cell["summaries"]} == {
        "ingrid": "Rapporteringen er «tung» for små fagmiljø.", "tomas": "Tomas' versjon."}
    codings = json.loads(ok("codings", db, "--code", "barriers", "--format", "json"))
    docs = {d["name"]: d for d in json.loads(ok("docs", db, "--format", "json"))}
    assert cell["quotes"] == sum(1 for c in codings if docs[c["document"]]["case"] == "C1")
    assert "Rapporteringen" in ok("framework", "show", db, "--format", "md")
    for suffix in ("docx", "xlsx", "md", "json"):
        target = tmp_path / f"fw.{suffix}"
        assert f"wrote {target}" in ok("framework", "export", db, "-o", str(target))
        assert target.stat().st_size > 100
    with zipfile.ZipFile(tmp_path / "fw.docx") as doc:
        assert "Rapporteringen er «tung»" in doc.read("word/document.xml").decode()
    with Project.open(demo_path, coder="ingrid") as p:
        assert p.history(limit=1)[0].summary == "framework summary C1 x barriers"
    ok("undo", db, "--coder", "ingrid")
    data = json.loads(ok("framework", "show", db, "--code", "barriers", "--format", "json"))
    c1 = next(r for r in data["rows"] if r["name"] == "C1")
    assert [s["coder"] for s in c1["cells"][0]["summaries"]] == ["tomas"]


def test_framework_errors(demo_path: Path, tmp_path: Path) -> None:
    db = str(demo_path)
    for args, message in [
        (["set", db, "--case", "C99", "--code", "barriers", "x"], "no case named 'C99'"),
        (["set", db, "--code", "barriers", "x"], "exactly one of --case or --doc"),
        (["set", db, "--case", "C1", "--code", "nope", "x"], "unknown code"),
        (["export", db, "-o", str(tmp_path / "f.pdf")], "writes .docx, .xlsx, .md or .json"),
    ]:
        code, _out, err = invoke("framework", *args)
        assert code == 2 and message in err, err
    assert not (tmp_path / "f.pdf").exists()


def test_summaries_follow_merged_codes_and_go_with_deleted_ones(demo_project: Project) -> None:
    p = demo_project
    p.set_framework_summary("C1", "barriers/frameworks", "Rammeplanen styrer.")
    p.set_framework_summary("C1", "barriers/admin-support", "Lite støtte.")
    p.merge_code("barriers/frameworks", "barriers/admin-support")
    texts = [(s.code, s.text) for s in p.framework_summaries()]
    assert texts == [("barriers/admin-support", "Lite støtte.\nRammeplanen styrer.")]
    p.undo()
    assert len(p.framework_summaries()) == 2
    p.delete_code("barriers/admin-support", force=True)
    assert [s.code for s in p.framework_summaries()] == ["barriers/frameworks"]
    p.undo()
    assert len(p.framework_summaries()) == 2


def test_a_version_3_file_gains_the_framework_table(project_path: Path) -> None:
    from casecoder.store import APPLICATION_ID, SCHEMA_VERSION
    from casecoder.store.schema import MIGRATIONS

    conn = sqlite3.connect(project_path)
    conn.isolation_level = None
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    before = 3  # the last version without framework summaries
    for version in range(before):
        MIGRATIONS[version](conn)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.execute("INSERT INTO meta (key, value) VALUES ('language', 'nb')")
    conn.close()
    with Project.open(project_path, coder="anna") as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        p.add_code("tema")
        p.add_case("C1")
        p.set_framework_summary("C1", "tema", "Første sammendrag.")
        assert [s.text for s in p.framework_summaries()] == ["Første sammendrag."]
