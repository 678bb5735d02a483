"""Full-text search over sentences, and project statistics.

Queries are taken as words, not as FTS5 syntax, so that a researcher's punctuation («, -, :)
can never produce a syntax error: each word becomes a quoted FTS term (a trailing * keeps prefix
search), and "quoted phrases" stay phrases.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from casecoder.errors import UserError
from casecoder.model import Document, SearchHit

if TYPE_CHECKING:
    from casecoder.project.core import ProjectBase as _Base
else:
    _Base = object

_TERM = re.compile(r'"([^"]+)"|(\S+)')
_WORD = re.compile(r"[\w]+(?:[-'’][\w]+)*\*?", re.UNICODE)


def fts_query(query: str) -> str:
    """Translate a researcher's query into a safe FTS5 MATCH expression (AND of terms)."""
    terms: list[str] = []
    for phrase, word in _TERM.findall(query):
        if phrase:
            words = _WORD.findall(phrase)
            if words:
                terms.append('"' + " ".join(w.rstrip("*") for w in words) + '"')
            continue
        for token in _WORD.findall(word):
            prefix = token.endswith("*")
            token = token.rstrip("*")
            if token:
                terms.append(f'"{token}"' + ("*" if prefix else ""))
    if not terms:
        raise UserError(f"search query {query!r} has no words to look for")
    return " AND ".join(terms)


class SearchMixin(_Base):
    def search(self, query: str, *, doc: str | Document | None = None,
               limit: int = 200) -> list[SearchHit]:
        """Sentences matching every word of the query, in document order."""
        match = fts_query(query)
        sql = ("SELECT d.name, s.number, s.start, s.\"end\", s.speaker, s.timestamp, f.text, "
               "snippet(segments_fts, 0, '[', ']', '…', 16) FROM segments_fts f "
               "JOIN segments s ON s.id = f.rowid JOIN documents d ON d.id = s.document_id "
               "WHERE segments_fts MATCH ? ")
        params: list[Any] = [match]
        if doc is not None:
            sql += "AND d.id = ? "
            params.append(self.document(doc).id)
        sql += "ORDER BY d.name COLLATE NOCASE, s.number LIMIT ?"
        params.append(limit)
        return [SearchHit(*row) for row in self.conn.execute(sql, params)]

    def document_coding_counts(self, coder: str | None = None) -> dict[str, int]:
        """Codings per document name (all coders, or one)."""
        sql = ("SELECT d.name, count(k.id) FROM documents d JOIN codings k "
               "ON k.document_id = d.id ")
        params: tuple[Any, ...] = ()
        if coder:
            sql += "JOIN coders c ON c.id = k.coder_id WHERE c.name = ? "
            params = (coder,)
        return dict(self.conn.execute(sql + "GROUP BY d.id", params).fetchall())

    def stats(self) -> dict[str, Any]:
        """Counts a researcher checks before analysis: material, codebook, coding, history."""
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        per_coder: dict[str, int] = {}
        consensus: dict[str, int] = {}  # consensus coders are shown apart from the coders
        for name, kind, n in self.conn.execute(
                "SELECT c.name, c.kind, count(k.id) FROM coders c LEFT JOIN codings k "
                "ON k.coder_id = c.id GROUP BY c.id ORDER BY c.name COLLATE NOCASE"):
            (consensus if kind == "consensus" else per_coder)[name] = n
        decisions = {f"{name} {choice}": n for name, choice, n in self.conn.execute(
            "SELECT c.name, r.choice, count(*) FROM review_decisions r JOIN coders c "
            "ON c.id = r.consensus_id GROUP BY c.id, r.choice ORDER BY c.name, r.choice")}
        segments = dict(self.conn.execute(
            "SELECT kind, count(*) FROM segments GROUP BY kind").fetchall())
        return {
            "project": self.name,
            "language": self.language,
            "documents": one("SELECT count(*) FROM documents"),
            "words": one("SELECT coalesce(sum(word_count), 0) FROM documents"),
            "cases": one("SELECT count(*) FROM cases"),
            "segments": {k: segments.get(k, 0) for k in ("sentence", "turn", "paragraph")},
            "codes": one("SELECT count(*) FROM codes"),
            "codings": one("SELECT count(*) FROM codings"),
            "codings_per_coder": per_coder,
            "consensus_codings": consensus,
            "review_decisions": decisions,
            "speakers": one("SELECT count(*) FROM speakers WHERE interviewer = 0"),
            "interviewers": one("SELECT count(*) FROM speakers WHERE interviewer = 1"),
            "coded_documents": one("SELECT count(DISTINCT document_id) FROM codings"),
            "memos": one("SELECT count(*) FROM memos")
            + one("SELECT count(*) FROM codings WHERE memo != ''"),
            "events": one("SELECT count(*) FROM events"),
        }
