"""The quote export: every quote is its span, every count matches an independent count, every
format opens in its own reader, names never survive pseudonymisation, spreadsheet formulas are
neutralised, bad arguments write nothing, and md/csv/json are byte-identical across runs.

One small study is built once per module from real transcripts (imported and segmented by
casecoder itself), with the awkward cases on purpose: a passage under two subcodes of one theme,
a coding at theme level, two coders on the same span, a nested subcode, a multi-line quote, a
document without case or role, quotes and attributes that start with "-", "=", "+" or "@", and
names in quotes, memos, compounds, genitives and speaker labels.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from casecoder.cli import main
from casecoder.errors import UserError
from casecoder.export.cells import neutralise, restore
from casecoder.export.pseudonyms import Pseudonymizer, read_pseudonyms
from casecoder.export.quotes import (
    THEME_LEVEL,
    QuoteExport,
    QuoteOptions,
    export_quotes,
    fold,
)
from casecoder.model import CodingRecord
from casecoder.project import Project

C1 = """Intervju 01 – BIP helse – prosjektleder

[00:00:04] Intervjuer: Kan du fortelle om bakgrunnen for [BIP-en]?

[00:00:10] Informant: Det var egentlig Kari som tok initiativet. Karis idé var et kort program for eldre studenter. Vi kalte det Kari-prosjektet internt, og Kari's kollega i Spania var med.

[00:01:02] Intervjuer: Hva motiverte dere?

[00:01:08] Informant: Studentene våre har barn og jobb. Én uke i utlandet klarer de, et helt semester går ikke.
Det er inkluderende mobilitet, rett og slett.

[00:02:15] Intervjuer: Og rapporteringen?

[00:02:20] Informant: -Den er like tung som for lang mobilitet. =SUM(A1:A9) timer, sier Per Hansen alltid.
"""  # noqa: E501

C2 = """[00:00:02] Intervjuer: Hvorfor søkte dere om et samarbeidspartnerskap?

[00:00:08] Ola: Vi ville bygge nettverk med nye partnere. Ledelsen ba oss også om det, sa Ola.

[00:00:40] Intervjuer: Hva var vanskelig?

[00:00:45] Ola: +50 timer ekstra med søknaden. Og Per Hansen måtte skrive under alt.
"""

C3 = """[00:00:03] Interviewer: Why did you apply?

[00:00:09] Respondent: Mostly because of Kari' network in the alliance. @everyone wanted the funding, to be honest.
"""  # noqa: E501

LOOSE = """Notater fra et uformelt møte.

