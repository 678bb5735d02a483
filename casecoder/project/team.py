"""Working as a team: copies for a second coder, and merging their work back in.

Matching never trusts names alone: documents are matched by the hash of their text, codes by
GUID and then by path, codings and memos by GUID. That makes a merge idempotent — bringing the
same file in twice finds everything already known and changes nothing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casecoder.errors import UserError
from casecoder.ids import now
from casecoder.model import CodingRecord
from casecoder.store import building_project, transaction


@dataclass
class MergeReport:
    documents_added: list[str] = field(default_factory=list)
    documents_matched: int = 0
    codes_added: list[str] = field(default_factory=list)
    coders_added: list[str] = field(default_factory=list)
    codings: dict[str, int] = field(default_factory=lambda: {"added": 0, "merged": 0,
                                                             "skipped": 0})
    memos_added: int = 0
    conflicts: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.documents_added or self.codes_added or self.codings["added"]
                    or self.codings["merged"] or self.memos_added)


class _DryRun(Exception):
    """Raised at the end of a dry run so the transaction rolls everything back."""


def merge_project(target: Any, other_path: Path, *, dry_run: bool = False) -> MergeReport:
    """Bring another project's documents, codes, coders, codings and memos into target.

    All of it happens in one transaction; with dry_run the same work is done and then rolled
    back, so the report of a dry run is exactly what a real merge would do.
    """
    from casecoder.project import Project

    other_path = Path(other_path)
    if other_path.resolve() == Path(target.path).resolve():
        raise UserError("cannot merge a project into itself")
    other = Project.open_read_only(other_path)
    report = MergeReport(dry_run=dry_run)
    try:
        with transaction(target.conn):
            _merge(target, other, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    finally:
        other.close()
        target._invalidate()
    return report


def _merge(target: Any, other: Any, report: MergeReport) -> None:
    from casecoder.ingest import SegmentSpec, SourceText

    doc_map: dict[int, int] = {}
    ours_by_hash = {d.sha256: d for d in target.documents()}
    other_attrs = other.all_attributes()
    for d in other.documents():
        mine = ours_by_hash.get(d.sha256)
        if mine is not None:
            doc_map[d.id] = mine.id
            report.documents_matched += 1
            if mine.name != d.name:
                report.conflicts.append(f"document {d.name!r} is {mine.name!r} here "
                                        "(same text); matched by content")
            continue
        name = d.name
        if target._document_row(name) is not None:
            name = f"{d.name} ({other.name})"
            report.conflicts.append(f"document {d.name!r} differs from ours; added as {name!r}")
        segs = [SegmentSpec(s.kind, s.number, s.start, s.end, s.speaker, s.timestamp)
                for k in ("sentence", "turn", "paragraph") for s in other.segments(d, k)]
        attrs = {k: v for k, v in other_attrs.get(d.name, {}).items() if k != "case"}
        new = target.add_document(
            SourceText(other.text(d), d.source_format, d.encoding, None), name=name,
            source_name=d.source_name, case=d.case, attributes=attrs, language=d.language,
            guid=None if target._document_row(d.guid) else d.guid, segments=segs)
        doc_map[d.id] = new.id
        report.documents_added.append(name)

    code_map: dict[int, int] = {}
    ours_by_guid = {c.guid: c for c in target.codes()}
    for c in other.codes():  # parents come before their children
        mine = ours_by_guid.get(c.guid)
        if mine is None:
            try:
                mine = target.code(c.path)
                if mine.path.casefold() != c.path.casefold():
                    mine = None
            except UserError:
                mine = None
        if mine is not None:
            code_map[c.id] = mine.id
            if mine.path.casefold() != c.path.casefold():
                report.conflicts.append(f"code {c.path!r} is {mine.path!r} here (same GUID)")
            continue
        parent = target.code(code_map[c.parent_id]).path + "/" if c.parent_id else ""
        shortcut = c.shortcut if c.shortcut and not target.code_by_shortcut(c.shortcut) else None
        added = target.add_code(parent + c.name, description=c.description, color=c.color,
                                keywords=c.keywords, shortcut=shortcut, codable=c.codable,
                                guid=c.guid)
        code_map[c.id] = added.id
        report.codes_added.append(added.path)

    known_coders = {k.name for k in target.coders()}
    for coder in other.coders():
        if coder.name not in known_coders:
            target.ensure_coder(coder.name, coder.guid)
            report.coders_added.append(coder.name)

    records = [CodingRecord(doc_map[k.document_id], code_map[k.code_id], k.coder, k.start, k.end,
                            k.memo, k.guid, k.created_at) for k in other.codings()]
    if records:
        counts = target.add_codings(records, action="merge",
                                    summary=f"merge codings from {other.path.name}")
        for key, value in counts.items():
            report.codings[key] += value

    for m in other.memos():
        target_id = _memo_target(target, other, m, doc_map, code_map)
        if target_id is not None and target.add_memo_record(
                m.target_kind, target_id, m.coder, m.text, guid=m.guid, created_at=m.created_at):
            report.memos_added += 1


def _memo_target(target: Any, other: Any, memo: Any, doc_map: dict[int, int],
                 code_map: dict[int, int]) -> int | None:
    if memo.target_kind == "project":
        return 0
    if memo.target_kind == "document":
        return doc_map.get(memo.target_id)
    if memo.target_kind == "code":
        return code_map.get(memo.target_id)
    row = other.conn.execute("SELECT document_id, kind, number FROM segments WHERE id = ?",
                             (memo.target_id,)).fetchone()
    if row is None or row[0] not in doc_map:
        return None
    mine = target.conn.execute(
        "SELECT id FROM segments WHERE document_id = ? AND kind = ? AND number = ?",
        (doc_map[row[0]], row[1], row[2])).fetchone()
    return mine[0] if mine else None


def copy_for_coder(source: Any, out: Path, coder: str) -> Path:
    """A copy with documents, attributes and codebook but nobody's codings, for blind coding.

    The event log holds every earlier change (with the rows it touched), so it is emptied in
    the copy, and the file is vacuumed so that deleted codings cannot be recovered from free
    pages: the second coder must not see the first coder's work.
    """
    from casecoder.config import validate_coder_name
    from casecoder.project import Project
    from casecoder.store.schema import _V1, _split

    coder = validate_coder_name(coder)
    out = Path(out)
    if out.exists():
        raise UserError(f"{out} already exists; choose another file name")
    if not out.parent.exists():
        raise UserError(f"folder {out.parent} does not exist")
    with building_project(out) as tmp:
        dest = sqlite3.connect(tmp)
        try:
            source.conn.backup(dest)
            dest.isolation_level = None
            triggers = [s for s in _split(_V1) if "TRIGGER events_append_only" in s]
            dest.execute("BEGIN IMMEDIATE")
            dest.execute("DROP TRIGGER events_append_only_update")
            dest.execute("DROP TRIGGER events_append_only_delete")
            dest.execute("DELETE FROM events")
            dest.execute("DELETE FROM codings")
            dest.execute("DELETE FROM document_status")
            dest.execute("DELETE FROM memos WHERE target_kind NOT IN ('project', 'code')")
            dest.execute("DELETE FROM coders WHERE id NOT IN (SELECT coder_id FROM memos)")
            dest.execute("DELETE FROM meta WHERE key LIKE 'blind_mode:%'")
            for statement in triggers:
                dest.execute(statement)
            dest.execute("COMMIT")
            dest.execute("VACUUM")
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        with Project.open(tmp, coder=coder) as copy, copy._change("copy-for-coder",
                                                                   undoable=False) as log:
            log.summary = f"copy of {source.path.name} for {coder} at {now()}"
    return out
