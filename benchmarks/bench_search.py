"""Lemma search benchmark (issue 13): 1M words searched by lemma in <= 50 ms.

Run:  .venv/bin/python benchmarks/bench_search.py [--words 1000000] [--per-doc 10000]

Imports a synthetic Norwegian corpus (what it costs to build the word index is shown beside
the import time), then times lemma, exact, phrase, prefix and boolean queries at the sentence
and turn unit (first 200 hits, highlighted, as `casecoder search` returns them), and the hit
summary the workbench's search screen shows. Figures are printed; nothing here is a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus

from casecoder.project import Project

QUERIES = ["finansiering", "student", '"felles studieprogram"', "ledelse AND søke",
           "rapportering", "kvalitetssikring", "allianse*", "videreføre", "prorektor",
           "sommerskole OR mobilitet", "partner NOT student"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--per-doc", type=int, default=10_000)
    args = parser.parse_args()
    from casecoder.nlp.lemmas import lemmatizer

    t0 = time.perf_counter()
    lemmatizer("nb")
    print(f"lemma table load (cached): {time.perf_counter() - t0:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        corpus.mkdir()
        write_corpus(corpus, args.words, args.per_doc, seed=7)
        files = sorted(corpus.glob("*.txt"))
        project = Project.create(work / "bench.cc.db", coder="bench")
        t0 = time.perf_counter()
        for result in project.import_files(files):
            assert result.status == "imported", result.message
        elapsed = time.perf_counter() - t0
        words = project.stats()["words"]
        print(f"import with word index: {words:,} words in {elapsed:.2f} s = "
              f"{words / elapsed:,.0f} words/s")
        t0 = time.perf_counter()
        project.conn.execute("DELETE FROM word_index")
        project.conn.execute("UPDATE meta SET value = '0' WHERE key = 'word_index_upto'")
        n = project.ensure_word_index()
        print(f"building the word index alone (as for a migrated project): {n:,} segments in "
              f"{time.perf_counter() - t0:.2f} s")
        for unit, exact in (("sentence", False), ("sentence", True), ("turn", False)):
            times, hits = [], 0
            for _ in range(5):
                for q in QUERIES:
                    t0 = time.perf_counter()
                    hits += len(project.find(q, unit=unit, exact=exact))
                    times.append(time.perf_counter() - t0)
            print(f"find ({unit}, {'exact' if exact else 'lemma'}) over {words:,} words: median "
                  f"{statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
                  f"({hits // 5} hits per round of {len(QUERIES)} queries, at most 200 each; "
                  "target median <= 50 ms)")
        times = []
        for q in QUERIES[:4]:
            t0 = time.perf_counter()
            all_hits = project.find(q, limit=None)
            project.hit_summary(all_hits)
            times.append(time.perf_counter() - t0)
        print(f"all hits + summary per document and code (search screen): median "
              f"{statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")
        project.close()


if __name__ == "__main__":
    main()
