"""Whole-project exchange at scale: .qdpx export and import, a pseudonymised copy, a merge.

Builds the synthetic corpus of bench_export.py (default 200 documents, 20,000 codings) and
times each path through the exchange room's snapshot and builder. Not part of the test run.

    .venv/bin/python benchmarks/bench_exchange.py --codings 20000 --docs 200
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_export import build_project

from casecoder.exchange.capture import snapshot_of
from casecoder.exchange.qdpx_read import import_qdpx
from casecoder.exchange.qdpx_write import export_qdpx
from casecoder.exchange.team import merge_project
from casecoder.project import Project

T = TypeVar("T")


def timed(label: str, func: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = func()
    print(f"{label:<28} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--codings", type=int, default=20_000)
    parser.add_argument("--docs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        source = base / "big.cc.db"
        build_project(source, args.codings, args.docs)
        with Project.open(source) as p:
            snap = timed("snapshot_of", lambda: snapshot_of(p))
            print(f"  {len(snap.documents)} documents, {len(snap.codings)} codings")
            timed("export qdpx", lambda: export_qdpx(p, base / "big.qdpx"))
            timed("export qdpx --crlf", lambda: export_qdpx(p, base / "crlf.qdpx", crlf=True))
        timed("import-qdpx", lambda: import_qdpx(base / "big.qdpx", base / "back.cc.db"))
        timed("import-qdpx (CRLF)", lambda: import_qdpx(base / "crlf.qdpx", base / "b2.cc.db"))
        with Project.open(source) as p:
            report = timed("merge (all already here)",
                           lambda: merge_project(p, base / "back.cc.db"))
            print(f"  changes: {report.changes}")


if __name__ == "__main__":
    main()
