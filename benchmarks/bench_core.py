"""Core benchmarks: import throughput, coding latency, search latency (issue: core).

Run:  .venv/bin/python benchmarks/bench_core.py [--words 1000000] [--per-doc 10000]

Targets on the 2-core reference machine:
- import of 1M words >= 100k words/s end to end, and >= 0.7 x the bare spaCy pipeline
  (blank nb + sentencizer over the same texts, in the same process); peak memory < 500 MB;
- coding through the API: median <= 2 ms per coding on a 50k-word document with 2,000 codings;
- search over 1M words: median <= 50 ms.
Figures are printed; nothing here is a test.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import bare_pipeline_words_per_second, generate_transcript, write_corpus

from casecoder.project import Project


def peak_mb() -> float:
    """Peak resident memory of this process and of the largest worker it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def bench_import(workdir: Path, total_words: int, per_doc: int) -> None:
    corpus = workdir / "corpus"
    corpus.mkdir()
    files = write_corpus(corpus, total_words, per_doc, seed=7)
    files = sorted(Path(f) for f in files) if files else sorted(corpus.glob("*.txt"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    words = sum(len(t.split()) for t in texts)
    import casecoder.project.documents as documents
    from casecoder.nlp.pipeline import load_pipeline

    load_pipeline("nb")  # one-time model construction is not import throughput
    bare = bare_pipeline_words_per_second(texts, "nb")
    print(f"bare spaCy (blank nb + sentencizer, warmed): {bare:,.0f} words/s")
    threshold = documents.PARALLEL_MIN_FILES
    for label, min_files, db in (("inline", 10**9, "inline.cc.db"),
                                 ("worker process", threshold, "bench.cc.db")):
        documents.PARALLEL_MIN_FILES = min_files
        project = Project.create(workdir / db, coder="bench")
        t0 = time.perf_counter()
        c0 = time.process_time()
        for result in project.import_files(files):
            assert result.status == "imported", result.message
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - c0
        project.close()
        ours = words / elapsed
        print(f"import ({label}): {len(files)} files, {words:,} words in {elapsed:.2f} s = "
              f"{ours:,.0f} words/s (target >= 100,000); ratio to bare {ours / bare:.2f} "
              f"(target >= 0.70); main-process CPU {cpu:.2f} s")
    documents.PARALLEL_MIN_FILES = threshold
    import_peak = peak_mb()
    print(f"peak memory after import: {import_peak:.0f} MB per process, main and segmenting "
          "worker (target < 500)")


def bench_coding(workdir: Path) -> None:
    path = workdir / "coding.txt"
    path.write_text(generate_transcript(50_000, seed=3), encoding="utf-8")
    project = Project.create(workdir / "coding.cc.db", coder="bench")
    project.import_codebook(Path(__file__).resolve().parents[1] / "codebooks"
                            / "erasmus-plus.yml")
    project.import_file(path)
    doc = project.documents()[0]
    sentences = project.segments(doc, "sentence")
    codes = [c.path for c in project.codes() if c.depth == 1]
    rng = random.Random(5)
    for _ in range(2000):
        s = rng.choice(sentences)
        project.code_range(doc, rng.choice(codes), s.start, s.end)
    n_codings = len(project.codings())
    times = []
    for _ in range(500):
        s = rng.choice(sentences)
        t0 = time.perf_counter()
        project.code_range(doc, rng.choice(codes), s.start, s.end)
        times.append(time.perf_counter() - t0)
    print(f"coding: {doc.word_count:,}-word document holding {n_codings:,} codings: median "
          f"{statistics.median(times) * 1000:.2f} ms, p95 "
          f"{sorted(times)[int(len(times) * 0.95)] * 1000:.2f} ms per coding (target <= 2 ms)")
    project.close()


def bench_search(workdir: Path) -> None:
    project = Project.open(workdir / "bench.cc.db", coder="bench")
    words = project.stats()["words"]
    # Words and phrases that occur in the synthetic corpus, from rare to very common.
    queries = ["finansieringen", "student*", '"et felles studieprogram"', "ledelsen søkte",
               "rapporteringen", "kvalitetssikringen", "allianse*", "videreførte", "prorektor",
               "sommerskole"]
    times = []
    hits = 0
    for _ in range(5):
        for q in queries:
            t0 = time.perf_counter()
            hits += len(project.search(q))
            times.append(time.perf_counter() - t0)
    print(f"search over {words:,} words: median {statistics.median(times) * 1000:.2f} ms, max "
          f"{max(times) * 1000:.2f} ms ({hits // 5} hits per round of {len(queries)} queries, "
          f"at most 200 each; target median <= 50 ms)")
    project.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--per-doc", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        bench_import(workdir, args.words, args.per_doc)
        bench_search(workdir)
        bench_coding(workdir)


if __name__ == "__main__":
    main()
