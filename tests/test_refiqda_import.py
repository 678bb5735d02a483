"""Importing .qdpx files in the shapes NVivo, ATLAS.ti, MAXQDA and QualCoder write them.

The files are built by hand here, each with the quirks the engineering notes list for that
tool, and positions are computed in the text exactly as the tool would have written it.
"""

from __future__ import annotations

import io
import unicodedata
import uuid
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

from casecoder.exchange.qdpx_read import import_qdpx
from casecoder.ingest.text import normalise, normalise_with_positions
from casecoder.project import Project

NS = 'xmlns="urn:QDA-XML:project:1.0"'


def guid(n: int, *, braced: bool = False, upper: bool = False) -> str:
    value = str(uuid.UUID(int=n + (0xABCDEF << 64)))
    value = value.upper() if upper else value
    return "{" + value + "}" if braced else value


def canon(n: int) -> str:
    return guid(n)


def make_qdpx(path: Path, qde: str, files: dict[str, bytes] | None = None, *,
              qde_name: str = "project.qde") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(qde_name, qde.encode("utf-8"))
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    return path


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def quotes(p: Project) -> dict[tuple[str, str], str]:
    """(code path, coder) -> quoted text, for every coding."""
    return {(c.code_path, c.coder): p.text(c.document)[c.start:c.end] for c in p.codings()}


# --- NVivo: braced upper-case GUIDs, basePath, CRLF, typed variables ---------------------

NVIVO_TEXT = ("Intervjuer: Hvorfor søkte dere?\r\n"
              "Informant: Vi ønsket nye partnere i Europa. Og «kvalitet», da.\r\n\r\n"
              "Intervjuer: Fortsetter dere?\r\n"
              "Informant: Nei, ikke uten finansiering. Det er dyrt.\r\n")


def nvivo_qdpx(path: Path) -> Path:
    g = {n: guid(n, braced=True, upper=True) for n in range(1, 40)}
    a, b = span(NVIVO_TEXT, "nye partnere i Europa")
    c, d = span(NVIVO_TEXT, "ikke uten finansiering")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project {NS} name="NVivo-prosjekt" origin="NVivo 14" creatingUserGUID="{g[1]}"
  basePath="C:\\Users\\kari\\Documents\\NVivo" creationDateTime="2024-02-01T09:00:00Z">
  <Users>
    <User guid="{g[1]}" name="Kari Nordmann"/>
    <User guid="{g[2]}" name="Ola"/>
  </Users>
  <CodeBook><Codes>
    <Code guid="{g[10]}" name="Temaer" isCodable="false">
      <Code guid="{g[11]}" name="Motivasjon" isCodable="true" color="#F00082">
        <Description>Hvorfor de søkte</Description>
        <NoteRef targetGUID="{g[31]}"/>
        <Code guid="{g[12]}" name="Partnere" isCodable="true" color="#0a0"/>
      </Code>
      <Code guid="{g[13]}" name="Barrierer" isCodable="true">
        <Code guid="{g[14]}" name="Økonomi/penger" isCodable="true"/>
        <Code guid="{g[15]}" name="Tid" isCodable="true"><Code guid="{g[16]}" name="Frister"
          isCodable="true"/></Code>
      </Code>
    </Code>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="{g[20]}" name="Alder" typeOfVariable="Integer"/>
    <Variable guid="{g[21]}" name="Leder" typeOfVariable="Boolean"/>
    <Variable guid="{g[22]}" name="Rolle" typeOfVariable="Text"/>
  </Variables>
  <Cases>
    <Case guid="{g[25]}" name="Informant A">
      <Description>Prosjektleder ved en høgskole</Description>
      <VariableValue><VariableRef targetGUID="{g[20]}"/><IntegerValue>45</IntegerValue>
      </VariableValue>
      <VariableValue><VariableRef targetGUID="{g[21]}"/><BooleanValue>true</BooleanValue>
      </VariableValue>
      <SourceRef targetGUID="{g[5]}"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="{g[5]}" name="Intervju A" plainTextPath="internal://{g[5][1:-1]}.txt"
      creatingUser="{g[1]}">
      <PlainTextSelection guid="{g[6]}" startPosition="{a}" endPosition="{b}"
        creatingUser="{g[1]}" creationDateTime="2024-02-02T10:00:00Z">
        <Coding guid="{g[7]}" creatingUser="{g[1]}" creationDateTime="2024-02-02T10:00:00Z">
          <CodeRef targetGUID="{g[12]}"/>
        </Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{g[8]}" startPosition="{c}" endPosition="{d}"
        creatingUser="{g[2]}">
        <Description>Viktig sitat</Description>
        <Coding guid="{g[9]}" creatingUser="{g[2]}"><CodeRef targetGUID="{g[13]}"/></Coding>
      </PlainTextSelection>
      <NoteRef targetGUID="{g[30]}"/>
      <VariableValue><VariableRef targetGUID="{g[22]}"/><TextValue>koordinator</TextValue>
      </VariableValue>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="{g[30]}" name="Om intervjuet" creatingUser="{g[2]}"
      creationDateTime="2024-02-03T08:00:00Z"><PlainTextContent>Godt intervju.</PlainTextContent>
    </Note>
    <Note guid="{g[31]}" name="Kodenotat" creatingUser="{g[1]}">
      <PlainTextContent>Brukes bredt.</PlainTextContent></Note>
  </Notes>
