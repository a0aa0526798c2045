"""Parse each YAML file once per process: the one cache of parsed files.

A command may read one file several times: every scenario that extends
``oconnor.yaml`` reads it again, and a file is looked at for a scaffold's TODO
markers before it is loaded. :func:`load_yaml` keeps the last few parsed files,
keyed by resolved path, size, modification time and inode, so an unchanged file
is parsed once however often it is read, and a changed one is parsed again.

Parsed data is shared between readers: treat it as read-only. Errors are not
kept (a bad file is parsed, and refused, each time it is read).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

from procsim.io.safe_yaml import load_file

#: How many parsed files are kept: enough for a scenario and the chain it extends,
#: few enough that checking thousands of files keeps memory flat.
MAX_FILES = 32

_Key = tuple[Path, int, int, int]
_parsed: OrderedDict[_Key, Any] = OrderedDict()


def load_yaml(path: Path) -> Any:
    """:func:`~procsim.io.safe_yaml.load_file`, parsed once while the file is unchanged."""
    try:
        resolved = path.resolve()
        stat = resolved.stat()
    except (OSError, RuntimeError, ValueError):
        return load_file(path)  # it says why the file cannot be read
    key = (resolved, stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if key in _parsed:
        _parsed.move_to_end(key)
        return _parsed[key]
    data = load_file(path)
    _parsed[key] = data
    if len(_parsed) > MAX_FILES:
        _parsed.popitem(last=False)
    return data


def clear() -> None:
    """Forget every parsed file."""
    _parsed.clear()
