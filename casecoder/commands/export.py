"""The `casecoder export` group; each export format adds its subcommand from its own module."""

from __future__ import annotations

import click


@click.group("export")
def export_group() -> None:
    """Write quotes, codebooks or whole projects to files for reports and other tools."""


COMMANDS = [export_group]
