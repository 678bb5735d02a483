"""A .qdpx read by `casecoder.ingest.refiqda` becomes a `Snapshot`, then a new project.

Everything a file from another tool gets wrong is settled here, before the builder sees it:
names made valid and unique, repeated GUIDs replaced, notes joined onto what they are about,
positions moved onto the stored text (and the CRLF convention of the file decided, see
`_positions_reading`), selections outside their text counted and left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Literal, TypeVar

from casecoder.codebook import validate_shortcut
from casecoder.config import resolve_coder
from casecoder.errors import UserError
from casecoder.exchange import extension_read
from casecoder.exchange.snapshot import (
    SEGMENT_KINDS,
    AutocodeRunRecord,
    CaseRecord,
    CodeRecord,
    CoderRecord,
    CodeSet,
    CodingRecord,
    DecisionRecord,
    DocumentRecord,
    JsonValue,
    MemoRecord,
    MemoTarget,
    SegmentKind,
    SegmentRecord,
    Snapshot,
    SummaryRecord,
)
from casecoder.ids import new_guid
from casecoder.ingest.refiqda import (
    EXTENSION_MEMBER,
    MAX_CODER_NAME,
    MAX_DOCUMENT_NAME,
    SEGMENT_NAME,
    CodingRef,
    QdpxFile,
    Selection,
    SourceRead,
    clean_name,
    dict_of,
    read_qdpx,
    segments_from,
    unique_name,
    valid_guid,
    walk,
)

_R = TypeVar("_R", CoderRecord, CaseRecord, CodingRecord, MemoRecord)
#: Where memo parts gather: a target kind, its GUID and what else tells targets apart.
_MemoKey = tuple[str | int, ...]
Reading = Literal["as written", "after CRLF -> LF"]
_QC_ORIGIN = re.compile(r"\bqc\b|qualitative[- ]coding", re.IGNORECASE)


@dataclass
class QdpxImport:
    """What `import_qdpx` made, for the command's report."""

    project: Path
    name: str
    documents: int
    codes: int
    codings: int
    memos: int
    cases: int
    coders: list[str]
    warnings: list[str] = field(default_factory=list)
    #: What the reader decided without anything being wrong (e.g. how positions count).
    notes: list[str] = field(default_factory=list)


def import_qdpx(qdpx: str | Path, target: str | Path, *, coder: str | None = None,
                language: str | None = None) -> QdpxImport:
    """Create a NEW project at `target` from a .qdpx; it exists only if the import succeeded."""
    from casecoder.exchange.build import build_into
    from casecoder.project import SUPPORTED_LANGUAGES, Project
    from casecoder.store import building_project

    qdpx, target = Path(qdpx), Path(target)
    if not qdpx.exists():
        raise UserError(f"{qdpx} does not exist")
    if target.exists():
        raise UserError(f"{target} already exists; a .qdpx is imported as a new project")
    if not target.parent.is_dir():
        raise UserError(f"folder {target.parent} does not exist")
    read = read_qdpx(qdpx)
    users = _user_names(read)
    session = coder or users.get(read.parsed.creating_user) or next(iter(users.values()), None)
    snapshot, warnings, notes = snapshot_from_qdpx(read, default_coder=session)
    if language is None:
        candidate = dict_of(read.extension.get("project")).get("language")
        language = candidate if candidate in SUPPORTED_LANGUAGES else "nb"
    with building_project(target) as tmp, \
            Project.create(tmp, language=language, coder=session,
                           name=snapshot.name or target.stem,
                           created_at=snapshot.created_at) as project:
        report = build_into(project, snapshot, "new", action="import-qdpx")
        if report.codings["merged"]:
            warnings.append(f"{report.codings['merged']} coding(s) touched or overlapped "
                            "another coding of the same code by the same coder and were "
                            "merged")
        result = QdpxImport(
            project=target, name=project.name, documents=len(report.document_ids),
            codes=len(report.code_ids),
            codings=report.codings["added"] + report.codings["merged"],
            memos=len(project.memos()), cases=len(project.cases()),
            coders=[c.name for c in project.coders()],
            warnings=warnings + report.warnings, notes=notes)
        project.checkpoint()
    return result


