"""Importing codebooks: REFI-QDA .qdc (with sets) and CSV in the shape Taguette reads."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from casecoder.errors import UserError
from casecoder.exchange.codebooks import (
    export_codebook_csv,
    export_qdc,
    import_codebook_csv,
    import_qdc,
)
from casecoder.exchange.settings import CODE_SETS_SETTING
from casecoder.project import Project

NS = 'xmlns="urn:QDA-XML:codebook:1.0"'


def g(n: int) -> str:
    return str(uuid.UUID(int=n + (0x5EED << 80)))


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def tree(p: Project) -> list[tuple[str, str, str, str, bool]]:
    return [(c.guid, c.path, c.description, c.color, c.codable) for c in p.codes()]


@pytest.fixture
def empty(tmp_path: Path) -> Project:
    p = Project.create(tmp_path / "tom.cc.db", coder="anna")
    yield p  # type: ignore[misc]
    p.close()


def test_qdc_from_another_tool_with_sets(empty: Project, tmp_path: Path) -> None:
    qdc = write(tmp_path / "nvivo.qdc", f"""<?xml version="1.0" encoding="UTF-8"?>
<CodeBook {NS} origin="NVivo">
  <Codes>
    <Code guid="{{{g(1).upper()}}}" name="Topics" isCodable="false">
      <Code guid="{{{g(2).upper()}}}" name="Economy" isCodable="true" color="#FFFF00">
        <Description>Anything about jobs or taxes</Description>
      </Code>
      <Code guid="{g(3)}" name="Health/care" isCodable="true" color="#3c3"/>
      <Code guid="{g(4)}" name="  Values   and  norms " isCodable="true" color="blue"/>
    </Code>
    <Code guid="{g(5)}" name="Topics" isCodable="true"/>
  </Codes>
  <Sets>
    <Set guid="{g(10)}" name="Politics"><Description>x</Description>
      <MemberCode guid="{{{g(2).upper()}}}"/><MemberCode guid="{g(4)}"/></Set>
  </Sets>
</CodeBook>""")
    report = import_qdc(empty, qdc)
    assert report["added"] == ["Topics", "Topics/Economy", "Topics/Health-care",
                               "Topics/Values and norms", "Topics (2)"]
    assert report["sets"] == ["Politics"]
    assert any("'Health/care' -> 'Health-care'" in w for w in report["warnings"])
    codes = {c.path: c for c in empty.codes()}
    assert not codes["Topics"].codable and codes["Topics"].guid == g(1)
    assert codes["Topics/Economy"].color == "#ffff00"
    assert codes["Topics/Economy"].description == "Anything about jobs or taxes"
    assert codes["Topics/Health-care"].color == "#33cc33"
    assert codes["Topics/Values and norms"].guid == g(4)
    assert json.loads(empty.setting(CODE_SETS_SETTING)) == {"Politics": [g(2), g(4)]}
    again = import_qdc(empty, qdc)
    assert again["added"] == [] and len(again["unchanged"]) == 5


def test_taguette_flat_qdc_with_empty_sets(empty: Project, tmp_path: Path) -> None:
    """Taguette 1.5 writes names and GUIDs only, and an empty <Sets/> the schema does not
    allow; we read it anyway."""
    qdc = write(tmp_path / "taguette.qdc", f"""<?xml version='1.0' encoding='utf-8'?>
<CodeBook {NS}><Codes><Code guid="{g(1)}" name="interesting" isCodable="true"/>
<Code guid="{g(2)}" name="people.family" isCodable="true"/></Codes><Sets/></CodeBook>""")
    report = import_qdc(empty, qdc)
    assert report["added"] == ["interesting", "people.family"]
    assert report["sets"] == []


def test_qdc_round_trip_into_a_fresh_project(project: Project, tmp_path: Path,
                                             empty: Project) -> None:
    project.add_code("kategori", codable=False, description="Gruppe «x»")
    project.set_setting(CODE_SETS_SETTING, json.dumps(
        {"Viktig": [project.code("motivation").guid, project.code("kategori").guid]}))
    export_qdc(project, tmp_path / "bok.qdc")
    report = import_qdc(empty, tmp_path / "bok.qdc")
    assert len(report["added"]) == len(project.codes())
    assert tree(empty) == tree(project)
    assert json.loads(empty.setting(CODE_SETS_SETTING)) == \
        json.loads(project.setting(CODE_SETS_SETTING))


def test_qdc_merges_by_path_and_keeps_guids_unique(project: Project, tmp_path: Path) -> None:
    """A GUID the project already uses elsewhere (the code was renamed in the other tool) is
    not given to a second code; existing codes are updated in place."""
    motivation = project.code("motivation")
    qdc = write(tmp_path / "endret.qdc", f"""<CodeBook {NS}><Codes>
