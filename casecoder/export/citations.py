"""The line under a quote, in the report's own style: `--cite "{role}, {case_type}"`.

A report attributes a quote the way its methods section promises ("a project leader, BIP"),
not with casecoder's working detail (document slug, sentence number, coder). The template is
the researcher's: any project attribute by name, plus the fields in `BUILTIN_FIELDS`. Every
format (Markdown, HTML, DOCX, XLSX, CSV, JSON) and the F7 dialog render the same template
through `Citation.render`, so a quote is cited identically wherever it is pasted from.

A field that is empty for a quote (a document with no role) is left out together with the
separator next to it, so "{role}, {case_type}" gives "BIP" rather than ", BIP"; a citation
with nothing left falls back to the document's name, so no quote is ever unattributed.

Templates are parsed with `string.Formatter().parse` but never run through `str.format`:
attribute access ("{role.__class__}"), indexing, conversions and format specs are refused,
so a template can only ever name fields.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from casecoder.errors import UserError

if TYPE_CHECKING:
    from casecoder.export.quotes import Quote

#: The study's own style: role and case type only ("project leader, BIP").
DEFAULT_CITE = "{role}, {case_type}"

#: Fields every quote has, beside the project's attributes (these win on a name clash).
BUILTIN_FIELDS = {
    "speaker": "the speaker of the sentence where the quote starts",
    "document": "the document's name",
    "case": "the document's case",
    "sentence": "the number of the sentence where the quote starts",
    "page": "the page where the quote starts (paged documents such as PDF)",
    "time": "the timestamp of that sentence, HH:MM:SS",
    "timestamp": "the same as time",
    "coder": "who coded the passage",
    "code": "the code's path",
    "theme": "the theme's path",
}

# Separators around a field that vanish with it, and brackets left empty.
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]|«\s*»|\"\s*\"")
_REPEATED = re.compile(r"\s*([,;·|/–—-])(?:\s*[,;·|/–—-])+\s*")
_BEFORE_CLOSE = re.compile(r"\s*[,;·|/–—-]\s*([)\]»])")
_AFTER_OPEN = re.compile(r"([(\[«])\s*[,;·|/–—-]\s*")
_EDGES = " ,;·|/–—-:"


@dataclass(frozen=True)
class Citation:
    """A validated citation template; `render(quote)` is the line under that quote."""

    template: str
    pieces: tuple[tuple[str, str | None], ...]  # (literal text, field or None)
    # Rendered citations by their field values: a document's quotes share one citation,
    # and tidying costs microseconds that 100,000 quotes would pay each time.
    _cache: dict[tuple[str, ...], str] = field(default_factory=dict, compare=False,
                                               repr=False)

    @classmethod
    def parse(cls, template: str | None, attributes: Iterable[str]) -> Citation:
        """Validate a template against the project's attributes; UserError names the
        valid fields on one line when a field is unknown or the template is malformed."""
        text = DEFAULT_CITE if template is None else template
        valid = valid_fields(attributes)
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError as exc:
            raise UserError(f"--cite {text!r} is not a valid template ({exc}); write fields "
                            "in braces, e.g. \"{role}, {case_type}\"") from exc
        pieces: list[tuple[str, str | None]] = []
        for literal, name, spec, conversion in parsed:
            if name is None:
                pieces.append((literal, None))
                continue
            if spec or conversion:
                raise UserError(f"--cite: write plain fields such as {{{name}}}, without "
                                f"'!' or ':' (valid fields: {', '.join(valid)})")
            if name not in valid:
                shown = name or "{}"
                raise UserError(f"--cite: unknown field {shown!r} (valid fields: "
                                f"{', '.join(valid)})")
            pieces.append((literal, name))
        return cls(text, tuple(pieces))

    @property
    def fields(self) -> list[str]:
        return [name for _, name in self.pieces if name is not None]

    def render(self, quote: Quote) -> str:
        """The citation of one quote; empty fields vanish with their separators."""
        attributes = quote.attributes
        values = tuple(_value(quote, attributes, name) for _, name in self.pieces
                       if name is not None)
        key = (*values, quote.document)
        cited = self._cache.get(key)
        if cited is None:
            found = iter(values)
            text = "".join(literal + (next(found) if name is not None else "")
                           for literal, name in self.pieces)
            cited = self._cache[key] = tidy(text) or quote.document
        return cited


def _value(quote: Quote, attributes: dict[str, str], name: str) -> str:
    if name == "speaker":
        return quote.speaker
    if name == "document":
        return quote.document
    if name == "case":
        return quote.case
    if name == "sentence":
        return "" if quote.segment is None else str(quote.segment)
    if name == "page":
        return "" if quote.page is None else str(quote.page)
    if name in ("time", "timestamp"):
        return quote.timestamp_text
    if name == "coder":
        return quote.coder
    if name == "code":
        return quote.code
    if name == "theme":
        return quote.theme
    return attributes.get(name, "")


def tidy(text: str) -> str:
    """Drop what empty fields leave behind: empty brackets, doubled or dangling separators."""
    text = " ".join(text.split())
    previous = None
    while previous != text:
        previous = text
        text = _BEFORE_CLOSE.sub(r"\1", _AFTER_OPEN.sub(r"\1", text))
        text = _EMPTY_BRACKETS.sub("", text)
        text = _REPEATED.sub(lambda m: _sep(m.group(1)), text)
        text = " ".join(text.split()).strip(_EDGES)
    return text


def _sep(char: str) -> str:
    return ", " if char == "," else f"{char} " if char == ";" else f" {char} "


#: Attributes the default template names; always valid (empty where a project lacks them),
#: so the default works on any project.
DEFAULT_ATTRIBUTES = ("role", "case_type")


def valid_fields(attributes: Iterable[str]) -> list[str]:
    """Every field a template may name: the built-in ones, then the project's attributes."""
    names = set(attributes) | set(DEFAULT_ATTRIBUTES)
    return [*BUILTIN_FIELDS, *sorted(a for a in names if a not in BUILTIN_FIELDS)]
