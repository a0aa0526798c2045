"""The README's figures that the code can check: the route counts of the model today."""

from __future__ import annotations

import re
from pathlib import Path

from procsim.analysis.routes import RouteSpace
from procsim.core.model import Process

README = Path(__file__).resolve().parents[1] / "README.md"
_HEADER = (
    "| outcome | kind | routes, `--max-loops 0` | routes, `--max-loops 1` (default) | shortest (steps) |\n"
    "|---|---|--:|--:|--:|\n"
)


def route_table(process: Process) -> str:
    """The README's table of routes per outcome, as ``procsim paths --json`` counts them."""
    space = RouteSpace(process)
    none, one = space.report(max_loops=0), space.report(max_loops=1)
    without = {o.state.name: o.count for o in none.outcomes}
    rows = []
    for outcome in one.outcomes:
        kind = "terminal" if outcome.state.is_terminal else "unless challenged"
        route = outcome.shortest
        steps = "-" if route is None else str(len(route.moves))
        if route is not None and any(move.loop for move in route.moves):
            steps += " (1 loop step)"
        rows.append(
            f"| `{outcome.state.name}` | {kind} | {without.get(outcome.state.name, 0):,} | {outcome.count:,} | {steps} |"
        )
    total = f"| **all** | | **{none.total:,}** | **{one.total:,}** | |"
    return _HEADER + "\n".join([*rows, total]) + "\n"


def test_the_readme_route_table_is_the_model_today(process):
    text = README.read_text(encoding="utf-8")
    found = re.search(re.escape(_HEADER) + r"(?:\|.*\n)+", text)
    expected = route_table(process)
    assert found is not None, "the README has no route table; it should read:\n" + expected
    assert found.group(0) == expected, "the README's route table is stale; it should read:\n" + expected
