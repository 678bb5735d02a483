"""Speaker records of a document: one per speaker label, with its turns and words.

Made at import from the turn segments (and by the schema-3 migration from an older project's
turns), so every label a transcript uses becomes a speaker that can carry attributes of its
own. Labels that name an interviewer are suggested as such: interviewers are not informants.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

#: Labels (casefolded, digits and punctuation dropped) that name the one asking the questions.
INTERVIEWER_LABELS = frozenset({
    "i", "int", "intervjuer", "intervjuar", "interviewer", "moderator", "fasilitator",
    "facilitator", "q", "spørsmål", "question",
})
_NOT_LETTERS = re.compile(r"[\W\d_]+")


def looks_like_interviewer(label: str) -> bool:
    """Whether a speaker label reads as the interviewer ("Intervjuer", "I", "Interviewer 2")."""
    folded = _NOT_LETTERS.sub("", label.casefold())
    return folded in INTERVIEWER_LABELS


def speaker_rows(text: str, turns: Iterable[Sequence[object]]
                 ) -> list[tuple[str, int, int, int]]:
    """(label, turns, words, interviewer) per speaker label, in order of first appearance.

    ``turns`` are (start, end, speaker) of the turn segments; unlabelled turns are not a
    speaker. Words are whitespace-separated tokens of the turn text, as documents count them.
    """
    found: dict[str, list[int]] = {}
    for start, end, speaker in turns:
        if not speaker:
            continue
        entry = found.setdefault(str(speaker), [0, 0])
        entry[0] += 1
        entry[1] += len(text[int(start):int(end)].split())  # type: ignore[call-overload]
    return [(label, n, words, int(looks_like_interviewer(label)))
            for label, (n, words) in found.items()]
