"""Colours, fonts and sizes shared by the renderers, so every format looks alike.

Colours are chosen to stay distinct for colour-blind readers (the Okabe-Ito
palette for branches) and to survive a projector (dark text on pale fills).
"""

from __future__ import annotations

FONT = "Helvetica,Arial,sans-serif"

TEXT = "#1a1a1a"
LINE = "#4d4d4d"
MUTED = "#6b6b6b"

# a state's fill and border by its status
STATUS = {
    "ongoing": {"fill": "#ffffff", "border": "#4d4d4d", "text": TEXT},
    "provisional": {"fill": "#fff1c1", "border": "#9a6b00", "text": TEXT},
    "terminal": {"fill": "#37474f", "border": "#263238", "text": "#ffffff"},
}
# pale fills for the forums, in the process's order
FORUM_FILLS = ["#eaf2fb", "#fdf0e6", "#f1ebf7", "#e8f5ec", "#e6f4f4", "#fbeaea", "#f0f0f0", "#f7f7e6"]
FORUM_BORDERS = ["#6f9fd8", "#e0a46f", "#a98fcf", "#72b58a", "#6bb3b3", "#d98b8b", "#a0a0a0", "#b5b56b"]

GUARD = "#a0410d"  # guard labels
BACK = "#6a3d9a"  # arrows back to an earlier forum
MEMBER = "#9e9e9e"  # lines into a junction

FAINT_LINE = "#d5d5d5"
FAINT_TEXT = "#b0b0b0"
FAINT_FILL = "#fbfbfb"
WAY_TEXT = "#8c8c8c"  # ways not taken: faint, yet legible on a projector

PATH = "#0057b8"  # a single case's path
PATH_TEXT = "#0b3d91"
SHARED = "#222222"  # the shared part of a comparison
BRANCHES = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"]
DIVERGENCE = "#c00000"
CONCLUDED = "#1b7837"
PENDING = "#b35806"
NOTE_FILL = "#fffbe6"
NOTE_BORDER = "#c9b458"


def forum_fill(index: int, faint: bool = False) -> str:
    return FAINT_FILL if faint else FORUM_FILLS[index % len(FORUM_FILLS)]


def forum_border(index: int, faint: bool = False) -> str:
    return "#e6e6e6" if faint else FORUM_BORDERS[index % len(FORUM_BORDERS)]


def branch_colour(branch: int) -> str:
    return SHARED if branch < 0 else BRANCHES[branch % len(BRANCHES)]
