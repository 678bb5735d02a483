"""Documents, their segments, cases and attributes.

A document's text is fixed at import (NFC, LF line endings) and every offset in the project
points into it, so import does all parsing and segmentation before the write transaction starts
and then stores document, segments, search index, case and attributes in one go: a failure
leaves no half-imported document behind.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casecoder.errors import UserError
from casecoder.ids import new_guid, now
from casecoder.model import Case, Document, ImportResult, Segment

if TYPE_CHECKING:
    from concurrent.futures import Future

    from casecoder.ingest import SegmentSpec, SourceText
    from casecoder.project.core import ProjectBase as _Base
else:
    _Base = object

SEGMENT_KINDS = ("sentence", "turn", "paragraph")
_DOC_COLUMNS = ("d.id, d.guid, d.name, d.length, d.word_count, d.sha256, d.source_format, "
                "d.source_name, d.encoding, d.language, d.imported_at, c.name")


def validate_document_name(name: str) -> str:
    cleaned = " ".join(unicodedata.normalize("NFC", name).split())
    if not cleaned:
        raise UserError("a document name cannot be empty")
    if len(cleaned) > 200:
        raise UserError("a document name can be at most 200 characters")
    return cleaned


def parse_assignment(text: str) -> tuple[str, str]:
    """KEY=VALUE from the command line, with a clear error for anything else."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UserError(f"attribute {text!r} is not of the form KEY=VALUE")
    return key.strip(), value.strip()


