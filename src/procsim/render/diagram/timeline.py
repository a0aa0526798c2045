"""Draw a :class:`~procsim.render.diagram.ir.Timeline` with matplotlib: a case on a dated axis.

Why matplotlib and not Graphviz: a timeline needs a true time scale (a day is a
day wherever it falls), date ticks, bars whose length is a duration and an axis
that can be broken across a nine-year gap. Graphviz places boxes by rank, not
by date; matplotlib does all of this directly.

matplotlib is imported only here, and this module only when a timeline is
drawn. Output is deterministic: a fixed SVG hash salt, no dates or versions in
the file's metadata, and glyphs drawn as paths from matplotlib's own font. Text
from scenario files is never parsed as mathtext.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import textwrap
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from procsim.render.diagram import style
from procsim.render.diagram.ir import Stage, Timeline

Align = Literal["left", "center", "right"]

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox, BboxBase

FORMATS = ("svg", "png", "pdf")
PNG_DPI = 110
WIDTH = 17.0  # inches

RC = {
    "svg.hashsalt": "procsim",
    "svg.fonttype": "path",  # glyphs as paths: looks the same in every browser, with or without DejaVu Sans
    "text.parse_math": False,
    "text.usetex": False,
    "font.family": "DejaVu Sans",
    "font.size": 12,
    "axes.edgecolor": style.MUTED,
    "axes.linewidth": 0.8,
    "xtick.color": style.TEXT,
    "ytick.color": style.TEXT,
    "path.simplify": False,
}


def render_timeline(timeline: Timeline, fmt: str) -> bytes:
    """The timeline as SVG, PNG or PDF bytes."""
    import matplotlib

    # the stub wants a dict keyed by a Literal of rc names; RC's keys are all valid ones
    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        figure = draw(timeline)
        buffer = io.BytesIO()
        metadata = {
            "svg": {"Date": None, "Creator": "procsim"},
            "png": {"Software": None},
            "pdf": {"CreationDate": None, "ModDate": None, "Creator": "procsim", "Producer": None},
        }[fmt]
        figure.savefig(buffer, format=fmt, dpi=PNG_DPI, metadata=metadata, facecolor="white")
    return buffer.getvalue()


def draw(timeline: Timeline) -> Figure:
    """The timeline as a matplotlib figure, every label placed clear of the others."""
    import logging

    logging.getLogger("matplotlib").setLevel(logging.ERROR)  # no font-cache chatter
    import matplotlib

    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        return _draw(timeline)


# ---------------------------------------------------------------------- drawing
INCH_CHART_ROW = 0.62  # height of one lane
KEY_LINE = 0.235  # height of one line of the key, inches
DEPARTURE_ROW = 0.3  # room above the chart to say where a hypothetical leaves its base, inches
LABEL_PAD = 2.5  # points kept clear around each label on the chart
NUMBER_GAP = 11  # points: step numbers closer than this share one label
SENTENCE_GAP = 12  # points between two labels that could otherwise read as one phrase


def _num(date: dt.date) -> float:
    from matplotlib.dates import date2num

    return float(date2num(date))


def _draw(timeline: Timeline) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lanes = list(timeline.lanes)
    side = [e for e in timeline.events if not e.moved]
    rows = len(lanes) + (1 if side else 0)
    steps_lines = (len(timeline.events) + 2) // 3
    stage_lines = (sum(len(_stage_line(s)) for s in timeline.stages if not s.before_process) + 1) // 2 + 1
    # inches, top to bottom: title (and where a hypothetical leaves its base), chart (lanes,
    # ruler, axis), break note, legend, key, stages
    chart = INCH_CHART_ROW * rows + 1.1
    heights = [
        1.05 + (DEPARTURE_ROW if timeline.departure else 0),
        chart,
        0.55 if timeline.breaks else 0.1,
        0.75,
        KEY_LINE * steps_lines + 0.45,
        KEY_LINE * stage_lines + 0.35,
    ]
    height = sum(heights)
    figure = Figure(figsize=(WIDTH, height), dpi=PNG_DPI)
    FigureCanvasAgg(figure)

    def y_at(inches: float) -> float:  # figure fraction for a distance from the top
        return 1 - inches / height

    top = y_at(heights[0])
    bottom = y_at(heights[0] + chart - 0.45)
    spans = _spans(timeline)
    widths: list[float] = [max((b - a).days, 1) for a, b in spans]
    if len(spans) > 1:  # a broken axis: a short stretch before a break still gets room to read
        total = sum(widths)
        widths = [max(w / total, 0.1) for w in widths]
    grid = figure.add_gridspec(
        1, len(spans), width_ratios=widths, left=0.13, right=0.985, top=top, bottom=bottom, wspace=0.05
    )
    axes = [figure.add_subplot(grid[0, i]) for i in range(len(spans))]
    y_of = {forum: rows - 1 - index for index, (forum, _, _) in enumerate(lanes)}
    lane_index = {forum: index for forum, _, index in lanes}
    side_y = 0 if side else None
    placer = _Placer(figure)
    bars: list[tuple[Any, float, float, float, str]] = []  # (axis, start, end, lane, duration)
    marks: list[tuple[Any, float, float, int]] = []  # (axis, x, lane, step number)
    for ax, (start, end) in zip(axes, spans, strict=False):
        pad = max((end - start).days * 0.025, 10)
        ax.set_xlim(_num(start) - pad, _num(end) + pad)
        ax.set_ylim(-1.3, rows - 0.3)
        _style_axis(ax, start, end)
        for forum, row_y in y_of.items():
            ax.axhspan(row_y - 0.44, row_y + 0.44, color=style.forum_fill(lane_index[forum]), zorder=0, lw=0)
        if side_y is not None:
            ax.axhspan(side_y - 0.44, side_y + 0.44, color="#f6f6f6", zorder=0, lw=0)
        for stage in timeline.stages:
            bar = _stage(ax, stage, y_of, start, end)
            if bar is not None:
                bars.append((ax, *bar))
        marks += [(ax, x, y, number) for x, y, number in _events(ax, timeline, y_of, side_y, start, end)]
    # every marker is drawn: now the labels, most needed first, each where it overlaps nothing
    for ax, x, y, _ in marks:
        placer.take(placer.marker_box(ax, x, y))
    for ax in axes:
        _step_labels(ax, [(x, y, n) for a, x, y, n in marks if a is ax], placer)
    _final_note(axes, spans, timeline, y_of, placer)
    if timeline.departure is not None:
        _departure(figure, axes, spans, timeline, placer)
    for ax, a, b, y, duration in bars:
        _duration(ax, a, b, y, duration, placer)
    for ax, (start, end) in zip(axes, spans, strict=False):
        _gaps(ax, timeline, start, end, placer)
    labels = [_wrap(label, 16) for _, label, _ in lanes] + (["Side events"] if side else [])
    axes[0].set_yticks([y_of[f] for f, _, _ in lanes] + ([side_y] if side_y is not None else []))
    axes[0].set_yticklabels(labels, fontsize=12.5)
    axes[0].text(
        -0.01,
        -1.0,
        "time between\nday-dated steps",
        transform=axes[0].get_yaxis_transform(),
        ha="right",
        va="center",
        fontsize=10,
        color=style.MUTED,
    )
    for ax in axes[1:]:
        ax.set_yticks([])
    _break_marks(axes)
    figure.text(0.012, y_at(0.3), timeline.title, fontsize=19, fontweight="bold", color=style.TEXT, va="top")
    figure.text(0.012, y_at(0.72), "Timeline. " + timeline.subtitle, fontsize=13, color=style.MUTED, va="top")
    y = heights[0] + chart
    if timeline.breaks:
        _break_note(figure, axes, timeline, y_at(y + 0.12))  # under the two-line date ticks
    y += heights[2]
    _legend(figure, y_at(y))
    y += heights[3]
    _key(figure, timeline, y_at(y), per_column=steps_lines)
    y += heights[4]
    _stages_table(figure, timeline, y_at(y))
    return figure


class _Placer:
    """Puts labels one at a time where they overlap nothing placed before them.

    Each candidate position is measured with the renderer (the text's real box,
    not a guess from its length), so labels never print over each other.
    """

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self.renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        self.pad = LABEL_PAD * figure.dpi / 72  # pixels kept clear around each label
        self.taken: list[BboxBase] = []

    def take(self, box: BboxBase) -> None:
        self.taken.append(box)

    def marker_box(self, ax, x: float, y: float) -> Bbox:
        from matplotlib.transforms import Bbox

        px, py = ax.transData.transform((x, y))
        r = 5 * self.figure.dpi / 72
        return Bbox.from_extents(px - r, py - r, px + r, py + r)

    def width(self, text: str, **font) -> float:
        """How wide a text is, in pixels."""
        from matplotlib.font_manager import FontProperties

        width, _, _ = self.renderer.get_text_width_height_descent(text, FontProperties(**font), ismath=False)
        return float(width)

    def clear(self, box: BboxBase, within: BboxBase | None = None, xpad: float | None = None) -> bool:
        """Whether ``box`` keeps clear of every box taken (by ``xpad`` pixels side by side)."""
        if within is not None and (box.x0 < within.x0 or box.x1 > within.x1):
            return False
        pad = self.pad
        xpad = pad if xpad is None else xpad
        return not any(
            box.x0 < t.x1 + xpad and t.x0 < box.x1 + xpad and box.y0 < t.y1 + pad and t.y0 < box.y1 + pad
            for t in self.taken
        )

    def place(
        self,
        text: Text,
        candidates: Iterable[tuple[float, float, Align]],
        within: BboxBase | None = None,
        required: bool = False,
        xpad: float | None = None,
    ) -> bool:
        """Move ``text`` to the first free candidate (x, y, horizontal alignment), clear of
        everything placed before it (by ``xpad`` pixels side by side).

        With none free, a required label stays at the first and any other is removed.
        """
        from matplotlib.patheffects import withStroke

        # a white halo: a line crossing the label (where a hypothetical leaves its base) stays behind it
        text.set_path_effects([withStroke(linewidth=3, foreground="white")])
        first = None
        for x, y, ha in candidates:
            text.set_position((x, y))
            text.set_horizontalalignment(ha)
            first = first or (x, y, ha)
            box = text.get_window_extent(self.renderer)
            if self.clear(box, within, xpad):
                self.take(box)
                return True
        if required and first is not None:
            text.set_position(first[:2])
            text.set_horizontalalignment(first[2])
            self.take(text.get_window_extent(self.renderer))
            return True
        text.remove()
        return False


def _spans(timeline: Timeline) -> list[tuple[dt.date, dt.date]]:
    spans = []
    start = timeline.start
    for before, after in timeline.breaks:
        spans.append((start, before))
        start = after
    spans.append((start, timeline.end))
    return spans


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def _style_axis(ax, start: dt.date, end: dt.date) -> None:
    from matplotlib.dates import AutoDateLocator, DateFormatter, MonthLocator, YearLocator

    days = (end - start).days
    if days > 3 * 365:
        ax.xaxis.set_major_locator(YearLocator())
        ax.xaxis.set_major_formatter(DateFormatter("%Y"))
        ax.xaxis.set_minor_locator(MonthLocator(bymonth=(4, 7, 10)))
    elif days > 120:
        ax.xaxis.set_major_locator(MonthLocator(bymonth=(1, 4, 7, 10)))
        ax.xaxis.set_major_formatter(DateFormatter("%b %Y"))
    else:  # a short stretch, e.g. before a break: one or two labelled ticks
        ax.xaxis.set_major_locator(AutoDateLocator(minticks=1, maxticks=3))
        ax.xaxis.set_major_formatter(DateFormatter("%b %Y" if days > 40 else "%-d %b\n%Y"))
    ax.tick_params(axis="x", labelsize=12.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", which="major", color="#dcdcdc", lw=0.9, zorder=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def _clip(stage: Stage, start: dt.date, end: dt.date) -> tuple[float, float] | None:
    a, b = max(stage.start, start), min(stage.end, end)
    if b < a or (b == a and stage.start != stage.end):
        return None
    return _num(a), _num(b)


def _stage(
    ax, stage: Stage, y_of: Mapping[str, float], start: dt.date, end: dt.date
) -> tuple[float, float, float, str] | None:
    """Draw a stage's bar; return (start, end, lane, duration) when its duration is to be labelled."""
    span = _clip(stage, start, end)
    if span is None or stage.forum not in y_of:
        return None
    y = y_of[stage.forum]
    a, b = span
    width = max(b - a, 1.5)
    colour = style.forum_border(stage.index)
    if stage.before_process:
        ax.barh(
            y, width, left=a, height=0.26, color="#eeeeee", edgecolor="#9e9e9e", hatch="///", lw=0.8, zorder=2
        )
    elif stage.waiting:
        ax.barh(y, width, left=a, height=0.26, color="white", edgecolor=colour, hatch="...", lw=1.0, zorder=2)
    else:
        ax.barh(y, width, left=a, height=0.36, color=colour, edgecolor=style.TEXT, lw=0.6, zorder=2)
    if stage.open_ended:
        ax.annotate("", xy=(b + 10, y), xytext=(b, y), arrowprops={"arrowstyle": "-|>", "color": style.TEXT})
    if stage.before_process or stage.waiting or not stage.duration:
        return None
    limits = ax.get_xlim()
    if (b - a) / (limits[1] - limits[0]) <= 0.1:  # too short to label: the table below has it
        return None
    return a, b, y, _short(stage.duration)


