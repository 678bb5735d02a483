"""Quote export benchmark: 100k codings over 1,000 documents, per format, time and memory.

Run:  .venv/bin/python benchmarks/bench_export.py [--codings 100000] [--docs 1000]
      [--formats csv,md,xlsx,json,html,docx] [--scaling 5000,10000,20000] [--keep DIR]

Targets on the 2-core reference machine, for the export itself (project already open), at
100,000 codings: DOCX <= 15 s and linear in codings, every other format <= 10 s (CSV <= 2 s,
Markdown <= 3 s), with memory that does not grow with the number of quotes beyond what the
format needs. Each format runs in a fresh child process twice: once for wall and CPU time and
peak RSS (ru_maxrss, less the RSS before the export started), once under tracemalloc for the
peak of Python allocations (tracemalloc slows the run, so its time is not reported). The same
is measured on smaller projects (--scaling, default 5k, 10k and 20k codings over the same
documents) and printed as seconds per 1,000 codings, so linear growth reads as a flat column
(the quadratic DOCX writer this replaced took 6.4 s at 5k, 20 s at 10k and 68 s at 20k).

The synthetic project goes in through the public API (hand-made segments, so no spaCy; codings
in batches through `add_codings`), laid out so that no two codings merge: the figures are for
exactly the number of codings asked for. Figures are printed; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
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

TARGETS = {"csv": 2.0, "md": 3.0, "xlsx": 10.0, "json": 10.0, "html": 10.0, "docx": 15.0}
_WORDS = (
    "vi", "har", "jobbet", "med", "studentene", "partnerne", "i", "alliansen", "og", "det",
    "var", "en", "god", "erfaring", "for", "instituttet", "men", "rapporteringen", "tok",
    "mye", "tid", "så", "ledelsen", "ga", "støtte", "til", "frikjøp", "av", "ansatte",
    "programmet", "[BIP-en]", "kvalitet", "mobilitet", "finansiering", "søknaden", "Erasmus+",
    "ble", "videreført", "uten", "midler", "fra", "fakultetet", "altså", "egentlig", "nei",
    "ja", "bl.a.", "«kvalitet»", "[institusjonen]", "læringsutbytte", "emne", "praksis",
)
ROLES = ("project leader", "pro-rector", "head of department", "Erasmus+ coordinator")
CASE_TYPES = ("BIP", "EMJM", "European University alliance", "Innovation alliance", "KA220",
              "Teacher academy")
THEMES, SUBCODES = 4, 8
SENTENCES_PER_TURN, TURNS = 6, 22


def _document(rng: random.Random, number: int) -> tuple[str, list[SegmentSpec]]:
    """A transcript of alternating turns with timestamps; sentence, turn, paragraph segments."""
    chunks: list[str] = []
    specs: list[SegmentSpec] = []
    offset = 0
    sentence_no = 0
    for t in range(TURNS):
        speaker = "Intervjuer" if t % 2 == 0 else "Informant"
        stamp = 15.0 * t
        label = f"[00:{t // 4:02d}:{t % 4 * 15:02d}] {speaker}: "
        chunks.append(label)
        offset += len(label)
        body = offset
        for s in range(SENTENCES_PER_TURN):
            words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 16))]
            sentence = " ".join(words).capitalize() + f" ({number}.{t}.{s})."
            if s:
                chunks.append(" ")
                offset += 1
            sentence_no += 1
            specs.append(SegmentSpec("sentence", sentence_no, offset, offset + len(sentence),
                                     speaker, stamp))
            chunks.append(sentence)
            offset += len(sentence)
        specs.append(SegmentSpec("turn", t + 1, body, offset, speaker, stamp))
        specs.append(SegmentSpec("paragraph", t + 1, body, offset, speaker, stamp))
        chunks.append("\n\n")
        offset += 2
    return "".join(chunks), specs


def build_project(path: Path, codings: int, docs: int, seed: int = 7) -> float:
    """Build the synthetic project; returns the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(seed)
    project = Project.create(path, language="nb", coder="bench")
    codes: list[str] = []
    for t in range(THEMES):
        project.add_code(f"theme{t + 1}", description=f"Definition of theme {t + 1}.")
        codes.append(f"theme{t + 1}")
        for s in range(SUBCODES):
            project.add_code(f"theme{t + 1}/sub{s + 1}", description=f"Subcode {s + 1}.")
            codes.append(f"theme{t + 1}/sub{s + 1}")
    per_doc = -(-codings // docs)
    if per_doc > TURNS * SENTENCES_PER_TURN:
        raise SystemExit(f"at most {TURNS * SENTENCES_PER_TURN} codings per document")
    records: list[CodingRecord] = []
    for d in range(docs):
        name = f"intervju-{d + 1:04d}"
        text, specs = _document(rng, d + 1)
        project.add_document(
            SourceText(text, "txt", "utf-8", None), name=name, segments=specs,
            case=f"C{d % 40 + 1:02d}",
            attributes={"role": ROLES[d % len(ROLES)],
                        "case_type": CASE_TYPES[d % 40 % len(CASE_TYPES)]})
        sentences = [s for s in specs if s.kind == "sentence"]
        for k in range(min(per_doc, codings - len(records))):
            # Coding k starts at sentence k; the same code and coder come back only 72
            # codings (sentences) later, so nothing touches and nothing merges.
            first = k
            last = min(len(sentences) - 1, first + rng.randint(0, 2))
            code = codes[k % len(codes)]
            coder = ("ingrid", "tomas")[(k // len(codes)) % 2]
            memo = f"memo {d}.{k}" if rng.random() < 0.1 else ""
            records.append(CodingRecord(name, code, coder, sentences[first].start,
                                        sentences[last].end, memo=memo))
    for i in range(0, len(records), 20_000):
        project.add_codings(records[i:i + 20_000])
    total = len(project.codings())
    project.close()
    if total != codings:
        print(f"note: {codings - total} codings merged; measuring {total}", file=sys.stderr)
    return time.perf_counter() - started


def _rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(fmt: str, project_path: Path, out: Path, traced: bool) -> None:
    """Run one export in this (fresh) process and print its figures as JSON."""
    from casecoder.export.quotes import QuoteOptions, export_quotes

    project = Project.open(project_path)
    project.codes()
    before = _rss_kb()
    if traced:
        import tracemalloc

        tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    result = export_quotes(project, out, QuoteOptions(by=("case_type", "role")))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    figures = {"wall": wall, "cpu": cpu, "codings": result.codings,
               "rss_peak_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
               / 1024, "size_mb": out.stat().st_size / 1e6}
    if traced:
        figures["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    print(json.dumps(figures))


def measure(fmt: str, project_path: Path, folder: Path) -> dict[str, float]:
    figures: dict[str, float] = {}
    for traced in (False, True):
        out = folder / f"quotes-{project_path.stem}.{fmt}"
        args = [sys.executable, __file__, "--child", fmt, str(project_path), str(out)]
        if traced:
            args.append("--traced")
        done = subprocess.run(args, capture_output=True, text=True, check=True)
        data = json.loads(done.stdout.strip().splitlines()[-1])
        if traced:
            figures["traced_peak_mb"] = data["traced_peak_mb"]
        else:
            figures.update(data)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=100_000)
    parser.add_argument("--docs", type=int, default=1_000)
    parser.add_argument("--formats", default="csv,md,xlsx,json,html,docx")
    parser.add_argument("--scaling", default="5000,10000,20000",
                        help="smaller codings counts to measure too (empty: none)")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep files in")
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "PROJECT", "OUT"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        fmt, project_path, out = args.child
        child(fmt, Path(project_path), Path(out), args.traced)
        return

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        smaller = [] if args.no_scaling else [
            int(n) for n in args.scaling.split(",") if n.strip() and int(n) < args.codings]
        sizes = [*((n, args.docs) for n in smaller), (args.codings, args.docs)]
        results: dict[int, dict[str, dict[str, float]]] = {}
        for codings, docs in sizes:
            path = folder / f"bench-{codings}.cc.db"
            if path.exists():
                print(f"using {path}")
            else:
                seconds = build_project(path, codings, docs)
                print(f"built {codings:,} codings over {docs:,} documents in {seconds:.1f} s")
            results[codings] = {fmt: measure(fmt, path, folder) for fmt in formats}
        big = args.codings
        print(f"\nexport of {big:,} codings over {args.docs:,} documents "
              "(by case_type and role; 4 themes x 8 subcodes; 2 coders)")
        print(f"{'format':<6} {'wall s':>7} {'cpu s':>6} {'target':>7} {'file MB':>8} "
              f"{'RSS+ MB':>8} {'traced MB':>10}")
        for fmt in formats:
            r = results[big][fmt]
            target = f"<= {TARGETS[fmt]:.0f} s" if fmt in TARGETS else ""
            print(f"{fmt:<6} {r['wall']:>7.2f} {r['cpu']:>6.2f} {target:>7} "
                  f"{r['size_mb']:>8.1f} {r['rss_peak_mb']:>8.1f} {r['traced_peak_mb']:>10.1f}")
        if smaller:
            counts = [n for n, _ in sizes]
            print("\nseconds per 1,000 codings (flat = linear), and traced memory MB")
            print(f"{'format':<6} " + " ".join(f"{n:>12,}" for n in counts))
            for fmt in formats:
                cells = [f"{results[n][fmt]['wall'] / n * 1000:>5.3f}/"
                         f"{results[n][fmt]['traced_peak_mb']:<6.0f}" for n in counts]
                print(f"{fmt:<6} " + " ".join(f"{c:>12}" for c in cells))


if __name__ == "__main__":
    main()
