"""Suggestion benchmark (issue 13): how well codes learned from one's own codings predict.

Run:  .venv/bin/python benchmarks/bench_suggest.py [--coder ingrid]

On the demo project (the sample study coded by two fictional coders): each document is held
out in turn, the model is trained on the coder's codings in the other documents, and codes are
suggested for every sentence of the held-out document that the coder coded. Precision at 1 and
at 3 (share of the top-k suggestions that are among the sentence's codes), for subcodes and for
themes (a subcode counts as its theme). Then the time to train on all of the coder's codings
and to suggest for a 5,000-word document (targets: <= 1 s each). Nothing here is a test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from casecoder.analysis.suggest import suggest_document, terms, train
from casecoder.demo import build_demo
from casecoder.project import Project


def theme(path: str) -> str:
    return path.split("/")[0]


def ranked_unique(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coder", default="ingrid")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = build_demo(Path(tmp) / "demo.cc.db")
        p = Project.open(path, coder=args.coder)
        docs = p.documents()
        scores: dict[str, list[float]] = {"sub@1": [], "sub@3": [], "theme@1": [],
                                          "theme@3": []}
        for held in docs:
            codings = p.codings(doc=held, coder=args.coder)
            if not codings:
                continue
            model = train(p, coder=args.coder, exclude_documents=[held.name])
            text = p.text(held)
            for seg in p.segments(held, "sentence"):
                gold = {c.code_path for c in codings if c.start < seg.end and c.end > seg.start}
                if not gold:
                    continue
                found = [s.code for s in model.suggest(terms(text[seg.start:seg.end],
                                                             held.language), top=9)]
                sub = found[:3]
                themes = ranked_unique([theme(c) for c in found])[:3]
                gold_themes = {theme(c) for c in gold}
                scores["sub@1"].append(float(bool(sub[:1]) and sub[0] in gold))
                scores["sub@3"].append(sum(c in gold for c in sub) / 3)
                scores["theme@1"].append(float(bool(themes[:1]) and themes[0] in gold_themes))
                scores["theme@3"].append(sum(t in gold_themes for t in themes) / 3)
        n = len(scores["sub@1"])
        print(f"held-out evaluation, coder {args.coder}, {len(docs)} documents, {n} coded "
              "sentences:")
        for key, values in scores.items():
            print(f"  precision {key}: {statistics.mean(values):.3f}")
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            model = train(p, coder=args.coder)
            times.append(time.perf_counter() - t0)
        print(f"train on {len(model)} codings: median {statistics.median(times):.3f} s "
              "(target <= 1 s)")
        # A 5,000-word document made of the sample study's own sentences.
        pieces, words = [], 0
        for d in docs:
            for seg in p.segments(d, "sentence"):
                piece = p.text(d)[seg.start:seg.end]
                pieces.append(f"Informant: {piece}")
                words += len(piece.split())
                if words >= 5000:
                    break
            if words >= 5000:
                break
        big = Path(tmp) / "long-interview.txt"
        big.write_text("\n\n".join(pieces) + "\n", encoding="utf-8")
        p.import_file(big, name="long-interview")
        doc = p.document("long-interview")
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            units = suggest_document(p, doc.name, top=3, model=model)
            times.append(time.perf_counter() - t0)
        print(f"suggest for a {doc.word_count:,}-word document ({len(units)} sentences with "
              f"suggestions): median {statistics.median(times):.3f} s (target <= 1 s)")
        p.close()


if __name__ == "__main__":
    main()
