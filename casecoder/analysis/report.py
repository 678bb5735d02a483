"""Rendering an agreement report: a rich table for the terminal, Markdown, CSV, JSON and HTML.

Every format carries what a reader needs to judge a figure and trace it: coders, unit and
counts, compared and left-out documents, how missing data was handled, the definitions of the
statistics, and the data hash. Undefined figures are written "n/a" (JSON: null) together with
the reason, never as 0 or 1. Rendering is pure: it returns text, and the command decides where
it goes (stdout, or a file written atomically).
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from casecoder.analysis.agreement import (
    CHANCE_CORRECTED,
    AgreementReport,
    Disagreement,
    Figure,
    ResultRow,
)
from casecoder.export.cells import neutralise as safe_cell

__all__ = [
    "FORMATS",
    "LEGEND",
    "POOR",
    "TENTATIVE",
    "level",
    "print_disagreements",
    "print_report",
    "render_disagreements",
    "render_report",
    "report_data",
]

FORMATS = ("table", "md", "csv", "json", "html")
SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".csv": "csv", ".json": "json",
                  ".html": "html", ".htm": "html", ".txt": "table"}

# Krippendorff (2004, Content Analysis, 2nd ed., p. 241): rely on alpha >= .800, draw only
# tentative conclusions from .667 <= alpha < .800, discard data below .667. The red mark below
# .400 separates figures that are not merely weak but poor.
TENTATIVE = 0.667
POOR = 0.4
LEGEND = (f"Chance-corrected figures below {TENTATIVE:.3f} are marked yellow (Krippendorff's "
          f"lowest limit for even tentative conclusions) and below {POOR:.3f} red (poor "
          "agreement); percent agreement is not marked, since it ignores chance. "
          "n/a = undefined, with the reason listed.")

SHORT_LABELS = {
    "percent_agreement": "Agreement",
    "cohen_kappa": "Cohen κ",
    "scott_pi": "Scott π",
    "fleiss_kappa": "Fleiss κ",
    "krippendorff_alpha": "Kripp. α",
    "gwet_ac1": "Gwet AC1",
    "brennan_prediger": "Brennan-Prediger",
}
TERMINAL_LABELS = {**SHORT_LABELS, "percent_agreement": "Agree", "krippendorff_alpha": "α",
                   "gwet_ac1": "AC1", "brennan_prediger": "B-P"}
SECTIONS = (("overall_rows", "Overall"), ("code_rows", "Per code"),
            ("theme_rows", "Per theme (a unit is coded with a theme when any of its codes is)"),
            ("document_rows", "Per document (pooled over codes)"))


def level(key: str, value: float | None) -> str:
    """'poor', 'tentative' or '' for highlighting; only chance-corrected figures are judged."""
    if value is None or key not in CHANCE_CORRECTED:
        return ""
    value = round(value, 3)  # judged as printed: a kappa shown as 0.400 is not below 0.400
    if value < POOR:
        return "poor"
    if value < TENTATIVE:
        return "tentative"
    return ""


def format_figure(figure: Figure, *, with_ci: bool = True) -> str:
    text = figure.display(3)
    if with_ci and figure.ci is not None:
        text += f" [{figure.ci[0]:.2f}, {figure.ci[1]:.2f}]"
    return text


def _row_label(row: ResultRow) -> str:
    return f"{row.label} ({row.method})" if row.method and row.scope == "overall" else row.label


def _summary_lines(report: AgreementReport) -> list[tuple[str, str]]:
    """(label, text) pairs describing what was compared, shared by every format."""
    docs = ", ".join(f"{d.name} ({d.n_units})" for d in report.documents)
    left = "; ".join(f"{x.name}: {x.reason}" for x in report.left_out) or "none"
    lines = [
        ("Coders", ", ".join(report.coders)),
        ("Unit", f"{report.unit_description}; {_plural(report.n_units, 'unit')} in "
                 f"{_plural(len(report.documents), 'document')}"),
        ("Coded when", report.presence_rule),
        ("Documents compared (units)", docs),
        ("Documents left out", left),
        ("Codes", f"{_plural(len(report.codes), 'code')}, "
                  f"{_plural(len(report.themes), 'theme')}"),
        ("Missing data", report.missing_data),
    ]
    if report.unused_codes:
        lines.append(("Warning", unused_warning(report.unused_codes, len(report.codes))))
    if report.bootstrap:
        b = report.bootstrap
        names = ", ".join(SHORT_LABELS[k] for k in b["statistics"])
        lines.append(("Bootstrap", f"{b['confidence']:.0%} percentile intervals from "
                                   f"{b['resamples']} resamples over {b['over']}, seed "
                                   f"{b['seed']}, for {names}"))
    lines.append(("Data hash", f"{report.data_hash} (SHA-256 of coders, unit, overlap rule, "
                               "documents with their text hashes, codes and every compared "
                               "coding)"))
    return lines


def unused_warning(unused: Sequence[str], n_codes: int) -> str:
    """Why codes nobody used matter: they add units everyone "agrees" are absent."""
    return (f"{len(unused)} of {n_codes} compared codes were applied by no compared coder "
            f"({_list(list(unused))}); their units count as agreement that the code is absent, "
            "which inflates pooled percent agreement and Gwet's AC1 (and the mean over codes "
            "where defined). --used-codes-only leaves them out.")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _undefined(report: AgreementReport) -> list[tuple[str, str, list[str]]]:
    """Why figures are n/a: (statistic, reason, rows), one entry per statistic and reason."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for row in report.rows():
        for key, figure in row.figures.items():
            if figure.value is None:
                grouped.setdefault((key, figure.reason or "undefined"), []).append(
                    f"{row.scope} {_row_label(row)}")
    return [(key, reason, rows) for (key, reason), rows in grouped.items()]