def _duration(ax, a: float, b: float, y: float, text: str, placer: _Placer) -> None:
    """A bar's duration under it: centred, or slid along the bar to clear other labels.

    At least a third of the text stays under its bar; where it cannot, it is left
    out (the table under the chart gives every stage's duration).
    """
    label = ax.text(
        (a + b) / 2, y - 0.22, text, va="top", fontsize=10.5, color=style.TEXT, zorder=5, fontstyle="italic"
    )
    per_pixel = (ax.get_xlim()[1] - ax.get_xlim()[0]) / ax.bbox.width
    half = placer.width(text, size=10.5, style="italic") * per_pixel / 2
    low, high = a - half / 3, b + half / 3  # where its centre may go
    centre = (a + b) / 2
    step = (high - low) / 40
    offsets = sorted({round(k * step, 9) for k in range(-40, 41)}, key=lambda o: (abs(o), o))
    candidates: list[tuple[float, float, Align]] = [
        (centre + o, y - 0.22, "center") for o in offsets if low <= centre + o <= high
    ]
    placer.place(label, candidates, within=ax.bbox, xpad=SENTENCE_GAP * placer.figure.dpi / 72)


def _short(duration: str) -> str:
    return duration.split(", ")[-1] if ", about" in duration else duration


def _events(
    ax, timeline: Timeline, y_of, side_y, start: dt.date, end: dt.date
) -> list[tuple[float, float, int]]:
    """Draw each step's marker; return (x, lane, number) for each, to be labelled."""
    marks = []
    for event in timeline.events:
        if not (start <= event.when <= end):
            continue
        y = y_of.get(event.forum) if event.moved else side_y
        if y is None:
            continue
        x = _num(event.when)
        ax.plot(
            [x],
            [y],
            marker="o" if event.moved else "D",
            ms=8.5 if event.moved else 7,
            zorder=6,
            mfc=(style.TEXT if event.precise else "white"),
            mec=style.TEXT,
            mew=1.4,
        )
        marks.append((x, y, event.number))
    return marks


