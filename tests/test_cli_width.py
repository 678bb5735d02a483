"""The CLI's tables as a researcher reads them in an 80-column terminal.

A name or a code path split over two lines ("prosj / ektle der") cannot be read or copied,
so every listing is checked at COLUMNS=80 (and 120): each document name and code path the
JSON output holds must appear whole on one line of the table output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casecoder.cli import main
from casecoder.commands.tables import choose_columns, record_lines
from casecoder.project import Project

LONG_CODE = "alliance-links/alliance-student-priority-and-long-term-anchoring"


def run(*args: object, columns: int = 80, coder: str = "ingrid") -> Result:
    result = CliRunner(env={"COLUMNS": str(columns), "CASECODER_CODER": coder}).invoke(
        main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output + result.stderr
    return result


def assert_whole(output: str, names: set[str]) -> None:
    lines = output.splitlines()
    assert names
    for name in names:
        assert any(name in line for line in lines), f"{name!r} is split or missing:\n{output}"


@pytest.fixture
def study(demo_path: Path) -> Path:
    """The demo plus a long code applied by three coders to one passage."""
    for coder in ("ingrid", "tomas", "kari-mette"):
        with Project.open(demo_path, coder=coder) as p:
            if coder == "ingrid":
                p.add_code(LONG_CODE)
            start, end = p.segment_span("c4-eui-prorektor", 10, 12)
            p.code_range("c4-eui-prorektor", LONG_CODE, start, end,
                         memo="Lang memo: " + "prorektoren knytter BIP-en til alliansen " * 6)
    return demo_path


@pytest.mark.parametrize("columns", [80, 120])
def test_codings_never_split_names_or_paths(study: Path, columns: int) -> None:
    records = json.loads(run("codings", study, "--format", "json").stdout)
    table = run("codings", study, columns=columns).stdout
    assert_whole(table, {r["document"] for r in records} | {r["code"] for r in records})
    assert max(len(line) for line in table.splitlines()) <= columns


def test_codings_name_sentences_not_offsets(study: Path) -> None:
    table = run("codings", study, "--code", LONG_CODE).stdout
    assert "sentences 10-12" in table
    record = json.loads(run("codings", study, "--code", LONG_CODE, "--format", "json").stdout)[0]
    assert f"{record['start']}" not in table.split("sentences 10-12")[0]
    # the quote is wrapped in full, not cut to a few words
    assert record["text"].split()[-1] in table


@pytest.mark.parametrize("command", [["docs"], ["memos"], ["search", "finansiering"]])
def test_listings_keep_document_names_whole(study: Path, command: list[str]) -> None:
    records = json.loads(run(command[0], study, *command[1:], "--format", "json").stdout)
    key = "name" if command[0] == "docs" else "document" if command[0] == "search" else "target"
    names = {str(r[key]) for r in records if r[key]}
    out = run(command[0], study, *command[1:]).stdout
    assert_whole(out, names)
    assert "stat us" not in out and "sent ence" not in out


def test_import_table_at_80_columns(tmp_path: Path) -> None:
    folder = Path(__file__).resolve().parents[1] / "transcripts"
    path = tmp_path / "s.cc.db"
    run("init", path)
    out = run("import", path, folder).stdout
    stems = {f.stem for f in folder.iterdir() if f.suffix in (".txt", ".docx", ".vtt")}
    assert_whole(out, stems)
    assert "imported" in out


def test_agreement_keeps_code_paths_whole_and_leaves_out_unused_codes(study: Path) -> None:
    out = run("agreement", study, "--coders", "ingrid,tomas").stdout
    report = json.loads(run("agreement", study, "--coders", "ingrid,tomas",
                            "--format", "json").stdout)
    used = {r["label"] for r in report["code_rows"] if any(r["coded"].values())}
    unused = {r["label"] for r in report["code_rows"] if not any(r["coded"].values())}
    assert_whole(out, used)
    per_code = out.split("Per code")[1].split("Per theme")[0]
    assert unused and not any(line.startswith(label + " ") for label in unused
                              for line in per_code.splitlines())
    assert "codes nobody applied (--all-codes)" in out
    every = run("agreement", study, "--coders", "ingrid,tomas", "--all-codes").stdout
    assert_whole(every, used | unused)
    assert "α" in out  # the headline figures stay at 80 columns


def test_three_coders_agreement_at_80(study: Path) -> None:
    out = run("agreement", study, "--coders", "ingrid,tomas,kari-mette", "--code",
              LONG_CODE, "--partial").stdout
    assert_whole(out, {LONG_CODE})


def test_unknown_and_ambiguous_codes_get_suggestions(study: Path) -> None:
    runner = CliRunner(env={"CASECODER_CODER": "ingrid"})
    result = runner.invoke(main, ["codings", str(study), "--code", "barrier"])
    assert result.exit_code == 2
    assert "did you mean barriers" in result.stderr
    result = runner.invoke(main, ["codings", str(study), "--code", "funding"])
    assert result.exit_code == 2
    assert "barriers/workload-funding" in result.stderr
    assert "continuation/continued-funding" in result.stderr


def test_undo_names_document_and_sentence(study: Path) -> None:
    run("code", study, "--doc", "c4-eui-prorektor", "--code", "barriers/frameworks",
        "--segments", "20-21")
    out = run("undo", study).stdout
    assert "c4-eui-prorektor, sentences 20-21" in out
    assert "[" not in out


def test_docs_csv_holds_every_attribute(study: Path) -> None:
    out = run("docs", study, "--format", "csv").stdout
    header = out.splitlines()[0].split(",")
    with Project.open(study) as p:
        keys = {k for attrs in p.all_attributes().values() for k in attrs}
    assert keys <= set(header), keys - set(header)


def test_demo_says_where_it_wrote_the_project(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import casecoder.commands.tui as tui

    target = tmp_path / "d.cc.db"
    monkeypatch.setattr(tui, "_run_workbench", lambda *a: None)
    out = run("demo", target).stdout
    assert out.count(str(target)) >= 2  # on start and on quit


def test_columns_are_chosen_not_squeezed() -> None:
    rows = [{"name": "c1-bip-helse-prosjektleder", "status": "imported", "encoding": "utf-8",
             "text": "Vi ønsket å få nye partnere i Europa, og så var det «kvalitet»."}]
    shown, fits = choose_columns(rows, ["name", "status", "encoding", "empty", "text"], 70,
                                 optional=("encoding",))
    assert fits and shown == ["name", "status", "text"]
    shown, fits = choose_columns(rows, ["name", "status", "encoding", "text"], 30)
    assert not fits
    lines = record_lines(rows, shown, 30)
    assert "c1-bip-helse-prosjektleder" in lines
    assert all(len(line) <= 30 for line in lines)
