"""Codebooks alone: REFI-QDA .qdc and Taguette-style CSV, in and out.

Reading merges by path like `Project.import_codebook` (new codes added, changed fields
updated) and keeps code sets; writing comes from the project's codebook snapshot, so a
codebook exported alone says the same as the codebook inside a .qdpx.
"""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path
from typing import TYPE_CHECKING

from casecoder import __version__
from casecoder.codebook import CodebookSpec, CodeSpec, validate_color
from casecoder.errors import ImportFileError, UserError
from casecoder.exchange.refi_xml import (
    CODEBOOK_NS,
    element,
    object_guid,
    q,
    serialise,
    text_child,
    write_export,
    xml_text,
)
from casecoder.exchange.settings import (
    CODE_SETS_SETTING,
    REFI_GUIDS_SETTING,
    code_sets,
    dumps,
    read_json_setting,
)
from casecoder.export.cells import FORMULA_START
from casecoder.export.cells import neutralise as safe_cell
from casecoder.ingest.refiqda import (
    MAX_CODE_NAME,
    MAX_CSV_BYTES,
    MAX_QDC_BYTES,
    code_warnings,
    kid,
    local_name,
    parse_codes,
    parse_sets,
    parse_xml,
    read_limited,
    valid_guid,
    walk,
)

if TYPE_CHECKING:
    from lxml import etree

    from casecoder.exchange.snapshot import CodeRecord, Snapshot
    from casecoder.project import Project

CSV_COLUMNS = ("tag", "description", "color", "codable", "guid")


# --- writing -----------------------------------------------------------------------------


def qdc_bytes(project: Project) -> bytes:
    """The codebook as a REFI-QDA CodeBook document (Codebook.xsd)."""
    from lxml import etree

    from casecoder.exchange.capture import codebook_snapshot

    snapshot = codebook_snapshot(project)
    children = snapshot.children()
    if not children.get(None):
        raise UserError("the codebook is empty: there is nothing to export")
    root = etree.Element(q("CodeBook", CODEBOOK_NS),
                         nsmap={None: CODEBOOK_NS})
    root.set("origin", f"casecoder {__version__}")
    codes_el = element(root, "Codes", ns=CODEBOOK_NS)

    def add(parent: etree._Element, code: CodeRecord) -> None:
        el = element(parent, "Code", ns=CODEBOOK_NS, guid=code.guid, name=xml_text(code.name),
                     isCodable="true" if code.codable else "false", color=code.color)
        if code.description:
            text_child(el, "Description", code.description, ns=CODEBOOK_NS)
        for child in children.get(code.guid, []):
            add(el, child)

    for top in children[None]:
        add(codes_el, top)
    _sets(root, snapshot)
    return serialise(root)


def _sets(root: etree._Element, snapshot: Snapshot) -> None:
    if not snapshot.code_sets:
        return
    sets_el = element(root, "Sets", ns=CODEBOOK_NS)
    for code_set in snapshot.code_sets:
        set_el = element(sets_el, "Set", ns=CODEBOOK_NS,
                         guid=code_set.guid or object_guid(snapshot, "set", code_set.name),
                         name=xml_text(code_set.name))
        for member in code_set.members:
            element(set_el, "MemberCode", ns=CODEBOOK_NS, guid=member)


def export_qdc(project: Project, path: str | Path) -> None:
    """Write the codebook as .qdc for NVivo, ATLAS.ti, MAXQDA, QualCoder or Taguette."""
    write_export(project, Path(path), qdc_bytes(project))


def codebook_csv_text(project: Project) -> str:
    """The codebook as CSV in the shape Taguette imports: a `tag` path and a `description`.

    Extra columns (colour, codable, GUID) are ignored by Taguette and let casecoder read its own
    file back without loss; cells a spreadsheet would run as a formula are neutralised.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for code in project.codes():
        writer.writerow([safe_cell(code.path), safe_cell(code.description),
                         code.color if code.color_set else "",
                         "true" if code.codable else "false", code.guid])
    return buf.getvalue()


def export_codebook_csv(project: Project, path: str | Path) -> None:
    if not project.codes():
        raise UserError("the codebook is empty: there is nothing to export")
    write_export(project, Path(path), codebook_csv_text(project).encode("utf-8"))


# --- reading -----------------------------------------------------------------------------


def _release_taken_guids(project: Project, specs: list[CodeSpec],
                         warnings: list[str]) -> None:
    """A GUID already used by a code at another path cannot be given to a new code: the new
    code gets a fresh GUID instead (the file renamed or moved it; casecoder merges by path)."""
    existing = {c.guid: c.path for c in project.codes()}
    clashes = []
    for path, spec in walk(specs):
        if spec.guid and spec.guid in existing and existing[spec.guid].casefold() \
                != path.casefold():
            clashes.append(f"{path} (GUID of {existing[spec.guid]})")
            spec.guid = None
    if clashes:
        warnings.append(f"{len(clashes)} code(s) carry the GUID of a code at another path and "
                        f"were given new GUIDs: {', '.join(clashes[:5])}")


def _keep_codable(project: Project, specs: list[CodeSpec], known: set[str]) -> None:
    """Leave `codable` as it is for codes whose file did not say (CSV rows without the column,
    parents implied by a path)."""
    current = {c.path.casefold(): c.codable for c in project.codes()}
    for path, spec in walk(specs):
        if path.casefold() not in known and path.casefold() in current:
            spec.codable = current[path.casefold()]


def _store_sets(project: Project, sets: list[tuple[str, str | None, list[str]]],
                path_of: dict[str, str]) -> list[str]:
    """Keep the file's code groups as the `code_sets` setting; sets are replaced by name."""
    if not sets:
        return []
    by_path = {c.path.casefold(): c.guid for c in project.codes()}
    stored = code_sets(project)
    guids = read_json_setting(project, REFI_GUIDS_SETTING)
    names = []
    for name, set_guid, member_keys in sets:
        members: list[str] = []
        for key in member_keys:
            path = path_of.get(key)
            guid = by_path.get(path.casefold()) if path else None
            if guid and guid not in members:
                members.append(guid)
        stored[name] = members
        if set_guid:
            guids[f"set:{name}"] = set_guid
        names.append(name)
    project.set_setting(CODE_SETS_SETTING, dumps(stored))
    if guids:
        project.set_setting(REFI_GUIDS_SETTING, dumps(guids))
    return names


