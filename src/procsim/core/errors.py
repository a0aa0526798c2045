"""procsim's errors: each names the file and the place in it, on one line."""

from __future__ import annotations

from collections.abc import Iterable

from procsim.core.text import one_line


class ProcsimError(Exception):
    """Base of every error procsim reports to a user.

    ``path`` and ``line`` locate the problem; ``str()`` gives the one-line
    ``path:line: message`` form the CLI prints. The message is made one line here, for
    every error: line breaks and control characters (from a file's text or name) are shown
    escaped, so no error can act on a terminal or pass for more than one line.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        message = one_line(str(message))
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def at(self, *, path: str | None = None, line: int | None = None) -> ProcsimError:
        """Fill in a location the raiser did not know; returns self."""
        if self.path is None and path is not None:
            self.path = path
        if self.line is None and line:
            self.line = line
        return self

    def __str__(self) -> str:
        place = ""
        if self.path:
            path = one_line(str(self.path))
            place = f"{path}:{self.line}: " if self.line else f"{path}: "
        elif self.line:
            place = f"line {self.line}: "
        return place + one_line(self.message)


class LoadError(ProcsimError):
    """A file could not be read or parsed as safe YAML."""


class SchemaError(ProcsimError):
    """A file parsed but does not have the shape the format requires."""


class EngineError(ProcsimError):
    """The process model does not allow what an event asks for."""


class UnknownName(EngineError):
    """A trigger, state, fact, actor or other name the model does not know."""


class ImpossibleEvent(EngineError):
    """The trigger exists but cannot fire from the case's current state."""


class GuardFailed(EngineError):
    """The transition exists but a guard on the case's facts does not hold."""


class ActorNotAllowed(EngineError):
    """The event's actor is not one the transition allows."""


class ScenarioMismatch(EngineError):
    """A scenario does not end where it says it ends."""


def suggest(name: str, candidates: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the nearest candidate, or ''."""
    from difflib import get_close_matches  # only when a name is wrong

    match = get_close_matches(str(name), list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""
