"""A researcher's search query: words, "phrases", prefix*, AND / OR / NOT and parentheses.

The query is parsed here into a small tree and compiled to an FTS5 expression over the two
columns of the word index (`surface`: lowercase words as written, `lemma`: their lemmas), so
that no punctuation a researcher types («, -, :) can reach FTS5 as syntax. Words next to each
other are ANDed. The same tree highlights the matching words of a hit (`highlight`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from casecoder.errors import UserError
from casecoder.nlp.lemmas import WORD, Lemmatizer

_LEX = re.compile(r'"([^"]*)"?|(\()|(\))|([^\s()"]+)')
_OPERATORS = ("AND", "OR", "NOT")


@dataclass(frozen=True)
class Term:
    """One word or phrase; `prefix` = the last word ends in *."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Op:
    op: str  # AND, OR, NOT (binary: left NOT right)
    left: Node
    right: Node


Node = Term | Op


def parse(query: str) -> Node:
    """Parse a query; raises UserError with a one-line reason when it cannot be read."""
    tokens: list[str | Term] = []
    for phrase, opening, closing, bare in _LEX.findall(query):
        if opening or closing:
            tokens.append(opening or closing)
        elif bare in _OPERATORS:
            tokens.append(bare)
        else:
            text = phrase if phrase or not bare else bare
            found = [w.lower() for w in WORD.findall(text)]
            if found:
                tokens.append(Term(tuple(found), prefix=text.rstrip().endswith("*")))
    if not tokens:
        raise UserError(f"search query {query!r} has no words to look for")
    parser = _Parser(tokens, query)
    node = parser.expression()
    if parser.pos != len(tokens):
        raise UserError(f"search query {query!r}: unexpected {tokens[parser.pos]!r}")
    return node


class _Parser:
    def __init__(self, tokens: list[str | Term], query: str) -> None:
        self.tokens, self.query, self.pos = tokens, query, 0

    def _peek(self) -> str | Term | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def expression(self) -> Node:
        node = self._and()
        while self._peek() == "OR":
            self.pos += 1
            node = Op("OR", node, self._and())
        return node

    def _and(self) -> Node:
        node = self._not()
        while True:
            nxt = self._peek()
            if nxt == "AND":
                self.pos += 1
            elif nxt is None or nxt in ("OR", "NOT", ")"):
                return node
            node = Op("AND", node, self._not())

    def _not(self) -> Node:
        node = self._primary()
        while self._peek() == "NOT":
            self.pos += 1
            node = Op("NOT", node, self._primary())
        return node

    def _primary(self) -> Node:
        tok = self._peek()
        if isinstance(tok, Term):
            self.pos += 1
            return tok
        if tok == "(":
            self.pos += 1
            node = self.expression()
            if self._peek() != ")":
                raise UserError(f"search query {self.query!r}: a '(' is not closed")
            self.pos += 1
            return node
        if tok == "NOT":
            raise UserError(f"search query {self.query!r}: NOT needs words before it "
                            "(as in: partner NOT erasmus)")
        what = "the end" if tok is None else repr(tok)
        raise UserError(f"search query {self.query!r}: expected words, found {what}")


def positive_terms(node: Node) -> list[Term]:
    """The terms a hit matches (not those after NOT): what to highlight."""
    if isinstance(node, Term):
        return [node]
    if node.op == "NOT":
        return positive_terms(node.left)
    return positive_terms(node.left) + positive_terms(node.right)


def _quote(words: Sequence[str]) -> str:
    return '"' + " ".join(words) + '"'


def compile_fts(node: Node, lemmatizers: Sequence[Lemmatizer], *, exact: bool) -> str:
    """The FTS5 MATCH expression for a parsed query (fully parenthesised)."""
    if isinstance(node, Op):
        return (f"({compile_fts(node.left, lemmatizers, exact=exact)} {node.op} "
                f"{compile_fts(node.right, lemmatizers, exact=exact)})")
    star = "*" if node.prefix else ""
    alternatives = [f"surface : {_quote(node.words)}{star}"]
    if not exact:
        seen = set()
        for lem in lemmatizers:
            lemmas = tuple(lem.lemma(w) for w in node.words)
            if node.prefix:  # the word being typed stays as written: "partner*"
                lemmas = (*lemmas[:-1], node.words[-1])
            if lemmas not in seen:
                seen.add(lemmas)
                alternatives.append(f"lemma : {_quote(lemmas)}{star}")
    return "(" + " OR ".join(alternatives) + ")"


def highlight(text: str, node: Node, lemma_of: Callable[[str], str], *,
              exact: bool, lemmatizers: Sequence[Lemmatizer] = ()) -> list[tuple[int, int]]:
    """[start, end) offsets (into text) of the words a hit matched, merged for phrases."""
    tokens = [(m.start(), m.end(), m.group().lower()) for m in WORD.finditer(text)]
    forms = [t[2] for t in tokens]
    lemmas = forms if exact else [lemma_of(f) for f in forms]
    spans: list[tuple[int, int]] = []
    for term in positive_terms(node):
        n = len(term.words)
        targets = [set([w]) for w in term.words]
        if not exact:
            for i, w in enumerate(term.words):
                targets[i].update(lem.lemma(w) for lem in lemmatizers)
        for i in range(len(tokens) - n + 1):
            ok = True
            for j in range(n):
                form, lemma, want = forms[i + j], lemmas[i + j], targets[j]
                last = j == n - 1
                if term.prefix and last:
                    hit = form.startswith(term.words[j]) or lemma.startswith(term.words[j])
                else:
                    hit = form in want or lemma in want
                if not hit:
                    ok = False
                    break
            if ok:
                spans.append((tokens[i][0], tokens[i + n - 1][1]))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged
