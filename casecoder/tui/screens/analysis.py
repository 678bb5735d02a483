"""The analysis screen (F8): matrix, co-occurrence and framework tabs over one analysis API.

Everything it shows comes from `casecoder.analysis` (the functions the CLI's `matrix`,
`cooccurrence` and `framework` commands use), so the screen and the exports agree. Cells are
shaded by their share of the table's largest value with an explicit foreground and
background (readable on dark and light themes) and a block glyph before the number, so the
shading reads without colour too; the number is always printed. Enter on a cell lists its
quotes (enter again opens the passage in the transcript, esc comes back); on the framework
tab enter edits the cell's summary, saved as it is typed (each save is an undoable change).
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from casecoder.errors import UserError
from casecoder.tui.keymap import bindings

TABS = ("matrix", "cooccurrence", "framework")
TAB_LABELS = {"matrix": "1 Matrix", "cooccurrence": "2 Co-occurrence", "framework": "3 Framework"}
MATRIX_MEASURES = ("codings", "passages", "documents", "informants", "cases",
                   "share_documents", "share_informants", "per_1000_words")
CO_UNITS = ("sentence", "turn", "paragraph", "document", "overlap")
CO_MEASURES = ("count", "jaccard")
SPECIAL_BY = ("document", "coder", "speaker")
GLYPHS = " ░▒▓█"
#: Background and matching foreground per heat level: explicit pairs, so both themes read.
HEAT = (("", ""), ("#0b1d33", "#dce9f7"), ("#0b1d33", "#a9c9ec"), ("#ffffff", "#4a7fc0"),
        ("#ffffff", "#1f4f8f"))
SAVE_DELAY = 0.6


def heat_text(shown: str, share: float | None) -> Text:
    """A cell: glyph + number, shaded by share (0..1) of the table's largest value."""
    if share is None or share <= 0:
        return Text(f"  {shown}", justify="right")
    level = min(4, 1 + int(share * 3.999))
    fg, bg = HEAT[level]
    return Text(f"{GLYPHS[level]} {shown}", style=f"{fg} on {bg}", justify="right")


class CellQuotes(Screen[None]):
    """The quotes behind one cell, with attribution; enter opens one in its transcript."""

    DEFAULT_CSS = """
    CellQuotes #cell-title { height: auto; padding: 0 1; background: $panel; }
    CellQuotes OptionList { height: 1fr; border: round $primary; }
    """
    BINDINGS: ClassVar[list[BindingType]] = bindings("analysis_quotes")

    def __init__(self, project: Any, title: str, guids: list[str]) -> None:
        super().__init__()
        self.project = project
        self.title_text = title
        self.codings = [project.coding(g) for g in guids[:2000]]
        self.total = len(guids)

    def compose(self) -> ComposeResult:
        more = f" (first {len(self.codings)})" if self.total > len(self.codings) else ""
        yield Static(Text.assemble((self.title_text, "bold"),
                                   f" · {self.total} quotes{more} · enter opens, esc back"),
                     id="cell-title")
        options: list[Option | None] = []
        attributes = self.project.all_attributes()
        for c in self.codings:
            sentence = self.project.segment_at(c.document_id, c.start)
            attrs = attributes.get(c.document, {})
            who = " · ".join(v for v in (attrs.get("role"), attrs.get("case_type"),
                                         sentence.speaker if sentence else None) if v)
            prompt = Text()
            prompt.append(c.code_path, style="bold")
            prompt.append(f"  {c.document}", style="dim")
            if sentence is not None:
                prompt.append(f" · sent. {sentence.number}", style="dim")
            if who:
                prompt.append(f"  {who}", style="italic")
            prompt.append(f"  {c.coder}\n", style="dim")
            prompt.append(" ".join(self.project.text(c.document_id)[c.start:c.end].split()))
            options.append(Option(prompt))
            options.append(None)
        yield OptionList(*options, id="cell-quotes")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    async def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        await self.action_open()

    async def action_open(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.codings):
            return
        coding = self.codings[index]
        open_location = getattr(self.app, "open_location", None)
        if callable(open_location):
            result = open_location(coding.document, coding.start, coding.end)
            if inspect.isawaitable(result):
                await result

    def action_close(self) -> None:
        self.app.pop_screen()