class DocumentsMixin(_Base):
    """Import and read documents; manage cases and attributes."""

    # --- import --------------------------------------------------------------------------

    def import_file(self, path: str | Path, *, name: str | None = None, case: str | None = None,
                    attributes: Mapping[str, str] | None = None,
                    language: str | None = None) -> ImportResult:
        """Import one file; never raises for a bad file, reports it in the result instead."""
        return next(self.import_files([path], names=[name] if name else None, case=case,
                                      attributes=attributes, language=language))

    def import_files(self, paths: Sequence[str | Path], *, names: Sequence[str] | None = None,
                     case: str | None = None, attributes: Mapping[str, str] | None = None,
                     language: str | None = None,
                     languages: Mapping[str, str] | None = None,
                     encoding: str | None = None) -> Iterator[ImportResult]:
        """Import files one transaction each, yielding a result per file as it is stored.

        Reading and segmenting the next file runs in a worker thread while the current one is
        written: SQLite releases the GIL while it builds indexes, so on two cores the two
        halves of an import overlap instead of adding up. `languages` maps a file stem to its
        language where files differ; `encoding` forces how text files are decoded.
        """
        paths = [Path(p) for p in paths]
        if names is not None and len(names) != len(paths):
            raise ValueError("names must match paths one to one")
        model = self.setting("nlp_model") or None
        default_language = self.language

        def lang_of(path: str | Path) -> str:
            return (languages or {}).get(Path(path).stem) or language or default_language

        with _preparer([Path(p) for p in paths],
                       [(Path(p), lang_of(p)) for p in paths]) as submit:
            pending = [submit(str(p), lang_of(p), model, encoding) for p in paths[:2]]
            for i, path in enumerate(paths):
                prepared = pending[i].result()
                if i + 2 < len(paths):
                    pending.append(submit(str(paths[i + 2]), lang_of(paths[i + 2]), model,
                                          encoding))
                pending[i] = None  # type: ignore[call-overload]  # free the finished text
                yield self.store_prepared(path, prepared, name=names[i] if names else None,
                                          case=case, attributes=attributes,
                                          language=lang_of(path))

    def import_settings(self, language: str | None = None) -> tuple[str, str | None]:
        """(language, spaCy model) for `prepare_file`, read here so workers never touch SQL."""
        return language or self.language, self.setting("nlp_model") or None

    def store_prepared(self, path: str | Path, prepared: tuple[Any, list[Any] | None, str | None],
                       *, name: str | None = None, case: str | None = None,
                       attributes: Mapping[str, str] | None = None,
                       language: str | None = None) -> ImportResult:
        """Store what `prepare_file` made (on any thread or process) as one document.

        The connection belongs to the thread that opened the project: a TUI prepares files in
        a worker and calls this back on its own thread.
        """
        path = Path(path)
        source, segments, error = prepared
        if error is not None:
            return ImportResult(str(path), "failed", error)
        try:
            doc = self.add_document(source, name=name or path.stem, source_name=path.name,
                                    case=case, attributes=attributes, language=language,
                                    segments=segments)
        except _Skipped as skip:
            return ImportResult(str(path), "skipped", str(skip))
        except UserError as exc:
            return ImportResult(str(path), "failed", str(exc))
        counts = {k: sum(1 for s in segments or () if s.kind == k) for k in SEGMENT_KINDS}
        return ImportResult(str(path), "imported", f"imported as {doc.name!r}", doc,
                            source.encoding, counts, doc.word_count, source.confidence,
                            tuple(source.warnings))

    def add_document(self, source: SourceText, *, name: str, source_name: str = "",
                     case: str | None = None, attributes: Mapping[str, str] | None = None,
                     language: str | None = None, guid: str | None = None,
                     segments: list[SegmentSpec] | None = None,
                     allow_empty: bool = False, imported_at: str | None = None) -> Document:
        """Store a parsed text with its segments; refuses duplicates and name clashes.

        `allow_empty` keeps an empty source of an exchange file as an empty document (so a
        round trip keeps it); empty texts are never duplicates of each other.
        """
        name = validate_document_name(name)
        language = language or self.language
        text = source.text
        if not text.strip() and not allow_empty:
            raise UserError(f"{name}: the text is empty")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self._refuse_clash(digest, name, bool(text.strip()))  # early, for the common case
        if segments is None:
            from casecoder.ingest import build_segments

            segments = build_segments(source, language, self.setting("nlp_model") or None)
        with self._change("import", undoable=False) as log:
            # Again inside the write transaction: another process importing at the same time
            # may have stored the same content or name since the check above.
            self._refuse_clash(digest, name, bool(text.strip()))
            doc_id = self.conn.execute(
                "INSERT INTO documents (guid, name, text, length, word_count, sha256, "
                "source_format, source_name, encoding, language, imported_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (guid or new_guid(), name, text, len(text), len(text.split()), digest,
                 source.format, source_name, source.encoding, language, imported_at or now()),
            ).lastrowid
            assert doc_id is not None
            self._insert_segments(doc_id, text, segments)
            self._insert_speakers(doc_id, text, segments)  # type: ignore[attr-defined]
            if case:
                self._assign_case(log, doc_id, case)
            for key, value in (attributes or {}).items():
                self._set_attribute(log, "document", doc_id, key, value)
            log.summary = f"import {source_name or name} as {name!r}"
            log.document_id = doc_id
        return self.document(name)

    def _refuse_clash(self, digest: str, name: str, has_text: bool = True) -> None:
        """Refuse a duplicate (same content) or a clashing name; empty texts never clash."""
        same = self.conn.execute("SELECT name FROM documents WHERE sha256 = ?",
                                 (digest,)).fetchone() if has_text else None
        if same:
            raise _Skipped(f"identical content is already imported as {same[0]!r}")
        if self._document_row(name) is not None:
            raise UserError(f"a different document is already named {name!r}; "
                            "import it with --name to choose another name")

    def _insert_segments(self, doc_id: int, text: str, segments: Iterable[SegmentSpec]) -> None:
        first = (self.conn.execute("SELECT coalesce(max(id), 0) FROM segments").fetchone()[0]
                 + 1)
        rows = []
        fts = []
        for offset, seg in enumerate(segments):
            seg_id = first + offset
            rows.append((seg_id, doc_id, seg.kind, seg.number, seg.start, seg.end, seg.speaker,
                         seg.timestamp, seg.page))
            if seg.kind == "sentence":
                fts.append((seg_id, text[seg.start:seg.end]))
        self.conn.executemany(
            'INSERT INTO segments (id, document_id, kind, number, start, "end", speaker, '
            "timestamp, page) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        self.conn.executemany("INSERT INTO segments_fts (rowid, text) VALUES (?, ?)", fts)
        language = self.conn.execute("SELECT language FROM documents WHERE id = ?",
                                     (doc_id,)).fetchone()[0]
        self._index_words(doc_id, text, language,  # type: ignore[attr-defined]
                          [(r[0], r[4], r[5]) for r in rows])

    # --- reading -------------------------------------------------------------------------

    def _document_row(self, ref: str | int) -> tuple[Any, ...] | None:
        base = (f"SELECT {_DOC_COLUMNS} FROM documents d "
                "LEFT JOIN cases c ON c.id = d.case_id WHERE ")
        if isinstance(ref, int):
            return self.conn.execute(base + "d.id = ?", (ref,)).fetchone()
        ref = unicodedata.normalize("NFC", ref.strip())
        row = self.conn.execute(base + "d.name = ? OR d.guid = ?", (ref, ref.lower())).fetchone()
        if row is None and not ref.isascii():
            # COLLATE NOCASE folds ASCII only, so "Ærlig" and "ærlig" differ to the index. Ask
            # the index for the names that agree in every ASCII letter (each other letter
            # matches any one character) and fold the few candidates here: the cost does not
            # grow with the project, where a scan of every name made each import slower.
            folded = ref.casefold()
            for pattern in _name_patterns(ref):
                for candidate in self.conn.execute(base + "d.name LIKE ? ESCAPE '\\'",
                                                   (pattern,)):
                    if candidate[2].casefold() == folded:
                        return candidate
        return row

    def document(self, ref: str | int | Document) -> Document:
        if isinstance(ref, Document):
            return ref
        row = self._document_row(ref)
        if row is None:
            raise UserError(f"no document named {ref!r} in this project "
                            "(see: casecoder docs PROJECT)")
        return Document(*row)

    def documents(self) -> list[Document]:
        return [Document(*r) for r in self.conn.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents d LEFT JOIN cases c ON c.id = d.case_id "
            "ORDER BY d.name COLLATE NOCASE")]

    def text(self, doc: str | int | Document) -> str:
        """The document's text; cached forever, because it can never change."""
        doc_id = self.document(doc).id if not isinstance(doc, int) else doc
        cached = self._text_cache.get(doc_id)
        if cached is None:
            row = self.conn.execute("SELECT text FROM documents WHERE id = ?",
                                    (doc_id,)).fetchone()
            if row is None:
                raise UserError(f"no document with id {doc_id}")
            cached = self._text_cache[doc_id] = row[0]
        return cached

    def forget_text(self, doc_id: int) -> None:
        """Drop a document's text from the cache: a listing that walks every document in
        turn (`codings --format json`) then holds one text at a time, not the whole corpus."""
        self._text_cache.pop(doc_id, None)

    def segments(self, doc: str | int | Document, kind: str = "sentence") -> list[Segment]:
        if kind not in SEGMENT_KINDS:
            raise UserError(f"unit must be one of {', '.join(SEGMENT_KINDS)}, not {kind!r}")
        doc_id = self.document(doc).id
        return [Segment(*r) for r in self.conn.execute(
            'SELECT id, document_id, kind, number, start, "end", speaker, timestamp, page '
            "FROM segments WHERE document_id = ? AND kind = ? ORDER BY number", (doc_id, kind))]

    def segment_counts(self, doc: str | int | Document) -> dict[str, int]:
        doc_id = self.document(doc).id
        counts = dict(self.conn.execute(
            "SELECT kind, count(*) FROM segments WHERE document_id = ? GROUP BY kind",
            (doc_id,)).fetchall())
        return {k: counts.get(k, 0) for k in SEGMENT_KINDS}

    def segment_span(self, doc: str | int | Document, first: int, last: int,
                     kind: str = "sentence") -> tuple[int, int]:
        """[start, end) covering segments first..last (1-based, inclusive) of one kind."""
        if kind not in SEGMENT_KINDS:
            raise UserError(f"unit must be one of {', '.join(SEGMENT_KINDS)}, not {kind!r}")
        if first < 1 or last < first:
            raise UserError(f"segment range {first}-{last} is not a valid range")
        d = self.document(doc)
        row = self.conn.execute(
            'SELECT min(start), max("end"), count(*) FROM segments WHERE document_id = ? '
            "AND kind = ? AND number BETWEEN ? AND ?", (d.id, kind, first, last)).fetchone()
        total = self.segment_counts(d)[kind]
        if row[2] != last - first + 1:
            raise UserError(f"{d.name} has {total} {kind}s; {first}-{last} is out of range")
        return int(row[0]), int(row[1])

    def passage_label(self, doc: str | int | Document, start: int, end: int) -> str:
        """'sentence 12' or 'sentences 12-14': how people name a passage (not by offsets).

        Messages, undo summaries and CLI tables use it; offsets stay in JSON and CSV.
        """
        d = self.document(doc)
        row = self.conn.execute(
            'SELECT min(number), max(number) FROM segments WHERE document_id = ? '
            "AND kind = 'sentence' AND start < ? AND \"end\" > ?",
            (d.id, max(end, start + 1), start)).fetchone()
        if row is None or row[0] is None:
            return f"characters {start}-{end}"
        first, last = int(row[0]), int(row[1])
        return f"sentence {first}" if first == last else f"sentences {first}-{last}"

    def segment_at(self, doc: str | int | Document, offset: int,
                   kind: str = "sentence") -> Segment | None:
        """The segment of a kind that contains an offset (or starts after it, if between)."""
        d = self.document(doc)
        row = self.conn.execute(
            'SELECT id, document_id, kind, number, start, "end", speaker, timestamp, page '
            'FROM segments WHERE document_id = ? AND kind = ? AND "end" > ? '
            "ORDER BY start LIMIT 1", (d.id, kind, offset)).fetchone()
        return Segment(*row) if row else None

    # --- cases and attributes ------------------------------------------------------------

    def cases(self) -> list[Case]:
        return [Case(*r) for r in self.conn.execute(
            "SELECT id, guid, name, description FROM cases ORDER BY name COLLATE NOCASE")]

    def _case_id(self, log: Any, name: str, *, guid: str | None = None) -> int:
        name = " ".join(name.split())
        if not name:
            raise UserError("a case name cannot be empty")
        row = self.conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
        if row:
            return int(row[0])
        return log.insert("cases", {"guid": guid or new_guid(), "name": name, "description": ""})

    def _assign_case(self, log: Any, doc_id: int, case: str | None) -> None:
        case_id = self._case_id(log, case) if case else None
        log.update("documents", {"id": doc_id}, {"case_id": case_id})

    def add_case(self, name: str, *, guid: str | None = None, description: str = "") -> Case:
        """Create a case (or describe an existing one) with a given GUID, e.g. from a .qdpx."""
        with self._change("add-case") as log:
            case_id = self._case_id(log, name, guid=guid)
            if description.strip():
                log.update("cases", {"id": case_id}, {"description": description.strip()})
            log.summary = f"case {name!r}"
        return next(c for c in self.cases() if c.id == case_id)

    def set_case(self, doc: str | Document, case: str | None) -> None:
        d = self.document(doc)
        with self._change("set-case") as log:
            self._assign_case(log, d.id, case)
            log.summary = f"put {d.name!r} in case {case!r}" if case else f"{d.name!r}: no case"
            log.document_id = d.id

    def _set_attribute(self, log: Any, owner_kind: str, owner_id: int, key: str,
                       value: str) -> None:
        key = " ".join(key.split())
        if not key:
            raise UserError("an attribute name cannot be empty")
        where = {"owner_kind": owner_kind, "owner_id": owner_id, "key": key}
        row = self.conn.execute(
            "SELECT id, value FROM attributes WHERE owner_kind = ? AND owner_id = ? AND key = ?",
            (owner_kind, owner_id, key)).fetchone()
        value = value.strip()
        if row and not value:
            log.delete("attributes", {"id": row[0]})
        elif row:
            log.update("attributes", {"id": row[0]}, {"value": value})
        elif value:
            log.insert("attributes", {**where, "value": value})

    def set_attributes(self, owner: str, values: Mapping[str, str], *,
                       owner_kind: str = "document") -> None:
        """Set attributes on a document or a case; an empty value removes the attribute."""
        if owner_kind == "document":
            owner_id, label = self.document(owner).id, self.document(owner).name
        elif owner_kind == "case":
            row = self.conn.execute("SELECT id, name FROM cases WHERE name = ?",
                                    (owner.strip(),)).fetchone()
            if row is None:
                raise UserError(f"no case named {owner!r}")
            owner_id, label = row
        else:
            raise UserError(f"attributes belong to a document or a case, not {owner_kind!r}")
        with self._change("set-attributes") as log:
            for key, value in values.items():
                self._set_attribute(log, owner_kind, owner_id, key, value)
            log.summary = f"set {', '.join(values)} on {owner_kind} {label!r}"

    def _raw_attributes(self, owner_kind: str, owner_id: int) -> dict[str, str]:
        return dict(self.conn.execute(
            "SELECT key, value FROM attributes WHERE owner_kind = ? AND owner_id = ? "
            "ORDER BY key", (owner_kind, owner_id)).fetchall())

    def own_attributes(self) -> dict[tuple[str, int], dict[str, str]]:
        """Attributes as stored on each case and document, keyed by (owner kind, owner id).

        Unlike `attributes`, nothing is overlaid: exchange formats keep case variables on the
        case and document variables on the document.
        """
        out: dict[tuple[str, int], dict[str, str]] = {}
        for kind, owner_id, key, value in self.conn.execute(
                "SELECT owner_kind, owner_id, key, value FROM attributes ORDER BY key"):
            out.setdefault((kind, owner_id), {})[key] = value
        return out

    def segment_by_id(self, segment_id: int) -> Segment | None:
        row = self.conn.execute(
            'SELECT id, document_id, kind, number, start, "end", speaker, timestamp, page '
            "FROM segments WHERE id = ?", (segment_id,)).fetchone()
        return Segment(*row) if row else None

    def attributes(self, doc: str | int | Document) -> dict[str, str]:
        """A document's effective attributes: its case's, overlaid by its own, plus 'case'."""
        d = self.document(doc)
        result: dict[str, str] = {}
        if d.case:
            case_id = self.conn.execute("SELECT id FROM cases WHERE name = ?",
                                        (d.case,)).fetchone()[0]
            result.update(self._raw_attributes("case", case_id))
            result["case"] = d.case
        result.update(self._raw_attributes("document", d.id))
        return result

    def all_attributes(self) -> dict[str, dict[str, str]]:
        """Effective attributes of every document, keyed by document name, in one pass."""
        docs = self.documents()
        by_owner: dict[tuple[str, int], dict[str, str]] = {}
        for kind, owner_id, key, value in self.conn.execute(
                "SELECT owner_kind, owner_id, key, value FROM attributes ORDER BY key"):
            by_owner.setdefault((kind, owner_id), {})[key] = value
        case_ids = dict(self.conn.execute("SELECT name, id FROM cases").fetchall())
        result: dict[str, dict[str, str]] = {}
        for d in docs:
            attrs: dict[str, str] = {}
            if d.case:
                attrs.update(by_owner.get(("case", case_ids[d.case]), {}))
                attrs["case"] = d.case
            attrs.update(by_owner.get(("document", d.id), {}))
            result[d.name] = attrs
        return result

    def attribute_names(self) -> list[str]:
        names = {r[0] for r in self.conn.execute("SELECT DISTINCT key FROM attributes")}
        if self.conn.execute("SELECT 1 FROM documents WHERE case_id IS NOT NULL").fetchone():
            names.add("case")
        return sorted(names)

    def load_attributes_csv(self, path: str | Path) -> dict[str, Any]:
        """Apply a CSV (one row per document) in one change; unknown documents are reported."""
        from casecoder.ingest.csvtable import read_csv_table

        path = Path(path)
        rows = read_csv_table(path, "attribute file")
        fields = rows.pop(0) if rows else []
        name_col = next((f for f in fields if f.lower() in ("document", "name", "file")), None)
        if name_col is None:
            raise UserError(f"{path}: the first row must name a 'document' column")
        known = {d.name.casefold(): d for d in self.documents()}
        updated: list[str] = []
        unknown: list[str] = []
        planned: list[tuple[Document, dict[str, str]]] = []
        for values in rows:
            row = dict(zip(fields, values, strict=False))
            doc_name = row.pop(name_col, "")
            if not doc_name:
                continue
            doc = known.get(doc_name.casefold()) or known.get(Path(doc_name).stem.casefold())
            if doc is None:
                unknown.append(doc_name)
                continue
            planned.append((doc, row))
        if not planned:  # nothing to apply: the project stays exactly as it was
            return {"updated": updated, "unknown": unknown, "columns": fields}
        with self._change("attributes-csv") as log:
            for doc, row in planned:
                case = row.pop("case", "")
                if case:
                    self._assign_case(log, doc.id, case)
                for key, value in row.items():
                    if key and value:
                        self._set_attribute(log, "document", doc.id, key, value)
                updated.append(doc.name)
            log.summary = f"attributes from {path.name} for {len(updated)} documents"
        return {"updated": updated, "unknown": unknown, "columns": fields}

    # --- progress ------------------------------------------------------------------------

    def mark_done(self, doc: str | Document, done: bool = True) -> None:
        """Mark a document as finished by the current coder (agreement counts it as worked)."""
        d = self.document(doc)
        with self._change("mark-done") as log:
            key = {"document_id": d.id, "coder_id": self.coder_id()}
            exists = self.conn.execute(
                "SELECT 1 FROM document_status WHERE document_id = ? AND coder_id = ?",
                (d.id, key["coder_id"])).fetchone()
            if exists:
                log.update("document_status", key, {"done": int(done), "updated_at": now()})
            else:
                log.insert("document_status", {**key, "done": int(done), "updated_at": now()})
            log.summary = f"{'done' if done else 'not done'}: {d.name!r}"
            log.document_id = d.id

    def done_documents(self, coder: str | None = None) -> set[str]:
        coder_id = self.coder(coder).id if coder else self.coder_id(create=False)
        return {r[0] for r in self.conn.execute(
            "SELECT d.name FROM document_status s JOIN documents d ON d.id = s.document_id "
            "WHERE s.coder_id = ? AND s.done = 1", (coder_id,))}


