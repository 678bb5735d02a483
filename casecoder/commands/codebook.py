"""`casecoder codebook ...`: show, import, export and edit the code tree.

Import and export pick the format from the file's suffix: .yml/.yaml is casecoder's own,
.qdc is the REFI-QDA codebook exchange format, .csv is the shape Taguette reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from casecoder.commands.common import (
    coder_option,
    console,
    format_option,
    open_project,
    print_csv,
    print_json,
    project_argument,
)
from casecoder.errors import UserError

_YAML = (".yml", ".yaml")


@click.group("codebook")
def codebook_group() -> None:
    """Show, import, export and edit the codebook."""


@codebook_group.command("show")
@project_argument
@format_option
def show(project: Path, fmt: str) -> None:
    """The code tree with colours, shortcuts and coding counts."""
    with open_project(project) as p:
        codes = p.codes()
        counts = p.code_counts()
    rows = [{"path": c.path, "name": c.name, "depth": c.depth, "color": c.color,
             "shortcut": c.shortcut, "codings": counts.get(c.id, 0),
             "total_with_subcodes": sum(counts.get(d.id, 0) for d in _desc(codes, c)),
             "codable": c.codable, "keywords": list(c.keywords), "description": c.description,
             "guid": c.guid} for c in codes]
    if fmt == "json":
        print_json(rows)
        return
    if fmt == "csv":
        print_csv(rows, ["path", "color", "shortcut", "codings", "total_with_subcodes",
                         "description"])
        return
    from rich.text import Text
    from rich.tree import Tree

    tree = Tree(Text("Codebook", style="bold"))
    nodes: dict[int | None, Any] = {None: tree}
    for c, row in zip(codes, rows, strict=True):
        label = Text()
        label.append("■ ", style=c.color)
        label.append(c.name, style="bold" if c.depth == 0 else "")
        if c.shortcut:
            label.append(f" [{c.shortcut}]", style="cyan")
        n, total = row["codings"], row["total_with_subcodes"]
        label.append(f"  {n}" + (f" / {total} with subcodes" if total != n else ""), style="dim")
        nodes[c.id] = nodes[c.parent_id].add(label)
    console().print(tree)


def _desc(codes: list[Any], root: Any) -> list[Any]:
    prefix = root.path.casefold() + "/"
    return [root, *[c for c in codes if c.path.casefold().startswith(prefix)]]


@codebook_group.command("import")
@project_argument
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@coder_option
def import_(project: Path, file: Path, coder: str | None) -> None:
    """Merge a codebook (.yml, .qdc or Taguette .csv) by path: add new codes, update changed."""
    if not file.exists():
        raise UserError(f"codebook {file} does not exist")
    suffix = file.suffix.lower()
    with open_project(project, coder) as p:
        if suffix in _YAML:
            report = p.import_codebook(file)
        elif suffix == ".qdc":
            from casecoder.exchange.codebooks import import_qdc

            report = import_qdc(p, file)
        elif suffix == ".csv":
            from casecoder.exchange.codebooks import import_codebook_csv

            report = import_codebook_csv(p, file)
        else:
            raise UserError(f"{file.name}: unsupported codebook format {suffix!r} "
                            "(supported: .yml, .yaml, .qdc, .csv)")
    click.echo(f"{len(report['added'])} added, {len(report['changed'])} changed, "
               f"{len(report['unchanged'])} unchanged")
    for path in report["added"]:
        click.echo(f"  + {path}")
    for path in report["changed"]:
        click.echo(f"  ~ {path}")
    if report.get("sets"):
        click.echo(f"code sets: {', '.join(report['sets'])}")
    for warning in report.get("warnings", []):
        click.echo(f"warning: {warning}", err=True)


@codebook_group.command("export")
@project_argument
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (.yml, .qdc or .csv).")
def export(project: Path, output: Path) -> None:
    """Write the codebook to a file; the format follows the suffix."""
    from casecoder.export.atomic import atomic_open, check_writable

    suffix = output.suffix.lower()
    target = check_writable(output, protect=(project,))
    with open_project(project) as p:
        if suffix in _YAML:
            with atomic_open(target, newline="\n") as fh:
                fh.write(p.export_codebook())
        elif suffix == ".qdc":
            from casecoder.exchange.codebooks import export_qdc

            export_qdc(p, output)
        elif suffix == ".csv":
            from casecoder.exchange.codebooks import export_codebook_csv

            export_codebook_csv(p, output)
        else:
            raise UserError(f"{output.name}: unsupported codebook format {suffix!r} "
                            "(supported: .yml, .yaml, .qdc, .csv)")
    click.echo(f"wrote {output}")


@codebook_group.command("add")
@project_argument
@click.argument("path")
@click.option("--description", default="", help="Definition, inclusion/exclusion notes.")
@click.option("--color", default=None, help="#rrggbb (default: a free palette colour).")
@click.option("--keyword", "keywords", multiple=True, help="Search term (repeatable).")
@click.option("--shortcut", default=None, help="A digit 1-9 for the TUI.")
@click.option("--category", is_flag=True, help="A grouping code that cannot be applied.")
@coder_option
def add(project: Path, path: str, description: str, color: str | None,
        keywords: tuple[str, ...], shortcut: str | None, category: bool,
        coder: str | None) -> None:
    """Add a code; PATH is theme/subcode (the parent must exist)."""
    with open_project(project, coder) as p:
        code = p.add_code(path, description=description, color=color, keywords=keywords,
                          shortcut=shortcut, codable=not category)
    click.echo(f"added {code.path} ({code.color})")


@codebook_group.command("edit")
@project_argument
@click.argument("path")
@click.option("--description", default=None)
@click.option("--color", default=None)
@click.option("--keyword", "keywords", multiple=True, help="Replace the keywords (repeatable).")
@click.option("--shortcut", default=None, help="A digit 1-9, or 'none' to remove it.")
@coder_option
def edit(project: Path, path: str, description: str | None, color: str | None,
         keywords: tuple[str, ...], shortcut: str | None, coder: str | None) -> None:
    """Change a code's description, colour, keywords or shortcut."""
    kwargs: dict[str, Any] = {"description": description, "color": color,
                              "keywords": list(keywords) if keywords else None}
    if shortcut is not None:
        kwargs["shortcut"] = None if shortcut.lower() == "none" else shortcut
    with open_project(project, coder) as p:
        code = p.update_code(path, **kwargs)
    click.echo(f"updated {code.path}")


