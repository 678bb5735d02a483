"""Replace informants' names by pseudonyms or bracket labels before quotes leave the project.

Transcripts are anonymised by hand, and names slip through: a colleague mentioned in passing
("det var egentlig Kari"), a genitive ("Karis idé", "Kari's idea"), a compound
("Kari-prosjektet"). A report quoting them breaks the promise made to the informants, so every
string an export writes goes through `Pseudonymizer.apply`.

Matching is spaCy's PhraseMatcher on ORTH (case-sensitive, so the name "Per" leaves the
preposition "per" alone) with the name's Norwegian and English genitives, over a blank pipeline
of the project's language so that tokens split exactly as the rest of casecoder splits them. A
second pass catches what the tokenizer keeps inside one token: hyphenated compounds
("Kari-prosjektet", "NTNU-Kari") and names glued to punctuation the tokenizer does not split.
Texts that cannot contain any name skip spaCy entirely: a 100k-quote export stays fast.

Counts of replacements per name are kept for a report on stderr; the replaced text is never
reported, because the report may end up in a log.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casecoder.errors import UserError

MAX_PSEUDONYM_FILE_BYTES = 5_000_000
#: Genitive endings: Norwegian "Karis" / "Hans'", English "Kari's" (straight or curly).
GENITIVES = ("s", "'s", "\u2019s", "'", "\u2019")


def read_pseudonyms(path: Path) -> dict[str, str]:
    """Read a name -> pseudonym mapping from CSV (name,pseudonym) or YAML; refuse anything odd.

    A YAML value written as `Kari: [kollega]` is a one-item list to YAML but a bracket label to
    the researcher who wrote it, so it becomes "[kollega]".
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"pseudonym file {path} does not exist") from None
    except IsADirectoryError:
        raise UserError(f"pseudonym file {path} is a folder, not a file") from None
    except OSError as exc:
        raise UserError(f"cannot read pseudonym file {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_PSEUDONYM_FILE_BYTES:
        raise UserError(f"pseudonym file {path} is too large")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"pseudonym file {path} is not UTF-8 text") from None
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        pairs = _csv_pairs(text, path)
    else:
        pairs = _yaml_pairs(text, path)
    mapping: dict[str, str] = {}
    for raw_name, raw_label in pairs:
        name = " ".join(raw_name.split())
        label = " ".join(raw_label.split())
        if not name:
            continue
        if not label:
            raise UserError(f"pseudonym file {path}: no pseudonym for {name!r}")
        if name in mapping and mapping[name] != label:
            raise UserError(f"pseudonym file {path}: {name!r} has two different pseudonyms")
        mapping[name] = label
    if not mapping:
        raise UserError(f"pseudonym file {path} lists no names")
    pattern = _name_pattern(list(mapping))
    for name, label in mapping.items():
        found = pattern.search(label)
        if found:
            raise UserError(f"pseudonym file {path}: the pseudonym for {name!r} contains the "
                            f"listed name {found.group(1)!r}, which would survive the export")
    return mapping


def _name_pattern(names: list[str]) -> re.Pattern[str]:
    """Any listed name (longest first) with an optional genitive, standing as a word of its
    own or as part of a hyphenated compound, never inside a longer word ("Kari" in "Karianne").
    """
    ordered = sorted(names, key=lambda n: (-len(n), n))
    return re.compile(r"(?<![^\W_])(" + "|".join(re.escape(n) for n in ordered) + r")"
                      r"(s|'s|\u2019s|'|\u2019)?(?![^\W_])")


def _csv_pairs(text: str, path: Path) -> list[tuple[str, str]]:
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [r for r in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in r)]
    if rows and [c.strip().casefold() for c in rows[0][:2]] == ["name", "pseudonym"]:
        rows = rows[1:]
    pairs = []
    for number, row in enumerate(rows, start=1):
        if len(row) < 2:
            raise UserError(f"pseudonym file {path}: row {number} needs two columns, "
                            "name and pseudonym")
        pairs.append((row[0], row[1]))
    return pairs


