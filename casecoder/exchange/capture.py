"""`snapshot_of`: a project's content as one frozen `Snapshot`, read through the public API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from casecoder.exchange.settings import (
    CODE_SETS_SETTING,
    METADATA_SETTING,
    REFI_GUIDS_SETTING,
    read_json_setting,
)
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
    FrameworkRowKind,
    MemoKind,
    MemoRecord,
    MemoTarget,
    SegmentRecord,
    Snapshot,
    SpeakerRecord,
    SummaryRecord,
)
from casecoder.ids import normalise_guid

if TYPE_CHECKING:
    from casecoder.model import Code
    from casecoder.project import Project


def snapshot_of(project: Project) -> Snapshot:
    """Everything a project holds that travels between projects and tools.

    Not captured: the event log (it holds the real text of every change), document status
    and per-coder view settings; they belong to this file, not to its content.
    """
    coders = tuple(CoderRecord(c.guid, c.name, c.kind) for c in project.coders())
    coder_guid = {c.name: c.guid for c in coders}
    codes_by_id = {c.id: c for c in project.codes()}
    codes = _codes(project)
    own = project.own_attributes()
    case_rows = project.cases()
    case_guid = {c.name.casefold(): c.guid for c in case_rows}
    cases = tuple(CaseRecord(c.guid, c.name, c.description, dict(own.get(("case", c.id), {})))
                  for c in case_rows)
    documents = []
    doc_guid: dict[int, str] = {}
    speakers: dict[int, list[SpeakerRecord]] = {}
    for sp in project.speakers():
        speakers.setdefault(sp.document_id, []).append(SpeakerRecord(
            sp.label, sp.interviewer, sp.person, dict(sp.attributes)))
    doc_by_name: dict[str, str] = {}
    for d in project.documents():
        doc_guid[d.id] = d.guid
        doc_by_name[d.name] = d.guid
        segments = tuple(SegmentRecord(kind, s.number, s.start, s.end, s.speaker, s.timestamp,
                                       s.page)
                         for kind in SEGMENT_KINDS for s in project.segments(d, kind))
        documents.append(DocumentRecord(
            guid=d.guid, name=d.name, text=project.text(d), source_format=d.source_format,
            source_name=d.source_name, encoding=d.encoding, language=d.language,
            imported_at=d.imported_at,
            case=case_guid.get(d.case.casefold()) if d.case else None,
            attributes=dict(own.get(("document", d.id), {})), segments=segments,
            speakers=tuple(speakers.get(d.id, ()))))
    codings = tuple(CodingRecord(
        guid=k.guid, document=doc_guid[k.document_id], code=codes_by_id[k.code_id].guid,
        coder=coder_guid[k.coder], start=k.start, end=k.end, memo=k.memo,
        created_at=k.created_at, origin=k.origin) for k in project.iter_codings())
    memos = []
    for m in project.memos():
        target = _memo_target(project, m.target_kind, m.target_id, doc_guid, codes_by_id)
        if target is not None:
            memos.append(MemoRecord(m.guid, target, coder_guid[m.coder], m.text, m.created_at,
                                    m.updated_at))
    return Snapshot(
        name=project.name, guid=project.guid or None, language=project.language,
        created_at=project.setting("created_at") or None,
        codebook_name=project.setting("codebook_name"),
        codebook_description=project.setting("codebook_description"),
        coders=coders, codes=codes, cases=cases, documents=tuple(documents), codings=codings,
        memos=tuple(memos), code_sets=_code_sets(project, {c.guid for c in codes}),
        decisions=_decisions(project, coder_guid, doc_by_name, codes_by_id),
        summaries=_summaries(project, coder_guid, case_guid, doc_by_name, codes_by_id),
        autocode_runs=tuple(AutocodeRunRecord(
            r.guid, coder_guid.get(r.coder) if r.coder else None, r.kind, r.query, r.unit,
            r.codes, dict(r.options), r.codings, r.created_at)
            for r in project.autocode_run_records()),
        object_guids=_object_guids(project),
        extra=read_json_setting(project, METADATA_SETTING))


def _decisions(project: Project, coder_guid: Mapping[str, str], by_name: Mapping[str, str],
               codes_by_id: Mapping[int, Code]) -> tuple[DecisionRecord, ...]:
    """Review decisions by GUID, in an order that does not depend on row ids."""
    out = []
    for d in project.decisions():
        code = codes_by_id.get(d.code_id)
        unit = next((k for k in SEGMENT_KINDS if k == d.unit), None)
        if code is None or unit is None or d.document not in by_name \
                or d.consensus not in coder_guid:
            continue
        out.append(DecisionRecord(coder_guid[d.consensus], by_name[d.document], code.guid,
                                  unit, d.number, d.start, d.end, d.choice, d.coders,
                                  d.memo, d.decided_at))
    return tuple(sorted(out, key=lambda r: (r.consensus, r.document, r.unit, r.number,
                                            r.code)))


def _summaries(project: Project, coder_guid: Mapping[str, str], case_guid: Mapping[str, str],
               doc_by_name: Mapping[str, str], codes_by_id: Mapping[int, Code]
               ) -> tuple[SummaryRecord, ...]:
    """Framework summaries with their row, code and coder by GUID."""
    out = []
    for s in project.framework_summaries():
        row = (case_guid.get(s.row.casefold()) if s.row_kind == "case"
               else doc_by_name.get(s.row))
        code = codes_by_id.get(s.code_id)
        kind: FrameworkRowKind = "case" if s.row_kind == "case" else "document"
        if row is None or code is None or s.coder not in coder_guid:
            continue
        out.append(SummaryRecord(s.guid, kind, row, code.guid, coder_guid[s.coder], s.text,
                                 s.created_at, s.updated_at))
    return tuple(sorted(out, key=lambda r: r.guid))


def codebook_snapshot(project: Project) -> Snapshot:
    """Only the codebook (codes and code sets): what a .qdc or CSV codebook carries."""
    codes = _codes(project)
    return Snapshot(name=project.name, guid=project.guid or None,
                    codebook_name=project.setting("codebook_name"),
                    codebook_description=project.setting("codebook_description"),
                    codes=codes, code_sets=_code_sets(project, {c.guid for c in codes}),
                    object_guids=_object_guids(project))


def _codes(project: Project) -> tuple[CodeRecord, ...]:
    """Codes in codebook order (parents first); a code without a colour of its own has
    color None, so no export invents one."""
    by_id = {c.id: c for c in project.codes()}
    return tuple(CodeRecord(
        guid=c.guid, name=c.name, parent=by_id[c.parent_id].guid if c.parent_id else None,
        description=c.description, color=c.color if c.color_set else None,
        keywords=c.keywords, shortcut=c.shortcut, codable=c.codable)
        for c in by_id.values())


def _object_guids(project: Project) -> dict[str, str]:
    return {k: v for k, v in read_json_setting(project, REFI_GUIDS_SETTING).items()
            if isinstance(v, str)}


def _memo_target(project: Project, kind: str, target_id: int, doc_guid: dict[int, str],
                 codes_by_id: Mapping[int, Code]) -> MemoTarget | None:
    """A memo's target by GUID; None for a segment memo whose segment no longer exists."""
    memo_kind: MemoKind
    if kind == "project":
        return MemoTarget("project")
    if kind == "document":
        return MemoTarget("document", doc_guid[target_id]) if target_id in doc_guid else None
    if kind == "code":
        code = codes_by_id.get(target_id)
        return MemoTarget("code", code.guid) if code else None
    memo_kind = "segment"
    seg = project.segment_by_id(target_id)
    if seg is None or seg.document_id not in doc_guid or seg.kind not in SEGMENT_KINDS:
        return None
    segment_kind = next(k for k in SEGMENT_KINDS if k == seg.kind)
    return MemoTarget(memo_kind, doc_guid[seg.document_id], segment_kind, seg.number,
                      (seg.start, seg.end))


def _code_sets(project: Project, known: set[str]) -> tuple[CodeSet, ...]:
    """Code groups by name, members limited to codes that exist, in a stable order."""
    raw = read_json_setting(project, CODE_SETS_SETTING)
    guids = read_json_setting(project, REFI_GUIDS_SETTING)
    out = []
    for name in sorted(raw, key=lambda n: (n.casefold(), n)):
        members = raw[name]
        if not isinstance(members, list):
            continue
        seen: list[str] = []
        for member in members:
            if not isinstance(member, str):
                continue
            try:
                guid = normalise_guid(member)
            except ValueError:
                continue
            if guid in known and guid not in seen:
                seen.append(guid)
        set_guid = guids.get(f"set:{name}")
        out.append(CodeSet(set_guid if isinstance(set_guid, str) else None, str(name),
                           tuple(seen)))
    return tuple(out)
