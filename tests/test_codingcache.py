"""All codings kept by the Project between reads, re-read only for changed documents."""

from __future__ import annotations

from pathlib import Path

from casecoder.model import CodingRecord
from casecoder.project import Project

TEXT = ("Intervjuer: Hva var motivasjonen?\n"
        "Øystein: Vi ville styrke samarbeidet med partnerne. Det tok bl.a. mye tid. "
        "Ledelsen ga «frikjøp» i 2023.\n")


def make(tmp_path: Path) -> Project:
    project = Project.create(tmp_path / "p.cc.db", language="nb", coder="anna")
    project.add_code("motivasjon")
    project.add_code("barrierer")
    # Names whose order differs between casefold and ASCII NOCASE, as codings() sorts them.
    for n, name in enumerate(("Ørsta-intervju", "bodø-intervju", "Alta-intervju",
                              "zeta-intervju"), start=1):
        path = tmp_path / f"{name}.txt"
        path.write_text(TEXT + f"Intervjuer: Takk, nr. {n}.\n", encoding="utf-8")
        assert project.import_file(path).status == "imported"
    project.code_segments("bodø-intervju", "motivasjon", 2, 3)
    project.code_segments("Ørsta-intervju", "barrierer", 1, 1)
    start, end = project.segment_span("Alta-intervju", 2, 2)
    project.add_codings([CodingRecord("Alta-intervju", "barrierer", "tomas", start + 3, end)])
    return project


def test_cached_codings_equal_codings_through_changes(tmp_path: Path) -> None:
    with make(tmp_path) as project:
        assert project.cached_codings() == project.codings()
        project.code_segments("zeta-intervju", "motivasjon", 1, 2)  # a document not seen yet
        assert project.cached_codings() == project.codings()
        project.undo()
        assert project.cached_codings() == project.codings()
        with Project.open(project.path, coder="tomas") as other:  # as the CLI would
            other.code_segments("bodø-intervju", "barrierer", 4, 4)
        assert project.cached_codings() == project.codings()
        project.rename_code("motivasjon", "drivkraft")  # project-wide: every path changes
        assert project.cached_codings() == project.codings()
        assert {c.code_path for c in project.cached_codings()} == {"drivkraft", "barrierer"}
        with Project.open(project.path, coder="tomas") as other:  # a document's last coding
            for coding in other.codings(doc="Alta-intervju"):
                other.remove_coding(coding.guid)
        assert project.cached_codings() == project.codings()
        assert "Alta-intervju" not in {c.document for c in project.cached_codings()}


def test_a_read_only_reader_warms_the_cache_for_the_writer(tmp_path: Path) -> None:
    with make(tmp_path) as project:
        reader = Project.open_read_only(project.path)
        assert project.cached_codings(reader) == project.codings()
        reader.close()
        project.code_segments("zeta-intervju", "barrierer", 1, 1)
        assert project.cached_codings() == project.codings()