def prepare_file(path: str, language: str, model: str | None,
                 encoding: str | None = None) -> tuple[Any, list[Any] | None, str | None]:
    """Read and segment one file: the CPU-heavy half of an import, safe to run elsewhere."""
    from casecoder.ingest import build_segments, read_file

    try:
        source = read_file(Path(path), encoding)
        return source, build_segments(source, language, model), None
    except UserError as exc:
        return None, None, str(exc)


#: Batches at least this large are segmented in a worker process (its start-up, about a
#: second for Python and spaCy, only pays off on larger imports).
PARALLEL_MIN_FILES = 4
PARALLEL_MIN_BYTES = 2_000_000


@contextmanager
def _preparer(paths: Sequence[Path],
              languages: Sequence[tuple[Path, str]] = ()) -> Iterator[Callable[..., Future[Any]]]:
    """Where files are read and segmented: inline, or one worker process for big batches.

    spaCy holds the GIL, so a thread gains nothing; a process works on the next file while
    this one writes to SQLite. Only plain offsets and text cross the process boundary.
    """
    from concurrent.futures import Future, ProcessPoolExecutor

    size = sum(p.stat().st_size for p in paths if p.is_file())
    if len(paths) < PARALLEL_MIN_FILES or size < PARALLEL_MIN_BYTES:
        def inline(*args: Any) -> Future[Any]:
            future: Future[Any] = Future()
            future.set_result(prepare_file(*args))
            return future

        yield inline
        return
    import multiprocessing
    import sys
    import threading

    # Fork inherits the already imported spaCy and pipeline (spawn re-imports them: about a
    # second). It is safe only without other threads; the child never touches the SQLite
    # connection, it only reads files and returns offsets.
    forkable = sys.platform == "linux" and threading.active_count() == 1
    context = multiprocessing.get_context("fork" if forkable else "spawn")
    if forkable:
        from casecoder.nlp.pipeline import load_pipeline

        for language in {lang for _, lang in languages}:
            load_pipeline(language)
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        yield lambda *args: pool.submit(prepare_file, *args)