@codebook_group.command("rename")
@project_argument
@click.argument("path")
@click.argument("new_name")
@coder_option
def rename(project: Path, path: str, new_name: str, coder: str | None) -> None:
    """Rename a code (its codings stay with it)."""
    with open_project(project, coder) as p:
        code = p.rename_code(path, new_name)
    click.echo(f"renamed to {code.path}")


@codebook_group.command("move")
@project_argument
@click.argument("path")
@click.argument("new_parent", required=False, default=None)
@coder_option
def move(project: Path, path: str, new_parent: str | None, coder: str | None) -> None:
    """Move a code under another (or to the top level when NEW_PARENT is left out)."""
    with open_project(project, coder) as p:
        code = p.move_code(path, new_parent)
    click.echo(f"moved to {code.path}")


@codebook_group.command("merge")
@project_argument
@click.argument("source")
@click.argument("target")
@coder_option
def merge(project: Path, source: str, target: str, coder: str | None) -> None:
    """Merge SOURCE into TARGET: codings and subcodes follow, SOURCE disappears."""
    with open_project(project, coder) as p:
        code = p.merge_code(source, target)
    click.echo(f"merged {source} into {code.path}")


@codebook_group.command("delete")
@project_argument
@click.argument("path")
@click.option("--force", is_flag=True, help="Also delete its codings (logged; undo restores).")
@coder_option
def delete(project: Path, path: str, force: bool, coder: str | None) -> None:
    """Delete a code and its subcodes (refused while codings exist, unless --force)."""
    with open_project(project, coder) as p:
        n = p.delete_code(path, force=force)
    click.echo(f"deleted {path}" + (f" and {n} codings (undo restores them)" if n else ""))


COMMANDS = [codebook_group]
