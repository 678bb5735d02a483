"""Code suggestions learned from a researcher's own codings: TF-IDF over lemmas, nearest examples.

Every coding of the coder (manual ones only by default: autocoded passages would teach the
model its own search) is one example: the lemmas of its text, weighted by TF-IDF (sublinear term
frequency, smoothed inverse document frequency over the examples, vectors of unit length). A
unit (a sentence or turn not yet coded) is compared with every example by cosine similarity
through an inverted index (postings per lemma), so no examples x vocabulary matrix is ever
built. The K most similar examples vote for their codes with their similarity; a code's score
is its share of the votes, and its two or three most similar examples are the explanation.

Suggestions are only ever returned: nothing here writes to the project. The same project state
gives the same suggestions (examples in a fixed order, ties broken by code path and position).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from casecoder.errors import UserError
from casecoder.nlp.lemmas import WORD, lemmatizer

#: Nearest examples that vote.
NEIGHBOURS = 10
#: Examples shown per suggested code.
EXAMPLES = 3


@dataclass(frozen=True)
class Example:
    """A coded passage behind a suggestion."""

    document: str
    start: int
    end: int
    text: str
    similarity: float


@dataclass(frozen=True)
class CodeSuggestion:
    code: str  # path
    score: float
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class UnitSuggestion:
    unit: str
    number: int
    start: int
    end: int
    text: str
    codes: tuple[CodeSuggestion, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "number": self.number, "start": self.start, "end": self.end,
                "text": self.text,
                "codes": [{"code": c.code, "score": round(c.score, 4),
                           "examples": [{"document": e.document, "start": e.start,
                                         "end": e.end, "text": e.text,
                                         "similarity": round(e.similarity, 4)}
                                        for e in c.examples]}
                          for c in self.codes]}


def terms(text: str, language: str) -> list[str]:
    """The lemmas a passage is compared by: words of three letters or more, no numbers."""
    lemma = lemmatizer(language).lemma
    return [lemma(w) for w in (m.group().lower() for m in WORD.finditer(text))
            if len(w) > 2 and not w.isdigit()]


class SuggestionModel:
    """Examples (coded passages) indexed for cosine similarity by lemma."""

    def __init__(self, examples: Sequence[tuple[str, str, int, int, str, list[str]]]) -> None:
        """examples: (code path, document, start, end, text, terms), in a fixed order."""
        self.codes = [e[0] for e in examples]
        self.examples = [Example(e[1], e[2], e[3], e[4], 0.0) for e in examples]
        df: dict[str, int] = {}
        counted = []
        for *_, words in examples:
            tf: dict[str, int] = {}
            for w in words:
                tf[w] = tf.get(w, 0) + 1
            counted.append(tf)
            for w in tf:
                df[w] = df.get(w, 0) + 1
        n = len(examples)
        self.idf = {w: math.log((1 + n) / (1 + d)) + 1.0 for w, d in df.items()}
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, tf in enumerate(counted):
            weights = {w: (1.0 + math.log(c)) * self.idf[w] for w, c in tf.items()}
            norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
            for w in sorted(weights):
                ids, vals = postings.setdefault(w, ([], []))
                ids.append(i)
                vals.append(weights[w] / norm)
        self.postings = {w: (np.asarray(ids, dtype=np.int64), np.asarray(vals))
                         for w, (ids, vals) in postings.items()}
        self.code_index = {c: k for k, c in enumerate(sorted(set(self.codes)))}
        self.code_names = sorted(self.code_index)
        self.example_code = np.asarray([self.code_index[c] for c in self.codes],
                                       dtype=np.int64)

    def __len__(self) -> int:
        return len(self.examples)

    def similarities(self, words: Iterable[str]) -> np.ndarray:
        """Cosine similarity of a passage (its lemmas) to every example."""
        tf: dict[str, int] = {}
        for w in words:
            if w in self.idf:
                tf[w] = tf.get(w, 0) + 1
        sims = np.zeros(len(self.examples))
        if not tf:
            return sims
        weights = {w: (1.0 + math.log(c)) * self.idf[w] for w, c in sorted(tf.items())}
        norm = math.sqrt(sum(v * v for v in weights.values()))
        ids = np.concatenate([self.postings[w][0] for w in weights])
        vals = np.concatenate([self.postings[w][1] * (weights[w] / norm) for w in weights])
        return np.bincount(ids, weights=vals, minlength=len(self.examples))

    def suggest(self, words: Iterable[str], top: int = 3) -> list[CodeSuggestion]:
        """The top codes for a passage, best first, each with its nearest examples."""
        sims = self.similarities(words)
        if not len(sims) or sims.max() <= 0:
            return []
        # Nearest examples: stable order on (-similarity, example order) for determinism.
        order = np.lexsort((np.arange(len(sims)), -sims))
        near = [i for i in order[:NEIGHBOURS].tolist() if sims[i] > 0]
        total = float(sum(sims[i] for i in near))
        votes: dict[int, float] = {}
        for i in near:
            votes[int(self.example_code[i])] = votes.get(int(self.example_code[i]), 0.0) + \
                float(sims[i])
        ranked = sorted(votes.items(), key=lambda kv: (-kv[1], self.code_names[kv[0]]))[:top]
        out = []
        for code_id, vote in ranked:
            mine = [i for i in order.tolist() if self.example_code[i] == code_id
                    and sims[i] > 0][:EXAMPLES]
            examples = tuple(Example(self.examples[i].document, self.examples[i].start,
                                     self.examples[i].end, self.examples[i].text,
                                     float(sims[i])) for i in mine)
            out.append(CodeSuggestion(self.code_names[code_id], vote / total, examples))
        return out


def train(project: Any, *, coder: str | None = None, exclude_documents: Iterable[str] = (),
          include_autocoded: bool = False) -> SuggestionModel:
    """A model from one coder's codings (default: the project's current coder)."""
    name = coder or project.coder_name
    known = {c.name for c in project.coders()}
    if name not in known:
        raise UserError(f"{name} has no codings yet to learn from; code some passages first")
    excluded = {d.casefold() for d in exclude_documents}
    languages = {d.id: d.language for d in project.documents()}
    examples = []
    for c in project.iter_codings(coder=name):
        if c.document.casefold() in excluded or (c.autocoded and not include_autocoded):
            continue
        text = project.text(c.document_id)[c.start:c.end]
        examples.append((c.code_path, c.document, c.start, c.end, text,
                         terms(text, languages[c.document_id])))
    if not examples:
        raise UserError(f"{name} has no codings yet to learn from; code some passages first")
    return SuggestionModel(examples)


def suggest_document(project: Any, doc: str, *, top: int = 3, unit: str = "sentence",
                     coder: str | None = None, model: SuggestionModel | None = None,
                     include_coded: bool = False) -> list[UnitSuggestion]:
    """Suggestions for the units of a document the coder has not coded yet (or all)."""
    if unit not in ("sentence", "turn", "paragraph"):
        raise UserError(f"unit must be sentence, turn or paragraph, not {unit!r}")
    if top < 1:
        raise UserError("--top must be at least 1")
    d = project.document(doc)
    model = model or train(project, coder=coder)
    name = coder or project.coder_name
    text = project.text(d)
    coded: list[tuple[int, int]] = []
    if not include_coded and name in {c.name for c in project.coders()}:
        coded = sorted((c.start, c.end) for c in project.iter_codings(doc=d, coder=name))
    out = []
    for seg in project.segments(d, unit):
        if any(s < seg.end and e > seg.start for s, e in coded):
            continue
        piece = text[seg.start:seg.end]
        codes = model.suggest(terms(piece, d.language), top=top)
        if codes:
            out.append(UnitSuggestion(unit, seg.number, seg.start, seg.end, piece,
                                      tuple(codes)))
    return out


def suggest_span(project: Any, doc: str, start: int, end: int, *, top: int = 3,
                 model: SuggestionModel | None = None) -> list[CodeSuggestion]:
    """Suggestions for one passage (the workbench's selection)."""
    d = project.document(doc)
    model = model or train(project)
    return model.suggest(terms(project.text(d)[start:end], d.language), top=top)
