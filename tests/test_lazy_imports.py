"""spaCy, the lemma tables and the suggestion model stay unloaded where they are not needed:
`casecoder code` and the start of the workbench load them only on first use.

numpy itself is not checked: sqlite-utils imports it whenever it is installed, so every
project open loads it already (before this issue too).
"""

from __future__ import annotations

import subprocess
import sys

from casecoder.project import Project

CHECK = ("import casecoder.nlp.lemmas as lemmas\n"
         "bad = sorted(m for m in ('spacy', 'casecoder.analysis.suggest') if m in sys.modules)\n"
         "bad += ['lemma tables'] if lemmas._tables else []\n"
         "print(','.join(bad))\n")


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def test_casecoder_code_loads_no_spacy_lemmas_or_model(coded_project: Project) -> None:
    path = coded_project.path
    coded_project.close()
    code = ("import sys\nfrom click.testing import CliRunner\nfrom casecoder.cli import main\n"
            f"r = CliRunner().invoke(main, ['code', {str(path)!r}, '--doc', 'intervju-07', "
            "'--code', 'barriers', '--segments', '2', '--coder', 'anna'])\n"
            "assert r.exit_code == 0, r.output\n" + CHECK)
    assert _run(code) == ""


def test_workbench_start_loads_no_spacy_lemmas_or_model(coded_project: Project) -> None:
    path = coded_project.path
    coded_project.close()
    code = ("import sys, asyncio\nfrom casecoder.project import Project\n"
            "from casecoder.tui.app import CasecoderApp\n"
            f"p = Project.open({str(path)!r}, coder='anna')\n"
            "async def main():\n"
            "    app = CasecoderApp(p, cursor_blink=False, keymap={})\n"
            "    async with app.run_test(size=(120, 40)) as pilot:\n"
            "        await pilot.press('j', 'j')\n"
            "asyncio.run(main())\n" + CHECK)
    assert _run(code) == ""


def test_search_needs_no_spacy(coded_project: Project) -> None:
    path = coded_project.path
    coded_project.close()
    code = ("import sys\nfrom casecoder.project import Project\n"
            f"p = Project.open({str(path)!r}, coder='anna')\n"
            "assert p.find('partner')\n"
            "print('spacy' in sys.modules)\n")
    assert _run(code) == "False"
