"""The later data of `casecoder.json` read back: every value vetted, every GUID mapped.

A .qdpx is untrusted even when casecoder wrote it (it may have been edited, cut or made by
hand), so each record here is checked field by field before it becomes a snapshot record:
a wrong type, an unknown choice or unit, an offset outside its text or a reference to
something the file does not hold drops that record, and the reader says how many were
dropped. References are the file's GUIDs; `Refs` maps them onto the snapshot's (a repeated
GUID in the file got a new one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from casecoder.exchange.snapshot import (
    SEGMENT_KINDS,
    AutocodeRunRecord,
    DecisionRecord,
    FrameworkRowKind,
    JsonValue,
    SegmentKind,
    SpeakerRecord,
    SummaryRecord,
)
from casecoder.ids import new_guid
from casecoder.ingest.refiqda import valid_guid

MAX_LABEL = 200
MAX_VALUE = 10_000
MAX_TEXT = 20_000  # a framework summary's limit (project.framework.MAX_SUMMARY_CHARS)
_CHOICES = ("a", "b", "both", "neither")
_RUN_KINDS = ("search", "speaker", "keywords")
_ROW_KINDS: tuple[FrameworkRowKind, ...] = ("case", "document")


@dataclass
class Refs:
    """File GUID -> snapshot GUID, per kind of record; `lengths` of documents whose
    segments came back from the file (decisions name units, so they need those)."""

    coders: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)
    documents: dict[str, str] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=dict)  # snapshot guid -> text length
    dropped: int = 0

    @staticmethod
    def get(table: Mapping[str, str], value: object) -> str | None:
        guid = valid_guid(value) if isinstance(value, str) else None
        return table.get(guid) if guid else None


def text(value: object, most: int, *, empty: bool = True) -> str | None:
    """A string of at most `most` characters (None when it is not one)."""
    if not isinstance(value, str) or len(value) > most or (not empty and not value.strip()):
        return None
    return value


def optional_text(value: object) -> tuple[bool, str | None]:
    """(valid, value) for an optional short string such as a timestamp."""
    if value is None:
        return True, None
    found = text(value, MAX_LABEL)
    return found is not None, found


def speakers(raw: JsonValue) -> tuple[tuple[SpeakerRecord, ...], int]:
    """A document's speakers, and how many entries were not valid."""
    if not isinstance(raw, list):
        return (), 0
    out: list[SpeakerRecord] = []
    bad = 0
    for entry in raw:
        if not isinstance(entry, dict):
            bad += 1
            continue
        label = text(entry.get("label"), MAX_LABEL, empty=False)
        person = entry.get("person")
        attrs = entry.get("attributes", {})
        if label is None or not isinstance(entry.get("interviewer", False), bool) \
                or not (person is None or text(person, MAX_LABEL) is not None) \
                or not isinstance(attrs, dict) \
                or not all(text(k, MAX_LABEL, empty=False) is not None
                           and text(v, MAX_VALUE) is not None for k, v in attrs.items()):
            bad += 1
            continue
        out.append(SpeakerRecord(label, bool(entry.get("interviewer", False)),
                                 person or None, dict(attrs)))
    return tuple(out), bad


def pages(raw: JsonValue) -> dict[tuple[str, int], int]:
    """(segment kind, number) -> page, for the well-formed entries."""
    out: dict[tuple[str, int], int] = {}
    if not isinstance(raw, list):
        return out
    for entry in raw:
        if isinstance(entry, list) and len(entry) == 3 and entry[0] in SEGMENT_KINDS \
                and type(entry[1]) is int and type(entry[2]) is int and entry[2] >= 1:
            out[(entry[0], entry[1])] = entry[2]
    return out


def coder_kinds(raw: JsonValue, refs: Refs) -> dict[str, str]:
    """Snapshot coder GUID -> kind; only kinds casecoder knows ("consensus")."""
    out: dict[str, str] = {}
    if isinstance(raw, dict):
        for key, kind in raw.items():
            guid = refs.get(refs.coders, key)
            if guid and kind == "consensus":
                out[guid] = kind
    return out


def origins(raw: JsonValue) -> dict[str, str]:
    """Coding GUID -> origin: "autocode:<a valid GUID>" only (everything else is manual)."""
    out: dict[str, str] = {}
    if isinstance(raw, dict):
        for key, origin in raw.items():
            guid = valid_guid(key) if isinstance(key, str) else None
            if guid and isinstance(origin, str) and origin.startswith("autocode:"):
                run = valid_guid(origin.removeprefix("autocode:"))
                if run:
                    out[guid] = f"autocode:{run}"
    return out


def _unit(value: object) -> SegmentKind | None:
    return next((k for k in SEGMENT_KINDS if k == value), None)


