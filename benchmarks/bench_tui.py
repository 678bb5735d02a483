"""Workbench benchmark: opening a long transcript and the CPU cost of each key press.

Run:  .venv/bin/python benchmarks/bench_tui.py [--words 50000] [--codings 2000] [--presses 200]

Targets (issue: TUI), on the 2-core reference machine:
- time to ready after the document is chosen (load, wrap, marks, first frame): <= 300 ms;
- CPU per key press for cursor move, selection extend and apply-code: <= 30 ms each,
  measured over many presses minus the cost of a key that is bound to nothing;
- start-up to the first frame: <= 1 s (measured in a fresh interpreter).
Pilot waits for the app to be idle after each key, so latency is measured as process CPU
time over many presses, never as a timed assertion. Figures are printed; nothing here is a
test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate_transcript

from casecoder.model import CodingRecord
from casecoder.project import Project

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "codebooks" / "erasmus-plus.yml"
BIG = "long-interview"


def build(workdir: Path, words: int, codings: int) -> Path:
    path = workdir / "bench.cc.db"
    t0 = time.perf_counter()
    with Project.create(path, language="nb", coder="admin") as p:
        p.import_codebook(CODEBOOK)
        small = workdir / "short-interview.txt"
        small.write_text(generate_transcript(800, seed=1), encoding="utf-8")
        big = workdir / f"{BIG}.txt"
        big.write_text(generate_transcript(words, seed=7), encoding="utf-8")
        for file in (small, big):
            result = p.import_file(file)
            if result.status != "imported":
                raise SystemExit(f"import failed: {result.message}")
        sentences = p.segments(BIG)
        codable = [c for c in p.codes() if c.codable]
        rng = random.Random(11)
        records = []
        for i in range(codings):
            first = rng.randrange(len(sentences) - 4)
            last = first + rng.choice((0, 0, 0, 1, 2, 3))
            records.append(CodingRecord(BIG, rng.choice(codable).id,
                                        "ingrid" if i % 2 else "tomas",
                                        sentences[first].start, sentences[last].end))
        counts = p.add_codings(records)
        doc = p.document(BIG)
        print(f"built: {doc.word_count} words, {len(sentences)} sentences, "
              f"{counts['added'] + counts['merged']} codings "
              f"({counts['merged']} merged into neighbours) in "
              f"{time.perf_counter() - t0:.1f} s")
    return path


async def measure(path: Path, presses: int) -> None:
    from casecoder.tui.app import CasecoderApp
    from casecoder.tui.widgets.transcript import TranscriptView

    project = Project.open(path, coder="ingrid")
    app = CasecoderApp(project, document="short-interview", cursor_blink=False, keymap={})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)  # start-up work (counting shares coded) settles first
        screen = app.coding_screen
        view = screen.query_one(TranscriptView)

        # Ready: from choosing the document to its first frame on screen.
        wall0, cpu0 = time.perf_counter(), time.process_time()
        screen.open_document(BIG)
        await pilot.pause()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        print(f"ready after choosing the document: {wall * 1000:.0f} ms wall, "
              f"{cpu * 1000:.0f} ms CPU ({len(view.text_layout)} display lines, "
              f"{len(view.codings)} codings shown)  [target <= 300 ms]")

        async def cpu_per_press(keys: list[str], rounds: int) -> float:
            start = time.process_time()
            for _ in range(rounds):
                await pilot.press(*keys)
            return (time.process_time() - start) / (rounds * len(keys)) * 1000

        await pilot.press("colon", *"300", "enter")
        noop = await cpu_per_press(["f19"], presses)
        move = await cpu_per_press(["j"], presses)
        page = await cpu_per_press(["pagedown"], max(10, presses // 10))
        await pilot.press("colon", *"300", "enter")
        extend = await cpu_per_press(["shift+down"] * 4 + ["escape"], presses // 5)
        before = len(project.codings(doc=BIG, coder="ingrid"))
        apply_and_move = await cpu_per_press(["1", "j"], presses // 2)
        added = len(project.codings(doc=BIG, coder="ingrid")) - before
        apply_code = 2 * apply_and_move - move
        print(f"no-op key (Pilot and Textual overhead): {noop:.1f} ms CPU per press")
        print(f"cursor move (j):        {move - noop:5.1f} ms CPU per press beyond a no-op "
              "[target <= 30]")
        print(f"selection extend:       {extend - noop:5.1f} ms CPU per press beyond a no-op "
              "(shift+down x4, escape) [target <= 30]")
        print(f"apply code (1):         {apply_code - noop:5.1f} ms CPU per press beyond a "
              f"no-op ({added} codings changed in the project) [target <= 30]")
        print(f"page down:              {page - noop:5.1f} ms CPU per press beyond a no-op")
        # The side panels (codebook counts, share coded, quotes) refill a moment after a
        # change, off the key press and once for a burst of changes; one refill costs:
        rounds = 10
        start = time.process_time()
        for _ in range(rounds):
            screen._pending_quotes = True
            screen._refresh_panels()
            await pilot.pause()
        panels = (time.process_time() - start) / rounds * 1000 - noop
        print(f"side panels refill after a change (deferred, not on the key press): "
              f"{panels:.1f} ms CPU")
    project.close()


def startup(path: Path) -> None:
    """A fresh interpreter: imports, opening the project and the first frame."""
    code = (
        "import time; t0 = time.perf_counter()\n"
        "import asyncio\n"
        "from casecoder.project import Project\n"
        "from casecoder.tui.app import CasecoderApp\n"
        "t1 = time.perf_counter()\n"
        "async def main():\n"
        f"    p = Project.open({str(path)!r}, coder='ingrid')\n"
        f"    app = CasecoderApp(p, document={BIG!r}, cursor_blink=False, keymap={{}})\n"
        "    async with app.run_test(size=(120, 40)) as pilot:\n"
        "        await pilot.pause()\n"
        "        t2 = time.perf_counter()\n"
        "        print(f'{(t1 - t0) * 1000:.0f} {(t2 - t0) * 1000:.0f}')\n"
        "        print('spacy' in __import__('sys').modules)\n"
        "    p.close()\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "TEXTUAL_ANIMATIONS": "none"})
    imports, first_frame = out.stdout.split()[:2]
    spacy = out.stdout.split()[2]
    print(f"start-up in a fresh interpreter: imports {imports} ms, first frame with the "
          f"long document {first_frame} ms; spaCy loaded: {spacy}  [target <= 1000 ms]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=50_000)
    parser.add_argument("--codings", type=int, default=2_000)
    parser.add_argument("--presses", type=int, default=200)
    args = parser.parse_args()
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CASECODER_CONFIG"] = str(Path(tmp) / "config.toml")
        path = build(Path(tmp), args.words, args.codings)
        startup(path)
        asyncio.run(measure(path, args.presses))


if __name__ == "__main__":
    main()
