"""Diagrams of the process and of cases: model -> intermediate representation -> renderer.

:mod:`.extract` builds the representation (:mod:`.ir`, plain dataclasses);
:mod:`.dot`, :mod:`.mermaid` and :mod:`.timeline` render it; :mod:`.render`
draws DOT with the Graphviz bundled in pygraphviz and writes files atomically;
:mod:`.catalogue` lists every diagram kept in ``diagrams/`` and checks that
none is stale. Nothing here is imported by the model or the engine.
"""

from __future__ import annotations

from procsim.render.diagram.catalogue import Drawing, check, drawings, write_all
from procsim.render.diagram.extract import (
    compare_diagram,
    forum_diagram,
    forum_diagrams,
    overview_diagram,
    path_diagram,
    process_diagram,
    timeline_diagram,
)
from procsim.render.diagram.ir import CONTEXTS, Diagram, Edge, Node, Timeline, Way

FORMATS = ("svg", "png", "pdf", "dot", "mermaid")

__all__ = [
    "CONTEXTS",
    "FORMATS",
    "Diagram",
    "Drawing",
    "Edge",
    "Node",
    "Timeline",
    "Way",
    "check",
    "compare_diagram",
    "drawings",
    "forum_diagram",
    "forum_diagrams",
    "overview_diagram",
    "path_diagram",
    "process_diagram",
    "timeline_diagram",
    "write_all",
]