</Project>"""
    files = {f"Sources/{g[5][1:-1]}.TXT": NVIVO_TEXT.encode("utf-8"),
             "Sources/thumbnail.png": b"\x89PNG\r\n\x1a\n",
             "Sources/other-export.txt": b"not referenced by anything"}
    return make_qdpx(path, qde, files)


def test_nvivo_style_file(tmp_path: Path) -> None:
    result = import_qdpx(nvivo_qdpx(tmp_path / "nvivo.qdpx"), tmp_path / "nvivo.cc.db")
    assert (result.documents, result.codings, result.cases) == (1, 2, 1)
    with Project.open(tmp_path / "nvivo.cc.db") as p:
        assert p.name == "NVivo-prosjekt"
        (doc,) = p.documents()
        assert doc.guid == canon(5) and doc.name == "Intervju A"
        assert "\r" not in p.text(doc)
        assert quotes(p) == {("Temaer/Motivasjon/Partnere", "Kari Nordmann"):
                             "nye partnere i Europa",
                             ("Temaer/Barrierer", "Ola"): "ikke uten finansiering"}
        assert {c.guid for c in p.codings()} == {canon(7), canon(9)}
        ola = next(c for c in p.codings() if c.coder == "Ola")
        assert ola.memo == "Viktig sitat"
        kari = next(c for c in p.codings() if c.coder == "Kari Nordmann")
        assert kari.created_at == "2024-02-02T10:00:00Z"
        assert [c.path for c in p.codes()] == [
            "Temaer", "Temaer/Motivasjon", "Temaer/Motivasjon/Partnere", "Temaer/Barrierer",
            "Temaer/Barrierer/Økonomi-penger", "Temaer/Barrierer/Tid",
            "Temaer/Barrierer/Tid/Frister"]
        assert not p.code("Temaer").codable and p.code("Frister").codable
        assert p.code("Partnere").color == "#00aa00"
        assert p.code("Motivasjon").guid == canon(11)
        assert p.attributes(doc) == {"Alder": "45", "Leder": "true", "Rolle": "koordinator",
                                     "case": "Informant A"}
        assert [(c.guid, c.description) for c in p.cases()] == \
            [(canon(25), "Prosjektleder ved en høgskole")]
        memos = {(m.target_kind, m.target, m.coder): m.text for m in p.memos()}
        assert memos == {("document", "Intervju A", "Ola"): "Godt intervju.",
                         ("code", "Temaer/Motivasjon", "Kari Nordmann"): "Brukes bredt."}
        assert {c.name: c.guid for c in p.coders()} == {"Kari Nordmann": canon(1),
                                                        "Ola": canon(2)}
    assert any("Økonomi-penger" in w for w in result.warnings)


# --- ATLAS.ti: plain and rich paths, media sources, links, sets, vendor elements ---------

ATLAS_TEXT = "Mabel: Vi spiste frokost. Kaffe og brød hver dag.\nOg så dro vi på jobb."


def atlas_qdpx(path: Path) -> Path:
    g = {n: guid(n, upper=True) for n in range(1, 60)}
    a, b = span(ATLAS_TEXT, "Kaffe og brød hver dag.")
    qde = f"""<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<Project {NS} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:atlas="urn:example:atlas" origin="ATLAS.ti 8.4" name="ATLAS-prosjekt"
  creatingUserGUID="{g[1]}" basePath="/Users/sebpe/QDA-XML/Exports">
  <Users><User guid="{g[1]}" name="Friedrich"/><User guid="{g[2]}" name="ATLAS.ti"/></Users>
  <CodeBook><Codes>
    <Code color="#F00082" isCodable="true" name="Coke::diet Coke" guid="{g[10]}"/>
    <Code color="#966450" isCodable="true" name="frokost" guid="{g[11]}">
      <Description>maten folk spiser</Description></Code>
    <Code isCodable="true" name="hverdag" guid="{g[12]}"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource plainTextPath="internal://{g[20]}.txt" richTextPath="internal://{g[21]}.docx"
      guid="{g[22]}" name="Mabel.txt" creatingUser="{g[1]}">
      <PlainTextSelection startPosition="{a}" endPosition="{b}" guid="{g[23]}"
        name="Kaffe og brød hver dag." creatingUser="{g[1]}">
        <Description>typisk</Description>
        <Coding creatingUser="{g[1]}" guid="{g[24]}"><CodeRef targetGUID="{g[11]}"/></Coding>
        <Coding creatingUser="{g[1]}" guid="{g[25]}"><CodeRef targetGUID="{g[12]}"/></Coding>
        <NoteRef targetGUID="{g[40]}"/>
      </PlainTextSelection>
      <atlas:QuotationExtras weight="3"/>
    </TextSource>
    <PictureSource path="internal://{g[30]}.jpg" guid="{g[31]}" name="cornflakes.jpg"/>
    <PDFSource path="internal://{g[32]}.pdf" guid="{g[33]}" name="artikkel.pdf"/>
    <VideoSource path="relative:///{g[34]}.mp4" guid="{g[35]}" name="reklame.mp4"/>
  </Sources>
  <Notes>
    <Note guid="{g[40]}" name="Sitatkommentar" creatingUser="{g[1]}">
      <PlainTextContent>Samme som hos Simon.</PlainTextContent></Note>
    <Note guid="{g[41]}" name="Research Plan" creatingUser="{g[1]}">
      <Description>dagbok</Description>
      <PlainTextContent>Et flott prosjekt.</PlainTextContent></Note>
  </Notes>
  <Links><Link direction="OneWay" originGUID="{g[40]}" targetGUID="{g[23]}" guid="{g[42]}"/>
  </Links>
  <Sets>
    <Set guid="{g[50]}" name="Mabel"><MemberSource targetGUID="{g[22]}"/></Set>
    <Set guid="{g[51]}" name="Mat"><MemberCode targetGUID="{g[11]}"/>
      <MemberCode targetGUID="{g[10]}"/></Set>
  </Sets>
  <atlas:ProjectExtras/>
