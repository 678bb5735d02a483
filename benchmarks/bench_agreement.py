"""Agreement benchmark: the whole report over 1M words, 2 coders, 40 codes, sentence unit.

Run:  .venv/bin/python benchmarks/bench_agreement.py [--words 1000000] [--codes 40]
      [--per-doc 10000] [--bootstrap 1000] [--keep PATH]
The issue-17 scale (1,000 documents, ~100,000 codings, 2 coders, 40 codes):
      .venv/bin/python benchmarks/bench_agreement.py --words 5000000 --per-doc 5000 \
          --bootstrap 0 --keep /tmp/large.cc.db

Target on the 2-core reference machine: the whole report (open the project, collect units and
codings, every statistic per code, theme, document and overall, render) <= 2 s; at the
issue-17 scale `casecoder agreement` as a whole process <= 1.5 s, the F6 screen open <= 300 ms
(figures computed in a worker meanwhile) and reopened after one coding <= 150 ms, with the
figures updated for the changed document only. CPU seconds are printed beside wall time,
because the machine is shared. The synthetic
project is built without spaCy: documents get hand-made sentence segments, and codings go in
with one `add_codings` call per coder. Coder B copies coder A's codings with seeded noise
(some dropped, some shifted by a sentence, some added), so the figures are realistic rather
than 0 or 1. Figures are printed; nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from casecoder.ingest.model import SegmentSpec, SourceText
from casecoder.model import CodingRecord
from casecoder.project import Project

_WORDS = (
    "vi", "har", "jobbet", "med", "studentene", "partnerne", "i", "alliansen", "og", "det",
    "var", "en", "god", "erfaring", "for", "instituttet", "men", "rapporteringen", "tok",
    "mye", "tid", "så", "ledelsen", "ga", "støtte", "til", "frikjøp", "av", "ansatte",
    "programmet", "BIP-en", "kvalitet", "mobilitet", "finansiering", "søknaden", "Erasmus+",
    "ble", "videreført", "uten", "midler", "fra", "fakultetet", "altså", "egentlig", "nei",
    "ja", "bl.a.", "f.eks.", "dvs.", "ca.", "«kvalitet»", "[institusjonen]", "læringsutbytte",
    "vurdering", "emne", "praksis", "veiledning", "digital", "modul", "sommerskole",
)


def build_project(path: Path, words: int, per_doc: int, n_codes: int, seed: int) -> Project:
    """A project of `words` words in documents of `per_doc` words, coded by A and B."""
    rng = random.Random(seed)
    project = Project.create(path, language="nb", coder="bench")
    themes = max(1, n_codes // 10)
    codes: list[str] = []
    for t in range(themes):
        project.add_code(f"tema{t + 1:02d}", codable=False)
    for k in range(n_codes):
        path_ = f"tema{k % themes + 1:02d}/kode{k + 1:02d}"
        project.add_code(path_)
        codes.append(path_)
    records: dict[str, list[CodingRecord]] = {"A": [], "B": []}
    n_docs = max(1, words // per_doc)
    for d in range(n_docs):
        name = f"intervju-{d + 1:04d}"
        parts: list[str] = []
        specs: list[SegmentSpec] = []
        offset, count = 0, 0
        while count < per_doc:
            length = rng.randint(6, 24)
            sentence = " ".join(rng.choice(_WORDS) for _ in range(length)).capitalize() + "."
            specs.append(SegmentSpec("sentence", len(specs) + 1, offset,
                                     offset + len(sentence), None, None))
            parts.append(sentence)
            offset += len(sentence) + 1
            count += length
        text = " ".join(parts)
        specs.append(SegmentSpec("paragraph", 1, 0, len(text), None, None))
        project.add_document(SourceText(text, "txt", "utf-8", None), name=name,
                             segments=specs)
        sentences = specs[:-1]
        n = len(sentences)
        # About one sentence in four carries some code for coder A, in runs of 1-3 sentences.
        taken: dict[str, set[tuple[str, int]]] = {"A": set(), "B": set()}
        for _ in range(n // 6):
            code = rng.choice(codes)
            first = rng.randrange(n)
            last = min(n - 1, first + rng.choice((0, 0, 0, 1, 2)))
            spans = {"A": (first, last)}
            roll = rng.random()
            if roll < 0.70:
                spans["B"] = (first, last)
            elif roll < 0.85:
                shift = min(n - 1, last + 1)
                spans["B"] = (min(first + 1, shift), shift)
            for coder, (a, b) in spans.items():
                if any((code, i) in taken[coder] for i in range(a, b + 1)):
                    continue
                taken[coder].update((code, i) for i in range(a, b + 1))
                records[coder].append(CodingRecord(name, code, coder, sentences[a].start + 2,
                                                   sentences[b].end - 1))
        for _ in range(n // 40):  # B also codes a few things A did not
            code = rng.choice(codes)
            i = rng.randrange(n)
            if (code, i) not in taken["B"]:
                taken["B"].add((code, i))
                records["B"].append(CodingRecord(name, code, "B", sentences[i].start,
                                                 sentences[i].end))
    for coder in ("A", "B"):
        project.add_codings(records[coder])
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--per-doc", type=int, default=10_000)
    parser.add_argument("--codes", type=int, default=40)
    parser.add_argument("--bootstrap", type=int, default=1000,
                        help="resamples for the separate bootstrap timing (0: skip)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="build (or reuse) the project at this path instead of a temp dir")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-agreement-") as workdir:
        path = args.keep or Path(workdir) / "agreement.cc.db"
        if not path.exists():
            t0 = time.perf_counter()
            build_project(path, args.words, args.per_doc, args.codes, seed=11).close()
            print(f"built synthetic project in {time.perf_counter() - t0:.1f} s: {path}")
        run(path, args.repeat, args.bootstrap)


def run(path: Path, repeat: int, bootstrap: int) -> None:
    from rich.console import Console

    from casecoder.analysis.agreement import (
        build_agreement_data,
        compute_agreement,
        find_disagreements,
    )
    from casecoder.analysis.report import print_report, render_report

    timings: list[dict[str, float]] = []
    for _ in range(repeat):
        t: dict[str, float] = {}
        start = time.perf_counter()
        with Project.open(path) as project:
            t["open"] = time.perf_counter() - start
            mark = time.perf_counter()
            data = build_agreement_data(project, unit="sentence")
            t["units and presence"] = time.perf_counter() - mark
            mark = time.perf_counter()
            report = compute_agreement(data, project_name=project.name)
            t["statistics"] = time.perf_counter() - mark
            mark = time.perf_counter()
            print_report(report, Console(file=io.StringIO(), width=160, color_system=None))
            t["render table"] = time.perf_counter() - mark
        t["whole report"] = time.perf_counter() - start
        timings.append(t)
    best = min(timings, key=lambda x: x["whole report"])
    with Project.open(path) as project:  # texts are read lazily; count words from the rows
        compared = {d.guid for d in data.documents}
        words = sum(d.word_count for d in project.documents() if d.guid in compared)
    codings = sum(report.code_rows[0].coded.values()) if report.code_rows else 0
    print(f"corpus: {len(data.documents)} documents, {words:,} words, {data.n_units:,} "
          f"sentences, {len(data.codes)} codes, {len(data.themes)} themes, coders "
          f"{', '.join(data.coders)}; e.g. {codings} coded units in {report.code_rows[0].label}")
    for key, value in best.items():
        print(f"  {key:<20} {value * 1000:8.0f} ms")
    target = "OK" if best["whole report"] <= 2.0 else "MISSED"
    print(f"whole report (best of {repeat}): {best['whole report']:.2f} s "
          f"(target <= 2 s: {target})")
    pooled = report.overall_rows[0].figures
    print(f"pooled kappa {pooled['cohen_kappa'].display()}, alpha "
          f"{pooled['krippendorff_alpha'].display()}, data hash {report.data_hash}")

    for fmt in ("md", "json", "csv", "html"):
        mark = time.perf_counter()
        render_report(report, fmt)
        print(f"  render {fmt:<5} {1000 * (time.perf_counter() - mark):8.0f} ms")
    with Project.open(path) as project:
        data.texts.rebind(project)  # type: ignore[attr-defined]
        mark = time.perf_counter()
        rows = find_disagreements(data)
    print(f"disagreement listing: {len(rows):,} rows in "
          f"{time.perf_counter() - mark:.2f} s")
    if bootstrap:
        mark = time.perf_counter()
        compute_agreement(data, bootstrap=bootstrap, seed=1)
        print(f"report with --bootstrap {bootstrap}: {time.perf_counter() - mark:.1f} s "
              "(not part of the target)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")
    cli_process(path)
    review_state(path)
    asyncio.run(screen(path))


def cli_process(path: Path) -> None:
    """`casecoder agreement` as the researcher runs it: a whole process, imports included."""
    best = None
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        mark = time.perf_counter()
        subprocess.run([sys.executable, "-m", "casecoder", "agreement", str(path)],
                       check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - mark
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = (wall, cpu) if best is None or wall < best[0] else best
    assert best is not None
    target = "OK" if best[0] <= 1.5 else "MISSED"
    print(f"casecoder agreement (process, best of 3): {best[0]:.2f} s wall, {best[1]:.2f} s "
          f"CPU (target <= 1.5 s: {target})")


def review_state(path: Path) -> None:
    """What the review needs besides the figures: the disagreements and their state."""
    from casecoder.analysis.agreement import Reconciliation, build_agreement_data

    with Project.open(path, coder="bench") as project:
        data = build_agreement_data(project, unit="sentence")
        mark = time.process_time()
        rec = Reconciliation(project, data)
        print(f"reconciliation state: {rec.total:,} disagreements in "
              f"{1000 * (time.process_time() - mark):.0f} ms CPU")


async def screen(path: Path) -> None:
    """The F6 screen on its own: open (first frame), figures ready, reopen after a coding.

    CPU is the app thread's own (`thread_time`), without the worker computing the figures.
    """
    from textual.app import App

    from casecoder.tui.screens.agreement import AgreementScreen

    with Project.open(path, coder="A") as project:
        class Host(App[None]):
            pass

        app = Host()
        async with app.run_test(size=(120, 40)) as pilot:
            mark, cpu = time.perf_counter(), time.thread_time()
            agreement = AgreementScreen(project)
            await app.push_screen(agreement)
            await pilot.pause()
            opened = time.perf_counter() - mark, time.thread_time() - cpu
            await app.workers.wait_for_complete()
            await pilot.pause()
            ready = time.perf_counter() - mark
            doc = project.documents()[0]
            sentence = project.segments(doc, "sentence")[5]
            code = next(c for c in project.codes() if c.codable)
            project.code_range(doc, code, sentence.start, sentence.end)
            mark, cpu = time.perf_counter(), time.thread_time()
            agreement.on_screen_resume()
            await pilot.pause()
            reopened = time.perf_counter() - mark, time.thread_time() - cpu
            await app.workers.wait_for_complete()
            await pilot.pause()
            updated = time.perf_counter() - mark
            project.undo()
    ok = "OK" if opened[0] <= 0.3 else "MISSED"
    print(f"F6 screen: open {1000 * opened[0]:.0f} ms wall / {1000 * opened[1]:.0f} ms CPU "
          f"on the app thread (target <= 300 ms: {ok}); figures ready after {ready:.2f} s")
    ok = "OK" if reopened[0] <= 0.15 else "MISSED"
    print(f"F6 after one coding: usable in {1000 * reopened[0]:.0f} ms wall / "
          f"{1000 * reopened[1]:.0f} ms CPU (target <= 150 ms: {ok}); figures updated for "
          f"the one document after {updated:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