def _columns(report: AgreementReport, *, coders: bool,
             terminal: bool = False) -> list[tuple[str, str]]:
    cols = [("label", "Label"), ("n_units", "Units"), ("disagreements", "Differ")]
    if coders:
        cols += [(f"coded:{name}", name if terminal else f"Coded by {name}")
                 for name in report.coders]
    labels = TERMINAL_LABELS if terminal else SHORT_LABELS
    return cols + [(key, labels[key]) for key, _ in report.statistics]


def _cell(row: ResultRow, column: str) -> str:
    if column == "label":
        return _row_label(row)
    if column == "n_units":
        return f"{row.n_units:,}"
    if column == "disagreements":
        return f"{row.disagreements:,}"
    if column.startswith("coded:"):
        return f"{row.coded[column[6:]]:,}"
    return format_figure(row.figures[column])


# ---------------------------------------------------------------------------------------------
# Terminal


# Dropped first when the terminal is too narrow for every column (figures are never cut).
# Units go late (the summary line gives the total), before the label could be split.
_DROP_ORDER = ("coded", "scott_pi", "fleiss_kappa", "brennan_prediger", "gwet_ac1",
               "n_units", "percent_agreement")
_LABEL_MIN = 14


def _cell_width(row: ResultRow, key: str) -> int:
    if key in row.figures:
        figure = row.figures[key]
        return max(len(figure.display(3)), 9 if figure.ci is not None else 0)
    return len(_cell(row, key))


def _label_width(rows: Sequence[ResultRow]) -> int:
    """Room for the longest word of any label: a code path must never be split."""
    words = [len(w) for r in rows for w in r.label.split()]
    return max(_LABEL_MIN, *words) if words else _LABEL_MIN


def _fit_columns(report: AgreementReport, width: int) -> tuple[list[tuple[str, str]], list[str]]:
    """The terminal columns that fit ``width`` without cutting a figure, and those left out."""
    columns = _columns(report, coders=len(report.coders) <= 3, terminal=True)
    rows = report.rows()

    widest = {key: max(len(header), *(_cell_width(r, key) for r in rows))
              for key, header in columns if key != "label"}  # once, not once per try
    label = _label_width(rows)

    def needed(cols: list[tuple[str, str]]) -> int:
        return label + sum(3 + widest[key] for key, _ in cols if key != "label")

    hidden: list[str] = []
    for group in _DROP_ORDER:
        if needed(columns) <= width:
            break
        keep = [(k, h) for k, h in columns
                if not (k == group or (group == "coded" and k.startswith("coded:")))]
        hidden += [h if not k.startswith("coded:") else f"coded by {h}"
                   for k, h in columns if (k, h) not in keep]
        columns = keep
    return columns, hidden


