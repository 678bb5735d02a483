"""Speaker turns and paragraphs of a plain-text transcript, as offsets into the text.

Researchers' transcripts label turns at the start of a line ("Intervjuer:", "Informant 2:",
"I:", "Kari Nordmann:"), sometimes after a timestamp ("[00:12:31] I: ..."). A colon at the start
of an ordinary line can also look like a label ("Det er slik: vi ..." or a header field such as
"Dato: 3. mars"), so a candidate must pass three checks:

1. shape: 1-4 words, at most 40 characters, each word starting with a letter (a number such as
   "2" in "Informant 2" is allowed after the first word), followed by ":" and whitespace;
2. case: every word starts with a capital, except known role words ("intervjuer", "i", "r",
   "informant", ...) and name particles ("van", "de") inside a name, so "Det er slik:" fails;
3. repetition: when some label occurs more than once, a label that occurs only once and is not
   a known role is text, not a speaker. Real speakers speak more than once; header fields
   ("Dato:", "Sted:") do not. In a short text where no label repeats, every label counts.

Rules for the text between labels, kept deliberately simple:

- Unlabelled lines, blank lines included, continue the current turn (multi-line turns).
- Text before the first label (a title or header) is its own turn with speaker None; a text
  without any label is one turn with speaker None.
- A timestamp may precede the label ("[00:12:31]", "00:12:31", "(00:12:31)", "[12:31]") or
  follow it inside the label ("Kari [00:12:31]:"). A line holding only a timestamp and a label
  without a colon ("00:00:05 Speaker 1", as written by transcription tools) starts a turn whose
  speech begins on the next line, and a line holding only a timestamp directly above a label
  line gives that turn its timestamp.
- Markdown bold around the label ("**Intervjuer:**") is accepted.
"""

from __future__ import annotations

import re

from casecoder.ingest.model import Turn
from casecoder.model import parse_timestamp

MAX_LABEL_CHARS = 40

ROLE_WORDS = frozenset({
    "intervjuer", "intervjuar", "informant", "interviewer", "respondent", "moderator",
    "deltaker", "deltakar", "fasilitator", "facilitator", "participant", "speaker", "taler",
    "talar", "spørsmål", "svar", "question", "answer", "int", "inf", "resp", "mod",
    "i", "r", "q", "a", "p",
})
NAME_PARTICLES = frozenset({"van", "von", "de", "af", "di", "du", "le", "la", "del", "dos"})

_TS_CORE = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TS = rf"(?:\[{_TS_CORE}\]|\({_TS_CORE}\)|{_TS_CORE})"
_WORD = r"[^\W\d_][\w'’.\-]*"
_NUMBER = r"\d{1,3}[^\W\d_]?"
_LABEL = rf"{_WORD}(?:[ \t]+(?:{_WORD}|{_NUMBER})){{0,3}}"

# "[ts] **Label [ts]:** speech" - the label line of a turn whose speech follows on the same line
# (or, when nothing follows, on the next lines).
_COLON_LINE = re.compile(
    rf"""^[ \t]*
    (?:(?P<ts>{_TS})[ \t]*(?:[-–][ \t]*)?)?
    (?P<bold>\*\*|__)?
    (?P<label>{_LABEL})
    (?:[ \t]*(?P<ts2>[\[(]{_TS_CORE}[\])]))?
    [ \t]*:(?:\*\*|__)?
    (?=[ \t]|$)""",
    re.MULTILINE | re.VERBOSE,
)
# "00:00:05 Speaker 1" or "Speaker 1  0:00" alone on a line: speech starts on the next line.
_HEADING_LINE = re.compile(
    rf"""^[ \t]*(?:
        (?P<ts>{_TS})[ \t]+(?:[-–][ \t]*)?(?P<label>{_LABEL})
      | (?P<label2>{_LABEL})[ \t]+(?:[-–][ \t]*)?(?P<ts2>{_TS})
    )[ \t]*$""",
    re.MULTILINE | re.VERBOSE,
)
_TS_ONLY_LINE = re.compile(rf"^[ \t]*(?P<ts>{_TS})[ \t]*\n", re.MULTILINE)
_BLANK_RUN = re.compile(r"\n[ \t]*\n\s*")
_NON_EMPTY_LINE = re.compile(r"[^\n]*\S[^\n]*")


