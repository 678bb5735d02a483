"""The transcript: a virtual, soft-wrapped view of one document with coded spans marked.

One widget draws the whole document line by line (`render_line`), with a cache of drawn
lines; there is no widget per sentence, because thousands of widgets make a long interview
take seconds to open and every key press lag (see the engineering notes). The text is wrapped
here, once per width, into a table of display lines that maps every line back to text
offsets, so the cursor, the selection and every coding stay exact code-point offsets.

How codings look: your codings tint the background (overlapping codes layer like highlighter
pens), other coders' codings are underlined, and a margin on the right holds one coloured bar
per coding (thick: yours, dashed: others') so that overlapping codes stay distinguishable.
Tints are blends of the code colour with the theme's background, and the text keeps the
theme's own text colour, so text stays readable in dark and light themes alike.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from casecoder.model import Coding
from casecoder.tui.keymap import bindings
from casecoder.tui.textmodel import (
    DocModel,
    Layout,
    Marks,
    build_marks,
    update_marks,
    wrap_text,
)

TINT = 0.30  # share of the code colour in a coded background, per layer
MAX_LAYERS = 3
SELECTION_TINT = 0.38
MINE_BAR = "┃"
OTHERS_BARS = ("╎", "┆", "┊", "╏")  # one dash pattern per other coder: no colour needed
OTHERS_BAR = OTHERS_BARS[0]
RULE = "│"  # between the sentence numbers and the text
MID_LINE = "▸"  # in place of the rule: the numbered sentence starts inside this line
WIDE_LANES = 6
LABEL_WIDTH = 22  # code names beside the bars in the wide margin (e)


class _Palette:
    """Theme colours resolved once per theme, and the styles built from them."""

    def __init__(self, variables: dict[str, str]) -> None:
        self.surface = Color.parse(variables.get("surface", "#1e1e1e"))
        self.foreground = Color.parse(variables.get("foreground", "#e0e0e0"))
        self.accent = Color.parse(variables.get("accent", "#fea62b"))
        self.muted = self.surface.blend(self.foreground, 0.55)
        bg = self.surface.rich_color
        self.base = Style(color=self.foreground.rich_color, bgcolor=bg)
        self.gutter = Style(color=self.muted.rich_color, bgcolor=bg)
        self.marker = Style(color=self.accent.rich_color, bgcolor=bg, bold=True)
        self._colors: dict[str, Color] = {}
        self._styles: dict[Any, Style] = {}

    def code_color(self, hex_color: str) -> Color:
        color = self._colors.get(hex_color)
        if color is None:
            try:
                color = Color.parse(hex_color)
            except Exception:  # a broken colour must not break drawing
                color = self.muted
            self._colors[hex_color] = color
        return color

    def text_style(self, kind: str, mine: tuple[str, ...], others: bool, selected: bool,
                   match: bool) -> Style:
        key = (kind, mine, others, selected, match)
        style = self._styles.get(key)
        if style is not None:
            return style
        bg = self.surface
        for hex_color in mine[-MAX_LAYERS:]:
            bg = bg.blend(self.code_color(hex_color), TINT)
        if selected:
            bg = bg.blend(self.accent, SELECTION_TINT)
        fg = self.muted if kind == "timestamp" else self.foreground
        style = Style(color=fg.rich_color, bgcolor=bg.rich_color, bold=(kind == "speaker"),
                      underline=others, reverse=match)
        self._styles[key] = style
        return style

    def bar_style(self, hex_color: str) -> Style:
        key = ("bar", hex_color)
        style = self._styles.get(key)
        if style is None:
            style = Style(color=self.code_color(hex_color).rich_color,
                          bgcolor=self.surface.rich_color, bold=True)
            self._styles[key] = style
        return style


class TranscriptView(ScrollView, can_focus=True):
    """Shows one document; owns the cursor and the selection, never the project."""

    BINDINGS = bindings("transcript")

    DEFAULT_CSS = """
    TranscriptView {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
    }
    """

    class SelectionChanged(Message):
        """The selection or the document changed: panels that show 'what is here' update."""

        def __init__(self, view: TranscriptView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, *, me: str = "", name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.me = me
        self.model: DocModel | None = None
        self.text_layout = Layout(0)
        self.codings: list[Coding] = []
        self.code_colors: dict[int, str] = {}
        self.marks = Marks({}, {}, {}, {}, 0)
        self.numbers: dict[int, tuple[int, bool]] = {}  # line -> (number, starts mid-line)
        self.wide_margin = False
        self._other_bars: dict[str, str] = {}
        self._label_width = 0
        self.pivot = 0
        self.head = 0
        self.char_mode = False
        self.char_start = 0
        self.char_end = 0
        self.matches: list[tuple[int, int]] = []
        self._match_starts: list[int] = []
        self._cache: LRUCache[tuple[Any, ...], Strip] = LRUCache(2048)
        self._palette: _Palette | None = None
        self._palette_theme: str | None = None
        self._number_width = 3
        self._text_width = 0
        self._stripes = 4

    # --- content -------------------------------------------------------------------------

    def set_document(self, model: DocModel, codings: Sequence[Coding],
                     colors: dict[int, str]) -> None:
        self.model = model
        self.codings = list(codings)
        self.code_colors = colors
        self.pivot = self.head = 0
        self.char_mode = False
        self.matches, self._match_starts = [], []
        self._number_width = max(3, len(str(model.sentences[-1].number)))
        self._relayout(force=True)
        self.scroll_to(y=0, animate=False, immediate=True)
        self._changed()

    def set_codings(self, codings: Sequence[Coding],
                    colors: dict[int, str] | None = None) -> None:
        """New coded spans (after any change): margins and tints are rebuilt, text is not."""
        self.codings = list(codings)
        if colors is not None and colors != self.code_colors:
            self.code_colors = colors
            self._cache.clear()
        # Drawn lines are cached by what is on them (see render_line), so lines a change
        # did not touch are not drawn again.
        if not update_marks(self.marks, self.codings, self.text_layout):
            self.marks = build_marks(self.codings, self.text_layout, self._stripes, self.me)
        self.refresh()

    def set_matches(self, spans: Sequence[tuple[int, int]]) -> None:
        self.matches = sorted(spans)
        self._match_starts = [a for a, _ in self.matches]
        self._cache.clear()
        self.refresh()

    # --- selection -----------------------------------------------------------------------

    @property
    def selection(self) -> tuple[int, int]:
        """[start, end) of the selection: whole sentences, or exact in character mode."""
        if self.model is None:
            return 0, 0
        if self.char_mode:
            return self.char_start, self.char_end
        return self.model.span(self.pivot, self.head)

    @property
    def selected_sentences(self) -> tuple[int, int]:
        """First and last selected sentence index (covering the selection in char mode)."""
        if self.model is None:
            return 0, 0
        if self.char_mode:
            return (self.model.sentence_at(self.char_start),
                    self.model.sentence_at(max(self.char_start, self.char_end - 1)))
        return min(self.pivot, self.head), max(self.pivot, self.head)

    def select_sentences(self, anchor: int, head: int, *, center: bool = False) -> None:
        """Select sentences anchor..head (indices); the view follows the head sentence.

        With `center`, a head that is off screen is brought to a third of the way down, so a
        jump lands with context above it instead of at the bottom edge.
        """
        if self.model is None:
            return
        last = len(self.model.sentences) - 1
        self.char_mode = False
        self.pivot = max(0, min(anchor, last))
        self.head = max(0, min(head, last))
        self._changed(reveal=self.model.span(self.head, self.head), center=center)

    def select_range(self, start: int, end: int) -> None:
        """Select exact offsets: whole sentences if they fit sentence bounds, else characters."""
        if self.model is None:
            return
        m = self.model
        start = max(0, min(start, len(m.text)))
        end = max(start + 1, min(end, len(m.text)))
        first = m.sentence_at(start)
        last = m.sentence_at(end - 1)
        if m.sentences[first].start == start and m.sentences[last].end == end:
            self.select_sentences(first, last, center=True)
            return
        self.pivot, self.head = first, last
        self.char_mode = True
        self.char_start, self.char_end = start, end
        self._changed(reveal=(start, end), center=True)

    # --- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "trim":
            return self.char_mode
        return True

    def action_move(self, delta: int) -> None:
        if self.model is None:
            return
        if self.char_mode:
            base = self.model.sentence_at(self.char_start if delta < 0 else self.char_end - 1)
            self.select_sentences(base + delta, base + delta)
            return
        self.select_sentences(self.head + delta, self.head + delta)

    def action_move_turn(self, delta: int) -> None:
        target = self._turn_target(delta, extend=False)
        if target is not None:
            self.select_sentences(target, target)

    def action_extend(self, delta: int) -> None:
        if self.model is None:
            return
        if self.char_mode:
            self.char_mode = False
        self.select_sentences(self.pivot, self.head + delta)

    def action_extend_turn(self, delta: int) -> None:
        target = self._turn_target(delta, extend=True)
        if target is not None:
            self.char_mode = False
            self.select_sentences(self.pivot, target)

    def _turn_target(self, delta: int, *, extend: bool) -> int | None:
        m = self.model
        if m is None:
            return None
        t = m.turn_of(self.head)
        if t < 0:
            return self.head + delta * 5  # no turns: move in steps of five sentences
        if delta > 0:
            if extend:
                last = m.turn_last_sentence(t)
                if last > self.head:
                    return last
                return m.turn_last_sentence(t + 1) if t + 1 < len(m.turns) else self.head
            return m.turn_first_sentence(t + 1) if t + 1 < len(m.turns) else self.head
        first = m.turn_first_sentence(t)
        if first < self.head:
            return first
        return m.turn_first_sentence(t - 1) if t > 0 else self.head

    def action_page(self, delta: int) -> None:
        m = self.model
        if m is None or not len(self.text_layout):
            return
        height = max(1, self.scrollable_content_region.height - 2)
        line = self.text_layout.line_of(m.sentences[self.head].start)
        target = max(0, min(len(self.text_layout) - 1, line + delta * height))
        index = m.sentence_at(self.text_layout.starts[target])
        self.scroll_to(y=max(0, self.scroll_offset.y + delta * height), animate=False,
                       immediate=True)
        self.select_sentences(index, index)

    def action_top(self) -> None:
        self.select_sentences(0, 0)

    def action_bottom(self) -> None:
        if self.model is not None:
            last = len(self.model.sentences) - 1
            self.select_sentences(last, last)

    def action_char_mode(self) -> None:
        if self.model is None:
            return
        if self.char_mode:
            self.char_mode = False
            self._changed()
            return
        self.char_start, self.char_end = self.selection
        self.char_mode = True
        self._changed()

    def action_clear(self) -> None:
        if self.model is None:
            return
        self.char_mode = False
        self.select_sentences(self.head, self.head)

    def action_trim(self, edge: str, delta: int, unit: str) -> None:
        m = self.model
        if m is None or not self.char_mode:
            return
        start, end = self.char_start, self.char_end
        if edge == "start":
            if unit == "word":
                start = m.word_boundary(start, delta, edge="start")
            else:
                start += delta
            start = max(0, min(start, end - 1))
            reveal = (start, start + 1)
        else:
            if unit == "word":
                end = m.word_boundary(end, delta, edge="end")
            else:
                end += delta
            end = min(len(m.text), max(end, start + 1))
            reveal = (end - 1, end)
        self.char_start, self.char_end = start, end
        self._changed(reveal=reveal)

    # --- mouse ---------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        m = self.model
        offset = event.get_content_offset(self)
        if m is None or offset is None:
            return
        line = self.scroll_offset.y + offset.y
        if not 0 <= line < len(self.text_layout):
            return
        column = offset.x - self._gutter_width()
        text_offset = self._offset_at(line, max(0, column))
        index = m.sentence_at(text_offset)
        self.focus()
        if event.shift:
            self.char_mode = False
            self.select_sentences(self.pivot, index)
        else:
            self.select_sentences(index, index)

    def _offset_at(self, line: int, column: int) -> int:
        a, b = self.text_layout.starts[line], self.text_layout.ends[line]
        text = self.model.text if self.model else ""
        cells = 0
        for i in range(a, b):
            cells += cell_len(text[i])
            if cells > column:
                return i
        return max(a, b - 1)

    # --- layout --------------------------------------------------------------------------

    def _gutter_width(self) -> int:
        return self._number_width + 3

    def _margin_width(self) -> int:
        return 1 + self._stripes + self._label_width

    def toggle_margin(self) -> None:
        """The wide margin: more lanes, and the code (and coder) beside each bar."""
        self.wide_margin = not self.wide_margin
        self._relayout(force=True, keep_scroll=True)

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def _relayout(self, *, force: bool = False, keep_scroll: bool = False) -> None:
        m = self.model
        width = self.scrollable_content_region.width
        stripes = 4 if width >= 64 else 3 if width >= 48 else 2
        label = 0
        if self.wide_margin:
            stripes = WIDE_LANES if width >= 50 else 4
            label = min(LABEL_WIDTH, max(12, width // 4))
        text_width = max(8, width - self._gutter_width() - 1 - stripes - label)
        if m is None or (not force and text_width == self._text_width
                         and stripes == self._stripes):
            return
        top = self.text_layout.starts[self.scroll_offset.y] if (
            (keep_scroll or not force) and self.scroll_offset.y < len(self.text_layout)) else None
        self._text_width, self._stripes, self._label_width = text_width, stripes, label
        self.text_layout = wrap_text(m.text, text_width)
        numbers: dict[int, tuple[int, bool]] = {}
        starts = self.text_layout.starts
        for s in m.sentences:
            line = self.text_layout.line_of(s.start)
            if line not in numbers:
                numbers[line] = (s.number, s.start > starts[line] and bool(
                    m.text[starts[line]:s.start].strip()))
        self.numbers = numbers
        self.marks = build_marks(self.codings, self.text_layout, stripes, self.me)
        self.virtual_size = Size(width, len(self.text_layout))
        self._cache.clear()
        if top is not None:
            self.scroll_to(y=self.text_layout.line_of(top), animate=False, immediate=True)
            self._reveal(*self.model.span(self.head, self.head) if self.model else (0, 0))
        self.refresh()

    def _changed(self, reveal: tuple[int, int] | None = None, *, center: bool = False) -> None:
        if reveal is not None:
            self._reveal(*reveal, center=center)
        self.refresh()
        self.post_message(self.SelectionChanged(self))

    def _reveal(self, start: int, end: int, *, center: bool = False) -> None:
        """Scroll just enough to show [start, end) with a little context around it."""
        if not len(self.text_layout):
            return
        first, last = self.text_layout.lines_of(start, end)
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        margin = min(6, height // 5)  # context kept above and below the cursor
        top = int(self.scroll_offset.y)
        new_top = top
        if center and (last < top or first >= top + height):
            new_top = first - height // 3
        elif first - margin < top or last - first + 1 > height - 2 * margin:
            new_top = first - margin
        elif last + margin >= top + height:
            new_top = last + margin - height + 1
        if new_top != top:
            self.scroll_to(y=max(0, new_top), animate=False, immediate=True)

    # --- drawing -------------------------------------------------------------------------

    def _get_palette(self) -> _Palette:
        theme = self.app.theme
        if self._palette is None or theme != self._palette_theme:
            self._palette = _Palette(self.app.get_css_variables())
            self._palette_theme = theme
            self._cache.clear()
        return self._palette

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._palette = None
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        palette = self._get_palette()
        width = self.scrollable_content_region.width
        line = self.scroll_offset.y + y
        if self.model is None or line >= len(self.text_layout):
            return Strip.blank(width, palette.base)
        a, b = self.text_layout.starts[line], self.text_layout.ends[line]
        s, e = self.selection
        if a == b:  # an empty line inside the selection keeps the bar unbroken
            selected = (a, a) if s <= a < e else None
        else:
            selected = (max(a, s), min(b, e)) if s < b and e > a else None
        lane = self.marks.lane
        marks = tuple((c.id, c.code_id, c.start, c.end, lane[c.id])
                      for c in self.marks.on_line(line))
        key = (line, selected, width, marks)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_text_line(line, a, b, selected, palette, width)
            self._cache[key] = strip
        return strip

    def _render_text_line(self, line: int, a: int, b: int, selected: tuple[int, int] | None,
                          palette: _Palette, width: int) -> Strip:
        m = self.model
        assert m is not None
        text = m.text
        segments: list[Segment] = []
        number, mid_line = self.numbers.get(line, (None, False))
        segments.append(Segment("▌" if selected else " ",
                                palette.marker if selected else palette.gutter))
        segments.append(Segment(f"{number if number is not None else '':>{self._number_width}}",
                                palette.gutter))
        segments.append(Segment(MID_LINE if mid_line else RULE,
                                palette.marker if mid_line else palette.gutter))
        segments.append(Segment(" ", palette.base))
        # Boundaries where the style of the text can change.
        codings = self.marks.on_line(line)
        points = {a, b}
        for c in codings:
            points.add(min(max(c.start, a), b))
            points.add(min(max(c.end, a), b))
        labels = self._labels_on(a, b)
        for lb in labels:
            for p in (lb.start, lb.timestamp_end, lb.end):
                points.add(min(max(p, a), b))
        # A sentence that begins inside a line is marked where it begins: the space before
        # it shows as a dot, so the boundary reads without colour.
        starts = m.sent_starts
        boundaries = set()
        i = bisect.bisect_right(starts, a)
        while i < len(starts) and starts[i] < b:
            after_label = any(lb.start < starts[i] <= lb.end + 1 for lb in labels)
            if text[starts[i] - 1] == " " and not after_label:
                boundaries.add(starts[i] - 1)
                points.update((starts[i] - 1, starts[i]))
            i += 1
        matches = self._matches_on(a, b)
        for ma, mb in matches:
            points.add(min(max(ma, a), b))
            points.add(min(max(mb, a), b))
        if selected:
            points.update(selected)
        ordered = sorted(points)
        text_segments: list[Segment] = []
        for p, q in itertools.pairwise(ordered):
            if p >= q:
                continue
            kind = "text"
            for lb in labels:
                if lb.start <= p < lb.end:
                    kind = "timestamp" if p < lb.timestamp_end else "speaker"
                    break
            mine: list[Coding] = []
            others = False
            for c in codings:
                if c.start <= p < c.end:
                    if c.coder == self.me:
                        mine.append(c)
                    else:
                        others = True
            mine.sort(key=lambda c: c.start - c.end)  # outer (longest) first
            is_selected = bool(selected) and selected[0] <= p < selected[1]  # type: ignore[index]
            is_match = any(ma <= p < mb for ma, mb in matches)
            style = palette.text_style(kind, tuple(self._color_of(c_) for c_ in mine),
                                       others, is_selected, is_match)
            piece = "·" if p in boundaries else text[p:q].replace("\t", " ")
            text_segments.append(Segment(piece, style))
        body = Strip(text_segments).adjust_cell_length(self._text_width, palette.base)
        # The margin: one bar per coding, in its lane.
        cells: list[Segment] = [Segment(" ", palette.base)]
        lane: list[Segment] = [Segment(" ", palette.base)] * self._stripes
        overflow = False
        mine_in_last = False
        for c in codings:
            col = self.marks.lane[c.id]
            if col is None or col >= self._stripes:
                overflow = True
                continue
            lane[col] = Segment(MINE_BAR if c.coder == self.me else self._other_bar(c.coder),
                                palette.bar_style(self._color_of(c)))
            mine_in_last = mine_in_last or (col == self._stripes - 1 and c.coder == self.me)
        if overflow and self._stripes and not mine_in_last:
            lane[-1] = Segment("…", palette.gutter)  # own bars keep their lanes (mine first)
        cells.extend(lane)
        if self._label_width:
            cells.append(Segment(self._label(line, codings), palette.gutter))
        strip = Strip.join([Strip(segments), body, Strip(cells)])
        return strip.adjust_cell_length(width, palette.base)

    def _other_bar(self, coder: str) -> str:
        bar = self._other_bars.get(coder)
        if bar is None:
            bar = OTHERS_BARS[len(self._other_bars) % len(OTHERS_BARS)]
            self._other_bars[coder] = bar
        return bar

    def _label(self, line: int, codings: list[Coding]) -> str:
        """The codes that begin on this line, one's own first, others with their coder."""
        starting = [c for c in codings if self.marks.lines.get(c.id, (-1, -1))[0] == line]
        starting.sort(key=lambda c: (c.coder != self.me, self.marks.lane.get(c.id) or 0))
        names = [c.code_path.rsplit("/", 1)[-1] + ("" if c.coder == self.me else
                                                   f" ({c.coder})") for c in starting]
        text = " " + ", ".join(names)
        width = self._label_width
        if cell_len(text) > width:
            text = text[:width - 1] + "…"
        return f"{text:<{width}}"

    def _color_of(self, coding: Coding) -> str:
        return self.code_colors.get(coding.code_id, "#888888")

    def _labels_on(self, a: int, b: int) -> list[Any]:
        m = self.model
        if m is None or not m.labels:
            return []
        i = bisect.bisect_right(m.label_starts, b) - 1
        out = []
        while i >= 0 and m.labels[i].end > a:
            if m.labels[i].start < b or (a == b and m.labels[i].start == a):
                out.append(m.labels[i])
            i -= 1
        return out

    def _matches_on(self, a: int, b: int) -> list[tuple[int, int]]:
        if not self.matches:
            return []
        i = bisect.bisect_left(self._match_starts, b)
        out = []
        j = i - 1
        while j >= 0 and self.matches[j][1] > a:
            out.append(self.matches[j])
            j -= 1
            if len(out) > 50:
                break
        return out
