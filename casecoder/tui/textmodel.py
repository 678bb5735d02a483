"""The transcript as the coding screen sees it: units, wrapped lines and coded spans.

Everything here is plain Python over offsets into the document's immutable text, so it can be
tested and timed without a terminal. The widget asks three questions on every key press —
which sentence holds this offset, which display line holds it, which codings touch this line —
and each is answered by a bisect or a list lookup, never by a scan over the document.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len

from casecoder.model import Coding, Document, Segment
from casecoder.model import parse_timestamp as parse_time  # noqa: F401 (one parser)
from casecoder.project.reading import ProjectReader

_WORD = re.compile(r"\S+\s*")
_TOKEN = re.compile(r"\S+")
_TIMESTAMP = re.compile(r"\[?\(?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\)?\]?")
# Any code point from here up may be wide, zero-width or combining: measure such paragraphs
# cell by cell instead of assuming one cell per character.
_NARROW_LIMIT = "\u0300"


# --- wrapping ----------------------------------------------------------------------------


@dataclass
class Layout:
    """Display lines of a soft-wrapped text: line y shows text[starts[y]:ends[y]]."""

    width: int
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        """The display line that shows an offset (a newline belongs to the line it ends)."""
        if not self.starts:
            return 0
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def lines_of(self, start: int, end: int) -> tuple[int, int]:
        """First and last display line of a non-empty span [start, end)."""
        return self.line_of(start), self.line_of(max(start, end - 1))


def wrap_text(text: str, width: int) -> Layout:
    """Soft-wrap every text line to `width` cells at word boundaries.

    A word longer than the width is cut where it overflows. Trailing spaces stay on the line
    they follow (they are cropped when drawn), so every character belongs to exactly one line
    and offsets map to lines without gaps.
    """
    width = max(8, width)
    layout = Layout(width)
    starts, ends = layout.starts, layout.ends
    pos = 0
    for para in text.split("\n"):
        end = pos + len(para)
        slow = bool(para) and max(para) >= _NARROW_LIMIT
        if (cell_len(para) if slow else len(para)) <= width:
            starts.append(pos)
            ends.append(end)
        elif slow:
            _wrap_paragraph(para, pos, width, slow, starts, ends)
        else:
            _wrap_narrow(para, pos, width, starts, ends)
        pos = end + 1
    return layout


def _wrap_narrow(para: str, base: int, width: int, starts: list[int], ends: list[int]) -> None:
    """The same wrap for one-cell characters, with str.rfind doing the scanning in C."""
    n = len(para)
    pos = 0
    while n - pos > width:
        cut = para.rfind(" ", pos, pos + width + 1)
        # no space to break at (or only leading spaces): cut the word at the width
        nxt = pos + width if cut <= pos or not para[pos:cut].strip() else cut + 1
        while nxt < n and para[nxt] == " ":
            nxt += 1
        starts.append(base + pos)
        ends.append(base + nxt)
        pos = nxt
    if pos < n:  # (trailing spaces may already have closed the paragraph)
        starts.append(base + pos)
        ends.append(base + n)


def _wrap_paragraph(para: str, base: int, width: int, slow: bool,
                    starts: list[int], ends: list[int]) -> None:
    measure = cell_len if slow else len
    line_start = 0
    x = 0
    for match in _WORD.finditer(para):
        word_start = match.start()
        chunk = match.group()
        word = chunk.rstrip()
        w = measure(word)
        if x and x + w > width:
            starts.append(base + line_start)
            ends.append(base + word_start)
            line_start, x = word_start, 0
        while w > width:  # a word wider than the line: cut it
            cut = _cut(word, width, measure)
            starts.append(base + word_start)
            ends.append(base + word_start + cut)
            word_start += cut
            word = word[cut:]
            line_start = word_start
            w = measure(word)
        x += w + (len(chunk) - len(chunk.rstrip()))
    starts.append(base + line_start)
    ends.append(base + len(para))


def _cut(word: str, width: int, measure: object) -> int:
    if measure is len:
        return width
    cells = 0
    for i, ch in enumerate(word):
        cells += cell_len(ch)
        if cells > width:
            return max(1, i)
    return len(word)


# --- the document and its units ----------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """Speaker label of a turn: [start, end) shown as a label, not as speech."""

    start: int
    end: int
    timestamp_end: int  # the part [start, timestamp_end) is the timestamp


class DocModel:
    """A document's text and units, with the lookups the cursor needs."""

    def __init__(self, doc: Document, text: str, sentences: Sequence[Segment],
                 turns: Sequence[Segment] = ()) -> None:
        self.doc = doc
        self.text = text
        if not sentences:
            sentences = [Segment(0, doc.id, "sentence", 1, 0, len(text), None, None)]
        self.sentences = list(sentences)
        self.turns = list(turns)
        self.sent_starts = [s.start for s in self.sentences]
        self.sent_ends = [s.end for s in self.sentences]
        self.turn_starts = [t.start for t in self.turns]
        # Turn index of each sentence, for turn moves and for labels.
        self.sent_turn: list[int] = []
        t = 0
        for s in self.sentences:
            while t + 1 < len(self.turns) and self.turns[t + 1].start <= s.start:
                t += 1
            self.sent_turn.append(t if self.turns and self.turns[t].start <= s.end else -1)
        self.labels = self._labels()
        self.label_starts = [lb.start for lb in self.labels]

    @classmethod
    def load(cls, project: ProjectReader, doc: Document) -> DocModel:
        return cls(doc, project.text(doc), project.segments(doc, "sentence"),
                   project.segments(doc, "turn"))

    def _labels(self) -> list[Label]:
        """Speaker labels: from the start of the turn's line to its first sentence."""
        out: list[Label] = []
        text = self.text
        for turn in self.turns:
            if turn.speaker is None and turn.timestamp is None:
                continue
            line_start = text.rfind("\n", 0, turn.start) + 1
            i = bisect.bisect_left(self.sent_starts, turn.start)
            body = self.sent_starts[i] if i < len(self.sent_starts) else turn.end
            body = min(body, turn.end)
            if body <= line_start or "\n" in text[line_start:body]:
                continue
            m = _TIMESTAMP.match(text, line_start, body)
            out.append(Label(line_start, body, m.end() if m else line_start))
        return out

    # --- lookups -------------------------------------------------------------------------

    def sentence_at(self, offset: int) -> int:
        """Index of the sentence holding an offset (or the next one, between sentences)."""
        i = bisect.bisect_right(self.sent_ends, offset)
        return min(i, len(self.sentences) - 1)

    def sentence_by_number(self, number: int) -> int | None:
        i = number - 1
        if 0 <= i < len(self.sentences) and self.sentences[i].number == number:
            return i
        for j, s in enumerate(self.sentences):
            if s.number == number:
                return j
        return None

    def turn_first_sentence(self, t: int) -> int:
        return min(bisect.bisect_left(self.sent_starts, self.turns[t].start),
                   len(self.sentences) - 1)

    def turn_last_sentence(self, t: int) -> int:
        return max(0, bisect.bisect_left(self.sent_starts, self.turns[t].end) - 1)

    def turn_of(self, sentence: int) -> int:
        return self.sent_turn[sentence]

    def sentence_at_time(self, seconds: float) -> int | None:
        """First sentence of the last turn that starts at or before a time."""
        best = None
        for t, turn in enumerate(self.turns):
            if turn.timestamp is not None and turn.timestamp <= seconds + 0.5:
                best = t
        return None if best is None else self.turn_first_sentence(best)

    def span(self, first: int, last: int) -> tuple[int, int]:
        a, b = min(first, last), max(first, last)
        return self.sentences[a].start, self.sentences[b].end

    def word_boundary(self, offset: int, direction: int, *, edge: str) -> int:
        """The next token start (edge='start') or end (edge='end') before/after an offset."""
        text = self.text
        lo = max(0, offset - 400)
        hi = min(len(text), offset + 400)
        points = [m.start() if edge == "start" else m.end()
                  for m in _TOKEN.finditer(text, lo, hi)]
        if direction > 0:
            later = [p for p in points if p > offset]
            return later[0] if later else offset
        earlier = [p for p in points if p < offset]
        return earlier[-1] if earlier else offset

    def sentences_covered(self, spans: Iterable[tuple[int, int]]) -> int:
        """How many sentences overlap any of the spans (they need not be sorted)."""
        from casecoder.project.progress import covered_sentences

        return covered_sentences(self.sent_starts, self.sent_ends, spans)


