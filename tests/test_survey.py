"""Survey spreadsheets as documents: columns, empty answers, formulas, re-import, exports."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from casecoder.cli import main
from casecoder.errors import ImportFileError, UserError
from casecoder.ingest import build_segments
from casecoder.ingest.survey import plan_survey, read_table
from casecoder.project import Project

LEARNED = "Hva lærte du av utvekslingen?"
HARD = "Hva var vanskeligst?"
ROWS = [
    ["Respondent", "Skole", "Trinn", LEARNED, HARD],
    ["r1", "Bø vidaregåande", "Vg2", "Jeg lærte å snakke spansk og ble tryggere på meg selv.",
     "Å være borte fra familien i tre uker."],
    ["r2", "Åsane vgs", "Vg3", "", ""],
    ["r3", "Åsane vgs", "Vg2", "=SUM(A1:A3) var det læreren skrev på tavla, «ærlig talt».",
     ""],
    ["r4", "Bø vidaregåande", "Vg3", "Samarbeid med elever fra Italia, og at det går an.",
     "+47 er landskoden, og telefonen virket ikke."],
]


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "cp1252",
              delimiter: str = ";") -> Path:
    lines = [delimiter.join(f'"{c}"' if delimiter in c or '"' in c else c for c in row)
             for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[str]], *, formula_cell: bool = False) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith(("=", "+")):
                cell.data_type = "s"  # typed text, as survey tools export it
    if formula_cell:
        sheet["F1"] = "Sum"
        sheet["F2"] = "=1+1"  # a real formula: read as its text, never evaluated
    book.save(path)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "studie.cc.db"
    assert CliRunner().invoke(main, ["init", str(path), "--language", "nb"]).exit_code == 0
    return path


def run(*args: object, ok: bool = True) -> object:
    result = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + result.stderr
    return result


def test_csv_in_windows_1252_with_defaults(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "elevsvar.csv", ROWS))
    assert table.encoding == "cp1252"
    assert table.columns == ROWS[0]
    plan = plan_survey(table, stem="elevsvar")
    assert plan.id_column == "Respondent"
    assert plan.text_columns == [LEARNED, HARD]
    assert plan.attribute_columns == ["Skole", "Trinn"]
    assert (plan.respondents, plan.empty_answers, plan.empty_respondents) == (4, 3, 1)
    assert [d.name for d in plan.documents] == ["elevsvar r1", "elevsvar r3", "elevsvar r4"]
    first = plan.documents[0]
    assert first.attributes == {"Skole": "Bø vidaregåande", "Trinn": "Vg2",
                                "respondent": "r1"}
    assert first.source.text == (f"{LEARNED}\nJeg lærte å snakke spansk og ble tryggere på "
                                 f"meg selv.\n\n{HARD}\nÅ være borte fra familien i tre uker.")
    third = plan.documents[1].source
    assert third.text.endswith("=SUM(A1:A3) var det læreren skrev på tavla, «ærlig talt».")


def test_answers_are_turns_spoken_by_their_question() -> None:
    table = read_table_rows(ROWS)
    source = plan_survey(table, stem="s").documents[0].source
    segments = build_segments(source, "nb")
    turns = [s for s in segments if s.kind == "turn"]
    assert [t.speaker for t in turns] == [LEARNED, HARD]
    assert [source.text[t.start:t.end] for t in turns] == [ROWS[1][3], ROWS[1][4]]
    paragraphs = [source.text[s.start:s.end] for s in segments if s.kind == "paragraph"]
    assert paragraphs == [ROWS[1][3], ROWS[1][4]]  # labels stay out of paragraphs
    for s in segments:
        assert LEARNED not in source.text[s.start:s.end]


def read_table_rows(rows: list[list[str]]) -> object:
    from casecoder.ingest.survey import Table

    return Table(rows[0], [list(r) for r in rows[1:]])


def test_xlsx_keeps_formula_looking_cells_as_text(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "elevsvar.xlsx", ROWS, formula_cell=True)
    table = read_table(path)
    assert table.columns == [*ROWS[0], "Sum"]
    assert table.rows[2][3].startswith("=SUM(A1:A3)")
    assert table.rows[3][4].startswith("+47")
    assert table.rows[0][5] == "=1+1"
    plan = plan_survey(table, stem="elevsvar", text_columns=[LEARNED, HARD],
                       attribute_columns=["skole"])
    assert plan.attribute_columns == ["Skole"]
    assert "+47 er landskoden" in plan.documents[2].source.text
    # A long column named as an attribute is not taken as an answer by default.
    attrs_only = plan_survey(table, stem="elevsvar", attribute_columns=[HARD])
    assert attrs_only.text_columns == [LEARNED]
    assert attrs_only.documents[0].attributes[HARD].startswith("Å være borte")


def test_per_answer_documents(tmp_path: Path) -> None:
    plan = plan_survey(read_table(write_csv(tmp_path / "s.csv", ROWS)), stem="s",
                       id_column="respondent", per="answer")
    assert [d.name for d in plan.documents] == ["s r1 q1", "s r1 q2", "s r3 q1", "s r4 q1",
                                                "s r4 q2"]
    assert plan.documents[1].attributes["question"] == HARD
    assert plan.documents[1].source.text == f"{HARD}\n{ROWS[1][4]}"


def test_bad_columns_are_one_line_errors(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "s.csv", ROWS))
    with pytest.raises(UserError, match="no column 'Klasse'"):
        plan_survey(table, stem="s", text_columns=["Klasse"])
    with pytest.raises(UserError, match="repeats Bø vidaregåande, Åsane vgs"):
        plan_survey(table, stem="s", id_column="Skole")
    with pytest.raises(UserError, match="both an answer and an attribute"):
        plan_survey(table, stem="s", text_columns=[HARD], attribute_columns=[HARD])
    numbers = read_table(write_csv(tmp_path / "tall.csv", [["id", "alder"], ["1", "17"]]))
    with pytest.raises(UserError, match="no column of the survey holds free text"):
        plan_survey(numbers, stem="tall")


def test_untrusted_files_are_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * 50_000_000)
    with pytest.raises(ImportFileError, match="compression ratio"):
        read_table(bomb)
    fake = tmp_path / "falsk.xlsx"
    fake.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="not a valid zip"):
        read_table(fake)
    with pytest.raises(ImportFileError, match=r"\.csv or \.xlsx"):
        read_table(tmp_path / "svar.ods")


def test_cli_import_reimport_and_quote_export(project: Path, tmp_path: Path) -> None:
    survey = write_xlsx(tmp_path / "elevsvar.xlsx", ROWS)
    first = json.loads(run("import-survey", project, survey, "--format", "json").output)
    assert (first["imported"], first["skipped"], first["empty_answers"]) == (3, 0, 3)
    again = json.loads(run("import-survey", project, survey, "--format", "json").output)
    assert (again["imported"], again["skipped"]) == (0, 3)
    with Project.open(project, coder="ingrid") as p:
        assert [d.name for d in p.documents()] == ["elevsvar r1", "elevsvar r3",
                                                   "elevsvar r4"]
        assert p.attributes("elevsvar r4") == {"Skole": "Bø vidaregåande", "Trinn": "Vg3",
                                               "respondent": "r4"}
        p.add_code("mestring")
        for name in ("elevsvar r1", "elevsvar r4"):
            first_turn = p.segments(name, "turn")[0]
            p.code_range(name, "mestring", first_turn.start, first_turn.end)
        second_turn = p.segments("elevsvar r4", "turn")[1]
        p.code_range("elevsvar r4", "mestring", second_turn.start, second_turn.end)
    out = tmp_path / "sitater.md"
    # The question answered is the quote's speaker, for a citation that names it.
    run("export", "quotes", project, "-o", out, "--by", "Skole",
        "--cite", "{respondent}, {speaker}")
    markdown = out.read_text(encoding="utf-8")
    assert "> Jeg lærte å snakke spansk og ble tryggere på meg selv." in markdown
    assert f"> — r1, {LEARNED}" in markdown
    assert f"> — r4, {HARD}" in markdown
    assert "| Code | Bø vidaregåande | Total |" in markdown  # the matrix by the attribute
    # Two respondents are two informants, not one per question they answered.
    assert "| **mestring (all)** | 3 | 3 | 2 | 2 | 0 |" in markdown
    csv_out = tmp_path / "sitater.csv"
    run("export", "quotes", project, "-o", csv_out, "--by", "Skole")
    lines = csv_out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 4 and "Samarbeid med elever fra Italia" in lines[2]


def test_cli_dry_run_and_errors(project: Path, tmp_path: Path) -> None:
    survey = write_csv(tmp_path / "elevsvar.csv", ROWS)
    dry = json.loads(run("import-survey", project, survey, "--dry-run", "--format",
                         "json").output)
    assert dry["documents"] == 3 and "imported" not in dry
    with Project.open(project) as p:
        assert p.documents() == []
    bad = run("import-survey", project, survey, "--text", "Klasse", ok=False)
    assert bad.exit_code == 2
    assert bad.stderr.startswith("casecoder: error: no column 'Klasse'")
