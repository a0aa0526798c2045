"""One self-contained HTML page per case (or for the bare process).

:mod:`.page` builds the page's data (the process as data, the replayed steps
with what the Python engine computed) and the map (the SVG path diagram from
:mod:`procsim.render.diagram`, with stable ids and classes), then inlines the
JavaScript and CSS kept in ``assets/``. :mod:`.site` writes the pages and an
index into ``diagrams/``, stamped like the diagrams.
"""

from __future__ import annotations

from procsim.render.html.page import Page, build_page, page_data, process_page, scenario_page

__all__ = ["Page", "build_page", "page_data", "process_page", "scenario_page"]
