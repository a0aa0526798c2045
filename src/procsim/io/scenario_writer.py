"""The one scenario writer: a scenario as YAML text that ``procsim check`` reads back.

Callers build the document as plain data (dicts, lists, strings, booleans, dates
as ISO strings) in the order the keys should appear; :func:`scenario_text` lays
it out the way hand-written scenarios are (blank lines between sections, one
event after another, optional comments above events). Strings are written plain
when they are simple names, and double-quoted otherwise (JSON's escapes are
YAML's), so no value can change meaning when read back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from procsim.core.dates import PartialDate
from procsim.core.scenario import Event
from procsim.core.stepper import Branch

WHAT_IF_SOURCE = "what-if"
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def scalar(value: Any) -> str:
    """One YAML scalar for ``value``: booleans and simple names plain, the rest quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, PartialDate):
        value = value.iso()
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def scenario_text(
    doc: Mapping[str, Any],
    *,
    header: Sequence[str] = (),
    event_comments: Sequence[Sequence[str]] = (),
) -> str:
    """The scenario ``doc`` as YAML, with ``header`` comment lines and comments above each event."""
    lines = [f"# {line}" if line else "#" for line in header]
    for key, value in doc.items():
        if isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
            lines.append("")
            lines.append(f"{key}:")
            for index, item in enumerate(value):
                if key == "events" and index < len(event_comments):
                    lines += [f"  # {comment}" for comment in event_comments[index]]
                lines += _item(item, "  ")
        elif isinstance(value, Mapping):
            if key == "end":
                lines.append("")
            lines.append(f"{key}:")
            lines += _mapping(value, "  ")
        else:
            lines.append(f"{key}: {_inline(value)}")
    return "\n".join(lines) + "\n"


def _inline(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(scalar(item) for item in value) + "]"
    return scalar(value)


def _mapping(data: Mapping[str, Any], indent: str) -> list[str]:
    lines = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            lines.append(f"{indent}{key}:")
            lines += _mapping(value, indent + "  ")
        elif isinstance(value, (list, tuple)) and any(
            isinstance(item, str) and len(item) > 60 for item in value
        ):
            lines.append(f"{indent}{key}:")
            lines += [f"{indent}  - {scalar(item)}" for item in value]
        else:
            lines.append(f"{indent}{key}: {_inline(value)}")
    return lines


def _item(data: Mapping[str, Any], indent: str) -> list[str]:
    lines = _mapping(data, indent + "  ")
    if lines:
        lines[0] = indent + "- " + lines[0][len(indent) + 2 :]
    return lines


# ---------------------------------------------------------------------- a stepper's branch
def branch_yaml(branch: Branch, name: str, summary: str | None = None) -> str:
    """YAML for a stepper's branch: it extends the scenario at the branch point, or stands alone."""
    process, chosen, base, point = branch.process, branch.events, branch.base, branch.point
    route = ", then ".join(process.triggers[e.trigger or ""].label for e in chosen if e.trigger)
    first = route.split(", then ")[0]
    data: dict[str, Any] = {"process": process.id}
    if base is not None and point is not None:
        data["extends"] = base.id
        data["diverges_after"] = point.id
        data["title"] = f"{base.title} - what if: {first}"
        text = (
            f"Hypothetical, explored in the procsim stepper. It follows '{base.id}' to "
            f"'{point.id}' ({point.date.human()}); then {route}; it ends in '{branch.final.label}'."
        )
    else:
        data["title"] = f"What if: {first}"
        text = (
            "Hypothetical, explored in the procsim stepper from the start of the process: "
            f"{route}; it ends in '{branch.final.label}'."
        )
    data["kind"] = "hypothetical"
    data["summary"] = summary or text
    data["sources"] = [
        {
            "id": WHAT_IF_SOURCE,
            "publisher": "procsim",
            "model": process.id,
            "title": "Hypothetical steps chosen in the stepper; each rests on the legal basis "
            f"the {process.id} model gives for it",
            "date": chosen[0].date.iso(),
        }
    ]
    if branch.initial_facts:
        data["initial_facts"] = {k: _plain(v) for k, v in branch.initial_facts.items()}
    data["events"] = [_event(event) for event in chosen]
    final = branch.final
    data["end"] = (
        {"state": final.name, "status": "concluded"}
        if final.can_end
        else {"state": final.name, "status": "pending", "as_of": chosen[-1].date.iso()}
    )
    of = f" of {base.id}" if base is not None else ""
    return scenario_text(data, header=[f"Saved from `procsim step` as '{name}': a hypothetical branch{of}."])


def _event(event: Event) -> dict[str, Any]:
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