def _user_names(read: QdpxFile) -> dict[str, str]:
    """Coder names per user GUID key: cleaned, and unique (two people never become one)."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for key, raw in read.parsed.users.items():
        name = clean_name(raw, MAX_CODER_NAME) or f"user {key[:8]}"
        out[key] = unique_name(name, taken, MAX_CODER_NAME)
    return out


def snapshot_from_qdpx(read: QdpxFile, *, default_coder: str | None = None
                       ) -> tuple[Snapshot, list[str], list[str]]:
    """The file as a snapshot, the warnings about what had to change or stay behind, and
    notes on what was decided (how positions in CRLF texts were counted)."""
    convert = _Convert(read, default_coder)
    snapshot, warnings = convert.run()
    return snapshot, warnings, convert.notes


class _Convert:
    def __init__(self, read: QdpxFile, default_coder: str | None) -> None:
        self.r = read
        self.f = read.parsed
        self.ext = read.extension
        self.warnings = list(read.warnings)
        self.notes: list[str] = []
        self.default_coder = resolve_coder(default_coder)
        self.coders: dict[str, CoderRecord] = {}  # user key -> record
        self.coder_names: set[str] = set()
        for key, name in _user_names(read).items():
            self._add_coder(key, name)
        self.code_guid: dict[str, str] = {}  # file code key -> snapshot code guid
        self.doc_guid: dict[str, str] = {}  # source key -> snapshot document guid
        self.used_notes: set[str] = set()
        self.memo_parts: dict[_MemoKey, list[tuple[str, str | None, str | None]]] = {}
        self.memo_targets: dict[_MemoKey, MemoTarget] = {}
        self.refs = extension_read.Refs()

    def _add_coder(self, key: str, name: str) -> CoderRecord:
        guid = valid_guid(key) or new_guid()
        if any(c.guid == guid for c in self.coders.values()):
            guid = new_guid()
        record = CoderRecord(guid, name)
        self.coders[key] = record
        self.coder_names.add(name.casefold())
        return record

    def coder(self, key: str) -> str:
        """The snapshot coder GUID for a user key; unknown users become "user xxxxxxxx"."""
        if not key:
            existing = next((c for c in self.coders.values()
                             if c.name.casefold() == self.default_coder.casefold()), None)
            if existing is None:
                existing = self._add_coder("", self.default_coder)
            return existing.guid
        if key not in self.coders:
            name = unique_name(f"user {key[:8]}", set(self.coder_names), MAX_CODER_NAME)
            self._add_coder(key, name)
        return self.coders[key].guid

    def run(self) -> tuple[Snapshot, list[str]]:
        codes = self._codes()
        cases, case_of_source = self._cases()
        documents = self._documents(case_of_source)
        codings = self._codings(documents)
        memos = self._memos()
        ext_project = dict_of(self.ext.get("project"))
        name, description = (ext_project.get("codebook_name"),
                             ext_project.get("codebook_description"))
        metadata: dict[str, JsonValue] = dict(self.f.metadata)
        created = metadata.pop("created_at", None)
        for field_name in ("modifying_user",):
            if field_name in metadata:
                metadata[field_name] = self.coder(metadata[field_name])
        if self.f.creating_user:
            metadata["creating_user"] = self.coder(self.f.creating_user)
        user_ids = {self.coders[k].guid: v for k, v in self.f.user_ids.items()
                    if k in self.coders}
        if user_ids:
            metadata["user_ids"] = user_ids
        later = self._later_data(codings)
        kinds = extension_read.coder_kinds(self.ext.get("coder_kinds"), self.refs)
        coders = tuple(replace(c, kind=kinds[c.guid]) if c.guid in kinds else c
                       for c in self.coders.values())
        cases = self._with_extra("cases", cases)
        snapshot = Snapshot(
            name=clean_name(self.f.name, 200), language=None, created_at=created,
            codebook_name=name if isinstance(name, str) else "",
            codebook_description=description.strip() if isinstance(description, str) else "",
            coders=self._with_extra("coders", coders), codes=codes, cases=cases,
            documents=tuple(documents), codings=self._with_extra("codings", later[0]),
            memos=self._with_extra("memos", tuple(memos)),
            decisions=later[1], summaries=later[2], autocode_runs=later[3],
            code_sets=tuple(CodeSet(guid, set_name, tuple(
                self.code_guid[k] for k in members if k in self.code_guid))
                for set_name, guid, members in self.f.sets),
            object_guids={f"variable:{n}": g for n, g in self.f.variables.values() if g},
            extra=metadata)
        return snapshot, self.warnings

    def _later_data(self, codings: list[CodingRecord]) -> tuple[
            tuple[CodingRecord, ...], tuple[DecisionRecord, ...], tuple[SummaryRecord, ...],
            tuple[AutocodeRunRecord, ...]]:
        """Coding origins, review decisions, framework summaries and autocode runs from
        casecoder.json, vetted and mapped onto the snapshot's GUIDs (`extension_read`)."""
        for key, record in self.coders.items():
            self.refs.coders[key] = record.guid
            file_guid = valid_guid(key)
            if file_guid:
                self.refs.coders.setdefault(file_guid, record.guid)
        origins = extension_read.origins(self.ext.get("coding_origins"))
        with_origin = tuple(replace(k, origin=origins[k.guid]) if k.guid in origins else k
                            for k in codings)
        decisions = extension_read.decisions(self.ext.get("review_decisions"), self.refs)
        summaries = extension_read.summaries(self.ext.get("framework_summaries"), self.refs)
        runs = extension_read.autocode_runs(self.ext.get("autocode_runs"), self.refs)
        if self.refs.dropped:
            self.warnings.append(f"skipped {self.refs.dropped} review decision(s), framework "
                                 f"summaries or autocode runs of {EXTENSION_MEMBER} that were "
                                 "not valid or name what the file does not hold")
        return with_origin, decisions, summaries, runs

    def _with_extra(self, kind: str, records: tuple[_R, ...]) -> tuple[_R, ...]:
        """Records with the `extra` fields casecoder.json holds for them (by GUID), so that
        fields added by newer casecoders pass through this one unchanged."""
        extras = dict_of(dict_of(self.ext.get("extra")).get(kind))
        if not extras:
            return records
        return tuple(replace(r, extra=dict_of(extras.get(r.guid))) if r.guid in extras
                     else r for r in records)

    # --- codes, cases, documents ---------------------------------------------------------

    def _codes(self) -> tuple[CodeRecord, ...]:
        extras = dict_of(self.ext.get("codes"))
        shortcuts: set[str] = set()
        out: list[CodeRecord] = []
        guid_of_path: dict[str, str] = {}
        for path, spec in walk(self.f.codes.specs):
            guid = spec.guid or new_guid()
            guid_of_path[path.casefold()] = guid
            if valid_guid(spec.guid):
                self.refs.codes.setdefault(str(valid_guid(spec.guid)), guid)
            parent = path.rpartition("/")[0]
            extra = dict_of(extras.get(spec.guid or ""))
            keywords = extra.get("keywords")
            kept = tuple(str(k).strip() for k in keywords
                         if isinstance(k, str | int) and str(k).strip()) \
                if isinstance(keywords, list) else ()
            try:
                shortcut = validate_shortcut(extra.get("shortcut"), "code")
            except UserError:
                shortcut = None
            if shortcut in shortcuts:
                shortcut = None
            if shortcut:
                shortcuts.add(shortcut)
            out.append(CodeRecord(
                guid=guid, name=spec.name,
                parent=guid_of_path[parent.casefold()] if parent else None,
                description=spec.description, color=spec.color or None, keywords=kept,
                shortcut=shortcut, codable=spec.codable, extra=dict_of(extra.get("extra"))))
        for key, path in self.f.codes.path_of.items():
            self.code_guid[key] = guid_of_path[path.casefold()]
        return tuple(out)

    def _cases(self) -> tuple[tuple[CaseRecord, ...], dict[str, str]]:
        case_of_source: dict[str, str] = {}
        taken: set[str] = set()
        seen: set[str] = set()
        multi = 0
        out = []
        for case in self.f.cases:
            name = unique_name(clean_name(case.name, 200) or f"case {(case.guid or '')[:8]}",
                               taken, 200)
            guid = case.guid if case.guid and case.guid not in seen else new_guid()
            seen.add(guid)
            if case.guid:
                self.refs.cases.setdefault(case.guid, guid)
            parts = [case.description] if case.description else []
            for note_key in case.notes:
                text = self.r.note_texts.get(note_key)
                if text:
                    parts.append(text)
                    self.used_notes.add(note_key)
            out.append(CaseRecord(guid, name, "\n\n".join(parts), dict(case.variables)))
            for source in case.sources:
                if source in case_of_source:
                    multi += 1
                else:
                    case_of_source[source] = guid
        if multi:
            self.warnings.append(f"{multi} source(s) belong to more than one case; casecoder "
                                 "keeps the first")
        return tuple(out), case_of_source

    def _documents(self, case_of_source: dict[str, str]) -> list[DocumentRecord]:
        docs_ext = dict_of(self.ext.get("documents"))
        taken: set[str] = set()
        seen: set[str] = set()
        out = []
        for source in self.f.sources:
            text = self.r.texts.get(source.key)
            if text is None:
                continue
            file_name = PurePosixPath((source.plain_path or "").replace("\\", "/")).stem
            name = unique_name(clean_name(source.name, MAX_DOCUMENT_NAME)
                               or clean_name(file_name, MAX_DOCUMENT_NAME)
                               or f"source {source.key[:8]}", taken, MAX_DOCUMENT_NAME)
            guid = source.guid if source.guid and source.guid not in seen else new_guid()
            seen.add(guid)
            extra = dict_of(docs_ext.get(source.guid or ""))
            encoding = extra.get("encoding", text.encoding)
            specs = segments_from(extra, text.text)
            if source.guid:
                self.refs.documents.setdefault(source.guid, guid)
            if specs is not None:  # the units decisions are numbered in came back
                self.refs.lengths[guid] = len(text.text)
            pages = extension_read.pages(extra.get("pages")) if specs is not None else {}
            speakers, bad = extension_read.speakers(extra.get("speakers"))
            self.refs.dropped += bad
            out.append(DocumentRecord(
                guid=guid, name=name, text=text.text,
                source_format=_str_or(extra.get("source_format"), "") or text.format,
                source_name=_str_or(extra.get("source_name"), source.name),
                encoding=encoding if encoding is None or isinstance(encoding, str)
                else text.encoding,
                language=_language(extra.get("language")), imported_at=source.created,
                case=case_of_source.get(source.key), attributes=dict(source.variables),
                segments=None if specs is None else tuple(
                    SegmentRecord(_kind(s.kind), s.number, s.start, s.end, s.speaker,
                                  s.timestamp, pages.get((s.kind, s.number)))
                    for s in specs),
                speakers=speakers, extra=dict_of(extra.get("extra"))))
            self.doc_guid[source.key] = guid
            if source.description:
                self._part(("document", guid), MemoTarget("document", guid), source.user,
                           source.description, None, source.created)
            for note_key in source.notes:
                self._note(("document", guid), MemoTarget("document", guid), note_key)
        return out

    # --- codings -------------------------------------------------------------------------

    def _codings(self, documents: list[DocumentRecord]) -> list[CodingRecord]:
        reading = self._positions_reading()
        records: list[CodingRecord] = []
        outside = swapped = clamped = unknown_code = 0
        seen: set[str] = set()
        for source in self.f.sources:
            guid = self.doc_guid.get(source.key)
            if guid is None:
                continue
            text = self.r.texts[source.key]
            for coding in source.whole:
                if coding.code not in self.code_guid:
                    unknown_code += 1
                    continue
                if not text.text:
                    outside += 1
                    continue
                memo = self._joined_notes(coding.notes)
                records.append(self._record(guid, coding, 0, len(text.text), memo, seen))
            for sel in source.selections:
                span, how = _map_span(sel.start, sel.end, text, reading)
                if span is None:
                    outside += 1
                    continue
                swapped += how == "swapped"
                clamped += how == "clamped"
                start, end = span
                if not sel.codings:
                    self._segment_notes(guid, sel, start, end)
                    continue
                notes = [self.r.note_texts.get(k, "") for k in sel.notes]
                self.used_notes.update(sel.notes)
                for coding in sel.codings:
                    if coding.code not in self.code_guid:
                        unknown_code += 1
                        continue
                    coding_notes = [self.r.note_texts.get(k, "") for k in coding.notes]
                    self.used_notes.update(coding.notes)
                    memo = "\n\n".join(p for p in (sel.description, *notes, *coding_notes) if p)
                    records.append(self._record(guid, coding, start, end, memo, seen))
        if outside:
            self.warnings.append(f"skipped {outside} selection(s) whose positions lie outside "
                                 "their text")
        if swapped:
            self.warnings.append(f"{swapped} selection(s) had their start after their end; "
                                 "read the other way round")
        if clamped:
            self.warnings.append(f"{clamped} selection(s) ran past the end of their text and "
                                 "were cut at its end")
        if unknown_code:
            self.warnings.append(f"skipped {unknown_code} coding(s) of codes that are not in "
                                 "the codebook")
        return records

    def _positions_reading(self) -> Reading:
        """Whether positions in CRLF texts count the CR (REFI-QDA, MAXQDA) or not (qc).

        Decided once per file from the origin and from how many selection ends fall on word
        or line boundaries under each reading; said in the report either way, never silent.
        """
        as_written = after_lf = total = 0
        crlf_sources = 0
        for source in self.f.sources:
            text = self.r.texts.get(source.key)
            if text is None or text.lf_positions is None or not source.selections:
                continue
            crlf_sources += 1
            for sel in source.selections:
                for positions, tally in ((text.positions, 0), (text.lf_positions, 1)):
                    fits = _fits(sel.start, sel.end, text.text, positions)
                    if tally:
                        after_lf += fits
                    else:
                        as_written += fits
                total += 2
        if not crlf_sources:
            return "as written"
        origin = self.f.metadata.get("origin", "")
        expected: Reading = "after CRLF -> LF" if _QC_ORIGIN.search(origin) else "as written"
        reading: Reading = expected
        if after_lf > as_written:
            reading = "after CRLF -> LF"
        elif as_written > after_lf:
            reading = "as written"
        said = f"origin {origin!r}" if origin else "no origin given"
        line = (f"{crlf_sources} source(s) have CRLF line ends: positions read as counted "
                f"{reading} ({said}); {as_written} of {total} selection ends fit word or "
                f"line boundaries counted as written, {after_lf} counted after CRLF -> LF")
        # What the origin leads one to expect is a note; evidence against it is a warning.
        (self.notes if reading == expected else self.warnings).append(line)
        return reading

    def _record(self, doc: str, coding: CodingRef, start: int, end: int, memo: str,
                seen: set[str]) -> CodingRecord:
        guid = coding.guid if coding.guid and coding.guid not in seen else new_guid()
        seen.add(guid)
        return CodingRecord(guid=guid, document=doc, code=self.code_guid[coding.code],
                            coder=self.coder(coding.user), start=start, end=end, memo=memo,
                            created_at=coding.created)

    def _joined_notes(self, keys: list[str]) -> str:
        self.used_notes.update(keys)
        return "\n\n".join(t for t in (self.r.note_texts.get(k, "") for k in keys) if t)

    # --- memos ---------------------------------------------------------------------------

    def _segment_notes(self, doc: str, sel: Selection, start: int, end: int) -> None:
        """An uncoded selection with notes or a comment is a memo on the segment it covers."""
        if not sel.notes and not sel.description:
            return
        named = SEGMENT_NAME.match(sel.name)
        target = MemoTarget("segment", doc, _kind(named.group(1)) if named else None,
                            int(named.group(2)) if named else None, (start, end))
        key = ("segment", doc, sel.name, start, end)
        if sel.description:
            self._part(key, target, sel.user, sel.description, None, sel.created)
        for note_key in sel.notes:
            self._note(key, target, note_key)

    def _note(self, key: _MemoKey, target: MemoTarget, note_key: str) -> None:
        note = self.f.all_notes.get(note_key)
        text = self.r.note_texts.get(note_key, "")
        if note is None or not text:
            return
        guid = note.guid if note_key not in self.used_notes else None
        self.used_notes.add(note_key)
        self._part(key, target, note.user, text, guid, note.created)

    def _part(self, key: _MemoKey, target: MemoTarget, user: str, text: str,
              guid: str | None, created: str | None) -> None:
        full = (*key, self.coder(user))
        self.memo_targets[full] = target
        self.memo_parts.setdefault(full, []).append((text, guid, created))

    def _memos(self) -> list[MemoRecord]:
        project = MemoTarget("project")
        for key in self.f.notes:
            self._note(("project",), project, key)
        project_notes = [self.r.note_texts.get(k, "") for k in self.f.notes]
        if self.f.description and self.f.description != "\n\n".join(t for t in project_notes
                                                                     if t):
            self._part(("project",), project, self.f.creating_user, self.f.description, None,
                       None)
        for code_key, note_keys in self.f.codes.notes_of.items():
            guid = self.code_guid[code_key]
            for note_key in note_keys:
                self._note(("code", guid), MemoTarget("code", guid), note_key)
        for key, note in self.f.all_notes.items():
            text = self.r.note_texts.get(key, "")
            if key not in self.used_notes and text:
                heading = f"{note.name}\n" if note.name else ""
                self._part(("project",), project, note.user, heading + text, note.guid,
                           note.created)
        out = []
        taken: set[str] = set()
        for full, parts in self.memo_parts.items():
            text = "\n\n".join(p[0] for p in parts if p[0])
            guid = next((p[1] for p in parts if p[1] and p[1] not in taken), None) or new_guid()
            taken.add(guid)
            created = next((p[2] for p in parts if p[2]), None)
            if text.strip():
                out.append(MemoRecord(guid, self.memo_targets[full], str(full[-1]), text,
                                      created))
        return out


