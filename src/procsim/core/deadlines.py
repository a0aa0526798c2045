"""Time limits computed on a case's real dates.

Counting follows the rules the limits come from:

- **calendar days** are clear days (CPR 2.8(2)-(3)): the day of the starting
  event is not counted, so "within 28 days" of 1 March ends on 29 March;
- **months** are calendar months (CPR 2.10): three months after 5 October 2021
  is 5 January 2022, and a month after 31 January is the last day of February;
- **working days** exclude Saturdays, Sundays and the bank holidays of England
  and Wales (from the maintained ``holidays`` library, substitute days and
  one-off holidays included); counting starts on the day after the starting
  event unless the rule says it starts that day;
- for court time limits (``cpr``), a period of 5 days or less skips weekends
  and bank holidays (CPR 2.8(4)), and a period ending on a day the court
  office is closed ends on the next day it is open (CPR 2.8(5)).

A date known only to the month or year gives a range of due dates; a verdict
is given only when it holds for every day the dates may stand for. The case's
other dates narrow that range: events are in order, so an event cannot be
later than a later event's last possible day, nor earlier than an earlier
event's first.

A court may extend a court time limit (CPR 3.1(2)(a)); the ``court_extends_time``
side event records that it did (or held that no extension was needed), and a late
step it covers is then "time extended", not "late". A late court step that the
court went on to deal with, with no such record, is flagged: the sources do not
say whether time was extended.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from attrs import evolve, frozen

from procsim.core.dates import PartialDate
from procsim.core.effects import facts_along, facts_view
from procsim.core.engine import Step
from procsim.core.model import Process, TimeLimit

IN_TIME, LATE, UNDETERMINED = "in time", "late", "not determinable"
OPEN, NOT_USED, NO_LENGTH = "open", "not used", "no fixed length"
EXTENDED = "time extended"
#: the side event by which the court rules on a time limit, and the facts it sets
COURT_RULES_ON_TIME, EXTENDED_FOR, RULING = "court_extends_time", "time_extended_for", "time_ruling"
EXTENSION_POWER = "CPR 3.1(2)(a)"


@lru_cache(maxsize=1)
def _england_and_wales() -> Any:
    """The ``holidays`` calendar class for the United Kingdom, loaded alone.

    ``holidays.country_holidays`` imports every country's module (about 250, some 190 ms);
    this loads only the United Kingdom's, falling back to it if that module cannot be
    loaded on its own.
    """
    import importlib.util
    from pathlib import Path

    import holidays

    path = Path(holidays.__file__).parent / "countries" / "united_kingdom.py"
    try:
        spec = importlib.util.spec_from_file_location("holidays.countries.united_kingdom", path)
        if spec is None or spec.loader is None:
            raise ImportError(path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.UnitedKingdom
    except Exception:  # an unexpected layout of the library: its own way, slower
        return lambda **kwargs: holidays.country_holidays("GB", **kwargs)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(_england_and_wales()(subdiv="ENG", years=year))


def is_bank_holiday(day: dt.date) -> bool:
    """A bank holiday in England and Wales (including substitute days)."""
    return day in _bank_holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding date ``months`` calendar months later, or that month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_working_days(day: dt.date, count: int, *, include_start: bool = False) -> dt.date:
    """The ``count``-th working day after ``day`` (or from ``day`` if ``include_start``)."""
    if count < 1:
        raise ValueError("a period of working days must be at least 1")
    current = day
    counted = 1 if include_start and is_working_day(day) else 0
    while counted < count:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def next_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def due_date(limit: TimeLimit, start: dt.date) -> dt.date | None:
    """The last day for the step, for a clock started on ``start``; None without a length."""
    if limit.length is None:
        return None
    if limit.unit == "months":
        due = add_months(start, limit.length)
    elif limit.unit == "working_days" or (limit.cpr and limit.length <= 5):
        due = add_working_days(start, limit.length, include_start=limit.counting == "starts_same_day")
    else:
        due = start + dt.timedelta(days=limit.length)
    return next_working_day(due) if limit.cpr else due


def due_range(limit: TimeLimit, start: PartialDate) -> tuple[dt.date, dt.date] | None:
    """The earliest and latest due dates a coarse start date allows."""
    first = due_date(limit, start.earliest)
    if first is None:
        return None
    last = due_date(limit, start.latest)
    assert last is not None
    return first, last


def human(day: dt.date) -> str:
    return PartialDate.of(day).human()


def due_text(due: tuple[dt.date, dt.date] | None) -> str:
    if due is None:
        return "no fixed date"
    return human(due[0]) if due[0] == due[1] else f"between {human(due[0])} and {human(due[1])}"


@frozen
class LimitRun:
    """One time limit as it ran in a case.

    ``started`` is the step whose date started the clock; ``closed_by`` the step
    that took the limited action (``used``) or moved the case on without it.
    """

    trigger: str
    limit: TimeLimit
    started: Step
    due: tuple[dt.date, dt.date] | None
    verdict: str
    reason: str
    closed_by: Step | None = None
    used: bool = False
    #: the ``court_extends_time`` event that ruled on this limit, if any
    extended_by: Step | None = None
    #: for a late court step with no such ruling, the court's later step that dealt with it
    heard_by: Step | None = None

    @property
    def time_unknown(self) -> bool:
        """Late, but the court dealt with the step and the sources do not say whether it extended time."""
        return self.verdict == LATE and self.heard_by is not None

    def describe(self) -> str:
        """E.g. 'due 5 January 2022; not determinable: the source gives only a month for ...'."""
        if self.due is None and self.verdict == NO_LENGTH:
            return "no fixed length (the rule sets no number of days)"
        text = f"due {due_text(self.due)}" if self.due else "no fixed length"
        return f"{text}; {self.verdict}" + (f": {self.reason}" if self.reason else "")


Window = tuple[dt.date, dt.date]


def due_window(limit: TimeLimit, window: Window) -> tuple[dt.date, dt.date] | None:
    """The earliest and latest due dates for a clock started on some day in ``window``."""
    first = due_date(limit, window[0])
    if first is None:
        return None
    last = due_date(limit, window[1])
    assert last is not None
    return first, last


def known_windows(steps: Sequence[Step]) -> list[tuple[Window, str]]:
    """For each step, the days it can have happened on given every date of the case, and why.

    Events are in date order, so a step falls no earlier than the first possible day of
    any step before it and no later than the last possible day of any step after it. The
    text says which other event narrowed the step's own date ("" if none did).
    """
    lows: list[tuple[dt.date, Step]] = []
    for step in steps:
        own = (step.event.date.earliest, step)
        lows.append(own if not lows or own[0] >= lows[-1][0] else lows[-1])
    highs: list[tuple[dt.date, Step]] = []
    for step in reversed(steps):
        own = (step.event.date.latest, step)
        highs.append(own if not highs or own[0] <= highs[-1][0] else highs[-1])
    highs.reverse()
    result: list[tuple[Window, str]] = []
    for step, (low, before), (high, after) in zip(steps, lows, highs, strict=True):
        notes = []
        if low > step.event.date.earliest:
            notes.append(f"not before {human(low)} (the date of '{before.event.id}', earlier)")
        if high < step.event.date.latest:
            notes.append(f"not after {human(high)} (the date of '{after.event.id}', later)")
        text = f"'{step.event.id}' ({step.event.date.human()}) was " + " and ".join(notes) if notes else ""
        result.append(((low, high), text))
    return result


def _precision_reason(step: Step, role: str) -> str | None:
    if step.event.date.precision == "day":
        return None
    return (
        f"the sources give only the {step.event.date.precision} ({step.event.date.human()}) "
        f"for {role} ({step.event.id})"
    )


def _verdict_used(
    limit: TimeLimit, started: Step, done: Step, due: tuple[dt.date, dt.date] | None, action: Window
) -> tuple[str, str]:
    if due is None:
        return NO_LENGTH, "the rule sets no number of days"
    if action[1] <= due[0]:
        verdict = IN_TIME
    elif action[0] > due[1]:
        verdict = LATE
    else:
        reasons = [
            r for r in (_precision_reason(started, "the start"), _precision_reason(done, "the step")) if r
        ]
        return UNDETERMINED, "; ".join(reasons) or "the dates do not settle it"
    if limit.kind == "reporting_duty" and verdict == LATE:
        return "over the period", "the delay had to be explained under the rule"
    return verdict, ""


def _verdict_unused(
    due: tuple[dt.date, dt.date] | None, until: PartialDate, closed_by: Step | None, ended: bool = False
) -> tuple[str, str]:
    if ended:
        if due is not None and until.earliest > due[1]:
            return NOT_USED, f"expired on {human(due[1])}; the case has ended"
        return NOT_USED, f"the case ended ({until.human()}) without it"
    if closed_by is not None:
        moved = f"the case moved on by '{closed_by.event.name}' ({closed_by.event.date.human()})"
        if due is not None and closed_by.event.date.earliest > due[1]:
            return NOT_USED, f"expired on {human(due[1])}; {moved}"
        return NOT_USED, moved
    if due is None:
        return OPEN, f"still running at {until.human()}"
    if until.latest < due[0]:
        return OPEN, f"still running at {until.human()}"
    if until.earliest > due[1]:
        return NOT_USED, f"expired before {until.human()} with no recorded step"
    return OPEN, f"may still be running at {until.human()}"


def limit_runs(
    process: Process,
    steps: Sequence[Step],
    initial_facts: Mapping[str, Any],
    until: PartialDate | None = None,
    *,
    concluded: bool = False,
) -> list[LimitRun]:
    """Every time limit that ran in a sequence of steps, with its due date and verdict.

    A limit starts to run when the case enters a state with an outgoing step
    that has a time limit and whose guards hold. Its clock starts on the date
    of that entry, or of the latest entry into one of the limit's ``runs_from``
    states. It ends when the limited step happens, or when the case moves to a
    state where that step is no longer open. ``until`` (an ``as_of`` date)
    decides whether limits still open at the end have expired; in a ``concluded`` case
    they were not used. Each date is first narrowed by the case's other dates
    (:func:`known_windows`); a court's ruling on time (``court_extends_time``) then
    qualifies a late verdict (:func:`_court_rulings`).
    """
    windows = dict(zip((s.number for s in steps), known_windows(steps), strict=True))
    open_runs: dict[tuple[str, str, int], dict[str, Any]] = {}
    done: list[LimitRun] = []
    entries: list[Step] = []
    for step, facts in zip(
        steps, facts_along(process, initial_facts, (s.changes for s in steps)), strict=True
    ):
        if not step.moved:
            continue
        for key, run in list(open_runs.items()):
            if (
                step.event.trigger is not None
                and step.event.trigger in run["triggers"]
                and step.before in run["states"]
            ):
                verdict, reason = _verdict_used(
                    run["limit"], run["started"], step, run["due"], windows[step.number][0]
                )
                reason = _join(reason, run["note"], windows[step.number][1])
                done.append(
                    LimitRun(
                        step.event.trigger,
                        run["limit"],
                        run["started"],
                        run["due"],
                        verdict,
                        reason,
                        step,
                        True,
                    )
                )
                del open_runs[key]
        entries.append(step)
        view = facts_view(process, facts)
        still_open: set[tuple[str, str, int]] = set()
        for transition in process.transitions_from(step.after):
            limit = transition.time_limit
            if limit is None or any(not process.guards[g].condition.holds(view) for g in transition.guards):
                continue
            started = _anchor(entries, limit.runs_from) or step
            key = (limit.rule, limit.basis, started.number)
            still_open.add(key)
            run = open_runs.setdefault(
                key,
                {
                    "limit": limit,
                    "started": started,
                    "states": set(),
                    "triggers": [],
                    "due": due_window(limit, windows[started.number][0]),
                    "note": windows[started.number][1],
                },
            )
            run["states"].add(step.after)
            if transition.trigger not in run["triggers"]:
                run["triggers"].append(transition.trigger)
        for key in [k for k in open_runs if k not in still_open]:
            run = open_runs.pop(key)
            verdict, reason = _verdict_unused(run["due"], step.event.date, step)
            reason = _join(reason, run["note"])
            done.append(
                LimitRun(run["triggers"][0], run["limit"], run["started"], run["due"], verdict, reason, step)
            )
    last = until or (steps[-1].event.date if steps else PartialDate(1900))
    for run in open_runs.values():
        verdict, reason = _verdict_unused(run["due"], last, None, ended=concluded)
        reason = _join(reason, run["note"])
        done.append(LimitRun(run["triggers"][0], run["limit"], run["started"], run["due"], verdict, reason))
    done.sort(key=lambda r: (r.started.number, r.closed_by.number if r.closed_by else 10**9, r.trigger))
    return _court_rulings(process, steps, done)


def _join(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def _court_rulings(process: Process, steps: Sequence[Step], runs: list[LimitRun]) -> list[LimitRun]:
    """Apply each ``court_extends_time`` event to the latest run of the limit it names that
    started before it; mark late court steps that a court dealt with and no ruling covers.

    The court's actors are those of the side event: without it in the process, nothing changes.
    """
    side = process.side_events.get(COURT_RULES_ON_TIME)
    if side is None:
        return runs
    result = list(runs)
    for step in steps:
        if step.side_event is None or step.side_event.name != COURT_RULES_ON_TIME:
            continue
        facts = {name: new for name, _, new in step.changes}
        trigger = facts.get(EXTENDED_FOR)
        candidates = [
            i
            for i, run in enumerate(result)
            if run.trigger == trigger and run.limit.cpr and run.started.number < step.number
        ]
        if not candidates:
            continue
        index = max(candidates, key=lambda i: result[i].started.number)
        result[index] = _ruled(result[index], step, facts.get(RULING, "extended"))
    courts = set(side.actors)
    for i, run in enumerate(result):
        if run.verdict != LATE or not run.limit.cpr or run.closed_by is None:
            continue
        heard = next(
            (s for s in steps if s.number > run.closed_by.number and s.moved and s.event.actor in courts),
            None,
        )
        if heard is not None:
            by = f"'{heard.event.id}' ({heard.event.date.human()})"
            reason = (
                f"the court dealt with it afterwards ({by}); late unless the court extended time "
                f"({EXTENSION_POWER}): the sources do not say"
            )
            result[i] = evolve(run, heard_by=heard, reason=_join(run.reason, reason))
    return result


def _ruled(run: LimitRun, step: Step, ruling: str) -> LimitRun:
    by = f"'{step.event.id}' ({step.event.date.human()})"
    if ruling == "not_needed":
        return evolve(
            run,
            verdict=IN_TIME,
            extended_by=step,
            reason=_join(run.reason, f"the court held it in time ({by})"),
        )
    if run.verdict == LATE:
        text = f"late, but time extended by the court ({EXTENSION_POWER}; {by})"
    elif run.verdict == UNDETERMINED:
        text = f"perhaps late ({run.reason}), but time extended by the court ({EXTENSION_POWER}; {by})"
    else:
        return evolve(
            run, extended_by=step, reason=_join(run.reason, f"time was also extended by the court ({by})")
        )
    return evolve(run, verdict=EXTENDED, extended_by=step, reason=text)


def _anchor(entries: Iterable[Step], runs_from: tuple[str, ...]) -> Step | None:
    if not runs_from:
        return None
    for step in reversed(list(entries)):
        if step.after in runs_from:
            return step
    return None


def running_after(runs: Sequence[LimitRun], number: int) -> list[LimitRun]:
    """The limits running once step ``number`` has happened (for a stepper)."""
    return [
        run
        for run in runs
        if run.started.number <= number and (run.closed_by is None or run.closed_by.number > number)
    ]


def late_steps(runs: Iterable[LimitRun]) -> list[LimitRun]:
    return [run for run in runs if run.used and run.verdict == LATE]


__all__ = [
    "LimitRun",
    "add_months",
    "add_working_days",
    "due_date",
    "due_range",
    "due_window",
    "is_bank_holiday",
    "is_working_day",
    "known_windows",
    "late_steps",
    "limit_runs",
    "running_after",
]
