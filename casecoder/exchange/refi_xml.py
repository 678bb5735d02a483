"""What every REFI-QDA writer shares: namespaces, stable GUIDs, XML-safe text, one write."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml import etree

    from casecoder.exchange.snapshot import Snapshot
    from casecoder.project import Project

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def derived_guid(base_guid: str, name: str) -> str:
    """A GUID that is always the same for the same base GUID and name (uuid5)."""
    return str(uuid.uuid5(uuid.UUID(base_guid), name))


def selection_guid(guid: str) -> str:
    """The PlainTextSelection that carries one coding (or one segment memo's note)."""
    return derived_guid(guid, "PlainTextSelection")


def object_guid(snapshot: Snapshot, kind: str, name: str) -> str:
    """GUID of a variable or set: the one brought in with it, else derived from the project."""
    stored = snapshot.object_guids.get(f"{kind}:{name}")
    if isinstance(stored, str):
        try:
            return str(uuid.UUID(stored.strip().strip("{}")))
        except ValueError:
            pass
    base = snapshot.guid or derived_guid(str(uuid.UUID(int=0)), snapshot.name)
    return derived_guid(base, f"{kind}:{name}")


def xml_text(value: str) -> str:
    """Text without the characters XML 1.0 cannot carry (they would make the file unreadable)."""
    return _XML_INVALID.sub("", value)


def q(local: str, ns: str = PROJECT_NS) -> str:
    return f"{{{ns}}}{local}"


def element(parent: etree._Element, local: str, *, ns: str = PROJECT_NS,
            **attrs: str | None) -> etree._Element:
    """A child element with the attributes that have a value."""
    from lxml import etree

    el = etree.SubElement(parent, q(local, ns))
    for key, value in attrs.items():
        if value is not None:
            el.set(key, value)
    return el


def text_child(parent: etree._Element, local: str, text: str, *,
               ns: str = PROJECT_NS) -> etree._Element:
    el = element(parent, local, ns=ns)
    el.text = xml_text(text)
    return el


def serialise(root: etree._Element) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_export(project: Project, path: Path, data: bytes) -> None:
    """Write the whole file or nothing, and never over the project file itself."""
    from casecoder.export.atomic import atomic_path, check_writable

    target = check_writable(Path(path), protect=(Path(project.path),))
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
