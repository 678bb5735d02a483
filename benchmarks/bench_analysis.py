"""Analysis benchmark: matrix and co-occurrence over 1,000 documents / 100,000 codings, and
the analysis screen opening on that project.

Run:  .venv/bin/python benchmarks/bench_analysis.py [--codings 100000] [--docs 1000]
      [--keep DIR] [--repeat 3]

Targets on the 2-core reference machine: the matrix (load + build, by case_type, every theme
with its subcodes) <= 1 s; co-occurrence by sentence (load + build) <= 1 s; the TUI analysis
screen from the key press to the first frame <= 300 ms (the project is read in a thread, so
the time until the table is filled is printed as well). The project is the quote export
benchmark's (`bench_export.build_project`: 4 themes x 8 subcodes, 2 coders, hand-made
segments). Each figure is the best of --repeat runs, each with a fresh Project (so the load
is counted every time). Figures are printed; nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_export import build_project

from casecoder.project import Project


def best(repeat: int, run: Callable[[], Any]) -> tuple[float, float, Any]:
    """Best wall and CPU seconds of `repeat` runs (CPU time is what a loaded machine
    distorts least: other processes' work does not count in it)."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        result = run()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), result


def matrix_run(path: Path, **options: Any) -> Callable[[], Any]:
    from casecoder.analysis.data import load_analysis_data
    from casecoder.analysis.matrix import build_matrix

    def run() -> Any:
        with Project.open(path) as p:
            return build_matrix(load_analysis_data(p), **options)

    return run


def cooccurrence_run(path: Path, unit: str) -> Callable[[], Any]:
    from casecoder.analysis.cooccurrence import build_cooccurrence
    from casecoder.analysis.data import load_analysis_data

    def run() -> Any:
        with Project.open(path) as p:
            return build_cooccurrence(load_analysis_data(p), unit=unit)

    return run


def screen_open(path: Path, key: str = "f8") -> tuple[float, float]:
    """Seconds from pressing F8 on the workbench until the analysis screen has painted, and
    until its table (read in a thread) is filled and painted."""
    from casecoder.tui.app import CasecoderApp

    async def go() -> tuple[float, float]:
        project = Project.open(path, coder="bench")
        app = CasecoderApp(project, cursor_blink=False, keymap={})
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            import casecoder.tui.screens.analysis  # noqa: F401  (import is not the figure)

            started = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            painted = time.perf_counter() - started
            await app.workers.wait_for_complete()
            await pilot.pause()
            filled = time.perf_counter() - started
            if key == "f8":
                screen = app.screen
                assert type(screen).__name__ == "AnalysisScreen"
                assert screen.grid is not None  # type: ignore[attr-defined]
        project.close()
        return painted, filled

    return asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=100_000)
    parser.add_argument("--docs", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the project in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"bench-{args.codings}.cc.db"
        if path.exists():
            print(f"using {path}")
        else:
            seconds = build_project(path, args.codings, args.docs)
            print(f"built {args.codings:,} codings over {args.docs:,} documents in "
                  f"{seconds:.1f} s")
        rows: list[tuple[str, float, float | None, str, str]] = []
        t, cpu, m = best(args.repeat, matrix_run(path, by="case_type"))
        cells = sum(m.cell(0, c.key).codings for c in m.columns)
        rows.append(("matrix by case_type", t, cpu, "<= 1 s", f"{len(m.rows)} rows, theme 1: "
                     f"{cells:,} codings"))
        t, cpu, m = best(args.repeat, matrix_run(path, by="role", codes=("theme1",)))
        rows.append(("matrix by role, one theme", t, cpu, "", f"{len(m.rows)} rows"))
        t, cpu, m = best(args.repeat, matrix_run(path, by="document"))
        rows.append(("matrix by document", t, cpu, "", f"{len(m.columns):,} columns"))
        for unit in ("sentence", "turn", "document", "overlap"):
            t, cpu, co = best(args.repeat, cooccurrence_run(path, unit))
            pairs = sum(co.counts.values())
            rows.append((f"co-occurrence by {unit}", t, cpu,
                         "<= 1 s" if unit == "sentence" else "", f"{pairs:,} co-occurrences"))
        opened = [screen_open(path) for _ in range(args.repeat)]
        rows.append(("TUI analysis screen opens", min(o[0] for o in opened), None, "<= 0.3 s",
                     "F8 to the first frame (the table is read in a thread)"))
        rows.append(("TUI analysis table filled", min(o[1] for o in opened), None, "",
                     "F8 to the matrix painted"))
        helped = min(screen_open(path, "f1")[0] for _ in range(args.repeat))
        rows.append(("reference: help screen opens", helped, None, "",
                     "F1, same machine, same moment (Textual's own cost)"))
        print(f"\n{'what':<30} {'wall s':>7} {'cpu s':>6} {'target':>9}  note")
        for what, seconds, cpu, target, note in rows:
            shown = "" if cpu is None else f"{cpu:.3f}"
            print(f"{what:<30} {seconds:>7.3f} {shown:>6} {target:>9}  {note}")


if __name__ == "__main__":
    main()
