"""Survey import benchmark: 10,000 respondents, three open questions, from CSV and XLSX.

Run:  .venv/bin/python benchmarks/bench_survey.py [--respondents 10000] [--questions 3]

Target on the 2-core reference machine: "in seconds" for 10,000 respondents. Printed per
stage: reading the sheet, planning the documents, segmenting and storing them (one
transaction), and re-importing the same file (which must add nothing). Answers are seeded
Norwegian sentences of 5-60 words, some empty. Figures are printed; nothing here is a test.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import tempfile
import time
from pathlib import Path

from casecoder.ingest.survey import plan_survey, read_table
from casecoder.project import Project

_WORDS = ("vi", "lærte", "mye", "om", "kultur", "og", "språk", "på", "utvekslingen", "i",
          "Spania", "det", "var", "vanskelig", "å", "være", "borte", "fra", "familien",
          "skolen", "ga", "oss", "god", "støtte", "men", "økonomien", "var", "stram",
          "«ærlig", "talt»", "elevene", "fikk", "nye", "venner", "Italia", "praksis")


def answer(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return ""
    sentences = []
    for _ in range(rng.randint(1, 4)):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(5, 15))]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def write_survey(folder: Path, respondents: int, questions: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    header = ["Respondent", "Skole", "Trinn", *(f"Spørsmål {q}: hva mener du?"
                                               for q in range(1, questions + 1))]
    rows = [[f"r{i}", rng.choice(["Bø", "Åsane", "Voss"]), rng.choice(["Vg1", "Vg2", "Vg3"]),
             *(answer(rng) for _ in range(questions))] for i in range(1, respondents + 1)]
    csv_path = folder / "elevsvar.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([header, *rows])
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    xlsx_path = folder / "elevsvar.xlsx"
    book.save(xlsx_path)
    return [csv_path, xlsx_path]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--respondents", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in write_survey(folder, args.respondents, args.questions, args.seed):
            project_path = folder / f"{path.suffix[1:]}.cc.db"
            project = Project.create(project_path, language="nb", coder="bench")
            from casecoder.nlp.pipeline import load_pipeline

            load_pipeline("nb")  # spaCy's start-up is not the survey's cost
            c0 = time.process_time()
            t0 = time.perf_counter()
            table = read_table(path)
            t1 = time.perf_counter()
            plan = plan_survey(table, stem="elevsvar")
            t2 = time.perf_counter()
            stored = project.add_survey(plan.documents, source_name=path.name)
            t3 = time.perf_counter()
            c3 = time.process_time()
            again = project.add_survey(plan_survey(read_table(path), stem="elevsvar").documents,
                                       source_name=path.name)
            t4 = time.perf_counter()
            project.close()
            print(f"{path.suffix}: {args.respondents} respondents, {len(stored.imported)} "
                  f"documents, {stored.words} words, {plan.empty_answers} empty answers")
            print(f"  read {t1 - t0:6.2f} s · plan {t2 - t1:5.2f} s · segment+store "
                  f"{t3 - t2:5.2f} s · total {t3 - t0:5.2f} s (CPU {c3 - c0:5.2f} s) · "
                  f"re-import {t4 - t3:5.2f} s "
                  f"(added {len(again.imported)}, skipped {len(again.skipped)})")


if __name__ == "__main__":
    main()
