"""Reviewing inter-coder agreement: figures per code, then the disagreements one by one.

`AgreementScreen` shows the per-code figures of `casecoder agreement` (sortable), and enter on a
code opens `ReviewScreen`: one document at a time, each unit with the two coders' codes side by
side and the consensus coder's, jumping between disagreements with n / N and deciding each
with a (take A), b (take B), o (both), x (neither). Decisions go through
`casecoder.analysis.agreement.Reconciliation`, which writes them with the Project API; this
module only shows and dispatches. Works standalone (push it from any App) or from the workbench.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from casecoder.analysis.report import TENTATIVE, level
from casecoder.errors import UserError
from casecoder.tui.keymap import bindings

STAT_COLUMNS = (("percent_agreement", "Agree"), ("cohen_kappa", "Cohen κ"),
                ("scott_pi", "Scott π"), ("fleiss_kappa", "Fleiss κ"),
                ("krippendorff_alpha", "α"), ("gwet_ac1", "AC1"),
                ("brennan_prediger", "B-P"))
LEVEL_STYLES = {"poor": "bold red", "tentative": "yellow"}
REVIEW_UNITS = ("sentence", "turn", "paragraph")


def _middle_cut(path: str, width: int) -> str:
    """'alliance-links/alliance-st…long-term-anchoring': the start and the end of a path."""
    if len(path) <= width:
        return path
    tail = (width - 1) // 2 + (width - 1) % 2
    return path[:width - 1 - tail] + "…" + path[-tail:]


def _figure_text(value: float | None, key: str) -> Text:
    if value is None:
        return Text("n/a", style="dim")
    shown = round(value, 3) or 0.0
    return Text(f"{shown:.3f}", style=LEVEL_STYLES.get(level(key, value), ""))


def _code_names(paths: Sequence[str], focus: str | None) -> Text:
    """Codes as their last path part, the code under review in bold."""
    text = Text()
    for i, path in enumerate(paths):
        if i:
            text.append("; ")
        text.append(path.rsplit("/", 1)[-1], style="bold reverse" if path == focus else "")
    return text


class AgreementScreen(Screen[None]):
    """Agreement per code for two coders, and the way into reconciling their disagreements."""

    DEFAULT_CSS = """
    AgreementScreen #agreement-title, ReviewScreen #review-title {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    AgreementScreen #agreement-summary {
        height: auto;
        max-height: 8;
        padding: 0 1;
        color: $text-muted;
    }
    AgreementScreen #agreement-codes, ReviewScreen #review-units {
        height: 1fr;
        border: round $primary 50%;
    }
    AgreementScreen #agreement-codes:focus, ReviewScreen #review-units:focus {
        border: round $primary;
    }
    ReviewScreen #review-detail {
        height: auto;
        max-height: 10;
        padding: 0 1;
        border-top: solid $primary 30%;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("agreement")
    #: Above this many codings in the project, the figures are computed in a thread worker.
    THREAD_ABOVE = 20_000

    def __init__(self, project: Any, *, coders: Sequence[str] | None = None,
                 unit: str = "sentence", consensus: str = "consensus") -> None:
        super().__init__()
        self.project = project
        self.coders = list(coders) if coders else None
        self.unit = unit
        self.consensus = consensus
        self.data: Any = None
        self.report: Any = None
        self.reconciliation: Any = None
        self.error = ""
        self.computing = False
        self._token = -1
        self.sort_key = "code"
        self.sort_reverse = False
        self._columns: list[tuple[str, str]] = []

    # --- layout and loading --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="agreement-title")
        yield Static(id="agreement-summary")
        table: DataTable[Any] = DataTable(id="agreement-codes", cursor_type="row",
                                          zebra_stripes=True)
        table.border_title = "Per code"
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        """Back from the review, or pushed again by the workbench: update if anything changed.

        The event log says which documents changed since the figures were computed; when
        only compared documents did, only their units are looked at again
        (`update_documents`), otherwise everything is built afresh. Coming back from a
        prompt costs one query.
        """
        if self.is_mounted and self._state() != self._token:
            self.load(incremental=True)

    def _state(self) -> int:
        return int(self.project.latest_event_id())

    def on_unmount(self) -> None:
        if self.reconciliation is not None:
            self.reconciliation.close()

    def default_coders(self) -> list[str]:
        """The first two coders (by name) with codings, leaving out consensus coders."""
        coded = [c for c in self.project.coders_with_codings() if c != self.consensus]
        return coded[:2]

    def load(self, *, incremental: bool = False) -> None:
        """(Re)compute the figures and the reconciliation state; errors become the summary.

        Small projects are computed on the spot. Above `THREAD_ABOVE` codings the work runs in
        a thread worker on its own read-only connection, and the screen stays usable (with
        the previous figures, marked as being updated) until the results are handed back.
        """
        changed: set[int] | None = None
        if incremental and self.data is not None:
            docs, wide = self.project.documents_changed_since(self._token)
            changed = None if wide else docs
        self._token = self._state()
        coders = self.coders or self.default_coders()
        previous = self.data if changed is not None else None
        if self.project.codings_count() <= self.THREAD_ABOVE:
            self._apply(*self._compute(self.project, coders, previous, changed))
            return
        self.computing = True
        self.show_summary()
        path, name, unit, consensus = self.project.path, self.project.name, self.unit, \
            self.consensus

        def work() -> tuple[Any, Any, Any, str]:
            from casecoder.project import Project

            reader = Project.open_read_only(path)
            try:
                result = self._compute(reader, coders, previous, changed, name=name,
                                       unit=unit, consensus=consensus)
                if result[2] is not None:
                    result[2].project = None  # handed to the screen's own handle after
                return result
            finally:
                reader.close()

        self.run_worker(work, thread=True, exclusive=True, group="agreement",
                        name="agreement", description="agreement figures")

    def _compute(self, project: Any, coders: Sequence[str], previous: Any,
                 changed: set[int] | None, *, name: str | None = None,
                 unit: str | None = None, consensus: str | None = None
                 ) -> tuple[Any, Any, Any, str]:
        """Data, report and reconciliation over one project handle (any thread's own)."""
        from casecoder.analysis.agreement import (
            Reconciliation,
            build_agreement_data,
            compute_agreement,
            update_documents,
        )

        unit = unit or self.unit
        try:
            data = previous
            if data is None or changed is None or not update_documents(project, data, changed):
                data = build_agreement_data(project, coders=coders, unit=unit)
            report = compute_agreement(data, project_name=name or project.name)
            rec = Reconciliation(project, data, consensus or self.consensus)
        except UserError as exc:
            return None, None, None, str(exc)
        return data, report, rec, ""

    def _apply(self, data: Any, report: Any, rec: Any, error: str) -> None:
        if rec is not None:
            rec.project = self.project
            data.texts.rebind(self.project)
        self.data, self.report, self.reconciliation, self.error = data, report, rec, error
        self.computing = False
        self.fill_table()
        self.show_summary()

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "agreement" or event.worker.is_cancelled:
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self._apply(*event.worker.result)
        elif event.state == WorkerState.ERROR:
            self._apply(None, None, None, f"the figures could not be computed: "
                                          f"{event.worker.error}")

    def show_summary(self) -> None:
        title = Text.assemble(("Agreement", "bold"))
        summary = Text()
        if self.computing and self.report is None:
            summary.append("computing the figures… (esc goes back meanwhile)", style="italic")
        elif self.error or self.report is None:
            summary.append(self.error or "nothing to compare", style="bold red")
            summary.append("\no chooses the coders, u the unit.")
        else:
            report, rec = self.report, self.reconciliation
            title.append(f" · A: {rec.coder_a} · B: {rec.coder_b} · {report.unit} · "
                         f"{report.n_units:,} units in {len(report.documents)} documents · "
                         f"data {report.data_hash}")
            if self.computing:
                title.append(" · updating…", style="italic")
            for row in report.overall_rows:
                summary.append(f"{row.label} ({row.method}): ", style="bold")
                for key, label in (("percent_agreement", "agree"), ("cohen_kappa", "κ"),
                                   ("krippendorff_alpha", "α")):
                    summary.append(f"{label} ")
                    summary.append_text(_figure_text(row.figures[key].value, key))
                    summary.append("  ")
                summary.append("\n")
            summary.append(f"Reconciled into {rec.consensus!r}: ", style="bold")
            summary.append(f"{rec.done} / {rec.total} disagreements resolved")
            if report.unused_codes:
                summary.append(f"\n{len(report.unused_codes)} codes nobody used count as "
                               "agreement in the pooled figures (casecoder agreement "
                               "--used-codes-only leaves them out)", style="yellow")
            if report.left_out:
                summary.append(f"\n{len(report.left_out)} documents left out: "
                               + "; ".join(f"{x.name} ({x.reason})"
                                           for x in report.left_out[:3])
                               + (" …" if len(report.left_out) > 3 else ""), style="dim")
            summary.append(f"\nyellow below {TENTATIVE:.3f}, red below 0.400 (chance-corrected "
                           "figures); n/a = undefined, e.g. a code nobody used", style="dim")
        self.query_one("#agreement-title", Static).update(title)
        self.query_one("#agreement-summary", Static).update(summary)

    # --- the table -----------------------------------------------------------------------

    def columns(self) -> list[tuple[str, str]]:
        if self.reconciliation is None:
            return [("code", "Code")]
        rec = self.reconciliation
        return [("code", "Code"), ("units", "Units"), ("differ", "Differ"),
                ("resolved", "Resolved"), ("a", rec.coder_a), ("b", rec.coder_b),
                *STAT_COLUMNS]

    def resolved_by_code(self) -> dict[int, int]:
        rec = self.reconciliation
        counts: dict[int, int] = {}
        for item in rec.resolved:
            counts[item.code_id] = counts.get(item.code_id, 0) + 1
        return counts

    def _sort_value(self, row: Any, resolved: dict[int, int]) -> tuple[int, Any]:
        key = self.sort_key
        rec = self.reconciliation
        code_id = self.code_ids[row.label]
        values: dict[str, Any] = {
            "code": row.label.casefold(), "units": row.n_units, "differ": row.disagreements,
            "resolved": resolved.get(code_id, 0),
            "a": row.coded[rec.coder_a], "b": row.coded[rec.coder_b]}
        if key in values:
            return (0, values[key])
        value = row.figures[key].value
        return (0, value) if value is not None else (1, 0)  # n/a last either way

    @property
    def code_ids(self) -> dict[str, int]:
        return {c.path: c.id for c in self.data.codes} if self.data is not None else {}

    def fill_table(self, *, at_top: bool = False) -> None:
        """The per-code table; `at_top` (after a sort) puts the cursor on the first row."""
        table = self.query_one(DataTable)
        previous = self.highlighted_code()
        table.clear(columns=True)
        self._columns = self.columns()
        headers = [label + ((" ▼" if self.sort_reverse else " ▲") if key == self.sort_key
                            else "") for key, label in self._columns]
        if self.report is None:
            for (key, _), header in zip(self._columns, headers, strict=True):
                table.add_column(header, key=key, width=len(header))
            return
        resolved = self.resolved_by_code()
        ordered = sorted(self.report.code_rows, key=lambda r: self._sort_value(r, resolved))
        if self.sort_reverse:  # reverse the values, keep n/a at the bottom
            defined = [r for r in ordered if self._sort_value(r, resolved)[0] == 0]
            ordered = defined[::-1] + [r for r in ordered if r not in defined]
        rec = self.reconciliation
        rows: list[tuple[str, list[Any]]] = []
        for row in ordered:
            code_id = self.code_ids[row.label]
            cells: list[Any] = [
                Text(row.label, no_wrap=True, overflow="ellipsis"), f"{row.n_units:,}",
                f"{row.disagreements:,}",
                f"{resolved.get(code_id, 0)}/{row.disagreements}",
                f"{row.coded[rec.coder_a]:,}", f"{row.coded[rec.coder_b]:,}"]
            cells += [_figure_text(row.figures[k].value, k) for k, _ in STAT_COLUMNS]
            rows.append((row.label, cells))
        # Fixed widths from the content: DataTable caches cells rendered before its own
        # width pass (on idle), which left auto-width columns at the width of their header.
        widths = [max([len(header), *(len(str(cells[index])) for _, cells in rows)])
                  for index, header in enumerate(headers)]
        shown = self._fitting(widths)
        for index in shown:
            table.add_column(headers[index], key=self._columns[index][0], width=widths[index])
        room = widths[0]
        for label, cells in rows:
            if len(label) > room:  # keep the end of a path: it tells subcodes apart
                cells[0] = Text(_middle_cut(label, room), no_wrap=True)
            table.add_row(*[cells[i] for i in shown], key=label)
        if at_top:
            table.move_cursor(row=0)
            table.scroll_home(animate=False)
        elif previous is not None and previous in {r.label for r in ordered}:
            table.move_cursor(row=table.get_row_index(previous))

    #: Left out first when the table is wider than the screen (α and κ stay longest).
    DROP_ORDER = ("scott_pi", "fleiss_kappa", "brennan_prediger", "gwet_ac1", "units", "a",
                  "b", "percent_agreement")

    def _fitting(self, widths: list[int]) -> list[int]:
        """Indices of the columns that fit the screen; the code column gets room for its
        longest path when it can, else the path ends in "…" at no less than 20 cells."""
        keys = [k for k, _ in self._columns]
        room = max(40, (self.size.width or self.app.size.width) - 4)
        shown = list(range(len(keys)))

        def need() -> int:
            return sum(widths[i] + 2 for i in shown)  # DataTable pads each cell by one

        for key in self.DROP_ORDER:
            if need() <= room:
                break
            if key in keys and key != self.sort_key:
                shown.remove(keys.index(key))
        if need() > room and "code" in keys:
            code = keys.index("code")
            widths[code] = max(20, widths[code] - (need() - room))
        return shown

    def highlighted_code(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # no cursor yet
            return None
        return str(key.value) if key.value is not None else None

    @on(DataTable.HeaderSelected, "#agreement-codes")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        if key == self.sort_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = key, key not in ("code",)
        self.fill_table(at_top=True)

    def action_sort(self) -> None:
        keys = [k for k, _ in self._columns]
        if len(keys) < 2:
            return
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self.sort_reverse = self.sort_key != "code"  # biggest first, except names
        self.fill_table(at_top=True)
        self.notify(f"sorted by {dict(self._columns)[self.sort_key]}", timeout=2)

    def action_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.fill_table(at_top=True)

    def action_top(self, last: bool = False) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=table.row_count - 1 if last else 0, animate=False)

    # --- actions -------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#agreement-codes")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_review()

    def action_review(self) -> None:
        code = self.highlighted_code()
        if code is None or self.reconciliation is None:
            self.notify("no code to review", severity="warning")
            return
        rec = self.reconciliation
        code_id = self.code_ids[code]
        if not any(i.code_id == code_id for i in rec.items):
            self.notify(f"{rec.coder_a} and {rec.coder_b} agree everywhere on {code}",
                        timeout=3)
        self.app.push_screen(ReviewScreen(rec, code_id))

    def _prompt(self, title: str, value: str, check: Callable[[str], object],
                then: Callable[[str], None]) -> None:
        from casecoder.tui.screens.prompts import TextPrompt

        def answer(text: str | None) -> None:
            if text is not None:
                then(text.strip())

        self.app.push_screen(TextPrompt(title, value=value, check=check), answer)

    def action_coders(self) -> None:
        """Pick the pair to compare from the project's coders (every pair, current first)."""
        from itertools import combinations

        from casecoder.tui.screens.dialogs import ChoiceDialog

        current = tuple(self.data.coders) if self.data is not None else ()
        names = sorted(c.name for c in self.project.coders())
        pairs = list(combinations(names, 2))
        if len(pairs) < 1:
            self.notify("the project has fewer than two coders", severity="warning")
            return
        pairs.sort(key=lambda pair: set(pair) != set(current))
        labels = [f"{a}  ×  {b}" + ("   (now)" if set((a, b)) == set(current) else "")
                  for a, b in pairs]

        def chosen(index: int | None) -> None:
            if index is not None:
                self.coders = list(pairs[index])
                self.load()

        self.app.push_screen(ChoiceDialog("Compare which two coders?", labels), chosen)

    def action_unit(self) -> None:
        self.unit = REVIEW_UNITS[(REVIEW_UNITS.index(self.unit) + 1) % len(REVIEW_UNITS)] \
            if self.unit in REVIEW_UNITS else "sentence"
        self.load()
        self.notify(f"unit: {self.unit}", timeout=2)

    def action_consensus(self) -> None:
        compared = set(self.data.coders) if self.data is not None else set()

        def check(text: str) -> None:
            if not text.strip():
                raise UserError("the consensus coder needs a name")
            if text.strip() in compared:
                raise UserError(f"{text.strip()!r} is one of the compared coders")

        def apply(text: str) -> None:
            self.consensus = text
            if self.reconciliation is not None:
                self.reconciliation.set_consensus(text)
            self.fill_table()
            self.show_summary()

        self._prompt("Decisions go to which coder?", self.consensus, check, apply)

    def action_reload(self) -> None:
        self.load()

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


