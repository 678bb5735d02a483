"""CLI process costs: one `casecoder code`, and `codings --format json` on 100,000 codings.

Run:  .venv/bin/python benchmarks/bench_cli.py [--runs 10] [--words 5000000]

Targets (issue 17) on the 2-core reference machine: a whole `casecoder code` process
<= 120 ms (it must not import numpy, spaCy or sqlite-utils); `codings --format json` on a
project of 1,000 documents and ~100,000 codings streamed, <= 150 MiB peak memory. Process
times are measured like hyperfine: warm-up runs, then the mean, standard deviation and minimum
of repeated runs; peak memory is the child's maximum resident set. The large project is built
once (without spaCy, as in bench_agreement.py) and cached under the temp folder by a hash of
its parameters. Figures are printed with the load average; nothing here is a test.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_agreement import build_project

from casecoder.ingest.model import SegmentSpec, SourceText
from casecoder.project import Project

CLI = [sys.executable, "-m", "casecoder"]
_PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], "
         "stdout=subprocess.DEVNULL, check=True); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def timed(args: list[str], runs: int, warmup: int = 2) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of each run of a child process."""
    for _ in range(warmup):
        subprocess.run(args, stdout=subprocess.DEVNULL, check=True)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def peak_mib(args: list[str]) -> float:
    out = subprocess.run([sys.executable, "-c", _PEAK, *args], capture_output=True, text=True,
                         check=True).stdout
    return int(out.strip()) / 1024


def show(label: str, measured: tuple[list[float], list[float]]) -> None:
    walls, cpus = measured
    sd = statistics.stdev(walls) if len(walls) > 1 else 0.0
    print(f"{label}: wall mean {statistics.mean(walls) * 1000:6.0f} ms ± {sd * 1000:4.0f} "
          f"(min {min(walls) * 1000:.0f} ms) · CPU mean {statistics.mean(cpus) * 1000:5.0f} ms "
          f"(min {min(cpus) * 1000:.0f} ms) · {len(walls)} runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--words", type=int, default=5_000_000)
    parser.add_argument("--per-doc", type=int, default=5_000)
    args = parser.parse_args()
    # Compiled modules, as an installed casecoder has them (this machine sets
    # PYTHONDONTWRITEBYTECODE, which would make every run compile every module again).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).parent.parent
                                                                 / "casecoder")],
                   stdout=subprocess.DEVNULL, check=False)
    load = os.getloadavg()
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        small = Path(tmp) / "small.cc.db"
        with Project.create(small, language="nb", coder="bench") as p:
            text = " ".join(f"Setning nummer {i} om partnere i Spania." for i in range(400))
            specs = []
            offset = 0
            for i in range(400):
                sentence = f"Setning nummer {i} om partnere i Spania."
                specs.append(SegmentSpec("sentence", i + 1, offset, offset + len(sentence),
                                         None, None))
                offset += len(sentence) + 1
            p.add_document(SourceText(text, "txt", "utf-8", None), name="intervju",
                           segments=specs)
            p.add_code("partnere")
        show("python -c pass (interpreter start)", timed([sys.executable, "-c", "pass"],
                                                         args.runs))
        show("python -c 'import click'", timed([sys.executable, "-c", "import click"],
                                               args.runs))
        show("casecoder code --help", timed([*CLI, "code", "--help"], args.runs))
        walls, cpus = [], []
        for k in range(args.runs + 2):
            one = timed([*CLI, "code", str(small), "--doc", "intervju", "--code",
                         "partnere", "--segments", str(2 * k + 1)], 1, warmup=0)
            walls += one[0]
            cpus += one[1]
        show("casecoder code (one coding)", (walls[2:], cpus[2:]))

    key = hashlib.sha256(f"{args.words}-{args.per_doc}-40-11".encode()).hexdigest()[:12]
    large = Path(tempfile.gettempdir()) / f"casecoder-bench-cli-{key}.cc.db"
    if not large.exists():
        t0 = time.perf_counter()
        building = large.with_suffix(".building")
        building.unlink(missing_ok=True)
        build_project(building, args.words, args.per_doc, 40, seed=11).close()
        building.rename(large)
        print(f"built {large} in {time.perf_counter() - t0:.0f} s")
    with Project.open(large) as p:
        n_codings = len(p.codings())
        n_docs = len(p.documents())
    print(f"large project: {n_docs} documents, {n_codings} codings ({large})")
    for fmt in ("json", "csv"):
        command = [*CLI, "codings", str(large), "--format", fmt]
        show(f"codings --format {fmt}", timed(command, max(3, args.runs // 3), warmup=1))
        print(f"  peak memory {peak_mib(command):.0f} MiB")


if __name__ == "__main__":
    main()
