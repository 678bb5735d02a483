"""Flat cost at scale: every figure of issue 17, the large project beside the sample study.

Run:  .venv/bin/python benchmarks/bench_scale.py [--only tui,exports,cli,import] [--docs 1000]
      [--runs 3]
Quick try:  .venv/bin/python benchmarks/bench_scale.py --docs 100 --only tui

The large project (default 1,000 documents of 5,000 words, ~100,000 codings by two coders
over 40 codes, about 5M words) is built once with the fast bulk paths (hand-made sentence
segments and one `add_codings` per coder, as bench_agreement.py builds it) and cached under
benchmarks/out/ by a hash of its parameters. The sample study (`casecoder demo`) is built
beside it in the same run. Every figure is measured on both and printed with the ratio and
the issue's target:

- tui: ready after start (fresh interpreter: imports, first frame, and the shares coded
  shown in the document list), then F2, F3, F4, F6, F8 opened and reopened after one
  coding, through Pilot.
  Wall time and the app thread's CPU (`time.thread_time`: work in Textual thread workers is
  not on it) are printed, plus the time until the screen's workers are done;
- exports: `casecoder export quotes --per-coder` of all codings to md, html, docx, xlsx,
  csv and json, each as a whole process (wall and CPU);
- cli: `codings --format json` (time and the child's peak resident memory),
  `agreement`, and one `casecoder code` process;
- import: storing one document (`Project.add_document` with its segments) into an empty
  project against into a copy of the large one.
Wall figures depend on the load of the shared machine (printed first); CPU figures less so.
Nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
OUT = HERE / "out"
CLI = [sys.executable, "-m", "casecoder"]
GROUPS = ("tui", "exports", "cli", "import")
SCREENS = (("F2", "codebook"), ("F3", "quotes"), ("F4", "documents"), ("F6", "agreement"),
           ("F8", "analysis"))
EXPORT_FORMATS = ("md", "html", "docx", "xlsx", "csv", "json")
#: figure -> target as printed (seconds, MiB or a note).
TARGETS: dict[str, str] = {
    "TUI first frame after start": "",
    "TUI ready after start": "<= 0.70 s",
    **{f"{key} {name} open": "<= 0.30 s" for key, name in SCREENS},
    **{f"{key} {name} reopen after one coding": "<= 0.15 s" for key, name in SCREENS},
    "export quotes docx": "<= 15 s",
    **{f"export quotes {fmt}": "<= 10 s" for fmt in EXPORT_FORMATS if fmt != "docx"},
    "codings --format json": "",
    "codings --format json peak memory": "<= 150 MiB",
    "agreement (CLI)": "<= 1.5 s",
    "one casecoder code process": "<= 0.12 s",
    "store one document": "flat",
}


# --- the two projects ---------------------------------------------------------------------


def large_project(docs: int, per_doc: int, codes: int, seed: int) -> Path:
    """The cached large project; built aside and renamed, so a killed build is not reused."""
    from bench_agreement import build_project

    key = hashlib.sha256(f"scale-{docs}-{per_doc}-{codes}-{seed}".encode()).hexdigest()[:12]
    path = OUT / f"scale-{docs}x{per_doc}-{key}.cc.db"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    t0 = time.perf_counter()
    build_project(building, docs * per_doc, per_doc, codes, seed=seed).close()
    building.rename(path)
    print(f"built the large project in {time.perf_counter() - t0:.0f} s: {path}", flush=True)
    return path


def sample_project() -> Path:
    from casecoder.demo import build_demo

    OUT.mkdir(parents=True, exist_ok=True)
    return build_demo(OUT / "sample-study.cc.db")


def describe(path: Path) -> str:
    from casecoder.project import Project

    with Project.open(path) as p:
        return (f"{len(p.documents())} documents, {p.codings_count()} codings, "
                f"{len(p.coders_with_codings())} coders, {len(p.codes())} codes")


# --- processes ----------------------------------------------------------------------------


#: Seconds after which a child process is stopped and its figure reported as "> limit".
LIMIT = 180.0


def run_child(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident MiB of one child
    (wall = inf when it ran longer than LIMIT and was stopped)."""
    script = ("import resource, subprocess, sys, time; t0 = time.perf_counter(); "
              "subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, check=True, "
              "timeout=float(sys.argv[1])); "
              "wall = time.perf_counter() - t0; "
              "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
              "print(wall, r.ru_utime + r.ru_stime, r.ru_maxrss / 1024)")
    done = subprocess.run([sys.executable, "-c", script, str(LIMIT), *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        if "TimeoutExpired" in done.stderr:
            return float("inf"), float("inf"), 0.0
        raise SystemExit(f"{' '.join(args[2:5])} failed:\n{done.stderr[-2000:]}")
    out = done.stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def best_of(args: list[str], runs: int) -> dict[str, float]:
    results = [run_child(args)]
    if results[0][0] == float("inf"):  # stopped at the limit: once is enough
        return {"wall": float("inf"), "cpu": float("inf"), "mib": 0.0}
    results += [run_child(args) for _ in range(runs - 1)]
    wall = min(r[0] for r in results)
    cpu = min(r[1] for r in results)
    return {"wall": wall, "cpu": cpu, "mib": max(r[2] for r in results)}


def measure_exports(path: Path, runs: int, tmp: Path) -> dict[str, dict[str, float]]:
    figures = {}
    for fmt in EXPORT_FORMATS:
        out = tmp / f"{path.stem}-quotes.{fmt}"
        figures[f"export quotes {fmt}"] = best_of(
            [*CLI, "export", "quotes", str(path), "-o", str(out), "--per-coder"], runs)
    return figures


def measure_cli(path: Path, runs: int, tmp: Path) -> dict[str, dict[str, float]]:
    from casecoder.project import Project

    figures: dict[str, dict[str, float]] = {}
    json_run = best_of([*CLI, "codings", str(path), "--format", "json"], runs)
    figures["codings --format json"] = json_run
    figures["codings --format json peak memory"] = {"mib": json_run["mib"]}
    figures["agreement (CLI)"] = best_of([*CLI, "agreement", str(path)], runs)
    copy = tmp / f"{path.stem}-code.cc.db"
    shutil.copyfile(path, copy)
    with Project.open(copy) as p:
        doc = p.documents()[0].name
        code = next(c.path for c in p.codes() if c.codable)
        n = len(p.segments(doc, "sentence"))
    results = []
    for k in range(runs + 1):  # a different sentence each time: every run is one new coding
        results.append(run_child([*CLI, "code", str(copy), "--doc", doc, "--code", code,
                                  "--coder", "bench", "--segments", str(1 + (7 * k) % n)]))
    results = results[1:]  # the first run warms the file cache
    figures["one casecoder code process"] = {"wall": min(r[0] for r in results),
                                             "cpu": min(r[1] for r in results)}
    copy.unlink()
    return figures


def measure_import(path: Path, tmp: Path) -> dict[str, dict[str, float]]:
    """Storing one document with its segments into an empty project vs this one (a copy)."""
    from bench_agreement import build_project

    from casecoder.project import Project

    source = tmp / "one-document.cc.db"
    source.unlink(missing_ok=True)
    build_project(source, 5_000, 5_000, 4, seed=99).close()
    with Project.open(source) as p:
        doc = p.documents()[0]
        text = p.text(doc)
        segments = p.segments(doc)
    from casecoder.ingest.model import SegmentSpec, SourceText

    specs = [SegmentSpec(s.kind, s.number, s.start, s.end, None, None) for s in segments]
    copy = tmp / f"{path.stem}-import.cc.db"
    shutil.copyfile(path, copy)
    times = []
    with Project.open(copy, coder="bench") as p:
        for k in range(5):
            t0 = time.perf_counter()
            p.add_document(SourceText(text + f" Nr. {k}.", "txt", "utf-8", None),
                           name=f"nytt-intervju-{k}", segments=specs)
            times.append(time.perf_counter() - t0)
    copy.unlink()
    return {"store one document": {"wall": min(times)}}


# --- the TUI (in a child process per project) --------------------------------------------


_READY = """
import time; t0 = time.perf_counter()
import asyncio, os, sys
from casecoder.project import Project
from casecoder.tui.app import CasecoderApp
async def main():
    p = Project.open(sys.argv[1], coder=sys.argv[2])
    app = CasecoderApp(p, cursor_blink=False, keymap={})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first = time.perf_counter() - t0
        from textual.worker import WorkerState
        from casecoder.tui.widgets.panels import DocumentList
        docs = app.coding_screen.query_one(DocumentList)
        while any(r.share is None for r in docs.rows):  # the shares counted, shown
            await asyncio.sleep(0.005)
        await pilot.pause()
        ready = time.perf_counter() - t0
        cpu = time.thread_time()
        while any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            await asyncio.sleep(0.005)
        print(first, ready, cpu, time.perf_counter() - t0)
    p.close()
asyncio.run(main())
"""


def coder_of(path: Path) -> str:
    from casecoder.project import Project

    with Project.open(path) as p:
        return p.coders_with_codings()[0]


def measure_tui_ready(path: Path, runs: int) -> dict[str, dict[str, float]]:
    rows = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _READY, str(path), coder_of(path)],
                             capture_output=True, text=True, check=True,
                             env={**os.environ, "TEXTUAL_ANIMATIONS": "none"}).stdout.split()
        rows.append([float(x) for x in out[:4]])
    return {"TUI first frame after start": {"wall": min(r[0] for r in rows)},
            "TUI ready after start": {"wall": min(r[1] for r in rows),
                                      "cpu": min(r[2] for r in rows),
                                      "done": min(r[3] for r in rows)}}


