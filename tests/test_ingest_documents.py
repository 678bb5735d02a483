"""PDF, ODT and RTF documents: text, pages, running headers, hyphens, and refusals."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docmakers import IMAGE_ONLY_STREAM, encrypt_pdf, make_odt, make_pdf, page_stream

from casecoder.cli import main
from casecoder.errors import ImportFileError
from casecoder.ingest import build_segments, import_paths, read_file
from casecoder.ingest.layout import join_lines
from casecoder.project import Project

HEAD = "Sluttrapport 2023 – Erasmus+ KA122 – Bø vidaregåande skule"


def report_pages() -> list[bytes]:
    """Three pages of a final report: a running header, a page footer, hyphenated words."""
    return [
        page_stream([HEAD,
                     "Prosjektet har gitt elevane nye erfaringar med mobilitet og internasjo-",
                     "nalt samarbeid. Vi har fått nye partnarar i Spania og Italia, og finan-",
                     "sieringa frå EU-",
                     "programmet var avgjerande for at det vart gjennomført.",
                     "Side 1 av 3"]),
        page_stream([HEAD,
                     "Barne- og ungdomsarbeid er viktig for oss. «Dette har vore det beste",
                     "året», sa ein lærar på avslutninga i Ålesund.",
                     "Side 2 av 3"]),
        page_stream([HEAD,
                     "Utfordringane var først og fremst knytte til finansiering og til at",
                     "skulane hadde ulike timeplanar.",
                     "Side 3 av 3"]),
    ]


@pytest.fixture
def report_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "sluttrapport.pdf"
    path.write_bytes(make_pdf(report_pages(), compress=True))
    return path


def test_pdf_text_drops_running_lines_joins_hyphens_and_keeps_pages(report_pdf: Path) -> None:
    source = read_file(report_pdf)
    assert source.format == "pdf"
    assert HEAD not in source.text and "Side 1" not in source.text
    assert "internasjonalt samarbeid" in source.text
    assert "finansieringa frå EU-programmet var avgjerande" in source.text
    assert "Barne- og ungdomsarbeid" in source.text
    assert source.text.count("\n\n") == 2  # one paragraph a page here
    assert any("header/footer" in w for w in source.warnings)
    by_page = {source.page_at(source.text.index(word)): word
               for word in ("Prosjektet", "Ålesund", "timeplanar")}
    assert by_page == {1: "Prosjektet", 2: "Ålesund", 3: "timeplanar"}
    segments = build_segments(source, "nb")
    paragraphs = [s for s in segments if s.kind == "paragraph"]
    assert [s.page for s in paragraphs] == [1, 2, 3]
    sentence = next(s for s in segments if s.kind == "sentence"
                    and "Ålesund" in source.text[s.start:s.end])
    assert sentence.page == 2


def test_hyphen_rules() -> None:
    assert join_lines("finan-", "siering") == "finansiering"
    assert join_lines("EU-", "programmet") == "EU-programmet"
    assert join_lines("barne-", "og ungdomsarbeid") == "barne- og ungdomsarbeid"
    assert join_lines("2019-", "2021") == "2019-2021"
    assert join_lines("slik", "vi") == "slik vi"


def test_pdf_paragraphs_end_at_short_lines(tmp_path: Path) -> None:
    lines = ["Første avsnitt går over flere linjer, slik rapporter gjerne skrives, og",
             "fortsetter her med like lange linjer som den første linja i avsnittet.",
             "Det slutter her.",
             "Andre avsnitt begynner på en ny linje og er også skrevet i full bredde",
             "helt til siste linje."]
    path = tmp_path / "avsnitt.pdf"
    path.write_bytes(make_pdf([page_stream(lines)]))
    source = read_file(path)
    assert source.text.split("\n\n") == [
        " ".join(lines[:3]), " ".join(lines[3:])]


def test_scanned_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "skannet.pdf"
    path.write_bytes(make_pdf([IMAGE_ONLY_STREAM, IMAGE_ONLY_STREAM]))
    with pytest.raises(ImportFileError, match=r"no text layer.*OCR"):
        read_file(path)


def test_partly_scanned_pdf_names_the_empty_pages(tmp_path: Path) -> None:
    path = tmp_path / "delvis.pdf"
    path.write_bytes(make_pdf([page_stream(["Innledning om prosjektet."]), IMAGE_ONLY_STREAM,
                               page_stream(["Avslutning."])]))
    source = read_file(path)
    assert any("page(s) 2" in w for w in source.warnings)
    assert source.page_at(source.text.index("Avslutning")) == 3


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kryptert.pdf"
    path.write_bytes(encrypt_pdf(make_pdf(report_pages())))
    with pytest.raises(ImportFileError, match="encrypted"):
        read_file(path)


def test_pdf_decompression_bomb_is_refused(tmp_path: Path) -> None:
    """30 MB of spaces compress to a few kilobytes; the stream limit is 20 MB."""
    bomb = b"BT /F1 11 Tf 56 800 Td (x) Tj ET\n" + b" " * 30_000_000
    path = tmp_path / "bombe.pdf"
    path.write_bytes(make_pdf([bomb], compress=True))
    assert path.stat().st_size < 100_000
    with pytest.raises(ImportFileError, match="decompression bomb"):
        read_file(path)


def test_not_a_pdf_and_broken_pdf(tmp_path: Path) -> None:
    fake = tmp_path / "falsk.pdf"
    fake.write_text("Dette er ikke en PDF", encoding="utf-8")
    with pytest.raises(ImportFileError, match="not a PDF"):
        read_file(fake)
    broken = tmp_path / "ødelagt.pdf"
    broken.write_bytes(make_pdf(report_pages())[:300])
    with pytest.raises(ImportFileError, match=r"ødelagt\.pdf"):
        read_file(broken)


# --- ODT -----------------------------------------------------------------------------------

ODT_BODY = (
    '<text:h text:outline-level="1">Intervju med prosjektleiar</text:h>'
    "<text:p>Intervjuer: Korleis kom de i gang med <text:span>Erasmus+</text:span>?</text:p>"
    "<text:p>Kari: Vi søkte første gong i 2019.<text:s text:c=\"2\"/>Det var krevjande."
    "<text:note><text:note-body><text:p>Fotnote som ikkje skal med.</text:p></text:note-body>"
    "</text:note></text:p>"
    "<office:annotation><text:p>Kommentar frå rettleiar</text:p></office:annotation>"
    "<text:list><text:list-item><text:p>Intervjuer: Kva med økonomien?</text:p></text:list-item>"
    "</text:list>"
    "<table:table><table:table-row><table:table-cell><text:p>År</text:p></table:table-cell>"
    "<table:table-cell><text:p>Søknader</text:p></table:table-cell></table:table-row>"
    "</table:table>"
    "<text:p>Kari: Den var stram,<text:line-break/>men det gjekk.</text:p>"
)


def test_odt_body_paragraphs_lists_tables_without_notes(tmp_path: Path) -> None:
    path = tmp_path / "intervju.odt"
    path.write_bytes(make_odt(ODT_BODY))
    source = read_file(path)
    assert source.format == "odt"
    assert source.text.split("\n") == [
        "Intervju med prosjektleiar",
        "Intervjuer: Korleis kom de i gang med Erasmus+?",
        "Kari: Vi søkte første gong i 2019.  Det var krevjande.",
        "Intervjuer: Kva med økonomien?",
        "År | Søknader",
        "Kari: Den var stram,", "men det gjekk."]
    speakers = {s.speaker for s in build_segments(source, "nb")
                if s.kind == "turn"}
    assert speakers == {"Intervjuer", "Kari", None}


def test_odt_refusals(tmp_path: Path) -> None:
    bomb = tmp_path / "bombe.odt"
    bomb.write_bytes(make_odt("<text:p>x</text:p>", extra={"Pictures/big.bin": b"\0" * 5_000_000}))
    with pytest.raises(ImportFileError, match="compression ratio"):
        read_file(bomb)
    entities = tmp_path / "entitet.odt"
    entities.write_bytes(make_odt("<text:p>&lol;</text:p>",
                                  prolog='<!DOCTYPE x [<!ENTITY lol "lol">]>'))
    with pytest.raises(ImportFileError, match="DTD or entities"):
        read_file(entities)
    sheet = tmp_path / "regneark.odt"
    sheet.write_bytes(make_odt("<text:p>x</text:p>",
                               mimetype="application/vnd.oasis.opendocument.spreadsheet"))
    with pytest.raises(ImportFileError, match="not an OpenDocument text"):
        read_file(sheet)
    escape = tmp_path / "sti.odt"
    with zipfile.ZipFile(escape, "w") as archive:
        archive.writestr("../../etc/passwd", "x")
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(ImportFileError, match="unsafe member path"):
        read_file(escape)
    not_zip = tmp_path / "tekst.odt"
    not_zip.write_text("hei", encoding="utf-8")
    with pytest.raises(ImportFileError, match="not a valid zip"):
        read_file(not_zip)


# --- RTF -----------------------------------------------------------------------------------

RTF = (r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Arial;}}"
       r"{\colortbl;\red0\green0\blue0;}"
       r"\f0\fs22 Intervjuer: Hva betydde prosjektet for skolen?\par "
       r"Informant: Det ga oss nye partnere i Sp\'e6nia, nei, Spania \u8211? og mye "
       r"l\'e6ring for elevene. Vi m\u248?tte \u171?nye\u187? folk.\par "
       r"{\pict\pngblip 89504e470d0a1a0a}"
       r"Intervjuer: Takk.\par }")


def test_rtf_text_with_escapes_and_speakers(tmp_path: Path) -> None:
    path = tmp_path / "intervju.rtf"
    path.write_bytes(RTF.encode("ascii"))
    source = read_file(path)
    assert source.format == "rtf"
    assert source.text.split("\n") == [
        "Intervjuer: Hva betydde prosjektet for skolen?",
        "Informant: Det ga oss nye partnere i Spænia, nei, Spania – og mye læring for "
        "elevene. Vi møtte «nye» folk.",
        "Intervjuer: Takk."]
    turns = [s for s in build_segments(source, "nb") if s.kind == "turn"]
    assert [t.speaker for t in turns] == ["Intervjuer", "Informant", "Intervjuer"]


def test_rtf_refusals(tmp_path: Path) -> None:
    fake = tmp_path / "falsk.rtf"
    fake.write_text("bare tekst", encoding="utf-8")
    with pytest.raises(ImportFileError, match="not an RTF"):
        read_file(fake)
    empty = tmp_path / "tom.rtf"
    empty.write_bytes(rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}\par }")
    with pytest.raises(ImportFileError, match="no text"):
        read_file(empty)


# --- through the project and the CLI ---------------------------------------------------------


def test_folder_import_takes_every_format_with_duplicates_and_pages(
        tmp_path: Path, report_pdf: Path) -> None:
    folder = tmp_path / "dokumenter"
    folder.mkdir()
    (folder / "sluttrapport.pdf").write_bytes(report_pdf.read_bytes())
    (folder / "intervju.odt").write_bytes(make_odt(ODT_BODY))
    (folder / "notat.rtf").write_bytes(RTF.encode("ascii"))
    (folder / "skannet.pdf").write_bytes(make_pdf([IMAGE_ONLY_STREAM]))
    assert [p.name for p in import_paths(folder)] == [
        "intervju.odt", "notat.rtf", "skannet.pdf", "sluttrapport.pdf"]
    project = tmp_path / "studie.cc.db"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(project), "--language", "nb"]).exit_code == 0
    result = runner.invoke(main, ["import", str(project), str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "skannet.pdf: the PDF has no text layer" in result.stderr
    again = runner.invoke(main, ["import", str(project), str(folder / "sluttrapport.pdf"),
                                 "--format", "json"])
    assert '"status": "skipped"' in again.output
    assert "identical content is already imported" in again.output
    with Project.open(project) as p:
        formats = {d.name: d.source_format for d in p.documents()}
        assert formats == {"intervju": "odt", "notat": "rtf", "sluttrapport": "pdf"}
        pages = [s.page for s in p.segments("sluttrapport", "paragraph")]
        assert pages == [1, 2, 3]
        assert {s.page for s in p.segments("intervju", "sentence")} == {None}
    shown = runner.invoke(main, ["show", str(project), "sluttrapport", "--unit", "paragraph"])
    assert shown.exit_code == 0
    assert "p. 2" in shown.output
    as_json = runner.invoke(main, ["show", str(project), "sluttrapport", "--format", "json"])
    assert '"page": 3' in as_json.output



def test_pdf_paragraphs_end_at_wider_line_gaps(tmp_path: Path) -> None:
    """Word processors put space between paragraphs; a full-width last line still ends one."""
    lines = ["Første avsnitt har to linjer som begge går nesten helt ut til høyre marg, og",
             "den siste linja er også lang nok til at lengden alene ikke avslører slutten.",
             "Andre avsnitt begynner etter et større mellomrom mellom linjene på siden, og",
             "fortsetter med en linje til som er omtrent like lang som de andre linjene."]
    path = tmp_path / "mellomrom.pdf"
    path.write_bytes(make_pdf([page_stream(lines, gap_after=[1])]))
    assert read_file(path).text.split("\n\n") == [" ".join(lines[:2]), " ".join(lines[2:])]


def test_corrupted_pdfs_and_odts_fail_with_one_line(tmp_path: Path) -> None:
    """Untrusted bytes: any damage gives a readable document or an ImportFileError."""
    import random

    rng = random.Random(15)
    samples = {"pdf": make_pdf(report_pages(), compress=True), "odt": make_odt(ODT_BODY),
               "rtf": RTF.encode("ascii")}
    for suffix, data in samples.items():
        for i in range(25):
            damaged = bytearray(data)
            if i % 2:
                damaged = damaged[:rng.randrange(1, len(damaged))]
            else:
                for _ in range(8):
                    damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            path = tmp_path / f"skadet-{i}.{suffix}"
            path.write_bytes(bytes(damaged))
            try:
                source = read_file(path)
            except ImportFileError as exc:
                assert str(exc).startswith(str(path)) and "\n" not in str(exc)
            else:
                assert source.text.strip()
