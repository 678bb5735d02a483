"""Readers: every supported format, every encoding researchers send, and hostile files.

All inputs are built in tmp_path at test time, so the tests document exactly which bytes are
accepted and what text comes out.
"""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import docx
import pytest

from casecoder.errors import ImportFileError, UserError
from casecoder.ingest import SUPPORTED_SUFFIXES, SourceText, read_file
from casecoder.ingest import docx as docx_reader

NORWEGIAN = ("Intervjuer: Hva gjør dere på Ærøy?\n"
             "Informant: Vi går på ski i Østerdalen, så å si «hver dag».\n")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_one_line_naming(exc: pytest.ExceptionInfo[ImportFileError], path: Path) -> None:
    message = str(exc.value)
    assert "\n" not in message
    assert str(path) in message
    assert isinstance(exc.value, UserError)


# --- plain text encodings -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (NORWEGIAN.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + NORWEGIAN.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + NORWEGIAN.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + NORWEGIAN.encode("utf-16-be"), "utf-16"),
        (NORWEGIAN.encode("cp1252"), "cp1252"),
        (NORWEGIAN.encode("utf-16-le"), "utf-16-le"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "cp1252", "utf-16-le-no-bom"],
)
def test_text_encodings_decode_exactly(tmp_path: Path, data: bytes, encoding: str) -> None:
    source = read_file(write(tmp_path, "intervju.txt", data))
    assert source.text == NORWEGIAN
    assert source.encoding == encoding
    assert source.format == "txt"
    assert source.turns is None


def test_cp1252_smart_quotes_and_dashes_are_not_latin1_controls(tmp_path: Path) -> None:
    text = "Informant: Det var “kjempebra” – sa prorektor – og æøå ÆØÅ €.\n"
    source = read_file(write(tmp_path, "notat.md", text.encode("cp1252")))
    assert source.encoding == "cp1252"
    assert source.text == text
    assert source.format == "md"
    assert any("cp1252" in warning for warning in source.warnings)


def test_short_cp1252_norwegian_is_not_read_as_cp1250(tmp_path: Path) -> None:
    # charset-normalizer alone calls this cp1250, which would give "Ćrřy".
    source = read_file(write(tmp_path, "kort.txt", "Ærøy og blåbær".encode("cp1252")))
    assert source.text == "Ærøy og blåbær"


def test_line_endings_and_nfc_are_normalised(tmp_path: Path) -> None:
    decomposed = "bla\u030abær"  # "blåbær" with a combining ring
    data = f"Linje 1\r\nLinje 2\rLinje 3 {decomposed}\u2028slutt".encode()
    source = read_file(write(tmp_path, "crlf.txt", data))
    assert source.text == "Linje 1\nLinje 2\nLinje 3 blåbær\nslutt"


def test_cyrillic_legacy_encoding_is_not_forced_into_cp1252(tmp_path: Path) -> None:
    text = "Привет, это интервью о сотрудничестве университетов в Европе."
    source = read_file(write(tmp_path, "ru.txt", text.encode("cp1251")))
    assert source.text == text
    assert source.encoding == "cp1251"


def test_undecodable_bytes_without_nul_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "støy.txt", bytes(range(1, 256)) * 10)
    with pytest.raises(ImportFileError, match="binary") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


def test_control_characters_are_removed_with_a_warning(tmp_path: Path) -> None:
    source = read_file(write(tmp_path, "ctrl.txt", b"Hei\x07 der\x1b.\n"))
    assert source.text == "Hei der.\n"
    assert any("control" in warning for warning in source.warnings)


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8 + b" \n",
     codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")],
    ids=["empty", "whitespace", "bom-whitespace", "utf16-whitespace"],
)
def test_empty_and_whitespace_files_are_refused(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "tom.txt", data)
    with pytest.raises(ImportFileError, match="empty") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4,
        b"text\x00with\x00nuls and more" * 3,
    ],
    ids=["png", "nul-bytes"],
)
def test_binary_files_are_refused(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "bilde.txt", data)
    with pytest.raises(ImportFileError, match="binary") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


def test_invalid_utf8_after_a_bom_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.txt", codecs.BOM_UTF8 + b"Hei \xff\xfe der")
    with pytest.raises(ImportFileError, match="byte-order mark") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


def test_oversized_file_is_refused_before_reading(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from casecoder.ingest import readers

    monkeypatch.setattr(readers, "MAX_TEXT_BYTES", 1000)
    path = write(tmp_path, "stor.txt", b"ord " * 300)
    with pytest.raises(ImportFileError, match="too large") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


def test_missing_file_and_directory_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="not found"):
        read_file(tmp_path / "finnes-ikke.txt")
    folder = tmp_path / "mappe.txt"
    folder.mkdir()
    with pytest.raises(ImportFileError, match="not a regular file"):
        read_file(folder)


