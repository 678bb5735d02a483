"""Matrix and co-occurrence tables out of casecoder: json, long csv, md, html (heat map and
bars as inline SVG), xlsx. One `Grid` view of either result feeds every format, so a number
in the spreadsheet is the number in the HTML.

JSON holds the rows, columns, every cell's value in every measure and what is behind it
(coding GUIDs for the matrix, passages for co-occurrence). CSV is long (tidy) form, one row
per cell and measure, for pandas and R. The HTML colours cells by a normalised measure when
the matrix columns differ in size (share of the column's documents), so a column of ten
interviews does not outshine one of two; the number is always printed.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casecoder.analysis.cooccurrence import CO_MEASURES, COOCCURRENCE_NOTE, CooccurrenceResult
from casecoder.analysis.matrix import (
    ALL_ROWS,
    COUNTING_NOTE,
    MEASURE_LABELS,
    MEASURES,
    TOTAL,
    MatrixResult,
)
from casecoder.errors import UserError
from casecoder.export.cells import neutralise

NORMALISED_NOTE = " (normalised, the columns differ in size)"
FORMATS = ("table", "json", "csv", "md", "xlsx", "html")
FILE_FORMATS = {".json": "json", ".csv": "csv", ".md": "md", ".xlsx": "xlsx", ".html": "html",
                ".htm": "html"}


def fmt_value(value: float | int | None, measure: str) -> str:
    """A cell as printed everywhere: counts whole, shares as percent, rates with 1 decimal."""
    if value is None:
        return "–"
    if measure.startswith("share_"):
        return f"{value * 100:.0f}%"
    if measure in ("per_1000_words",):
        return f"{value:.1f}"
    if measure == "jaccard":
        return f"{value:.2f}"
    return str(int(value))


@dataclass
class Grid:
    """Rows x columns of one result in one measure, plus what every format needs around it."""

    kind: str  # "matrix" | "cooccurrence"
    title: str
    note: str
    selection: str
    measure: str
    measures: tuple[str, ...]
    rows: list[tuple[str, int]]  # (code path, depth)
    columns: list[tuple[str, str, str]]  # (key, label, size line)
    value: Callable[[int | None, str, str], float | int | None]  # (row|None=totals, col, m)
    heat_measure: str
    result: Any

    @property
    def keys(self) -> list[str]:
        return [c[0] for c in self.columns]


def matrix_grid(result: MatrixResult, measure: str, project_name: str) -> Grid:
    if measure not in MEASURES:
        raise UserError(f"--measure must be one of {', '.join(MEASURES)}, not {measure!r}")
    columns = [(c.key, c.label, f"n={c.n_documents} doc · {c.n_informants} inf")
               for c in result.columns]
    t = result.total_column
    columns.append((TOTAL, "Total", f"n={t.n_documents} doc · {t.n_informants} inf"))
    sizes = {c.n_documents for c in result.columns}
    heat = measure
    if measure in ("codings", "passages", "documents", "informants", "cases") and len(sizes) > 1:
        heat = "share_documents"
    return Grid("matrix", f"Matrix: codes x {result.by} — {project_name}", COUNTING_NOTE,
                result.selection.describe(), measure, MEASURES,
                [(r.path, r.depth) for r in result.rows], columns,
                lambda r, c, m: result.value(r, c, m), heat, result)


def cooccurrence_grid(result: CooccurrenceResult, measure: str, project_name: str) -> Grid:
    if measure not in CO_MEASURES:
        raise UserError(f"--measure must be one of {', '.join(CO_MEASURES)}, not {measure!r}")
    columns = [(str(i), r.path, f"{result.occurrences[i]} {result.unit}s")
               for i, r in enumerate(result.rows)]

    def value(r: int | None, c: str, m: str) -> float | int | None:
        return None if r is None else result.value(r, int(c), m)

    return Grid("cooccurrence", f"Co-occurrence by {result.unit} — {project_name}",
                COOCCURRENCE_NOTE, result.selection.describe(), measure, CO_MEASURES,
                [(r.path, r.depth) for r in result.rows], columns, value, "jaccard", result)


# --- JSON and CSV ------------------------------------------------------------------------

def grid_json(grid: Grid) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": grid.kind, "title": grid.title, "selection": grid.selection,
                           "measure": grid.measure, "measures": list(grid.measures),
                           "counting_note": grid.note}
    if grid.kind == "matrix":
        res: MatrixResult = grid.result
        out["by"] = res.by
        out["rows"] = [{"code": r.path, "level": r.level, "depth": r.depth} for r in res.rows]
        out["columns"] = [{"key": c.key, "label": c.label, "n_documents": c.n_documents,
                           "n_informants": c.n_informants, "words": c.words}
                          for c in [*res.columns, res.total_column]]
        cells = []
        for r, row in enumerate(res.rows):
            behind = res.guids_by_column(r)
            for key in grid.keys:
                cells.append({"code": row.path, "column": key,
                              "values": {m: res.value(r, key, m) for m in MEASURES},
                              "codings": behind[key]})
        out["cells"] = cells
        out["column_totals"] = [{"column": key, "values": {m: res.value(None, key, m)
                                                           for m in MEASURES}}
                                for key in grid.keys]
        return out
    co: CooccurrenceResult = grid.result
    out["unit"] = co.unit
    out["rows"] = [{"code": r.path, "level": r.level, "depth": r.depth,
                    "occurrences": co.occurrences[i]} for i, r in enumerate(co.rows)]
    pairs = []
    for a in range(len(co.rows)):
        for b in range(a + 1, len(co.rows)):
            cell = co.pair(a, b)
            if cell is None or not cell.count:
                continue
            pairs.append({"code_a": co.rows[a].path, "code_b": co.rows[b].path,
                          "values": {m: co.value(a, b, m) for m in CO_MEASURES},
                          "passages": [{"document": p.document, "unit": p.unit,
                                        "number": p.number, "start": p.start, "end": p.end}
                                       for p in cell.passages]})
    out["cells"] = pairs
    out["left_out"] = [[co.rows[a].path, co.rows[b].path] for a, b in sorted(co.excluded)]
    return out


def long_rows(grid: Grid) -> list[list[Any]]:
    """The tidy form: (code, column, measure, value) or (code_a, code_b, measure, value)."""
    rows: list[list[Any]] = []
    if grid.kind == "matrix":
        res: MatrixResult = grid.result
        for r, row in enumerate(res.rows):
            for key in grid.keys:
                for m in MEASURES:
                    rows.append([row.path, key, m, _plain(res.value(r, key, m))])
        for key in grid.keys:
            for m in MEASURES:
                rows.append([ALL_ROWS, key, m, _plain(res.value(None, key, m))])
        return rows
    co: CooccurrenceResult = grid.result
    for a in range(len(co.rows)):
        for b in range(len(co.rows)):
            if co.pair(a, b) is None:
                continue
            for m in CO_MEASURES:
                rows.append([co.rows[a].path, co.rows[b].path, m, _plain(co.value(a, b, m))])
    return rows


def _plain(value: float | int | None) -> Any:
    if value is None:
        return ""
    return round(value, 6) if isinstance(value, float) else value


def csv_text(grid: Grid) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["code", "column", "measure", "value"] if grid.kind == "matrix"
                    else ["code_a", "code_b", "measure", "value"])
    for row in long_rows(grid):
        writer.writerow([neutralise(v) for v in row])
    return buf.getvalue()


# --- Markdown ----------------------------------------------------------------------------

def _row_label(path: str, depth: int) -> str:
    return ("  " * depth + path.rsplit("/", 1)[-1]) if depth else path


def markdown_text(grid: Grid) -> str:
    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    measure = MEASURE_LABELS.get(grid.measure, grid.measure)
    lines = [f"# {esc(grid.title)}", "", f"Measure: {measure}. Selection: "
             f"{esc(grid.selection)}.", ""]
    lines.append("| code | " + " | ".join(f"{esc(c[1])} ({esc(c[2])})" for c in grid.columns)
                 + " |")
    lines.append("|---|" + "---:|" * len(grid.columns))
    for r, (path, depth) in enumerate(grid.rows):
        label = ("&nbsp;" * 2 * depth + esc(path.rsplit("/", 1)[-1])) if depth else \
            f"**{esc(path)}**"
        lines.append(f"| {label} | " + " | ".join(
            fmt_value(grid.value(r, k, grid.measure), grid.measure) for k in grid.keys) + " |")
    if grid.kind == "matrix":
        lines.append("| *all rows* | " + " | ".join(
            fmt_value(grid.value(None, k, grid.measure), grid.measure) for k in grid.keys)
            + " |")
    lines += ["", grid.note, ""]
    return "\n".join(lines)


# --- HTML with inline SVG ------------------------------------------------------------------

def _heat(share: float) -> str:
    """A blue of the cell's share (0..1); dark text on light, light text on dark."""
    share = max(0.0, min(1.0, share))
    lightness = 97 - share * 62
    return f"hsl(212, 70%, {lightness:.0f}%)"


