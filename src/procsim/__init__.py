"""procsim: a legal-process simulator for England & Wales police complaints.

The public API, in one place (the modules behind it are imported when a name is
first used, so that ``import procsim`` stays quick)::

    >>> import procsim
    >>> replayed = procsim.replay_scenario("oconnor")
    >>> replayed.replay.final_state
    'barred_list'

Names: :func:`load_process`, :func:`load_scenario`, :func:`open_scenario`,
:func:`replay_scenario` (a scenario with its time limits), :func:`replay`,
:func:`check_file`; :class:`Engine` and :class:`Case` to drive cases yourself;
:class:`Stepper` to step through a case and branch; :class:`ProcsimError`, the
one error type every problem in the input raises.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "Case",
    "Engine",
    "FileCheck",
    "PartialDate",
    "Process",
    "ProcsimError",
    "Replay",
    "Replayed",
    "Scenario",
    "Step",
    "Stepper",
    "check_file",
    "engine_for",
    "find_scenario",
    "load_process",
    "load_scenario",
    "open_scenario",
    "replay",
    "replay_scenario",
]

_HOME = {
    "Case": "procsim.core.engine",
    "Engine": "procsim.core.engine",
    "Replay": "procsim.core.engine",
    "Step": "procsim.core.engine",
    "replay": "procsim.core.engine",
    "Process": "procsim.core.model",
    "Scenario": "procsim.core.scenario",
    "ProcsimError": "procsim.core.errors",
    "Stepper": "procsim.core.stepper",
    "PartialDate": "procsim.core.dates",
    "find_scenario": "procsim.workspace",
    "load_process": "procsim.io.process_reader",
    "load_scenario": "procsim.io.scenario_reader",
    "FileCheck": "procsim.workspace",
    "Replayed": "procsim.workspace",
    "check_file": "procsim.workspace",
    "engine_for": "procsim.workspace",
    "open_scenario": "procsim.workspace",
    "replay_scenario": "procsim.workspace",
}

if TYPE_CHECKING:
    from procsim.core.dates import PartialDate
    from procsim.core.engine import Case, Engine, Replay, Step, replay
    from procsim.core.errors import ProcsimError
    from procsim.core.model import Process
    from procsim.core.scenario import Scenario
    from procsim.core.stepper import Stepper
    from procsim.io.process_reader import load_process
    from procsim.io.scenario_reader import load_scenario
    from procsim.workspace import (
        FileCheck,
        Replayed,
        check_file,
        engine_for,
        find_scenario,
        open_scenario,
        replay_scenario,
    )


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'procsim' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
