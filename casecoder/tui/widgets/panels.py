"""The side panels of the coding screen: documents, codebook, what is at the cursor, quotes.

They are thin views: the screen hands them plain rows (documents with their share coded, codes
with counts, codings) and they only format. Option lists are fine here (tens or hundreds of
rows); the transcript is the only place where size needs special care.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from casecoder.model import Code, Coding


@dataclass(frozen=True)
class DocRow:
    id: int
    name: str
    case: str
    role: str
    share: float | None  # share of sentences coded by me; None while not yet counted
    done: bool


class DocumentList(OptionList):
    """Documents with case, role and how much of each the current coder has coded."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: list[DocRow] = []
        self.current: int | None = None

    def show(self, rows: Sequence[DocRow], current: int | None) -> None:
        self.rows = list(rows)
        self.current = current
        self.set_options([Option(self._prompt(r), id=str(r.id)) for r in self.rows])
        self._highlight_current()

    def set_current(self, current: int | None) -> None:
        old = self.current
        self.current = current
        for i, r in enumerate(self.rows):
            if r.id in (old, current):
                self.replace_option_prompt_at_index(i, self._prompt(r))
        self._highlight_current()

    def update_row(self, row: DocRow) -> None:
        for i, r in enumerate(self.rows):
            if r.id == row.id and r != row:
                self.rows[i] = row
                self.replace_option_prompt_at_index(i, self._prompt(row))

    def _highlight_current(self) -> None:
        for i, r in enumerate(self.rows):
            if r.id == self.current:
                self.highlighted = i

    def _prompt(self, r: DocRow) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("▸" if r.id == self.current else " ", style="bold")
        text.append("✓" if r.done else " ", style="bold green")
        text.append(r.name, style="bold" if r.id == self.current else "")
        share = "…" if r.share is None else f"{round(100 * r.share)}%"
        details = [share, *(d for d in (r.case, r.role) if d)]
        text.append("\n   ")
        text.append(" · ".join(details), style="dim")
        return text