def label_shape_ok(label: str) -> bool:
    """Shape and case rules for a speaker label (see the module docstring)."""
    if len(label) > MAX_LABEL_CHARS:
        return False
    words = label.split()
    if not 1 <= len(words) <= 4:
        return False
    first = words[0]
    if not (first[0].isupper() or _role_word(first)):
        return False
    for position, word in enumerate(words[1:], start=1):
        if word[0].isupper() or word[0].isdigit():
            continue
        if word in NAME_PARTICLES and position < len(words) - 1:
            continue
        return False
    return True


def _role_word(word: str) -> bool:
    return word.rstrip("0123456789").casefold() in ROLE_WORDS


def is_known_role(label: str) -> bool:
    """True for role labels such as "Intervjuer", "Informant 2", "I1", "r"."""
    return _role_word(label.split()[0])


class _Candidate:
    __slots__ = ("body_start", "label", "start", "timestamp")

    def __init__(self, start: int, body_start: int, label: str, timestamp: float | None):
        self.start = start
        self.body_start = body_start
        self.label = label
        self.timestamp = timestamp


def _candidates(text: str) -> list[_Candidate]:
    found: dict[int, _Candidate] = {}
    for match in _COLON_LINE.finditer(text):
        label = " ".join(match["label"].split())
        if not label_shape_ok(label):
            continue
        stamp = match["ts"] or match["ts2"]
        timestamp = parse_timestamp(stamp) if stamp else None
        if stamp and timestamp is None:
            continue
        found[match.start()] = _Candidate(match.start(), match.end(), label, timestamp)
    for match in _HEADING_LINE.finditer(text):
        if match.start() in found:
            continue
        label = " ".join((match["label"] or match["label2"]).split())
        timestamp = parse_timestamp(match["ts"] or match["ts2"])
        if timestamp is None or not label_shape_ok(label):
            continue
        found[match.start()] = _Candidate(match.start(), match.end(), label, timestamp)
    return [found[key] for key in sorted(found)]


def _accepted(candidates: list[_Candidate]) -> list[_Candidate]:
    counts: dict[str, int] = {}
    for cand in candidates:
        key = cand.label.casefold()
        counts[key] = counts.get(key, 0) + 1
    if all(count < 2 for count in counts.values()):
        return candidates
    return [c for c in candidates
            if counts[c.label.casefold()] >= 2 or is_known_role(c.label)]


def _skip_space(text: str, pos: int, limit: int) -> int:
    while pos < limit and text[pos].isspace():
        pos += 1
    return pos


def _rtrim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def parse_turns(text: str) -> list[Turn]:
    """Speaker turns in text order; together they cover every non-whitespace character."""
    first = _skip_space(text, 0, len(text))
    labels = _accepted(_candidates(text))
    if not labels:
        end = _rtrim(text, first, len(text))
        return [Turn(first, first, end, None, None)] if end > first else []
    stamp_lines = {m.end(): m for m in _TS_ONLY_LINE.finditer(text)}
    for cand in labels:
        above = stamp_lines.get(cand.start)
        if above is not None and cand.timestamp is None:
            cand.timestamp = parse_timestamp(above["ts"])
            cand.start = above.start()
    turns: list[Turn] = []
    header_end = _rtrim(text, first, labels[0].start)
    if header_end > first:
        turns.append(Turn(first, first, header_end, None, None))
    for index, cand in enumerate(labels):
        limit = labels[index + 1].start if index + 1 < len(labels) else len(text)
        body_start = _skip_space(text, cand.body_start, limit)
        end = _rtrim(text, body_start, limit)
        if body_start == end:  # a label with no speech: keep the turn, with an empty body
            body_start = end = cand.body_start
        start = _skip_space(text, cand.start, cand.body_start)
        turns.append(Turn(start, body_start, end, cand.label, cand.timestamp))
    return turns


def parse_paragraphs(text: str) -> list[tuple[int, int]]:
    """Blocks separated by blank lines; one per non-empty line if the text has no blank lines."""
    spans: list[tuple[int, int]] = []
    if _BLANK_RUN.search(text) is None:
        for match in _NON_EMPTY_LINE.finditer(text):
            start = _skip_space(text, match.start(), match.end())
            spans.append((start, _rtrim(text, start, match.end())))
        return spans
    pos = 0
    for match in _BLANK_RUN.finditer(text):
        _append_trimmed(text, pos, match.start(), spans)
        pos = match.end()
    _append_trimmed(text, pos, len(text), spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    start = _skip_space(text, start, end)
    end = _rtrim(text, start, end)
    if end > start:
        spans.append((start, end))