# --- coded spans over display lines ------------------------------------------------------


@dataclass
class Marks:
    """Which codings touch each display line, and in which margin lane each one is drawn.

    Lanes are handed out like lanes on a road: a coding takes the leftmost lane that is free
    over all its lines, so codings that overlap in the text never share a lane and
    overlapping codes stay distinguishable in the margin. A coding with no free lane has
    lane None, and its lines show an overflow mark.

    Everything is keyed by coding id, so that one coding more or less (the common change)
    is an update of a few lines rather than a rebuild over the whole document.
    """

    by_id: dict[int, Coding]
    per_line: dict[int, list[int]]  # line -> coding ids
    lane: dict[int, int | None]
    lines: dict[int, tuple[int, int]]  # coding id -> first and last display line
    columns: int
    me: str = ""  # whose codings get lanes first (they must never be the ones hidden)

    def on_line(self, y: int) -> list[Coding]:
        by_id = self.by_id
        return [by_id[cid] for cid in self.per_line.get(y, ())]

    def overflow(self, y: int) -> bool:
        lane = self.lane
        return any(lane[cid] is None for cid in self.per_line.get(y, ()))

    def add(self, coding: Coding, first: int, last: int) -> bool:
        """Add one coding in the leftmost lane free over its lines; False if it got none."""
        used = {self.lane[cid] for y in range(first, last + 1)
                for cid in self.per_line.get(y, ())}
        free = next((col for col in range(self.columns) if col not in used), None)
        self._insert(coding, first, last, free)
        return free is not None

    def _insert(self, coding: Coding, first: int, last: int, lane: int | None) -> None:
        cid = coding.id
        self.by_id[cid] = coding
        self.lane[cid] = lane
        self.lines[cid] = (first, last)
        per_line = self.per_line
        for y in range(first, last + 1):
            ids = per_line.get(y)
            if ids is None:
                per_line[y] = [cid]
            else:
                ids.append(cid)

    def remove(self, cid: int) -> None:
        first, last = self.lines.pop(cid)
        del self.by_id[cid]
        del self.lane[cid]
        for y in range(first, last + 1):
            ids = self.per_line[y]
            ids.remove(cid)
            if not ids:
                del self.per_line[y]


