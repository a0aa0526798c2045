"""Every route through a process: counts per outcome, the shortest, listings and witnesses.

The method is in :mod:`procsim.analysis.routes.space`; :data:`procsim.analysis.method.ROUTE_METHOD`
says it in words. Files by job: ``results`` (the data found), ``facts`` (facts as bit fields),
``loops`` (loop steps and side-event changes), ``graph`` (the node graph, counting, the one
breadth-first search), ``witness`` (concrete facts for a route), ``space`` (moves and the
analysis that ties them together).
"""

from procsim.analysis.routes.loops import default_fact_changes, loop_transitions
from procsim.analysis.routes.results import (
    FactChange,
    Move,
    Outcome,
    Route,
    RouteReport,
    Witness,
    WitnessStep,
)
from procsim.analysis.routes.space import RouteSpace, analyse

__all__ = [
    "FactChange",
    "Move",
    "Outcome",
    "Route",
    "RouteReport",
    "RouteSpace",
    "Witness",
    "WitnessStep",
    "analyse",
    "default_fact_changes",
    "loop_transitions",
]
