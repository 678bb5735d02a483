"""Lemmas for search: a lowercase form -> lemma table per language, from spacy-lookups-data.

spaCy's own `nb` lookup table is nearly empty, but the same package ships `nb_lemma_exc`
(about 585,000 inflected forms from Norsk Ordbank, CC-BY 4.0), which gives partnere -> partner,
barrierene -> barriere, gikk -> gå. English uses the package's lookup table. Nothing here imports
spaCy: the tables are gzipped JSON files read directly, so lemmatising costs a dictionary look-up
per word and the TUI can search without loading a pipeline.

Reading and folding the Norwegian JSON costs seconds, so the folded table is kept in the user's
cache folder (marshal, keyed by package and Python version; `CASECODER_CACHE_DIR` overrides the
folder) and loads in a fraction of a second afterwards. A broken or foreign cache file is ignored
and rebuilt.

Words are split with one rule shared by indexing, querying and highlighting (`WORD`: runs of
letters and digits), so the i-th stored lemma always belongs to the i-th word of the text.
"""

from __future__ import annotations

import gzip
import json
import marshal
import os
import re
import sys
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

#: A word: a run of letters and digits (what SQLite's unicode61 tokenizer keeps together).
WORD = re.compile(r"[^\W_]+")
#: Part-of-speech tables in the order an ambiguous Norwegian form is resolved.
_NB_ORDER = ("noun", "verb", "adj", "adv")
_CACHE_FORMAT = 3

_tables: dict[str, dict[str, str]] = {}
_lock = threading.Lock()


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, lowercase form) of every word in text."""
    for match in WORD.finditer(text):
        yield match.start(), match.end(), match.group().lower()


class Lemmatizer:
    """Maps lowercase word forms to lemmas for one language (identity where unknown)."""

    def __init__(self, language: str, table: dict[str, str]) -> None:
        self.language = language
        self.table = table

    def lemma(self, form: str) -> str:
        """The lemma of a lowercase form; a genitive -s is tried without its s."""
        lemma = self.table.get(form)
        if lemma is not None:
            return lemma
        if self.language == "nb" and len(form) > 3 and form.endswith("s"):
            stem = form[:-1]
            lemma = self.table.get(stem)
            if lemma is not None:
                return lemma
        return form

    def lemmas_of(self, text: str) -> list[str]:
        """The lemma of every word of text, in order."""
        get = self.lemma
        return [get(m.group().lower()) for m in WORD.finditer(text)]


def lemmatizer(language: str) -> Lemmatizer:
    """The (cached) lemmatizer for a language code; unknown languages keep words as they are."""
    code = language.split("-")[0].lower()
    code = {"no": "nb", "nob": "nb", "eng": "en"}.get(code, code)
    with _lock:
        table = _tables.get(code)
        if table is None:
            table = _tables[code] = _load(code)
    return Lemmatizer(code, table)


def _data_file(name: str) -> Path | None:
    try:
        root = resources.files("spacy_lookups_data") / "data" / name
    except ModuleNotFoundError:
        return None
    path = Path(str(root))
    return path if path.is_file() else None


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("spacy-lookups-data")
    except Exception:
        return "unknown"


def cache_dir() -> Path:
    base = os.environ.get("CASECODER_CACHE_DIR")
    if base:
        return Path(base)
    import platformdirs

    return Path(platformdirs.user_cache_dir("casecoder", appauthor=False))


def _cache_path(code: str) -> Path:
    py = f"{sys.version_info.major}{sys.version_info.minor}"
    return cache_dir() / f"lemmas-{code}-{_package_version()}-f{_CACHE_FORMAT}-py{py}.marshal"


def _load(code: str) -> dict[str, str]:
    if code not in ("nb", "en"):
        return {}
    path = _cache_path(code)
    try:
        table = marshal.loads(path.read_bytes())
        if isinstance(table, dict) and all(
                type(k) is str and type(v) is str for k, v in list(table.items())[:100]):
            return table
    except (OSError, EOFError, ValueError, TypeError):
        pass
    table = _build(code)
    _write_cache(path, table)
    return table


def _write_cache(path: Path, table: dict[str, str]) -> None:
    """Best effort: a read-only home only means the table is built again next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(table))
        os.replace(tmp, path)
    except OSError:
        pass


def _read_json(name: str) -> dict[str, Any]:
    """A packaged JSON object; values are of any JSON shape, so callers check each one."""
    path = _data_file(name)
    if path is None:
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return data if isinstance(data, dict) else {}


def _clean(lemma: str, form: str) -> str:
    """A lemma usable as one index token; multi-word or punctuated lemmas fall back to form."""
    lemma = lemma.lower()
    return lemma if WORD.fullmatch(lemma) else form


def _build(code: str) -> dict[str, str]:
    """Fold the package's tables into one lowercase form -> lemma dict (forms != lemmas only).

    A base form of a noun or adjective stays itself ("ny", not the verb "nye"); another form
    takes a lemma that differs from it where there is one (so "nye" is "ny"), the first by part
    of speech: noun, verb, adj, adv ("motiverte" is "motivere").
    """
    table: dict[str, str] = {}
    if code == "nb":
        exc = _read_json("nb_lemma_exc.json.gz")
        # Base forms of nouns and adjectives stay themselves ("ny" is not the verb "nye").
        # (a form that is its own lemma there; "nye" is listed as the adjective "ny").
        bases = {form.lower() for pos in ("noun", "adj")
                 for form, lemmas in (exc.get(pos) or {}).items()
                 if isinstance(lemmas, list) and form in lemmas}
        candidates: dict[str, list[str]] = {}
        for pos in _NB_ORDER:
            for form, lemmas in (exc.get(pos) or {}).items():
                low = form.lower()
                if not WORD.fullmatch(low) or not isinstance(lemmas, list):
                    continue
                candidates.setdefault(low, []).extend(
                    _clean(str(lemma), low) for lemma in lemmas)
        for form, lemmas in candidates.items():
            if form in bases:
                continue
            different = [lemma for lemma in lemmas if lemma != form]
            if different:
                table[form] = different[0]
        for form, lemma in _read_json("nb_lemma_lookup.json.gz").items():
            low = form.lower()
            if WORD.fullmatch(low) and low not in table and isinstance(lemma, str):
                cleaned = _clean(lemma, low)
                if cleaned != low:
                    table[low] = cleaned
    elif code == "en":
        for form, lemma in _read_json("en_lemma_lookup.json.gz").items():
            low = form.lower()
            if WORD.fullmatch(low) and isinstance(lemma, str) and low not in table:
                cleaned = _clean(lemma, low)
                if cleaned != low:
                    table[low] = cleaned
    return table
