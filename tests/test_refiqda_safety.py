"""Hostile and broken REFI-QDA files fail with one line and leave no half-made project."""

from __future__ import annotations

import io
import random
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from casecoder.cli import main
from casecoder.errors import UserError
from casecoder.exchange import build, codebooks
from casecoder.exchange.codebooks import import_codebook_csv, import_qdc
from casecoder.exchange.qdpx_read import import_qdpx
from casecoder.ingest import refiqda
from casecoder.project import Project

NS = 'xmlns="urn:QDA-XML:project:1.0"'
GOOD_QDE = f"""<?xml version="1.0" encoding="utf-8"?>
<Project {NS} name="ok"><Sources><TextSource guid="00000000-0000-0000-0000-000000000001"
 name="t"><PlainTextContent>Helt vanlig tekst.</PlainTextContent></TextSource></Sources>
</Project>"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Project [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ROOT name="&lol9;"><Codes><Code guid="00000000-0000-0000-0000-000000000002" name="&lol9;"
 isCodable="true"/></Codes></ROOT>"""


def qdpx(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def assert_nothing_left(folder: Path, *keep: Path) -> None:
    assert sorted(folder.iterdir()) == sorted(keep)


def refused(source: Path, folder: Path, match: str, *keep: Path) -> None:
    target = folder / "ny.cc.db"
    with pytest.raises(UserError, match=match) as info:
        import_qdpx(source, target)
    assert "\n" not in str(info.value)
    assert_nothing_left(folder, source, *keep)


def test_billion_laughs_is_refused_before_expansion(tmp_path: Path) -> None:
    source = qdpx(tmp_path / "lol.qdpx",
                  {"project.qde": LAUGHS.replace("ROOT", "Project").replace("<Codes>", "")
                   .replace("</Codes>", "").encode()})
    started = time.monotonic()
    refused(source, tmp_path, "refused: the XML declares entities")
    assert time.monotonic() - started < 2


def test_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "hemmelig.txt"
    secret.write_text("passord=hunter2", encoding="utf-8")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
           f'<Project {NS} name="&xxe;"/>')
    source = qdpx(tmp_path / "xxe.qdpx", {"project.qde": xxe.encode()})
    refused(source, tmp_path, "refused: the XML declares entities or external references",
            secret)


def test_hostile_codebooks_are_refused_and_change_nothing(project: Project,
                                                          tmp_path: Path) -> None:
    before = [c.guid for c in project.codes()]
    laughs = tmp_path / "lol.qdc"
    laughs.write_text(LAUGHS.replace("ROOT", 'CodeBook xmlns="urn:QDA-XML:codebook:1.0"')
                      .replace("</CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\">",
                               "</CodeBook>"), encoding="utf-8")
    with pytest.raises(UserError, match="declares entities"):
        import_qdc(project, laughs)
    xxe = tmp_path / "xxe.qdc"
    xxe.write_text('<!DOCTYPE CodeBook [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   '<CodeBook><Codes><Code guid="00000000-0000-0000-0000-000000000009" '
                   'name="&x;" isCodable="true"/></Codes></CodeBook>', encoding="utf-8")
    with pytest.raises(UserError, match="declares entities"):
        import_qdc(project, xxe)
    assert [c.guid for c in project.codes()] == before


def test_a_plain_doctype_without_entities_is_read(tmp_path: Path) -> None:
    source = qdpx(tmp_path / "dt.qdpx", {"project.qde": GOOD_QDE.replace(
        "<Project", "<!DOCTYPE Project>\n<Project").encode()})
    result = import_qdpx(source, tmp_path / "dt.cc.db")
    assert result.documents == 1


@pytest.mark.parametrize("member", ["../evil.txt", "sources/../../evil.txt", "/etc/evil.txt",
                                    "C:/evil.txt", "..\\evil.txt"])
def test_zip_slip_members_are_refused(tmp_path: Path, member: str) -> None:
    source = qdpx(tmp_path / "slip.qdpx", {"project.qde": GOOD_QDE.encode(), member: b"x"})
    refused(source, tmp_path, "refused: unsafe member path")
    assert not (tmp_path.parent / "evil.txt").exists()


@pytest.mark.parametrize("member", ["sources/bomb.txt", "sources/bomb.mp4"])
def test_zip_bomb_by_ratio_is_refused_before_inflating(tmp_path: Path, member: str) -> None:
    source = qdpx(tmp_path / "bomb.qdpx", {"project.qde": GOOD_QDE.encode(),
                                          member: b"\0" * (30 * 1024 * 1024)})
    assert source.stat().st_size < 100_000
    refused(source, tmp_path, "suspicious compression ratio")


