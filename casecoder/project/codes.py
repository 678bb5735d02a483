"""The codebook inside a project: a tree of codes addressed by case-insensitive paths.

Codes are cached in memory (the TUI resolves shortcuts on every key press); the cache is
dropped after any change and whenever another connection has committed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casecoder.codebook import (
    PALETTE,
    CodebookSpec,
    CodeSpec,
    dump_codebook,
    read_codebook,
    validate_color,
    validate_name,
    validate_shortcut,
)
from casecoder.errors import UserError
from casecoder.ids import new_guid, now
from casecoder.model import Code

if TYPE_CHECKING:
    from casecoder.project.core import ProjectBase as _Base
else:
    _Base = object

_UNSET: Any = object()
_CODE_COLUMNS = ("id, guid, parent_id, name, description, color, keywords, shortcut, position, "
                 "codable")


@dataclass
class _CodeIndex:
    ordered: list[Code]
    by_id: dict[int, Code]
    by_path: dict[str, Code]
    by_name: dict[str, list[Code]]
    by_shortcut: dict[str, Code]
    children: dict[int | None, list[Code]]


class CodesMixin(_Base):
    """Read and change the code tree."""

    # --- reading -------------------------------------------------------------------------

    def _index(self) -> _CodeIndex:
        self._fresh()
        if self._codes_cache is not None:
            return self._codes_cache
        rows = self.conn.execute(
            f"SELECT {_CODE_COLUMNS} FROM codes ORDER BY position, id").fetchall()
        kids: dict[int | None, list[tuple[Any, ...]]] = {}
        for r in rows:
            kids.setdefault(r[2], []).append(r)
        ordered: list[Code] = []

        def visit(parent: int | None, prefix: str, depth: int) -> None:
            for r in kids.get(parent, []):
                path = f"{prefix}/{r[3]}" if prefix else r[3]
                color = r[5] or PALETTE[len(ordered) % len(PALETTE)]  # "" = none of its own
                ordered.append(Code(r[0], r[1], r[2], r[3], path, r[4], color,
                                    tuple(json.loads(r[6])), r[7], r[8], bool(r[9]), depth,
                                    color_set=bool(r[5])))
                visit(r[0], path, depth + 1)

        visit(None, "", 0)
        index = _CodeIndex(ordered, {c.id: c for c in ordered},
                           {c.path.casefold(): c for c in ordered}, {}, {}, {})
        for c in ordered:
            index.by_name.setdefault(c.name.casefold(), []).append(c)
            index.children.setdefault(c.parent_id, []).append(c)
            if c.shortcut:
                index.by_shortcut[c.shortcut] = c
        self._codes_cache = index
        return index

    def codes(self) -> list[Code]:
        """All codes, depth-first in codebook order (parents before their children)."""
        return list(self._index().ordered)

    def code(self, ref: str | int | Code) -> Code:
        """A code by path ('theme/subcode', any case), unique name, GUID or id."""
        if isinstance(ref, Code):
            return ref
        index = self._index()
        if isinstance(ref, int):
            if ref in index.by_id:
                return index.by_id[ref]
            raise UserError(f"no code with id {ref}")
        key = "/".join(part.strip() for part in ref.strip().strip("/").split("/")).casefold()
        if key in index.by_path:
            return index.by_path[key]
        matches = index.by_name.get(key, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise UserError(f"code name {ref!r} is ambiguous: it could be "
                            f"{' or '.join(c.path for c in matches)}; give the full path")
        for c in index.ordered:
            if c.guid == key.strip("{}"):
                return c
        hint = _suggestions(key, index.ordered)
        raise UserError(f"unknown code {ref!r}"
                        + (f"; did you mean {hint}?" if hint else
                           " (see: casecoder codebook show PROJECT)"))

    def code_by_shortcut(self, key: str) -> Code | None:
        return self._index().by_shortcut.get(key)

    def children(self, code: str | Code | None) -> list[Code]:
        parent = None if code is None else self.code(code).id
        return list(self._index().children.get(parent, []))

    def descendants(self, code: str | int | Code) -> list[Code]:
        """The code and everything below it: a theme stands for all its subcodes."""
        root = self.code(code)
        out = [root]
        index = self._index()
        stack = list(reversed(index.children.get(root.id, [])))
        while stack:
            c = stack.pop()
            out.append(c)
            stack.extend(reversed(index.children.get(c.id, [])))
        return out

    def code_counts(self, doc: str | None = None) -> dict[int, int]:
        """Codings per code id (all coders), in one document or the whole project."""
        if doc is None:
            rows = self.conn.execute("SELECT code_id, count(*) FROM codings GROUP BY code_id")
        else:
            doc_id = self.document(doc).id
            rows = self.conn.execute(
                "SELECT code_id, count(*) FROM codings WHERE document_id = ? GROUP BY code_id",
                (doc_id,))
        return dict(rows.fetchall())

    # --- changing ------------------------------------------------------------------------

    def _parent_of_path(self, path: str) -> tuple[Code | None, str]:
        parts = [p.strip() for p in path.strip().strip("/").split("/")]
        name = validate_name(parts[-1], f"code {path!r}")
        parent = self.code("/".join(parts[:-1])) if len(parts) > 1 else None
        return parent, name

    def _check_sibling_free(self, parent_id: int | None, name: str,
                            except_id: int | None = None) -> None:
        for sibling in self._index().children.get(parent_id, []):
            if sibling.name.casefold() == name.casefold() and sibling.id != except_id:
                raise UserError(f"a code named {sibling.path!r} already exists")

    def _free_color(self) -> str:
        used = {c.color for c in self._index().ordered}
        for color in PALETTE:
            if color not in used:
                return color
        return PALETTE[len(used) % len(PALETTE)]

    def _take_shortcut(self, log: Any, shortcut: str | None, owner_id: int | None) -> None:
        """Give a shortcut to one code only, taking it from whoever held it."""
        if not shortcut:
            return
        holder = self._index().by_shortcut.get(shortcut)
        if holder and holder.id != owner_id:
            log.update("codes", {"id": holder.id}, {"shortcut": None})

    def _insert_code(self, log: Any, parent_id: int | None, spec: CodeSpec) -> int:
        position = self.conn.execute(
            "SELECT coalesce(max(position), -1) + 1 FROM codes WHERE parent_id IS ?",
            (parent_id,)).fetchone()[0]
        self._take_shortcut(log, spec.shortcut, None)
        code_id = log.insert("codes", {
            "guid": spec.guid or new_guid(), "parent_id": parent_id, "name": spec.name,
            "description": spec.description,
            "color": self._free_color() if spec.color is None else spec.color,  # "": none
            "keywords": json.dumps(spec.keywords, ensure_ascii=False),
            "shortcut": spec.shortcut, "position": position, "codable": int(spec.codable),
            "created_at": now()})
        self._codes_cache = None
        return code_id

    def add_code(self, path: str, *, description: str = "", color: str | None = None,
                 keywords: Sequence[str] = (), shortcut: str | None = None,
                 codable: bool = True, guid: str | None = None) -> Code:
        parent, name = self._parent_of_path(path)
        self._check_sibling_free(parent.id if parent else None, name)
        spec = CodeSpec(name=name, description=description.strip(),
                        color=validate_color(color, path), keywords=list(keywords),
                        shortcut=validate_shortcut(shortcut, path), codable=codable, guid=guid)
        with self._change("add-code") as log:
            code_id = self._insert_code(log, parent.id if parent else None, spec)
            log.summary = f"add code {path!r}"
        return self.code(code_id)

    def update_code(self, ref: str | Code, *, description: str | None = None,
                    color: str | None = None, keywords: Sequence[str] | None = None,
                    shortcut: Any = _UNSET, codable: bool | None = None) -> Code:
        code = self.code(ref)
        changes: dict[str, Any] = {}
        if description is not None:
            changes["description"] = description.strip()
        if color is not None:
            changes["color"] = validate_color(color, code.path) or code.color
        if keywords is not None:
            changes["keywords"] = json.dumps([k.strip() for k in keywords if k.strip()],
                                             ensure_ascii=False)
        if shortcut is not _UNSET:
            changes["shortcut"] = validate_shortcut(shortcut, code.path)
        if codable is not None:
            changes["codable"] = int(codable)
        with self._change("update-code") as log:
            if changes.get("shortcut"):
                self._take_shortcut(log, changes["shortcut"], code.id)
            log.update("codes", {"id": code.id}, changes)
            log.summary = f"edit code {code.path!r} ({', '.join(changes)})"
        return self.code(code.id)

    def rename_code(self, ref: str | Code, new_name: str) -> Code:
        code = self.code(ref)
        name = validate_name(new_name, f"code {code.path!r}")
        self._check_sibling_free(code.parent_id, name, except_id=code.id)
        with self._change("rename-code") as log:
            log.update("codes", {"id": code.id}, {"name": name})
            log.summary = f"rename code {code.path!r} to {name!r}"
        return self.code(code.id)

    def move_code(self, ref: str | Code, new_parent: str | Code | None) -> Code:
        code = self.code(ref)
        parent = (self.code(new_parent) if new_parent is not None and new_parent not in ("", "/")
                  else None)
        if parent and parent.id in {c.id for c in self.descendants(code)}:
            raise UserError(f"cannot move {code.path!r} under itself ({parent.path!r})")
        parent_id = parent.id if parent else None
        self._check_sibling_free(parent_id, code.name, except_id=code.id)
        position = self.conn.execute(
            "SELECT coalesce(max(position), -1) + 1 FROM codes WHERE parent_id IS ?",
            (parent_id,)).fetchone()[0]
        with self._change("move-code") as log:
            log.update("codes", {"id": code.id}, {"parent_id": parent_id, "position": position})
            log.summary = f"move code {code.path!r} under {parent.path if parent else 'top'!r}"
        return self.code(code.id)

    def merge_code(self, source: str | Code, target: str | Code) -> Code:
        """Fold one code into another: its codings and subcodes follow it."""
        src, dst = self.code(source), self.code(target)
        if src.id == dst.id:
            raise UserError("cannot merge a code into itself")
        if dst.id in {c.id for c in self.descendants(src)}:
            raise UserError(f"cannot merge {src.path!r} into its own subcode {dst.path!r}")
        with self._change("merge-code") as log:
            for child in self._index().children.get(src.id, []):
                self._check_sibling_free(dst.id, child.name)
                log.update("codes", {"id": child.id}, {"parent_id": dst.id})
            rows = self.conn.execute(
                'SELECT id, document_id, coder_id, start, "end", memo FROM codings '
                "WHERE code_id = ? ORDER BY id", (src.id,)).fetchall()
            for coding_id, doc_id, coder_id, start, end, memo in rows:
                log.update("codings", {"id": coding_id}, {"code_id": dst.id})
                self._merge_touching(log, coding_id, doc_id, dst.id, coder_id,
                                     start, end, memo)
            self._move_framework_summaries(log, src.id, dst.id)  # type: ignore[attr-defined]
            log.delete("codes", {"id": src.id})
            log.summary = f"merge code {src.path!r} into {dst.path!r} ({len(rows)} codings)"
        return self.code(dst.id)

    def delete_code(self, ref: str | Code, *, force: bool = False) -> int:
        """Delete a code and its subcodes; with codings only when forced. Returns codings lost."""
        code = self.code(ref)
        tree = self.descendants(code)
        ids = [c.id for c in tree]
        marks = ",".join("?" for _ in ids)
        n = self.conn.execute(f"SELECT count(*) FROM codings WHERE code_id IN ({marks})",
                              ids).fetchone()[0]
        if n and not force:
            raise UserError(f"{code.path!r} has {n} codings; use --force to delete them too "
                            "(undo brings them back)")
        with self._change("delete-code") as log:
            for (coding_id,) in self.conn.execute(
                    f"SELECT id FROM codings WHERE code_id IN ({marks}) ORDER BY id",
                    ids).fetchall():
                log.delete("codings", {"id": coding_id})
            for (memo_id,) in self.conn.execute(
                    f"SELECT id FROM memos WHERE target_kind = 'code' AND target_id IN ({marks})",
                    ids).fetchall():
                log.delete("memos", {"id": memo_id})
            for (summary_id,) in self.conn.execute(
                    f"SELECT id FROM framework_summaries WHERE code_id IN ({marks}) ORDER BY id",
                    ids).fetchall():
                log.delete("framework_summaries", {"id": summary_id})
            for c in reversed(tree):
                log.delete("codes", {"id": c.id})
            log.summary = f"delete code {code.path!r} with {len(tree) - 1} subcodes, {n} codings"
        return int(n)

    # --- codebook files ------------------------------------------------------------------

    def import_codebook(self, source: str | Path | CodebookSpec) -> dict[str, list[str]]:
        """Merge a codebook by path: new codes are added, changed fields updated.

        Linear in the size of the codebook: the code index is read once and the new codes are
        tracked here (positions, colours, shortcuts), instead of re-reading every code after
        each insert, which made a 10,000-code import take minutes.
        """
        book = read_codebook(Path(source)) if not isinstance(source, CodebookSpec) else source
        report: dict[str, list[str]] = {"added": [], "changed": [], "unchanged": []}
        index = self._index()
        guids = {c.guid.lower(): c.path for c in index.ordered}
        added: dict[str, int] = {}  # folded path -> id of a code added by this import
        next_position: dict[int | None, int] = {}
        used_colors = {c.color for c in index.ordered}
        shortcuts = {key: c.id for key, c in index.by_shortcut.items()}

        def take_shortcut(log: Any, key: str | None, owner: int | None) -> None:
            holder = shortcuts.get(key) if key else None
            if holder is not None and holder != owner:
                log.update("codes", {"id": holder}, {"shortcut": None})

        def free_color() -> str:
            for color in PALETTE:
                if color not in used_colors:
                    return color
            return PALETTE[len(used_colors) % len(PALETTE)]

        with self._change("import-codebook") as log:
            for path, spec in book.walk():
                key = path.casefold()
                existing = index.by_path.get(key)
                if existing is None:
                    parent_path = key.rpartition("/")[0]
                    parent_id = (added.get(parent_path) or index.by_path[parent_path].id
                                 if parent_path else None)
                    guid = (spec.guid or "").strip().strip("{}").lower() or new_guid()
                    if guid in guids:
                        raise UserError(f"{path}: GUID {guid} already belongs to the code "
                                        f"{guids[guid]!r} in this project")
                    if parent_id not in next_position:
                        next_position[parent_id] = self.conn.execute(
                            "SELECT coalesce(max(position), -1) + 1 FROM codes "
                            "WHERE parent_id IS ?", (parent_id,)).fetchone()[0]
                    # None: choose a free colour; "": the code has none of its own (a file
                    # from another tool), shown in a palette colour that is never exported.
                    color = free_color() if spec.color is None else spec.color
                    take_shortcut(log, spec.shortcut, None)
                    code_id = log.insert("codes", {
                        "guid": guid, "parent_id": parent_id, "name": spec.name,
                        "description": spec.description, "color": color,
                        "keywords": json.dumps(spec.keywords, ensure_ascii=False),
                        "shortcut": spec.shortcut, "position": next_position[parent_id],
                        "codable": int(spec.codable), "created_at": now()})
                    next_position[parent_id] += 1
                    if color:
                        used_colors.add(color)
                    guids[guid] = path
                    if spec.shortcut:
                        shortcuts[spec.shortcut] = code_id
                    added[key] = code_id
                    report["added"].append(path)
                    continue
                changes: dict[str, Any] = {}
                if spec.description and spec.description != existing.description:
                    changes["description"] = spec.description
                if spec.color and spec.color != existing.color:
                    changes["color"] = spec.color
                if spec.keywords and tuple(spec.keywords) != existing.keywords:
                    changes["keywords"] = json.dumps(spec.keywords, ensure_ascii=False)
                if spec.shortcut and spec.shortcut != existing.shortcut:
                    take_shortcut(log, spec.shortcut, existing.id)
                    shortcuts[spec.shortcut] = existing.id
                    changes["shortcut"] = spec.shortcut
                if spec.codable != existing.codable:
                    changes["codable"] = int(spec.codable)
                if changes:
                    log.update("codes", {"id": existing.id}, changes)
                    report["changed"].append(path)
                else:
                    report["unchanged"].append(path)
            self._codes_cache = None
            if book.description and not self.setting("codebook_description"):
                self.conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('codebook_description', ?)",
                    (book.description,))
            if book.name and not self.setting("codebook_name"):
                self.conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('codebook_name', ?)",
                    (book.name,))
            log.summary = (f"import codebook: {len(report['added'])} added, "
                           f"{len(report['changed'])} changed")
        return report

    def export_codebook(self) -> str:
        """The codebook as YAML in the same shape `import_codebook` reads."""
        index = self._index()

        def node(code: Code) -> dict[str, Any]:
            out: dict[str, Any] = {"name": code.name}
            if code.description:
                out["description"] = code.description
            out["color"] = code.color
            if code.keywords:
                out["keywords"] = list(code.keywords)
            if code.shortcut:
                out["shortcut"] = code.shortcut
            if not code.codable:
                out["codable"] = False
            out["guid"] = code.guid
            kids = index.children.get(code.id, [])
            if kids:
                out["children"] = [node(k) for k in kids]
            return out

        return dump_codebook(self.setting("codebook_name") or self.name,
                             self.setting("codebook_description"), self.language,
                             [node(c) for c in index.children.get(None, [])])


def _suggestions(key: str, codes: list[Code], limit: int = 5) -> str:
    """Codes a mistyped reference probably meant: names containing it (or it containing a
    name: 'barrier' for 'barriers'), then close spellings, each given by its full path."""
    import difflib

    word = key.rsplit("/", 1)[-1]
    if not word:
        return ""
    found: list[Code] = []
    for c in codes:
        name = c.name.casefold()
        if word in name or (len(name) >= 4 and name in word) or word in c.path.casefold():
            found.append(c)
    names = {c.name.casefold(): c for c in codes}
    for close in difflib.get_close_matches(word, list(names), n=limit, cutoff=0.75):
        if names[close] not in found:
            found.append(names[close])
    return ", ".join(c.path for c in found[:limit])
