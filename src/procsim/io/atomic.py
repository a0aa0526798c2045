"""Write files so that an error or an interrupt never leaves a partial one.

The one writer for every file procsim writes: saved scenarios (the stepper),
scaffolds, and diagrams (:mod:`procsim.render.diagram`).

A write goes to a temporary file beside the target, named
``.NAME.procsim-PID-RANDOM.tmp``, which is renamed into place. A process killed
mid-write (SIGKILL, power loss) cannot remove its temporary file, so the next write
into that folder removes every such file whose writer is no longer running
(:func:`clean_stale_temporaries`), and ``diagram --check`` reports them
(:func:`stale_temporaries`).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path

from procsim.core.errors import ProcsimError

_TEMPORARY = re.compile(r"^\..+\.procsim-(\d+)-[A-Za-z0-9_]+\.tmp$")


class WriteError(ProcsimError):
    """A file could not be written (a read-only folder, a full disk, a special file)."""


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once.

    A symbolic link is written through (its target is replaced, not the link). An existing
    character device or FIFO (``/dev/null``, ``/dev/stdout``) is written to directly, never
    replaced; a block device, socket or folder is refused. Otherwise the bytes go to a
    temporary file beside the target (so the rename stays on one file system), are flushed
    to the disk, take the permissions an ordinary new file would (``0o666`` less the
    umask), and the file is renamed into place: after an error or an interrupt the old file,
    or no file, is left. Raises :class:`WriteError` naming the file; creates missing folders.
    """
    shown = str(path)
    try:
        _write(Path(path), data)
    except WriteError:
        raise
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise WriteError(f"cannot write: {reason}", path=shown) from None


def _write(path: Path, data: bytes) -> None:
    try:
        mode = os.stat(path).st_mode  # follows symbolic links
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
            with open(path, "wb") as stream:  # written to, never replaced
                stream.write(data)
            return
        kind = "a folder" if stat.S_ISDIR(mode) else "a block device or socket"
        raise WriteError(f"is {kind}, not a file; refused", path=str(path))
    target = Path(os.path.realpath(path))  # through symbolic links, to the file they name
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(folder)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.procsim-{os.getpid()}-", suffix=".tmp", dir=folder
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8, as :func:`write_bytes_atomic` does."""
    write_bytes_atomic(path, text.encode("utf-8"))


def stale_temporaries(folder: Path) -> list[Path]:
    """procsim's temporary files in ``folder`` whose writing process is gone."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    stale = []
    for name in names:
        match = _TEMPORARY.match(name)
        if match and not _running(int(match.group(1))):
            stale.append(Path(folder) / name)
    return stale


def clean_stale_temporaries(folder: Path) -> list[Path]:
    """Remove :func:`stale_temporaries`; returns those removed."""
    removed = []
    for path in stale_temporaries(folder):
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
