"""Shared fixtures: isolated user settings, small projects, and a built demo project.

Every test runs with its own user config path and data folder, so a developer's own casecoder
settings (coder name, key map) can never leak into a result.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from casecoder.project import Project

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CODEBOOK = REPO / "codebooks" / "erasmus-plus.yml"

NORWEGIAN_INTERVIEW = """Intervju 07 – testcase – prosjektleder

[00:00:05] Intervjuer: Takk for at du stiller opp. Kan du fortelle litt om tilbudet?

[00:00:12] Informant: Ja. Vi startet [BIP-en] i 2023. Det er et kort, intensivt program på 3 ECTS, f.eks. for sykepleiestudenter. Mange av studentene våre har barn og jobb ved siden av studiene.

[00:01:02] Intervjuer: Hva var motivasjonen?

[00:01:10] Informant: Altså, vi ønsket å få nye partnere i Europa. Og så var det «kvalitet», da. Rapporteringen er like tung som for lang mobilitet, dvs. mye arbeid for lite penger.

[00:02:30] Intervjuer: Tror du det blir videreført?

[00:02:41] Informant: Nei, ikke uten finansiering. Men deler av pensumet lever videre, bl.a. den digitale modulen.
"""


@pytest.fixture(autouse=True)
def isolated_user(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("CASECODER_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("CASECODER_DATA_DIR", str(home / "data"))
    monkeypatch.delenv("CASECODER_CODER", raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "study.cc.db"


@pytest.fixture
def project(project_path: Path) -> Iterator[Project]:
    """An empty Norwegian project with the default codebook, coded by 'anna'."""
    p = Project.create(project_path, language="nb", coder="anna")
    p.import_codebook(CODEBOOK)
    yield p
    p.close()


@pytest.fixture
def interview_file(tmp_path: Path) -> Path:
    path = tmp_path / "intervju-07.txt"
    path.write_text(NORWEGIAN_INTERVIEW, encoding="utf-8")
    return path


@pytest.fixture
def coded_project(project: Project, interview_file: Path) -> Project:
    """The empty project plus one imported Norwegian interview."""
    result = project.import_file(interview_file)
    assert result.status == "imported", result.message
    return project


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project built once per test session; copy it before changing it."""
    from casecoder.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("demo") / "demo.cc.db")


@pytest.fixture
def demo_path(demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the demo project file for one test."""
    target = tmp_path / "demo.cc.db"
    shutil.copyfile(demo_db, target)
    return target


@pytest.fixture
def demo_project(demo_path: Path) -> Iterator[Project]:
    p = Project.open(demo_path, coder="ingrid")
    yield p
    p.close()