def _yaml_pairs(text: str, path: Path) -> list[tuple[str, str]]:
    from casecoder.codebook import load_yaml

    data = load_yaml(text, f"pseudonym file {path}")
    if not isinstance(data, dict):
        raise UserError(f"pseudonym file {path} must map names to pseudonyms "
                        "(YAML 'Name: pseudonym' lines or a CSV with name,pseudonym)")
    pairs = []
    for key, value in data.items():
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            value = f"[{value[0]}]"
        if not isinstance(key, str | int) or not isinstance(value, str | int):
            raise UserError(f"pseudonym file {path}: {key!r} must map to a text pseudonym")
        pairs.append((str(key), str(value)))
    return pairs


@dataclass
class Pseudonymizer:
    """Applies one name -> pseudonym mapping to any text, counting what it replaced."""

    mapping: dict[str, str]
    language: str = "nb"
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        # Longest names first, so "Kari Nordmann" wins over "Kari" in the fallback pass.
        self._names = sorted(self.mapping, key=lambda n: (-len(n), n))
        self._screen = re.compile("|".join(re.escape(n) for n in self._names))
        self._fallback = _name_pattern(self._names)
        self._nlp: Any = None
        self._matcher: Any = None
        self._forms: dict[str, tuple[str, str]] = {}

    @classmethod
    def from_file(cls, path: Path, language: str = "nb") -> Pseudonymizer:
        return cls(read_pseudonyms(path), language)

    def _load(self) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        try:
            self._nlp = spacy.blank(self.language)
        except (ImportError, KeyError, ValueError):
            self._nlp = spacy.blank("xx")
        self._matcher = PhraseMatcher(self._nlp.vocab, attr="ORTH")
        for name in self._names:
            forms = [name, *(name + ending for ending in GENITIVES)]
            for form in forms:
                self._forms.setdefault(form, (name, form[len(name):]))
            self._matcher.add(name, [self._nlp.make_doc(form) for form in forms])

    def replacements(self, text: str) -> list[tuple[int, int, str]]:
        """Where names stand in text: (start, end, replacement), in order, never overlapping.

        Counts each replacement; `apply` builds the new text from these, and a pseudonymised
        project copy uses them to move every offset along with the text.
        """
        if not text or not self._screen.search(text):
            return []
        if self._matcher is None:
            self._load()
        found: list[tuple[int, int, str, str]] = []
        doc = self._nlp.make_doc(text)
        for _id, s, e in self._matcher(doc):
            span = doc[s:e]
            form = span.text
            name, suffix = self._forms.get(form, ("", ""))
            if not name:  # a tokenisation variant ("Kari '"): keep what follows the name
                name = next(n for n in self._names if form.startswith(n))
                suffix = form[len(name):]
            found.append((span.start_char, span.end_char, name, suffix))
        # The extra pass: names the tokenizer keeps inside one token, chiefly hyphenated
        # compounds ("Kari-prosjektet", "Kari Nordmann-prosjektet").
        for m in self._fallback.finditer(text):
            found.append((m.start(), m.end(), m.group(1), m.group(2) or ""))
        out: list[tuple[int, int, str]] = []
        last = 0
        for start, end, name, suffix in sorted(found, key=lambda f: (f[0], f[0] - f[1])):
            if start < last:  # overlaps a longer or earlier match already replaced
                continue
            out.append((start, end, self.mapping[name] + suffix))
            self.counts[name] += 1
            last = end
        return out

    def apply(self, text: str | None) -> str:
        """The text with every listed name (and its genitives and compounds) replaced."""
        if not text:
            return ""
        pieces: list[str] = []
        last = 0
        for start, end, new in self.replacements(text):
            pieces.append(text[last:start])
            pieces.append(new)
            last = end
        pieces.append(text[last:])
        return "".join(pieces)

    def report(self) -> list[str]:
        """One line per listed name with how often it was replaced; never any quote text."""
        lines = []
        for name in sorted(self.mapping, key=str.casefold):
            n = self.counts.get(name, 0)
            lines.append(f"pseudonyms: {name} -> {self.mapping[name]}: "
                         f"{n} replacement{'s' if n != 1 else ''}")
        total = sum(self.counts.values())
        lines.append(f"pseudonyms: {total} replacement{'s' if total != 1 else ''} in all")
        return lines
