"""Moving offsets with a text that changes: the one position map of the exchange.

A pseudonymised copy replaces names, a CRLF export writes "\\r\\n" for every "\\n": both are a
list of replacements, and every offset (segments, codings, selections) moves with them. (The
other direction, positions in a file onto the stored text, is
`casecoder.ingest.text.normalise_with_positions`, where the canonical text is made.)
"""

from __future__ import annotations

from bisect import bisect_right


class OffsetMap:
    """Moves positions in an original text to the text with replacements applied.

    `replacements` are (start, end, new text), sorted and not overlapping. A start that falls
    inside a replaced span moves to the start of its replacement, an end inside one to the
    end of it, so a span never loses the words around a name.
    """

    def __init__(self, replacements: list[tuple[int, int, str]]) -> None:
        self.replacements = replacements
        self.starts = [start for start, _, _ in replacements]
        self.before: list[int] = []  # shift accumulated before each replacement
        shift = 0
        for start, end, new in replacements:
            self.before.append(shift)
            shift += len(new) - (end - start)

    def _map(self, pos: int, *, is_end: bool) -> int:
        i = bisect_right(self.starts, pos) - 1
        if i < 0:
            return pos
        start, end, new = self.replacements[i]
        shift = self.before[i]
        if pos >= end:
            return pos + shift + len(new) - (end - start)
        if pos == start or not is_end:
            return start + shift
        return start + shift + len(new)

    def start(self, pos: int) -> int:
        return self._map(pos, is_end=False)

    def end(self, pos: int) -> int:
        return self._map(pos, is_end=True)

    def apply(self, text: str) -> str:
        pieces, last = [], 0
        for start, end, new in self.replacements:
            pieces += [text[last:start], new]
            last = end
        pieces.append(text[last:])
        return "".join(pieces)


def crlf_map(text: str) -> OffsetMap:
    """The map of writing `text` with CRLF line ends: positions count the CR, as REFI-QDA
    requires of positions in the text as written."""
    replacements = []
    at = text.find("\n")
    while at != -1:
        replacements.append((at, at + 1, "\r\n"))
        at = text.find("\n", at + 1)
    return OffsetMap(replacements)