async def settle(app: Any, pilot: Any) -> None:
    """Until no worker of the app is pending or running (cancelled ones count as done)."""
    from textual.worker import WorkerState

    while any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
        await asyncio.sleep(0.005)
    await pilot.pause()


async def _tui_screens(path: Path) -> dict[str, dict[str, float]]:
    from casecoder.project import Project
    from casecoder.tui.app import CasecoderApp

    figures: dict[str, dict[str, float]] = {}
    project = Project.open(path, coder=coder_of(path))
    app = CasecoderApp(project, cursor_blink=False, keymap={})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)

        async def timed_show(name: str) -> dict[str, float]:
            wall0, cpu0 = time.perf_counter(), time.thread_time()
            app.action_show_screen(name)
            await pilot.pause()
            shown = time.perf_counter() - wall0
            cpu = time.thread_time() - cpu0
            await settle(app, pilot)
            return {"wall": shown, "cpu": cpu, "done": time.perf_counter() - wall0}

        await pilot.pause(0.3)  # the first deferred panel refill is not part of a screen
        for key, name in SCREENS:
            figures[f"{key} {name} open"] = await timed_show(name)
            app.action_show_screen("coding")
            await settle(app, pilot)
            await pilot.pause(0.3)
            await pilot.press("j", "1")  # one coding on the next sentence, by key
            await settle(app, pilot)
            await pilot.pause(0.3)  # the coding screen's deferred panel refill settles
            figures[f"{key} {name} reopen after one coding"] = await timed_show(name)
            app.action_show_screen("coding")
            await settle(app, pilot)
            await pilot.pause(0.3)  # the coding screen's reload on resume settles first
    project.close()
    return figures


