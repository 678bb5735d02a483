"""The workbench's boundaries: domain packages never load Textual; the commands start it.

The CLI, exporters and analysis must stay quick and usable without a terminal UI, so the
domain packages are imported in a fresh interpreter and Textual must not appear.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from casecoder.cli import main

DOMAIN = ("casecoder.project", "casecoder.store", "casecoder.ingest", "casecoder.analysis",
          "casecoder.export", "casecoder.nlp")


def test_domain_packages_do_not_import_textual() -> None:
    code = ("import sys\n"
            + "".join(f"import {m}\n" for m in DOMAIN)
            + "bad = sorted(m for m in sys.modules if m == 'textual' or "
              "m.startswith(('textual.', 'casecoder.tui')))\n"
              "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_cli_without_a_tui_command_does_not_import_textual() -> None:
    code = ("import sys\nimport casecoder.cli\n"
            "print('textual' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_tui_command_refuses_a_missing_project_with_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["tui", str(tmp_path / "nope.cc.db")])
    assert result.exit_code == 2
    assert "no project at" in result.output


def test_tui_command_refuses_an_unknown_document(workbench) -> None:
    result = CliRunner().invoke(main, ["tui", str(workbench.path), "--document", "nope"])
    assert result.exit_code == 2
    assert "no document named 'nope'" in result.output


def test_demo_without_tui_prints_a_summary(demo_db: Path, tmp_path: Path) -> None:
    import shutil

    target = tmp_path / "demo.cc.db"
    shutil.copyfile(demo_db, target)
    result = CliRunner().invoke(main, ["demo", str(target), "--no-tui"])
    assert result.exit_code == 0, result.output
    assert "12 documents" in result.output
    assert f"casecoder {target}" in result.output
