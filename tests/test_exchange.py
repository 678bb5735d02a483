"""The exchange room: snapshots, the one builder, and the REFI-QDA import fixes of issue 15.

Files are built by hand the way the tools write them: qc counts positions after CRLF -> LF,
NVivo writes nameless and empty sources, and some files carry no colours at all.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from casecoder.cli import main
from casecoder.exchange import build_into, snapshot_of
from casecoder.exchange.qdpx_read import import_qdpx
from casecoder.exchange.qdpx_write import export_qdpx, qdpx_members
from casecoder.exchange.team import merge_project
from casecoder.project import Project

NS = 'xmlns="urn:QDA-XML:project:1.0"'
P = "{urn:QDA-XML:project:1.0}"
LINES = ["Intervjuer: Hvorfor søkte dere om Erasmus+?",
         "Informant: Vi ønsket nye partnere i Europa, «kvalitet» først.",
         "Intervjuer: Og nå?",
         "Informant: Nei, ikke uten finansiering. Det blir for dyrt for oss."]
LF_TEXT = "\n".join(LINES) + "\n"


def g(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def write_qdpx(path: Path, qde: str, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde.encode("utf-8"))
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def qc_qdpx(path: Path, *, origin: str = "qc 1.2") -> Path:
    """A source written with CRLF whose positions count the text after CRLF -> LF, as qc
    writes them; one coding per informant line (lines 2 and 4), exactly the line."""
    selections = []
    for n, line_no in ((1, 1), (2, 3)):
        start = LF_TEXT.index(LINES[line_no])
        end = start + len(LINES[line_no])
        selections.append(
            f'<PlainTextSelection guid="{g(20 + n)}" startPosition="{start}" '
            f'endPosition="{end}"><Coding guid="{g(30 + n)}" creatingUser="{g(1)}">'
            f'<CodeRef targetGUID="{g(10)}"/></Coding></PlainTextSelection>')
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project {NS} name="qc-prosjekt" origin="{origin}">
  <Users><User guid="{g(1)}" name="kari"/></Users>
  <CodeBook><Codes><Code guid="{g(10)}" name="informant" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{g(5)}" name="intervju-1" plainTextPath="internal://{g(5)}.txt">
      {''.join(selections)}
    </TextSource>
  </Sources>
</Project>"""
    crlf = LF_TEXT.replace("\n", "\r\n").encode("utf-8")
    return write_qdpx(path, qde, {f"sources/{g(5)}.txt": crlf})


def test_qc_style_crlf_positions_land_exactly_on_their_lines(tmp_path: Path) -> None:
    result = import_qdpx(qc_qdpx(tmp_path / "qc.qdpx"), tmp_path / "qc.cc.db")
    with Project.open(result.project) as p:
        text = p.text("intervju-1")
        got = sorted(text[c.start:c.end] for c in p.codings())
    assert got == sorted([LINES[1], LINES[3]])
    said = result.notes + result.warnings
    assert any("after CRLF -> LF" in line and "positions read as counted" in line
               for line in said)


def test_qc_positions_are_detected_without_the_origin_and_said_as_a_warning(
        tmp_path: Path) -> None:
    result = import_qdpx(qc_qdpx(tmp_path / "qc.qdpx", origin="ukjent verktøy"),
                         tmp_path / "qc.cc.db")
    with Project.open(result.project) as p:
        assert sorted(p.text(c.document)[c.start:c.end] for c in p.codings()) == sorted([
            LINES[1], LINES[3]])
    assert any("read as counted after CRLF -> LF" in w for w in result.warnings)


def test_crlf_positions_as_written_are_kept_and_said(tmp_path: Path) -> None:
    """A MAXQDA-style file counts the CR: the same lines, positions as written."""
    crlf_text = LF_TEXT.replace("\n", "\r\n")
    start = crlf_text.index(LINES[3])
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project {NS} name="maxqda" origin="MAXQDA 2022">
  <CodeBook><Codes><Code guid="{g(10)}" name="informant" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{g(5)}" name="intervju-1" plainTextPath="internal://a.txt">
    <PlainTextSelection guid="{g(21)}" startPosition="{start}"
      endPosition="{start + len(LINES[3])}"><Coding guid="{g(31)}">
      <CodeRef targetGUID="{g(10)}"/></Coding></PlainTextSelection>
  </TextSource></Sources>
