"""Write a stepper's explored branch as a scenario file that ``procsim check`` accepts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from procsim.core.dates import PartialDate

if TYPE_CHECKING:
    from procsim.core.stepper import Stepper

WHAT_IF_SOURCE = "what-if"


def branch_yaml(stepper: Stepper, name: str, summary: str | None = None) -> str:
    """YAML for the branch: it extends the scenario at the branch point, or stands alone."""
    process = stepper.process
    chosen = stepper.branch_events()
    if not chosen:
        raise ValueError("nothing to save: choose a step the case did not take first (what-if)")
    base = stepper.scenario
    final = process.states[stepper.state_at(len(stepper.events))]
    route = ", then ".join(process.triggers[e.trigger or ""].label for e in chosen if e.trigger)
    data: dict[str, Any] = {"process": process.id}
    extends = base is not None and (stepper.branch_at or 0) > 0
    if extends:
        assert base is not None
        point = stepper.events[(stepper.branch_at or 0) - 1]
        data["extends"] = base.id
        data["diverges_after"] = point.id
        data["title"] = f"{base.title} - what if: {route.split(', then ')[0]}"
        text = (
            f"Hypothetical, explored in the procsim stepper. It follows '{base.id}' to "
            f"'{point.id}' ({point.date.human()}); then {route}; it ends in "
            f"'{final.label}'."
        )
    else:
        data["title"] = f"What if: {route.split(', then ')[0]}"
        text = f"Hypothetical, explored in the procsim stepper from the start of the process: {route}; it ends in '{final.label}'."
    data["kind"] = "hypothetical"
    data["summary"] = summary or text
    data["sources"] = [
        {
            "id": WHAT_IF_SOURCE,
            "publisher": "procsim",
            "model": process.id,
            "title": f"Hypothetical steps chosen in the stepper; each rests on the legal basis the {process.id} model gives for it",
            "date": (chosen[0].date if chosen else PartialDate(2000)).iso(),
        }
    ]
    if not extends and stepper.scenario is not None and stepper.scenario.initial_facts:
        data["initial_facts"] = {k: _plain(v) for k, v in stepper.scenario.initial_facts.items()}
    data["events"] = [_event(event) for event in chosen]
    last = chosen[-1].date
    data["end"] = (
        {"state": final.name, "status": "concluded"}
        if final.can_end
        else {"state": final.name, "status": "pending", "as_of": last.iso()}
    )
    header = (
        f"# Saved from `procsim step`: a hypothetical branch{' of ' + base.id if extends and base else ''}.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _event(event) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": event.id,
        "date": event.date.iso(),
        "trigger": event.trigger,
        "actor": event.actor,
        "summary": event.summary,
        "sources": [WHAT_IF_SOURCE],
    }
    if event.facts:
        item["facts"] = {k: _plain(v) for k, v in event.facts.items()}
    if event.notes:
        item["notes"] = list(event.notes)
    return item


def _plain(value: Any) -> Any:
    return value if isinstance(value, (bool, int, str)) or value is None else str(value)