#: Sections with more rows than this (documents of a large project) are laid out as aligned
#: text lines rather than a rich Table, which measures and renders every cell on its own
#: (0.8 s for 1,000 documents); the figures and columns are the same.
LONG_SECTION = 100


def _plain_rows(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[ResultRow],
                width: int, styles: dict[str, str]) -> Any:
    """One long section as a rich Text of fixed-width lines (labels cut with … to fit)."""
    from rich.text import Text

    widths = {key: max(len(header), *(_cell_width(r, key) for r in rows))
              for key, header in columns if key != "label"}
    room = width - sum(w + 2 for w in widths.values())
    label_width = max(12, min(room, max(len(_cell(r, "label")) for r in rows)))
    out = Text(title + "\n", style="italic")

    def line(cells: Sequence[tuple[str, str, str]]) -> None:
        for index, (key, text, style) in enumerate(cells):
            if index:
                out.append("  ")
            if key == "label":
                shown = text if len(text) <= label_width else text[:label_width - 1] + "…"
                out.append(shown.ljust(label_width), style=style)
            else:
                out.append(text.rjust(widths[key]), style=style)
        out.append("\n")

    line([(key, header, "bold") for key, header in columns])
    out.append("─" * min(width, label_width + sum(w + 2 for w in widths.values())) + "\n")
    for row in rows:
        cells = []
        for key, _ in columns:
            if key in row.figures:
                figure = row.figures[key]
                style = "dim" if figure.value is None else styles.get(
                    level(key, figure.value), "")
                cells.append((key, figure.display(3), style))
            else:
                cells.append((key, _cell(row, key), ""))
        line(cells)
    out.rstrip()
    return out


