"""The spaCy component that finds sentence boundaries with casecoder's rules.

Imported only by load_pipeline (it imports spaCy, which costs most of a second). In a blank
pipeline it replaces spaCy's sentencizer: it applies the sentencizer's rule (with the same
sentence-final characters) and the transcript fixes in one pass over cached token flags, which
is about a third faster than running the sentencizer and then a fixer over its output. After a
trained parser or senter it only refines (line breaks, openers). Starts are written back with one
`doc.from_array` call, because setting `Token.is_sent_start` token by token rescans the doc
and doubled the run time.
"""

from __future__ import annotations

import numpy
from spacy.attrs import ORTH, SENT_START, SPACY
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc
from spacy.vocab import Vocab

from casecoder.nlp.rules import SentenceRules

SENTENCES = "casecoder_sentencizer"


def rules_for(language: str) -> SentenceRules:
    return SentenceRules.for_language(language, Sentencizer.default_punct_chars)


class CasecoderSentencizer:
    """Sets sentence starts; refine=True keeps a trained model's starts and only adds to them."""

    def __init__(self, vocab: Vocab, language: str, refine: bool) -> None:
        self.strings = vocab.strings
        self.rules = rules_for(language)
        self.refine = refine

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc) or doc.has_annotation("DEP"):  # a parse fixes boundaries: leave it
            return doc
        array = doc.to_array([ORTH, SPACY, SENT_START])  # uint64: orth ids are hashes
        flags = self.rules.flags_of(array[:, 0].tolist(), self.strings.__getitem__)
        signed = array[:, 1:].astype(numpy.int64)  # sentence starts are 1 / -1 / 0
        space_after = signed[:, 0].tolist()
        if self.refine:
            starts = self.rules.refine(flags, space_after, signed[:, 1].tolist())
        else:
            starts = self.rules.starts(flags, space_after)
        values = numpy.asarray(starts, dtype=numpy.int64).view(numpy.uint64)  # -1 as spaCy has it
        doc.from_array([SENT_START], values.reshape(-1, 1))  # type: ignore[arg-type]  # thinc's Ints2d is any 2-d integer ndarray
        return doc


@Language.factory(SENTENCES, default_config={"refine": False})
def make_casecoder_sentencizer(nlp: Language, name: str, refine: bool) -> CasecoderSentencizer:
    return CasecoderSentencizer(nlp.vocab, nlp.lang or "", refine)
