"""Survey spreadsheets (CSV, XLSX) with open-ended answers, as documents to code.

A survey export is one row per respondent and one column per question. What a researcher
codes is the free text; what they break it down by is the rest (school, role, country). So:

- each respondent (or, with per="answer", each answer) becomes one document whose text holds
  the question label and the answer for every non-empty text column. Each answer is a speaker
  turn whose "speaker" is the question label: the label stays out of sentences and quotes,
  the coding screen shows it in the margin, and every quote's attribution names the question;
- the other columns become document attributes, so matrices and quote exports break the
  answers down by them as they do interviews;
- empty answers are skipped and counted, and so are respondents with no answer at all;
- when columns are not named, text columns are those holding long free text, and the id is a
  column whose values are all present and distinct (preferring one named like an id).

Untrusted input: CSV is decoded with the transcript reader's detection (BOMs, strict UTF-8,
Windows-1252, then a guess); an .xlsx is a zip, vetted by `safezip` (member paths, sizes,
compression ratio) before openpyxl opens it read-only. A cell holding a formula is read as its
formula text and never evaluated (openpyxl has no evaluator; a cached result from whoever
saved the file is not trusted either), so an answer typed as "=SUM(A1)" stays that text.
Sizes are capped: file bytes, rows, columns and characters per cell.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from casecoder.errors import ImportFileError, UserError
from casecoder.ingest.model import SourceText, Turn
from casecoder.ingest.text import decode, describe, normalise, read_bytes

MAX_SURVEY_BYTES = 100 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 2_000
MAX_CELL_CHARS = 100_000
MAX_XLSX_INFLATED = 500 * 1024 * 1024
#: A column is free text when its answers are this long on average (or some much longer).
FREE_TEXT_MEAN_CHARS = 25
FREE_TEXT_MAX_CHARS = 80
_ID_NAMES = re.compile(r"^(id|respondent|respondent[ _-]?id|response[ _-]?id|resp(ondent)?nr|"
                       r"løpenummer|lnr|nr|svar[ _-]?id|deltaker|informant)$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")
PER_CHOICES = ("respondent", "answer")


@dataclass(frozen=True)
class Table:
    """A sheet as strings: a header of unique labels and rows of cells (empty = "")."""

    columns: list[str]
    rows: list[list[str]]
    encoding: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SurveyDocument:
    """One document to store: its name, text with turns, attributes, and where it came from."""

    name: str
    source: SourceText
    attributes: dict[str, str]


@dataclass
class SurveyPlan:
    """What an import will make of a table, before anything is stored."""

    id_column: str | None  # None: respondents are numbered by row
    text_columns: list[str]
    attribute_columns: list[str]
    documents: list[SurveyDocument] = field(default_factory=list)
    respondents: int = 0
    empty_answers: int = 0
    empty_respondents: int = 0
    warnings: list[str] = field(default_factory=list)


def read_table(path: Path) -> Table:
    """The first sheet of an .xlsx, or a .csv, as strings."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_csv(path)
    raise ImportFileError(f"{path}: a survey must be a .csv or .xlsx file, "
                          f"not {suffix or path.name!r}")


def _read_csv(path: Path) -> Table:
    data = read_bytes(path, MAX_SURVEY_BYTES)
    if not data.strip():
        raise ImportFileError(f"{path}: the file is empty")
    decoded = decode(data, path)
    text = decoded.text.lstrip("\ufeff")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(MAX_CELL_CHARS + 1)
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise ImportFileError(f"{path}: refused: more than {MAX_ROWS} rows")
    except csv.Error as exc:
        raise ImportFileError(f"{path}: not a readable CSV file ({describe(exc)})") from exc
    return _table(path, rows, decoded.encoding, decoded.warnings)