<Code guid="{motivation.guid}" name="motivasjon" isCodable="true"/>
<Code guid="{g(7)}" name="motivation" isCodable="true" color="#010203">
  <Description>Ny definisjon</Description></Code>
</Codes></CodeBook>""")
    report = import_qdc(project, qdc)
    assert report["added"] == ["motivasjon"] and report["changed"] == ["motivation"]
    assert project.code("motivation").guid == motivation.guid
    assert project.code("motivation").description == "Ny definisjon"
    assert project.code("motivasjon").guid != motivation.guid
    assert any("GUID of motivation" in w for w in report["warnings"])


def test_qdc_that_is_not_a_codebook_is_refused(empty: Project, tmp_path: Path) -> None:
    bad = write(tmp_path / "feil.qdc", '<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
    with pytest.raises(UserError, match="not a REFI-QDA codebook"):
        import_qdc(empty, bad)
    broken = write(tmp_path / "brudd.qdc", "<CodeBook><Codes><Code name=")
    with pytest.raises(UserError, match="not well-formed XML"):
        import_qdc(empty, broken)
    with pytest.raises(UserError, match="does not exist"):
        import_qdc(empty, tmp_path / "finnes-ikke.qdc")
    assert empty.codes() == []


# --- CSV -----------------------------------------------------------------------------------


def test_taguette_csv_export_imports_with_hierarchy(empty: Project, tmp_path: Path) -> None:
    csv_file = write(tmp_path / "codebook.csv",
                     "tag,description,number of highlights,number of documents\r\n"
                     "interesting,Things that surprised us,4,2\r\n"
                     "barrierer/økonomi,\"Penger, tid\",1,1\r\n"
                     "barrierer,Alt som hindrer,0,0\r\n")
    report = import_codebook_csv(empty, csv_file)
    assert report["added"] == ["interesting", "barrierer", "barrierer/økonomi"]
    codes = {c.path: c for c in empty.codes()}
    assert codes["barrierer/økonomi"].description == "Penger, tid"
    assert codes["barrierer"].description == "Alt som hindrer"
    assert all(c.codable for c in codes.values())


@pytest.mark.parametrize("content", [
    "\ufeffname;description\nsamarbeid;Med partnere\nkvalitet;\n",
    "Path\tDescription\nsamarbeid\tMed partnere\nkvalitet\t\n",
    "name\nsamarbeid\nkvalitet\n",
])
def test_csv_header_may_say_name_or_path_with_any_delimiter(empty: Project, tmp_path: Path,
                                                            content: str) -> None:
    report = import_codebook_csv(empty, write(tmp_path / "koder.csv", content))
    assert report["added"] == ["samarbeid", "kvalitet"]


def test_csv_round_trip_keeps_colour_category_guid_and_formula_text(
        project: Project, tmp_path: Path, empty: Project) -> None:
    project.add_code("=kategori", codable=False, description="-minus +pluss")
    export_codebook_csv(project, tmp_path / "bok.csv")
    import_codebook_csv(empty, tmp_path / "bok.csv")
    assert tree(empty) == tree(project)


def test_csv_without_codable_column_leaves_categories_alone(project: Project,
                                                            tmp_path: Path) -> None:
    project.add_code("kategori", codable=False)
    report = import_codebook_csv(project, write(tmp_path / "t.csv",
                                                "tag,description\nkategori,Ny tekst\n"))
    assert report["changed"] == ["kategori"]
    assert not project.code("kategori").codable
    assert project.code("kategori").description == "Ny tekst"


@pytest.mark.parametrize(("content", "message"), [
    ("code,description\nx,y\n", "'tag', 'name' or 'path' column"),
    ("tag\na//b\n", "row 2: 'a//b' is not a valid code path"),
    ("tag\nx\nX\n", "row 3: code 'X' appears twice"),
    ("tag,color\nx,red\n", "not of the form #rrggbb"),
    ("tag,guid\nx,not-a-guid\n", "row 2: 'not-a-guid' is not a GUID"),
    ("tag\n", "has no codes"),
])
def test_bad_csv_is_refused_before_anything_changes(project: Project, tmp_path: Path,
                                                    content: str, message: str) -> None:
    before = tree(project)
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_codebook_csv(project, write(tmp_path / "feil.csv", content))
    assert tree(project) == before


def test_csv_that_is_not_utf8_is_refused(empty: Project, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("tag\nbarrierer/økonomi\n".encode("latin-1"))
    with pytest.raises(UserError, match="not UTF-8"):
        import_codebook_csv(empty, path)
