"""Coded shares per coder and document, kept by the Project and refreshed from its events."""

from __future__ import annotations

from pathlib import Path

from casecoder.model import CodingRecord
from casecoder.project import Project
from casecoder.project.progress import covered_sentences

INTERVJU = ("Intervjuer: Hva var motivasjonen for søknaden?\n"
            "Kari: Vi ville styrke samarbeidet med partnerne i Spania. Det tok bl.a. mye tid. "
            "Ledelsen ga «frikjøp» i 2023. Så ble det videreført.\n"
            "Intervjuer: Og barrierene?\n"
            "Kari: Rapporteringen, f.eks. til Erasmus+, var tung. Men vi fikk det til.\n")


def brute_force(project: Project, document: str, coder: str) -> float:
    sentences = project.segments(document, "sentence")
    codings = project.codings(doc=document, coder=coder)
    hit = [s for s in sentences if any(c.start < s.end and c.end > s.start for c in codings)]
    return len(hit) / len(sentences)


def make(tmp_path: Path) -> Project:
    project = Project.create(tmp_path / "p.cc.db", language="nb", coder="anna")
    project.add_code("motivasjon")
    project.add_code("barrierer")
    for n, name in enumerate(("intervju-01", "intervju-02", "intervju-03"), start=1):
        path = tmp_path / f"{name}.txt"
        path.write_text(INTERVJU + f"Intervjuer: Takk for intervju nr. {n}.\n", encoding="utf-8")
        assert project.import_file(path).status == "imported"
    project.code_segments("intervju-01", "motivasjon", 2, 3)
    start, end = project.segment_span("intervju-02", 6, 6)
    project.add_codings([CodingRecord("intervju-02", "barrierer", "tomas", start + 3, end)])
    return project


def assert_exact(project: Project) -> None:
    shares = project.coded_shares()
    for coder in ("anna", "tomas"):
        for doc in project.documents():
            assert shares.get(coder, {}).get(doc.id, 0.0) == brute_force(project, doc.name,
                                                                          coder)


def test_covered_sentences_counts_overlap_not_touching() -> None:
    starts, ends = [0, 10, 20, 30], [9, 19, 29, 39]
    assert covered_sentences(starts, ends, []) == 0
    assert covered_sentences([], [], [(0, 5)]) == 0
    assert covered_sentences(starts, ends, [(10, 19)]) == 1
    assert covered_sentences(starts, ends, [(10, 21)]) == 2  # one character of the next
    assert covered_sentences(starts, ends, [(9, 10)]) == 0  # between two sentences
    assert covered_sentences(starts, ends, [(0, 3), (1, 2), (38, 100)]) == 2


def test_shares_match_a_brute_force_count(tmp_path: Path) -> None:
    with make(tmp_path) as project:
        assert_exact(project)
        assert set(project.coded_shares()) == {"anna", "tomas"}


def test_shares_follow_codings_undo_and_other_processes(tmp_path: Path) -> None:
    with make(tmp_path) as project:
        project.coded_shares()
        project.code_segments("intervju-03", "barrierer", 1, 1)
        assert_exact(project)
        assert project.coded_shares()["anna"][project.document("intervju-03").id] > 0
        project.undo()
        assert_exact(project)
        assert project.document("intervju-03").id not in project.coded_shares()["anna"]
        with Project.open(project.path, coder="tomas") as other:  # as the CLI would
            other.code_segments("intervju-01", "barrierer", 5, 6)
        assert_exact(project)
        project.delete_code("barrierer", force=True)  # project-wide: codings of that code go too
        assert_exact(project)
        assert "tomas" not in project.coded_shares()


def test_a_read_only_reader_warms_the_cache_for_the_writer(tmp_path: Path) -> None:
    with make(tmp_path) as project:
        reader = Project.open_read_only(project.path)
        warm = project.coded_shares(reader)
        reader.close()
        assert warm == project.coded_shares()
        project.code_segments("intervju-02", "motivasjon", 1, 1)
        assert_exact(project)
