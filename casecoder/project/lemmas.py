"""Lemma-aware search over every unit of the project (the word index).

Each segment (sentence, turn, paragraph) has one row in `word_index`: its words lowercased and
their lemmas, one token per word. Rows are written at import; a project from before the index
gets them on first search (`ensure_word_index`), so opening an old file stays instant. The index
is derived data, rebuilt from texts that never change, so building it is not an event.

`find` searches lemmas by default (`partner` finds partnere, partnerne, partnerens) or the words
as written with exact=True, at any unit, with filters by document, attribute and speaker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from casecoder.errors import UserError
from casecoder.model import Document, UnitHit
from casecoder.store import transaction

if TYPE_CHECKING:
    from casecoder.project.core import ProjectBase as _Base
else:
    _Base = object

UNITS = ("sentence", "turn", "paragraph")
_UPTO = "word_index_upto"


def index_rows(text: str, language: str,
               segments: Iterable[tuple[int, int, int]]) -> list[tuple[int, str, str]]:
    """(segment id, surface words, lemmas) for (id, start, end) segments of one text.

    The text is split into words and lemmatised once; each segment (sentences, turns and
    paragraphs cover the text three times) takes its slice of the word list.
    """
    from bisect import bisect_left

    from casecoder.nlp.lemmas import WORD, lemmatizer

    lemma = lemmatizer(language).lemma
    starts: list[int] = []
    forms: list[str] = []
    for m in WORD.finditer(text):
        starts.append(m.start())
        forms.append(m.group().lower())
    seen: dict[str, str] = {}
    lemmas = []
    for f in forms:
        lem = seen.get(f)
        if lem is None:
            lem = seen[f] = lemma(f)
        lemmas.append(lem)
    rows = []
    for seg_id, start, end in segments:
        i, j = bisect_left(starts, start), bisect_left(starts, end)
        rows.append((seg_id, " ".join(forms[i:j]), " ".join(lemmas[i:j])))
    return rows


class WordIndexMixin(_Base):
    """Word index upkeep and lemma-aware search."""

    def _index_words(self, doc_id: int, text: str, language: str,
                     segments: Sequence[tuple[int, int, int]]) -> None:
        """Index freshly stored segments (inside the import's transaction)."""
        if not segments:
            return
        self.conn.executemany("INSERT INTO word_index (rowid, surface, lemma) VALUES (?, ?, ?)",
                              index_rows(text, language, segments))
        # Only a complete index moves on: an older file's segments wait for ensure_word_index.
        if int(self.setting(_UPTO, "0") or 0) >= min(s[0] for s in segments) - 1:
            self._set_upto(max(s[0] for s in segments))

    def _set_upto(self, upto: int) -> None:
        current = int(self.setting(_UPTO, "0") or 0)
        if upto > current:
            self.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) "
                              "DO UPDATE SET value = excluded.value", (_UPTO, str(upto)))

    def word_index_pending(self) -> int:
        """How many segments the index does not cover yet (a file from before it)."""
        upto = int(self.setting(_UPTO, "0") or 0)
        return int(self.conn.execute("SELECT count(*) FROM segments WHERE id > ?",
                                     (upto,)).fetchone()[0])

    def _invalidate(self) -> None:
        super()._invalidate()
        self._units_cache: dict[str, Any] = {}

    def ensure_word_index(self) -> int:
        """Index every segment not yet indexed (one transaction); returns how many."""
        upto = int(self.setting(_UPTO, "0") or 0)
        if self.conn.execute("SELECT 1 FROM segments WHERE id > ? LIMIT 1",
                             (upto,)).fetchone() is None:
            return 0
        docs = self.conn.execute(
            "SELECT DISTINCT document_id FROM segments WHERE id > ? ORDER BY document_id",
            (upto,)).fetchall()
        languages = dict(self.conn.execute("SELECT id, language FROM documents").fetchall())
        done = 0
        with transaction(self.conn):
            for (doc_id,) in docs:
                segs = self.conn.execute(
                    'SELECT id, start, "end" FROM segments WHERE document_id = ? AND id > ? '
                    "ORDER BY id", (doc_id, upto)).fetchall()
                text = self.text(doc_id)
                self.conn.executemany(
                    "INSERT OR REPLACE INTO word_index (rowid, surface, lemma) VALUES (?, ?, ?)",
                    index_rows(text, languages[doc_id], segs))
                done += len(segs)
            top = self.conn.execute("SELECT coalesce(max(id), 0) FROM segments").fetchone()[0]
            self._set_upto(int(top))
        return done

    def _units(self, unit: str) -> dict[int, tuple[int, int, str | None]]:
        """segment id -> (document id, number, speaker) of every unit of one kind, kept
        until the project changes: what lets a search sort and filter its hits without
        reading a segment row per hit."""
        self._fresh()  # another connection may have imported meanwhile
        cache = self.__dict__.setdefault("_units_cache", {})
        table = cache.get(unit)
        if table is None:
            table = cache[unit] = {
                seg_id: (doc_id, number, speaker) for seg_id, doc_id, number, speaker in
                self.conn.execute("SELECT id, document_id, number, speaker FROM segments "
                                  "WHERE kind = ?", (unit,))}
        return table

    def _documents_meta(self) -> dict[int, tuple[str, str]]:
        """document id -> (name, language), without reading any document's text."""
        cache = self.__dict__.setdefault("_units_cache", {})
        meta = cache.get("documents")
        if meta is None:
            # The language column lies after the text in each row, so it is read once here.
            meta = cache["documents"] = {
                doc_id: (name, language) for doc_id, name, language in
                self.conn.execute("SELECT id, name, language FROM documents")}
        return meta

    def search_languages(self) -> list[str]:
        """The languages whose lemmas a query is looked up in: the project's and its documents'."""
        langs = [self.language]
        for lang in sorted({language for _, language in self._documents_meta().values()}):
            if lang not in langs:
                langs.append(lang)
        return langs

    def _documents_where(self, where: Mapping[str, str]) -> set[int]:
        all_attrs = self.all_attributes()  # type: ignore[attr-defined]
        ids = set()
        by_name = {d.name: d.id for d in self.documents()}  # type: ignore[attr-defined]
        for name, attrs in all_attrs.items():
            folded = {k.casefold(): v.casefold() for k, v in attrs.items()}
            if all(folded.get(k.casefold()) == v.casefold() for k, v in where.items()):
                ids.add(by_name[name])
        return ids

    def find(self, query: str, *, exact: bool = False, unit: str = "sentence",
             doc: str | Document | None = None, where: Mapping[str, str] | None = None,
             speaker: str | None = None, limit: int | None = 200) -> list[UnitHit]:
        """Units matching the query, in document order, with the matched words located.

        Lemma search unless exact; `where` keeps documents whose effective attributes have
        all the given values (case-insensitive); `speaker` keeps units of that speaker label.
        """
        from casecoder.nlp.lemmas import lemmatizer
        from casecoder.nlp.query import compile_fts, highlight, parse

        if unit not in UNITS:
            raise UserError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
        node = parse(query)
        self.ensure_word_index()
        lemmatizers = [lemmatizer(lang) for lang in self.search_languages()]
        units = self._units(unit)
        meta = self._documents_meta()
        ids = [r[0] for r in self.conn.execute(
            "SELECT rowid FROM word_index WHERE word_index MATCH ?",
            (compile_fts(node, lemmatizers, exact=exact),))]
        get = units.get
        found = [(seg_id, u) for seg_id in ids if (u := get(seg_id)) is not None]
        if doc is not None:
            doc_id = self.document(doc).id
            found = [f for f in found if f[1][0] == doc_id]
        if where:
            keep = self._documents_where(where)
            found = [f for f in found if f[1][0] in keep]
        if speaker:
            wanted = speaker.strip().casefold()
            found = [f for f in found if (f[1][2] or "").casefold() == wanted]
        # Documents in the order the project lists them, units in text order.
        rank = {doc_id: i for i, doc_id in enumerate(sorted(
            meta, key=lambda d: (meta[d][0].lower(), meta[d][0])))}
        found.sort(key=lambda f: (rank[f[1][0]], f[1][1]))
        if limit is not None:
            found = found[:limit]
        rows: dict[int, tuple[int, int, int, float | None]] = {}
        chosen = [seg_id for seg_id, _ in found]
        for i in range(0, len(chosen), 500):
            part = chosen[i:i + 500]
            rows.update((r[0], r) for r in self.conn.execute(
                'SELECT id, start, "end", timestamp FROM segments WHERE id IN '
                f"({','.join('?' for _ in part)})", part))
        by_language = {lem.language: lem for lem in lemmatizers}
        hits = []
        for seg_id, (doc_id, number, spk) in found:
            _, start, end, ts = rows[seg_id]
            name, language = meta[doc_id]
            text = self.text(doc_id)[start:end]
            lem = by_language.get(language) or lemmatizer(language)
            spans = highlight(text, node, lem.lemma, exact=exact, lemmatizers=lemmatizers)
            hits.append(UnitHit(name, doc_id, unit, seg_id, number, start, end, spk, ts, text,
                                tuple((start + s, start + e) for s, e in spans)))
        return hits

    def hit_summary(self, hits: Sequence[UnitHit]) -> dict[str, dict[str, int]]:
        """Hits per document, and per code already applied to a hit (any coder): how much of
        what a search finds is coded already, and with what."""
        per_doc: dict[str, int] = {}
        per_code: dict[str, int] = {}
        by_doc: dict[int, list[UnitHit]] = {}
        for h in hits:
            per_doc[h.document] = per_doc.get(h.document, 0) + 1
            by_doc.setdefault(h.document_id, []).append(h)
        paths = {c.id: c.path for c in self.codes()}
        for doc_id, doc_hits in by_doc.items():
            codings = self.conn.execute(
                'SELECT code_id, start, "end" FROM codings WHERE document_id = ?',
                (doc_id,)).fetchall()
            for h in doc_hits:
                codes = {paths[c] for c, s, e in codings if s < h.end and e > h.start}
                for path in codes:
                    per_code[path] = per_code.get(path, 0) + 1
        return {"documents": per_doc, "codes": dict(sorted(per_code.items()))}
