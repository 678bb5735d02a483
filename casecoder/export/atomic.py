"""Write export files all-or-nothing, so a report never rests on half a file.

An export can fail half-way (a full disk, a bad argument found late, Ctrl-C) and the researcher
may already have the previous version open or synced to a shared folder. So every exporter writes
to a temporary file in the target's own folder (same file system, so the final rename is atomic)
and only `os.replace`s the target once everything is written and flushed; on any failure the
temporary file is removed and the old target, if any, is untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO, cast

from casecoder.errors import UserError


def check_writable(target: Path, *, protect: tuple[Path, ...] = ()) -> Path:
    """Refuse a target that cannot be written, before any work is done; return it resolved.

    `protect` lists files that must never be overwritten by an export (the project file itself:
    `-o project.cc.db` by a slip of the tab key would destroy the researcher's work).
    """
    target = Path(target).expanduser()
    resolved = target.resolve()
    for keep in protect:
        keep_resolved = Path(keep).expanduser().resolve()
        if resolved in (keep_resolved, Path(f"{keep_resolved}-wal"),
                        Path(f"{keep_resolved}-shm")):
            raise UserError(f"refusing to overwrite {target}: it is the project file")
    if resolved.is_dir():
        raise UserError(f"cannot write {target}: it is a folder; give a file name")
    folder = resolved.parent
    if not folder.is_dir():
        raise UserError(f"cannot write {target}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"cannot write {target}: no permission to write in {folder}")
    if resolved.exists() and not os.access(resolved, os.W_OK):
        raise UserError(f"cannot write {target}: the file is read-only")
    return resolved


def _default_mode() -> int:
    """The mode a plain open() would give a new file: mkstemp's 0600 would hide the export."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; it becomes `target` only if the block succeeds.

    For writers that insist on a file name (XlsxWriter, python-docx). The temporary name keeps
    the target's suffix so that tools sniffing the extension behave as for the real file.
    """
    target = Path(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".tmp{target.suffix}",
                                        dir=target.parent)
    except OSError as exc:
        raise UserError(f"cannot write {target}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, _default_mode())
        os.replace(tmp, target)
    except OSError as exc:
        _discard(tmp)
        raise UserError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException:
        _discard(tmp)
        raise


@contextmanager
def atomic_open(target: Path, mode: str = "w", *, encoding: str | None = "utf-8",
                newline: str | None = None) -> Iterator[TextIO]:
    """Open a temporary text file beside `target`; it replaces `target` on success only."""
    with atomic_path(target) as tmp, open(tmp, mode, encoding=encoding,
                                          newline=newline) as handle:
        yield cast(TextIO, handle)  # text modes only: callers write str
        handle.flush()


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