def _die_with_parent(parent_pid: int) -> None:
    """In the import worker: exit as soon as the importing process is gone.

    A `kill -9` of `casecoder import` gives the pool no chance to stop its worker, which would
    then wait for work forever. On Linux the kernel sends the worker SIGKILL when its parent
    dies (prctl PR_SET_PDEATHSIG); elsewhere, and for a parent that died before that call,
    a watcher thread checks the parent's pid once a second.
    """
    import signal
    import sys
    import threading
    import time

    if sys.platform == "linux":
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="casecoder-parent-watch", daemon=True).start()


def _name_patterns(ref: str, most: int = 8) -> list[str]:
    """LIKE patterns that together match every name equal to `ref` but for letter case.

    LIKE ignores the case of ASCII letters only, and the index serves a pattern only up to
    its first wildcard. So the leading letters are spelled out in each case form (at most
    `most` patterns, each a range of the index) and any later non-ASCII letter is "_".
    """
    patterns = [""]
    used = 0
    for ch in ref:
        if ch.isascii():
            patterns = [p + _like_escape(ch) for p in patterns]
        else:
            forms = sorted({f for f in (ch, ch.lower(), ch.upper()) if len(f) == 1})
            if len(patterns) * len(forms) > most:
                break
            patterns = [p + f for p in patterns for f in forms]
        used += 1
    tail = "".join(_like_escape(ch) if ch.isascii() else "_" for ch in ref[used:])
    return [p + tail for p in patterns]


def _like_escape(ch: str) -> str:
    return "\\" + ch if ch in "%_\\" else ch


class _Skipped(UserError):
    """The file is already in the project: not an error, but nothing to do."""