@pytest.mark.parametrize("name", ["rapport.pages", "intervju.doc", "README"])
def test_unsupported_suffix_names_the_supported_ones(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, b"%PDF-1.7")
    with pytest.raises(ImportFileError, match="unsupported format") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)
    assert ".txt, .md, .docx, .vtt, .srt, .pdf, .odt, .rtf" in str(exc.value)
    assert set(SUPPORTED_SUFFIXES) == {".txt", ".md", ".docx", ".vtt", ".srt", ".pdf", ".odt",
                                       ".rtf"}


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    source = read_file(write(tmp_path, "INTERVJU.TXT", b"Hei."))
    assert source.format == "txt"


# --- docx ----------------------------------------------------------------------------------

def make_docx(path: Path) -> Path:
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "TOPPTEKST Konfidensielt"
    section.footer.paragraphs[0].text = "BUNNTEKST side 1"
    first = document.add_paragraph("[00:00:05] Intervjuer: Hva gjorde dere i 2023?")
    document.add_paragraph("[00:00:09] Informant: Vi startet «BIP-en» på Ærøy.")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([("Rolle", "Case", "År"), ("prosjektleder", "BIP", "2023")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("Intervjuer: Takk.")
    document.add_comment(first.runs, text="KOMMENTAR: sjekk årstallet", author="Anna")
    document.save(str(path))
    return path


def test_docx_body_paragraphs_and_table_rows_in_order(tmp_path: Path) -> None:
    source = read_file(make_docx(tmp_path / "intervju.docx"))
    assert source.format == "docx"
    assert source.encoding is None
    assert source.turns is None
    assert source.text == (
        "[00:00:05] Intervjuer: Hva gjorde dere i 2023?\n"
        "[00:00:09] Informant: Vi startet «BIP-en» på Ærøy.\n"
        "Rolle | Case | År\n"
        "prosjektleder | BIP | 2023\n"
        "Intervjuer: Takk."
    )
    for absent in ("TOPPTEKST", "BUNNTEKST", "KOMMENTAR"):
        assert absent not in source.text


def test_docx_merged_cells_are_written_once(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Samlet"
    table.cell(0, 2).text = "Egen"
    path = tmp_path / "merged.docx"
    document.save(str(path))
    assert read_file(path).text == "Samlet | Egen"


def test_truncated_docx_is_refused(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "god.docx").read_bytes()
    path = write(tmp_path, "avkuttet.docx", good[: len(good) // 2])
    with pytest.raises(ImportFileError, match=r"not a \.docx") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


def test_old_doc_renamed_to_docx_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "gammel.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(ImportFileError, match=r"not a \.docx") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


def zip_bytes(path: Path, members: dict[str, bytes],
              compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zip_without_document_xml_is_refused(tmp_path: Path) -> None:
    path = zip_bytes(tmp_path / "tom.docx", {"[Content_Types].xml": b"<Types/>",
                                              "word/styles.xml": b"<styles/>"})
    with pytest.raises(ImportFileError, match=r"no word/document\.xml") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


@pytest.mark.parametrize("member", ["../../evil.txt", "/etc/evil.xml", "word/../../x.xml",
                                    "C:/evil.xml"])
def test_zip_slip_members_are_refused(tmp_path: Path, member: str) -> None:
    original = make_docx(tmp_path / "base.docx")
    with zipfile.ZipFile(original) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members[member] = b"<x/>"
    path = zip_bytes(tmp_path / "slip.docx", members)
    with pytest.raises(ImportFileError, match="unsafe member path") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


def test_zip_bomb_ratio_is_refused(tmp_path: Path) -> None:
    path = zip_bytes(tmp_path / "bombe.docx", {"word/document.xml": b"<" + b" " * 20_000_000})
    with pytest.raises(ImportFileError, match="compression ratio") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


def test_zip_total_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_reader, "MAX_UNCOMPRESSED_BYTES", 10_000)
    path = zip_bytes(tmp_path / "stor.docx", {"word/document.xml": bytes(range(256)) * 100},
                     zipfile.ZIP_STORED)
    with pytest.raises(ImportFileError, match="inflates to") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


def test_docx_with_doctype_entities_is_refused(tmp_path: Path) -> None:
    original = make_docx(tmp_path / "base.docx")
    with zipfile.ZipFile(original) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    xml = members["word/document.xml"].decode("utf-8")
    head, _, rest = xml.partition("?>")
    members["word/document.xml"] = (
        head + '?><!DOCTYPE d [<!ENTITY x "lol"><!ENTITY y "&x;&x;&x;">]>' + rest
    ).encode("utf-8")
    path = zip_bytes(tmp_path / "entity.docx", members)
    with pytest.raises(ImportFileError, match="DTD") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


def test_docx_with_malformed_document_xml_is_refused(tmp_path: Path) -> None:
    original = make_docx(tmp_path / "base.docx")
    with zipfile.ZipFile(original) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members["word/document.xml"] = b"<w:document><unclosed>"
    path = zip_bytes(tmp_path / "malformed.docx", members)
    with pytest.raises(ImportFileError, match="not a readable Word document") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


def test_empty_docx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tom.docx"
    docx.Document().save(str(path))
    with pytest.raises(ImportFileError, match="no text") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


def test_python_docx_parser_does_not_resolve_entities() -> None:
    """The DOCTYPE check is defence in depth; this pins the parser setting it backs up."""
    from docx.oxml.parser import oxml_parser

    xml = b'<!DOCTYPE d [<!ENTITY x "EXPANDED">]><d>&x;</d>'
    from lxml import etree

    element = etree.fromstring(xml, oxml_parser)
    assert "EXPANDED" not in etree.tostring(element).decode()


# --- captions ------------------------------------------------------------------------------

TEAMS_VTT = """WEBVTT

0f3a1c2e-1/12-0
00:00:01.000 --> 00:00:04.200 align:start position:10%
<v Kari Nordmann>Hei, og velkommen til intervjuet.</v>

0f3a1c2e-1/13-0
00:00:04.200 --> 00:00:07.000
<v Kari Nordmann>Kan du si litt om <i>BIP-en</i>?</v>

0f3a1c2e-1/14-0
00:00:07.500 --> 00:00:12.000 line:90%
<v.loud Ola Hansen>Ja, vi startet i 2023 &amp; fikk støtte.</v>

NOTE this is a comment and must not appear

00:00:12.000 --> 00:00:15.250
<v Kari Nordmann>Takk.</v>
"""


def test_vtt_teams_voice_tags_merge_consecutive_cues(tmp_path: Path) -> None:
    source = read_file(write(tmp_path, "teams.vtt", TEAMS_VTT.encode("utf-8")))
    assert source.format == "vtt"
    assert source.encoding is None
    assert source.text == (
        "Kari Nordmann: Hei, og velkommen til intervjuet. Kan du si litt om BIP-en?\n"
        "Ola Hansen: Ja, vi startet i 2023 & fikk støtte.\n"
        "Kari Nordmann: Takk."
    )
    assert source.turns is not None
    assert [(t.speaker, t.timestamp) for t in source.turns] == [
        ("Kari Nordmann", 1.0), ("Ola Hansen", 7.5), ("Kari Nordmann", 12.0)]
    first = source.turns[0]
    assert source.text[first.start:first.body_start] == "Kari Nordmann: "
    assert source.text[first.body_start:first.end].startswith("Hei, og")
    assert source.text[source.turns[2].body_start:source.turns[2].end] == "Takk."


def test_vtt_several_voices_in_one_cue(tmp_path: Path) -> None:
    data = (b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Kari>Er du klar?</v>\n"
            b"<v Ola>Ja.</v>\n")
    source = read_file(write(tmp_path, "to.vtt", data))
    assert source.text == "Kari: Er du klar?\nOla: Ja."
    assert [t.speaker for t in source.turns or ()] == ["Kari", "Ola"]


ZOOM_VTT = """WEBVTT

1
00:00:02.100 --> 00:00:05.000
Intervjuer: Hvordan startet samarbeidet?

2
00:00:05.500 --> 00:00:09.000
kari.nordmann: Det startet med en e-post.

3
00:00:09.000 --> 00:00:11.000
kari.nordmann: Det er slik: vi svarte ja.

4
00:00:12.000 --> 00:00:13.000
Intervjuer: Takk.
"""


def test_vtt_zoom_name_prefixes_become_speakers(tmp_path: Path) -> None:
    source = read_file(write(tmp_path, "zoom.vtt", ZOOM_VTT.encode("utf-8")))
    assert source.text == (
        "Intervjuer: Hvordan startet samarbeidet?\n"
        "kari.nordmann: Det startet med en e-post. Det er slik: vi svarte ja.\n"
        "Intervjuer: Takk."
    )
    assert [(t.speaker, t.timestamp) for t in source.turns or ()] == [
        ("Intervjuer", 2.1), ("kari.nordmann", 5.5), ("Intervjuer", 12.0)]


WHISPER_VTT = """WEBVTT

00:00.000 --> 00:03.500
 Vi startet prosjektet i 2023.

00:03.500 --> 00:06.000
 Det er slik: vi hadde lite tid.

00:06.000 --> 00:09.000
 Men det gikk bra til slutt.
"""


def test_vtt_whisper_without_speakers(tmp_path: Path) -> None:
    source = read_file(write(tmp_path, "whisper.vtt", WHISPER_VTT.encode("utf-8")))
    assert source.text == ("Vi startet prosjektet i 2023. Det er slik: vi hadde lite tid. "
                           "Men det gikk bra til slutt.")
    assert source.turns is not None
    assert [(t.start, t.body_start, t.end, t.speaker, t.timestamp) for t in source.turns] == [
        (0, 0, len(source.text), None, 0.0)]


def test_long_unlabelled_captions_are_cut_after_a_sentence(tmp_path: Path) -> None:
    from casecoder.ingest import captions

    cues = "".join(
        f"\n00:{i // 60:02d}:{i % 60:02d}.000 --> 00:{i // 60:02d}:{i % 60:02d}.900\n"
        f"Setning nummer {i} handler om samarbeid og motivasjon.\n"
        for i in range(40)
    )
    source = read_file(write(tmp_path, "lang.vtt", ("WEBVTT\n" + cues).encode()))
    turns = source.turns or ()
    assert len(turns) > 1
    for turn in turns:
        line = source.text[turn.start:turn.end]
        assert "\n" not in line
        assert len(line) < captions.MAX_UNLABELLED_CHARS + 100
    assert turns[1].timestamp is not None and turns[1].timestamp > 0


@pytest.mark.parametrize(
    "data",
    [
        "Dette er ikke WebVTT\n\n00:00:01.000 --> 00:00:02.000\nHei\n",
        "WEBVTT\n\nbare tekst uten tidskoder\n",
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Kari></v>\n",
    ],
    ids=["no-header", "no-cues", "only-tags"],
)
def test_broken_vtt_is_refused(tmp_path: Path, data: str) -> None:
    path = write(tmp_path, "feil.vtt", data.encode())
    with pytest.raises(ImportFileError) as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


SRT = """1
00:00:01,000 --> 00:00:03,000
Intervjuer: Hva var motivasjonen?

2
00:00:03,500 --> 00:00:06,000
Informant 2: Vi ville ha <i>nye</i> partnere
i Europa.

3
00:00:06,000 --> 00:00:08,000
Informant 2: {\\an8}Og mer kvalitet.
"""


def test_srt_with_zoom_style_prefixes(tmp_path: Path) -> None:
    source = read_file(write(tmp_path, "intervju.srt", SRT.encode("utf-8")))
    assert source.format == "srt"
    assert source.text == ("Intervjuer: Hva var motivasjonen?\n"
                           "Informant 2: Vi ville ha nye partnere i Europa. Og mer kvalitet.")
    assert [(t.speaker, t.timestamp) for t in source.turns or ()] == [
        ("Intervjuer", 1.0), ("Informant 2", 3.5)]


def test_srt_cp1252_is_decoded(tmp_path: Path) -> None:
    data = "1\n00:00:01,000 --> 00:00:02,000\nSå på Ærøy.\n".encode("cp1252")
    source = read_file(write(tmp_path, "gammel.srt", data))
    assert source.text == "Så på Ærøy."
    assert any("not UTF-8" in warning for warning in source.warnings)


def test_broken_srt_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "feil.srt", b"1\n00:00:01 --> tull\nHei\n\nmer tull her\n")
    with pytest.raises(ImportFileError, match="SubRip") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)


def test_parser_errors_quoting_the_input_stay_short(tmp_path: Path) -> None:
    path = write(tmp_path, "tekst.srt", ("Bare vanlig tekst uten tidskoder. " * 2000).encode())
    with pytest.raises(ImportFileError, match="SubRip") as exc:
        read_file(path)
    assert_one_line_naming(exc, path)
    assert len(str(exc.value)) < len(str(path)) + 250


def test_every_reader_returns_canonical_text(tmp_path: Path) -> None:
    paths = [
        write(tmp_path, "a.txt", NORWEGIAN.replace("\n", "\r\n").encode("cp1252")),
        make_docx(tmp_path / "b.docx"),
        write(tmp_path, "c.vtt", TEAMS_VTT.encode()),
        write(tmp_path, "d.srt", SRT.encode()),
    ]
    import unicodedata

    for path in paths:
        source = read_file(path)
        assert isinstance(source, SourceText)
        assert source.text.strip()
        assert "\r" not in source.text and "\ufeff" not in source.text
        assert unicodedata.is_normalized("NFC", source.text)

