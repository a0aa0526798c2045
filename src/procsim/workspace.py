"""Where the commands (and the public API) start: find, load, replay and check scenarios.

One home for looking up a scenario by name, the default process, the one
engine per process, replaying a scenario with its time limits, and checking a
file (its shape, its replay, its late steps, a scaffold's TODO markers), with
typed results the command line and other clients render as they wish.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from attrs import frozen

from procsim.core.errors import ProcsimError, UnknownName, suggest
from procsim.io import DEFAULT_PROCESS

if TYPE_CHECKING:  # the engine, the deadlines and the readers are imported when first used
    from procsim.core.deadlines import LimitRun
    from procsim.core.engine import Engine, Replay
    from procsim.core.model import Process
    from procsim.core.scenario import Scenario

__all__ = [
    "DEFAULT_PROCESS",
    "FileCheck",
    "Replayed",
    "check_file",
    "check_files",
    "default_scenarios_dir",
    "engine_for",
    "find_scenario",
    "open_scenario",
    "replay_scenario",
]


_engines: dict[str, Engine] = {}
_MAYBE_TODO = re.compile(r"""(?:[:\[,]|^\s*-)\s*["']?TODO""", re.MULTILINE)


def default_scenarios_dir() -> Path:
    """``$PROCSIM_SCENARIOS``, else ``./scenarios``, else the source checkout's."""
    if os.environ.get("PROCSIM_SCENARIOS"):
        return Path(os.environ["PROCSIM_SCENARIOS"])
    local = Path("scenarios")
    if local.is_dir():
        return local
    checkout = Path(__file__).resolve().parents[2] / "scenarios"
    return checkout if checkout.is_dir() else local


def engine_for(process: Process) -> Engine:
    """One engine (one `transitions` Machine) per process, built once."""
    from procsim.core.engine import Engine

    engine = _engines.get(process.id)
    if engine is None or engine.process is not process:
        engine = _engines[process.id] = Engine(process)
    return engine


def find_scenario(name: str, folder: Path | None = None) -> Path:
    """A scenario given by name (``oconnor``, looked up in ``folder``) or by path; raise UnknownName."""
    folder = folder if folder is not None else default_scenarios_dir()
    from procsim.io.scenario_reader import available_scenarios, scenario_path

    path = scenario_path(name, folder)
    if not os.path.lexists(path):  # a broken link or a link loop is found, and its reading fails
        names = [p.stem for p in available_scenarios(folder)]
        raise UnknownName(f"no scenario '{name}' in {folder}/{suggest(name, names)}")
    return path


def open_scenario(name: str, folder: Path | None = None) -> Scenario:
    """Find and load a scenario (resolving what it extends); raise its first problem."""
    from procsim.io.scenario_reader import load_scenario

    return load_scenario(find_scenario(name, folder))


@frozen
class Replayed:
    """A scenario replayed through its process, with every time limit that ran."""

    process: Process
    replay: Replay
    runs: tuple[LimitRun, ...]

    @property
    def scenario(self) -> Scenario:
        return self.replay.scenario

    @property
    def late(self) -> list[LimitRun]:
        """The limits a step of the case missed."""
        from procsim.core.deadlines import late_steps

        return late_steps(self.runs)


def replay_scenario(scenario: Scenario | str, folder: Path | None = None, *, limits: bool = True) -> Replayed:
    """Replay a scenario (or the one named, looked up in ``folder``) and compute its time limits.

    ``limits=False`` skips the time limits (and the bank-holiday calendar they need): ``runs``
    is then empty, for callers that draw or compare the path only.
    """
    from procsim.core.engine import replay
    from procsim.io.process_reader import load_process

    if isinstance(scenario, str):
        scenario = open_scenario(scenario, folder)
    process = load_process(scenario.process)
    result = replay(engine_for(process), scenario)
    if not limits:
        return Replayed(process, result, ())
    from procsim.core.deadlines import limit_runs

    runs = limit_runs(
        process,
        result.steps,
        scenario.initial_facts,
        scenario.end.as_of,
        concluded=scenario.end.status == "concluded",
    )
    return Replayed(process, result, tuple(runs))


@frozen
class FileCheck:
    """What checking one scenario file found.

    ``todos`` are a scaffold's TODO markers left (line, where): such a file is
    *incomplete*, not checked further.
    """

    path: Path
    replayed: Replayed | None = None
    errors: tuple[ProcsimError, ...] = ()
    todos: tuple[tuple[int, str], ...] = ()

    @property
    def scenario_process(self) -> str | None:
        """The process the scenario follows, once replayed."""
        return self.replayed.process.id if self.replayed else None

    @property
    def incomplete(self) -> bool:
        return bool(self.todos)

    @property
    def valid(self) -> bool:
        return not self.errors and not self.todos and self.replayed is not None


def check_file(path: Path) -> FileCheck:
    """Every problem in one scenario file: its shape, then its replay. A file whose only
    problems are a scaffold's TODO markers left (and what they cause) is incomplete; any
    other error is reported first, as an error."""
    from procsim.io.scenario_reader import read_scenario

    todos = todo_markers_in(path)
    scenario, errors = read_scenario(path)
    real = [error for error in errors if "TODO" not in error.message]
    if real:
        return FileCheck(path, errors=tuple(real))
    if todos:
        return FileCheck(path, todos=tuple(todos))
    if errors or scenario is None:
        return FileCheck(path, errors=tuple(errors))
    try:
        return FileCheck(path, replay_scenario(scenario))
    except ProcsimError as error:
        return FileCheck(path, errors=(error.at(path=str(path)),))


def check_files(paths: Iterable[Path]) -> list[FileCheck]:
    """:func:`check_file` for each path, in order."""
    return [check_file(path) for path in paths]


def todo_markers_in(path: Path) -> list[tuple[int, str]]:
    """A scaffold's TODO markers left in ``path`` (line, where), or none.

    The file is parsed only if a value in it seems to start with TODO; a file that cannot be
    read or parsed has none here, and the ordinary check reports it.
    """
    from procsim.io.files import read_text

    try:
        text = read_text(path)
    except ProcsimError:
        return []
    if not _MAYBE_TODO.search(text):  # cheap: a value that starts with TODO, not a comment's TODO
        return []
    from procsim.analysis.scaffold import todo_markers
    from procsim.io.yaml_cache import load_yaml

    try:
        return todo_markers(load_yaml(path))
    except ProcsimError:
        return []
