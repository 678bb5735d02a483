"""The codebook screen: the code tree with counts, one code's details, and every edit of it.

Researchers reshape the codebook while they code (a subcode splits off, two codes turn out to
be one), so every edit is a key away and takes effect at once: the Project API commits each
change with its event, `u` undoes it. The screen holds no state of its own beyond which nodes
are collapsed; after any change it rebuilds the tree from `project.codes()`, so what is shown
is always what is stored, including changes made meanwhile from the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, Tree
from textual.widgets.tree import TreeNode

from casecoder.codebook import validate_color, validate_name, validate_shortcut
from casecoder.errors import UserError
from casecoder.model import Code
from casecoder.project import Project
from casecoder.tui.keymap import bindings
from casecoder.tui.screens.prompts import Choice, PickDialog, TextEditDialog, TextPrompt


def subtree_totals(codes: list[Code], counts: dict[int, int]) -> dict[int, int]:
    """Codings of each code together with all its subcodes.

    `codes` is in depth-first order, so walking it backwards meets every child before its
    parent and one pass adds each subtree into its parent.
    """
    totals = {c.id: counts.get(c.id, 0) for c in codes}
    for c in reversed(codes):
        if c.parent_id is not None and c.parent_id in totals:
            totals[c.parent_id] += totals[c.id]
    return totals


def code_label(code: Code, own: int, total: int, has_children: bool) -> Text:
    """Swatch, name, shortcut and counts; a category (not codable) is shown in italics."""
    label = Text(no_wrap=True, overflow="ellipsis")
    label.append("■ ", style=code.color)
    label.append(code.name, style="" if code.codable else "italic")
    if code.shortcut:
        label.append(f" [{code.shortcut}]", style="bold")
    counts = f"{own}/{total}" if has_children else str(own)
    label.append(f"  {counts}", style="dim")
    return label


class CodebookScreen(Screen[None]):
    """Browse and edit the code tree (F2)."""

    DEFAULT_CSS = """
    CodebookScreen #codebook-title {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
        text-style: bold;
    }
    CodebookScreen #codebook-body {
        height: 1fr;
    }
    CodebookScreen #codebook-tree {
        width: 3fr;
        min-width: 30;
        border: round $primary 50%;
    }
    CodebookScreen #codebook-tree:focus {
        border: round $primary;
    }
    CodebookScreen #codebook-detail {
        width: 2fr;
        min-width: 28;
        border: round $primary 50%;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("codebook", "history.undo", "history.redo")

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self._just_mounted = True
        self.collapsed: set[int] = set()
        self.codes_by_id: dict[int, Code] = {}
        self.counts: dict[int, int] = {}
        self.totals: dict[int, int] = {}
        self.nodes: dict[int, TreeNode[int]] = {}

    # --- layout and refresh ------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="codebook-title")
        with Horizontal(id="codebook-body"):
            tree: Tree[int] = Tree("Codebook", id="codebook-tree")
            tree.show_root = False
            tree.guide_depth = 3
            tree.auto_expand = False
            tree.border_title = "Codes"
            yield tree
            with VerticalScroll(id="codebook-detail") as detail:
                detail.border_title = "Code"
                yield Static(id="codebook-detail-text")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_codes()
        self.query_one(Tree).focus()

    def on_screen_resume(self) -> None:
        # Back from another screen (the app keeps this one installed and pushes it again),
        # where codings, codes or documents may have changed: reload. The first resume comes
        # right after mounting, which has just loaded everything.
        if self._just_mounted:
            self._just_mounted = False
            return
        self.refresh_codes()

    def _ask(self, dialog: Screen[Any], answer: Callable[[Any], None] | None = None) -> None:
        """Open one of this screen's dialogs; its answer comes back to `answer`."""
        self.app.push_screen(dialog, answer)

    @property
    def tree(self) -> Tree[int]:  # type: ignore[override]  # DOMNode.tree is a debug view
        return self.query_one("#codebook-tree", Tree)

    def current(self) -> Code | None:
        """The highlighted code, as loaded by the last refresh."""
        node = self.tree.cursor_node
        if node is None or node.data is None:
            return None
        return self.codes_by_id.get(node.data)

    def refresh_codes(self, select: int | None = None) -> None:
        """Rebuild the tree from the project, keeping the cursor on `select` or where it was."""
        tree = self.tree
        previous = self.current()
        previous_line = max(tree.cursor_line, 0)
        codes = self.project.codes()
        self.codes_by_id = {c.id: c for c in codes}
        self.counts = self.project.code_counts()
        self.totals = subtree_totals(codes, self.counts)
        parents = {c.parent_id for c in codes}
        tree.clear()
        self.nodes = {}
        for code in codes:
            parent = self.nodes.get(code.parent_id) if code.parent_id else tree.root
            if parent is None:  # cannot happen with a consistent tree; show it at the top
                parent = tree.root
            label = code_label(code, self.counts.get(code.id, 0), self.totals[code.id],
                               code.id in parents)
            if code.id in parents:
                node = parent.add(label, code.id, expand=code.id not in self.collapsed)
            else:
                node = parent.add_leaf(label, code.id)
            self.nodes[code.id] = node
        tree.root.expand()
        target = select if select in self.nodes else (previous.id if previous else None)
        # Reading last_line lays the new nodes out, so that each knows its line.
        last = tree.last_line
        if target in self.nodes:
            node = self.nodes[target]
            for ancestor in self._ancestors(node):
                ancestor.expand()
            last = tree.last_line
            tree.move_cursor(node)
        elif last >= 0:
            tree.move_cursor(tree.get_node_at_line(min(previous_line, last)))
        self._show_title(codes)
        self._show_detail()

    @staticmethod
    def _ancestors(node: TreeNode[int]) -> list[TreeNode[int]]:
        out = []
        parent = node.parent
        while parent is not None and not parent.is_root:
            out.append(parent)
            parent = parent.parent
        return out

    def _show_title(self, codes: list[Code]) -> None:
        total = sum(self.counts.values())
        title = Text.assemble(("Codebook", "bold"), f" · {self.project.name} · ",
                              f"{len(codes)} codes · {total} codings (all coders)")
        self.query_one("#codebook-title", Static).update(title)

    def _show_detail(self) -> None:
        detail = self.query_one("#codebook-detail-text", Static)
        code = self.current()
        if code is None:
            detail.update(Text("No codes yet: press a to add one.", style="italic"))
            return
        own, total = self.counts.get(code.id, 0), self.totals.get(code.id, 0)
        text = Text()
        text.append(code.path, style="bold")
        text.append("\n\n")
        text.append("■■ ", style=code.color)
        text.append(f"{code.color}\n")
        text.append("shortcut: ", style="dim")
        text.append(f"{code.shortcut or 'none'}\n")
        text.append("codable:  ", style="dim")
        text.append("yes\n" if code.codable else "no (a category: code its subcodes)\n")
        text.append("codings:  ", style="dim")
        text.append(f"{own}" + (f" ({total} with subcodes)" if total != own else "") + "\n")
        text.append("keywords: ", style="dim")
        text.append((", ".join(code.keywords) or "none") + "\n\n")
        text.append(code.description or "No description: press e to write one.",
                    style="" if code.description else "italic dim")
        detail.update(text)

    @on(Tree.NodeHighlighted, "#codebook-tree")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(Tree.NodeCollapsed, "#codebook-tree")
    def _collapsed(self, event: Tree.NodeCollapsed[int]) -> None:
        if event.node.data is not None:
            self.collapsed.add(event.node.data)

    @on(Tree.NodeExpanded, "#codebook-tree")
    def _expanded(self, event: Tree.NodeExpanded[int]) -> None:
        if event.node.data is not None:
            self.collapsed.discard(event.node.data)

    # --- helpers -----------------------------------------------------------------------

    def _error(self, exc: UserError) -> None:
        self.notify(str(exc), severity="error", markup=False)

    def _change(self, change: Callable[[], Any], done: Callable[[Any], str],
                select: Callable[[Any], int | None] | None = None) -> None:
        """Run one Project change; show its error, or refresh and say what happened."""
        try:
            result = change()
        except UserError as exc:
            self._error(exc)
            return
        self.refresh_codes(select(result) if select else None)
        self.notify(done(result), markup=False)

    def _need_code(self) -> Code | None:
        code = self.current()
        if code is None:
            self.notify("No code is highlighted.", severity="warning")
        return code

    # --- actions -----------------------------------------------------------------------

    def action_add(self) -> None:
        self._add(self.current())

    def action_add_top(self) -> None:
        self._add(None)

    def _add(self, parent: Code | None) -> None:
        where = f"under {parent.path}" if parent else "at the top level"

        def check(name: str) -> None:
            validate_name(name, "new code")

        def answer(name: str | None) -> None:
            if name is None:
                return
            path = f"{parent.path}/{name.strip()}" if parent else name.strip()
            self._change(lambda: self.project.add_code(path),
                         lambda code: f"Added {code.path}", lambda code: code.id)

        self._ask(TextPrompt(f"New code {where}", placeholder="name",
                                        check=check), answer)

    def action_rename(self) -> None:
        code = self._need_code()
        if code is None:
            return

        def answer(name: str | None) -> None:
            if name is None or name.strip() == code.name:
                return
            self._change(lambda: self.project.rename_code(code, name),
                         lambda renamed: f"Renamed {code.path} to {renamed.path}",
                         lambda renamed: renamed.id)

        self._ask(TextPrompt(f"Rename {code.path}", value=code.name,
                                        check=lambda name: validate_name(name, code.path)),
                             answer)

    def action_move(self) -> None:
        code = self._need_code()
        if code is None:
            return
        inside = {c.id for c in self.project.descendants(code)}
        choices = [] if code.parent_id is None else [
            Choice("", Text("(top level)", style="italic"))]
        for c in self.codes_by_id.values():
            if c.id not in inside and c.id != code.parent_id:
                choices.append(Choice(str(c.id), Text.assemble(("■ ", c.color), c.path)))

        def answer(value: str | None) -> None:
            if value is None:
                return
            target = self.codes_by_id.get(int(value)) if value else None
            self._change(lambda: self.project.move_code(code, target),
                         lambda moved: f"Moved {code.path} to {moved.path}",
                         lambda moved: moved.id)

        self._ask(PickDialog(f"Move {code.path} under…", choices,
                                        hint="enter move · ↑↓ choose · esc cancel"), answer)

    def action_merge(self) -> None:
        source = self._need_code()
        if source is None:
            return
        from casecoder.tui.screens.dialogs import CodePicker, ConfirmDialog, PickResult

        inside = {c.id for c in self.project.descendants(source)}
        targets = [c for c in self.codes_by_id.values() if c.id not in inside]
        n = self.counts.get(source.id, 0)

        def confirmed(target: Code, yes: bool | None) -> None:
            if not yes:
                return
            self._change(lambda: self.project.merge_code(source, target),
                         lambda merged: f"Merged {source.path} into {merged.path} "
                                        "(u undoes)",
                         lambda merged: merged.id)

        def picked(result: PickResult | None) -> None:
            if result is None or result.code_id is None:
                return
            target = self.codes_by_id[result.code_id]
            kids = len(inside) - 1
            question = (f"Merge {source.path} into {target.path}? Its {n} codings"
                        + (f" and {kids} subcodes" if kids else "")
                        + f" move to {target.path} and {source.name} is removed.")
            self._ask(ConfirmDialog(question, "Merge", "Cancel"),
                                 lambda yes: confirmed(target, yes))

        self._ask(CodePicker(targets, self.counts, title=f"Merge {source.path} into…",
                                        allow_create=False), picked)

    def action_delete(self) -> None:
        code = self._need_code()
        if code is None:
            return
        from casecoder.tui.screens.dialogs import ConfirmDialog

        tree = self.project.descendants(code)
        n = self.totals.get(code.id, 0)
        kids = len(tree) - 1
        what = code.path + (f" and its {kids} subcodes" if kids else "")

        def delete(force: bool) -> None:
            self._change(lambda: self.project.delete_code(code, force=force),
                         lambda lost: f"Deleted {what}"
                                      + (f" with {lost} codings" if lost else "")
                                      + " (u undoes)")

        def second(yes: bool | None) -> None:
            if yes:
                delete(True)

        def first(yes: bool | None) -> None:
            if not yes:
                return
            if n:
                self._ask(ConfirmDialog(
                    f"{what} has {n} codings (all coders). Delete them too? "
                    "Undo (u) brings the code and its codings back.",
                    "Delete codings", "Keep"), second)
            else:
                delete(False)

        self._ask(ConfirmDialog(f"Delete {what}?", "Delete", "Keep"), first)

    def action_describe(self) -> None:
        code = self._need_code()
        if code is None:
            return

        def answer(text: str | None) -> None:
            if text is None or text.strip() == code.description:
                return
            self._change(lambda: self.project.update_code(code, description=text),
                         lambda _: f"Description of {code.path} saved",
                         lambda updated: updated.id)

        self._ask(TextEditDialog(
            f"Description of {code.path}", code.description,
            hint="definition, include/exclude notes · ctrl+s save · esc cancel"), answer)

    def action_colour(self) -> None:
        code = self._need_code()
        if code is None:
            return

        def check(value: str) -> None:
            if not validate_color(value, code.path):
                raise UserError("a colour is written #rrggbb, e.g. #277cdc")

        def answer(value: str | None) -> None:
            if value is None:
                return
            self._change(lambda: self.project.update_code(code, color=value),
                         lambda updated: f"Colour of {code.path}: {updated.color}",
                         lambda updated: updated.id)

        self._ask(TextPrompt(
            f"Colour of {code.path}", value=code.color, placeholder="#rrggbb", check=check,
            hint="#rrggbb · keep 3:1 contrast on dark and light backgrounds"), answer)

    def action_keywords(self) -> None:
        code = self._need_code()
        if code is None:
            return

        def answer(value: str | None) -> None:
            if value is None:
                return
            words = [w.strip() for w in value.split(",") if w.strip()]
            self._change(lambda: self.project.update_code(code, keywords=words),
                         lambda updated: f"{len(updated.keywords)} keywords on {code.path}",
                         lambda updated: updated.id)

        self._ask(TextPrompt(
            f"Keywords of {code.path}", value=", ".join(code.keywords),
            placeholder="word, other word, …", hint="comma-separated · empty removes all"),
            answer)

    def action_shortcut(self) -> None:
        code = self._need_code()
        if code is None:
            return

        def answer(value: str | None) -> None:
            if value is None:
                return
            key = value.strip() or None
            holder = self.project.code_by_shortcut(key) if key else None
            taken = f" (taken from {holder.path})" if holder and holder.id != code.id else ""
            self._change(lambda: self.project.update_code(code, shortcut=key),
                         lambda updated: (f"Shortcut of {code.path}: {updated.shortcut}{taken}"
                                          if updated.shortcut
                                          else f"{code.path} has no shortcut now"),
                         lambda updated: updated.id)

        self._ask(TextPrompt(
            f"Shortcut of {code.path}", value=code.shortcut or "", placeholder="1-9",
            check=lambda value: validate_shortcut(value.strip(), code.path),
            hint="a digit 1-9, empty for none · a digit held by another code moves here"),
            answer)

    def action_codable(self) -> None:
        code = self._need_code()
        if code is None:
            return
        self._change(lambda: self.project.update_code(code, codable=not code.codable),
                     lambda updated: (f"{code.path} can be applied" if updated.codable else
                                      f"{code.path} is a category now (code its subcodes)"),
                     lambda updated: updated.id)

    def action_undo(self) -> None:
        self._change(self.project.undo, lambda event: f"Undone: {event.summary}")

    def action_redo(self) -> None:
        self._change(self.project.redo, lambda event: f"Redone: {event.summary}")

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