def html_text(grid: Grid) -> str:
    e = html.escape
    values = [[grid.value(r, k, grid.heat_measure) for k in grid.keys]
              for r in range(len(grid.rows))]
    flat = [v for row in values for v in row if v is not None]
    top = max(flat) if flat else 0
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(grid.title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2em;color:#111}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
        "td.n{text-align:right;font-variant-numeric:tabular-nums}th small{font-weight:normal;"
        "color:#555}td.code{white-space:nowrap}.note{max-width:60em;color:#444}"
        "svg text{font:11px system-ui,sans-serif}</style></head><body>",
        f"<h1>{e(grid.title)}</h1>",
        f"<p>Measure: <b>{e(MEASURE_LABELS.get(grid.measure, grid.measure))}</b>. "
        f"Shading: {e(MEASURE_LABELS.get(grid.heat_measure, grid.heat_measure))}"
        f"{NORMALISED_NOTE if grid.heat_measure != grid.measure else ''}"
        f". Selection: {e(grid.selection)}.</p>",
        "<h2>Heat map</h2>", "<table><thead><tr><th>code</th>"]
    for _key, label, size in grid.columns:
        parts.append(f"<th>{e(label)}<br><small>{e(size)}</small></th>")
    parts.append("</tr></thead><tbody>")
    for r, (path, depth) in enumerate(grid.rows):
        name = f"<b>{e(path)}</b>" if not depth else e(path.rsplit("/", 1)[-1])
        parts.append(f'<tr><td class="code" style="padding-left:{8 + 14 * depth}px">'
                     f"{name}</td>")
        for c, key in enumerate(grid.keys):
            heat = values[r][c]
            shown = fmt_value(grid.value(r, key, grid.measure), grid.measure)
            style = ""
            if heat is not None and top:
                share = heat / top
                style = (f' style="background:{_heat(share)};'
                         f'color:{"#fff" if share > 0.6 else "#111"}"')
            parts.append(f'<td class="n"{style}>{e(shown)}</td>')
        parts.append("</tr>")
    parts.append("</tbody></table>")
    parts.append(f"<h2>Per row: {e(MEASURE_LABELS.get(grid.heat_measure, grid.heat_measure))}"
                 "</h2>")
    bar_keys = [(c, k, label) for c, (k, label, _s) in enumerate(grid.columns) if k != TOTAL]
    for r, (path, _depth) in enumerate(grid.rows):
        parts.append(_bars(path, [(label, values[r][c]) for c, _k, label in bar_keys],
                           grid.heat_measure, top))
    parts.append(f'<p class="note">{e(grid.note)}</p></body></html>')
    return "\n".join(parts)


