"""Sentence offsets for regions of a text (speaker turn bodies), never crossing a region.

Each region becomes its own spaCy doc, so a sentence can never run from one speaker into the
next or swallow a speaker label. Regions longer than MAX_CHUNK_CHARS (a label-free text can be
one 50 MB "turn") are cut at blank lines, line breaks or spaces first: spaCy refuses texts over
a million characters and its memory grows with the doc.

Offsets are read from whole token arrays for many docs at once (numpy), not from Span objects,
which keeps the cost per word a fraction of tokenization.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import numpy

MAX_CHUNK_CHARS = 100_000
_BATCH_TOKENS = 200_000
_KEEP = frozenset({"tok2vec", "transformer", "parser", "senter", "sentencizer",
                   "casecoder_sentencizer"})
_CUTS = (re.compile(r"\n[ \t]*\n\s*"), re.compile(r"\n\s*"), re.compile(r"\s+"))


def split_sentences(text: str, spans: Sequence[tuple[int, int]], language: str,
                    model: str | None = None) -> list[tuple[int, int]]:
    """[start, end) of every sentence inside the given spans, whitespace-trimmed, in order."""
    pieces = [piece for start, end in spans for piece in _chunks(text, start, end)]
    if not pieces:
        return []
    from spacy.attrs import IDX, IS_SPACE, LENGTH, ORTH, SENT_START, SPACY

    from casecoder.nlp.components import rules_for
    from casecoder.nlp.pipeline import load_pipeline

    nlp = load_pipeline(language, model)
    disable = [name for name in nlp.pipe_names if name not in _KEEP]
    light_rules = None
    sentences: list[tuple[int, int]] = []
    arrays: list[numpy.ndarray] = []
    tokens = 0
    docs = nlp.pipe((text[start:end] for start, end in pieces), batch_size=256,
                    disable=disable)
    for (offset, _end), doc in zip(pieces, docs, strict=True):
        if not len(doc):
            continue
        array = doc.to_array([SENT_START, IDX, LENGTH, IS_SPACE]).astype(numpy.int64)
        if doc.has_annotation("DEP"):
            # A parsed doc's boundaries cannot be rewritten in place; apply the light rules
            # (line breaks, openers) to the array instead.
            if light_rules is None:
                light_rules = rules_for(nlp.lang or "")
            extra = doc.to_array([ORTH, SPACY])  # uint64: orth ids are hashes
            flags = light_rules.flags_of(extra[:, 0].tolist(), nlp.vocab.strings.__getitem__)
            array[:, 0] = light_rules.refine(flags, extra[:, 1].astype(numpy.int64).tolist(),
                                             array[:, 0].tolist())
        array[0, 0] = 1
        array[:, 1] += offset
        arrays.append(array)
        tokens += len(array)
        if tokens >= _BATCH_TOKENS:
            sentences.extend(_offsets(arrays))
            arrays, tokens = [], 0
    if arrays:
        sentences.extend(_offsets(arrays))
    return sentences


def _offsets(arrays: list[numpy.ndarray]) -> Iterator[tuple[int, int]]:
    """Sentence spans from stacked token rows (sent_start, idx, length, is_space)."""
    array = numpy.concatenate(arrays) if len(arrays) > 1 else arrays[0]
    begins = numpy.flatnonzero(array[:, 0] == 1)
    space = array[:, 3] == 1
    far = numpy.iinfo(numpy.int64).max
    first_chars = numpy.minimum.reduceat(numpy.where(space, far, array[:, 1]), begins)
    last_chars = numpy.maximum.reduceat(
        numpy.where(space, -1, array[:, 1] + array[:, 2]), begins)
    keep = last_chars > first_chars  # a sentence of whitespace only has no characters
    return zip(first_chars[keep].tolist(), last_chars[keep].tolist(), strict=True)


def _chunks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The span, trimmed, cut into pieces of at most MAX_CHUNK_CHARS at the best break."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_CHUNK_CHARS:
        limit = start + MAX_CHUNK_CHARS
        cut_start = cut_end = limit
        for pattern in _CUTS:
            best = None
            for match in pattern.finditer(text, start + MAX_CHUNK_CHARS // 2, limit):
                best = match
            if best is not None:
                cut_start, cut_end = best.start(), best.end()
                break
        piece_end = cut_start
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end > start:
            yield start, piece_end
        start = cut_end
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end
