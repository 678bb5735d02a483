"""REFI-QDA writers: schema-valid, deterministic .qdc/.qdpx, and the CSV codebook for Taguette."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from casecoder.errors import UserError
from casecoder.exchange.capture import snapshot_of
from casecoder.exchange.codebooks import (
    codebook_csv_text,
    export_codebook_csv,
    export_qdc,
    qdc_bytes,
)
from casecoder.exchange.qdpx_write import export_qdpx, qdpx_members
from casecoder.exchange.refi_xml import selection_guid
from casecoder.exchange.settings import CODE_SETS_SETTING
from casecoder.model import CodingRecord
from casecoder.project import Project

SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "refi-qda"
P = "{urn:QDA-XML:project:1.0}"
C = "{urn:QDA-XML:codebook:1.0}"


def schema(name: str) -> Any:
    if not (SCHEMAS / name).exists():
        pytest.skip(f"REFI-QDA schemas not found at {SCHEMAS} (the shared folder is absent)")
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMAS / name))


def enrich(p: Project) -> Project:
    """A project with everything REFI-QDA can carry: two coders, memos of every kind, a coding
    memo, a case with attributes, a category code, code sets, an attribute on the document."""
    doc = p.documents()[0]
    text = p.text(doc)
    p.set_case(doc, "C7")
    p.set_attributes("C7", {"institusjon": "høgskole", "land": "Norge"}, owner_kind="case")
    p.set_attributes(doc.name, {"rolle": "prosjektleder"})
    p.add_code("motivation/økonomi", description="Penger «og» ressurser", color="#123abc")
    p.add_code("kategori", codable=False, description="Bare for gruppering")
    p.add_code("kategori/under", keywords=["nøkkel"], shortcut="9")
    first = p.code_segments(doc, "motivation/quality", 2, 3, memo="Tydelig motiv")
    start = text.index("kvalitet")
    p.add_codings([
        CodingRecord(doc.name, "motivation/quality", "tomas", start, start + 8,
                     memo="tomas: kort", created_at="2024-03-01T10:00:00Z"),
        CodingRecord(doc.name, "kategori/under", "tomas", 0, 20),
    ])
    p.set_memo("project", None, "Prosjektets hovednotat")
    p.set_memo("document", doc.name, "Notat om intervjuet")
    p.set_memo("code", "motivation/quality", "Kvalitet: se også barriers")
    p.set_memo("segment", (doc.name, "sentence", 4), "Denne setningen er viktig")
    p.set_memo("segment", (doc.name, "turn", 2), "Hele turen")
    p.set_setting(CODE_SETS_SETTING, json.dumps({
        "Kjerne": [p.code("motivation/quality").guid, p.code("kategori/under").guid],
        "Tom": []}))
    assert first.memo == "Tydelig motiv"
    return p


@pytest.fixture
def rich(coded_project: Project) -> Project:
    return enrich(coded_project)


def qde_tree(p: Project, **kwargs: Any) -> tuple[etree._Element, dict[str, bytes]]:
    members, _summary = qdpx_members(snapshot_of(p), **kwargs)
    files = dict(members)
    return etree.fromstring(files["project.qde"]), files


# --- codebooks ----------------------------------------------------------------------------


def test_qdc_validates_and_carries_the_tree(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "bok.qdc"
    export_qdc(rich, out)
    data = out.read_bytes()
    schema("Codebook.xsd").validate(data)
    root = etree.fromstring(data)
    assert root.tag == f"{C}CodeBook"
    motivation = root.find(f"{C}Codes/{C}Code[@name='motivation']")
    assert motivation is not None
    sub = motivation.find(f"{C}Code[@name='økonomi']")
    assert sub is not None and sub.get("color") == "#123abc"
    assert sub.findtext(f"{C}Description") == "Penger «og» ressurser"
    category = root.find(f"{C}Codes/{C}Code[@name='kategori']")
    assert category is not None and category.get("isCodable") == "false"
    assert category.get("guid") == rich.code("kategori").guid
    assert len(root.findall(f".//{C}Code")) == len(rich.codes())
    sets = {s.get("name"): [m.get("guid") for m in s] for s in root.iter(f"{C}Set")}
    assert sets == {"Kjerne": [rich.code("motivation/quality").guid,
                               rich.code("kategori/under").guid], "Tom": []}


def test_qdc_of_an_empty_codebook_is_refused(tmp_path: Path) -> None:
    with Project.create(tmp_path / "tom.cc.db", coder="anna") as p, \
            pytest.raises(UserError, match="empty"):
        export_qdc(p, tmp_path / "tom.qdc")
    assert not (tmp_path / "tom.qdc").exists()


def test_codebook_csv_has_taguette_columns_and_neutralises_formulas(project: Project,
                                                                   tmp_path: Path) -> None:
    project.add_code("=SUM(A1)", description="-farlig +start @navn")
    out = tmp_path / "bok.csv"
    export_codebook_csv(project, out)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["tag", "description", "color", "codable", "guid"]
    assert [r["tag"].removeprefix("'") for r in rows] == [c.path for c in project.codes()]
    assert [r["guid"] for r in rows] == [c.guid for c in project.codes()]
    risky = next(r for r in rows if r["guid"] == project.code("=SUM(A1)").guid)
    assert risky["tag"] == "'=SUM(A1)"
    assert risky["description"] == "'-farlig +start @navn"
    assert codebook_csv_text(project) == out.read_text(encoding="utf-8")


# --- projects -----------------------------------------------------------------------------


def test_qdpx_validates_against_the_project_schema(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "prosjekt.qdpx"
    summary = export_qdpx(rich, out)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        schema("Project.xsd").validate(archive.read("project.qde"))
    doc = rich.documents()[0]
    assert names == ["project.qde", f"sources/{doc.guid}.txt", "casecoder.json"]
    assert (summary.documents, summary.codings, summary.memos, summary.coders) == (1, 3, 5, 2)


def test_exporting_twice_gives_identical_bytes(rich: Project, tmp_path: Path) -> None:
    export_qdpx(rich, tmp_path / "a.qdpx")
    export_qdpx(rich, tmp_path / "b.qdpx")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    export_qdc(rich, tmp_path / "a.qdc")
    export_qdc(rich, tmp_path / "b.qdc")
    assert (tmp_path / "a.qdc").read_bytes() == (tmp_path / "b.qdc").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.qdpx") as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_every_coding_is_one_selection_with_coder_time_and_memo(rich: Project) -> None:
    root, files = qde_tree(rich)
    doc = rich.documents()[0]
    text = rich.text(doc)
    source = root.find(f"{P}Sources/{P}TextSource")
    assert source is not None
    assert source.get("guid") == doc.guid and source.get("name") == doc.name
    assert source.get("plainTextPath") == f"internal://{doc.guid}.txt"
    assert files[f"sources/{doc.guid}.txt"].decode("utf-8") == text
    users = {u.get("name"): u.get("guid") for u in root.iter(f"{P}User")}
    assert users == {c.name: c.guid for c in rich.coders()}
    codes = {c.guid: c for c in rich.codes()}
    selections = {s.get("guid"): s for s in source.iter(f"{P}PlainTextSelection")}
    for coding in rich.codings():
        sel = selections[selection_guid(coding.guid)]
        assert (int(sel.get("startPosition")), int(sel.get("endPosition"))) == \
            (coding.start, coding.end)
        assert sel.get("creatingUser") == users[coding.coder]
        assert (sel.findtext(f"{P}Description") or "") == coding.memo
        (coding_el,) = sel.findall(f"{P}Coding")
        assert coding_el.get("guid") == coding.guid
        assert coding_el.get("creatingUser") == users[coding.coder]
        assert coding_el.get("creationDateTime") == coding.created_at
        code_guid = coding_el.find(f"{P}CodeRef").get("targetGUID")
        assert codes[code_guid].path == coding.code_path
    tomas = next(c for c in rich.codings() if c.coder == "tomas" and c.memo)
    assert selections[selection_guid(tomas.guid)].find(f"{P}Coding").get(
        "creationDateTime") == "2024-03-01T10:00:00Z"


def test_memos_become_notes_with_note_refs(rich: Project) -> None:
    root, _files = qde_tree(rich)
    notes = {n.get("guid"): n for n in root.iter(f"{P}Note")}
    memos = {m.guid: m for m in rich.memos()}
    assert set(notes) == set(memos)
    for guid, note in notes.items():
        assert note.findtext(f"{P}PlainTextContent") == memos[guid].text
    refs: dict[str, str] = {}
    for parent in root.iter():
        for ref in parent.findall(f"{P}NoteRef"):
            refs[ref.get("targetGUID")] = etree.QName(parent).localname
    kinds = {m.guid: m.target_kind for m in rich.memos()}
    assert {g: refs[g] for g in kinds} == {
        g: {"project": "Project", "document": "TextSource", "code": "Code",
            "segment": "PlainTextSelection"}[k] for g, k in kinds.items()}
    assert root.findtext(f"{P}Description") == "Prosjektets hovednotat"
    doc = rich.documents()[0]
    sentence4 = rich.segments(doc, "sentence")[3]
    (seg_sel,) = [s for s in root.iter(f"{P}PlainTextSelection")
                  if s.get("name") == "sentence 4"]
    assert (int(seg_sel.get("startPosition")), int(seg_sel.get("endPosition"))) == \
        (sentence4.start, sentence4.end)
    assert seg_sel.find(f"{P}Coding") is None


def test_cases_variables_and_sets(rich: Project) -> None:
    root, _files = qde_tree(rich)
    variables = {v.get("name"): v.get("guid") for v in root.iter(f"{P}Variable")}
    assert set(variables) == {"institusjon", "land", "rolle"}
    assert variables["land"] == str(uuid.uuid5(uuid.UUID(rich.guid), "variable:land"))
    (case,) = root.iter(f"{P}Case")
    assert case.get("name") == "C7" and case.get("guid") == rich.cases()[0].guid
    by_guid = {g: n for n, g in variables.items()}

    def values(el: etree._Element) -> dict[str, str]:
        return {by_guid[v.find(f"{P}VariableRef").get("targetGUID")]: v.findtext(f"{P}TextValue")
                for v in el.findall(f"{P}VariableValue")}

    assert values(case) == {"institusjon": "høgskole", "land": "Norge"}
    assert [s.get("targetGUID") for s in case.findall(f"{P}SourceRef")] == \
        [rich.documents()[0].guid]
    source = root.find(f"{P}Sources/{P}TextSource")
    assert values(source) == {"rolle": "prosjektleder"}
    sets = {s.get("name"): [m.get("targetGUID") for m in s.findall(f"{P}MemberCode")]
            for s in root.iter(f"{P}Set")}
    assert sets["Kjerne"] == [rich.code("motivation/quality").guid,
                              rich.code("kategori/under").guid]


def test_crlf_export_counts_positions_in_the_written_text(rich: Project) -> None:
    root, files = qde_tree(rich, crlf=True)
    schema("Project.xsd").validate(etree.tostring(root))
    doc = rich.documents()[0]
    written = files[f"sources/{doc.guid}.txt"].decode("utf-8")
    assert "\r\n" in written and written.replace("\r\n", "\n") == rich.text(doc)
    quotes = {c.guid: rich.text(doc)[c.start:c.end] for c in rich.codings()}
    for sel in root.iter(f"{P}PlainTextSelection"):
        coding = sel.find(f"{P}Coding")
        if coding is None:
            continue
        start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        assert written[start:end].replace("\r\n", "\n") == quotes[coding.get("guid")]


def test_export_refuses_to_overwrite_the_project_file(rich: Project) -> None:
    before = Path(rich.path).read_bytes()
    with pytest.raises(UserError, match="project file"):
        export_qdpx(rich, Path(rich.path))
    assert Path(rich.path).read_bytes() == before


def test_extension_member_carries_what_refi_cannot(rich: Project) -> None:
    _root, files = qde_tree(rich)
    data = json.loads(files["casecoder.json"])
    under = rich.code("kategori/under")
    assert data["codes"][under.guid] == {"keywords": ["nøkkel"], "shortcut": "9"}
    doc = rich.documents()[0]
    assert data["documents"][doc.guid]["sha256"] == doc.sha256
    assert data["project"]["language"] == "nb"


def test_qdc_bytes_escape_awkward_names(project: Project) -> None:
    project.add_code('sitat "<&>" og «»')
    root = etree.fromstring(qdc_bytes(project))
    assert root.find(f"{C}Codes/{C}Code[@name='sitat \"<&>\" og «»']") is not None
