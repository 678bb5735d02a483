"""Report-ready exports: Word and Excel files read back as a researcher's tools see them.

DOCX through python-docx (content-based column widths, repeated header rows, rows that do not
split, named styles, a PAGE field, a title page, a chart image, a --template that is vetted),
XLSX through openpyxl (wrapped quote cells, row heights, print setup, count format, a cut quote
that keeps its citation), citations (--cite) identical in every format, the normalised chart
data, CSV --raw, the pseudonym file a project remembers, and both files rendered by
LibreOffice when it is installed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from test_export_quotes import build_study

from casecoder.cli import main
from casecoder.errors import UserError
from casecoder.export.cells import neutralise, restore
from casecoder.export.charts import group_sizes, theme_charts
from casecoder.export.citations import Citation
from casecoder.export.docx_tables import column_widths, text_width
from casecoder.export.quotes import QuoteExport, QuoteOptions
from casecoder.model import CodingRecord
from casecoder.project import Project

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_study(tmp_path_factory.mktemp("ready"))


@pytest.fixture
def own_study(study: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(study, tmp_path / "own.cc.db"))


def run(*args: Any) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def export(study: Path, out: Path, *args: Any) -> Result:
    result = run("export", "quotes", study, "-o", out, *args)
    assert result.exit_code == 0, result.output + result.stderr
    return result


# --- DOCX ----------------------------------------------------------------------------------


def test_docx_tables_have_content_widths_repeated_headers_and_unsplit_rows(
        study: Path, tmp_path: Path) -> None:
    import docx

    out = tmp_path / "q.docx"
    export(study, out, "--by", "case_type", "--by", "role")
    document = docx.Document(str(out))
    assert document.tables
    section = document.sections[0]
    available = (section.page_width - section.left_margin - section.right_margin) // 635
    assert round(section.page_width.cm, 1) == 21.0  # A4 portrait, normal margins
    assert round(section.left_margin.cm, 2) == 2.54
    for table in document.tables:
        grid = [int(c.get(f"{W}w")) for c in table._tbl.tblGrid.findall(f"{W}gridCol")]
        assert len(set(grid)) > 1, "every column equally wide"
        assert sum(grid) <= available
        rows = table._tbl.findall(f"{W}tr")
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
        assert all(r.find(f"{W}trPr/{W}tblHeader") is None for r in rows[1:])
        # No word of any cell is wider than its column.
        size = 9.0
        sz = table._tbl.find(f".//{W}rPr/{W}sz")
        if sz is not None:
            size = int(sz.get(f"{W}val")) / 2
        for row in table.rows:
            for c, cell in enumerate(row.cells):
                for word in cell.text.replace("-", "- ").split():
                    assert text_width(word, size, bold=True) <= grid[c], (cell.text, grid[c])


def test_docx_styles_headings_quotes_definitions_and_page_numbers(
        study: Path, tmp_path: Path) -> None:
    import docx

    out = tmp_path / "q.docx"
    export(study, out)
    document = docx.Document(str(out))
    by_style: dict[str, list[str]] = {}
    for para in document.paragraphs:
        by_style.setdefault(para.style.name, []).append(para.text)
    assert "Det var egentlig Kari som tok initiativet." in by_style["Quote"]
    assert "Enthusiasts drive the work (ildsjeler)." in by_style["Code definition"]
    assert "Enthusiasts drive the work (ildsjeler)." not in by_style["Quote"]
    assert "— project leader, BIP" in by_style["Quote attribution"]
    assert "motivation" in by_style["Heading 1"]
    # Headings carry an outline level through their style (navigation pane, TOC).
    heading = document.styles["Heading 1"]
    assert heading.element.find(f"{W}pPr/{W}outlineLvl") is not None or \
        heading.base_style is not None
    # Title page: project, date, coders, citation template, counting note, then a break.
    assert by_style["Title"] == ["Quote summary"]
    title_page = " ".join(by_style["Title page"])
    assert "Coders: ingrid, tomas" in title_page
    assert re.search(r"Date: \d{4}-\d\d-\d\d", title_page)
    assert "Quotes are cited as: {role}, {case_type}" in title_page
    assert "How counts are made:" in title_page
    footer = document.sections[0].footer._element
    assert any(f.get(f"{W}instr", "").strip() == "PAGE" for f in footer.iter(f"{W}fldSimple"))
    # One chart per theme with codings and --by attribute (case_type, role): PNG images.
    with zipfile.ZipFile(out) as archive:
        images = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert len(images) == 4
        assert archive.read(images[0])[:8] == b"\x89PNG\r\n\x1a\n"


def test_docx_template_styles_are_used_and_its_content_dropped(
        study: Path, tmp_path: Path) -> None:
    import docx
    from docx.shared import Pt

    template = docx.Document()
    template.add_paragraph("Institutional boilerplate that must not be exported")
    template.styles["Quote"].font.size = Pt(13)
    template.styles["Quote"].font.name = "Georgia"
    path = tmp_path / "house.docx"
    template.save(str(path))
    out = tmp_path / "q.docx"
    export(study, out, "--template", path)
    document = docx.Document(str(out))
    assert document.styles["Quote"].font.name == "Georgia"
    texts = [p.text for p in document.paragraphs]
    assert "Institutional boilerplate that must not be exported" not in texts
    assert "Det var egentlig Kari som tok initiativet." in texts


@pytest.mark.parametrize(("member", "content", "message"), [
    ("../evil.xml", b"<a/>", "unsafe member path"),
    ("word/styles.xml", b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "not safe"),
    ("word/document.xml", b"<not closed", "not safe"),
])
def test_an_unsafe_template_is_refused_in_one_line(study: Path, tmp_path: Path, member: str,
                                                   content: bytes, message: str) -> None:
    import docx

    good = tmp_path / "good.docx"
    docx.Document().save(str(good))
    bad = tmp_path / "bad.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            if item.filename != member:
                dst.writestr(item, src.read(item))
        dst.writestr(member, content)
    out = tmp_path / "q.docx"
    result = run("export", "quotes", study, "-o", out, "--template", bad)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_column_widths_shrink_the_font_before_a_word_breaks() -> None:
    # The study's eight case types: fits A4 portrait with every word whole, in smaller type.
    header = ["Code", "BIP", "EMJM", "European University alliance", "Innovation alliance",
              "KA220", "Teacher academy", "Total"]
    rows = [header, ["competence-transfer-and-interdisciplinarity", *["112 (14)"] * 7]]
    widths, size = column_widths(rows, 9026)
    assert sum(widths) <= 9026 and size < 9.0
    for c, text in enumerate(header):
        for word in text.split():
            assert widths[c] >= text_width(word, size, bold=True)
    assert widths[1] >= text_width("112 (14)", size)  # counts never wrap
    # Far too many groups: the table still keeps within the margins.
    wide = [[f"Group number {i}" for i in range(14)], ["x"] * 14]
    widths, size = column_widths(wide, 9026)
    assert sum(widths) <= 9026 and size == 7.0


# --- XLSX ----------------------------------------------------------------------------------


def test_xlsx_wraps_quotes_sets_row_heights_and_prints_landscape(
        own_study: Path, tmp_path: Path) -> None:
    import openpyxl

    with Project.open(own_study) as p:
        doc = "c1-bip-prosjektleder"
        long_text = p.text(doc)
        start = long_text.index("Studentene våre")
        # A long multi-line quote needs a tall row.
        p.add_codings([CodingRecord(doc, "continuation", "ingrid", start, len(long_text) - 1)])
    out = tmp_path / "q.xlsx"
    export(own_study, out)
    workbook = openpyxl.load_workbook(out)
    for ws in workbook.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        # fitToWidth left out means its default, 1 page wide; 0 pages high: as many as needed.
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows, ws.title
    quotes = workbook["All quotes"]
    assert quotes.print_title_rows == "$1:$1"
    header = [c.value for c in quotes[1]]
    quote_col = header.index("quote") + 1
    assert quotes.cell(2, quote_col).alignment.wrap_text or \
        quotes.column_dimensions[quotes.cell(2, quote_col).column_letter].alignment.wrap_text
    tall = [r for r in range(2, quotes.max_row + 1)
            if "\n" in (quotes.cell(r, quote_col).value or "")]
    assert tall and all((quotes.row_dimensions[r].height or 0) >= 30 for r in tall)
    theme = workbook["continuation"]
    cells = [c for row in theme.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("Studentene våre")]
    assert cells and (theme.row_dimensions[cells[0].row].height or 0) >= 30
    assert theme.column_dimensions["A"].width >= 50
    summary = workbook["Summary"]
    counts = [c for row in summary.iter_rows() for c in row if isinstance(c.value, int)]
    assert counts and all(c.number_format == "#,##0" for c in counts)


def test_a_quote_beyond_the_cell_limit_is_cut_flagged_and_keeps_its_citation(
        tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "long.cc.db"
    p = Project.create(path, language="nb", coder="ingrid")
    p.add_code("motivation")
    source = tmp_path / "lang.txt"
    body = "Vi ville samarbeide med nye partnere i Europa. " * 800
    source.write_text(f"Informant: {body}\n", encoding="utf-8")
    p.import_file(source, name="lang", case="C9",
                  attributes={"role": "prorektor", "case_type": "KA220"})
    text = p.text("lang")
    p.add_codings([CodingRecord("lang", "motivation", "ingrid", text.index("Vi"),
                                len(text.rstrip()))])
    p.close()
    out = tmp_path / "q.xlsx"
    export(path, out)
    workbook = openpyxl.load_workbook(out)
    ws = workbook["All quotes"]
    header = [c.value for c in ws[1]]
    row = {h: c.value for h, c in zip(header, ws[2], strict=True)}
    assert len(row["quote"]) == 32_767 and row["quote"].endswith("[… cut]")
    assert (row["role"], row["case_type"]) == ("prorektor", "KA220")
    assert row["cut"].startswith("cut: ") and "CSV and JSON" in row["cut"]
    theme = [[c.value for c in r] for r in workbook["motivation"].iter_rows()]
    quote_row = next(r for r in theme if r[0] and str(r[0]).startswith("Vi ville"))
    assert quote_row[1] == "prorektor, KA220" and quote_row[3].startswith("cut: ")


# --- citations -----------------------------------------------------------------------------


def _citations(path: Path) -> list[str]:
    suffix = path.suffix
    if suffix == ".md":
        return [line[4:].replace("\\", "") for line in path.read_text().splitlines()
                if line.startswith("> — ")]
    if suffix == ".html":
        return re.findall(r'<figcaption class="attribution">— ([^<]*)</figcaption>',
                          path.read_text())
    if suffix == ".json":
        data = json.loads(path.read_text())
        return [q["citation"] for t in data["themes"] for s in t["sections"]
                for q in s["quotes"]]
    if suffix == ".csv":
        rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
        return [restore(r["citation"]) for r in rows]
    if suffix == ".docx":
        import docx

        return [p.text.removeprefix("— ") for p in docx.Document(str(path)).paragraphs
                if p.style.name == "Quote attribution"]
    import openpyxl

    # The reading sheets: per theme, each quote row has the quote and its citation.
    workbook = openpyxl.load_workbook(path)
    cited = []
    for ws in workbook.worksheets[1:-1]:
        rows = list(ws.iter_rows(values_only=True))
        header = next(i for i, r in enumerate(rows) if r[:2] == ("Quote", "Cited as"))
        cited += [r[1] for r in rows[header + 1:] if r[1]]
    return cited


def test_the_citation_template_is_identical_in_every_format(study: Path,
                                                            tmp_path: Path) -> None:
    template = "({speaker}, {time}) – {role}"
    found: dict[str, list[str]] = {}
    for suffix in ("md", "html", "json", "csv", "docx", "xlsx"):
        out = tmp_path / f"q.{suffix}"
        export(study, out, "--cite", template)
        found[suffix] = _citations(out)
    first = found["json"]
    assert "(Informant, 00:00:10) – project leader" in first
    assert "(Ola, 00:00:08) – pro-rector" in first
    assert "loose-notes" in first  # nothing to cite by: the document's name, never empty
    for suffix, citations in found.items():
        assert citations == first, suffix


def test_default_citation_is_role_and_case_type(study: Path) -> None:
    with Project.open(study) as p:
        export = QuoteExport(p, QuoteOptions())
        quotes = [q for t in export.themes() for q in t.all_quotes()]
        cited = {export.cite(q) for q in quotes}
    assert cited == {"project leader, BIP", "pro-rector, KA220", "Erasmus+ coordinator, EMJM",
                     "loose-notes"}


@pytest.mark.parametrize("template", ["{rolle}", "{role.__class__}", "{role!r}", "{role",
                                      "{}"])
def test_a_bad_citation_template_is_one_line_listing_the_valid_fields(
        study: Path, tmp_path: Path, template: str) -> None:
    out = tmp_path / "q.md"
    result = run("export", "quotes", study, "-o", out, "--cite", template)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    if template not in ("{role",):
        assert "valid fields: speaker, document" in result.stderr
        assert "case_type" in result.stderr and "field" in result.stderr
    assert not out.exists()


def test_empty_fields_vanish_with_their_separators() -> None:
    from casecoder.export.citations import tidy

    assert tidy(", BIP") == "BIP"
    assert tidy("(Informant, )") == "(Informant)"
    assert tidy("( , ) – pro-rector") == "pro-rector"
    assert Citation.parse("{role}", []).fields == ["role"]
    with pytest.raises(UserError, match="unknown field 'x'"):
        Citation.parse("{x}", ["role"])


# --- charts --------------------------------------------------------------------------------


def test_charts_are_normalised_per_group_with_n(study: Path) -> None:
    with Project.open(study) as p:
        export = QuoteExport(p, QuoteOptions(by=("case_type", "role")))
        sizes = group_sizes(export)
        themes = list(export.themes())
        charts = theme_charts(export, themes[0], sizes)
        assert [c.attribute for c in charts] == ["case_type", "role"]
        bars = {b.label: (b.mentioned, b.n) for b in charts[0].bars}
        # Every document of the study has one case type or none; each mentions motivation.
        assert bars == {"BIP": (1, 1), "EMJM": (1, 1), "KA220": (1, 1), "(not set)": (1, 1)}
        assert theme_charts(export, themes[2], sizes) == []  # continuation: no codings
        barriers = {b.label: b.share for b in theme_charts(export, themes[1], sizes)[0].bars}
        assert barriers == {"BIP": 1.0, "EMJM": 0.0, "KA220": 1.0, "(not set)": 0.0}


# --- CSV formula safety --------------------------------------------------------------------


def test_csv_raw_keeps_exact_text_and_the_default_is_reversible(study: Path,
                                                                tmp_path: Path) -> None:
    raw, safe = tmp_path / "raw.csv", tmp_path / "safe.csv"
    export(study, raw, "--raw")
    export(study, safe)
    raw_rows = list(csv.DictReader(io.StringIO(raw.read_text(encoding="utf-8-sig"))))
    safe_rows = list(csv.DictReader(io.StringIO(safe.read_text(encoding="utf-8-sig"))))
    assert "-Den er like tung som for lang mobilitet." in {r["quote"] for r in raw_rows}
    assert "'-Den er like tung som for lang mobilitet." in {r["quote"] for r in safe_rows}
    assert [{k: restore(v) for k, v in r.items()} for r in safe_rows] == raw_rows


@pytest.mark.parametrize("text", ["-x", "'-x", "''=x", "'Tis", "plain", "", "@a", "'"])
def test_neutralise_is_reversible(text: str) -> None:
    assert restore(neutralise(text)) == text
    assert neutralise(text)[:1] not in {"=", "+", "-", "@"}


def test_readme_and_cells_module_agree_on_formula_safety() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "--raw" in readme and "casecoder/export/cells.py" in readme
    assert "keeps the exact coded text" not in readme.replace("`--raw` keeps the exact coded "
                                                              "text", "")


# --- the pseudonym file on record ----------------------------------------------------------


def test_an_export_without_the_remembered_pseudonyms_is_refused(own_study: Path,
                                                               tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    names.write_text("name,pseudonym\nKari,[kollega]\n", encoding="utf-8")
    export(own_study, tmp_path / "a.md", "--pseudonyms", names)
    with Project.open(own_study) as p:
        assert p.setting("export.pseudonyms") == str(names.resolve())
    out = tmp_path / "b.md"
    result = run("export", "quotes", own_study, "-o", out)
    assert result.exit_code == 2 and not out.exists()
    assert "--pseudonyms" in result.stderr and "--no-pseudonyms" in result.stderr
    export(own_study, out, "--no-pseudonyms")
    assert "Kari" in out.read_text(encoding="utf-8")


# --- rendered by LibreOffice ---------------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed, so the DOCX and XLSX "
                           "cannot be rendered to PDF here")
def test_libreoffice_renders_the_docx_and_xlsx(study: Path, tmp_path: Path) -> None:
    for suffix in ("docx", "xlsx"):
        out = tmp_path / f"q.{suffix}"
        export(study, out, "--by", "case_type", "--by", "role")
        done = subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
             "--convert-to", "pdf", "--outdir", str(tmp_path / suffix), str(out)],
            capture_output=True, text=True, timeout=180, check=False)
        pdf = tmp_path / suffix / "q.pdf"
        assert pdf.exists(), done.stdout + done.stderr
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
        assert pages >= 2, suffix