def _lines_of(starts: list[int], coding: Coding) -> tuple[int, int]:
    find = bisect.bisect_right
    first = find(starts, coding.start) - 1
    last = find(starts, coding.end - 1 if coding.end > coding.start else coding.start) - 1
    first = first if first > 0 else 0
    return first, last if last > first else first


def build_marks(codings: Sequence[Coding], layout: Layout, columns: int,
                me: str = "") -> Marks:
    """Marks for all codings, lanes assigned greedily from the top of the document.

    The coder's own codings get lanes first (a dense passage hides others' bars behind the
    overflow mark, never one's own); then the others', in the lanes left free.
    """
    marks = Marks({}, {}, {}, {}, max(0, columns), me)
    starts = layout.starts
    spans = [(*_lines_of(starts, c), c) for c in codings]
    spans.sort(key=lambda s: (s[2].coder != me, s[0], s[0] - s[1]))
    free_after = [-1] * marks.columns
    lanes = range(marks.columns)
    for first, last, coding in spans:
        lane = None
        for col in lanes:
            if free_after[col] < first:
                free_after[col] = last
                lane = col
                break
        marks._insert(coding, first, last, lane)
    return marks


def update_marks(marks: Marks, codings: Sequence[Coding], layout: Layout,
                 limit: int = 64) -> bool:
    """Bring marks up to date with `codings` in place; False if a rebuild is cheaper.

    A coding whose span changed (a merge keeps the oldest coding and widens it) counts as
    removed and added again.
    """
    new = {c.id: c for c in codings}
    old = marks.by_id
    gone = [cid for cid, c in old.items()
            if cid not in new or (new[cid].start, new[cid].end, new[cid].code_id)
            != (c.start, c.end, c.code_id)]
    added = [c for cid, c in new.items() if cid not in old or cid in set(gone)]
    if len(gone) + len(added) > limit:
        return False
    for cid in gone:
        marks.remove(cid)
    for cid, c in new.items():  # same span, other fields (a memo): just the new record
        if cid in old:
            old[cid] = c
    starts = layout.starts
    for c in sorted(added, key=lambda c: (c.coder != marks.me, c.start)):
        if not marks.add(c, *_lines_of(starts, c)) and c.coder == marks.me:
            return False  # one's own coding without a lane: lanes are handed out again
    return True
