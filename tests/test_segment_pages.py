"""Pages of PDF documents: stored with segments, migrated into older files, cited in exports."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner
from docmakers import make_pdf, page_stream

from casecoder.cli import main
from casecoder.project import Project
from casecoder.store import APPLICATION_ID, SCHEMA_VERSION
from casecoder.store.schema import MIGRATIONS


def test_a_version_4_file_gains_segment_pages(tmp_path: Path) -> None:
    path = tmp_path / "gammel.cc.db"
    conn = sqlite3.connect(path)
    conn.isolation_level = None
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    before = 4  # the last version without segment pages
    for version in range(before):
        MIGRATIONS[version](conn)
    conn.execute(f"PRAGMA user_version = {before}")
    assert "page" not in {r[1] for r in conn.execute("PRAGMA table_info(segments)")}
    conn.execute("INSERT INTO meta (key, value) VALUES ('language', 'nb')")
    conn.execute("INSERT INTO documents (guid, name, text, length, word_count, sha256, "
                 "source_format, language, imported_at) VALUES "
                 "('g1', 'intervju', 'Hei på deg.', 11, 3, 'x', 'txt', 'nb', 't')")
    conn.execute('INSERT INTO segments (document_id, kind, number, start, "end") '
                 "VALUES (1, 'sentence', 1, 0, 11)")
    conn.close()
    with Project.open(path, coder="anna") as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        [segment] = p.segments("intervju")
        assert (segment.start, segment.end, segment.page) == (0, 11, None)


def test_quote_export_cites_the_page(tmp_path: Path) -> None:
    pdf = tmp_path / "søknad.pdf"
    pdf.write_bytes(make_pdf([
        page_stream(["Søknaden beskriver mål for mobilitet."]),
        page_stream(["Vi vil styrke samarbeidet med skolene i Bø og Åsane."]),
    ]))
    project = tmp_path / "studie.cc.db"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(project), "--language", "nb"]).exit_code == 0
    assert runner.invoke(main, ["import", str(project), str(pdf)]).exit_code == 0
    with Project.open(project, coder="ingrid") as p:
        p.add_code("samarbeid")
        text = p.text("søknad")
        start = text.index("Vi vil")
        p.code_range("søknad", "samarbeid", start, start + len("Vi vil styrke samarbeidet"))
    out = tmp_path / "sitater.md"
    result = runner.invoke(main, ["export", "quotes", str(project), "-o", str(out)])
    assert result.exit_code == 0, result.output
    markdown = out.read_text(encoding="utf-8")
    assert "> Vi vil styrke samarbeidet" in markdown
    assert "— søknad, p. 2\n" in markdown  # the default citation names the page
    result = runner.invoke(main, ["export", "quotes", str(project), "-o", str(out),
                                  "--cite", "({document}, s. {page})"])
    assert result.exit_code == 0, result.output
    assert "— (søknad, s. 2)\n" in out.read_text(encoding="utf-8")