class ReviewScreen(Screen[None]):
    """One code's disagreements, document by document, decided into the consensus coder."""

    DEFAULT_CSS = AgreementScreen.DEFAULT_CSS
    # Undo is the workbench's own key (history.undo): a decision is an ordinary change.
    BINDINGS: ClassVar[list[BindingType]] = bindings("review", "history.undo")

    def __init__(self, reconciliation: Any, code_id: int, *, doc_index: int | None = None
                 ) -> None:
        super().__init__()
        self.rec = reconciliation
        self.data = reconciliation.data
        self.code = self.data.code_by_id(code_id)
        first = reconciliation.find((-1, -1), code_id=code_id, unresolved=True) \
            or reconciliation.find((-1, -1), code_id=code_id)
        self.doc_index = doc_index if doc_index is not None else (
            first.doc_index if first is not None else 0)
        self.start_local = first.local if first is not None and doc_index is None else 0
        self.pending: dict[tuple[int, int], str] = {}
        self._cells: dict[int, tuple[Any, ...]] = {}
        self._rows: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static(id="review-title")
        table: DataTable[Any] = DataTable(id="review-units", cursor_type="row")
        yield table
        yield Static(id="review-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.show_document(self.doc_index, self.start_local)
        self.query_one(DataTable).focus()

    # --- showing -------------------------------------------------------------------------

    @property
    def position(self) -> tuple[int, int]:
        return self.doc_index, self.query_one(DataTable).cursor_row

    def show_document(self, doc_index: int, local: int = 0) -> None:
        from casecoder.analysis.agreement import unit_rows

        self.doc_index = doc_index
        table = self.query_one(DataTable)
        table.clear(columns=True)
        labels = {"n": "#", "text": "Text", "a": f"A: {self.rec.coder_a}",
                  "b": f"B: {self.rec.coder_b}", "c": f"= {self.rec.consensus}", "s": ""}
        widths = {"n": max(3, len(str(len(self.data.doc_units(doc_index))))),
                  "a": 18, "b": 18, "c": 18, "s": 1}
        # The text gets what the codes leave: 2 cells of padding per column, border, scrollbar.
        spare = self.app.size.width - sum(widths.values()) - 2 * len(labels) - 4
        widths["text"] = max(24, spare)
        for key, label in labels.items():
            table.add_column(label, key=key, width=widths[key])  # fixed: see AgreementScreen
        self._rows = unit_rows(self.data, doc_index)
        self._cells = {}
        for local_index, cells in enumerate(self._row_cells()):
            table.add_row(*cells, key=str(local_index))
            self._cells[local_index] = cells
        if self._rows:
            table.move_cursor(row=min(local, len(self._rows) - 1), animate=False)
        self.show_title()
        self.show_detail()

    def _row_cells(self) -> list[tuple[Any, ...]]:
        text = self.data.texts[self.doc_index]
        presence = self.rec.consensus_presence(self.doc_index)
        order = list(self.data.codes)
        focus = self.code.path
        out = []
        for local, row in enumerate(self._rows):
            consensus = [c.path for c in order if presence[c.id][local]]
            item = self._item(local)
            differs = focus in row.differs
            status = Text("")
            if item is not None:
                status = Text("✓", style="green") if item in self.rec.resolved \
                    else Text("≠", style="bold red")
            snippet = " ".join(text[row.start:row.end].split())
            out.append((
                Text(str(row.number), style="bold" if differs else "dim"),
                Text(snippet, style="" if differs else "dim", no_wrap=True, overflow="ellipsis"),
                _code_names(row.codes[0], focus), _code_names(row.codes[1], focus),
                _code_names(consensus, focus), status))
        return out

    def refresh_rows(self) -> None:
        """Repaint the cells that changed after a decision (consensus codes and status)."""
        table = self.query_one(DataTable)
        for local, cells in enumerate(self._row_cells()):
            old = self._cells.get(local)
            if old is None:
                continue
            for column, index in (("c", 4), ("s", 5)):
                if str(old[index]) != str(cells[index]) or old[index].style != cells[index].style:
                    table.update_cell(str(local), column, cells[index])
            self._cells[local] = cells
        self.show_title()
        self.show_detail()

    def _item(self, local: int) -> Any:
        found = [i for i in self.rec.items_at(self.doc_index, local)
                 if i.code_id == self.code.id]
        return found[0] if found else None

    def show_title(self) -> None:
        doc = self.data.documents[self.doc_index]
        here = [i for i in self.rec.items if i.code_id == self.code.id]
        resolved = sum(1 for i in here if i in self.rec.resolved)
        title = Text.assemble(
            ("Review ", "bold"), ("■ ", self.code.color), (self.code.path, "bold"),
            f" · {doc.name} ({self.doc_index + 1}/{len(self.data.documents)}) · "
            f"{self.data.unit} · this code {resolved}/{len(here)} resolved · all codes "
            f"{self.rec.done}/{self.rec.total} resolved")
        self.query_one("#review-title", Static).update(title)

    def show_detail(self) -> None:
        table = self.query_one(DataTable)
        detail = Text()
        if not self._rows:
            detail.append("This document has no units.", style="italic")
        else:
            local = min(table.cursor_row, len(self._rows) - 1)
            row = self._rows[local]
            text = self.data.texts[self.doc_index][row.start:row.end]
            detail.append(f"{self.data.unit} {row.number}: ", style="bold")
            detail.append(" ".join(text.split()))
            for name, codes in ((self.rec.coder_a, row.codes[0]), (self.rec.coder_b,
                                                                   row.codes[1])):
                detail.append(f"\n{name}: ", style="bold")
                detail.append(", ".join(codes) or "—")
            item = self._item(local)
            if item is None:
                detail.append(f"\nBoth coders agree on {self.code.path} here.", style="dim")
            else:
                state = "resolved" if item in self.rec.resolved else "to decide"
                detail.append(f"\n{self.code.path}: coders differ ({state}). ", style="bold")
                detail.append("a take A · b take B · o both · x neither · m why", style="dim")
            memo = self.pending.get((self.doc_index, local))
            if memo:
                detail.append("\nwhy: ", style="bold")
                detail.append(memo, style="italic")
        self.query_one("#review-detail", Static).update(detail)

    @on(DataTable.RowHighlighted, "#review-units")
    def _highlighted(self) -> None:
        self.show_detail()

    # --- moving --------------------------------------------------------------------------

    def go(self, doc_index: int, local: int) -> None:
        if doc_index != self.doc_index:
            self.show_document(doc_index, local)
        else:
            self.query_one(DataTable).move_cursor(row=local, animate=False)
            self.show_detail()

    def action_next(self) -> None:
        self._jump(forward=True)

    def action_previous(self) -> None:
        self._jump(forward=False)

    def _jump(self, *, forward: bool, unresolved: bool = False) -> bool:
        item = self.rec.find(self.position, code_id=self.code.id, forward=forward,
                             unresolved=unresolved)
        if item is None:
            what = "unresolved disagreements" if unresolved else "disagreements"
            self.notify(f"no {what} on {self.code.path}", timeout=3)
            return False
        self.go(item.doc_index, item.local)
        return True

    def action_document(self, step: int) -> None:
        count = len(self.data.documents)
        self.show_document((self.doc_index + step) % count)

    # --- deciding ------------------------------------------------------------------------

    def action_decide(self, choice: str) -> None:
        local = self.query_one(DataTable).cursor_row
        item = self._item(local)
        if item is None:
            self.notify(f"the coders agree on {self.code.path} here; n jumps to the next "
                        "disagreement", severity="warning", timeout=3)
            return
        memo = self.pending.pop((self.doc_index, local), "")
        try:
            done = self.rec.decide(item, choice, memo)
        except UserError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(done, timeout=3, markup=False)
        self.refresh_rows()
        if self.rec.find(self.position, code_id=self.code.id, unresolved=True) is not None:
            self._jump(forward=True, unresolved=True)
        else:
            self.notify(f"every disagreement on {self.code.path} is resolved", timeout=4)

    def action_memo(self) -> None:
        from casecoder.tui.screens.prompts import TextPrompt

        key = (self.doc_index, self.query_one(DataTable).cursor_row)

        def answer(text: str | None) -> None:
            if text is None:
                return
            if text.strip():
                self.pending[key] = text.strip()
            else:
                self.pending.pop(key, None)
            self.show_detail()

        self.app.push_screen(TextPrompt("Why? (kept with the next decision on this unit)",
                                        value=self.pending.get(key, "")), answer)

    def action_undo(self) -> None:
        """The reviewer's ordinary undo (the same key as everywhere): the last decision."""
        try:
            summary = self.rec.undo()
        except UserError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self.notify(f"undone: {summary}", timeout=3, markup=False)
        self.refresh_rows()

    def action_transcript(self) -> None:
        open_location = getattr(self.app, "open_location", None)
        if not callable(open_location) or not self._rows:
            self.notify("the transcript opens from the workbench", severity="warning")
            return
        row = self._rows[self.query_one(DataTable).cursor_row]
        open_location(self.data.documents[self.doc_index].name, row.start, row.end)

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


__all__ = ["AgreementScreen", "ReviewScreen"]
