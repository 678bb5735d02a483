"""The framework grid (Ritchie and Spencer): cases (or documents) x codes, each cell the
researcher's summary beside the number of quotes behind it.

Quotes in a cell = codings of the code or any of its subcodes in the row's documents (every
coder unless one is chosen), the matrix's "codings" measure. Summaries are per coder
(`Project.set_framework_summary`); a cell shows every coder's summary, each with its name.
Written out as md, json, xlsx or docx, rows carry the case's (or document's) attributes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casecoder.errors import UserError
from casecoder.model import Code

if TYPE_CHECKING:
    from casecoder.project import Project
    from casecoder.project.framework import FrameworkSummary

FRAMEWORK_FORMATS = {".md": "md", ".json": "json", ".xlsx": "xlsx", ".docx": "docx"}
FRAMEWORK_NOTE = ("Each cell: the researchers' summaries (per coder) and the number of quotes "
                  "behind it = codings of the code or its subcodes in the row's documents.")


@dataclass(frozen=True)
class FrameworkRow:
    name: str
    attributes: dict[str, str]
    document_ids: tuple[int, ...]


@dataclass
class FrameworkGrid:
    row_kind: str
    rows: list[FrameworkRow]
    codes: list[Code]
    counts: dict[tuple[str, int], int]
    cells: dict[tuple[str, int], list[FrameworkSummary]]
    coder: str | None
    attribute_names: list[str]

    def count(self, row: str, code_id: int) -> int:
        return self.counts.get((row, code_id), 0)

    def summaries(self, row: str, code_id: int) -> list[FrameworkSummary]:
        return self.cells.get((row, code_id), [])

    def cell_text(self, row: str, code_id: int) -> str:
        found = self.summaries(row, code_id)
        if len(found) == 1 and self.coder:
            return found[0].text
        return "\n".join(f"{s.coder}: {s.text}" for s in found)


def build_framework(project: Project, *, rows: str = "case", codes: tuple[str, ...] = (),
                    coder: str | None = None) -> FrameworkGrid:
    if rows not in ("case", "document"):
        raise UserError(f"framework rows are case or document, not {rows!r}")
    chosen = [project.code(c) for c in codes] if codes else project.children(None)
    if not chosen:
        raise UserError("the project's codebook has no codes (see: casecoder codebook import)")
    if coder:
        coder = project.coder(coder).name
    attributes = project.all_attributes()
    documents = project.documents()
    grid_rows: list[FrameworkRow] = []
    if rows == "case":
        for case in project.cases():
            ids = tuple(d.id for d in documents if d.case == case.name)
            shared: dict[str, str] | None = None
            for d in documents:
                if d.case == case.name:
                    own = {k: v for k, v in attributes.get(d.name, {}).items() if k != "case"}
                    shared = own if shared is None else {
                        k: v for k, v in shared.items() if own.get(k) == v}
            grid_rows.append(FrameworkRow(case.name, shared or {}, ids))
    else:
        for d in documents:
            grid_rows.append(FrameworkRow(d.name, dict(attributes.get(d.name, {})), (d.id,)))
    row_of_doc = {doc_id: r.name for r in grid_rows for doc_id in r.document_ids}
    counts: dict[tuple[str, int], int] = {}
    for code in chosen:
        for coding in project.iter_codings(code=code, coder=coder):
            row = row_of_doc.get(coding.document_id)
            if row is not None:
                counts[(row, code.id)] = counts.get((row, code.id), 0) + 1
    cells: dict[tuple[str, int], list[FrameworkSummary]] = {}
    wanted = {c.id for c in chosen}
    for s in project.framework_summaries(row_kind=rows, coder=coder):
        if s.code_id in wanted:
            cells.setdefault((s.row, s.code_id), []).append(s)
    names = sorted({k for r in grid_rows for k in r.attributes}, key=str.casefold)
    return FrameworkGrid(rows, grid_rows, chosen, counts, cells, coder, names)


def framework_json(grid: FrameworkGrid) -> dict[str, Any]:
    return {"kind": "framework", "rows_are": grid.row_kind, "coder": grid.coder,
            "note": FRAMEWORK_NOTE, "codes": [c.path for c in grid.codes],
            "rows": [{"name": r.name, "attributes": r.attributes,
                      "cells": [{"code": c.path, "quotes": grid.count(r.name, c.id),
                                 "summaries": [{"coder": s.coder, "text": s.text,
                                                "guid": s.guid, "updated_at": s.updated_at}
                                               for s in grid.summaries(r.name, c.id)]}
                                for c in grid.codes]}
                     for r in grid.rows]}


def framework_md(grid: FrameworkGrid) -> str:
    def esc(text: str) -> str:
        return " ".join(text.replace("|", "\\|").split("\n"))

    head = [grid.row_kind, *grid.attribute_names, *(c.path for c in grid.codes)]
    lines = [f"# Framework: {grid.row_kind}s x codes", "", FRAMEWORK_NOTE, "",
             "| " + " | ".join(esc(h) for h in head) + " |", "|" + "---|" * len(head)]
    for r in grid.rows:
        cells = [esc(r.name), *(esc(r.attributes.get(a, "")) for a in grid.attribute_names)]
        for c in grid.codes:
            text = esc(grid.cell_text(r.name, c.id))
            cells.append(f"{text} ({grid.count(r.name, c.id)} quotes)" if text
                         else f"({grid.count(r.name, c.id)} quotes)")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_framework(grid: FrameworkGrid, target: Path) -> str:
    """Write the grid in the format its extension names; returns the format."""
    from casecoder.export.atomic import atomic_path

    fmt = FRAMEWORK_FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise UserError(f"framework export writes .docx, .xlsx, .md or .json, not "
                        f"{target.name!r}")
    with atomic_path(target) as tmp:
        if fmt == "md":
            Path(tmp).write_text(framework_md(grid), encoding="utf-8")
        elif fmt == "json":
            Path(tmp).write_text(json.dumps(framework_json(grid), ensure_ascii=False,
                                            indent=2) + "\n", encoding="utf-8")
        elif fmt == "xlsx":
            _xlsx(grid, Path(tmp))
        else:
            _docx(grid, Path(tmp))
    return fmt


def _xlsx(grid: FrameworkGrid, path: Path) -> None:
    import xlsxwriter

    from casecoder.export.cells import neutralise
    from casecoder.export.quotes import xml_safe

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                           "strings_to_urls": False})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet("framework")
    head = [grid.row_kind, *grid.attribute_names, *(c.path for c in grid.codes)]
    for c, name in enumerate(head):
        sheet.write_string(0, c, neutralise(name), bold)
    for r, row in enumerate(grid.rows, start=1):
        values = [row.name, *(row.attributes.get(a, "") for a in grid.attribute_names)]
        for c, value in enumerate(values):
            sheet.write_string(r, c, xml_safe(neutralise(value)), wrap)
        for k, code in enumerate(grid.codes, start=len(values)):
            text = grid.cell_text(row.name, code.id)
            quotes = f"({grid.count(row.name, code.id)} quotes)"
            sheet.write_string(r, k, xml_safe(neutralise(f"{text}\n{quotes}" if text
                                                         else quotes)), wrap)
    sheet.set_column(0, len(grid.attribute_names), 16)
    sheet.set_column(len(grid.attribute_names) + 1, len(head), 40)
    sheet.write_string(len(grid.rows) + 2, 0, FRAMEWORK_NOTE)
    book.close()


def _docx(grid: FrameworkGrid, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    from casecoder.export.quotes import xml_safe

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    doc.add_heading(f"Framework: {grid.row_kind}s x codes", level=1)
    doc.add_paragraph(FRAMEWORK_NOTE)
    head = [grid.row_kind, *(c.path for c in grid.codes)]
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for c, name in enumerate(head):
        run = table.rows[0].cells[c].paragraphs[0].add_run(xml_safe(name))
        run.bold = True
    for row in grid.rows:
        cells = table.add_row().cells
        first = cells[0].paragraphs[0]
        first.add_run(xml_safe(row.name)).bold = True
        for key, value in row.attributes.items():
            cells[0].add_paragraph(xml_safe(f"{key}: {value}")).runs[0].font.size = Pt(8)
        for k, code in enumerate(grid.codes, start=1):
            text = grid.cell_text(row.name, code.id)
            para = cells[k].paragraphs[0]
            if text:
                para.add_run(xml_safe(text))
            note = cells[k].add_paragraph().add_run(
                f"{grid.count(row.name, code.id)} quotes")
            note.italic = True
            note.font.size = Pt(8)
    doc.save(str(path))
