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
from collections.abc import Callable, Sequence

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

_OPENERS = frozenset("«([{“„‚‘‹")
_CLOSERS = frozenset("»)]}”’›")
_INITIAL = re.compile(r"[^\W\d_]\.")


class SentenceRules:
    """Boundary decisions for one language; cheap to call once per doc."""

    def __init__(self, protected: Sequence[str] = ()) -> None:
        self.protected = frozenset(a.casefold() for a in protected)
        self._flags: dict[int, int] = {}

    @classmethod
    def for_language(cls, language: str) -> SentenceRules:
        return cls(PROTECTED_BY_LANGUAGE.get(language, ()))

    def classify(self, text: str) -> int:
        """Flags of one token text (see the constants above)."""
        if not text or text.isspace():
            breaks = text.count("\n")
            return SPACE | (NL2 if breaks >= 2 else NL1 if breaks == 1 else 0)
        flags = 0
        first = text[0]
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

    def starts(self, flags: Sequence[int], base: Sequence[int], space_after: Sequence[int],
               full: bool = True) -> list[int]:
        """1 where a sentence starts, -1 elsewhere.

        `base` holds the pipeline's own sentence starts (1 = start), `space_after` whether a
        token is followed by a space. With full=False (a trained parser or senter decided the
        boundaries) only line breaks are added and starts are moved off spaces and onto an
        opening bracket or quote; nothing the model decided is removed.
        """
        count = len(flags)
        out = [-1] * count
        prev_sig = -1  # last token that is neither whitespace nor an opener
        prev_term = 0  # flags of the last such token that is not a closer either
        newlines = 0
        pending = -1  # first opener of the run just before the current token
        bracket = anon = base_pending = False
        for i in range(count):
            fi = flags[i]
            if fi & SPACE:
                if fi & NL2:
                    newlines = 2
                elif fi & NL1:
                    newlines += 1
                if base[i] == 1:
                    base_pending = True
                continue
            if fi & OPEN or (
                fi & QUOTE and not space_after[i] and i + 1 < count
                and (i == 0 or space_after[i - 1] or flags[i - 1] & SPACE)
            ):
                if pending < 0:
                    pending = i
                bracket = bracket or bool(fi & BRACKET)
                anon = anon or bool(fi & ANON)
                base_pending = base_pending or base[i] == 1
                continue
            if prev_sig < 0 or newlines >= 2:
                start = True
            elif newlines == 1:
                start = not fi & LOWER or (not full and (base[i] == 1 or base_pending))
            elif not full:
                start = base[i] == 1 or base_pending
            elif fi & (CLOSE | QUOTE):  # not an opener, so a closing quote
                start = False
            elif base[i] == 1 or base_pending:
                start = bracket or not fi & LOWER
            elif prev_term & END_IF_UPPER:
                start = bool(fi & UPPER) or anon
            else:
                start = False
            if start:
                out[pending if pending >= 0 else i] = 1
            prev_sig = i
            if not fi & (CLOSE | QUOTE):
                prev_term = fi
            newlines = 0
            pending = -1
            bracket = anon = base_pending = False
        if count:  # spaCy's first token always starts a sentence
            out[0] = 1
        return out