def decisions(raw: JsonValue, refs: Refs) -> tuple[DecisionRecord, ...]:
    out: list[DecisionRecord] = []
    for entry in raw if isinstance(raw, list) else ():
        record = _decision(entry, refs) if isinstance(entry, dict) else None
        if record is None:
            refs.dropped += 1
        else:
            out.append(record)
    return tuple(out)


def _decision(entry: dict[str, JsonValue], refs: Refs) -> DecisionRecord | None:
    consensus = refs.get(refs.coders, entry.get("consensus"))
    document = refs.get(refs.documents, entry.get("document"))
    code = refs.get(refs.codes, entry.get("code"))
    unit = _unit(entry.get("unit"))
    number, start, end = entry.get("number"), entry.get("start"), entry.get("end")
    coders = entry.get("coders")
    memo = text(entry.get("memo", ""), MAX_VALUE)
    ok, decided = optional_text(entry.get("decided_at"))
    if consensus is None or document is None or code is None or unit is None \
            or document not in refs.lengths or memo is None or not ok \
            or type(number) is not int or number < 1 \
            or type(start) is not int or type(end) is not int \
            or not 0 <= start < end <= refs.lengths[document] \
            or entry.get("choice") not in _CHOICES \
            or not isinstance(coders, list) or len(coders) != 2 \
            or not all(text(c, MAX_LABEL, empty=False) for c in coders):
        return None
    return DecisionRecord(consensus, document, code, unit, number, start, end,
                          str(entry["choice"]), tuple(str(c) for c in coders), memo, decided)


def summaries(raw: JsonValue, refs: Refs) -> tuple[SummaryRecord, ...]:
    out: list[SummaryRecord] = []
    seen: set[str] = set()
    for entry in raw if isinstance(raw, list) else ():
        record = _summary(entry, refs) if isinstance(entry, dict) else None
        if record is None:
            refs.dropped += 1
            continue
        if record.guid in seen:
            record = SummaryRecord(new_guid(), record.row_kind, record.row, record.code,
                                   record.coder, record.text, record.created_at,
                                   record.updated_at)
        seen.add(record.guid)
        out.append(record)
    return tuple(out)


def _summary(entry: dict[str, JsonValue], refs: Refs) -> SummaryRecord | None:
    guid = valid_guid(entry["guid"]) if isinstance(entry.get("guid"), str) else None
    kind = next((k for k in _ROW_KINDS if k == entry.get("row_kind")), None)
    row = refs.get(refs.cases if kind == "case" else refs.documents, entry.get("row"))
    code = refs.get(refs.codes, entry.get("code"))
    coder = refs.get(refs.coders, entry.get("coder"))
    body = text(entry.get("text"), MAX_TEXT, empty=False)
    ok_created, created = optional_text(entry.get("created_at"))
    ok_updated, updated = optional_text(entry.get("updated_at"))
    if guid is None or kind is None or row is None or code is None or coder is None \
            or body is None or not ok_created or not ok_updated:
        return None
    return SummaryRecord(guid, kind, row, code, coder, body, created, updated)


def autocode_runs(raw: JsonValue, refs: Refs) -> tuple[AutocodeRunRecord, ...]:
    out: list[AutocodeRunRecord] = []
    seen: set[str] = set()
    for entry in raw if isinstance(raw, list) else ():
        record = _run(entry, refs) if isinstance(entry, dict) else None
        if record is None or record.guid in seen:  # a run is its GUID: no second one
            refs.dropped += 1
            continue
        seen.add(record.guid)
        out.append(record)
    return tuple(out)


def _run(entry: dict[str, JsonValue], refs: Refs) -> AutocodeRunRecord | None:
    guid = valid_guid(entry["guid"]) if isinstance(entry.get("guid"), str) else None
    coder = refs.get(refs.coders, entry.get("coder")) if entry.get("coder") else None
    query = text(entry.get("query"), MAX_VALUE)
    unit = _unit(entry.get("unit"))
    codes, options, made = entry.get("codes", []), entry.get("options", {}), entry.get(
        "codings", 0)
    ok, created = optional_text(entry.get("created_at"))
    if guid is None or (entry.get("coder") and coder is None) or query is None \
            or unit is None or entry.get("kind") not in _RUN_KINDS or not ok \
            or not isinstance(codes, list) \
            or not all(text(c, MAX_VALUE, empty=False) for c in codes) \
            or not isinstance(options, dict) or type(made) is not int or made < 0:
        return None
    return AutocodeRunRecord(guid, coder, str(entry["kind"]), query, unit,
                             tuple(str(c) for c in codes), dict(options), made, created)
