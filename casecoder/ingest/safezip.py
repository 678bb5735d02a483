"""Opening zip archives from outside (.qdpx exchange files) without trusting them.

Everything is decided from the central directory before a single member is inflated: member
paths (absolute paths, drive letters and ".." would escape any folder we extract to), the number
of members, the total uncompressed size and the compression ratio (a zip bomb is a few kilobytes
that inflate to gigabytes). The sizes checked are the declared ones, and that is enough: Python's
zipfile never returns more bytes for a member than its declared size, and it checks the CRC.

Members an importer will only list and never read (embedded audio or video in a .qdpx) would
make a single size cap either useless or refuse ordinary projects, so the caller says which
members it may read (`counted`) and only those count towards `max_read_bytes`; the ratio check
and the path check apply to every member.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from types import TracebackType

from casecoder.errors import ImportFileError

#: Below this many bytes a member's ratio says nothing (repeated XML tags compress extremely).
RATIO_FLOOR_BYTES = 1024 * 1024


class SafeZip:
    """A vetted, read-only zip archive whose members are looked up case-insensitively."""

    def __init__(self, path: Path, archive: zipfile.ZipFile) -> None:
        self.path = path
        self._archive = archive
        self._by_folded: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            if not info.is_dir():
                self._by_folded.setdefault(_clean_name(info.filename).casefold(), info)

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._archive.close()

    def names(self) -> list[str]:
        """Member file names with '/' separators, in archive order."""
        return [_clean_name(i.filename) for i in self._archive.infolist() if not i.is_dir()]

    def find(self, name: str) -> str | None:
        """The member's stored name for a name in any letter case (tools differ: Sources/X.TXT)."""
        info = self._by_folded.get(_clean_name(name).casefold())
        return info.filename if info is not None else None

    def size(self, name: str) -> int:
        return self._info(name).file_size

    def read(self, name: str, limit: int) -> bytes:
        """A member's bytes, refusing members declared larger than `limit`."""
        info = self._info(name)
        if info.file_size > limit:
            raise ImportFileError(
                f"{self.path}: refused: {_clean_name(info.filename)} is "
                f"{info.file_size / 1e6:.0f} MB (limit {limit / 1e6:.0f} MB)")
        try:
            with self._archive.open(info) as member:
                return member.read(limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error,
                NotImplementedError, RuntimeError) as exc:
            raise ImportFileError(
                f"{self.path}: cannot read {_clean_name(info.filename)} from the archive "
                f"({type(exc).__name__}: {exc})") from exc

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = self._by_folded.get(_clean_name(name).casefold())
        if info is None:
            raise ImportFileError(f"{self.path}: the archive has no member {name!r}")
        return info


def _clean_name(name: str) -> str:
    cleaned = name.replace("\\", "/")
    while cleaned.startswith("./"):
        cleaned = cleaned[2:]
    return cleaned


def unsafe_member_name(name: str) -> bool:
    """True for member names that could land outside the folder they are extracted to."""
    cleaned = name.replace("\\", "/")
    pure = PurePosixPath(cleaned)
    return (pure.is_absolute() or ".." in pure.parts or (len(cleaned) > 1 and cleaned[1] == ":")
            or "\x00" in cleaned)


def open_safe_zip(path: Path, *, what: str, max_members: int, max_read_bytes: int,
                  max_ratio: int, counted: Callable[[str], bool] = lambda name: True,
                  max_file_bytes: int | None = None) -> SafeZip:
    """Open and vet a zip archive; raises ImportFileError (one line) for anything unsafe.

    `what` names the expected kind of file in messages ("a .qdpx project").
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    if max_file_bytes is not None and size > max_file_bytes:
        raise ImportFileError(f"{path}: file is too large ({size / 1e6:.0f} MB; the limit is "
                              f"{max_file_bytes / 1e6:.0f} MB)")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise ImportFileError(f"{path}: not {what} (not a valid zip archive)") from exc
    try:
        _vet(path, archive, max_members=max_members, max_read_bytes=max_read_bytes,
             max_ratio=max_ratio, counted=counted)
    except BaseException:
        archive.close()
        raise
    return SafeZip(path, archive)


def _vet(path: Path, archive: zipfile.ZipFile, *, max_members: int, max_read_bytes: int,
         max_ratio: int, counted: Callable[[str], bool]) -> None:
    infos = archive.infolist()
    if len(infos) > max_members:
        raise ImportFileError(f"{path}: refused: the archive has {len(infos)} members "
                              f"(limit {max_members})")
    read_total = total = compressed = 0
    for info in infos:
        if unsafe_member_name(info.filename):
            raise ImportFileError(f"{path}: refused: unsafe member path {info.filename!r} "
                                  "in the archive")
        if info.flag_bits & 0x1:
            raise ImportFileError(f"{path}: refused: {info.filename} is encrypted")
        if (info.file_size > RATIO_FLOOR_BYTES
                and info.file_size > max_ratio * max(info.compress_size, 1)):
            raise ImportFileError(
                f"{path}: refused: {info.filename} has a suspicious compression ratio "
                f"({info.file_size / max(info.compress_size, 1):.0f}:1, limit {max_ratio}:1)")
        total += info.file_size
        compressed += info.compress_size
        if not info.is_dir() and counted(_clean_name(info.filename)):
            read_total += info.file_size
    if total > RATIO_FLOOR_BYTES and total > max_ratio * max(compressed, 1):
        raise ImportFileError(
            f"{path}: refused: suspicious compression ratio "
            f"({total / max(compressed, 1):.0f}:1, limit {max_ratio}:1)")
    if read_total > max_read_bytes:
        raise ImportFileError(
            f"{path}: refused: the archive inflates to {read_total / 1e6:.0f} MB of project "
            f"and text files (limit {max_read_bytes / 1e6:.0f} MB)")