class CodeFilter(Input):
    """Type to filter the codebook; down moves into the list, enter applies the first match."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("down", "into_list", "Codes", show=False)]

    def action_into_list(self) -> None:
        self.screen.query_one(CodeList).focus()


@dataclass(frozen=True)
class CodeRow:
    code: Code
    in_doc: int
    in_project: int


class CodeList(OptionList):
    """The codebook: swatch, shortcut, name (indented by depth), counts in document/project."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: list[CodeRow] = []
        self.shown_rows: list[CodeRow] = []
        self.query_text = ""
        self._counts_width: dict[bool, int] = {}  # widest count text, computed once per draw
        self._drawn_width = -1  # the width the rows were last laid out for

    def show(self, codes: Sequence[Code], in_doc: Mapping[int, int],
             in_project: Mapping[int, int]) -> None:
        keep = self.highlighted_code
        self.rows = [CodeRow(c, in_doc.get(c.id, 0), in_project.get(c.id, 0)) for c in codes]
        self._render_rows(keep)
        if not self.size.width:  # not laid out yet: draw again once the width is known
            self.call_after_refresh(self._redraw_if_resized)

    @staticmethod
    def _counts_text(row: CodeRow, both: bool) -> str:
        return f"{row.in_doc}/{row.in_project}" if both else str(row.in_doc)

    def update_counts(self, in_doc: Mapping[int, int], in_project: Mapping[int, int]) -> None:
        """New counts for the same codes: redraw only the rows whose counts changed."""
        old_width = max((len(f"{r.in_doc}/{r.in_project}") for r in self.rows), default=3)
        old_doc_width = max((len(str(r.in_doc)) for r in self.rows), default=1)
        changed: set[int] = set()
        for i, r in enumerate(self.rows):
            new = CodeRow(r.code, in_doc.get(r.code.id, 0), in_project.get(r.code.id, 0))
            if new != r:
                self.rows[i] = new
                changed.add(r.code.id)
        new_width = max((len(f"{r.in_doc}/{r.in_project}") for r in self.rows), default=3)
        new_doc_width = max((len(str(r.in_doc)) for r in self.rows), default=1)
        if new_width != old_width or new_doc_width != old_doc_width:
            self._render_rows(self.highlighted_code)
            return
        self._counts_width = {}
        by_id = {row.code.id: row for row in self.rows} if changed else {}
        for i, r in enumerate(self.shown_rows):
            if r.code.id in changed:
                fresh = by_id[r.code.id]
                self.shown_rows[i] = fresh
                self.replace_option_prompt_at_index(i, self._prompt(fresh))

    def filter(self, text: str) -> None:
        self.query_text = text.strip().casefold()
        self._render_rows(self.highlighted_code)

    def _matches(self, row: CodeRow) -> bool:
        q = self.query_text
        if not q:
            return True
        c = row.code
        return (q in c.path.casefold() or any(q in k.casefold() for k in c.keywords))

    def _render_rows(self, keep: Code | None) -> None:
        self.shown_rows = [r for r in self.rows if self._matches(r)]
        self._counts_width = {}
        self._drawn_width = self.scrollable_content_region.width
        self.set_options([Option(self._prompt(r), id=str(r.code.id)) for r in self.shown_rows])
        self.select_code(keep.id if keep else None)

    def select_code(self, code_id: int | None) -> None:
        for i, r in enumerate(self.shown_rows):
            if r.code.id == code_id:
                self.highlighted = i
                return
        if self.shown_rows and self.highlighted is None:
            self.highlighted = 0

    @property
    def highlighted_code(self) -> Code | None:
        if self.highlighted is None or not 0 <= self.highlighted < len(self.shown_rows):
            return None
        return self.shown_rows[self.highlighted].code

    def on_resize(self, event: events.Resize) -> None:
        self._redraw_if_resized()

    def _redraw_if_resized(self) -> None:
        """Lay the rows out again only for a new width: with 10,000 codes each is costly."""
        if self.rows and self.scrollable_content_region.width != self._drawn_width:
            self._render_rows(self.highlighted_code)

    def on_key(self, event: events.Key) -> None:
        """Typing in the list filters it: the characters go to the filter field above."""
        if event.is_printable and event.character and event.character not in " ":
            event.stop()
            event.prevent_default()
            field = self.screen.query_one(CodeFilter)
            field.focus()
            field.insert_text_at_cursor(event.character)

    def _prompt(self, row: CodeRow) -> Text:
        c = row.code
        width = max(12, self.scrollable_content_region.width - 1)
        # Narrow: only the count in this document, so that names keep some room.
        both = width >= 22
        counts_width = self._counts_width.get(both)
        if counts_width is None:  # once per draw, not per row: 10,000 codes stay linear
            counts_width = self._counts_width[both] = max(
                (len(self._counts_text(r, both)) for r in self.rows), default=3)
        counts = self._counts_text(row, both).rjust(counts_width)
        depth = 0 if self.query_text else c.depth
        name = c.path if self.query_text else c.name
        prefix = f"{c.shortcut or ' '} " + "  " * depth
        budget = max(3, width - 2 - len(prefix) - counts_width - 1)
        name = short_name(name, budget)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("■ ", style=c.color)
        text.append(prefix, style="bold")
        text.append(name, style="" if c.codable else "italic")
        text.append(" " * max(1, budget - len(name) + 1))
        text.append(counts, style="dim")
        return text


def short_name(name: str, budget: int) -> str:
    """A code name in `budget` cells, keeping the part that tells codes apart.

    Names share their first words more often than their last ("leadership-priority",
    "leadership-support"), so earlier words are shortened to their first letter before the
    last word is cut: "l-priority", "l-support", "labour-market-relevance" -> "l-m-relevance".
    """
    if len(name) <= budget:
        return name
    parts = name.split("-")
    for i in range(len(parts) - 1):
        parts[i] = parts[i][:1]
        short = "-".join(parts)
        if len(short) <= budget:
            return short
    short = "-".join(parts)
    if len(short) <= budget:
        return short
    return short[:max(1, budget - 1)] + "…"


def _wrapped(text: str, width: int, *, indent: str = "", max_lines: int = 0) -> list[str]:
    lines = textwrap.wrap(" ".join(text.split()), max(8, width), initial_indent=indent,
                          subsequent_indent=" " * len(indent), break_long_words=True,
                          break_on_hyphens=False)
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:max(1, width - 1)].rstrip() + "…"
    return lines or [indent]


