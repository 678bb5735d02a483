"""A pseudonymised copy keeps every coding on the same words and no listed name anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from casecoder.cli import main
from casecoder.exchange.positions import OffsetMap
from casecoder.exchange.pseudonymise import pseudonymised_copy
from casecoder.export.pseudonyms import Pseudonymizer
from casecoder.project import Project

TEXT = """Intervjuer: Hvem startet det?

Kari Nordmann: Det var jeg og Ole. Karis idé var Kari-prosjektet, og Ole sa ja.

Intervjuer: Og så?

Kari Nordmann: Så skrev Ole søknaden i 2023.
"""
NAMES = {"Kari Nordmann": "[prosjektleder]", "Kari": "[prosjektleder]", "Ole": "[kollega]"}


def test_offset_map_moves_positions_with_the_text() -> None:
    text = "Ole og Kari."
    moved = OffsetMap([(0, 3, "[kollega]"), (7, 11, "[X]")])
    new = moved.apply(text)
    assert new == "[kollega] og [X]."
    assert new[moved.start(4):moved.end(6)] == "og"
    assert new[moved.start(0):moved.end(12)] == new
    assert new[moved.start(1):moved.end(2)] == "[kollega]"  # inside a name: the whole label
    assert new[moved.start(4):moved.end(9)] == "og [X]"


@pytest.fixture
def named_project(tmp_path: Path) -> Project:
    source = tmp_path / "intervju-kari.txt"
    source.write_text(TEXT, encoding="utf-8")
    p = Project.create(tmp_path / "named.cc.db", coder="ingrid")
    p.import_codebook(Path(__file__).resolve().parents[1] / "codebooks" / "erasmus-plus.yml")
    assert p.import_file(source, case="Karis case").status == "imported"
    p.set_attributes("intervju-kari", {"contact": "Ole via e-post", "role": "prosjektleder"})
    text = p.text("intervju-kari")
    start = text.index("Karis idé")
    p.code_range("intervju-kari", "motivation/champions", start, text.index(", og Ole"),
                 memo="Kari er ildsjelen")
    mid = text.index("Nordmann: Så")  # a coding that starts inside a name
    p.code_range("intervju-kari", "barriers", mid, len(text.rstrip()))
    p.set_memo("document", "intervju-kari", "Ole var også til stede.")
    p.set_memo("segment", ("intervju-kari", "sentence", 3), "Om Kari-prosjektet")
    return p


def test_copy_has_no_listed_name_and_the_same_codings(named_project: Project,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "anon.cc.db"
    report = pseudonymised_copy(named_project, out, Pseudonymizer(dict(NAMES)))
    assert report.documents == 1 and report.codings == 2 and report.memos == 2
    raw = out.read_bytes()
    for name in ("Kari", "Ole", "Nordmann"):
        assert name.encode() not in raw, name
    with Project.open(out) as copy:
        doc = copy.documents()[0]
        assert doc.guid == named_project.documents()[0].guid
        text = copy.text(doc)
        assert "Karis idé" not in text and "[prosjektleder]s idé var [prosjektleder]-prosjektet" \
            in text
        assert {s.speaker for s in copy.segments(doc, "turn")} == {"Intervjuer",
                                                                   "[prosjektleder]"}
        quotes = {c.code_path: (text[c.start:c.end], c.memo) for c in copy.codings()}
        assert quotes["motivation/champions"] == (
            "[prosjektleder]s idé var [prosjektleder]-prosjektet",
            "[prosjektleder] er ildsjelen")
        assert quotes["barriers"][0].startswith("[prosjektleder]: Så skrev [kollega] søknaden")
        assert copy.attributes(doc)["contact"] == "[kollega] via e-post"
        assert doc.case == "[prosjektleder]s case"
        assert sorted(m.text for m in copy.memos()) == ["Om [prosjektleder]-prosjektet",
                                                        "[kollega] var også til stede."]
        for seg in copy.segments(doc, "sentence"):
            assert text[seg.start:seg.end].strip() == text[seg.start:seg.end]
        assert [e.action for e in copy.history(limit=100)
                if e.action not in ("import", "import-codebook", "add-case",
                                    "set-attributes", "add-memo")] == ["pseudonymised-copy"]


def test_cli_writes_the_copy_once_and_reports_counts(named_project: Project,
                                                     tmp_path: Path) -> None:
    mapping = tmp_path / "names.csv"
    mapping.write_text("name,pseudonym\nKari Nordmann,[prosjektleder]\nKari,[prosjektleder]\n"
                       "Ole,[kollega]\n", encoding="utf-8")
    out = tmp_path / "anon.cc.db"
    args = ["export", "pseudonymised", str(named_project.path), "-o", str(out),
            "--pseudonyms", str(mapping)]
    result = CliRunner().invoke(main, [*args, "-v"])
    assert result.exit_code == 0, result.output
    assert "Ole -> [kollega]: 5 replacements" in result.stderr  # 3 in text, attribute, memo
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2 and "already exists" in again.stderr
