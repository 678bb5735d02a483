"""The `agreement` and `disagreements` commands through Click's runner: formats, files, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_agreement import CODE, add_doc, code_units, sentence_example, sentences

from casecoder.cli import main
from casecoder.project import Project


@pytest.fixture
def example_path(tmp_path: Path) -> Path:
    project, _ = sentence_example(tmp_path / "s.cc.db", ("tema/kode", "tema/ubrukt"))
    project.close()
    return tmp_path / "s.cc.db"


def run(*args: object, status: int = 0) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == status, result.output + result.stderr
    return result


def test_json_report(example_path: Path) -> None:
    data = json.loads(run("agreement", example_path, "--format", "json").stdout)
    assert data["coders"] == ["A", "B"] and data["unit"] == "sentence" and data["n_units"] == 10
    code = {r["label"]: r for r in data["code_rows"]}
    figures = code[CODE]["figures"]
    assert figures["percent_agreement"]["value"] == pytest.approx(0.80)
    assert figures["cohen_kappa"]["value"] == pytest.approx(0.5833, abs=5e-5)
    assert figures["krippendorff_alpha"]["value"] == pytest.approx(0.6042, abs=5e-5)
    unused = code["tema/ubrukt"]["figures"]["krippendorff_alpha"]
    assert unused["value"] is None and "never used" in unused["reason"]
    assert [r["method"] for r in data["overall_rows"]] == ["pooled", "mean over codes"]
    assert len(data["data_hash"]) == 12
    assert set(data["definitions"]) == {s["key"] for s in data["statistics"]}
    assert data["documents"][0]["name"] == "intervju-01" and data["left_out"] == []
    assert "No missing ratings" in data["missing_data"]


def test_csv_report_parses_with_numbers_and_reasons(example_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("agreement", example_path,
                                               "--format", "csv").stdout)))
    by_label = {(r["scope"], r["label"], r["method"]): r for r in rows}
    row = by_label[("code", CODE, "")]
    assert float(row["cohen_kappa"]) == pytest.approx(0.5833, abs=5e-5)
    assert row["coded_A"] == "4" and row["disagreements"] == "2" and row["unit"] == "sentence"
    unused = by_label[("code", "tema/ubrukt", "")]
    assert unused["cohen_kappa"] == "" and "never used" in unused["cohen_kappa_reason"]
    assert ("overall", "all codes", "mean over codes") in by_label
    assert len({r["data_hash"] for r in rows}) == 1


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_markdown_and_html_carry_the_figures(example_path: Path, fmt: str) -> None:
    text = run("agreement", example_path, "--format", fmt).stdout
    for expected in ("0.800", "0.583", "0.604", "n/a", "code never used", "Krippendorff",
                     "Missing data", "intervju-01"):
        assert expected in text, expected
    data_hash = json.loads(run("agreement", example_path, "--format", "json").stdout)[
        "data_hash"]
    assert data_hash in text
    if fmt == "html":
        assert text.startswith("<!DOCTYPE html>") and 'class="num tentative"' in text


def test_terminal_table_has_legend_and_na(example_path: Path) -> None:
    out = run("agreement", example_path).stdout
    assert "Per code" in out and "0.583" in out and "n/a" in out
    assert "Legend" in out and "0.667" in out
    assert "(pooled)" in out and "(mean over" in out  # the label folds at 80 columns
    assert "10 units in 1 document\n" in out


def test_output_file_is_written_and_format_follows_the_suffix(example_path: Path,
                                                              tmp_path: Path) -> None:
    target = tmp_path / "rapport.json"
    target.write_text("old", encoding="utf-8")
    result = run("agreement", example_path, "-o", target, "--bootstrap", "50", "--seed", "4")
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["bootstrap"]["resamples"] == 50 and data["bootstrap"]["seed"] == 4
    assert data["data_hash"] in result.stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".rapport")] == []
    md = tmp_path / "rapport.md"
    run("agreement", example_path, "-o", md)
    assert md.read_text(encoding="utf-8").startswith("# Inter-coder agreement")
    refused = run("agreement", example_path, "-o", example_path, "--format", "md", status=2)
    assert "project file" in refused.stderr
    assert Project.open(example_path).codings()  # the project is untouched


def test_options_reach_the_report(example_path: Path) -> None:
    base = json.loads(run("agreement", example_path, "--format", "json").stdout)
    data = json.loads(run("agreement", example_path, "--format", "json", "--coders", "B,A",
                          "--code", "tema/kode", "--unit", "paragraph",
                          "--documents", "intervju-01").stdout)
    assert data["coders"] == ["B", "A"] and data["codes"] == [CODE] and data["n_units"] == 1
    assert data["data_hash"] != base["data_hash"]
    strict = json.loads(run("agreement", example_path, "--format", "json",
                            "--min-overlap", "95%").stdout)
    assert strict["min_overlap"] == pytest.approx(0.95)
    assert strict["code_rows"][0]["coded"] == {"A": 0, "B": 0}  # the codings sit inside
    bad = run("agreement", example_path, "--min-overlap", "2", status=2)
    assert "at most 1" in bad.stderr


def test_disagreements_listing(example_path: Path) -> None:
    data = json.loads(run("disagreements", example_path, "--coders", "A,B",
                          "--format", "json").stdout)
    rows = data["disagreements"]
    assert [(r["number"], r["coded_by"], r["not_coded_by"]) for r in rows] == [
        (1, ["A"], ["B"]), (8, ["B"], ["A"])]
    assert rows[0]["text"].startswith("Setning nummer 1 om «BIP-en»")
    table = run("disagreements", example_path, "--coders", "A,B").stdout
    assert "2 disagreements" in table and "Setning nummer 8" in table
    parsed = list(csv.DictReader(io.StringIO(run("disagreements", example_path, "--format",
                                                 "csv").stdout)))
    assert [r["number"] for r in parsed] == ["1", "8"]
    md = run("disagreements", example_path, "--format", "md").stdout
    assert "| intervju-01 | sentence 8 | tema/kode | B | A |" in md


@pytest.mark.parametrize(("args", "message"), [
    (("--coders", "A"), "at least 2 coders"),
    (("--coders", "A,Z"), "unknown coder 'Z'"),
    (("--code", "finnes/ikke"), "unknown code 'finnes/ikke'"),
    (("--documents", "nope"), "no document named 'nope'"),
])
@pytest.mark.parametrize("command", ["agreement", "disagreements"])
def test_one_line_errors(example_path: Path, command: str, args: tuple[str, ...],
                         message: str) -> None:
    result = run(command, example_path, *args, status=2)
    assert result.stderr.startswith("casecoder: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_a_project_with_one_coder_is_refused(tmp_path: Path) -> None:
    from test_agreement import new_project

    project = new_project(tmp_path / "one.cc.db")
    specs = add_doc(project, "d", sentences(3))
    code_units(project, "d", specs, "A", [1])
    project.close()
    result = run("agreement", tmp_path / "one.cc.db", status=2)
    assert "at least 2 coders" in result.stderr and result.stderr.count("\n") == 1


def test_demo_project_report(demo_path: Path) -> None:
    data = json.loads(run("agreement", demo_path, "--format", "json").stdout)
    assert data["coders"] == ["ingrid", "tomas"]
    assert data["documents"] and all(x["reason"] for x in data["left_out"])
    assert data["theme_rows"] and all(r["coded"]["ingrid"] > 0 for r in data["theme_rows"]
                                      if r["label"] != "alliance-links")