def _kind(value: str) -> SegmentKind:
    return next(k for k in SEGMENT_KINDS if k == value)


def _language(value: object) -> str | None:
    from casecoder.project.core import SUPPORTED_LANGUAGES

    return value if isinstance(value, str) and value in SUPPORTED_LANGUAGES else None


def _str_or(value: object, default: str) -> str:
    return value if isinstance(value, str) else default


def _boundary(text: str, pos: int) -> bool:
    """Whether a position is at a word or line edge of the stored text."""
    if pos <= 0 or pos >= len(text):
        return True
    before, after = text[pos - 1], text[pos]
    return before == "\n" or after == "\n" or before.isalnum() != after.isalnum()


def _fits(start: int, end: int, text: str, positions: list[int] | None) -> int:
    """How many of a selection's two ends land on boundaries under one reading (0-2)."""
    if positions is None or not 0 <= start < len(positions) or not 0 <= end < len(positions):
        return 0
    return int(_boundary(text, positions[start])) + int(_boundary(text, positions[end]))


def _map_span(start: int, end: int, text: SourceRead, reading: Reading
              ) -> tuple[tuple[int, int] | None, str]:
    """A selection as written, moved onto the stored text: (span or None, what was done)."""
    positions = text.lf_positions if reading != "as written" and text.lf_positions \
        else text.positions
    written = len(positions) - 1 if positions is not None else len(text.text)
    how = ""
    if start > end:
        start, end, how = end, start, "swapped"
    if start < 0 or start >= written or end <= start:
        return None, how
    if end > written:
        end, how = written, "clamped"
    if positions is not None:
        start, end = positions[start], positions[end]
    return ((start, end) if end > start else None), how
