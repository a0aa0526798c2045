"""Write files so that an error or an interrupt never leaves a partial one.

The one writer for every file procsim writes: saved scenarios (the stepper),
scaffolds, and diagrams (:mod:`procsim.render.diagram`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once.

    The bytes go to a temporary file beside ``path`` (so the rename stays on one file
    system), are flushed to the disk, take the permissions an ordinary new file would
    (``0o666`` less the umask; a temporary file is private), and the file is renamed into
    place. After an error or an interrupt the old file, or no file, is left, and no
    temporary file. Raises :class:`OSError`; creates missing folders.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8, as :func:`write_bytes_atomic` does."""
    write_bytes_atomic(path, text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