</Project>"""
    files = {f"sources/{g[20]}.txt": ATLAS_TEXT.encode("utf-8"),
             f"sources/{g[21]}.docx": b"a .docx we never need: the plain text is there",
             f"sources/{g[30]}.jpg": b"\xff\xd8\xff", f"sources/{g[32]}.pdf": b"%PDF-1.4"}
    return make_qdpx(path, qde, files)


def test_atlas_style_file(tmp_path: Path) -> None:
    result = import_qdpx(atlas_qdpx(tmp_path / "atlas.qdpx"), tmp_path / "atlas.cc.db")
    with Project.open(tmp_path / "atlas.cc.db") as p:
        assert quotes(p) == {("frokost", "Friedrich"): "Kaffe og brød hver dag.",
                             ("hverdag", "Friedrich"): "Kaffe og brød hver dag."}
        assert {c.memo for c in p.codings()} == {"typisk\n\nSamme som hos Simon."}
        assert [c.name for c in p.codes()] == ["Coke::diet Coke", "frokost", "hverdag"]
        project_memo = {m.target_kind: m.text for m in p.memos()}
        assert project_memo == {"project": "Research Plan\nEt flott prosjekt."}
        import json
        sets = json.loads(p.setting("code_sets"))
        assert sets == {"Mat": [p.code("frokost").guid, p.code("Coke::diet Coke").guid]}
    warnings = "\n".join(result.warnings)
    assert "skipped 3 source(s)" in warnings
    for name in ("cornflakes.jpg (picture)", "artikkel.pdf (PDF)", "reklame.mp4 (video)"):
        assert name in warnings
    assert "ignored 2 unknown element(s): ProjectExtras, QuotationExtras" in warnings
    assert "ignored 1 link(s)" in warnings
    assert "ignored 1 set(s) of sources or notes only" in warnings


# --- MAXQDA: CRLF texts with a BOM, Norwegian letters, codings at the end -----------------

def test_maxqda_style_crlf_text_keeps_every_position(tmp_path: Path) -> None:
    lines = [f"Linje {n}: æøå «sitat {n}» – slutt." for n in range(1, 30)]
    text = "\r\n".join(lines) + "\r\n"
    codings = []
    for n in (1, 7, 15, 29):
        a, b = span(text, f"«sitat {n}»")
        codings.append(f"""<PlainTextSelection guid="{guid(100 + n)}" startPosition="{a}"
            endPosition="{b}" creatingUser="{guid(1)}"><Coding guid="{guid(200 + n)}"
            creatingUser="{guid(1)}"><CodeRef targetGUID="{guid(50)}"/></Coding>
            </PlainTextSelection>""")
    a, b = span(text, "Linje 3: æøå «sitat 3» – slutt.\r\nLinje 4")
    codings.append(f"""<PlainTextSelection guid="{guid(300)}" startPosition="{a}"
        endPosition="{b}" creatingUser="{guid(1)}"><Coding guid="{guid(301)}"
        creatingUser="{guid(1)}"><CodeRef targetGUID="{guid(50)}"/></Coding>
        </PlainTextSelection>""")
    qde = f"""<?xml version="1.0" encoding="UTF-8"?>
