"""Storing a survey's documents: thousands of short documents in one change.

A survey of 10,000 respondents is 10,000 documents. Importing them file by file (a transaction,
a duplicate query and a name lookup each) would take minutes; here every document is segmented
first, then all are written in one transaction with one event, after one query of the names
and hashes already in the project.

Re-importing the same file adds nothing: a document whose name and text are already in the
project is skipped. Unlike file imports, identical text under another name is not a duplicate
here ("Nei" is a common answer), so duplicates are told by name and text together. A name
that is taken by a different text is reported and left alone: the survey file changed, or
another survey used the same file name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from casecoder.errors import UserError
from casecoder.ids import new_guid, now

if TYPE_CHECKING:
    from casecoder.ingest.model import SegmentSpec
    from casecoder.ingest.survey import SurveyDocument
    from casecoder.project.documents import DocumentsMixin as _Base
else:
    _Base = object


@dataclass
class SurveyStored:
    """What storing a survey did, document by document name."""

    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already in the project, same text
    conflicts: list[str] = field(default_factory=list)  # name taken by a different text
    words: int = 0
    sentences: int = 0


class SurveysMixin(_Base):
    """Store the documents a survey spreadsheet was turned into (see ingest/survey.py)."""

    def add_survey(self, documents: Sequence[SurveyDocument], *, source_name: str,
                   language: str | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   segments: Sequence[list[SegmentSpec]] | None = None) -> SurveyStored:
        """Segment and store survey documents in one transaction; see the module docstring.

        `segments` (from `segment_survey`, one list per document) lets a caller do the
        CPU-heavy half elsewhere: the TUI segments in a worker thread and stores here, on the
        thread that owns the connection.
        """
        from casecoder.ingest import build_segments
        from casecoder.project.documents import validate_document_name

        language = language or self.language
        model = self.setting("nlp_model") or None
        if segments is not None and len(segments) != len(documents):
            raise ValueError("segments must match documents one to one")
        existing: dict[str, str] = {}
        for name, digest in self.conn.execute("SELECT name, sha256 FROM documents"):
            existing[name.casefold()] = digest
        result = SurveyStored()
        pending = []
        seen: set[str] = set()
        for i, doc in enumerate(documents, start=1):
            name = validate_document_name(doc.name)
            key = name.casefold()
            if key in seen:
                raise UserError(f"the survey makes two documents named {name!r}")
            seen.add(key)
            digest = hashlib.sha256(doc.source.text.encode("utf-8")).hexdigest()
            if key in existing:
                (result.skipped if existing[key] == digest else result.conflicts).append(name)
                continue
            specs = (segments[i - 1] if segments is not None
                     else build_segments(doc.source, language, model))
            pending.append((name, doc, digest, specs))
            if progress is not None and (i % 100 == 0 or i == len(documents)):
                progress(i, len(documents))
        if progress is not None:
            progress(len(documents), len(documents))
        if not pending:
            return result
        with self._change("import-survey", undoable=False) as log:
            stamp = now()
            for name, doc, digest, specs in pending:
                text = doc.source.text
                words = len(text.split())
                doc_id = self.conn.execute(
                    "INSERT INTO documents (guid, name, text, length, word_count, sha256, "
                    "source_format, source_name, encoding, language, imported_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (new_guid(), name, text, len(text), words, digest, doc.source.format,
                     source_name, None, language, stamp)).lastrowid
                assert doc_id is not None
                self._insert_segments(doc_id, text, specs)
                for key, value in doc.attributes.items():
                    self._set_attribute(log, "document", doc_id, key, value)
                result.imported.append(name)
                result.words += words
                result.sentences += sum(1 for s in specs if s.kind == "sentence")
            log.summary = (f"import survey {source_name}: {len(pending)} documents")
        return result


def segment_survey(documents: Sequence[SurveyDocument], language: str, model: str | None,
                   ) -> list[list[SegmentSpec]]:
    """Every document's segments, with no database: safe in a worker thread."""
    from casecoder.ingest import build_segments

    return [build_segments(doc.source, language, model) for doc in documents]