Vi kan bruke [BIP-en] som pilot for et nytt emne. Studentene likte den korte mobiliteten.
"""

NAMES = ("Kari", "Per Hansen", "Ola")
PSEUDONYMS_YAML = "Kari: [kollega]\nPer Hansen: Pål\nOla: [informant B]\n"

# Each coding: document, code, coder, phrase (first occurrence) and memo.
CODINGS = [
    ("c1-bip-prosjektleder", "motivation/champions", "ingrid",
     "Det var egentlig Kari som tok initiativet.", "Kari er ildsjelen her"),
    ("c1-bip-prosjektleder", "motivation/champions", "ingrid",
     "Karis idé var et kort program for eldre studenter.", ""),
    ("c1-bip-prosjektleder", "motivation/inclusive-mobility", "ingrid",
     "Karis idé var et kort program for eldre studenter.", ""),
    ("c1-bip-prosjektleder", "motivation/inclusive-mobility", "ingrid",
     "Studentene våre har barn og jobb. Én uke i utlandet klarer de, et helt semester går "
     "ikke.\nDet er inkluderende mobilitet, rett og slett.", "to linjer"),
    ("c1-bip-prosjektleder", "motivation/inclusive-mobility", "tomas",
     "Studentene våre har barn og jobb. Én uke i utlandet klarer de, et helt semester går "
     "ikke.\nDet er inkluderende mobilitet, rett og slett.", ""),
    ("c1-bip-prosjektleder", "motivation", "tomas",
     "Vi kalte det Kari-prosjektet internt, og Kari's kollega i Spania var med.", ""),
    ("c1-bip-prosjektleder", "barriers/workload", "ingrid",
     "-Den er like tung som for lang mobilitet.", "=1+1"),
    ("c1-bip-prosjektleder", "barriers/workload", "tomas",
     "=SUM(A1:A9) timer, sier Per Hansen alltid.", ""),
    ("c2-ka220-prorektor", "motivation/partners", "ingrid",
     "Vi ville bygge nettverk med nye partnere.", ""),
    ("c2-ka220-prorektor", "motivation/partners/new", "ingrid",
     "Vi ville bygge nettverk med nye partnere.", ""),
    ("c2-ka220-prorektor", "motivation", "ingrid",
     "Ledelsen ba oss også om det, sa Ola.", "Ola nevner ledelsen"),
    ("c2-ka220-prorektor", "barriers/workload", "ingrid",
     "+50 timer ekstra med søknaden.", ""),
    ("c2-ka220-prorektor", "barriers/workload", "tomas",
     "Og Per Hansen måtte skrive under alt.", ""),
    ("c3-emjm-coordinator", "motivation/partners", "ingrid",
     "Mostly because of Kari' network in the alliance.", ""),
    ("c3-emjm-coordinator", "motivation/partners", "tomas",
     "@everyone wanted the funding, to be honest.", ""),
    ("loose-notes", "motivation/inclusive-mobility", "ingrid",
     "Studentene likte den korte mobiliteten.", ""),
]


def build_study(folder: Path) -> Path:
    path = folder / "study.cc.db"
    p = Project.create(path, language="nb", coder="ingrid")
    p.add_code("motivation", description="Why staff use Erasmus+.\nNorsk: motivasjon.")
    p.add_code("motivation/inclusive-mobility", description="Short mobility for students "
               "who rarely go abroad.")
    p.add_code("motivation/champions", description="Enthusiasts drive the work (ildsjeler).")
    p.add_code("motivation/partners", description="New and old partners, networks.")
    p.add_code("motivation/partners/new", description="New partners only.")
    p.add_code("barriers", description="What makes the work hard.", codable=False)
    p.add_code("barriers/workload", description="Work exceeds the grant.")
    p.add_code("continuation", description="Whether offers live on.")
    docs = [
        ("c1-bip-prosjektleder", C1, "C1",
         {"role": "project leader", "case_type": "BIP", "field": "health"}, "nb"),
        ("c2-ka220-prorektor", C2, "C2",
         {"role": "pro-rector", "case_type": "KA220", "field": "+helse"}, "nb"),
        ("c3-emjm-coordinator", C3, "C3",
         {"role": "Erasmus+ coordinator", "case_type": "EMJM"}, "en"),
        ("loose-notes", LOOSE, None, {}, "nb"),
    ]
    for name, text, case, attributes, language in docs:
        source = folder / f"{name}.txt"
        source.write_text(text, encoding="utf-8")
        result = p.import_file(source, name=name, case=case, attributes=attributes,
                               language=language)
        assert result.status == "imported", result.message
    records = []
    for doc, code, coder, phrase, memo in CODINGS:
        start = p.text(doc).index(phrase)
        records.append(CodingRecord(doc, code, coder, start, start + len(phrase), memo=memo))
    counts = p.add_codings(records)
    assert counts["added"] == len(CODINGS), counts
    p.close()
    return path


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_study(tmp_path_factory.mktemp("study"))


@pytest.fixture
def own_study(study: Path, tmp_path: Path) -> Path:
    """A copy of the study for tests that leave something on record (a pseudonym file)."""
    import shutil

    return Path(shutil.copy(study, tmp_path / "own.cc.db"))


@pytest.fixture
def p(study: Path) -> Iterator[Project]:
    with Project.open(study) as project:
        yield project


def run(*args: Any) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def export(study: Path, out: Path, *args: Any) -> Result:
    result = run("export", "quotes", study, "-o", out, *args)
    assert result.exit_code == 0, result.output + result.stderr
    return result


def spans(p: Project) -> Counter[str]:
    """The text of every coding's span, each once (default themes are top-level codes)."""
    return Counter(p.text(c.document)[c.start:c.end] for c in p.codings())


# --- readers, one per format ---------------------------------------------------------------

_MD_ESCAPE = re.compile(r"\\(.)")


def md_quotes(text: str) -> Counter[str]:
    quotes: Counter[str] = Counter()
    for block in re.findall(r"(?:^>.*\n)+", text, flags=re.M):
        paras = [line[2:] for line in block.splitlines() if line.startswith("> ")]
        body = [q for q in paras if not q.startswith(("*Context", "— ", "*Memo:*"))]
        quotes[" ".join(_MD_ESCAPE.sub(r"\1", q) for q in body)] += 1
    return quotes