</Project>"""
    path = write_qdpx(tmp_path / "m.qdpx", qde, {"sources/a.txt": crlf_text.encode()})
    result = import_qdpx(path, tmp_path / "m.cc.db")
    with Project.open(result.project) as p:
        coding = p.codings()[0]
        assert p.text(coding.document)[coding.start:coding.end] == LINES[3]
    assert any("read as counted as written" in n for n in result.notes)


def nvivo_like(path: Path) -> Path:
    """A nameless source (its file names it), an empty source, metadata, no colours."""
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project {NS} name="NVivo" origin="NVivo 14" creatingUserGUID="{g(1)}"
  creationDateTime="2023-05-02T08:30:00Z" modifyingUserGUID="{g(2)}"
  modifiedDateTime="2024-01-15T14:00:00Z">
  <Users><User guid="{g(1)}" id="KN" name="Kari Nordmann"/><User guid="{g(2)}" id="OL"
    name="Ola"/></Users>
  <CodeBook><Codes><Code guid="{g(10)}" name="Motivasjon" isCodable="true"/>
    <Code guid="{g(11)}" name="Farget" isCodable="true" color="#aa0000"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{g(5)}" plainTextPath="internal://Intervju Åse.txt"/>
    <TextSource guid="{g(6)}" name="tom kilde" plainTextPath="internal://tom.txt"/>
  </Sources>
</Project>"""
    return write_qdpx(path, qde, {"sources/Intervju Åse.txt": LF_TEXT.encode("utf-8"),
                                  "sources/tom.txt": b""})


def test_nameless_and_empty_sources_metadata_and_colours_survive(tmp_path: Path) -> None:
    result = import_qdpx(nvivo_like(tmp_path / "n.qdpx"), tmp_path / "n.cc.db")
    assert result.warnings == []
    with Project.open(result.project) as p:
        assert sorted(d.name for d in p.documents()) == ["Intervju Åse", "tom kilde"]
        assert p.text("tom kilde") == ""
        assert p.setting("created_at") == "2023-05-02T08:30:00Z"
        uncoloured = p.code("Motivasjon")
        assert not uncoloured.color_set and uncoloured.color.startswith("#")
        assert p.code("Farget").color_set and p.code("Farget").color == "#aa0000"
        out = tmp_path / "ut.qdpx"
        export_qdpx(p, out)
    with zipfile.ZipFile(out) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    assert root.get("creationDateTime") == "2023-05-02T08:30:00Z"
    assert root.get("modifiedDateTime") == "2024-01-15T14:00:00Z"
    assert root.get("creatingUserGUID") == g(1) and root.get("modifyingUserGUID") == g(2)
    assert {u.get("name"): u.get("id") for u in root.iter(f"{P}User")} == {
        "Kari Nordmann": "KN", "Ola": "OL"}
    colours = {c.get("name"): c.get("color") for c in root.iter(f"{P}Code")}
    assert colours == {"Motivasjon": None, "Farget": "#aa0000"}
    assert len(list(root.iter(f"{P}TextSource"))) == 2
    again = import_qdpx(out, tmp_path / "igjen.cc.db")
    with Project.open(again.project) as q:
        assert q.text("tom kilde") == "" and not q.code("Motivasjon").color_set


def test_out_of_range_selections_are_counted(tmp_path: Path) -> None:
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project {NS} name="x">
  <CodeBook><Codes><Code guid="{g(10)}" name="k" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{g(5)}" name="a" plainTextPath="internal://a.txt">
    <PlainTextSelection guid="{g(21)}" startPosition="20" endPosition="5"><Coding
      guid="{g(31)}"><CodeRef targetGUID="{g(10)}"/></Coding></PlainTextSelection>
    <PlainTextSelection guid="{g(22)}" startPosition="30" endPosition="99999"><Coding
      guid="{g(32)}"><CodeRef targetGUID="{g(10)}"/></Coding></PlainTextSelection>
    <PlainTextSelection guid="{g(23)}" startPosition="99990" endPosition="99999"><Coding
      guid="{g(33)}"><CodeRef targetGUID="{g(10)}"/></Coding></PlainTextSelection>
  </TextSource></Sources>