def _rich_tables(report: AgreementReport, width: int = 200) -> tuple[list[Any], list[str]]:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    styles = {"poor": "bold red", "tentative": "yellow"}
    tables = []
    columns, hidden = _fit_columns(report, width)
    for attr, title in SECTIONS:
        rows: list[ResultRow] = getattr(report, attr)
        if not rows:
            continue
        if len(rows) > LONG_SECTION and not any(
                f.ci is not None for r in rows for f in r.figures.values()):
            tables.append(_plain_rows(title, columns, rows, width, styles))
            continue
        # A light box and no outer padding: thirteen columns must fit a 120-column terminal.
        table = Table(title=title, title_justify="left", header_style="bold",
                      box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for key, header in columns:
            if key == "label":  # wraps between words only: paths stay whole
                table.add_column(header, overflow="fold", min_width=_label_width(rows))
            else:  # a fixed width: rich need not measure a thousand cells per column
                fixed = max(len(header), *(_cell_width(r, key) for r in rows))
                table.add_column(header, justify="right", no_wrap=True, width=fixed)
        for row in rows:
            cells: list[Any] = []
            for key, _ in columns:
                if key in row.figures:
                    figure = row.figures[key]
                    style = "dim" if figure.value is None else styles.get(
                        level(key, figure.value), "")
                    cell = Text(figure.display(3), style=style)
                    if figure.ci is not None:  # on its own line, to keep the column narrow
                        cell.append(f"\n{figure.ci[0]:.2f}–{figure.ci[1]:.2f}", style="dim")
                    cells.append(cell)
                else:
                    text = _cell(row, key)
                    cells.append(Text(text))
            table.add_row(*cells)
        tables.append(table)
    return tables, hidden


def used_only(report: AgreementReport) -> tuple[AgreementReport, int]:
    """The report without the code and theme rows no compared coder applied, and how many
    rows that left out: a table of 1.000/n/a rows for unused codes hides the ones that
    matter. The overall figures are unchanged (they were computed over every code)."""
    def used(row: ResultRow) -> bool:
        return any(row.coded.values())

    codes = [r for r in report.code_rows if used(r)]
    themes = [r for r in report.theme_rows if used(r)]
    dropped = len(report.code_rows) - len(codes) + len(report.theme_rows) - len(themes)
    return replace(report, code_rows=codes, theme_rows=themes), dropped


def print_report(report: AgreementReport, console: Any, *, all_codes: bool = True) -> None:
    """The report as rich tables, with the description first and the legend last.

    With all_codes=False, codes and themes nobody used are left out of the tables (and
    counted in one line).
    """
    from rich.markup import escape

    unused = 0
    if not all_codes:
        report, unused = used_only(report)

    console.print(f"[bold]Inter-coder agreement[/bold] {escape(report.project)}")
    for label, text in _summary_lines(report):
        console.print(f"[bold]{escape(label)}:[/bold] {escape(text)}")
    tables, hidden = _rich_tables(report, console.width)
    for table in tables:
        console.print()
        console.print(table)
    if unused:
        console.print(f"Not shown: {unused} codes nobody applied (--all-codes).")
    if hidden:
        console.print(f"[yellow]Too narrow for every column: {escape(', '.join(hidden))} not "
                      "shown. Widen the window or use --format md, html, csv or json.[/yellow]")
    undefined = _undefined(report)
    if undefined:
        console.print()
        console.print("[bold]n/a[/bold]")
        for key, reason, rows in undefined:
            console.print(f"  {escape(SHORT_LABELS[key])}: {escape(reason)} "
                          f"({escape(_list(rows))})")
    console.print()
    console.print("[bold]Statistics[/bold]")
    for key, label in report.statistics:
        console.print(f"  {escape(label)}: {escape(report.definitions[key])}")
    console.print(f"[bold]Legend:[/bold] {escape(LEGEND)} Columns: Units = units rated by at "
                  "least 2 coders (unit x code decisions when pooled); Differ = units where "
                  "the coders differ; a coder's column = units they coded; Agree = percent "
                  "agreement; α = Krippendorff's alpha; B-P = Brennan-Prediger.")


def _list(items: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _plain_text(report: AgreementReport, width: int = 140) -> str:
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False,
                      soft_wrap=False)
    print_report(report, console)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Files


def report_data(report: AgreementReport) -> dict[str, Any]:
    """The report as plain JSON-ready data (undefined figures: null with the reason)."""
    data = asdict(report)
    data["legend"] = LEGEND
    data["thresholds"] = {"tentative": TENTATIVE, "poor": POOR}
    data["statistics"] = [{"key": k, "label": label} for k, label in report.statistics]
    for attr, _ in SECTIONS:
        for row in data[attr]:
            for figure in row["figures"].values():
                if figure["ci"] is not None:
                    figure["ci"] = list(figure["ci"])
    return data


def _csv(report: AgreementReport) -> str:
    columns = ["scope", "label", "method", "n_units", "disagreements", "all_coded"]
    columns += [f"coded_{name}" for name in report.coders]
    for key, _ in report.statistics:
        columns += [key, f"{key}_reason", f"{key}_ci_low", f"{key}_ci_high"]
    columns += ["unit", "data_hash"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in report.rows():
        # Labels are user text and are neutralised against spreadsheet formulas; numbers are
        # written as numbers, since a leading minus on a kappa is not a formula.
        values: list[Any] = [row.scope, safe_cell(row.label), row.method, row.n_units,
                             row.disagreements, row.all_coded]
        values += [row.coded[name] for name in report.coders]
        for key, _ in report.statistics:
            f = row.figures[key]
            values += ["" if f.value is None else repr(round(f.value, 6)), f.reason or "",
                       "" if f.ci is None else repr(round(f.ci[0], 6)),
                       "" if f.ci is None else repr(round(f.ci[1], 6))]
        values += [report.unit, report.data_hash]
        writer.writerow(values)
    return buffer.getvalue()


#: What Markdown (pandoc, CommonMark) acts on inside a line; "<" and "&" would let a
#: transcript's or a name's "<script>" or "<img onerror=...>" run when the report is rendered.
_MD_SPECIAL = "\\`*_{}[]<>|$~^@&"


def _md_escape(text: str) -> str:
    """Project text (names, codes, transcript text) that renders literally, HTML included."""
    text = " ".join(text.split("\n"))
    for char in _MD_SPECIAL:
        if char in text:
            text = text.replace(char, "\\" + char)
    return text


def _markdown(report: AgreementReport) -> str:
    out = [f"# Inter-coder agreement: {_md_escape(report.project)}", ""]
    out += [f"- **{label}:** {_md_escape(text)}" for label, text in _summary_lines(report)]
    out.append("")
    for attr, title in SECTIONS:
        rows: list[ResultRow] = getattr(report, attr)
        if not rows:
            continue
        cols = _columns(report, coders=True)
        out += [f"## {title}", "", "| " + " | ".join(h for _, h in cols) + " |",
                "|" + "|".join("---" if k == "label" else "---:" for k, _ in cols) + "|"]
        for row in rows:
            cells = []
            for key, _ in cols:
                text = _md_escape(_cell(row, key))
                if key in row.figures and level(key, row.figures[key].value):
                    text = f"**{text}**" if level(key, row.figures[key].value) == "poor" \
                        else f"*{text}*"
                cells.append(text)
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    undefined = _undefined(report)
    if undefined:
        out += ["## n/a (undefined figures)", ""]
        out += [f"- {SHORT_LABELS[k]}: {_md_escape(reason)} ({_md_escape(', '.join(rows))})"
                for k, reason, rows in undefined]
        out.append("")
    out += ["## Statistics", ""]
    out += [f"- **{label}:** {_md_escape(report.definitions[key])}"
            for key, label in report.statistics]
    out += ["", f"Legend: {LEGEND} In Markdown, *italic* marks below {TENTATIVE:.3f} and "
                f"**bold** below {POOR:.3f}.", "",
            f"casecoder {report.version}, data hash `{report.data_hash}`", ""]
    return "\n".join(out)


_CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.25em .5em}
td.num{text-align:right;font-variant-numeric:tabular-nums}.tentative{background:#fff3b0}
.poor{background:#f8c4c4;font-weight:bold}.na{color:#777}dt{font-weight:bold}"""


def _html(report: AgreementReport) -> str:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>Inter-coder agreement: {e(report.project)}</title>",
           f"<style>{_CSS}</style></head><body>",
           f"<h1>Inter-coder agreement: {e(report.project)}</h1>", "<dl>"]
    for label, text in _summary_lines(report):
        out.append(f"<dt>{e(label)}</dt><dd>{e(text)}</dd>")
    out.append("</dl>")
    for attr, title in SECTIONS:
        rows: list[ResultRow] = getattr(report, attr)
        if not rows:
            continue
        cols = _columns(report, coders=True)
        out.append(f"<h2>{e(title)}</h2><table><thead><tr>"
                   + "".join(f"<th>{e(h)}</th>" for _, h in cols) + "</tr></thead><tbody>")
        for row in rows:
            cells = []
            for key, _ in cols:
                classes = [] if key == "label" else ["num"]
                title_attr = ""
                if key in row.figures:
                    figure = row.figures[key]
                    if figure.value is None:
                        classes.append("na")
                        title_attr = f' title="{e(figure.reason or "")}"'
                    elif level(key, figure.value):
                        classes.append(level(key, figure.value))
                cls = f' class="{" ".join(classes)}"' if classes else ""
                cells.append(f"<td{cls}{title_attr}>{e(_cell(row, key))}</td>")
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
    undefined = _undefined(report)
    if undefined:
        out.append("<h2>n/a (undefined figures)</h2><ul>")
        out += [f"<li>{e(SHORT_LABELS[k])}: {e(reason)} ({e(', '.join(rows))})</li>"
                for k, reason, rows in undefined]
        out.append("</ul>")
    out.append("<h2>Statistics</h2><dl>")
    out += [f"<dt>{e(label)}</dt><dd>{e(report.definitions[key])}</dd>"
            for key, label in report.statistics]
    out.append(f"</dl><p>Legend: {e(LEGEND)}</p>")
    out.append(f"<p>casecoder {e(report.version)}, data hash <code>{e(report.data_hash)}"
               "</code></p></body></html>")
    return "\n".join(out) + "\n"


def render_report(report: AgreementReport, fmt: str) -> str:
    """The report as text in one of `FORMATS` ('table' gives the terminal layout, uncoloured)."""
    if fmt == "json":
        return json.dumps(report_data(report), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return _csv(report)
    if fmt == "md":
        return _markdown(report)
    if fmt == "html":
        return _html(report)
    if fmt == "table":
        return _plain_text(report)
    raise ValueError(f"unknown report format {fmt!r}")


# ---------------------------------------------------------------------------------------------
# Disagreement listings

DISAGREEMENT_COLUMNS = ("document", "unit", "number", "start", "end", "code", "coded_by",
                        "not_coded_by", "text")


def _disagreement_record(d: Disagreement) -> dict[str, Any]:
    return {"document": d.document, "unit": d.unit, "number": d.number, "start": d.start,
            "end": d.end, "code": d.code, "coded_by": list(d.coded_by),
            "not_coded_by": list(d.not_coded_by), "text": d.text}


def render_disagreements(rows: Sequence[Disagreement], fmt: str, *, data_hash: str = "") -> str:
    """Disagreements as JSON, CSV, Markdown, HTML or plain text (who coded what, and the text)."""
    records = [_disagreement_record(d) for d in rows]
    if fmt == "json":
        return json.dumps({"data_hash": data_hash, "disagreements": records},
                          ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(DISAGREEMENT_COLUMNS)
        for r in records:
            writer.writerow([safe_cell(", ".join(v)) if isinstance(v, list)
                             else v if isinstance(v, int) else safe_cell(v)
                             for v in (r[c] for c in DISAGREEMENT_COLUMNS)])
        return buffer.getvalue()
    if fmt == "md":
        out = ["| Document | Unit | Code | Coded by | Not coded by | Text |",
               "|---|---:|---|---|---|---|"]
        out += [f"| {_md_escape(d.document)} | {d.unit} {d.number} | {_md_escape(d.code)} | "
                f"{_md_escape(', '.join(d.coded_by))} | {_md_escape(', '.join(d.not_coded_by))} "
                f"| {_md_escape(d.text)} |" for d in rows]
        return "\n".join(out) + f"\n\n{len(rows)} disagreements; data hash `{data_hash}`\n"
    if fmt == "html":
        e = html.escape
        out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
               f"<title>Disagreements</title><style>{_CSS}</style></head><body>",
               "<h1>Disagreements</h1><table><thead><tr><th>Document</th><th>Unit</th>"
               "<th>Code</th><th>Coded by</th><th>Not coded by</th><th>Text</th></tr>"
               "</thead><tbody>"]
        out += [f"<tr><td>{e(d.document)}</td><td>{e(d.unit)} {d.number}</td><td>{e(d.code)}"
                f"</td><td>{e(', '.join(d.coded_by))}</td><td>{e(', '.join(d.not_coded_by))}"
                f"</td><td>{e(d.text)}</td></tr>" for d in rows]
        out.append(f"</tbody></table><p>{len(rows)} disagreements; data hash "
                   f"<code>{e(data_hash)}</code></p></body></html>")
        return "\n".join(out) + "\n"
    if fmt == "table":
        from rich.console import Console

        buffer = io.StringIO()
        print_disagreements(rows, Console(file=buffer, width=140, color_system=None),
                            data_hash=data_hash)
        return buffer.getvalue()
    raise ValueError(f"unknown listing format {fmt!r}")


def print_disagreements(rows: Sequence[Disagreement], console: Any, *, data_hash: str = "",
                        max_text: int = 400) -> None:
    """One block per disagreement: where, who coded it and who did not, then the text.

    Blocks rather than a table: the text is what the reconciliation meeting reads, and a
    six-column table leaves it a sliver of an 80-column terminal.
    """
    from rich.padding import Padding
    from rich.text import Text

    console.print(Text(f"{len(rows)} disagreements", style="bold"))
    for d in rows:
        text = d.text if len(d.text) <= max_text else d.text[: max_text - 1].rstrip() + "…"
        head = Text.assemble((d.document, "bold"), f" · {d.unit} {d.number} · ",
                             (d.code, "bold cyan"), "  coded by ",
                             (", ".join(d.coded_by), "green"), ", not by ",
                             (", ".join(d.not_coded_by), "red"))
        console.print()
        console.print(head)
        console.print(Padding(Text(" ".join(text.split())), (0, 0, 0, 2)))
    if data_hash:
        console.print()
        console.print(f"data hash {data_hash}")