class SummaryEditor(ModalScreen[None]):
    """A framework cell's summary, saved as it is typed, with the cell's quotes beside it."""

    DEFAULT_CSS = """
    SummaryEditor { align: center middle; }
    SummaryEditor > Vertical { width: 96%; height: 90%; border: round $primary;
                               background: $surface; padding: 0 1; }
    SummaryEditor Horizontal { height: 1fr; }
    SummaryEditor TextArea { width: 1fr; }
    SummaryEditor VerticalScroll { width: 1fr; border-left: solid $primary 40%; padding: 0 1; }
    SummaryEditor .hint { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = bindings("analysis_summary")

    def __init__(self, project: Any, row: str, row_kind: str, code: Any, text: str,
                 quotes: list[Text]) -> None:
        super().__init__()
        self.project = project
        self.row, self.row_kind, self.code = row, row_kind, code
        self.saved_text = text
        self.quotes = quotes
        self._timer: Any = None
        self.status = Static("saved", classes="hint")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text.assemble(("Framework summary: ", "bold"), f"{self.row} x "
                                       f"{self.code.path}"))
            with Horizontal():
                yield TextArea(self.saved_text, id="summary-text")
                with VerticalScroll():
                    for quote in self.quotes or [Text("no quotes in this cell", "italic")]:
                        yield Static(quote)
            yield self.status

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @on(TextArea.Changed)
    def _changed(self, _: TextArea.Changed) -> None:
        self.status.update("typing…")
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SAVE_DELAY, self.save)

    def save(self) -> None:
        text = self.query_one(TextArea).text
        if text.strip() == self.saved_text.strip():
            self.status.update("saved")
            return
        try:
            self.project.set_framework_summary(self.row, self.code, text, row_kind=self.row_kind)
        except UserError as exc:
            self.status.update(Text(str(exc), style="bold red"))
            return
        self.saved_text = text
        self.status.update("saved · esc closes · ctrl+z on the analysis screen undoes")

    def action_close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.save()
        self.dismiss(None)


class AnalysisScreen(Screen[None]):
    """Matrix, co-occurrence and framework tabs (F8)."""

    DEFAULT_CSS = """
    AnalysisScreen #analysis-tabs { height: 1; padding: 0 1; background: $panel; }
    AnalysisScreen #analysis-info { height: auto; max-height: 3; padding: 0 1;
                                    color: $text-muted; }
    AnalysisScreen #analysis-table { height: 1fr; border: round $primary 50%; }
    AnalysisScreen #analysis-table:focus { border: round $primary; }
    """
    BINDINGS: ClassVar[list[BindingType]] = bindings("analysis")

    def __init__(self, project: Any, *, tab: str = "matrix", by: str | None = None) -> None:
        super().__init__()
        self.project = project
        self.tab = tab
        self.by = by
        self.measure = "codings"
        self.co_measure = "count"
        self.unit = "sentence"
        self.sort_column: str | None = None  # None: codebook order
        self.sort_reverse = True
        self.data: Any = None
        self.grid: Any = None
        self.framework: Any = None
        self.row_order: list[int] = []
        self._token = -1

    def compose(self) -> ComposeResult:
        yield Static(id="analysis-tabs")
        yield Static(id="analysis-info")
        yield DataTable(id="analysis-table", zebra_stripes=False, cursor_type="cell")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#analysis-info", Static).update(Text("reading the project…",
                                                             style="italic"))
        self.query_one(DataTable).focus()
        self.call_after_refresh(self.reload)  # the first frame first, then the reading

    def on_screen_resume(self) -> None:
        if self.is_mounted and self._state() != self._token:
            self.reload()

    def _state(self) -> int:
        events = self.project.history(limit=1)
        return events[0].id if events else 0

    # --- computing -----------------------------------------------------------------------

    def by_choices(self) -> list[str]:
        names = self.data.attribute_names() if self.data else []
        preferred = [n for n in ("case_type", "role") if n in names]
        return preferred + [n for n in names if n not in preferred] + list(SPECIAL_BY)

    def reload(self) -> None:
        """Read the project again, in a thread with its own read-only connection.

        Reading 100,000 codings takes longer than a frame, so the screen opens at once and
        the table follows; the app's own connection stays on the app's thread.
        """
        self._token = self._state()
        self.query_one(DataTable).loading = True
        self._read(self.project.path)

    @work(thread=True, exclusive=True, group="analysis-read")
    def _read(self, path: Any) -> None:
        from casecoder.analysis.data import load_analysis_data
        from casecoder.project import Project

        try:
            with Project.open_read_only(path) as reader:
                data = load_analysis_data(reader)
                data.unit_table(self.unit)  # the co-occurrence tab's units, while here
        except UserError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._loaded, data)

    def _failed(self, message: str) -> None:
        self._done_loading()
        self.fill(message)

    def _done_loading(self) -> None:
        """The table takes its keys again: while loading it is disabled, and the footer
        (drawn then from the screen's keys alone) would otherwise keep that order."""
        self.query_one(DataTable).loading = False
        self.refresh_bindings()

    def _loaded(self, data: Any) -> None:
        data.project = self.project  # later reads (GUIDs, texts) use the app's connection
        self.data = data
        self._done_loading()
        if self.by is None:
            self.by = self.by_choices()[0]
        self.compute()

    def compute(self) -> None:
        from casecoder.analysis.cooccurrence import build_cooccurrence
        from casecoder.analysis.framework import build_framework
        from casecoder.analysis.matrix import build_matrix
        from casecoder.export.analysis import cooccurrence_grid, matrix_grid

        if self.data is None:
            return  # still reading; the table follows when the reading is done
        self.grid = self.framework = None
        error = ""
        try:
            if self.tab == "matrix":
                matrix = build_matrix(self.data, by=self.by or "document")
                self.grid = matrix_grid(matrix, self.measure, self.project.name)
            elif self.tab == "cooccurrence":
                co = build_cooccurrence(self.data, unit=self.unit)
                self.grid = cooccurrence_grid(co, self.co_measure, self.project.name)
            else:
                self.framework = build_framework(self.project)
        except UserError as exc:
            error = str(exc)
        self.fill(error)

    # --- showing -------------------------------------------------------------------------

    def _tabs_line(self) -> Text:
        line = Text()
        for tab in TABS:
            label = f" {TAB_LABELS[tab]} "
            line.append(label, style="bold reverse" if tab == self.tab else "")
            line.append(" ")
        return line

    def fill(self, error: str = "") -> None:
        self.query_one("#analysis-tabs", Static).update(self._tabs_line())
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.fixed_columns = 1  # the code stays in view when the columns scroll
        info = Text()
        if error:
            info.append(error, style="bold red")
        elif self.grid is not None:
            self._fill_grid(table, info)
        elif self.framework is not None:
            self._fill_framework(table, info)
        self.query_one("#analysis-info", Static).update(info)

    def _fill_grid(self, table: DataTable[Any], info: Text) -> None:
        from casecoder.export.analysis import fmt_value

        grid = self.grid
        if grid.kind == "matrix":
            info.append(f"by {self.by}", style="bold")
            info.append(f" · {grid.measure.replace('_', ' ')}", style="bold")
            info.append("  (b attribute, m measure, s sort, r order; columns: n documents d /"
                        " informants i)\n")
        else:
            info.append(f"unit {self.unit} · {self.co_measure}", style="bold")
            info.append("  (u unit, m measure, s sort, r order; columns: units with the code)\n")
        info.append(grid.selection)
        table.header_height = 2
        width = max(12, min(26, max((len(p.rsplit("/", 1)[-1]) + 2 * d
                                     for p, d in grid.rows), default=12)))
        table.add_column("code", key="code", width=width)
        for c, (key, label, _size) in enumerate(grid.columns):
            if grid.kind == "matrix":
                column = grid.result.columns[c] if c < len(grid.result.columns) else \
                    grid.result.total_column
                size = f"{column.n_documents}d/{column.n_informants}i"
                short = label
            else:
                size = f"{grid.result.occurrences[c]}"
                short = label.rsplit("/", 1)[-1]
            table.add_column(Text(f"{short[:10]}\n{size}", justify="right"), key=key,
                             width=10)
        heat_values = [grid.value(r, k, grid.heat_measure) for r in range(len(grid.rows))
                       for k in grid.keys if k != "(total)"]
        top = max((v for v in heat_values if v is not None), default=0) or 0
        order = list(range(len(grid.rows)))
        if self.sort_column is not None and self.sort_column in grid.keys:
            order.sort(key=lambda r: (grid.value(r, self.sort_column, grid.measure) or -1),
                       reverse=self.sort_reverse)
        self.row_order = order
        for r in order:
            path, depth = grid.rows[r]
            label = Text("  " * depth + path.rsplit("/", 1)[-1] if depth else path,
                         style="" if depth else "bold")
            cells: list[Any] = [label]
            for k in grid.keys:
                value = grid.value(r, k, grid.measure)
                heat = grid.value(r, k, grid.heat_measure)
                share = None if heat is None or not top or k == "(total)" else heat / top
                cells.append(heat_text(fmt_value(value, grid.measure), share))
            table.add_row(*cells, key=str(r))

    def _fill_framework(self, table: DataTable[Any], info: Text) -> None:
        fw = self.framework
        info.append("cases x themes", style="bold")
        info.append("  (enter edits the summary, saved as you type; ctrl+z undoes)\n")
        info.append("each cell: quotes behind it, then the summary")
        if not fw.rows:
            info.append(" · no cases yet: put documents in cases (documents screen, c)",
                        style="italic")
        table.header_height = 1
        table.add_column("case", key="row")
        for code in fw.codes:
            table.add_column(code.path[:20], key=str(code.id), width=28)
        for row in fw.rows:
            cells: list[Any] = [Text(row.name, style="bold")]
            for code in fw.codes:
                text = " ".join(fw.cell_text(row.name, code.id).split())
                cell = Text(f"{fw.count(row.name, code.id):>3} ", style="dim")
                cell.append(text[:24] + ("…" if len(text) > 24 else ""))
                cells.append(cell)
            table.add_row(*cells, key=row.name)
        self.row_order = list(range(len(fw.rows)))

    # --- keys ----------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        self.tab = tab
        self.sort_column = None
        self.compute()

    def action_next_tab(self) -> None:
        self.action_tab(TABS[(TABS.index(self.tab) + 1) % len(TABS)])

    def action_measure(self) -> None:
        if self.tab == "matrix":
            self.measure = MATRIX_MEASURES[(MATRIX_MEASURES.index(self.measure) + 1)
                                           % len(MATRIX_MEASURES)]
        elif self.tab == "cooccurrence":
            self.co_measure = CO_MEASURES[(CO_MEASURES.index(self.co_measure) + 1) % 2]
        self.compute()

    def action_by(self) -> None:
        if self.tab != "matrix":
            return
        choices = self.by_choices()
        self.by = choices[(choices.index(self.by) + 1) % len(choices)] if self.by in choices \
            else choices[0]
        self.sort_column = None
        self.compute()

    def action_unit(self) -> None:
        if self.tab == "cooccurrence":
            self.unit = CO_UNITS[(CO_UNITS.index(self.unit) + 1) % len(CO_UNITS)]
            self.compute()

    def _cursor(self) -> tuple[int | None, str | None]:
        """(row index into the result, column key) under the cursor; column None = label."""
        table = self.query_one(DataTable)
        coordinate = table.cursor_coordinate
        if not self.row_order or coordinate.row >= len(self.row_order):
            return None, None
        row = self.row_order[coordinate.row]
        if self.grid is not None:
            keys = self.grid.keys
            column = keys[coordinate.column - 1] if 0 < coordinate.column <= len(keys) else None
            return row, column
        codes = self.framework.codes if self.framework else []
        if 0 < coordinate.column <= len(codes):
            return row, str(codes[coordinate.column - 1].id)
        return row, None

    def action_sort(self) -> None:
        _row, column = self._cursor()
        if self.grid is None or column is None:
            return
        if self.sort_column == column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, True
        self.fill()

    def action_codebook_order(self) -> None:
        self.sort_column = None
        self.fill()

    def action_drill(self) -> None:
        row, column = self._cursor()
        if row is None or column is None:
            return
        if self.framework is not None:
            self._edit_summary(row, int(column))
            return
        grid = self.grid
        if grid.kind == "matrix":
            guids = grid.result.guids(row, column)
            label = f"{grid.rows[row][0]} x {column}"
        else:
            pair = grid.result.pair(row, int(column))
            if pair is None:
                return
            guids = self._pair_guids(row, int(column), pair)
            label = f"{grid.rows[row][0]} with {grid.rows[int(column)][0]}"
        if not guids:
            self.notify("no quotes in this cell", severity="warning")
            return
        self.app.push_screen(CellQuotes(self.project, label, guids))

    def _pair_guids(self, a: int, b: int, pair: Any) -> list[str]:
        """Codings of either code that lie in the passages where the pair met."""
        data, rows = self.data, self.grid.result.rows
        codes = rows[a].code_ids | rows[b].code_ids
        wanted: dict[str, list[tuple[int, int]]] = {}
        for p in pair.passages:
            wanted.setdefault(p.document, []).append((p.start, p.end))
        out = []
        for i in range(len(data)):
            if data.code_ids[i] not in codes:
                continue
            spans = wanted.get(data.docs[data.doc_ids[i]].name)
            if not spans:
                continue
            if any(s == e == 0 or (data.starts[i] < e and data.ends[i] > s) for s, e in spans):
                out.append(data.guids[i])
        return out

    def _edit_summary(self, row: int, code_id: int) -> None:
        fw = self.framework
        frow = fw.rows[row]
        code = self.project.code(code_id)
        mine = [s for s in fw.summaries(frow.name, code_id) if s.coder == self.project.coder_name]
        quotes: list[Text] = []
        docs = set(frow.document_ids)
        for c in self.project.iter_codings(code=code):
            if c.document_id in docs and len(quotes) < 200:
                quote = Text(f"{c.document} · {c.coder}\n", style="dim")
                quote.append(" ".join(self.project.text(c.document_id)[c.start:c.end].split()))
                quotes.append(quote)
        self.app.push_screen(SummaryEditor(self.project, frow.name, fw.row_kind, code,
                                           mine[0].text if mine else "", quotes),
                             lambda _: self.compute())

    def action_undo(self) -> None:
        try:
            event = self.project.undo()
        except UserError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self.notify(f"undone: {event.summary}", markup=False)
        self.reload()

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