</Project>"""
    result = import_qdpx(write_qdpx(tmp_path / "x.qdpx", qde, {"sources/a.txt":
                                                               LF_TEXT.encode()}),
                         tmp_path / "x.cc.db")
    joined = " | ".join(result.warnings)
    assert "1 selection(s) had their start after their end" in joined
    assert "1 selection(s) ran past the end" in joined
    assert "skipped 1 selection(s) whose positions lie outside" in joined


def test_snapshot_build_round_trip_keeps_everything(coded_project: Project,
                                                    tmp_path: Path) -> None:
    p = coded_project
    p.set_memo("project", None, "Prosjektnotat om «kvalitet»")
    p.code_range("intervju-07", "barriers", 100, 150, memo="Åses poeng")
    p.set_memo("segment", ("intervju-07", "sentence", 3), "setningsnotat")
    snap = snapshot_of(p)
    with Project.create(tmp_path / "kopi.cc.db", coder="anna") as copy:
        report = build_into(copy, snap, "new")
        assert report.warnings == []
        again = snapshot_of(copy)
    assert again.documents == snap.documents and again.codes == snap.codes
    assert again.codings == snap.codings and again.memos == snap.memos
    # The snapshot, written as .qdpx, is the same bytes whichever project it came from.
    assert qdpx_members(replace(again, guid=snap.guid, name=snap.name,
                                created_at=snap.created_at)) == qdpx_members(snap)


def test_extra_fields_pass_through_a_qdpx(coded_project: Project, tmp_path: Path) -> None:
    """Fields a newer casecoder adds ride in casecoder.json and come back unchanged."""
    coded_project.code_range("intervju-07", "barriers", 100, 150)
    coded_project.code_range("intervju-07", "barriers", 300, 350)
    snap = snapshot_of(coded_project)
    coding = replace(snap.codings[0], extra={"origin": "suggested"})
    doc = replace(snap.documents[0], extra={"pages": [1, 2]})
    snap = replace(snap, codings=(coding, *snap.codings[1:]), documents=(doc,))
    members, _ = qdpx_members(snap)
    path = tmp_path / "x.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    data = json.loads(dict(members)["casecoder.json"])
    assert data["extra"]["codings"][coding.guid] == {"origin": "suggested"}
    result = import_qdpx(path, tmp_path / "inn.cc.db")
    from casecoder.exchange.qdpx_read import snapshot_from_qdpx
    from casecoder.ingest.refiqda import read_qdpx

    back, _warnings, _notes = snapshot_from_qdpx(read_qdpx(path))
    assert next(k for k in back.codings if k.guid == coding.guid).extra == {
        "origin": "suggested"}
    assert back.documents[0].extra == {"pages": [1, 2]}
    assert result.codings == len(snap.codings)


def test_merging_the_same_file_twice_reports_0_changed(coded_project: Project,
                                                       project_path: Path,
                                                       tmp_path: Path) -> None:
    """Also when a coding of the other file was merged into a touching one here."""
    p = coded_project
    other_path = tmp_path / "bob.cc.db"
    runner = CliRunner()
    assert runner.invoke(main, ["copy-for-coder", str(project_path), str(other_path),
                                "--coder", "anna"]).exit_code == 0
    with Project.open(other_path, coder="anna") as other:
        other.code_range("intervju-07", "barriers", 30, 60)
    p.code_range("intervju-07", "barriers", 50, 90)
    first = merge_project(p, other_path)
    assert first.codings["merged"] == 1
    result = runner.invoke(main, ["merge", str(project_path), str(other_path)])
    assert result.exit_code == 0, result.output
    assert "; 0 changed" in result.stdout
    result = runner.invoke(main, ["merge", str(project_path), str(other_path),
                                  "--format", "json"])
    assert json.loads(result.stdout)["changes"] == 0


def test_merging_a_round_tripped_copy_changes_nothing(coded_project: Project,
                                                      tmp_path: Path) -> None:
    """Not even a setting or a coder: the log gains no event."""
    p = coded_project
    p.set_attributes("intervju-07", {"rolle": "prosjektleder"})
    p.code_range("intervju-07", "barriers", 100, 150)
    export_qdpx(p, tmp_path / "ut.qdpx")
    back = import_qdpx(tmp_path / "ut.qdpx", tmp_path / "inn.cc.db")
    events = len(p.history(limit=1000))
    report = merge_project(p, back.project)
    assert report.changes == 0 and report.codings["skipped"] == 1
    assert len(p.history(limit=1000)) == events
