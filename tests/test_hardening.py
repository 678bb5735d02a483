"""Hostile and broken input through the CLI: one line on stderr, exit 2, the project unchanged.

Each case here once ended in a traceback, exhausted memory or silently stored something wrong:
YAML alias bombs and cycles, deep or duplicate codebooks, malformed attribute CSVs and
quote-codings files, out-of-range .qdpx selections, mostly-UTF-8 files read as cp1252,
concurrent imports, a worker outliving its parent, damaged, read-only and full project files,
and HTML in Markdown reports.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from casecoder.cli import main
from casecoder.project import Project

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "codebooks" / "erasmus-plus.yml"
CASECODER = [sys.executable, "-m", "casecoder"]
TEXT = ("Intervjuer: Hva var motivasjonen for søknaden?\n"
        "Informant: Vi ønsket nye partnere i Europa. Det var viktig for studentene våre.\n"
        "Intervjuer: Og hva var vanskelig?\n"
        "Informant: Rapporteringen. Den tok mye tid, særlig på slutten av året.\n")


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CASECODER_CODER", "ingrid")
    runner = CliRunner()

    def invoke(*args: object, code: int = 0):  # type: ignore[no-untyped-def]
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == code, result.output + result.stderr
        return result

    return invoke


@pytest.fixture
def proj(run, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "p.cc.db"
    run("init", path, "--codebook", CODEBOOK)
    doc = tmp_path / "intervju-01.txt"
    doc.write_text(TEXT, encoding="utf-8")
    run("import", path, doc)
    run("code", path, "--doc", "intervju-01", "--code", "barriers", "--segments", "2-2")
    return path


def state(path: Path) -> str:
    """The file's bytes (and any pending journal): what 'unchanged' means here."""
    digest = hashlib.sha256(path.read_bytes())
    for suffix in ("-wal", "-journal"):
        extra = Path(f"{path}{suffix}")
        if extra.exists():
            digest.update(extra.read_bytes())
    return digest.hexdigest()


