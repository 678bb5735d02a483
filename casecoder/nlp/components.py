"""The spaCy component that applies casecoder's sentence rules inside a pipeline.

Imported only by load_pipeline (it imports spaCy, which costs most of a second). The fixer
runs after the sentencizer, so `doc.sents` from a casecoder pipeline already has the repaired
boundaries; they are written back with one `doc.from_array` call, because setting
`Token.is_sent_start` token by token rescans the doc and doubled the run time.
"""

from __future__ import annotations

import numpy
from spacy.attrs import ORTH, SENT_START, SPACY
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from casecoder.nlp.rules import SentenceRules

FIXER = "casecoder_sentence_fixer"


class SentenceFixer:
    """Rewrites sentence starts; full=False only adds line breaks and moves starts (for
    pipelines whose boundaries come from a trained parser or senter)."""

    def __init__(self, vocab: Vocab, language: str, full: bool) -> None:
        self.strings = vocab.strings
        self.rules = SentenceRules.for_language(language)
        self.full = full

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) < 2 or doc.has_annotation("DEP"):  # a parse fixes boundaries: leave it
            return doc
        array = doc.to_array([ORTH, SENT_START, SPACY])  # uint64: orth ids are hashes
        flags = self.rules.flags_of(array[:, 0].tolist(), self.strings.__getitem__)
        signed = array[:, 1:].astype(numpy.int64)  # sentence starts are 1 / -1 / 0
        starts = self.rules.starts(flags, signed[:, 0].tolist(), signed[:, 1].tolist(),
                                   self.full)
        values = numpy.asarray(starts, dtype=numpy.int64).view(numpy.uint64)  # -1 as spaCy has it
        doc.from_array([SENT_START], values.reshape(-1, 1))
        return doc


@Language.factory(FIXER, default_config={"full": True})
def make_sentence_fixer(nlp: Language, name: str, full: bool) -> SentenceFixer:
    return SentenceFixer(nlp.vocab, nlp.lang, full)