NUMBER_FONT = {"size": 11, "weight": "bold"}


def _step_labels(ax, marks: list[tuple[float, float, int]], placer: _Placer) -> None:
    """Number each marker; markers whose numbers would touch share one label ('3–6', '10, 12–13')."""
    per_pixel = (ax.get_xlim()[1] - ax.get_xlim()[0]) / ax.bbox.width
    gap = NUMBER_GAP * placer.figure.dpi / 72 * per_pixel
    for lane in sorted({y for _, y, _ in marks}):
        groups: list[tuple[float, float, list[int]]] = []  # (first x, last x, numbers)

        def edges(group: tuple[float, float, list[int]]) -> tuple[float, float]:
            first, last, numbers = group
            half = placer.width(_numbers(numbers), **NUMBER_FONT) * per_pixel / 2
            return (first + last) / 2 - half, (first + last) / 2 + half

        for x, y, number in marks:
            if y != lane:
                continue
            groups.append((x, x, [number]))
            while len(groups) > 1 and edges(groups[-1])[0] - edges(groups[-2])[1] < gap:
                (first, _, before), (_, last, after) = groups[-2], groups[-1]
                groups[-2:] = [(first, last, before + after)]
        for first, last, numbers in groups:
            text = ax.text(
                0,
                0,
                _numbers(numbers),
                va="bottom",
                color=style.TEXT,
                zorder=7,
                fontsize=11,
                fontweight="bold",
            )
            placer.place(text, [((first + last) / 2, lane + 0.2, "center")], required=True)


