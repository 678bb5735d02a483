"""Errors that reach the researcher as one line, never as a traceback.

Everything the user can cause (a bad file, an unknown code, offsets out of range, a project from
a newer casecoder) raises `UserError`; the CLI prints its message and exits with status 2, the
TUI shows it as a notification. Anything else is a bug and is allowed to show a traceback.
"""


class UserError(Exception):
    """A problem with the user's input or files, explained in one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


class ProjectFileError(UserError):
    """The project file cannot be opened: not a casecoder project, or from a newer version."""


class ImportFileError(UserError):
    """An imported file is unreadable, unsupported, empty, binary or malformed."""


class StorageError(UserError):
    """The project file could not be read or written: damaged, read-only, full disk, busy."""
