"""CLI commands, one module per area; each module lists its click commands in `COMMANDS`.

`casecoder.cli` discovers the modules here, so adding an area never means editing a shared
registry. Modules must stay light at import (no spaCy, no Textual): heavy imports go inside the
command functions, which keeps `casecoder --help` and TUI start-up fast.
"""
