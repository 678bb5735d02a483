"""The shipped sample study keeps the promises the demo and the docs make about it."""

from __future__ import annotations

import csv
from pathlib import Path

from casecoder.project import Project

REPO = Path(__file__).resolve().parents[1]
TRANSCRIPTS = REPO / "transcripts"
CASE_TYPES = {"BIP", "EMJM", "European University alliance", "Innovation alliance", "KA220",
              "Teacher academy"}


def test_every_transcript_is_listed_with_its_attributes() -> None:
    files = {p.stem for p in TRANSCRIPTS.iterdir() if p.suffix in (".txt", ".docx", ".vtt")}
    with (TRANSCRIPTS / "attributes.csv").open(encoding="utf-8") as fh:
        rows = {r["document"]: r for r in csv.DictReader(fh)}
    assert files == set(rows) and len(files) >= 10
    assert {r["case_type"] for r in rows.values()} == CASE_TYPES
    assert len({r["case"] for r in rows.values()}) == 8
    for row in rows.values():
        assert all(row[k] for k in ("case", "role", "institution_type", "field", "language",
                                    "date")), row
    assert {p.suffix for p in TRANSCRIPTS.iterdir()} >= {".txt", ".docx", ".vtt"}


def test_demo_project_holds_the_whole_study(demo_project: Project) -> None:
    p = demo_project
    docs = p.documents()
    assert len(docs) == 12 and len(p.cases()) == 8
    for d in docs:
        assert 1500 <= d.word_count <= 4200, (d.name, d.word_count)
        assert p.attributes(d)["case_type"] in CASE_TYPES
    assert {d.language for d in docs} == {"nb", "en"}
    speakers = {d.name: {s.speaker for s in p.segments(d, "turn")} for d in docs}
    assert any({"Informant 1", "Informant 2"} <= s for s in speakers.values())
    timed = [d.name for d in docs if any(s.timestamp for s in p.segments(d, "turn"))]
    assert len(timed) >= 4


def test_demo_codings_cover_every_subcode_by_two_coders(demo_project: Project) -> None:
    p = demo_project
    codings = p.codings()
    by_coder: dict[str, set[str]] = {}
    for c in codings:
        by_coder.setdefault(c.coder, set()).add(c.document)
    assert set(by_coder) == {"ingrid", "tomas"}
    assert len(by_coder["ingrid"] & by_coder["tomas"]) >= 4
    used = {c.code_path for c in codings}
    subcodes = {c.path for c in p.codes() if c.depth == 1}
    assert len(subcodes) == 35 and subcodes <= used
    for c in codings:
        quote = p.text(c.document_id)[c.start:c.end]
        assert quote.strip() == quote and quote  # quotes are exact, trimmed passages
    agree = {(c.document, c.code_path, c.start, c.end) for c in codings if c.coder == "ingrid"}
    other = {(c.document, c.code_path, c.start, c.end) for c in codings if c.coder == "tomas"}
    assert agree & other and agree - other and other - agree  # partly disagreeing, on purpose
