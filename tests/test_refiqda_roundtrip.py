"""casecoder -> .qdpx -> casecoder keeps documents, attributes, codebook, codings and memos."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree
from test_refiqda_export import enrich

from casecoder.cli import main
from casecoder.exchange.qdpx_read import import_qdpx
from casecoder.exchange.qdpx_write import export_qdpx
from casecoder.exchange.settings import CODE_SETS_SETTING
from casecoder.project import Project


def snapshot(p: Project) -> dict[str, Any]:
    """Everything a round trip must keep, without row ids and import times."""
    docs = [(d.guid, d.name, p.text(d), d.sha256, d.source_format, d.source_name, d.encoding,
             d.language, d.case) for d in p.documents()]
    segments = [(d.guid, kind, [(s.number, s.start, s.end, s.speaker, s.timestamp)
                                for s in p.segments(d, kind)])
                for d in p.documents() for kind in ("sentence", "turn", "paragraph")]
    codings = sorted((c.guid, c.document, c.code_path, c.coder, c.start, c.end, c.memo,
                      c.created_at) for c in p.codings())
    memos = sorted((m.guid, m.target_kind, m.target, m.coder, m.text, m.created_at)
                   for m in p.memos())
    return {
        "documents": docs, "segments": segments, "codings": codings, "memos": memos,
        "attributes": p.all_attributes(), "codebook": p.export_codebook(),
        "codes": [(c.guid, c.path) for c in p.codes()],
        "coders": [(c.guid, c.name) for c in p.coders()],
        "cases": [(c.guid, c.name, c.description) for c in p.cases()],
        "code_sets": json.loads(p.setting(CODE_SETS_SETTING) or "{}"),
        "name": p.name, "language": p.language,
    }


def without_import_times(qde: bytes) -> bytes:
    """project.qde minus the two times the import cannot carry over (when the project was
    created and when each text was imported): everything else must come back identical."""
    root = etree.fromstring(qde)
    root.attrib.pop("creationDateTime", None)
    for source in root.iter("{urn:QDA-XML:project:1.0}TextSource"):
        source.attrib.pop("creationDateTime", None)
    return etree.tostring(root)


def round_trip(p: Project, tmp_path: Path, **kwargs: Any) -> tuple[Project, Path, Path]:
    first = tmp_path / "ut.qdpx"
    export_qdpx(p, first, **kwargs)
    result = import_qdpx(first, tmp_path / "inn.cc.db")
    assert result.warnings == []
    q = Project.open(tmp_path / "inn.cc.db")
    second = tmp_path / "igjen.qdpx"
    export_qdpx(q, second, **kwargs)
    return q, first, second


def test_round_trip_keeps_everything(coded_project: Project, tmp_path: Path) -> None:
    p = enrich(coded_project)
    q, first, second = round_trip(p, tmp_path)
    with q:
        assert snapshot(q) == snapshot(p)
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert a.namelist() == b.namelist()
        assert without_import_times(a.read("project.qde")) == \
            without_import_times(b.read("project.qde"))
        for name in a.namelist()[1:]:
            assert a.read(name) == b.read(name), name


def test_round_trip_through_crlf_texts(coded_project: Project, tmp_path: Path) -> None:
    p = enrich(coded_project)
    q, _first, _second = round_trip(p, tmp_path, crlf=True)
    with q:
        assert snapshot(q) == snapshot(p)


def test_round_trip_of_the_demo_study(demo_project: Project, tmp_path: Path) -> None:
    q, _first, _second = round_trip(demo_project, tmp_path)
    with q:
        assert snapshot(q) == snapshot(demo_project)
        assert len(q.codings()) == len(demo_project.codings()) > 100


def test_import_adds_no_coder_of_its_own(coded_project: Project, tmp_path: Path) -> None:
    """The import is recorded as the file's creating (first) user, so agreement tables do not
    grow a coder who coded nothing."""
    p = enrich(coded_project)
    export_qdpx(p, tmp_path / "ut.qdpx")
    result = import_qdpx(tmp_path / "ut.qdpx", tmp_path / "inn.cc.db")
    assert result.coders == ["anna", "tomas"]
    result = import_qdpx(tmp_path / "ut.qdpx", tmp_path / "inn2.cc.db", coder="kari")
    assert result.coders == ["anna", "kari", "tomas"]


def test_cli_export_and_import(coded_project: Project, tmp_path: Path) -> None:
    p = enrich(coded_project)
    expected = snapshot(p)
    path = Path(p.path)
    p.close()
    runner = CliRunner()
    out = tmp_path / "cli.qdpx"
    result = runner.invoke(main, ["export", "qdpx", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 documents" in result.output and "3 codings" in result.output
    target = tmp_path / "fra-cli.cc.db"
    result = runner.invoke(main, ["import-qdpx", str(out), str(target)])
    assert result.exit_code == 0, result.output
    assert f"created {target}" in result.output
    with Project.open(target) as q:
        assert snapshot(q) == expected
    again = runner.invoke(main, ["import-qdpx", str(out), str(target)])
    assert again.exit_code == 2
    assert "already exists" in again.output


@pytest.mark.parametrize("suffix", [".qdc", ".csv"])
def test_cli_codebook_round_trip_by_suffix(project: Project, tmp_path: Path,
                                           suffix: str) -> None:
    project.add_code("kategori", codable=False, description="Gruppe")
    expected = [(c.guid, c.path, c.description, c.color, c.codable) for c in project.codes()]
    source = Path(project.path)
    project.close()
    runner = CliRunner()
    out = tmp_path / f"bok{suffix}"
    result = runner.invoke(main, ["codebook", "export", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    fresh = tmp_path / "ny.cc.db"
    Project.create(fresh, coder="anna").close()
    result = runner.invoke(main, ["codebook", "import", str(fresh), str(out)])
    assert result.exit_code == 0, result.output
    assert f"{len(expected)} added, 0 changed" in result.output
    with Project.open(fresh) as q:
        assert [(c.guid, c.path, c.description, c.color, c.codable) for c in q.codes()] == \
            expected
    result = runner.invoke(main, ["codebook", "import", str(fresh), str(out)])
    assert f"0 added, 0 changed, {len(expected)} unchanged" in result.output
