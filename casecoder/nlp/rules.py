"""Sentence-boundary rules that repair what spaCy's rule-based sentencizer gets wrong in
interview transcripts (see ENGINEERING.md: alone it found only two thirds of the sentence ends
in a hand-labelled Norwegian transcript).

The sentencizer starts a sentence after ".", "!" or "?" and nothing else. In transcripts that
misses a sentence that ends in a number ("i 2014. Så ..." - the Norwegian tokenizer keeps "2014."
whole, as an ordinal), in "osv." or "m.m.", or in "...", it ignores line breaks, and it leaves an
opening «quote» or (bracket) at the end of the previous sentence. It also splits where a
Norwegian reader would not: before a lowercase word ("«Hei!» sa hun").

The rules work on token flags computed once per distinct token text (cached by its orth id), so
the per-token work is a few integer tests. This module does not import spaCy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

# Abbreviations after which a sentence never ends (the next word is usually a name or a number
# and often capitalised: "bl.a. Universitetet i Oslo", "prof. Hansen", "kap. 3").
NB_PROTECTED = (
    "f.eks.", "bl.a.", "dvs.", "ca.", "nr.", "kl.", "prof.", "avd.", "kap.", "fig.", "forts.",
    "jf.", "jfr.", "mht.", "m.h.t.", "evt.", "ev.", "pga.", "p.g.a.", "iht.", "i.h.t.", "ift.",
    "ifm.", "iflg.", "vha.", "mtp.", "m.a.o.", "dr.", "st.", "sml.", "vs.", "ang.", "vedr.",
    "inkl.", "ekskl.", "tlf.", "pkt.", "adm.", "dir.", "f.o.m.", "t.o.m.", "pr.", "ref.",
    "s.", "tab.", "vol.", "hhv.",
)
# Abbreviations that often end a sentence. They are added to the tokenizer so that each stays
# one token; like every token ending in ".", they end a sentence before a capitalised word.
NB_FINAL = ("osv.", "mv.", "m.v.", "m.m.", "mm.", "m.fl.", "mfl.", "o.l.", "ol.", "e.l.",
            "etc.", "o.a.", "osb.")
EN_PROTECTED = (
    "e.g.", "i.e.", "cf.", "vs.", "mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "no.", "nos.",
    "approx.", "ca.", "incl.", "fig.", "figs.", "dept.", "sr.", "vol.", "pp.", "p.", "ch.",
    "sec.", "eq.", "viz.", "resp.",
)
EN_FINAL = ("etc.", "inc.", "ltd.", "co.", "jr.", "al.")

PROTECTED_BY_LANGUAGE: dict[str, tuple[str, ...]] = {"nb": NB_PROTECTED, "nn": NB_PROTECTED,
                                                      "en": EN_PROTECTED}
FINAL_BY_LANGUAGE: dict[str, tuple[str, ...]] = {"nb": NB_FINAL, "nn": NB_FINAL,
                                                  "en": EN_FINAL}

# Token flags.
SPACE = 1
NL1 = 2  # a whitespace token holding exactly one line break
NL2 = 4  # a whitespace token holding a blank line
OPEN = 8  # always an opening bracket or quote
QUOTE = 16  # an ASCII quote: opening or closing depending on the spaces around it
CLOSE = 32
BRACKET = 64  # "(" or "[": transcribers' annotations "(ler)", "[institusjonen]" start sentences
ANON = 128  # "[": an anonymised name may start a sentence in lowercase ("[institusjonen] har")
LOWER = 256
UPPER = 512
END_IF_UPPER = 1024  # "2014.", "osv.", "...", "stk.": a boundary before a capitalised word
PROTECTED = 2048
TERMINAL = 4096  # ".", "!", "?" (and the sentencizer's other sentence-final characters)
PUNCT = 8192  # punctuation only: stays with the sentence it follows

_OPENERS = frozenset("«([{“„‚‘‹")
_CLOSERS = frozenset("»)]}”’›")
_INITIAL = re.compile(r"[^\W\d_]\.")
DEFAULT_TERMINALS = frozenset(".!?‼‽⁇⁈⁉。！？．｡")


class SentenceRules:
    """Boundary decisions for one language; cheap to call once per doc."""

    def __init__(self, protected: Sequence[str] = (),
                 terminals: Iterable[str] = DEFAULT_TERMINALS) -> None:
        self.protected = frozenset(a.casefold() for a in protected)
        self.terminals = frozenset(terminals)
        self._flags: dict[int, int] = {}

    @classmethod
    def for_language(cls, language: str,
                     terminals: Iterable[str] = DEFAULT_TERMINALS) -> SentenceRules:
        """Rules for a language; pass spaCy's Sentencizer.default_punct_chars as terminals to
        end sentences exactly where its sentencizer would (every script it knows)."""
        return cls(PROTECTED_BY_LANGUAGE.get(language, ()), terminals)

    def classify(self, text: str) -> int:
        """Flags of one token text (see the constants above)."""
        if not text or text.isspace():
            breaks = text.count("\n")
            return SPACE | (NL2 if breaks >= 2 else NL1 if breaks == 1 else 0)
        flags = 0
        first = text[0]
        if all(unicodedata.category(char).startswith("P") for char in text):
            flags |= PUNCT
            if all(char in self.terminals for char in text):
                flags |= TERMINAL
        if len(text) == 1:
            if first in _OPENERS:
                flags |= OPEN | (BRACKET if first in "([" else 0) | (ANON if first == "[" else 0)
            elif first in _CLOSERS:
                flags |= CLOSE
            elif first in "\"'":
                flags |= QUOTE
        if first.islower():
            flags |= LOWER
        elif first.isupper():
            flags |= UPPER
        if text.endswith((".", "…")) and text != ".":
            # "2014.", "osv.", "stk.", "...", "ja…": a sentence may end here, and does if the
            # next word is capitalised; the protected abbreviations and initials never end one.
            if text.casefold() in self.protected or _INITIAL.fullmatch(text):
                flags |= PROTECTED
            else:
                flags |= END_IF_UPPER
        return flags

    def flags_of(self, orths: Sequence[int], lookup: Callable[[int], str]) -> list[int]:
        """Flags for a doc's tokens, computing each distinct token text only once per process."""
        cache = self._flags
        out = []
        for orth in orths:
            flags = cache.get(orth)
            if flags is None:
                flags = cache[orth] = self.classify(lookup(orth))
            out.append(flags)
        return out

    def starts(self, flags: Sequence[int], space_after: Sequence[int]) -> list[int]:
        """1 where a sentence starts, -1 elsewhere: the full rules, for pipelines without a
        trained parser or senter.

        The sentencizer's own rule is part of it (after ".", "!" or "?" and any punctuation
        that follows, the next word starts a sentence), so no separate sentencizer pass is
        needed. `space_after[i]` tells whether token i is followed by a space.
        """
        count = len(flags)
        out = [-1] * count
        seen = False  # a non-space, non-opener token has been seen
        after_terminal = False  # ".", "!" or "?" seen, and only punctuation since
        prev_term = 0  # flags of the last token that is not whitespace, opener or closer
        newlines = 0
        pending = -1  # first opener of the run just before the current token
        bracket = anon = False
        for i in range(count):
            fi = flags[i]
            if fi & SPACE:
                newlines += 2 if fi & NL2 else 1 if fi & NL1 else 0
                continue
            if fi & OPEN or (fi & QUOTE and self._opens(flags, space_after, i)):
                if pending < 0:
                    pending = i
                bracket = bracket or bool(fi & BRACKET)
                anon = anon or bool(fi & ANON)
                continue
            if not seen or newlines >= 2:
                start = True
            elif newlines == 1:  # a line break, unless the line continues in lowercase
                start = not fi & LOWER
            elif fi & (TERMINAL | PUNCT | CLOSE | QUOTE):
                start = False
            elif after_terminal:
                start = bracket or not fi & LOWER
            elif prev_term & END_IF_UPPER:
                start = bool(fi & UPPER) or anon
            else:
                start = False
            if start:
                out[pending if pending >= 0 else i] = 1
            seen = True
            if fi & TERMINAL:
                after_terminal = True
            elif not fi & (PUNCT | CLOSE | QUOTE):
                after_terminal = False
            if not fi & (CLOSE | QUOTE):
                prev_term = fi
            newlines = 0
            pending = -1
            bracket = anon = False
        if count:  # spaCy's first token always starts a sentence
            out[0] = 1
        return out

    def refine(self, flags: Sequence[int], space_after: Sequence[int],
               model_starts: Sequence[int]) -> list[int]:
        """The light rules, for boundaries a trained parser or senter decided (1 = start):
        line breaks are added, and starts are moved off whitespace and onto an opening bracket
        or quote; nothing the model decided is removed."""
        count = len(flags)
        out = [-1] * count
        seen = False
        newlines = 0
        pending = -1
        model_pending = False  # the model started a sentence on a space or an opener
        for i in range(count):
            fi = flags[i]
            if fi & SPACE:
                newlines += 2 if fi & NL2 else 1 if fi & NL1 else 0
                model_pending = model_pending or model_starts[i] == 1
                continue
            if fi & OPEN or (fi & QUOTE and self._opens(flags, space_after, i)):
                if pending < 0:
                    pending = i
                model_pending = model_pending or model_starts[i] == 1
                continue
            start = (not seen or newlines >= 2 or model_starts[i] == 1 or model_pending
                     or (newlines == 1 and not fi & LOWER))
            if start:
                out[pending if pending >= 0 else i] = 1
            seen = True
            newlines = 0
            pending = -1
            model_pending = False
        if count:
            out[0] = 1
        return out

    @staticmethod
    def _opens(flags: Sequence[int], space_after: Sequence[int], i: int) -> bool:
        """An ASCII quote opens when it is attached to the next token and not to the last."""
        return (not space_after[i] and i + 1 < len(flags)
                and (i == 0 or bool(space_after[i - 1]) or bool(flags[i - 1] & SPACE)))