def tui_child(path: Path) -> None:
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    print(json.dumps(asyncio.run(_tui_screens(path))))


def measure_tui(path: Path, runs: int, tmp: Path) -> dict[str, dict[str, float]]:
    figures = measure_tui_ready(path, runs)
    copy = tmp / f"{path.stem}-tui.cc.db"  # the codings made by key stay out of the cache
    shutil.copyfile(path, copy)
    out = subprocess.run([sys.executable, __file__, "--tui-child", str(copy)],
                         capture_output=True, text=True,
                         env={**os.environ, "TEXTUAL_ANIMATIONS": "none"})
    copy.unlink()
    if out.returncode != 0:
        print(out.stderr[-3000:], file=sys.stderr)
        raise SystemExit("the TUI child failed")
    figures.update(json.loads(out.stdout.strip().splitlines()[-1]))
    return figures


# --- report -------------------------------------------------------------------------------


def _fmt(figure: dict[str, float] | None) -> str:
    if figure is None:
        return "-"
    if "wall" not in figure:
        return f"{figure['mib']:.0f} MiB"
    if figure["wall"] == float("inf"):
        return f"> {LIMIT:.0f} s (stopped)"
    text = f"{figure['wall']:.3f} s"
    if "cpu" in figure:
        text += f" ({figure['cpu']:.3f} cpu)"
    if "done" in figure:
        text += f" [done {figure['done']:.2f}]"
    return text


def _ratio(small: dict[str, float] | None, large: dict[str, float] | None) -> str:
    if not small or not large:
        return "-"
    unit = "wall" if "wall" in small else "mib"
    if large[unit] == float("inf"):
        return f">{LIMIT / max(small[unit], 1e-9):.0f}x"
    return f"{large[unit] / max(small[unit], 1e-9):.1f}x"


def report(sample: dict[str, dict[str, float]], large: dict[str, dict[str, float]],
           large_label: str) -> None:
    print(f"\n{'figure':<42} {'sample study':>28} {large_label:>36} {'ratio':>7}  target")
    for name in TARGETS:
        if name not in sample and name not in large:
            continue
        print(f"{name:<42} {_fmt(sample.get(name)):>28} {_fmt(large.get(name)):>36} "
              f"{_ratio(sample.get(name), large.get(name)):>7}  {TARGETS[name]}")
    print("(wall seconds, best of the runs; cpu: the process's CPU, for the TUI the app "
          "thread's only; [done]: until the screen's workers finished)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(GROUPS),
                        help=f"comma-separated groups of {', '.join(GROUPS)}")
    parser.add_argument("--docs", type=int, default=1_000)
    parser.add_argument("--per-doc", type=int, default=5_000, help="words per document")
    parser.add_argument("--codes", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3, help="runs per process figure")
    parser.add_argument("--tui-child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tui_child:
        tui_child(args.tui_child)
        return
    groups = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = set(groups) - set(GROUPS)
    if unknown:
        parser.error(f"unknown group(s) {', '.join(sorted(unknown))}; choose from "
                     f"{', '.join(GROUPS)}")
    os.environ.setdefault("CASECODER_CONFIG", str(OUT / "bench-config.toml"))
    load = os.getloadavg()
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores",
          flush=True)
    sample_path = sample_project()
    large_path = large_project(args.docs, args.per_doc, args.codes, seed=11)
    print(f"sample study: {describe(sample_path)}")
    print(f"large project: {describe(large_path)}", flush=True)
    measures: dict[str, Callable[..., dict[str, dict[str, float]]]] = {
        "tui": lambda p, tmp: measure_tui(p, args.runs, tmp),
        "exports": lambda p, tmp: measure_exports(p, args.runs, tmp),
        "cli": lambda p, tmp: measure_cli(p, args.runs, tmp),
        "import": lambda p, tmp: measure_import(p, tmp),
    }
    sample: dict[str, Any] = {}
    large: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for group in groups:
            t0 = time.perf_counter()
            sample.update(measures[group](sample_path, Path(tmp)))
            large.update(measures[group](large_path, Path(tmp)))
            print(f"[{group} measured in {time.perf_counter() - t0:.0f} s]", flush=True)
            if group != groups[-1]:  # what is measured so far, in case a later group fails
                report(sample, large, f"large ({args.docs} docs)")
    load = os.getloadavg()
    report(sample, large, f"large ({args.docs} docs)")
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
