"""Batch import: the worker-process pipeline gives exactly what inline import gives."""

from __future__ import annotations

from pathlib import Path

import pytest

import casecoder.project.documents as documents
from casecoder.project import Project


def _files(folder: Path, interview: str) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(4):
        path = folder / f"intervju-{i}.txt"
        path.write_text(interview.replace("07", f"0{i}") + f"\nKari: Slutt {i}.\n",
                        encoding="utf-8")
        paths.append(path)
    broken = folder / "broken.txt"
    broken.write_bytes(b"\x00\x01\x02binary\x00" * 20)
    paths.insert(2, broken)
    return paths


def _snapshot(p: Project) -> list[tuple]:  # type: ignore[type-arg]
    return [(d.name, d.sha256, [(s.kind, s.number, s.start, s.end, s.speaker, s.timestamp)
                                for k in ("sentence", "turn", "paragraph")
                                for s in p.segments(d, k)]) for d in p.documents()]


def test_worker_process_import_matches_inline(tmp_path: Path, interview_file: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _files(tmp_path / "in", interview_file.read_text(encoding="utf-8"))
    with Project.create(tmp_path / "inline.cc.db", coder="anna") as inline:
        inline_results = [(r.status, Path(r.path).name) for r in inline.import_files(paths)]
        expected = _snapshot(inline)
    monkeypatch.setattr(documents, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(documents, "PARALLEL_MIN_BYTES", 0)
    with Project.create(tmp_path / "worker.cc.db", coder="anna") as worker:
        worker_results = [(r.status, Path(r.path).name) for r in worker.import_files(paths)]
        assert _snapshot(worker) == expected
    assert worker_results == inline_results
    assert [s for s, _ in inline_results] == ["imported", "imported", "failed", "imported",
                                              "imported"]