def _wrap_path(path: str, suffix: str, width: int) -> list[str]:
    """A code path wrapped after its slashes (never inside a name while a name fits)."""
    tokens = [part + "/" for part in path.split("/")[:-1]] + [path.split("/")[-1] + suffix]
    lines: list[str] = []
    line = ""
    for token in tokens:
        if line and len(line) + len(token) > width:
            lines.append(line)
            line = token
        else:
            line += token
    lines.append(line)
    return lines


def at_cursor_text(codings: Sequence[Coding], codes: Mapping[int, Code], me: str,
                   selection: tuple[int, int], sentences: tuple[int, int],
                   unit_label: str, max_lines: int = 10, width: int = 30) -> Text:
    """What is coded on the selection: code, coder, memo; or how to code it.

    Code paths and memos are wrapped to the panel's width, not cut (a memo up to three
    lines); one's own codings come first. At most `max_lines` lines, so that the panel
    keeps its height and moving the cursor never forces the screen to be laid out again.
    """
    text = Text(no_wrap=True, overflow="ellipsis")
    first, last = sentences
    where = f"sentence {first}" if first == last else f"sentences {first}-{last}"
    text.append(f"{unit_label} {where}", style="bold")
    chars = f" · {selection[1] - selection[0]} chars"
    text.append(chars if len(unit_label) + len(where) + len(chars) < width else
                f" · {selection[1] - selection[0]} ch", style="dim")
    if not codings:
        text.append("\nNo codes here.", style="dim")
        text.append("\n1-9 shortcut · c picker", style="dim")
        return text
    ordered = sorted(codings, key=lambda c: c.coder != me)
    lines = 1
    for i, c in enumerate(ordered):
        head = _wrap_path(c.code_path, f" · {'you' if c.coder == me else c.coder}", width - 2)
        memo = _wrapped(c.memo, width, indent="  ✎ ", max_lines=3) if c.memo else []
        rest = len(ordered) - i - 1
        if memo and lines + len(head) + len(memo) + (1 if rest else 0) > max_lines:
            memo = _wrapped(c.memo, width, indent="  ✎ ", max_lines=1)  # a memo gives way
        needed = len(head) + len(memo)
        if lines + needed + (1 if rest else 0) > max_lines:
            text.append(f"\n… and {len(ordered) - i} more (F3: quotes)", style="dim")
            break
        code = codes.get(c.code_id)
        text.append("\n")
        text.append("■ " if c.coder == me else "□ ", style=code.color if code else "")
        text.append(head[0])
        for line in head[1:]:
            text.append("\n  " + line)
        for line in memo:
            text.append("\n" + line, style="italic")
        lines += needed
    return text


class AtCursor(Static):
    """Codes on the current selection, with coder and memo (a fixed-height panel)."""

    def show(self, text: Text) -> None:
        self.update(text, layout=False)


class QuoteList(OptionList):
    """Codings of the selected code across the project; enter jumps to one.

    It is a quick look, so it holds the first LIMIT quotes (the quotes screen, F3, has them
    all). Each quote is wrapped in full (up to QUOTE_LINES lines) with its memo below, the
    wrapping done here so that the list never wraps text itself.
    """

    QUOTE_LINES = 8

    LIMIT = 40

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.codings: list[Coding] = []

    def show(self, codings: Sequence[Coding], texts: Mapping[str, str]) -> None:
        self.codings = list(codings[:self.LIMIT])
        width = max(12, self.scrollable_content_region.width - 1)
        options = []
        for c in self.codings:
            quote = " ".join(texts.get(c.document, "")[c.start:c.end].split())
            lines = textwrap.wrap(f"«{quote}»", width, max_lines=self.QUOTE_LINES,
                                  placeholder=" …»")
            prompt = Text(no_wrap=True, overflow="ellipsis")
            for line in textwrap.wrap(f"{c.document} {c.coder}", width,
                                      break_long_words=False, break_on_hyphens=False):
                prompt.append(line, style="bold")
                prompt.append("\n")
            prompt.append("\n".join(lines))
            if c.memo:
                for line in _wrapped(c.memo, width, indent="✎ ", max_lines=3):
                    prompt.append("\n" + line, style="italic dim")
            options.append(Option(prompt, id=c.guid))
        if len(codings) > self.LIMIT:
            options.append(Option(Text(f"… {len(codings) - self.LIMIT} more: F3 shows all",
                                       style="dim italic"), disabled=True))
        self.set_options(options)
        if self.codings:
            self.highlighted = 0