def import_qdc(project: Project, path: str | Path) -> dict[str, list[str]]:
    """Merge a REFI-QDA codebook by path, like `Project.import_codebook`; sets are kept.

    Returns {"added", "changed", "unchanged", "sets", "warnings"}.
    """
    path = Path(path)
    root = parse_xml(read_limited(path, MAX_QDC_BYTES, "codebook"), str(path))
    if local_name(root.tag) != "CodeBook":
        raise ImportFileError(f"{path}: not a REFI-QDA codebook (the root element is "
                              f"<{local_name(root.tag) or root.tag}>, not <CodeBook>)")
    parsed = parse_codes(kid(root, "Codes"))
    if not parsed.specs:
        raise ImportFileError(f"{path}: the codebook has no codes")
    warnings = code_warnings(parsed)
    _release_taken_guids(project, parsed.specs, warnings)
    report = project.import_codebook(CodebookSpec(name="", description="", language=None,
                                                  codes=parsed.specs))
    sets, _other = parse_sets(kid(root, "Sets"), "guid")
    result: dict[str, list[str]] = dict(report)
    result["sets"] = _store_sets(project, sets, parsed.path_of)
    result["warnings"] = warnings
    return result


def import_codebook_csv(project: Project, path: str | Path) -> dict[str, list[str]]:
    """Merge a CSV codebook (Taguette's shape: a tag/name/path column, optional description).

    Paths use '/' for subcodes; casecoder's own CSV adds color, codable and guid columns.
    The whole file is checked before the project changes.
    """
    path = Path(path)
    data = read_limited(path, MAX_CSV_BYTES, "codebook")
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{path}: the codebook is not UTF-8 text") from None
    try:
        dialect: type[csv.Dialect] = csv.Sniffer().sniff(content[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(content), dialect)
    header = [h.strip().casefold() for h in next(reader, [])]
    column = next((header.index(n) for n in ("path", "tag", "name") if n in header), None)
    if column is None:
        raise UserError(f"{path}: the first row must name a 'tag', 'name' or 'path' column")

    def col(*names: str) -> int | None:
        return next((header.index(n) for n in names if n in header), None)

    desc_col, color_col = col("description"), col("color", "colour")
    codable_col, guid_col = col("codable", "iscodable"), col("guid")
    roots: list[CodeSpec] = []
    by_path: dict[str, CodeSpec] = {}
    rows_seen: set[str] = set()
    explicit_codable: set[str] = set()
    for number, row in enumerate(reader, start=2):
        cell = functools.partial(_cell, row)
        raw_path = cell(column)
        if not raw_path:
            continue
        parts = [" ".join(p.split()) for p in raw_path.strip().strip("/").split("/")]
        if any(not p for p in parts) or any(len(p) > MAX_CODE_NAME for p in parts):
            raise UserError(f"{path}: row {number}: {raw_path!r} is not a valid code path")
        full = "/".join(parts).casefold()
        if full in rows_seen:
            raise UserError(f"{path}: row {number}: code {raw_path!r} appears twice")
        rows_seen.add(full)
        spec = _ensure_path(parts, roots, by_path)
        spec.description = cell(desc_col)
        spec.color = validate_color(cell(color_col) or None, f"{path}: row {number}")
        if codable_col is not None and cell(codable_col):
            spec.codable = cell(codable_col).lower() not in ("false", "no", "0")
            explicit_codable.add(full)
        guid_text = cell(guid_col)
        if guid_text:
            spec.guid = valid_guid(guid_text)
            if spec.guid is None:
                raise UserError(f"{path}: row {number}: {guid_text!r} is not a GUID")
    if not roots:
        raise UserError(f"{path}: the codebook has no codes")
    warnings: list[str] = []
    _release_taken_guids(project, roots, warnings)
    _keep_codable(project, roots, explicit_codable)
    report = project.import_codebook(CodebookSpec(name="", description="", language=None,
                                                  codes=roots))
    result: dict[str, list[str]] = dict(report)
    result["warnings"] = warnings
    return result


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    value = row[index].strip()
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        value = value[1:]  # undo the formula neutralising of our own export
    return value


def _ensure_path(parts: list[str], roots: list[CodeSpec],
                 by_path: dict[str, CodeSpec]) -> CodeSpec:
    siblings = roots
    spec: CodeSpec | None = None
    for depth in range(len(parts)):
        key = "/".join(parts[:depth + 1]).casefold()
        spec = by_path.get(key)
        if spec is None:
            spec = CodeSpec(name=parts[depth])
            siblings.append(spec)
            by_path[key] = spec
        siblings = spec.children
    assert spec is not None
    return spec

