"""A pseudonymised copy of a whole project, made before anything leaves it.

Quote exports can replace names on the fly, but a .qdpx for another tool, an agreement report
or a colleague's copy carries whole transcripts. `pseudonymise` is a pure transform of a
snapshot: every listed name (with genitives and compounds) is replaced in the texts, speakers
(labels, persons, speaker attributes), memos, case and document names and attributes, review
decision memos, framework summaries and autocode run queries and options, and every offset
(segments, codings, segment memos, review decisions) moves with the text
(`positions.OffsetMap`), so a coding still covers the same words.
GUIDs stay, so work done on the copy can be matched to the original. The copy is built like
any other snapshot, into a new file with a fresh event log: the original's log holds the real
text of every change, so it is never copied; nor are the settings (the builder writes only
code sets and exchange GUIDs), so neither `blind_mode:*` nor `export.pseudonyms` (the path of
the real-name list) reaches the copy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from casecoder.errors import UserError
from casecoder.exchange.positions import OffsetMap
from casecoder.exchange.snapshot import JsonValue, MemoRecord, Snapshot, SpeakerRecord
from casecoder.store import building_project

if TYPE_CHECKING:
    from casecoder.export.pseudonyms import Pseudonymizer
    from casecoder.project import Project


@dataclass
class CopyReport:
    path: Path
    documents: int = 0
    codings: int = 0
    memos: int = 0
    replacements: list[str] = field(default_factory=list)


def pseudonymise(snapshot: Snapshot, pz: Pseudonymizer) -> Snapshot:
    """The same snapshot with names replaced and every offset moved with its text."""

    def clean(text: str | None) -> str:
        return pz.apply(text) if text else ""

    maps: dict[str, OffsetMap] = {}
    documents = []
    for d in snapshot.documents:
        moved = maps[d.guid] = OffsetMap(pz.replacements(d.text))
        segments = None if d.segments is None else tuple(
            replace(s, start=moved.start(s.start), end=moved.end(s.end),
                    speaker=clean(s.speaker) or None) for s in d.segments)
        documents.append(replace(d, name=clean(d.name), text=moved.apply(d.text),
                                 source_name=clean(d.source_name),
                                 attributes={k: clean(v) for k, v in d.attributes.items()},
                                 segments=segments, speakers=_speakers(d.speakers, clean)))
    codings = tuple(replace(k, start=maps[k.document].start(k.start),
                            end=maps[k.document].end(k.end), memo=clean(k.memo))
                    for k in snapshot.codings if k.document in maps)
    return replace(
        snapshot, name=clean(snapshot.name), documents=tuple(documents), codings=codings,
        cases=tuple(replace(c, name=clean(c.name), description=clean(c.description),
                            attributes={k: clean(v) for k, v in c.attributes.items()})
                    for c in snapshot.cases),
        memos=tuple(_memo(m, clean(m.text), maps) for m in snapshot.memos),
        decisions=tuple(replace(d, start=maps[d.document].start(d.start),
                                end=maps[d.document].end(d.end), memo=clean(d.memo))
                        for d in snapshot.decisions if d.document in maps),
        summaries=tuple(replace(s, text=clean(s.text)) for s in snapshot.summaries),
        autocode_runs=tuple(replace(r, query=clean(r.query), options=_json(r.options, clean))
                            for r in snapshot.autocode_runs))


def _speakers(speakers: tuple[SpeakerRecord, ...], clean: Callable[[str | None], str]
              ) -> tuple[SpeakerRecord, ...]:
    """Labels, persons and attribute values replaced. Two labels that become one pseudonym
    ("Kari Nordmann", "Kari") are one speaker in the copy, as its turns are: the first
    one's mark and person, attributes joined (the first one's win)."""
    out: dict[str, SpeakerRecord] = {}
    for sp in speakers:
        label = clean(sp.label) or sp.label
        attributes = {k: clean(v) for k, v in sp.attributes.items()}
        first = out.get(label)
        if first is not None:
            out[label] = replace(first, attributes={**attributes, **first.attributes})
            continue
        out[label] = replace(sp, label=label, person=clean(sp.person) or None,
                             attributes=attributes)
    return tuple(out.values())


def _json(value: JsonValue, clean: Callable[[str | None], str]) -> JsonValue:
    """Every string in a JSON value replaced (a run's options may name a document)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_json(v, clean) for v in value]
    if isinstance(value, Mapping):
        return {k: _json(v, clean) for k, v in value.items()}
    return value


def _memo(memo: MemoRecord, text: str, maps: dict[str, OffsetMap]) -> MemoRecord:
    span = memo.target.span
    moved = maps.get(memo.target.ref or "")
    if span is not None and moved is not None:
        target = replace(memo.target, span=(moved.start(span[0]), moved.end(span[1])))
        return replace(memo, text=text, target=target)
    return replace(memo, text=text)


def pseudonymised_copy(source: Project, out: Path, pseudonymizer: Pseudonymizer) -> CopyReport:
    """Write the pseudonymised copy to `out` (built aside, renamed when complete)."""
    from casecoder.exchange.build import build_into
    from casecoder.exchange.capture import snapshot_of
    from casecoder.project import Project

    out = Path(out)
    if out.exists():
        raise UserError(f"{out} already exists; choose another file name")
    if not out.parent.exists():
        raise UserError(f"folder {out.parent} does not exist")
    snapshot = pseudonymise(snapshot_of(source), pseudonymizer)
    with building_project(out) as tmp, \
            Project.create(tmp, language=source.language, coder=source.coder_name,
                           name=snapshot.name or None) as target:
        built = build_into(target, snapshot, "new", action="pseudonymised-copy")
        report = CopyReport(out, documents=len(built.document_ids),
                            codings=built.codings["added"] + built.codings["merged"],
                            memos=built.memos_added)
        target.checkpoint()
    report.replacements = pseudonymizer.report()
    return report