def _numbers(numbers: list[int]) -> str:
    """'3', '12–13', '16, 18' or '10, 12–13': runs joined by a dash, runs separated by commas."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}\u2013{r[-1]}" for r in runs)


def _final_note(axes, spans, timeline: Timeline, y_of, placer: _Placer) -> None:
    """'ends: concluded ■' beside the last step, under its lane, clear of other labels."""
    final = timeline.events[-1] if timeline.events else None
    if final is None or not final.moved or final.forum not in y_of:
        return
    for ax, (start, end) in zip(axes, spans, strict=False):
        if not start <= final.when <= end:
            continue
        pending = "pending" in timeline.final_note
        x, y = _num(final.when), y_of[final.forum]
        text = ax.text(
            x,
            y - 0.2,
            f"ends: {timeline.final_note} \u25a0",
            va="top",
            fontsize=11,
            fontweight="bold",
            zorder=7,
            color=style.PENDING if pending else style.CONCLUDED,
        )
        nudge = 4 * (ax.get_xlim()[1] - ax.get_xlim()[0]) / ax.bbox.width  # a few pixels
        candidates: list[tuple[float, float, Align]] = [
            (x + nudge, y - 0.2, "right"),
            (x - nudge, y - 0.2, "left"),
        ]
        candidates += [(x - nudge * k, y - 0.2, "right") for k in range(2, 200, 2)]
        placer.place(text, candidates, within=ax.bbox, required=True)


def _departure(figure: Figure, axes, spans, timeline: Timeline, placer: _Placer) -> None:
    """A hypothetical's departure from the case it extends: a line after the last shared step,
    labelled above the chart."""
    departure = timeline.departure
    assert departure is not None
    for ax, (start, end) in zip(axes, spans, strict=False):
        if not start <= departure.when <= end:
            continue
        x = _num(departure.when)
        ax.axvline(x, color=style.DIVERGENCE, lw=1.6, ls=(0, (5, 3)), zorder=4)
        text = ax.text(
            x,
            1.0,
            departure.text(),
            transform=ax.get_xaxis_transform(),
            va="bottom",
            fontsize=12,
            fontweight="bold",
            color=style.DIVERGENCE,
            clip_on=False,
            zorder=8,
        )
        text.set_y(1.0 + 0.06 / ax.get_position().height / figure.get_figheight())
        nudge = 5 * (ax.get_xlim()[1] - ax.get_xlim()[0]) / ax.bbox.width
        y = text.get_position()[1]
        placer.place(
            text, [(x - nudge, y, "right"), (x + nudge, y, "left")], within=figure.bbox, required=True
        )
        ax.plot(
            [x],
            [1.0],
            marker="v",
            ms=9,
            color=style.DIVERGENCE,
            transform=ax.get_xaxis_transform(),
            clip_on=False,
            zorder=8,
        )
        return


def _gaps(ax, timeline: Timeline, start: dt.date, end: dt.date, placer: _Placer) -> None:
    """A ruler under the lanes: the exact time between day-dated steps, where it fits."""
    limits = ax.get_xlim()
    full = limits[1] - limits[0]
    y = -1.0
    for gap in timeline.gaps:
        if gap.start < start or gap.end > end:
            continue
        a, b = _num(gap.start), _num(gap.end)
        if (b - a) / full < 0.04:
            continue
        ax.annotate(
            "",
            xy=(a, y),
            xytext=(b, y),
            arrowprops={"arrowstyle": "|-|,widthA=0.3,widthB=0.3", "color": style.MUTED, "lw": 1.1},
        )
        days = f"{gap.days:,} day{'s' if gap.days != 1 else ''}"
        per_pixel = full / ax.bbox.width
        # with its step numbers where they fit between the ruler's ends, else the days alone
        for label in (f"{days} ({gap.from_step}\u2192{gap.to_step})", days):
            if label != days and placer.width(label, size=10.5) * per_pixel > b - a:
                continue
            text = ax.text(0, 0, label, va="bottom", fontsize=10.5, color=style.TEXT, zorder=5)
            xpad = SENTENCE_GAP * placer.figure.dpi / 72
            if placer.place(text, [((a + b) / 2, y + 0.07, "center")], within=ax.bbox, xpad=xpad):
                break


def _break_marks(axes) -> None:
    for left, right in itertools.pairwise(axes):
        for ax, x in ((left, 1), (right, 0)):
            d = 0.012 if ax is right else 0.05
            ax.plot(
                [x - d, x + d],
                [-0.02, 0.02],
                transform=ax.transAxes,
                color=style.TEXT,
                lw=1.3,
                clip_on=False,
                zorder=11,
            )


def _break_note(figure, axes, timeline: Timeline, y: float) -> None:
    """Under each break: how long it is, from which step to which."""
    for (left, right), (before, after) in zip(itertools.pairwise(axes), timeline.breaks, strict=False):
        gap = next((g for g in timeline.gaps if g.start <= before and g.end >= after), None)
        x = (left.get_position().x1 + right.get_position().x0) / 2
        if gap:
            text = (
                f"axis broken: {gap.text} from step {gap.from_step} ({gap.from_label}) "
                f"to step {gap.to_step} ({gap.to_label})"
            )
        else:
            text = f"axis broken: {(after - before).days:,} days with nothing recorded"
        figure.text(
            x, y, "\u2b11 " + text, fontsize=12, color=style.TEXT, ha="left", va="top", fontweight="bold"
        )


def _legend(figure, y: float) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=style.forum_border(0), edgecolor=style.TEXT, label="time in a forum"),
        Patch(
            facecolor="white",
            edgecolor=style.forum_border(1),
            hatch="...",
            label="a decision standing until challenged",
        ),
        Patch(facecolor="#eeeeee", edgecolor="#9e9e9e", hatch="///", label="before anything moved the case"),
        Line2D(
            [], [], marker="o", ls="", mfc=style.TEXT, mec=style.TEXT, ms=8, label="a step dated to the day"
        ),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            mfc="white",
            mec=style.TEXT,
            ms=8,
            label="dated only to the month or year: spread out within what the dates allow",
        ),
        Line2D([], [], marker="D", ls="", mfc=style.TEXT, mec=style.TEXT, ms=7, label="a side event"),
    ]
    figure.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.012, y),
        ncol=3,
        frameon=False,
        fontsize=11.5,
        handlelength=2.0,
        columnspacing=2.0,
    )


def _key(figure, timeline: Timeline, y: float, per_column: int) -> None:
    """Every step, numbered as on the chart: its date and what happened."""
    events = list(timeline.events)
    figure.text(0.012, y, "Steps", fontsize=12.5, fontweight="bold", color=style.TEXT, va="top")
    for column in range(3):
        chunk = events[column * per_column : (column + 1) * per_column]
        lines = [
            f"{e.number}. {e.date_text}: {e.label}" + ("" if e.moved else " (side event)") for e in chunk
        ]
        lines = [line if len(line) <= 62 else line[:61] + "\u2026" for line in lines]
        figure.text(
            0.012 + column * 0.33,
            y - 0.3 / figure.get_figheight(),
            "\n".join(lines),
            fontsize=11.5,
            color=style.TEXT,
            va="top",
            ha="left",
            linespacing=1.45,
        )


def _stage_line(stage: Stage) -> list[str]:
    when = f"{stage.start_text} \u2013 {stage.end_text}" if stage.end_text else f"from {stage.start_text}"
    what = f"{stage.label} (decision stood)" if stage.waiting else stage.label
    return [f"{what}: {when}, {stage.duration}" + (" (still running)" if stage.open_ended else "")]


def _stages_table(figure, timeline: Timeline, y: float) -> None:
    """How long each stage took."""
    lines = [line for stage in timeline.stages if not stage.before_process for line in _stage_line(stage)]
    figure.text(
        0.012, y, "How long each stage took", fontsize=12.5, fontweight="bold", color=style.TEXT, va="top"
    )
    half = (len(lines) + 1) // 2
    for column, chunk in enumerate((lines[:half], lines[half:])):
        figure.text(
            0.012 + column * 0.5,
            y - 0.3 / figure.get_figheight(),
            "\n".join(chunk),
            fontsize=11.5,
            color=style.TEXT,
            va="top",
            ha="left",
            linespacing=1.45,
        )
