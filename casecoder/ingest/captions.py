"""Caption files (WebVTT, SubRip) from Teams, Zoom and Whisper, turned into speaker turns.

Captions cut speech into cues of a few seconds, which is the wrong unit for coding, so cues of
the same speaker are merged into one turn and the text is written one turn per line:
"Name: speech" (no timestamps in the text; each turn keeps its first cue's start time).

Where the speaker comes from:
- Teams and Whisper diarisation: WebVTT voice tags, `<v Kari Nordmann>...</v>`;
- Zoom: "Kari Nordmann: " at the start of the cue text. Any cue text may start with "Word:",
  so a prefix counts as a speaker only if it passes the transcript label rules or occurs at the
  start of at least two cues.

Cues without a speaker (plain Whisper output) are merged too, but a new line starts after a
cue that ends a sentence once the current line holds about MAX_UNLABELLED_CHARS characters:
otherwise an hour of speech would become one paragraph with one timestamp.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from casecoder.errors import ImportFileError
from casecoder.ingest.model import Turn
from casecoder.ingest.text import describe
from casecoder.ingest.transcript import label_shape_ok

MAX_UNLABELLED_CHARS = 600

_VOICE = re.compile(r"<v(?:\.[^\s>]+)*[ \t]+([^>]*)>")
_TAG = re.compile(r"<[^>]*>")
_ASS_TAG = re.compile(r"\{\\[^}]*\}")
_PREFIX = re.compile(r"^([^:\n]{1,40}?):[ \t]+(?=\S)")
_SENTENCE_END = re.compile(r"[.!?…][\"»”’')\]]*$")


@dataclass
class _Cue:
    start: float
    speaker: str | None
    text: str


def read_vtt(path: Path, text: str) -> tuple[str, tuple[Turn, ...], tuple[str, ...]]:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise ImportFileError(f"{path}: not a valid WebVTT file ({describe(exc)})") from exc
    except Exception as exc:  # untrusted input: any parser failure means a bad file
        raise ImportFileError(f"{path}: not a valid WebVTT file ({describe(exc)})") from exc
    cues: list[_Cue] = []
    for caption in captions:
        start = caption.start_time.in_milliseconds() / 1000
        cues.extend(_voice_cues(start, caption.lines))
    return _assemble(path, cues)


def read_srt(path: Path, text: str) -> tuple[str, tuple[Turn, ...], tuple[str, ...]]:
    import srt

    try:
        subtitles = list(srt.parse(text))
    except Exception as exc:  # srt raises SRTParseError, ValueError, TimestampParseError
        raise ImportFileError(f"{path}: not a valid SubRip file ({describe(exc)})") from exc
    cues = [
        _Cue(sub.start.total_seconds(), None, _clean(sub.content.split("\n")))
        for sub in subtitles
    ]
    return _assemble(path, cues)


def _voice_cues(start: float, lines: Iterable[str]) -> list[_Cue]:
    """Split one cue's lines by voice tags; a voice lasts until the next one in the cue."""
    parts: list[_Cue] = []
    voice: str | None = None
    pieces: list[str] = []
    for line in lines:
        pos = 0
        for match in _VOICE.finditer(line):
            pieces.append(line[pos:match.start()])
            name = _clean([match[1]]) or None
            if name != voice:
                _flush(parts, start, voice, pieces)
                pieces = []
                voice = name
            pos = match.end()
        pieces.append(line[pos:])
    _flush(parts, start, voice, pieces)
    return parts


def _flush(parts: list[_Cue], start: float, voice: str | None, pieces: list[str]) -> None:
    text = _clean(pieces)
    if text:
        parts.append(_Cue(start, voice, text))


def _clean(pieces: Iterable[str]) -> str:
    """Cue text without tags and entities, on one line."""
    joined = " ".join(_ASS_TAG.sub("", _TAG.sub("", piece)) for piece in pieces)
    return unicodedata.normalize("NFC", " ".join(html.unescape(joined).split()))


def _zoom_speakers(cues: list[_Cue]) -> None:
    """Move "Name: " prefixes into the speaker of cues that have no voice tag."""
    found: list[tuple[_Cue, str, int]] = []
    counts: dict[str, int] = {}
    for cue in cues:
        match = _PREFIX.match(cue.text) if cue.speaker is None else None
        if match:
            name = " ".join(match[1].split())
            found.append((cue, name, match.end()))
            counts[name] = counts.get(name, 0) + 1
    for cue, name, speech_start in found:
        if counts[name] >= 2 or label_shape_ok(name):
            cue.speaker = name
            cue.text = cue.text[speech_start:]


def _assemble(
    path: Path, cues: list[_Cue]
) -> tuple[str, tuple[Turn, ...], tuple[str, ...]]:
    cues = [cue for cue in cues if cue.text]
    if not cues:
        raise ImportFileError(f"{path}: the caption file has no cues with text")
    _zoom_speakers(cues)
    merged: list[_Cue] = []
    for cue in cues:
        last = merged[-1] if merged else None
        if last is not None and last.speaker == cue.speaker and not (
            cue.speaker is None
            and len(last.text) >= MAX_UNLABELLED_CHARS
            and _SENTENCE_END.search(last.text)
        ):
            last.text = f"{last.text} {cue.text}"
        else:
            merged.append(_Cue(cue.start, cue.speaker, cue.text))
    lines: list[str] = []
    turns: list[Turn] = []
    offset = 0
    for turn in merged:
        label = f"{turn.speaker}: " if turn.speaker else ""
        line = label + turn.text
        turns.append(Turn(offset, offset + len(label), offset + len(line), turn.speaker,
                          turn.start))
        lines.append(line)
        offset += len(line) + 1
    return "\n".join(lines), tuple(turns), ()