class _HTMLText(HTMLParser):
    """All text and attribute values, plus quote paragraphs grouped per blockquote."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.quotes: Counter[str] = Counter()
        self._current: list[str] | None = None
        self._in_q = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.texts.extend(v for _k, v in attrs if v)
        if tag == "blockquote":
            self._current = []
        if tag == "p" and ("class", "q") in attrs and self._current is not None:
            self._in_q = True
            self._current.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_q = False
        if tag == "blockquote" and self._current is not None:
            self.quotes[" ".join(self._current)] += 1
            self._current = None

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self._in_q and self._current is not None:
            self._current[-1] += data


def html_read(path: Path) -> _HTMLText:
    parser = _HTMLText()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def docx_read(path: Path) -> tuple[list[str], Counter[str]]:
    """All text of a Word file, and its quotes (runs of "Quote" paragraphs, context left out)."""
    import docx

    document = docx.Document(str(path))
    texts = [document.core_properties.title or ""]
    quotes: Counter[str] = Counter()
    current: list[str] = []
    for para in document.paragraphs:
        texts.append(para.text)
        if para.style is not None and para.style.name == "Quote":
            if not para.text.startswith("Context: "):
                current.append(para.text)
        elif current:
            quotes[" ".join(current)] += 1
            current = []
    for table in document.tables:
        texts.extend(cell.text for row in table.rows for cell in row.cells)
    return texts, quotes


def xlsx_cells(path: Path) -> dict[str, list[list[Any]]]:
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    out = {ws.title: [[c.value for c in row] for row in ws.iter_rows()]
           for ws in workbook.worksheets}
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {ws.title}!{cell.coordinate}"
    return out


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from json_strings(v)


# --- the model -----------------------------------------------------------------------------


def independent_counts(p: Project, codings: list[Any]) -> dict[str, int]:
    docs = {c.document for c in codings}
    return {
        "codings": len(codings),
        "passages": len({(c.document, c.start, c.end) for c in codings}),
        "documents": len(docs),
        "informants": len({(c.document, p.segment_at(c.document, c.start).speaker)
                           for c in codings}),
        "cases": len({p.document(c.document).case for c in codings} - {None}),
    }


def test_counts_match_an_independent_count_from_codings(p: Project) -> None:
    export = QuoteExport(p, QuoteOptions())
    themes = list(export.themes())
    assert [t.code.path for t in themes] == ["motivation", "barriers", "continuation"]
    for theme in themes:
        everything = p.codings(code=theme.code)
        assert theme.counts.as_dict() == independent_counts(p, everything)
        for section in theme.sections:
            own = [c for c in everything if c.code_id == section.code.id]
            assert section.counts.as_dict() == independent_counts(p, own), section.label
    motivation = themes[0]
    # Two coders on one span: two codings, one passage. Two subcodes on one span: the theme
    # counts that passage once.
    mobility = next(s for s in motivation.sections if s.label == "inclusive-mobility")
    assert (mobility.counts.codings, mobility.counts.passages) == (4, 3)
    assert motivation.counts.codings == 12
    assert motivation.counts.passages == 9
    assert motivation.sections[0].label == THEME_LEVEL
    assert motivation.sections[0].counts.codings == 2
    # A category code with no codings of its own has no theme-level section; an unused theme
    # still lists its (empty) subcodes.
    assert [s.label for s in themes[1].sections] == ["workload"]
    assert themes[2].counts.codings == 0


def test_matrices_match_an_independent_count(p: Project) -> None:
    export = QuoteExport(p, QuoteOptions(by=("case_type", "role", "case")))
    attributes = p.all_attributes()
    theme = next(export.themes())
    assert [m.attribute for m in theme.matrices] == ["case_type", "role", "case"]
    for matrix in theme.matrices:
        everything = p.codings(code=theme.code)
        for section in theme.sections:
            for value in matrix.values:
                hits = [c for c in everything if c.code_id == section.code.id
                        and (attributes[c.document].get(matrix.attribute) or "(not set)")
                        == value]
                cell = matrix.cell(section.code.id, value)
                assert (cell.codings, cell.documents) == (
                    len(hits), len({c.document for c in hits}))
        assert matrix.total.codings == len(everything)
        assert sum(c.codings for c in matrix.column_totals.values()) == len(everything)
    case_type = theme.matrices[0]
    assert case_type.values == ("BIP", "EMJM", "KA220", "(not set)")


def test_every_quote_is_its_span_and_is_attributed(p: Project) -> None:
    export = QuoteExport(p, QuoteOptions(per_coder=True))
    seen = []
    for theme in export.themes():
        for quote in theme.all_quotes():
            assert quote.text == p.text(quote.document)[quote.start:quote.end]
            seg = p.segment_at(quote.document, quote.start)
            assert seg is not None
            assert (quote.segment, quote.speaker or None, quote.timestamp) == (
                seg.number, seg.speaker, seg.timestamp)
            assert quote.context_before == quote.context_after == ""
            seen.append(quote)
    assert len(seen) == len(CODINGS)
    first = next(q for q in seen if q.text.startswith("Det var egentlig Kari"))
    assert first.attribution() == ("project leader, BIP · case C1 · c1-bip-prosjektleder, "
                                   "sentence 3 [00:00:10] · speaker: Informant · coder: ingrid")
    assert first.memo == "Kari er ildsjelen her"
    loose = next(q for q in seen if q.document == "loose-notes")
    assert loose.attribution().startswith("loose-notes, sentence")


def test_context_adds_sentences_around_the_quote(p: Project) -> None:
    export = QuoteExport(p, QuoteOptions(context=1, themes=("motivation/champions",)))
    theme = next(export.themes())
    quotes = list(theme.all_quotes())
    assert quotes[1].text.startswith("Karis idé")
    assert quotes[1].context_before == "Det var egentlig Kari som tok initiativet."
    assert quotes[1].context_after.startswith("Vi kalte det Kari-prosjektet")
    # The interviewer's question before an answer is labelled with its speaker.
    assert quotes[0].context_before == "Intervjuer: Kan du fortelle om bakgrunnen for [BIP-en]?"
    assert quotes[0].context_after == quotes[1].text  # one speaker: no labels
    mobility = QuoteExport(p, QuoteOptions(context=2, themes=("motivation/inclusive-mobility",)))
    two_lines = [q for q in next(mobility.themes()).all_quotes() if "\n" in q.text]
    assert two_lines[0].context_after == ("Intervjuer: Og rapporteringen?\n"
                                          "Informant: -Den er like tung som for lang mobilitet.")


def test_coder_filter_and_chosen_theme(p: Project) -> None:
    export = QuoteExport(p, QuoteOptions(coder="tomas", themes=("barriers/workload",)))
    theme = next(export.themes())
    quotes = list(theme.all_quotes())
    assert {q.coder for q in quotes} == {"tomas"}
    assert len(quotes) == 2
    assert theme.sections[0].label == THEME_LEVEL
    assert theme.counts.codings == 2


# --- every format, read back with its own reader -------------------------------------------


def test_markdown_quotes_are_the_spans_and_the_file_is_pandoc_markdown(
        p: Project, study: Path, tmp_path: Path) -> None:
    out = tmp_path / "quotes.md"
    result = export(study, out, "--by", "case_type", "--per-coder")
    assert "wrote" in result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "Quote summary: study"\n---\n')
    assert md_quotes(text) == Counter(fold(s) for s in spans(p).elements())
    assert "| Code | Codings | Passages | Documents | Informants | Cases |" in text
    assert "| Code | BIP | EMJM | KA220 | (not set) | Total |" in text
    assert "## coded at theme level" in text
    assert "codings = every application of a code" in text
    # Characters pandoc would act on are escaped: a "-" starting a quote is not a list item,
    # "@" is not a citation.
    assert "> \\-Den er like tung" in text
    assert "> \\@everyone wanted" in text
    with_context = tmp_path / "context.md"
    export(study, with_context, "--context", "1")
    text = with_context.read_text(encoding="utf-8")
    assert "*Context before:* Intervjuer: Kan du fortelle om bakgrunnen for \\[BIP-en\\]?" in text
    assert "[BIP-en]" not in text.replace("\\[BIP-en\\]", "")


def test_html_is_self_contained_escaped_and_has_a_chart(
        p: Project, study: Path, tmp_path: Path) -> None:
    out = tmp_path / "quotes.html"
    export(study, out, "--per-coder")
    parsed = html_read(out)
    assert parsed.quotes == Counter(fold(s) for s in spans(p).elements())
    raw = out.read_text(encoding="utf-8")
    # One chart per --by attribute (case_type, role) for motivation and barriers; continuation
    # has no codings.
    assert raw.count("<svg") == 4
    assert "<script" not in raw and "http://" not in raw.replace(
        "http://www.w3.org/2000/svg", "")
    assert "<style>" in raw and "@media print" in raw
    assert "Share of documents mentioning motivation, by case_type" in raw
    assert "BIP (n=1)" in raw and "100 % (1 of 1)" in raw


def test_docx_has_headings_tables_and_quote_paragraphs(
        p: Project, study: Path, tmp_path: Path) -> None:
    import docx

    out = tmp_path / "quotes.docx"
    export(study, out, "--by", "role", "--per-coder")
    _texts, quotes = docx_read(out)
    expected = Counter(" ".join(line.strip() for line in s.split("\n") if line.strip())
                       for s in spans(p).elements())
    assert quotes == expected
    document = docx.Document(str(out))
    headings = [(para.style.name, para.text) for para in document.paragraphs
                if para.style is not None and para.style.name.startswith("Heading")]
    assert ("Heading 1", "motivation") in headings
    assert ("Heading 2", "inclusive-mobility") in headings
    assert ("Heading 3", "partners/new") in headings  # a subcode's subcode
    # A summary per theme, and a breakdown by role for each theme that has codings.
    assert len(document.tables) == 3 + 2


def test_xlsx_sheets_frozen_header_autofilter_and_neutralised_cells(
        p: Project, study: Path, tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "quotes.xlsx"
    export(study, out, "--per-coder")
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["Summary", "motivation", "barriers", "continuation",
                                   "All quotes"]
    sheet = workbook["All quotes"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}" \
                                    f"{len(CODINGS) + 1}"
    cells = xlsx_cells(out)
    header = cells["All quotes"][0]
    assert {"case_type", "role", "field", "document", "quote", "speaker"} <= set(header)
    rows = [dict(zip(header, row, strict=True)) for row in cells["All quotes"][1:]]
    # String cells keep the exact text; a formula start gets Excel's quote-prefix style.
    assert Counter(r["quote"] for r in rows) == spans(p)
    quote_col = header.index("quote") + 1
    prefixed = {c.value: c.quotePrefix for c in workbook["All quotes"].iter_cols(
        quote_col, quote_col, 2).__next__()}
    assert prefixed["-Den er like tung som for lang mobilitet."] is True
    assert prefixed["=SUM(A1:A9) timer, sier Per Hansen alltid."] is True
    assert prefixed["@everyone wanted the funding, to be honest."] is True
    assert prefixed["Studentene likte den korte mobiliteten."] is False
    assert "+helse" in {r["field"] for r in rows}
    assert "cut" in header and "citation" not in header
    motivation = cells["motivation"]
    quote_rows = [row for row in motivation if row and row[0] ==
                  "Det var egentlig Kari som tok initiativet."]
    assert quote_rows and quote_rows[0][1:3] == ["project leader, BIP", "Kari er ildsjelen her"]
    assert "coded at theme level" in [row[0] for row in motivation if row]
    summary = cells["Summary"]
    assert ["motivation", "motivation (all)", "theme (all)", 12, 9, 4, 4, 3, "motivation"] in [
        row[:9] for row in summary]


def test_csv_is_long_format_with_exact_neutralised_text(
        p: Project, study: Path, tmp_path: Path) -> None:
    out = tmp_path / "quotes.csv"
    export(study, out, "--per-coder")
    rows = csv_rows(out)
    assert len(rows) == len(CODINGS)
    assert Counter(r["quote"] for r in rows) == Counter(
        neutralise(s) for s in spans(p).elements())
    assert Counter(restore(r["quote"]) for r in rows) == spans(p)
    assert list(rows[0])[-2:] == ["citation", "origin"]
    assert list(rows[0])[:5] == ["theme", "code", "level", "document", "case"]
    assert {"case_type", "field", "role"} <= set(rows[0])
    two_lines = [r for r in rows if "\n" in r["quote"]]
    assert len(two_lines) == 2  # exact text, line break kept
    memo = next(r["memo"] for r in rows if r["quote"].startswith("'-Den"))
    assert memo == "'=1+1"
    levels = Counter((r["code"], r["level"]) for r in rows if r["level"] == "theme")
    assert levels == {("motivation", "theme"): 2}
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_json_holds_the_whole_model(p: Project, study: Path, tmp_path: Path) -> None:
    out = tmp_path / "quotes.json"
    export(study, out, "--by", "case_type", "--all-coders", "--per-coder")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "casecoder-quotes"
    quotes = [q for t in data["themes"] for s in t["sections"] for q in s["quotes"]]
    assert Counter(q["text"] for q in quotes) == spans(p)
    for q in quotes:
        assert q["text"] == p.text(q["document"])[q["start"]:q["end"]]
    motivation = data["themes"][0]
    assert motivation["counts"] == independent_counts(p, p.codings(code="motivation"))
    matrix = motivation["matrices"][0]
    assert matrix["attribute"] == "case_type"
    assert matrix["total"] == {"codings": 12, "documents": 4}
    assert "exported_at" not in data


@pytest.mark.parametrize("suffix", ["md", "csv", "json"])
def test_two_runs_are_byte_identical(study: Path, tmp_path: Path, suffix: str) -> None:
    first, second = tmp_path / f"a.{suffix}", tmp_path / f"b.{suffix}"
    export(study, first, "--context", "1", "--by", "role")
    export(study, second, "--context", "1", "--by", "role")
    assert first.read_bytes() == second.read_bytes()


def test_timestamp_only_when_asked(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "stamped.json"
    export(study, out, "--timestamp")
    assert re.match(r"\d{4}-\d\d-\d\dT", json.loads(out.read_text())["exported_at"])


def test_format_option_overrides_the_extension(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    export(study, out, "--format", "md")
    assert out.read_text(encoding="utf-8").startswith("---\ntitle:")


# --- pseudonyms ----------------------------------------------------------------------------


def all_text(path: Path) -> list[str]:
    """Every string a reader of the format finds in the file."""
    suffix = path.suffix
    if suffix == ".md":
        return [_MD_ESCAPE.sub(r"\1", path.read_text(encoding="utf-8"))]
    if suffix == ".html":
        return html_read(path).texts
    if suffix == ".docx":
        return docx_read(path)[0]
    if suffix == ".xlsx":
        return [str(v) for rows in xlsx_cells(path).values() for row in rows for v in row
                if v is not None]
    if suffix == ".csv":
        return [v for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))
                for v in row]
    return list(json_strings(json.loads(path.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("suffix", ["md", "html", "docx", "xlsx", "csv", "json"])
def test_no_listed_name_survives_in_any_format(own_study: Path, tmp_path: Path,
                                               suffix: str) -> None:
    study = own_study
    names = tmp_path / "names.yml"
    names.write_text(PSEUDONYMS_YAML, encoding="utf-8")
    out = tmp_path / f"anon.{suffix}"
    result = export(study, out, "--pseudonyms", names, "--context", "2",
                    "--by", "role", "--by", "case_type", "-v")
    texts = all_text(out)
    joined = "\n".join(texts)
    for name in NAMES:
        assert name not in joined, f"{name!r} survived in {suffix}"
    assert "[kollega]-prosjektet" in joined
    assert "[kollega]s idé" in joined
    assert "Pål" in joined and "[informant B]" in joined
    # The report goes to stderr: counts per name, never the quoted text.
    assert "pseudonyms: Kari -> [kollega]:" in result.stderr
    assert "tok initiativet" not in result.stderr
    assert "replacement" in result.stderr


def test_speaker_names_and_memos_are_pseudonymised(own_study: Path, tmp_path: Path) -> None:
    study = own_study
    names = tmp_path / "names.csv"
    names.write_text("name,pseudonym\nOla,[informant B]\nKari,[kollega]\n", encoding="utf-8")
    out = tmp_path / "anon.csv"
    export(study, out, "--pseudonyms", names)
    rows = csv_rows(out)
    assert {r["speaker"] for r in rows if r["document"] == "c2-ka220-prorektor"} == {
        "[informant B]"}
    assert "[kollega] er ildsjelen her" in {r["memo"] for r in rows}


def test_pseudonymizer_forms_compounds_and_case() -> None:
    anon = Pseudonymizer({"Kari": "[kollega]", "Kari Nordmann": "[KN]", "Per": "Ola"}, "nb")
    text = ("Kari sa det. Karis idé, Kari's plan, Kari' bok, Kari’s venn. Kari-prosjektet og "
            "NTNU-Kari. Karianne og kari er andre. Kari Nordmann-prosjektet; per epost til Per.")
    assert anon.apply(text) == (
        "[kollega] sa det. [kollega]s idé, [kollega]'s plan, [kollega]' bok, [kollega]’s venn. "
        "[kollega]-prosjektet og NTNU-[kollega]. Karianne og kari er andre. "
        "[KN]-prosjektet; per epost til Ola.")
    assert anon.counts == {"Kari": 7, "Kari Nordmann": 1, "Per": 1}
    assert anon.apply("Ingen navn her.") == "Ingen navn her."
    english = Pseudonymizer({"Kari": "Anne"}, "en")
    assert english.apply("Kari's idea, the Kari-project.") == "Anne's idea, the Anne-project."
    report = anon.report()
    assert "pseudonyms: Kari -> [kollega]: 7 replacements" in report
    assert report[-1] == "pseudonyms: 9 replacements in all"


def test_pseudonym_files(tmp_path: Path) -> None:
    yml = tmp_path / "names.yaml"
    yml.write_text("Kari: [kollega]\nOla Nordmann: Per\n", encoding="utf-8")
    assert read_pseudonyms(yml) == {"Kari": "[kollega]", "Ola Nordmann": "Per"}
    table = tmp_path / "names.csv"
    table.write_text("\ufeffname;pseudonym\nKari;[kollega]\n", encoding="utf-8")
    assert read_pseudonyms(table) == {"Kari": "[kollega]"}
    bad = {
        "missing.yml": None,
        "list.yml": "- Kari\n- Ola\n",
        "broken.yml": "Kari: [kollega\n",
        "self.yml": "Kari: Kari B.\n",
        "chain.yml": "Kari: Ola\nOla: Per\n",
        "empty.csv": "name,pseudonym\n",
        "short.csv": "Kari\n",
        "latin1.csv": "Kåre,[kollega]\n".encode("latin-1"),
    }
    for name, content in bad.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            path.write_text(content, encoding="utf-8")
        with pytest.raises(UserError):
            read_pseudonyms(path)


# --- bad arguments and atomic writing -------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["--theme", "nosuchtheme"], "unknown code"),
    (["--by", "colour"], "unknown attribute 'colour'"),
    (["--coder", "nobody"], "unknown coder 'nobody'"),
    (["--coder", "ingrid", "--all-coders"], "either --coder"),
    (["--pseudonyms", "missing.yml"], "does not exist"),
    (["--pseudonyms", "broken.yml"], "not valid YAML"),
    (["--context", "-1"], "--context"),
])
def test_bad_arguments_fail_in_one_line_and_write_nothing(
        study: Path, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "broken.yml").write_text("Kari: [oops\n", encoding="utf-8")
    args = [str(tmp_path / a) if a.endswith(".yml") else a for a in args]
    out = tmp_path / "out" / "quotes.md"
    out.parent.mkdir()
    result = run("export", "quotes", study, "-o", out, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("casecoder: error:")
    assert list(out.parent.iterdir()) == []


def test_unwritable_or_unknown_outputs_fail_cleanly(study: Path, tmp_path: Path) -> None:
    for out, message in [(tmp_path / "missing" / "q.md", "does not exist"),
                         (tmp_path / "q.pdf", "cannot tell the format"),
                         (tmp_path, "it is a folder"),
                         (study, "it is the project file")]:
        before = sorted(tmp_path.rglob("*"))
        result = run("export", "quotes", study, "-o", out)
        assert result.exit_code == 2, out
        assert message in result.stderr
        assert sorted(tmp_path.rglob("*")) == before


def test_a_folder_without_write_permission_is_refused_before_any_work(
        study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import casecoder.export.atomic as atomic

    # Tests may run as root, for whom every folder is writable: ask os.access to say no for
    # the output folder only.
    real_access = atomic.os.access
    folder = tmp_path.resolve()

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        return Path(path) != folder and real_access(path, mode, **kwargs)

    monkeypatch.setattr(atomic.os, "access", access)
    result = run("export", "quotes", study, "-o", tmp_path / "q.md")
    assert result.exit_code == 2
    assert "no permission to write" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_empty_codebook_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.cc.db"
    Project.create(path, coder="ingrid").close()
    result = run("export", "quotes", path, "-o", tmp_path / "q.json")
    assert result.exit_code == 2
    assert "the project's codebook has no codes" in result.stderr
    assert not (tmp_path / "q.json").exists()


def test_a_failure_while_writing_keeps_the_old_file(
        p: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import casecoder.export.quotes_md as md

    out = tmp_path / "quotes.md"
    out.write_text("the old report\n", encoding="utf-8")

    def explode(*_args: Any) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(md, "_theme", explode)
    with pytest.raises(UserError, match="No space left"):
        export_quotes(p, out, QuoteOptions())
    assert out.read_text(encoding="utf-8") == "the old report\n"
    assert list(tmp_path.iterdir()) == [out]


# --- one quote per passage across coders ---------------------------------------------------

SHARED = "Studentene våre har barn og jobb."  # coded identically by ingrid and tomas


def shared_quotes(path: Path, fmt: str) -> list[str]:
    """The quotes (texts, or rows) of one format that hold the passage both coders coded."""
    if fmt == "md":
        found = list(md_quotes(path.read_text(encoding="utf-8")).elements())
    elif fmt == "html":
        found = list(html_read(path).quotes.elements())
    elif fmt == "docx":
        found = list(docx_read(path)[1].elements())
    elif fmt == "xlsx":
        sheet = xlsx_cells(path)["All quotes"]
        column = sheet[0].index("quote")
        found = [row[column] for row in sheet[1:]]
    elif fmt == "csv":
        found = [r["quote"] for r in csv_rows(path)]
    else:
        data = json.loads(path.read_text(encoding="utf-8"))
        found = [q["text"] for t in data["themes"] for s in t["sections"] for q in s["quotes"]]
    return [q for q in found if q and q.startswith(SHARED)]


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "xlsx", "csv", "json"])
def test_a_passage_two_coders_coded_is_one_quote(study: Path, tmp_path: Path,
                                                fmt: str) -> None:
    merged, per_coder = tmp_path / f"merged.{fmt}", tmp_path / f"per-coder.{fmt}"
    export(study, merged)
    export(study, per_coder, "--per-coder")
    assert len(shared_quotes(merged, fmt)) == 1
    assert len(shared_quotes(per_coder, fmt)) == 2
    if fmt in ("csv", "json"):
        text = merged.read_text(encoding="utf-8-sig")
        assert "ingrid, tomas" in text  # who coded it
        assert "merged into one passage and one quote" in text or fmt == "csv"


def test_merged_counts_say_how_many_codings_and_passages(p: Project) -> None:
    theme = next(t for t in QuoteExport(p, QuoteOptions()).themes()
                 if t.code.path == "motivation")
    section = next(s for s in theme.sections if s.code.path == "motivation/inclusive-mobility")
    quotes = list(theme.quotes(section.code))
    codings = p.codings(code="motivation/inclusive-mobility", subcodes=False)
    assert section.counts.codings == len(codings)  # every application still counted
    assert len(quotes) == section.counts.passages == len(codings) - 1
    both = next(q for q in quotes if q.text.startswith(SHARED))
    assert both.coder == "ingrid, tomas" and both.memo == "ingrid: to linjer"
    assert "merged into one passage" in " ".join(QuoteExport(p, QuoteOptions()).intro())


def test_overlapping_codings_of_two_coders_merge_touching_ones_do_not(p: Project) -> None:
    doc = "c2-ka220-prorektor"
    text = p.text(doc)
    start = text.index("Vi ville bygge")
    p.add_codings([CodingRecord(doc, "continuation", "ingrid", start, start + 10),
                   CodingRecord(doc, "continuation", "tomas", start + 5, start + 20),
                   CodingRecord(doc, "continuation", "ola", start + 20, start + 30)])
    theme = next(QuoteExport(p, QuoteOptions(themes=("continuation",))).themes())
    quotes = list(theme.all_quotes())
    assert [(q.start - start, q.end - start, q.coder) for q in quotes] == [
        (0, 20, "ingrid, tomas"), (20, 30, "ola")]
    assert theme.counts.codings == 3 and theme.counts.passages == 2