<Project {NS} name="MAXQDA 2022" origin="MAXQDA">
  <Users><User guid="{guid(1)}" name="Ingrid"/></Users>
  <CodeBook><Codes><Code guid="{guid(50)}" name="Sitat" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{guid(2)}" name="Intervju" plainTextPath="internal://{guid(2)}.txt">
    {"".join(codings)}</TextSource></Sources>
</Project>""".replace("\n", "\r\n")
    qdpx = make_qdpx(tmp_path / "maxqda.qdpx", qde,
                     {f"sources/{guid(2)}.txt": b"\xef\xbb\xbf" + text.encode("utf-8")})
    import_qdpx(qdpx, tmp_path / "maxqda.cc.db")
    with Project.open(tmp_path / "maxqda.cc.db") as p:
        got = sorted(p.text(c.document)[c.start:c.end] for c in p.codings())
        assert got == sorted([f"«sitat {n}»" for n in (1, 7, 15, 29)]
                             + ["Linje 3: æøå «sitat 3» – slutt.\nLinje 4"])
        assert p.text(p.documents()[0]) == text.replace("\r\n", "\n")


# --- QualCoder: lower-case GUIDs, .docx only, notes in files, PlainTextContent ------------

def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_qualcoder_style_file_with_docx_and_inline_text(tmp_path: Path) -> None:
    paragraphs = ["Intervjuer: Hva lærte dere?", "Informant: At samarbeid tar tid."]
    docx_text = "\n".join(paragraphs)
    a, b = span(docx_text, "samarbeid tar tid")
    inline = "Feltnotat: møtet gikk bra &amp; raskt."
    c, d = span("Feltnotat: møtet gikk bra & raskt.", "gikk bra & raskt")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project {NS} name="qualcoder" origin="QualCoder 3.5" creatingUserGUID="{guid(1)}">
  <Users><User guid="{guid(1)}" name="default"/></Users>
  <CodeBook><Codes>
    <Code guid="{guid(10)}" name="Læring" isCodable="true">
      <Code guid="{guid(11)}" name="Samarbeid" isCodable="true">
        <Code guid="{guid(12)}" name="Tid" isCodable="true">
          <Code guid="{guid(13)}" name="Uten kodinger" isCodable="true"/>
        </Code>
      </Code>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{guid(2)}" name="intervju.docx" richTextPath="internal://{guid(3)}.docx">
      <PlainTextSelection guid="{guid(4)}" startPosition="{a}" endPosition="{b}"
        creatingUser="{guid(1)}"><Coding guid="{guid(5)}" creatingUser="{guid(1)}">
        <CodeRef targetGUID="{guid(12)}"/></Coding></PlainTextSelection>
    </TextSource>
    <TextSource guid="{guid(6)}" name="feltnotat">
      <PlainTextContent>{inline}</PlainTextContent>
      <PlainTextSelection guid="{guid(7)}" startPosition="{c}" endPosition="{d}"
        creatingUser="{guid(1)}"><Coding guid="{guid(8)}" creatingUser="{guid(1)}">
        <CodeRef targetGUID="{guid(10)}"/></Coding></PlainTextSelection>
    </TextSource>
  </Sources>
  <Notes><Note guid="{guid(20)}" name="journal" creatingUser="{guid(1)}"
    plainTextPath="internal://{guid(20)}.txt"/></Notes>
  <NoteRef targetGUID="{guid(20)}"/>
</Project>"""
    qdpx = make_qdpx(tmp_path / "qc.qdpx", qde, {
        f"sources/{guid(3)}.docx": docx_bytes(paragraphs),
        f"sources/{guid(20)}.txt": "Journal: første uke.".encode()})
    result = import_qdpx(qdpx, tmp_path / "qc.cc.db")
    assert result.warnings == []
    with Project.open(tmp_path / "qc.cc.db") as p:
        assert [d.name for d in p.documents()] == ["feltnotat", "intervju.docx"]
        assert p.document("intervju.docx").source_format == "docx"
        assert quotes(p) == {("Læring/Samarbeid/Tid", "default"): "samarbeid tar tid",
                             ("Læring", "default"): "gikk bra & raskt"}
        assert p.code("Uten kodinger").path == "Læring/Samarbeid/Tid/Uten kodinger"
        assert [(m.target_kind, m.guid, m.text) for m in p.memos()] == \
            [("project", guid(20), "Journal: første uke.")]