def test_total_uncompressed_size_is_capped(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(refiqda, "MAX_QDPX_READ_BYTES", 4096)
    source = qdpx(tmp_path / "stor.qdpx", {"project.qde": GOOD_QDE.encode(),
                                          "sources/a.txt": bytes(range(256)) * 20})
    refused(source, tmp_path, "inflates to")


def test_embedded_media_does_not_count_towards_the_cap(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Media is listed and skipped, never inflated; a big video must not refuse the project."""
    monkeypatch.setattr(refiqda, "MAX_QDPX_READ_BYTES", 4096)
    qde = GOOD_QDE.replace("</Sources>", '<VideoSource guid="00000000-0000-0000-0000-00000000000'
                                         '7" name="opptak" path="internal://v.mp4"/></Sources>')
    source = qdpx(tmp_path / "video.qdpx", {"project.qde": qde.encode(),
                                           "sources/v.mp4": random.Random(7).randbytes(50_000)})
    result = import_qdpx(source, tmp_path / "ny.cc.db")
    assert result.documents == 1
    assert any("opptak (video)" in w for w in result.warnings)


@pytest.mark.parametrize(("members", "match"), [
    (None, "not a .qdpx project \\(not a valid zip archive\\)"),
    ({"sources/a.txt": b"tekst"}, "no project.qde inside"),
    ({"project.qde": b"<Project><Sources>"}, "not well-formed XML"),
    ({"project.qde": b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'},
     "is not a REFI-QDA project"),
    ({"project.qde": b"\xff\xfe\x00garbage"}, "not well-formed XML|not readable XML"),
])
def test_broken_files_fail_with_one_line(tmp_path: Path, members: dict[str, bytes] | None,
                                         match: str) -> None:
    source = tmp_path / "brudd.qdpx"
    if members is None:
        source.write_bytes(b"PK\x03\x04 this is not really a zip")
    else:
        qdpx(source, members)
    refused(source, tmp_path, match)


def test_failure_while_building_leaves_no_project(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    source = qdpx(tmp_path / "ok.qdpx", {"project.qde": GOOD_QDE.encode()})

    def explode(self: object) -> None:
        raise UserError("disk full (simulated)")

    monkeypatch.setattr(build._Build, "_memos", explode)
    refused(source, tmp_path, "simulated")
    monkeypatch.undo()
    assert import_qdpx(source, tmp_path / "ny.cc.db").documents == 1


def test_a_hostile_docx_inside_is_skipped_with_a_warning(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", LAUGHS)
    qde = GOOD_QDE.replace(
        "</Sources>", '<TextSource guid="00000000-0000-0000-0000-000000000005" name="farlig" '
                      'richTextPath="internal://d.docx"/></Sources>')
    source = qdpx(tmp_path / "docx.qdpx", {"project.qde": qde.encode(),
                                          "sources/d.docx": inner.getvalue()})
    result = import_qdpx(source, tmp_path / "ny.cc.db")
    assert result.documents == 1
    (warning,) = [w for w in result.warnings if "'farlig' not imported" in w]
    assert "DTD or entities" in warning
    assert "sources/d.docx" in warning and "casecoder-qdpx" not in warning


def test_existing_target_is_never_touched(tmp_path: Path) -> None:
    source = qdpx(tmp_path / "ok.qdpx", {"project.qde": GOOD_QDE.encode()})
    target = tmp_path / "finnes.cc.db"
    target.write_bytes(b"mine data")
    with pytest.raises(UserError, match="already exists"):
        import_qdpx(source, target)
    assert target.read_bytes() == b"mine data"


def test_cli_reports_a_hostile_file_in_one_line(tmp_path: Path) -> None:
    source = qdpx(tmp_path / "slip.qdpx", {"project.qde": GOOD_QDE.encode(),
                                          "../../evil.txt": b"x"})
    result = CliRunner().invoke(main, ["import-qdpx", str(source), str(tmp_path / "n.cc.db")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("casecoder: error:")
    assert_nothing_left(tmp_path, source)


def test_oversized_csv_codebook_is_refused(project: Project, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codebooks, "MAX_CSV_BYTES", 100)
    big = tmp_path / "stor.csv"
    big.write_text("tag\n" + "kode\n" * 100, encoding="utf-8")
    with pytest.raises(UserError, match="too large"):
        import_codebook_csv(project, big)
