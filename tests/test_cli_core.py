"""The core commands through Click's test runner: output shapes and one-line errors."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from casecoder.cli import main

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "codebooks" / "erasmus-plus.yml"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CASECODER_CODER", "anna")
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):  # type: ignore[no-untyped-def]
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    return invoke


@pytest.fixture
def proj(run, tmp_path: Path, interview_file: Path) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "p.cc.db"
    run("init", path, "--codebook", CODEBOOK)
    run("import", path, interview_file, "--case", "C1", "--attr", "role=project leader")
    return path


def as_json(result) -> object:  # type: ignore[no-untyped-def]
    return json.loads(result.stdout)


def test_init_import_and_docs(run, proj: Path) -> None:  # type: ignore[no-untyped-def]
    docs = as_json(run("docs", proj, "--format", "json"))
    assert [d["name"] for d in docs] == ["intervju-07"]
    assert docs[0]["case"] == "C1" and docs[0]["attributes"]["role"] == "project leader"
    assert docs[0]["words"] > 50


def test_reimporting_identical_content_is_skipped(run, proj: Path,  # type: ignore[no-untyped-def]
                                                  interview_file: Path, tmp_path: Path) -> None:
    result = run("import", proj, interview_file, "--format", "json")
    assert as_json(result)[0]["status"] == "skipped"
    other = tmp_path / "intervju-07.md"
    other.write_text("Intervjuer: Noe helt annet.\nInformant: Ja.\n", encoding="utf-8")
    other_txt = tmp_path / "sub"
    other_txt.mkdir()
    clash = other_txt / "intervju-07.txt"
    clash.write_text("Intervjuer: En annen fil.\n", encoding="utf-8")
    result = run("import", proj, clash, ok=False)
    assert result.exit_code == 2
    assert "already named 'intervju-07'" in result.stderr
    assert len(as_json(run("docs", proj, "--format", "json"))) == 1
    run("import", proj, clash, "--name", "intervju-07b")
    assert len(as_json(run("docs", proj, "--format", "json"))) == 2


def test_show_json_has_text_and_every_segment(run, proj: Path) -> None:  # type: ignore[no-untyped-def]
    data = as_json(run("show", proj, "intervju-07", "--format", "json"))
    text = data["text"]
    kinds = {s["kind"] for s in data["segments"]}
    assert kinds == {"sentence", "turn", "paragraph"}
    for seg in data["segments"]:
        assert text[seg["start"]:seg["end"]] == seg["text"]
    turns = [s for s in data["segments"] if s["kind"] == "turn"]
    assert turns[1]["speaker"] == "Intervjuer" and turns[1]["timestamp"] == 5.0
    assert not turns[1]["text"].startswith("[00:00:05]")


def test_code_by_segments_list_uncode_undo_redo(run, proj: Path) -> None:  # type: ignore[no-untyped-def]
    coded = as_json(run("code", proj, "--doc", "intervju-07", "--code",
                        "Motivation/Inclusive-Mobility", "--segments", "5", "--memo", "typisk",
                        "--format", "json"))
    assert coded["code_path"] == "motivation/inclusive-mobility" and coded["coder"] == "anna"
    listed = as_json(run("codings", proj, "--format", "json"))
    assert listed[0]["text"] == coded["text"] and listed[0]["memo"] == "typisk"
    run("code", proj, "--doc", "intervju-07", "--code", "barriers", "--start", "10",
        "--end", "40")
    assert len(as_json(run("codings", proj, "--format", "json"))) == 2
    assert "barriers" in run("undo", proj).stdout
    assert len(as_json(run("codings", proj, "--format", "json", "--code", "barriers"))) == 0
    run("redo", proj)
    run("uncode", proj, "--doc", "intervju-07", "--code", "barriers", "--start", "10",
        "--end", "40")
    assert [c["code"] for c in as_json(run("codings", proj, "--format", "json"))] == [
        "motivation/inclusive-mobility"]
    csv_out = run("codings", proj, "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "document,code,coder,start,end,text,memo"


def test_search_and_stats(run, proj: Path) -> None:  # type: ignore[no-untyped-def]
    hits = as_json(run("search", proj, "partnere", "--format", "json"))
    assert hits and "partnere" in hits[0]["text"]
    stats = as_json(run("stats", proj, "--format", "json"))
    assert stats["documents"] == 1 and stats["codes"] == 39


def test_memo_and_log(run, proj: Path) -> None:  # type: ignore[no-untyped-def]
    run("memo", proj, "Godt intervju", "--doc", "intervju-07")
    run("memo", proj, "Viktig", "--doc", "intervju-07", "--segment", "3")
    memos = as_json(run("memos", proj, "--format", "json"))
    assert {(m["on"], m["text"]) for m in memos} == {("document", "Godt intervju"),
                                                       ("segment", "Viktig")}
    log = as_json(run("log", proj, "--format", "json"))
    assert log[0]["coder"] == "anna" and log[0]["summary"].startswith("memo on segment")


def test_codebook_commands_round_trip(run, proj: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("codebook", "add", proj, "barriers/visum", "--description", "Visumproblemer",
        "--keyword", "visum", "--shortcut", "9")
    shown = as_json(run("codebook", "show", proj, "--format", "json"))
    visum = next(c for c in shown if c["path"] == "barriers/visum")
    assert visum["shortcut"] == "9" and visum["keywords"] == ["visum"]
    assert next(c for c in shown if c["path"] == "barriers/frameworks")["shortcut"] is None
    run("codebook", "rename", proj, "barriers/visum", "visa")
    run("codebook", "move", proj, "barriers/visa", "continuation")
    out = tmp_path / "book.yml"
    run("codebook", "export", proj, "-o", out)
    fresh = tmp_path / "fresh.cc.db"
    run("init", fresh, "--codebook", out)
    paths = [c["path"] for c in as_json(run("codebook", "show", fresh, "--format", "json"))]
    assert "continuation/visa" in paths and len(paths) == 40
    report = run("codebook", "import", fresh, CODEBOOK).stdout
    assert "0 added" in report


@pytest.mark.parametrize("args, message", [
    (["code", "{p}", "--doc", "nope", "--code", "barriers", "--start", "0", "--end", "5"],
     "no document named 'nope'"),
    (["code", "{p}", "--doc", "intervju-07", "--code", "nope", "--start", "0", "--end", "5"],
     "unknown code 'nope'"),
    (["code", "{p}", "--doc", "intervju-07", "--code", "barriers", "--start", "0",
      "--end", "999999"], "outside"),
    (["code", "{p}", "--doc", "intervju-07", "--code", "barriers", "--segments", "900-901"],
     "out of range"),
    (["code", "{p}", "--doc", "intervju-07", "--code", "barriers", "--segments", "x"],
     "not of the form"),
    (["import", "{p}", "{f}", "--attr", "novalue"], "not of the form KEY=VALUE"),
    (["undo", "{p}", "--coder", "nobody"], "nothing to undo"),
    (["docs", "{missing}"], "casecoder init"),
    (["codebook", "delete", "{p}", "barriers"], None),
])
def test_user_errors_are_one_line_with_status_2(run, proj: Path, interview_file: Path,  # type: ignore[no-untyped-def]
                                                tmp_path: Path, args: list[str],
                                                message: str | None) -> None:
    if message is None:  # delete with codings: make one first
        run("code", proj, "--doc", "intervju-07", "--code", "barriers", "--segments", "2")
        message = "--force"
    before = as_json(run("codings", proj, "--format", "json"))
    filled = [a.format(p=proj, f=interview_file, missing=tmp_path / "missing.cc.db")
              for a in args]
    result = run(*filled, ok=False)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("casecoder: error:"), result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.output
    assert as_json(run("codings", proj, "--format", "json")) == before


def test_newer_project_file_is_refused(run, proj: Path) -> None:  # type: ignore[no-untyped-def]
    conn = sqlite3.connect(proj)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    result = run("docs", proj, ok=False)
    assert result.exit_code == 2 and "newer casecoder" in result.stderr


def test_bad_files_are_reported_and_the_rest_imported(run, proj: Path,  # type: ignore[no-untyped-def]
                                                      tmp_path: Path) -> None:
    good = tmp_path / "god.txt"
    good.write_text("Intervjuer: Hei.\nInformant: Hallo, vi snakker om Erasmus+.\n",
                    encoding="utf-8")
    empty = tmp_path / "tom.txt"
    empty.write_text("   \n", encoding="utf-8")
    binary = tmp_path / "bilde.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    pages = tmp_path / "rapport.pages"
    pages.write_bytes(b"PK")
    result = run("import", proj, good, empty, binary, pdf, pages, "--format", "json")
    statuses = {Path(r["path"]).name: r["status"] for r in as_json(result)}
    assert statuses == {"god.txt": "imported", "tom.txt": "failed", "bilde.txt": "failed",
                        "rapport.pdf": "failed", "rapport.pages": "failed"}
    assert "rapport.pdf: not a readable PDF" in result.stderr
    assert "unsupported" in result.stderr
    names = [d["name"] for d in as_json(run("docs", proj, "--format", "json"))]
    assert names == ["god", "intervju-07"]


def test_attributes_csv_reports_unknown_documents(run, proj: Path,  # type: ignore[no-untyped-def]
                                                  tmp_path: Path) -> None:
    csv_file = tmp_path / "attrs.csv"
    csv_file.write_text("document,case,case_type,role\nintervju-07,C9,KA220,prorektor\n"
                        "ukjent,C1,BIP,x\n", encoding="utf-8")
    result = run("attributes", proj, csv_file)
    assert "ukjent" in result.stderr
    doc = as_json(run("docs", proj, "--format", "json"))[0]
    assert doc["case"] == "C9" and doc["attributes"]["case_type"] == "KA220"


def test_attr_done_and_case_attributes(run, proj: Path) -> None:  # type: ignore[no-untyped-def]
    run("attr", proj, "--case", "C1", "case_type=BIP", "field=helse")
    run("attr", proj, "--doc", "intervju-07", "role=prorektor", "--set-case", "C1")
    doc = as_json(run("docs", proj, "--format", "json"))[0]
    assert doc["attributes"] == {"case": "C1", "case_type": "BIP", "field": "helse",
                                 "role": "prorektor"}
    run("attr", proj, "--doc", "intervju-07", "field=sosialfag")  # document overrides case
    run("attr", proj, "--doc", "intervju-07", "role=")  # empty value removes
    doc = as_json(run("docs", proj, "--format", "json"))[0]
    assert doc["attributes"]["field"] == "sosialfag" and "role" not in doc["attributes"]
    assert "done for anna" in run("done", proj, "--doc", "intervju-07").stdout
    result = run("attr", proj, "x=y", ok=False)
    assert result.exit_code == 2 and "exactly one of --doc or --case" in result.stderr


def test_import_codings_from_quotes(run, proj: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    quotes = tmp_path / "q.yml"
    quotes.write_text(
        "document: intervju-07\ncodings:\n"
        "  - coder: bob\n    code: barriers/workload-funding\n"
        "    quote: \"Rapporteringen er like tung som for lang mobilitet\"\n    memo: tungt\n"
        "  - coder: anna\n    code: continuation/continued-funding\n"
        "    quote: \"Nei, ikke uten finansiering.\"\n", encoding="utf-8")
    assert "2 added" in run("import-codings", proj, quotes).stdout
    assert "0 added" in run("import-codings", proj, quotes).stdout  # merged, not doubled
    codings = as_json(run("codings", proj, "--format", "json"))
    assert {(c["coder"], c["text"]) for c in codings} == {
        ("bob", "Rapporteringen er like tung som for lang mobilitet"),
        ("anna", "Nei, ikke uten finansiering.")}
    bad = tmp_path / "bad.yml"
    bad.write_text("document: intervju-07\ncodings:\n  - coder: bob\n    code: barriers\n"
                   "    quote: \"finnes ikke i teksten\"\n", encoding="utf-8")
    result = run("import-codings", proj, bad, ok=False)
    assert result.exit_code == 2 and "quote not found" in result.stderr
    assert len(as_json(run("codings", proj, "--format", "json"))) == 2


def test_set_rejects_a_pipeline_that_is_not_installed(run, proj: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("set", proj, "nlp_model", "nb_core_news_sm_not_here", ok=False)
    assert result.exit_code == 2 and "nb_core_news_sm_not_here" in result.stderr
    run("set", proj, "name", "Min studie")
    assert as_json(run("stats", proj, "--format", "json"))["project"] == "Min studie"


def test_argument_errors_are_one_line_too(run, proj: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for args, expected in [
        (["import", proj, tmp_path, "--language", "xx"], "'xx' is not one of"),
        (["code", proj, "--doc", "x", "--code", "y", "--start", "abc"], "not a valid integer"),
        (["no-such-command"], "No such command"),
    ]:
        result = run(*args, ok=False)
        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("casecoder: error:")
        assert expected in lines[0] and lines[0].endswith("--help)")


def test_import_takes_a_folder_of_transcripts(run, proj: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    (folder / "a.txt").write_text("Intervjuer: Hei.\nInformant: Om Erasmus+.\n",
                                  encoding="utf-8")
    (folder / "b.md").write_text("Intervjuer: Hallo.\nInformant: Om allianser.\n",
                                 encoding="utf-8")
    (folder / "~$a.docx").write_bytes(b"lock file from Word")
    (folder / "notater.pages").write_bytes(b"%PDF-1.4")
    result = as_json(run("import", proj, folder, "--format", "json"))
    assert [(Path(r["path"]).name, r["status"]) for r in result] == [("a.txt", "imported"),
                                                                     ("b.md", "imported")]
    empty = tmp_path / "tom"
    empty.mkdir()
    failed = run("import", proj, empty, ok=False)
    assert failed.exit_code == 2 and "no transcripts to import" in failed.stderr
