"""Whole-corpus reads for analyses: one query each, plain tuples and arrays, no dataclasses.

Agreement over 1,000 documents and 100,000 codings must not build 100,000 `Coding` objects or
run one query per document; these reads give the analysis exactly the columns it needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from casecoder.errors import UserError

if TYPE_CHECKING:
    from casecoder.project.core import ProjectBase as _Base
else:
    _Base = object

#: (id, document id, code id, coder id, start, end), ordered by document and start.
CodingRow = tuple[int, int, int, int, int, int]
#: (document id, number, start, end, speaker), ordered by document and start.
SegmentRow = tuple[int, int, int, int, "str | None"]


class BulkReadMixin(_Base):
    def coding_rows(self, coders: Sequence[str] | None = None,
                    doc_ids: Iterable[int] | None = None, origin: str = "all"
                    ) -> list[tuple[int, int, str, int, int]]:
        """(document id, code id, coder, start, end) of every coding (of some coders, in
        some documents, of one origin: all, manual or autocode)."""
        sql = ('SELECT k.document_id, k.code_id, c.name, k.start, k."end" FROM codings k '
               "JOIN coders c ON c.id = k.coder_id")
        where: list[str] = []
        params: list[Any] = []
        if coders is not None:
            where.append(f"c.name IN ({','.join('?' for _ in coders)})")
            params += list(coders)
        if doc_ids is not None:
            ids = list(doc_ids)
            where.append(f"k.document_id IN ({','.join('?' for _ in ids)})")
            params += ids
        if origin != "all":
            from casecoder.project.autocode import ORIGIN_MANUAL, ORIGIN_PREFIX, origin_matches

            origin_matches("", origin)  # an unknown filter is a UserError
            if origin == "manual":
                where.append("k.origin = ?")
                params.append(ORIGIN_MANUAL)
            else:  # the prefix holds no LIKE wildcard
                where.append("k.origin LIKE ?")
                params.append(ORIGIN_PREFIX + "%")
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self.conn.execute(sql, params).fetchall()  # unordered: callers group or sort

    def segment_offsets(self, kind: str = "sentence") -> dict[int, Any]:
        """Per document id, its segments of one kind as a flat int64 array [start, end, ...].

        One query for the whole corpus, cut per document with numpy (imported here, so the
        project layer stays light for commands that never need it).
        """
        import numpy as np

        rows = self.conn.execute(
            'SELECT document_id, start, "end" FROM segments WHERE kind = ? '
            "ORDER BY document_id, number", (kind,)).fetchall()
        if not rows:
            return {}
        table = np.array(rows, dtype=np.int64)
        ids, firsts = np.unique(table[:, 0], return_index=True)
        bounds = [*firsts.tolist(), table.shape[0]]
        flat = table[:, 1:].reshape(-1)
        return {int(doc_id): flat[2 * bounds[k]:2 * bounds[k + 1]]
                for k, doc_id in enumerate(ids.tolist())}

    def texts(self, doc_ids: Iterable[int]) -> list[str]:
        """Texts of many documents (cached, like `text`), read in one query for the rest."""
        ids = list(doc_ids)
        cache = self._text_cache
        missing = [i for i in dict.fromkeys(ids) if i not in cache]
        for start in range(0, len(missing), 500):
            chunk = missing[start:start + 500]
            for doc_id, text in self.conn.execute(
                    f"SELECT id, text FROM documents WHERE id IN ({','.join('?' for _ in chunk)})",
                    chunk):
                cache[doc_id] = text
        return [cache[i] for i in ids]

    def latest_event_id(self) -> int:
        row = self.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()
        return int(row[0])

    def documents_changed_since(self, event_id: int) -> tuple[set[int], bool]:
        """Ids of the documents events after ``event_id`` touched, and whether any event
        was project-wide (no document: a code, a coder, a setting), so callers can update
        only what changed."""
        docs: set[int] = set()
        wide = False
        for (doc_id,) in self.conn.execute(
                "SELECT document_id FROM events WHERE id > ?", (event_id,)):
            if doc_id is None:
                wide = True
            else:
                docs.add(int(doc_id))
        return docs, wide

    def codings_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM codings").fetchone()[0])

    def interviewer_segments(self, kind: str = "sentence") -> dict[int, set[int]]:
        """Per document id, the numbers of its segments of one kind spoken by an interviewer."""
        out: dict[int, set[int]] = {}
        for doc_id, number in self.conn.execute(
                "SELECT s.document_id, s.number FROM segments s JOIN speakers p "
                "ON p.document_id = s.document_id AND p.label = s.speaker "
                "WHERE s.kind = ? AND p.interviewer = 1", (kind,)):
            out.setdefault(int(doc_id), set()).add(int(number))
        return out

    def coding_table(self) -> list[CodingRow]:
        """Every coding of every coder as (id, document id, code id, coder id, start, end),
        by document then start (GUIDs separately, `coding_guids`: most analyses never need
        them, and 100,000 strings cost more than the numbers)."""
        return self.conn.execute(
            'SELECT id, document_id, code_id, coder_id, start, "end" FROM codings '
            'ORDER BY document_id, start, "end", code_id, coder_id, id').fetchall()

    def coding_guids(self) -> Iterator[tuple[int, str]]:
        """(id, GUID) of every coding."""
        yield from self.conn.execute("SELECT id, guid FROM codings")

    def segment_rows(self, kind: str) -> list[SegmentRow]:
        """Every segment of one kind (sentence, turn, paragraph), by document then start."""
        if kind not in ("sentence", "turn", "paragraph"):
            raise UserError(f"unit must be sentence, turn or paragraph, not {kind!r}")
        return self.conn.execute(
            'SELECT document_id, number, start, "end", speaker FROM segments WHERE kind = ? '
            "ORDER BY document_id, start", (kind,)).fetchall()

    def sentence_spans(self, doc_ids: Iterable[int] | None = None
                       ) -> dict[int, tuple[list[int], list[int]]]:
        """Per document id, its sentences' starts and ends (two lists in text order); one
        query for all documents or for the given ones."""
        sql = 'SELECT document_id, start, "end" FROM segments WHERE kind = \'sentence\''
        params: list[Any] = []
        if doc_ids is not None:
            ids = list(doc_ids)
            sql += f" AND document_id IN ({','.join('?' for _ in ids)})"
            params = ids
        out: dict[int, tuple[list[int], list[int]]] = {}
        for doc_id, start, end in self.conn.execute(sql + " ORDER BY document_id, start",
                                                     params):
            spans = out.get(doc_id)
            if spans is None:
                spans = out[doc_id] = ([], [])
            spans[0].append(start)
            spans[1].append(end)
        return out

    def coded_shares(self, reader: Any = None) -> dict[str, dict[int, float]]:
        """Share of each document's sentences coded, per coder name and document id.

        Kept on this Project and refreshed only for the documents changed since the last
        call (see `casecoder.project.progress`); `reader`, a read-only Project of the same
        file, lets a worker thread do the reading while this one stays on the app thread.
        """
        from casecoder.project.progress import CodedShares

        cache = self.__dict__.get("_coded_shares")
        if cache is None:
            cache = self.__dict__.setdefault("_coded_shares", CodedShares())
        return cache.refresh(reader if reader is not None else self)

    def cached_codings(self, reader: Any = None) -> list[Any]:
        """Every coding as `Coding` objects, in `codings()` order, re-read only for the
        documents changed since the last call (see `casecoder.project.codingcache`);
        `reader` as for `coded_shares`, so a worker can warm the cache."""
        from casecoder.project.codingcache import CodingsCache

        cache = self.__dict__.get("_codings_cache")
        if cache is None:
            cache = self.__dict__.setdefault("_codings_cache", CodingsCache())
        return cache.refresh(reader if reader is not None else self)
