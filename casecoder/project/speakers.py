"""Speakers as people: one record per speaker label of a document, with attributes of its own.

A group interview has several informants in one document; their roles differ, so attributes
resolve speaker > document > case. A speaker can be linked to a *person* (any name the
researcher chooses), so "Informant 2" in two interviews with the same person counts as one
informant. Interviewers are marked (suggested from their label at import) and never counted as
informants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casecoder.errors import UserError
from casecoder.model import Document

if TYPE_CHECKING:
    from casecoder.project.core import ProjectBase as _Base
else:
    _Base = object

_TRUE = {"1", "yes", "ja", "true", "y", "x", "interviewer", "intervjuer"}
_FALSE = {"0", "no", "nei", "false", "n", ""}


@dataclass(frozen=True)
class Speaker:
    """One speaker label of one document, as the project keeps it."""

    id: int
    document_id: int
    document: str
    label: str
    turns: int
    words: int
    interviewer: bool
    person: str | None
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def informant_key(self) -> tuple[Any, ...]:
        """Who this speaker is when informants are counted: the person, else doc + label."""
        return ("person", self.person.casefold()) if self.person else (
            "speaker", self.document_id, self.label)


@dataclass(frozen=True)
class SpeakerUpdate:
    """What to set on one speaker (None: leave as it is; an empty attribute value removes)."""

    document_id: int
    label: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    interviewer: bool | None = None
    person: str | None = None


def parse_flag(text: str) -> bool:
    folded = text.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise UserError(f"{text!r} is not yes or no")


class SpeakersMixin(_Base):
    """List speakers; set their attributes, person and interviewer mark."""

    def _insert_speakers(self, doc_id: int, text: str, segments: Any) -> None:
        from casecoder.ingest.speakers import speaker_rows

        turns = [(s.start, s.end, s.speaker) for s in segments if s.kind == "turn"]
        self.conn.executemany(
            "INSERT INTO speakers (document_id, label, turns, words, interviewer) "
            "VALUES (?, ?, ?, ?, ?)", [(doc_id, *row) for row in speaker_rows(text, turns)])

    def speakers(self, doc: str | int | Document | None = None) -> list[Speaker]:
        """Speakers with their own attributes, by document name and first appearance."""
        where, params = "", []
        if doc is not None:
            where = "WHERE s.document_id = ? "
            params.append(self.document(doc).id)
        attrs: dict[int, dict[str, str]] = {}
        for speaker_id, key, value in self.conn.execute(
                "SELECT speaker_id, key, value FROM speaker_attributes ORDER BY key"):
            attrs.setdefault(speaker_id, {})[key] = value
        return [Speaker(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7],
                        attrs.get(r[0], {}))
                for r in self.conn.execute(
                    "SELECT s.id, s.document_id, d.name, s.label, s.turns, s.words, "
                    "s.interviewer, s.person FROM speakers s JOIN documents d "
                    f"ON d.id = s.document_id {where}ORDER BY d.name COLLATE NOCASE, s.id",
                    params)]

    def speaker(self, doc: str | int | Document, label: str) -> Speaker:
        d = self.document(doc)
        found = {s.label.casefold(): s for s in self.speakers(d)}
        hit = found.get(" ".join(label.split()).casefold())
        if hit is None:
            known = ", ".join(s.label for s in found.values()) or "none"
            raise UserError(f"{d.name} has no speaker {label!r} (speakers: {known})")
        return hit

    def _set_speaker(self, log: Any, speaker: Speaker, attributes: Mapping[str, str],
                     interviewer: bool | None, person: str | None) -> None:
        changes: dict[str, Any] = {}
        if interviewer is not None:
            changes["interviewer"] = int(interviewer)
        if person is not None:
            changes["person"] = " ".join(person.split()) or None
        if changes:
            log.update("speakers", {"id": speaker.id}, changes)
        for key, value in attributes.items():
            key = " ".join(key.split())
            if not key:
                raise UserError("an attribute name cannot be empty")
            value = value.strip()
            row = self.conn.execute(
                "SELECT id FROM speaker_attributes WHERE speaker_id = ? AND key = ?",
                (speaker.id, key)).fetchone()
            if row and not value:
                log.delete("speaker_attributes", {"id": row[0]})
            elif row:
                log.update("speaker_attributes", {"id": row[0]}, {"value": value})
            elif value:
                log.insert("speaker_attributes", {"speaker_id": speaker.id, "key": key,
                                                  "value": value})

    def set_speaker(self, doc: str | int | Document, label: str, *,
                    attributes: Mapping[str, str] | None = None,
                    interviewer: bool | None = None, person: str | None = None) -> Speaker:
        """Set a speaker's attributes (empty value removes), interviewer mark or person link."""
        speaker = self.speaker(doc, label)
        with self._change("set-speaker") as log:
            self._set_speaker(log, speaker, attributes or {}, interviewer, person)
            what = [*(attributes or {})]
            if interviewer is not None:
                what.append("interviewer" if interviewer else "informant")
            if person is not None:
                what.append(f"person {person!r}")
            log.summary = f"speaker {speaker.label!r} of {speaker.document}: {', '.join(what)}"
            log.document_id = speaker.document_id
        return self.speaker(speaker.document_id, speaker.label)

    def set_speakers(self, updates: Sequence[SpeakerUpdate], *, action: str = "set-speakers",
                     undoable: bool = True) -> int:
        """Many speakers' attributes, marks and person links as one change (an exchange
        build); updates naming a document or label that is not here are skipped. Returns how
        many speakers were updated; nothing to do writes no event."""
        found = {(s.document_id, s.label): s for s in self.speakers()}
        todo = [(found[(u.document_id, u.label)], u) for u in updates
                if (u.document_id, u.label) in found]
        if not todo:
            return 0
        with self._change(action, undoable=undoable) as log:
            for speaker, update in todo:
                self._set_speaker(log, speaker, update.attributes, update.interviewer,
                                  update.person)
            log.summary = f"{action}: {len(todo)} speakers"
            docs = {speaker.document_id for speaker, _ in todo}
            if len(docs) == 1:
                log.document_id = docs.pop()
        return len(todo)

    def speaker_attributes(self) -> dict[tuple[int, str], dict[str, str]]:
        """Every speaker's own attributes by (document id, label): what quotes overlay."""
        out: dict[tuple[int, str], dict[str, str]] = {}
        for doc_id, label, key, value in self.conn.execute(
                "SELECT s.document_id, s.label, a.key, a.value FROM speaker_attributes a "
                "JOIN speakers s ON s.id = a.speaker_id ORDER BY a.key"):
            out.setdefault((doc_id, label), {})[key] = value
        return out

    def speaker_attribute_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT key FROM speaker_attributes ORDER BY key")]

    def load_speakers_csv(self, path: str | Path) -> dict[str, Any]:
        """Speaker attributes from a CSV `document,speaker,attribute...` in one change.

        Columns ``interviewer`` (yes/no) and ``person`` set the mark and the link; every other
        column is an attribute. Unknown documents or speakers are reported, not guessed.
        """
        from casecoder.ingest.csvtable import read_csv_table

        path = Path(path)
        rows = read_csv_table(path, "speaker file")
        fields = rows.pop(0) if rows else []
        folded = {f.casefold(): f for f in fields}
        if "document" not in folded or "speaker" not in folded:
            raise UserError(f"{path}: the first row must name 'document' and 'speaker' columns")
        by_doc: dict[str, dict[str, Speaker]] = {}
        for s in self.speakers():
            by_doc.setdefault(s.document.casefold(), {})[s.label.casefold()] = s
        unknown: list[str] = []
        planned: list[tuple[Speaker, dict[str, str], bool | None, str | None]] = []
        for values in rows:  # every row checked first: a bad one changes nothing
            row = dict(zip(fields, values, strict=False))
            doc_name = row.pop(folded["document"], "")
            label = row.pop(folded["speaker"], "")
            if not doc_name or not label:
                continue
            found = by_doc.get(doc_name.casefold()) or by_doc.get(
                Path(doc_name).stem.casefold(), {})
            speaker = found.get(" ".join(label.split()).casefold())
            if speaker is None:
                unknown.append(f"{doc_name}: {label}")
                continue
            flag = row.pop(folded.get("interviewer", "\0"), None)
            person = row.pop(folded.get("person", "\0"), None)
            planned.append((speaker, {k: v for k, v in row.items() if k and v},
                            parse_flag(flag) if flag else None, person or None))
        updated = [f"{speaker.document}: {speaker.label}" for speaker, *_ in planned]
        if planned:  # a file that matches no speaker leaves the project as it was
            with self._change("speakers-csv") as log:
                for speaker, attributes, interviewer, person in planned:
                    self._set_speaker(log, speaker, attributes, interviewer, person)
                log.summary = f"speakers from {path.name}: {len(updated)} speakers"
        return {"updated": updated, "unknown": unknown, "columns": fields}
