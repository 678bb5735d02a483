"""The wheel carries the sample study, so `casecoder demo` works from a plain install."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_ships_sample_study_and_codebooks(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(tmp_path), str(REPO)],
                   check=True, capture_output=True)
    wheel = next(tmp_path.glob("casecoder-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n.removeprefix("casecoder/sample/") for n in names
               if n.startswith("casecoder/sample/")}
    expected = {str(p.relative_to(REPO)) for folder in ("transcripts", "codebooks")
                for p in (REPO / folder).rglob("*") if p.is_file()}
    assert expected and expected <= shipped
    assert "casecoder/cli.py" in names


def test_sample_root_prefers_the_packaged_copy(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import casecoder.demo as demo

    fake_pkg = tmp_path / "casecoder"
    (fake_pkg / "sample" / "transcripts").mkdir(parents=True)
    (fake_pkg / "sample" / "codebooks").mkdir()
    monkeypatch.setattr(demo, "__file__", str(fake_pkg / "demo.py"))
    assert demo.sample_root() == fake_pkg / "sample"
