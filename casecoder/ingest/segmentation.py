"""The codable units of a document: sentences, speaker turns and paragraphs.

A researcher codes "a sentence", "this turn" or "that paragraph" with one key, so all three
are computed at import and stored with the document. Rules that keep quotes clean:

- sentences are split inside turn bodies only, so none crosses a speaker change or includes a
  speaker label or timestamp;
- a turn segment is the speech only (from body_start), without its label; the speaker is an
  attribute of the segment, not part of the quote;
- a paragraph that begins with a speaker label starts after the label, for the same reason
  (labels of further turns inside one paragraph stay in it: they are mid-paragraph text);
- a sentence or paragraph takes the speaker and timestamp of the turn its first character is in,
  and (in a paged source such as a PDF) the page its first character is on.
"""

from __future__ import annotations

from bisect import bisect_right

from casecoder.ingest.model import SegmentSpec, SourceText, Turn
from casecoder.ingest.transcript import parse_paragraphs, parse_turns

KINDS = ("sentence", "turn", "paragraph")  # the order build_segments returns them in


def build_segments(source: SourceText, language: str,
                   model: str | None = None) -> list[SegmentSpec]:
    """All segments, sentences first, then turns, then paragraphs, each in text order.

    Raises UserError (from the pipeline) for an unknown language or an unloadable model.
    """
    from casecoder.nlp.segment import split_sentences

    text = source.text
    turns = list(source.turns) if source.turns is not None else parse_turns(text)
    bodies = [(turn.body_start, turn.end) for turn in turns if turn.end > turn.body_start]
    sentences = split_sentences(text, bodies, language, model)
    turn_starts = [turn.start for turn in turns]

    def owner(offset: int) -> Turn | None:
        index = bisect_right(turn_starts, offset) - 1
        return turns[index] if index >= 0 else None

    paragraphs = []
    for start, end in parse_paragraphs(text):
        # Skip the labels a paragraph begins with and the whitespace after each: in
        # "Kari: \n Intervjuer:" the first body is blank, so the next label leads too.
        while start < end:
            turn = owner(start)
            if turn is not None and start < turn.body_start:  # begins with a label
                start = turn.body_start
            elif text[start].isspace():
                start += 1
            else:
                break
        if start < end:  # not only labels or timestamps: something to code
            paragraphs.append((start, end))

    segments: list[SegmentSpec] = []
    for kind, spans in (("sentence", sentences), ("turn", bodies), ("paragraph", paragraphs)):
        for number, (start, end) in enumerate(sorted(spans), start=1):
            turn = owner(start)
            segments.append(SegmentSpec(kind, number, start, end,
                                        turn.speaker if turn else None,
                                        turn.timestamp if turn else None,
                                        source.page_at(start)))
    return segments
