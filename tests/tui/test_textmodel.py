"""The transcript's text model: wrapping, offset lookups, labels and margin lanes.

These are the pure parts under the widget; they are what keeps every drawn mark on the exact
offsets stored in the project, so they are checked on their own, including Norwegian text,
wide characters and words longer than a line.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from casecoder.model import Coding, Document, Segment
from casecoder.tui.textmodel import DocModel, build_marks, parse_time, update_marks, wrap_text


def _doc(text: str) -> Document:
    return Document(1, "g", "d", len(text), len(text.split()), "", "txt", "", None, "nb", "",
                    None)


def _coding(i: int, start: int, end: int, coder: str = "ingrid") -> Coding:
    return Coding(i, f"g{i}", 1, "d", 1, "motivation", 1, coder, start, end, "", "")


def test_wrap_breaks_at_words_and_keeps_every_offset() -> None:
    text = "Dette er en ganske lang setning om Erasmus+ og blandede intensivprogram.\n\nKort."
    layout = wrap_text(text, 20)
    lines = [text[a:b] for a, b in zip(layout.starts, layout.ends, strict=True)]
    assert all(len(line.rstrip()) <= 20 for line in lines)
    assert "".join(lines) == text.replace("\n", "")
    assert lines[-2:] == ["", "Kort."]
    assert layout.line_of(text.index("Kort")) == len(layout) - 1


def test_wrap_cuts_a_word_longer_than_the_line() -> None:
    text = "a " + "x" * 25 + " b"
    layout = wrap_text(text, 10)
    lines = [text[a:b] for a, b in zip(layout.starts, layout.ends, strict=True)]
    assert lines == ["a ", "x" * 10, "x" * 10, "x" * 5 + " b"]


def test_wrap_measures_wide_characters_in_cells() -> None:
    text = "漢字漢字漢字漢字 漢字"
    layout = wrap_text(text, 10)
    lines = [text[a:b] for a, b in zip(layout.starts, layout.ends, strict=True)]
    assert lines == ["漢字漢字漢", "字漢字 ", "漢字"]


@given(st.text(alphabet="abc æøå\n«»", max_size=300), st.integers(min_value=8, max_value=40))
def test_wrap_covers_the_text_exactly(text: str, width: int) -> None:
    layout = wrap_text(text, width)
    assert "".join(text[a:b] for a, b in zip(layout.starts, layout.ends, strict=True)) \
        == text.replace("\n", "")
    for offset in range(len(text)):
        y = layout.line_of(offset)
        assert layout.starts[y] <= offset <= layout.ends[y]


def _model() -> DocModel:
    text = "Tittel\n\n[00:01:10] Informant: Første setning. Andre setning.\n\n" \
           "[00:02:00] Intervjuer: Tredje?"
    s1 = text.index("Første")
    s2 = text.index("Andre")
    s3 = text.index("Tredje")
    sentences = [Segment(1, 1, "sentence", 1, 0, 6, None, None),
                 Segment(2, 1, "sentence", 2, s1, s1 + 16, "Informant", 70.0),
                 Segment(3, 1, "sentence", 3, s2, s2 + 14, "Informant", 70.0),
                 Segment(4, 1, "sentence", 4, s3, s3 + 7, "Intervjuer", 120.0)]
    turns = [Segment(5, 1, "turn", 1, 0, 6, None, None),
             Segment(6, 1, "turn", 2, s1, s2 + 14, "Informant", 70.0),
             Segment(7, 1, "turn", 3, s3, s3 + 7, "Intervjuer", 120.0)]
    return DocModel(_doc(text), text, sentences, turns)


def test_labels_cover_timestamp_and_speaker_but_not_speech() -> None:
    m = _model()
    assert [m.text[lb.start:lb.end] for lb in m.labels] == [
        "[00:01:10] Informant: ", "[00:02:00] Intervjuer: "]
    assert [m.text[lb.start:lb.timestamp_end] for lb in m.labels] == ["[00:01:10]",
                                                                     "[00:02:00]"]


def test_sentence_and_turn_lookups() -> None:
    m = _model()
    assert m.sentence_at(m.text.index("setning")) == 1
    assert m.sentence_at(m.sentences[1].end) == 2  # the space between: the next sentence
    assert m.turn_of(2) == 1 and m.turn_first_sentence(1) == 1 and m.turn_last_sentence(1) == 2
    assert m.sentence_at_time(100) == 1 and m.sentence_at_time(5) is None
    assert m.sentence_by_number(4) == 3 and m.sentence_by_number(9) is None
    assert m.word_boundary(m.sentences[1].start, 1, edge="start") == m.text.index("setning")
    assert m.sentences_covered([(m.sentences[1].start, m.sentences[2].start + 1)]) == 2


def test_margin_lanes_never_share_a_column_for_overlapping_codings() -> None:
    text = "\n".join(f"line {i}" for i in range(10))
    layout = wrap_text(text, 20)
    starts = layout.starts
    codings = [_coding(1, starts[0], starts[4]), _coding(2, starts[2], starts[6]),
               _coding(3, starts[5], starts[7]), _coding(4, starts[3], starts[4], "tomas"),
               _coding(5, starts[1], starts[9])]
    marks = build_marks(codings, layout, 3)
    # Lanes go by first line: 1 (lines 0-3), then 5 (1-8), 2 (2-5); 4 (line 3) finds no
    # free lane; 3 (lines 5-6) reuses lane 0, free again after line 3.
    assert [marks.lane[cid] for cid in (1, 5, 2, 4, 3)] == [0, 1, 2, None, 0]
    assert marks.overflow(3) and not marks.overflow(6)
    assert sorted(c.id for c in marks.on_line(3)) == [1, 2, 4, 5]


def test_marks_follow_a_change_in_place_like_a_rebuild() -> None:
    text = "\n".join(f"line {i}" for i in range(12))
    layout = wrap_text(text, 20)
    starts = layout.starts
    before = [_coding(1, starts[0], starts[3]), _coding(2, starts[2], starts[5]),
              _coding(3, starts[8], starts[9])]
    marks = build_marks(before, layout, 3)
    # coding 2 is widened (a merge swallowed its neighbour 3), and a new coding 4 arrives
    after = [before[0], _coding(2, starts[2], starts[10]), _coding(4, starts[1], starts[2])]
    assert update_marks(marks, after, layout)
    assert set(marks.by_id) == {1, 2, 4}
    for y in range(len(layout)):
        expected = sorted(c.id for c in after
                          if layout.lines_of(c.start, c.end)[0] <= y
                          <= layout.lines_of(c.start, c.end)[1])
        assert sorted(c.id for c in marks.on_line(y)) == expected
    lanes_on = [[marks.lane[c.id] for c in marks.on_line(y)] for y in range(len(layout))]
    assert all(len(set(lanes)) == len(lanes) for lanes in lanes_on)  # never shared
    # added in text order: 4 (line 1) beside 1 in lane 1; the widened 2 (lines 2-9) meets
    # 1 on line 2 but not 4, so it may take lane 1 too
    assert (marks.lane[1], marks.lane[4], marks.lane[2]) == (0, 1, 1)


def test_parse_time() -> None:
    assert parse_time("00:12:31") == 751.0
    assert parse_time("12:31") == 751.0
    assert parse_time("57") is None and parse_time("1:2:3:4") is None