def refused(run, path: Path, *args: object, match: str) -> str:  # type: ignore[no-untyped-def]
    """Run a command that must fail in one line with exit 2 and leave `path` as it was."""
    before = state(path)
    result = run(*args, code=2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("casecoder: error: "), result.stderr
    assert match in lines[0], lines[0]
    assert "Traceback" not in result.output + result.stderr
    assert state(path) == before
    return lines[0]


def bounded(func, *, seconds: float = 5.0, megabytes: float = 50.0):  # type: ignore[no-untyped-def]
    """Run func within a (generous) time and memory budget: no expansion happened."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        value = func()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - started < seconds
    assert peak < megabytes * 1e6, f"peak {peak / 1e6:.0f} MB"
    return value


# --- hostile YAML ----------------------------------------------------------------------------

LAUGHS = "\n".join(["codes:", "  - &a {name: x, children: []}"]
                   + [f"  - &a{i} [{', '.join(['*a' if i == 0 else f'*a{i - 1}'] * 9)}]"
                      for i in range(9)]) + "\n"


def test_a_codebook_alias_bomb_is_refused_within_budget(run, proj: Path,  # type: ignore[no-untyped-def]
                                                         tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yml"
    bomb.write_text(LAUGHS, encoding="utf-8")
    line = bounded(lambda: refused(run, proj, "codebook", "import", proj, bomb,
                                   match="anchors and aliases"))
    assert "line 2" in line


def test_a_self_referencing_codebook_is_refused(run, proj: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cycle = tmp_path / "cycle.yml"
    cycle.write_text("codes:\n  - &a\n    name: loop\n    children: [*a]\n", encoding="utf-8")
    refused(run, proj, "codebook", "import", proj, cycle, match="anchors and aliases")


def test_a_codebook_nested_400_deep_is_refused(run, proj: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deep = tmp_path / "deep.yml"
    node = "{name: leaf}"
    for i in range(400):
        node = f"{{name: n{i}, children: [{node}]}}"
    deep.write_text(f"codes: [{node}]\n", encoding="utf-8")
    refused(run, proj, "codebook", "import", proj, deep, match="levels deep")


def test_codes_nested_deeper_than_the_limit_are_refused(run, proj: Path,  # type: ignore[no-untyped-def]
                                                        tmp_path: Path) -> None:
    deep = tmp_path / "deep.yml"
    node = "{name: leaf}"
    for i in range(41):
        node = f"{{name: n{i}, children: [{node}]}}"
    deep.write_text(f"codes: [{node}]\n", encoding="utf-8")
    refused(run, proj, "codebook", "import", proj, deep, match="nested more than 40 levels")


def test_duplicate_guids_in_a_codebook_are_refused(run, proj: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dup = tmp_path / "dup.yml"
    guid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    dup.write_text(f"codes:\n  - {{name: a, guid: {guid}}}\n  - {{name: b, guid: {guid}}}\n",
                   encoding="utf-8")
    refused(run, proj, "codebook", "import", proj, dup, match="is given to both a and b")


def test_a_guid_already_in_the_project_is_refused(run, proj: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Project.open(proj) as p:
        taken = p.code("barriers").guid
    clash = tmp_path / "clash.yml"
    clash.write_text(f"codes:\n  - {{name: ny-kode, guid: {taken}}}\n", encoding="utf-8")
    refused(run, proj, "codebook", "import", proj, clash, match="already belongs to the code")


def test_an_import_codings_memo_bomb_is_refused_within_budget(run, proj: Path,  # type: ignore[no-untyped-def]
                                                              tmp_path: Path) -> None:
    lines = ["document: intervju-01", "m0: &m0 \"" + "x" * 100 + "\""]
    lines += [f"m{i}: &m{i} [{', '.join([f'*m{i - 1}'] * 10)}]" for i in range(1, 9)]
    lines += ["codings:", "  - {coder: tomas, code: barriers, quote: Rapporteringen, memo: *m8}"]
    bomb = tmp_path / "bomb.yml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bounded(lambda: refused(run, proj, "import-codings", proj, bomb,
                            match="anchors and aliases"))


def test_pseudonym_yaml_with_aliases_is_refused(run, proj: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    names = tmp_path / "names.yml"
    names.write_text("Kari: &p Person A\nOla: *p\n", encoding="utf-8")
    refused(run, proj, "export", "quotes", proj, "-o", tmp_path / "q.md", "--pseudonyms", names,
            match="anchors and aliases")
    assert not (tmp_path / "q.md").exists()


# --- import-codings validation ---------------------------------------------------------------

@pytest.mark.parametrize(("field", "match"), [
    ("occurrence: abc", "occurrence must be a whole number"),
    ("occurrence: [1]", "occurrence must be a whole number"),
    ("occurrence: 0", "occurrence must be a whole number"),
    ('coder: ""', "coder's name cannot be empty"),
    ('coder: "   "', "coder's name cannot be empty"),
    ("coder: null", "coder must be text"),
    ("code: [barriers]", "code must be text"),
    ("memo: {a: 1}", "memo must be text"),
])
def test_bad_quote_codings_are_refused(run, proj: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                       field: str, match: str) -> None:
    item = {"coder": "tomas", "code": "barriers/frameworks", "quote": "Rapporteringen"}
    key = field.split(":")[0]
    body = ", ".join(f"{k}: {v}" for k, v in item.items() if k != key)
    path = tmp_path / "codings.yml"
    path.write_text(f"document: intervju-01\ncodings:\n  - {{{body}, {field}}}\n",
                    encoding="utf-8")
    line = refused(run, proj, "import-codings", proj, path, match=match)
    assert "coding 1" in line
    with Project.open(proj) as p:
        assert [c.name for c in p.coders()] == ["ingrid"]


def test_a_category_cannot_be_imported_as_a_coding(run, proj: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("codebook", "add", proj, "kategori", "--category")
    run("codebook", "add", proj, "kategori/under")
    path = tmp_path / "codings.yml"
    path.write_text("document: intervju-01\ncodings:\n"
                    "  - {coder: tomas, code: kategori, quote: Rapporteringen}\n",
                    encoding="utf-8")
    refused(run, proj, "import-codings", proj, path, match="is a category")


# --- attributes CSV --------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "match"), [
    ("document,role\nintervju-01,leder,ekstra\n", "line 2 has 3 fields"),
    ("document,role,role\nintervju-01,a,b\n", "'role' appears twice"),
    ("document,memo\nintervju-01," + "x" * 200_000 + "\n", "cannot be read as CSV"),
])
def test_broken_attribute_csvs_are_refused(run, proj: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                           content: str, match: str) -> None:
    path = tmp_path / "attrs.csv"
    path.write_text(content, encoding="utf-8")
    refused(run, proj, "attributes", proj, path, match=match)


def test_an_attribute_csv_matching_no_document_changes_nothing(run, proj: Path,  # type: ignore[no-untyped-def]
                                                               tmp_path: Path,
                                                               monkeypatch) -> None:
    path = tmp_path / "attrs.csv"
    path.write_text("document,role\nukjent,leder\n", encoding="utf-8")
    before = state(proj)
    monkeypatch.setenv("CASECODER_CODER", "ny-koder")
    result = run("attributes", proj, path)
    assert "not in the project: ukjent" in result.stderr
    assert state(proj) == before


# --- .qdpx selections ------------------------------------------------------------------------

def test_out_of_range_qdpx_selections_are_reported_with_counts(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "Første setning her. Andre setning der."
    g = [f"00000000-0000-4000-8000-{i:012d}" for i in range(10)]
    qde = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="p">
<Users><User guid="{g[1]}" name="a"/></Users>
<CodeBook><Codes><Code guid="{g[2]}" name="Kode" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="{g[3]}" name="Kilde"><PlainTextContent>{text}</PlainTextContent>
 <PlainTextSelection guid="{g[4]}" startPosition="20" endPosition="0">
  <Coding guid="{g[5]}" creatingUser="{g[1]}"><CodeRef targetGUID="{g[2]}"/></Coding>
 </PlainTextSelection>
 <PlainTextSelection guid="{g[6]}" startPosition="20" endPosition="999">
  <Coding guid="{g[7]}" creatingUser="{g[1]}"><CodeRef targetGUID="{g[2]}"/></Coding>
 </PlainTextSelection>
</TextSource></Sources></Project>"""
    archive = tmp_path / "p.qdpx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("project.qde", qde)
    result = run("import-qdpx", archive, tmp_path / "p.cc.db")
    assert "1 selection(s) had their start after their end; read the other way round" \
        in result.stderr
    assert "1 selection(s) ran past t" in result.stderr


# --- encodings -------------------------------------------------------------------------------

def test_mostly_utf8_is_never_read_as_cp1252(run, proj: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "nesten.txt"
    lines = TEXT.replace("Hva var", "Hva var (nr. 2)").encode("utf-8").split(b"\n")
    lines[1] += b" \xff\xfe"
    lines[3] += b" \x80\x81"
    path.write_bytes(b"\n".join(lines))
    result = run("import", proj, path, "--format", "json")
    (record,) = json.loads(result.stdout)
    assert record["encoding"] == "utf-8" and 0.5 < record["confidence"] < 1
    assert "4 invalid UTF-8 byte(s) replaced by U+FFFD on line(s) 2, 4" in result.stderr
    with Project.open(proj) as p:
        stored = p.text("nesten")
    assert "ønsket" in stored and "særlig" in stored and "Ã" not in stored
    assert stored.count("\ufffd") == 4


def test_encoding_can_be_forced_and_is_reported(run, proj: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "vestlig.txt"
    path.write_bytes("Informant: Jeg bodde på øya i mange år.\n".encode("cp1252"))
    result = run("import", proj, path, "--encoding", "cp1252", "--format", "json")
    (record,) = json.loads(result.stdout)
    assert record["encoding"] == "cp1252" and record["confidence"] == 1.0
    with Project.open(proj) as p:
        assert "på øya" in p.text("vestlig")
    refused(run, proj, "import", proj, path, "--encoding", "klingon", match="unknown encoding")


# --- concurrency -----------------------------------------------------------------------------

def _cli_env() -> dict[str, str]:
    return {**os.environ, "CASECODER_CODER": "ingrid", "PYTHONPATH": str(REPO)}


def test_two_concurrent_importers_store_each_text_once(proj: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(6):
        (folder / f"samtale-{i:02d}.txt").write_text(
            f"Intervjuer: Spørsmål {i}?\nInformant: Svar nummer {i}, om Europa og partnere.\n",
            encoding="utf-8")
    copies = tmp_path / "copies"
    copies.mkdir()
    for i in range(6):  # the same content under other names
        (copies / f"kopi-{i:02d}.txt").write_bytes((folder / f"samtale-{i:02d}.txt")
                                                   .read_bytes())
    runs = [subprocess.Popen([*CASECODER, "import", str(proj), str(src), "--format", "json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=_cli_env()) for src in (folder, copies, folder)]
    outputs = [r.communicate(timeout=240) for r in runs]
    for (_, err), r in zip(outputs, runs, strict=True):
        assert r.returncode == 0 and "Traceback" not in err, err
    statuses = [rec["status"] for out, _ in outputs for rec in json.loads(out)]
    assert statuses.count("imported") == 6 and statuses.count("skipped") == 12
    messages = [rec["message"] for out, _ in outputs for rec in json.loads(out)
                if rec["status"] == "skipped"]
    assert all("identical content is already imported" in m for m in messages)
    with Project.open(proj) as p:
        hashes = [d.sha256 for d in p.documents()]
    assert len(hashes) == len(set(hashes)) == 7


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_import_worker_exits_when_its_parent_is_killed(proj: Path, tmp_path: Path) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    paragraph = ("Informant: Vi ønsket nye partnere i Europa, og studentene våre fikk mye ut av "
                 "det. ") * 40 + "\n"
    for i in range(5):  # past PARALLEL_MIN_FILES and PARALLEL_MIN_BYTES: a forked worker
        (folder / f"lang-{i}.txt").write_text(f"Intervjuer: Nr. {i}?\n" + paragraph * 130,
                                              encoding="utf-8")
    parent = subprocess.Popen([*CASECODER, "import", str(proj), str(folder)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=_cli_env())
    workers: list[int] = []
    deadline = time.monotonic() + 120
    while not workers and time.monotonic() < deadline and parent.poll() is None:
        time.sleep(0.1)
        workers = _children(parent.pid)
    if not workers:
        parent.kill()
        pytest.skip("the import finished before a worker could be seen")
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [w for w in alive if Path(f"/proc/{w}").exists()
                 and "Z" not in Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1][:3]]
    assert not alive


# --- damaged, read-only and full project files -----------------------------------------------

def test_a_damaged_project_file_is_one_line(run, proj: Path) -> None:  # type: ignore[no-untyped-def]
    data = proj.read_bytes()
    proj.write_bytes(data[:len(data) // 2])
    for args in (("stats", proj), ("codings", proj), ("show", proj, "intervju-01"),
                 ("code", proj, "--doc", "intervju-01", "--code", "barriers",
                  "--segments", "1-1")):
        refused(run, proj, *args, match="damaged")


def test_a_page_overwritten_is_one_line(run, proj: Path) -> None:  # type: ignore[no-untyped-def]
    data = bytearray(proj.read_bytes())
    page = 4096
    for start in range(page * 2, len(data), page):
        data[start:start + 64] = b"\xde\xad\xbe\xef" * 16
    proj.write_bytes(bytes(data))
    refused(run, proj, "codings", proj, match="damaged")


def test_read_only_opening_reads_everything_and_changes_nothing(run, proj: Path,  # type: ignore[no-untyped-def]
                                                                tmp_path: Path,
                                                                monkeypatch) -> None:
    run("code", proj, "--doc", "intervju-01", "--code", "barriers", "--segments", "4-4",
        "--coder", "tomas")
    monkeypatch.setenv("CASECODER_READ_ONLY", "1")
    before = state(proj)
    assert "Documents" in run("stats", proj).stdout or run("stats", proj).stdout
    assert len(json.loads(run("codings", proj, "--format", "json").stdout)) == 2
    assert "Rapporteringen" in run("show", proj, "intervju-01").stdout
    run("export", "quotes", proj, "-o", tmp_path / "q.md")
    run("agreement", proj, "--coders", "ingrid,tomas", "-o", tmp_path / "a.md")
    assert not Path(f"{proj}-wal").exists() and not Path(f"{proj}-shm").exists()
    refused(run, proj, "code", proj, "--doc", "intervju-01", "--code", "barriers",
            "--segments", "1-1", match="read-only")
    refused(run, proj, "undo", proj, match="read-only")
    assert state(proj) == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root writes to a mode 444 file anyway; CASECODER_READ_ONLY covers it")
def test_a_mode_444_file_opens_read_only(run, proj: Path) -> None:  # type: ignore[no-untyped-def]
    proj.chmod(0o444)
    run("stats", proj)
    assert not Path(f"{proj}-wal").exists()
    refused(run, proj, "code", proj, "--doc", "intervju-01", "--code", "barriers",
            "--segments", "1-1", match="read-only")


def _full_disk(limit: int) -> None:  # pragma: no cover - runs in the child
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE")
@pytest.mark.parametrize("command", ["code", "import", "codebook", "init", "copy-for-coder"])
def test_a_full_disk_is_one_line_and_changes_nothing(proj: Path, tmp_path: Path,
                                                      command: str) -> None:
    extra = tmp_path / "ny.txt"
    extra.write_text("Intervjuer: Noe nytt?\nInformant: Ja, mye nytt om finansiering.\n",
                     encoding="utf-8")
    book = tmp_path / "bok.yml"
    book.write_text("codes:\n  - name: helt-ny\n", encoding="utf-8")
    args = {"code": ["code", proj, "--doc", "intervju-01", "--code", "barriers",
                     "--segments", "4-4"],
            "import": ["import", proj, extra],
            "codebook": ["codebook", "import", proj, book],
            "init": ["init", tmp_path / "ny.cc.db"],
            "copy-for-coder": ["copy-for-coder", proj, tmp_path / "kopi.cc.db",
                               "--coder", "tomas"]}[command]
    before = state(proj)
    result = subprocess.run([*CASECODER, *map(str, args)], capture_output=True, text=True,
                            env=_cli_env(), preexec_fn=lambda: _full_disk(8192), timeout=120)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith("casecoder: error: ")
    assert state(proj) == before
    assert not (tmp_path / "ny.cc.db").exists() and not (tmp_path / "kopi.cc.db").exists()


# --- HTML in Markdown ------------------------------------------------------------------------

def test_markdown_reports_escape_html(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "x.cc.db"
    with Project.create(path, coder="ingrid", name="<script>alert(1)</script>") as p:
        p.import_codebook(CODEBOOK)
    doc = tmp_path / "farlig.txt"
    doc.write_text("Intervjuer: Hei?\nInformant: Se <img src=x onerror=alert(1)> & mer.\n",
                   encoding="utf-8")
    run("import", path, doc)
    run("code", path, "--doc", "farlig", "--code", "barriers", "--segments", "2-2")
    run("code", path, "--doc", "farlig", "--code", "motivation", "--segments", "2-2",
        "--coder", "tomas")
    outputs = {}
    for name, args in (("quotes", ["export", "quotes", path, "-o", tmp_path / "q.md"]),
                       ("agreement", ["agreement", path, "--coders", "ingrid,tomas",
                                      "-o", tmp_path / "a.md"]),
                       ("disagreements", ["disagreements", path, "--coders", "ingrid,tomas",
                                          "-o", tmp_path / "d.md"])):
        run(*args)
        outputs[name] = Path(str(args[-1])).read_text(encoding="utf-8")
    for name, text in outputs.items():  # every "<" is escaped, so no tag can form
        assert not re.search(r"(?<!\\)<", text), name
    assert "\\<img src=x onerror=alert(1)\\>" in outputs["disagreements"]
    front = outputs["quotes"].split("---")[1]  # YAML "\\<" is Markdown "\<": a literal "<"
    assert 'title: "Quote summary: \\\\<script\\\\>' in front


# --- name lookup -----------------------------------------------------------------------------

def test_names_fold_norwegian_letters_through_the_index(run, proj: Path,  # type: ignore[no-untyped-def]
                                                        tmp_path: Path) -> None:
    doc = tmp_path / "Øya-intervju.txt"
    doc.write_text("Intervjuer: Hvor bodde du?\nInformant: På Øya.\n", encoding="utf-8")
    run("import", proj, doc)
    assert "På Øya" in run("show", proj, "øya-INTERVJU").stdout
    clash = tmp_path / "øya-intervju.txt"
    clash.write_text("Intervjuer: Noe annet?\nInformant: Ja.\n", encoding="utf-8")
    result = run("import", proj, clash, "--format", "json", code=2)
    assert "already named" in json.loads(result.stdout)[0]["message"]