def _read_xlsx(path: Path) -> Table:
    from casecoder.ingest.safezip import open_safe_zip

    with open_safe_zip(path, what="an Excel workbook (.xlsx)", max_members=10_000,
                       max_read_bytes=MAX_XLSX_INFLATED, max_ratio=200,
                       max_file_bytes=MAX_SURVEY_BYTES) as archive:
        if archive.find("xl/workbook.xml") is None:
            raise ImportFileError(f"{path}: not an Excel workbook (no xl/workbook.xml inside)")
    import warnings

    import openpyxl

    rows: list[list[str]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
            book = openpyxl.load_workbook(path, read_only=True, data_only=False,
                                          keep_links=False)
            try:
                sheet = book.worksheets[0]
                for values in sheet.iter_rows(values_only=True):
                    if len(rows) > MAX_ROWS:
                        raise ImportFileError(f"{path}: refused: more than {MAX_ROWS} rows")
                    if len(values) > MAX_COLUMNS:
                        raise ImportFileError(f"{path}: refused: more than {MAX_COLUMNS} "
                                              "columns")
                    rows.append([_cell_text(v) for v in values])
            finally:
                book.close()
    except ImportFileError:
        raise
    except Exception as exc:  # untrusted input: any parser failure means a bad file
        raise ImportFileError(f"{path}: not a readable Excel workbook ({describe(exc)})"
                              ) from exc
    return _table(path, rows, None, ())


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _table(path: Path, rows: list[list[str]], encoding: str | None,
           warnings: tuple[str, ...]) -> Table:
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError(f"{path}: the sheet is empty")
    header = [" ".join(unicodedata.normalize("NFC", c).split()) for c in rows[0]]
    width = max(len(r) for r in rows)
    if width > MAX_COLUMNS:
        raise ImportFileError(f"{path}: refused: more than {MAX_COLUMNS} columns")
    header += [""] * (width - len(header))
    columns: list[str] = []
    seen: set[str] = set()
    for i, label in enumerate(header, start=1):
        label = label or f"column {i}"
        unique, n = label, 2
        while unique.casefold() in seen:
            unique, n = f"{label} ({n})", n + 1
        seen.add(unique.casefold())
        columns.append(unique)
    body = []
    for row in rows[1:]:
        cells = [c if len(c) <= MAX_CELL_CHARS else c[:MAX_CELL_CHARS] for c in row]
        body.append(cells + [""] * (width - len(cells)))
    return Table(columns, body, encoding, warnings)


# --- choosing columns ----------------------------------------------------------------------


def find_column(table: Table, name: str) -> str:
    """A column by its header (any letter case) or by its 1-based number."""
    wanted = " ".join(name.split()).casefold()
    for column in table.columns:
        if column.casefold() == wanted:
            return column
    if wanted.isdigit() and 1 <= int(wanted) <= len(table.columns):
        return table.columns[int(wanted) - 1]
    shown = ", ".join(repr(c) for c in table.columns[:20])
    raise UserError(f"no column {name!r} in the survey (columns: {shown}"
                    f"{', …' if len(table.columns) > 20 else ''})")


def _values(table: Table, column: str) -> list[str]:
    index = table.columns.index(column)
    return [row[index].strip() for row in table.rows]


def is_free_text(values: Sequence[str]) -> bool:
    """Long, mostly non-numeric answers: what an open-ended question collects."""
    present = [v for v in values if v]
    if not present:
        return False
    if sum(1 for v in present if _NUMBER.match(v)) > 0.5 * len(present):
        return False
    lengths = [len(v) for v in present]
    return (sum(lengths) / len(lengths) >= FREE_TEXT_MEAN_CHARS
            or max(lengths) >= FREE_TEXT_MAX_CHARS)


def default_id_column(table: Table, exclude: Iterable[str] = ()) -> str | None:
    """A column whose values are all present and distinct; one named like an id first."""
    excluded = set(exclude)
    candidates = [c for c in table.columns if c not in excluded]
    candidates.sort(key=lambda c: 0 if _ID_NAMES.match(c.strip()) else 1)
    for column in candidates:
        values = _values(table, column)
        if all(values) and len(set(values)) == len(values) and max(map(len, values)) <= 60:
            return column
    return None


def plan_survey(table: Table, *, stem: str, id_column: str | None = None,
                text_columns: Sequence[str] = (), attribute_columns: Sequence[str] | None = None,
                per: str = "respondent") -> SurveyPlan:
    """Choose the columns (defaults where not named) and build every document's text."""
    if per not in PER_CHOICES:
        raise UserError(f"--per must be one of {', '.join(PER_CHOICES)}, not {per!r}")
    texts = [find_column(table, c) for c in text_columns]
    chosen_id = find_column(table, id_column) if id_column else None
    named_attrs = {find_column(table, c) for c in attribute_columns or ()}
    if not texts:
        texts = [c for c in table.columns
                 if c != chosen_id and c not in named_attrs and is_free_text(_values(table, c))]
        if not texts:
            raise UserError("no column of the survey holds free text; name the answer "
                            "columns with --text COLUMN")
    if chosen_id is None and id_column is None:
        chosen_id = default_id_column(table, exclude=texts)
    if chosen_id in texts:
        raise UserError(f"column {chosen_id!r} cannot be both the id and an answer")
    if chosen_id is not None:
        ids = _values(table, chosen_id)
        missing = sum(1 for v in ids if not v)
        if missing:
            raise UserError(f"the id column {chosen_id!r} is empty in {missing} row(s)")
        repeated = sorted(v for v, n in Counter(ids).items() if n > 1)
        if repeated:
            raise UserError(f"the id column {chosen_id!r} repeats {', '.join(repeated[:5])}: "
                            "ids must be unique (choose another with --id)")
    if attribute_columns is None:
        attrs = [c for c in table.columns if c not in texts and c != chosen_id]
    else:
        attrs = [find_column(table, c) for c in attribute_columns]
        overlap = set(attrs) & set(texts)
        if overlap:
            raise UserError(f"column {sorted(overlap)[0]!r} cannot be both an answer and an "
                            "attribute")
    plan = SurveyPlan(chosen_id, texts, attrs)
    index = {c: i for i, c in enumerate(table.columns)}
    for number, row in enumerate(table.rows, start=1):
        if not any(cell.strip() for cell in row):
            continue  # a blank line in the sheet, not a respondent
        plan.respondents += 1
        respondent = row[index[chosen_id]].strip() if chosen_id else str(number)
        attributes = {c: " ".join(row[index[c]].split()) for c in attrs
                      if row[index[c]].strip()}
        if chosen_id:
            attributes.setdefault("respondent", respondent)
        answers: list[tuple[str, str]] = []
        for column in texts:
            answer = _clean_answer(row[index[column]])
            if answer:
                answers.append((column, answer))
            else:
                plan.empty_answers += 1
        if not answers:
            plan.empty_respondents += 1
            continue
        if per == "respondent":
            plan.documents.append(SurveyDocument(
                _name(stem, respondent), answer_source(answers), attributes))
        else:
            for column, answer in answers:
                question = texts.index(column) + 1
                plan.documents.append(SurveyDocument(
                    _name(stem, respondent, f"q{question}"), answer_source([(column, answer)]),
                    {**attributes, "question": column}))
    return plan


def _clean_answer(cell: str) -> str:
    text, _ = normalise(cell)
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def _name(stem: str, respondent: str, suffix: str = "") -> str:
    name = " ".join(f"{stem} {respondent} {suffix}".split())
    return name if len(name) <= 200 else name[:200]


def answer_source(answers: Sequence[tuple[str, str]]) -> SourceText:
    """The text of a survey document, with one turn per answer, spoken by its question.

    Each block is the question label on its own line, then the answer; blocks are separated
    by a blank line, so each answer is also a paragraph (the label is left out of it).
    """
    parts: list[str] = []
    turns: list[Turn] = []
    length = 0
    for column, answer in answers:
        if parts:
            parts.append("\n\n")
            length += 2
        label = " ".join(column.split())
        start = length
        parts.append(f"{label}\n{answer}")
        body_start = start + len(label) + 1
        length = body_start + len(answer)
        turns.append(Turn(start, body_start, length, label, None))
    return SourceText("".join(parts), "survey", None, tuple(turns))
