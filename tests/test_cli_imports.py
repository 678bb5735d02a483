"""A CLI command that does not need them never imports numpy, spaCy or sqlite-utils.

Command discovery imports every command module at start, so one heavy import at the top of
any module (or of what it imports) would slow every command; a fresh interpreter shows it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from casecoder.ingest import SourceText
from casecoder.project import Project

HEAVY = ("numpy", "spacy", "sqlite_utils", "textual", "yaml", "openpyxl", "docx", "pypdf")

PROBE = """
import json, sys
from casecoder.cli import main
try:
    main(sys.argv[1:], prog_name="casecoder")
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))
print(json.dumps({"exit": code, "heavy": heavy}))
"""


def probe(*args: str) -> dict[str, object]:
    script = f"HEAVY = {HEAVY!r}\n" + PROBE
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                          text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_code_help_and_code_import_nothing_heavy(tmp_path: Path) -> None:
    path = tmp_path / "studie.cc.db"
    with Project.create(path, language="nb", coder="ingrid") as p:
        text = "Vi fikk nye partnere i Spania."
        from casecoder.ingest.model import SegmentSpec

        p.add_document(SourceText(text, "txt", "utf-8", None), name="intervju",
                       segments=[SegmentSpec("sentence", 1, 0, len(text), None, None)])
        p.add_code("partnere")
    assert probe("code", "--help") == {"exit": 0, "heavy": []}
    assert probe("code", str(path), "--doc", "intervju", "--code", "partnere",
                 "--segments", "1", "--coder", "ingrid") == {"exit": 0, "heavy": []}
    with Project.open(path) as p:
        assert [(c.start, c.end) for c in p.codings()] == [(0, 30)]


def test_codings_json_is_streamed_exactly_as_a_whole_list_would_print(
        coded_project: Project) -> None:
    from click.testing import CliRunner

    from casecoder.cli import main

    path = str(coded_project.path)
    coded_project.code_segments("intervju-07", "motivation/partners-networks", 2, 3)
    coded_project.code_segments("intervju-07", "motivation/partners-networks", 6, 6)
    coded_project.set_coding_memo(coded_project.codings()[0].guid, "«sitat»\nmed \"linje\"")
    coded_project.close()
    result = CliRunner().invoke(main, ["codings", path, "--format", "json"])
    assert result.exit_code == 0
    records = json.loads(result.output)
    assert result.output == json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    with Project.open(path) as p:
        codings = p.codings()
        assert len(records) == 2
        assert [(r["guid"], r["start"], r["end"], r["memo"]) for r in records] == [
            (c.guid, c.start, c.end, c.memo) for c in codings]
        assert records[0]["text"] == p.text(codings[0].document_id)[
            codings[0].start:codings[0].end]
    none = CliRunner().invoke(main, ["codings", path, "--format", "json", "--code",
                                     "barriers"])
    assert none.exit_code == 0 and none.output == "[]\n"