def _bars(title: str, items: list[tuple[str, float | int | None]], measure: str,
          top: float | int) -> str:
    e = html.escape
    label_w, bar_w, row_h = 220, 320, 16
    height = 20 + row_h * len(items)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 70}" '
           f'height="{height}" role="img" aria-label="{e(title)}">',
           f'<text x="0" y="12" font-weight="bold">{e(title)}</text>']
    for i, (label, value) in enumerate(items):
        y = 20 + i * row_h
        width = 0 if not value or not top else bar_w * value / top
        out.append(f'<text x="{label_w - 6}" y="{y + 11}" text-anchor="end">'
                   f"{e(label[:34])}</text>")
        out.append(f'<rect x="{label_w}" y="{y + 2}" width="{width:.1f}" height="{row_h - 4}" '
                   'fill="#2f6fb3"/>')
        out.append(f'<text x="{label_w + width + 4:.1f}" y="{y + 11}">'
                   f"{e(fmt_value(value, measure))}</text>")
    out.append("</svg>")
    return "".join(out)


# --- XLSX --------------------------------------------------------------------------------

def write_xlsx(grid: Grid, path: Path) -> None:
    import xlsxwriter

    from casecoder.export.atomic import atomic_path

    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                              "strings_to_urls": False})
        bold = book.add_format({"bold": True})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        pct = book.add_format({"num_format": "0%"})
        sheet = book.add_worksheet("matrix" if grid.kind == "matrix" else "cooccurrence")
        sheet.write(0, 0, grid.title, bold)
        sheet.write(1, 0, f"Measure: {MEASURE_LABELS.get(grid.measure, grid.measure)}. "
                          f"Selection: {grid.selection}")
        sheet.write(3, 0, "code", bold)
        for c, (_key, label, size) in enumerate(grid.columns, start=1):
            sheet.write(3, c, f"{label}\n{size}", wrap)
        share = grid.measure.startswith("share_")
        for r, (path_, depth) in enumerate(grid.rows):
            sheet.write(4 + r, 0, ("  " * depth) + (path_ if not depth
                                                    else path_.rsplit("/", 1)[-1]),
                        bold if not depth else None)
            for c, key in enumerate(grid.keys, start=1):
                value = grid.value(r, key, grid.measure)
                if value is None:
                    sheet.write(4 + r, c, "–")
                else:
                    sheet.write_number(4 + r, c, value, pct if share else None)
        last = 4 + len(grid.rows) - 1
        if grid.rows:
            sheet.conditional_format(4, 1, last, len(grid.columns), {
                "type": "2_color_scale", "min_color": "#F4F8FC", "max_color": "#5B8FD0"})
        sheet.write(last + 2, 0, grid.note)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)  # printed: every column on one page width
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, len(grid.columns), 14)
        sheet.set_row(3, 30)
        long = book.add_worksheet("long")
        header = (["code", "column", "measure", "value"] if grid.kind == "matrix"
                  else ["code_a", "code_b", "measure", "value"])
        for c, name in enumerate(header):
            long.write(0, c, name, bold)
        for r, row in enumerate(long_rows(grid), start=1):
            for c, value in enumerate(row):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    long.write_number(r, c, value)
                else:
                    long.write_string(r, c, neutralise(value))
        book.close()


def write_grid(grid: Grid, fmt: str, output: Path) -> None:
    """Write one format to a file, atomically."""
    from casecoder.export.atomic import atomic_path

    if fmt == "xlsx":
        write_xlsx(grid, output)
        return
    text = {"json": lambda: json.dumps(grid_json(grid), ensure_ascii=False, indent=2) + "\n",
            "csv": lambda: csv_text(grid), "md": lambda: markdown_text(grid),
            "html": lambda: html_text(grid)}[fmt]()
    with atomic_path(output) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")


def format_of(output: Path | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    if output is None:
        return "table"
    found = FILE_FORMATS.get(output.suffix.lower())
    if found is None:
        raise UserError(f"cannot tell the format from {output.name!r}; use --format "
                        f"({'|'.join(FORMATS[1:])})")
    return found