# --- edge cases ----------------------------------------------------------------------------

def test_positions_in_decomposed_text_land_on_the_same_letters(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Blåbær og rømme på Ålesund, så «flott».")
    a, b = span(nfd, unicodedata.normalize("NFD", "på Ålesund"))
    qde = f"""<Project {NS} name="mac"><Users><User guid="{guid(1)}" name="a"/></Users>
<CodeBook><Codes><Code guid="{guid(2)}" name="Sted" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="{guid(3)}" name="nfd"><PlainTextContent>{escape(nfd)}</PlainTextContent>
<PlainTextSelection guid="{guid(4)}" startPosition="{a}" endPosition="{b}"
 creatingUser="{guid(1)}"><Coding guid="{guid(5)}"><CodeRef targetGUID="{guid(2)}"/></Coding>
</PlainTextSelection></TextSource></Sources></Project>"""
    import_qdpx(make_qdpx(tmp_path / "nfd.qdpx", qde), tmp_path / "nfd.cc.db")
    with Project.open(tmp_path / "nfd.cc.db") as p:
        assert quotes(p) == {("Sted", "a"): "på Ålesund"}


@pytest.mark.parametrize("raw", [
    "a\r\nb\rc\n\x0bd\x00e\ufefff\u2028g",
    unicodedata.normalize("NFD", "Æ ø å é ñ\r\nÅse") + "\r\n",
    "\x85x\x07y\u0301z\u1100\u1161\u11a8w",
])
def test_position_map_matches_the_stored_text(raw: str) -> None:
    text, positions = normalise_with_positions(raw)
    assert text == normalise(raw)[0]
    assert len(positions) == len(raw) + 1
    assert positions[0] == 0 and positions[-1] == len(text)
    assert positions == sorted(positions)


def test_broken_references_are_skipped_and_counted(tmp_path: Path) -> None:
    text = "Første setning her. Andre setning der."
    same = "Andre kilde med samme tekst."
    qde = f"""<Project {NS} name="rot"><Users><User guid="{guid(1)}" name="a"/></Users>
<CodeBook><Codes><Code guid="{guid(2)}" name="Kode" isCodable="true"/>
<Code guid="{guid(2)}" name="Samme GUID" isCodable="true"/></Codes></CodeBook>
<Sources>
 <TextSource guid="{guid(3)}" name="Kilde"><PlainTextContent>{text}</PlainTextContent>
  <PlainTextSelection guid="{guid(4)}" startPosition="0" endPosition="8">
   <Coding guid="{guid(5)}" creatingUser="{guid(9)}"><CodeRef targetGUID="{guid(99)}"/></Coding>
  </PlainTextSelection>
  <PlainTextSelection guid="{guid(6)}" startPosition="500" endPosition="510">
   <Coding guid="{guid(7)}"><CodeRef targetGUID="{guid(2)}"/></Coding></PlainTextSelection>
  <PlainTextSelection guid="{guid(8)}" startPosition="20" endPosition="99">
   <Coding guid="{guid(10)}" creatingUser="{guid(9)}"><CodeRef targetGUID="{guid(2)}"/></Coding>
  </PlainTextSelection>
 </TextSource>
 <TextSource guid="{guid(11)}" name="Kilde"><PlainTextContent>{same}</PlainTextContent>
 </TextSource>
 <TextSource guid="{guid(12)}" name="Kopi"><PlainTextContent>{same}</PlainTextContent>
 </TextSource>
 <TextSource guid="{guid(13)}" name="Utenfor" plainTextPath="absolute:///etc/passwd"/>
 <TextSource guid="{guid(14)}" name="Borte" plainTextPath="internal://mangler.txt"/>
</Sources></Project>"""
    result = import_qdpx(make_qdpx(tmp_path / "rot.qdpx", qde), tmp_path / "rot.cc.db")
    warnings = "\n".join(result.warnings)
    assert "skipped 1 selection(s) whose positions lie outside their text" in warnings
    assert "skipped 1 coding(s) of codes that are not in the codebook" in warnings
    assert "1 code(s) repeated another code's GUID" in warnings
    assert "'Kopi' not imported: identical content is already imported as 'Kilde (2)'" \
        in warnings
    assert "'Utenfor' not imported: its text is outside the archive" in warnings
    assert "'Borte' not imported: its text file internal://mangler.txt is not in the archive" \
        in warnings
    with Project.open(tmp_path / "rot.cc.db") as p:
        assert [d.name for d in p.documents()] == ["Kilde", "Kilde (2)"]
        (coding,) = p.codings()
        assert p.text(coding.document)[coding.start:coding.end] == "Andre setning der."
        assert coding.coder == f"user {guid(9)[:8]}"
        assert p.coder(coding.coder).guid == guid(9)
        assert [c.name for c in p.codes()] == ["Kode", "Samme GUID"]
        assert p.code("Kode").guid == guid(2) != p.code("Samme GUID").guid
        assert "root:" not in "".join(p.text(d) for d in p.documents())


def test_a_project_without_codes_or_users_still_imports(tmp_path: Path) -> None:
    qde = f"""<?xml version="1.0"?><Project {NS} name={quoteattr("Bare tekst")}>
<Sources><TextSource guid="{guid(1)}" name="t"><PlainTextContent>Bare litt tekst.
</PlainTextContent></TextSource></Sources></Project>"""
    result = import_qdpx(make_qdpx(tmp_path / "bare.qdpx", qde, qde_name="Project.QDE"),
                         tmp_path / "bare.cc.db", coder="anna", language="en")
    assert (result.documents, result.codes, result.codings) == (1, 0, 0)
    with Project.open(tmp_path / "bare.cc.db") as p:
        assert p.language == "en" and p.name == "Bare tekst"


def test_uncoded_comments_become_segment_memos_and_source_codings_cover_all(
        tmp_path: Path) -> None:
    text = "Første setning her. Andre setning kommer nå. Tredje og siste setning."
    a, b = span(text, "Andre setning kommer nå.")
    c, d = span(text, "siste")
    qde = f"""<Project {NS} name="kommentarer">
<Users><User guid="{guid(1)}" name="Ane"/></Users>
<CodeBook><Codes><Code guid="{guid(2)}" name="Hele" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="{guid(3)}" name="notat"><PlainTextContent>{text}</PlainTextContent>
 <PlainTextSelection guid="{guid(4)}" startPosition="{a}" endPosition="{b}"
  creatingUser="{guid(1)}"><Description>Et sitat uten kode</Description></PlainTextSelection>
 <PlainTextSelection guid="{guid(5)}" startPosition="{c}" endPosition="{d}">
  <NoteRef targetGUID="{guid(6)}"/></PlainTextSelection>
 <Coding guid="{guid(7)}" creatingUser="{guid(1)}"><CodeRef targetGUID="{guid(2)}"/>
  <NoteRef targetGUID="{guid(8)}"/></Coding>
</TextSource></Sources>
<Notes><Note guid="{guid(6)}" creatingUser="{guid(1)}"><PlainTextContent>Ordvalg</PlainTextContent>
</Note><Note guid="{guid(8)}" creatingUser="{guid(1)}"><PlainTextContent>Gjelder alt
</PlainTextContent></Note></Notes></Project>"""
    result = import_qdpx(make_qdpx(tmp_path / "k.qdpx", qde), tmp_path / "k.cc.db")
    assert result.warnings == [f"a note on positions {c}-{d} was put on the sentence it "
                               "starts in"]
    with Project.open(tmp_path / "k.cc.db") as p:
        (coding,) = p.codings()
        assert (coding.start, coding.end, coding.memo) == (0, len(text), "Gjelder alt")
        memos = {m.target: (m.text, m.guid) for m in p.memos("segment")}
        assert memos == {"notat sentence 2": ("Et sitat uten kode", memos["notat sentence 2"][1]),
                         "notat sentence 3": ("Ordvalg", guid(6))}
