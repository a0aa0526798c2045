"""The one reader of input files: regular files only, at most a size limit, never blocking.

``stat`` can lie (``/dev/zero`` and ``/proc`` files report size 0) and opening a FIFO
waits for a writer, so the file is opened without blocking, checked to be a regular
file on the open descriptor, and read up to one byte past the limit.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from procsim.core.errors import LoadError

MAX_BYTES = 1024 * 1024


def read_bytes(path: Path | str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file at ``path``; :class:`LoadError` naming it otherwise."""
    shown = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise LoadError("no such file", path=shown) from None
    except (OSError, ValueError) as error:
        raise LoadError(f"cannot read: {_reason(error)}", path=shown) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise LoadError("is a directory, not a file", path=shown)
        if not stat.S_ISREG(mode):
            raise LoadError("is not a regular file (a device, FIFO or socket); refused", path=shown)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise LoadError(f"cannot read: {_reason(error)}", path=shown) from None
    finally:
        os.close(fd)
    if size > limit:
        raise LoadError(f"file is larger than the {limit // 1024} KiB limit; refused", path=shown)
    return b"".join(chunks)


def read_text(path: Path | str, limit: int = MAX_BYTES) -> str:
    """:func:`read_bytes` decoded as UTF-8; a file that is not UTF-8 is a :class:`LoadError`."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LoadError(f"not UTF-8 text (byte {error.start})", path=str(path)) from None


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        if error.errno == errno.ELOOP:
            return "a symbolic link loop"
        if error.errno == errno.ENAMETOOLONG:
            return "file name too long"
        return error.strerror or str(error)
    return "the name is not a valid file name" if "null" in str(error) else str(error)
