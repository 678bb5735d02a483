"""Hardening benchmark: large codebooks, flat per-document store cost, a 10k-code workbench.

Run:  .venv/bin/python benchmarks/bench_hardening.py [--codes 10000] [--documents 1000]

Targets (issues 9 and 17), on the 2-core reference machine:
- a 10,000-code codebook imports in <= 2 s (it took 274 s when each insert re-read the tree);
- storing one imported document costs the same at the end of a large import as at its start
  (the name check is an indexed lookup, not a scan of every document's name);
- with 10,000 codes the workbench opens and its per-key costs stay as on the sample study.
CPU time is printed beside wall time: the machine is shared, so wall time includes waiting.
Figures are printed; nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from casecoder.ingest.model import SegmentSpec, SourceText
from casecoder.project import Project


def write_codebook(path: Path, codes: int) -> None:
    per_theme = 99
    themes = max(1, codes // (per_theme + 1))
    tree = [{"name": f"tema {t}", "children": [
        {"name": f"kode {t}-{c}", "description": "Hva informanten sier om æ, ø og å.",
         "keywords": ["ord", f"nøkkel{c}"]} for c in range(per_theme)]} for t in range(themes)]
    path.write_text(yaml.safe_dump({"name": "stor", "codes": tree}, allow_unicode=True),
                    encoding="utf-8")


def bench_codebook(workdir: Path, codes: int) -> Path:
    book = workdir / "big.yml"
    write_codebook(book, codes)
    path = workdir / "codes.cc.db"
    with Project.create(path, coder="admin") as p:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        report = p.import_codebook(book)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        print(f"codebook import of {len(report['added'])} codes "
              f"({book.stat().st_size / 1e6:.1f} MB YAML): {wall:.2f} s wall, {cpu:.2f} s CPU "
              "[target <= 2 s]")
        wall0, cpu0 = time.perf_counter(), time.process_time()
        report = p.import_codebook(book)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        print(f"the same codebook again ({len(report['unchanged'])} unchanged): {wall:.2f} s "
              f"wall, {cpu:.2f} s CPU")
    return path


def _segments(text: str) -> list[SegmentSpec]:
    out = []
    pos = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line:
            out.append(SegmentSpec("sentence", number, pos, pos + len(line), None, None))
        pos += len(line) + 1
    return out


def bench_store(workdir: Path, documents: int) -> None:
    path = workdir / "store.cc.db"
    sample = 50
    with Project.create(path, coder="admin") as p:
        timings: list[tuple[float, float]] = []
        for i in range(documents):
            text = (f"Intervjuer: Spørsmål {i}?\nInformant: Svar {i} om Europa, partnere og "
                    "finansiering i prosjektet vårt.\n") * 20
            # Every other name starts with a Norwegian letter: the case-insensitive check
            # of such a name used to fold every document name in Python.
            name = f"{'Øya' if i % 2 else 'intervju'}-{i:05d}"
            wall0, cpu0 = time.perf_counter(), time.process_time()
            p.add_document(SourceText(text, "txt", "utf-8", None), name=name,
                           segments=_segments(text))
            timings.append((time.perf_counter() - wall0, time.process_time() - cpu0))
    first, last = timings[:sample], timings[-sample:]
    for label, part in (("first", first), ("last", last)):
        wall = statistics.median(t[0] for t in part) * 1000
        cpu = statistics.median(t[1] for t in part) * 1000
        print(f"storing one document, median of the {label} {sample} of {documents}: "
              f"{wall:.2f} ms wall, {cpu:.2f} ms CPU")
    ratio = statistics.median(t[1] for t in last) / statistics.median(t[1] for t in first)
    print(f"end / start (CPU): {ratio:.2f}  [target: about 1, independent of project size]")


async def bench_tui(path: Path, presses: int) -> None:
    from casecoder.tui.app import CasecoderApp

    text = ("Intervjuer: Hva var motivasjonen?\nInformant: Vi ønsket nye partnere. "
            "Det var viktig for studentene.\n") * 200
    with Project.open(path, coder="admin") as p:
        p.add_document(SourceText(text, "txt", "utf-8", None), name="samtale",
                       segments=_segments(text))
    project = Project.open(path, coder="ingrid")
    wall0, cpu0 = time.perf_counter(), time.process_time()
    app = CasecoderApp(project, cursor_blink=False, keymap={})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        print(f"workbench with {len(project.codes())} codes ready: {wall:.2f} s wall, "
              f"{cpu:.2f} s CPU")
        await pilot.pause(0.5)

        async def cpu_per_press(keys: list[str], rounds: int) -> float:
            start = time.process_time()
            for _ in range(rounds):
                await pilot.press(*keys)
            return (time.process_time() - start) / (rounds * len(keys)) * 1000

        noop = await cpu_per_press(["f19"], presses)
        move = await cpu_per_press(["j"], presses)
        print(f"cursor move (j) with {len(project.codes())} codes: {move - noop:.1f} ms CPU "
              "per press beyond a no-op  [target <= 30]")
    project.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=10_000)
    parser.add_argument("--documents", type=int, default=1_000)
    parser.add_argument("--presses", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        codes_project = bench_codebook(workdir, args.codes)
        bench_store(workdir, args.documents)
        asyncio.run(bench_tui(codes_project, args.presses))


if __name__ == "__main__":
    sys.exit(main())
