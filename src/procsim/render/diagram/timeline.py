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
from collections.abc import Mapping

from procsim.render.diagram import style
from procsim.render.diagram.ir import Stage, Timeline

FORMATS = ("svg", "png", "pdf")
PNG_DPI = 110
WIDTH, HEIGHT_BASE = 17.0, 6.2  # inches

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
    import logging

    logging.getLogger("matplotlib").setLevel(logging.ERROR)  # no font-cache chatter
    import matplotlib

    # the stub wants a dict keyed by a Literal of rc names; RC's keys are all valid ones
    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        figure = _draw(timeline)
        buffer = io.BytesIO()
        metadata = {
            "svg": {"Date": None, "Creator": "procsim"},
            "png": {"Software": None},
            "pdf": {"CreationDate": None, "ModDate": None, "Creator": "procsim", "Producer": None},
        }[fmt]
        figure.savefig(buffer, format=fmt, dpi=PNG_DPI, metadata=metadata, facecolor="white")
    return buffer.getvalue()


# ---------------------------------------------------------------------- drawing
INCH_CHART_ROW = 0.62  # height of one lane
KEY_LINE = 0.235  # height of one line of the key, inches


def _num(date: dt.date) -> float:
    from matplotlib.dates import date2num

    return float(date2num(date))


def _draw(timeline: Timeline):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lanes = list(timeline.lanes)
    side = [e for e in timeline.events if not e.moved]
    rows = len(lanes) + (1 if side else 0)
    steps_lines = (len(timeline.events) + 2) // 3
    stage_lines = (sum(len(_stage_line(s)) for s in timeline.stages if not s.before_process) + 1) // 2 + 1
    # inches, top to bottom: title, chart (lanes, ruler, axis), break note, legend, key, stages
    chart = INCH_CHART_ROW * rows + 1.1
    heights = [
        1.05,
        chart,
        0.55 if timeline.breaks else 0.1,
        0.75,
        KEY_LINE * steps_lines + 0.45,
        KEY_LINE * stage_lines + 0.35,
    ]
    height = sum(heights)
    figure = Figure(figsize=(WIDTH, height))
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
            _stage(ax, stage, y_of, start, end)
        _events(ax, timeline, y_of, side_y, start, end)
        _gaps(ax, timeline, start, end)
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
        _break_note(figure, axes, timeline, y_at(y - 0.05))
    y += heights[2]
    _legend(figure, y_at(y))
    y += heights[3]
    _key(figure, timeline, y_at(y), per_column=steps_lines)
    y += heights[4]
    _stages_table(figure, timeline, y_at(y))
    return figure


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


def _stage(ax, stage: Stage, y_of: Mapping[str, float], start: dt.date, end: dt.date) -> None:
    span = _clip(stage, start, end)
    if span is None or stage.forum not in y_of:
        return
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
        return
    limits = ax.get_xlim()
    if (b - a) / (limits[1] - limits[0]) > 0.1:  # the duration under the bar, where it fits
        ax.text(
            (a + b) / 2,
            y - 0.22,
            _short(stage.duration),
            ha="center",
            va="top",
            fontsize=10.5,
            color=style.TEXT,
            zorder=5,
            fontstyle="italic",
        )


def _short(duration: str) -> str:
    return duration.split(", ")[-1] if ", about" in duration else duration


def _events(ax, timeline: Timeline, y_of, side_y, start: dt.date, end: dt.date) -> None:
    limits = ax.get_xlim()
    width_pt = ax.get_position().width * WIDTH * 72  # the axis's width in points, as labels are measured
    per_point = (limits[1] - limits[0]) / width_pt
    groups: list[tuple[float, float, list[int], float]] = []  # markers close together share one label
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
        # markers whose number labels would touch share one label ('3-6')
        if groups and groups[-1][1] == y:
            first, lane, numbers, last = groups[-1]
            label = _numbers(numbers)
            right = (first + last) / 2 + len(label) * 3.6 * per_point
            if x - len(str(event.number)) * 3.6 * per_point - right < 6 * per_point:
                groups[-1] = (first, lane, [*numbers, event.number], x)
                continue
        groups.append((x, y, [event.number], x))
    for first, y, numbers, last in groups:
        ax.text(
            (first + last) / 2,
            y + 0.2,
            _numbers(numbers),
            ha="center",
            va="bottom",
            fontsize=11,
            fontweight="bold",
            color=style.TEXT,
            zorder=7,
        )
    final = timeline.events[-1] if timeline.events else None
    if final is not None and start <= final.when <= end and final.moved and final.forum in y_of:
        pending = "pending" in timeline.final_note
        ax.text(
            _num(final.when),
            y_of[final.forum] - 0.2,
            f"ends: {timeline.final_note} \u25a0",
            ha="right",
            va="top",
            fontsize=11,
            fontweight="bold",
            zorder=7,
            color=style.PENDING if pending else style.CONCLUDED,
        )


def _numbers(numbers: list[int]) -> str:
    """'3', '12-13' or '16, 18'."""
    if len(numbers) == 1:
        return str(numbers[0])
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}\u2013{numbers[-1]}"
    return ", ".join(str(n) for n in numbers)


def _gaps(ax, timeline: Timeline, start: dt.date, end: dt.date) -> None:
    """A ruler under the lanes: the exact time between day-dated steps, where it fits."""
    limits = ax.get_xlim()
    full = limits[1] - limits[0]
    y = -1.0
    for gap in timeline.gaps:
        if gap.start < start or gap.end > end:
            continue
        a, b = _num(gap.start), _num(gap.end)
        share = (b - a) / full
        if share < 0.04:
            continue
        ax.annotate(
            "",
            xy=(a, y),
            xytext=(b, y),
            arrowprops={"arrowstyle": "|-|,widthA=0.3,widthB=0.3", "color": style.MUTED, "lw": 1.1},
        )
        days = f"{gap.days:,} day{'s' if gap.days != 1 else ''}"
        text = days if share < 0.085 else f"{days} ({gap.from_step}\u2192{gap.to_step})"
        ax.text(
            (a + b) / 2, y + 0.07, text, ha="center", va="bottom", fontsize=10.5, color=style.TEXT, zorder=5
        )


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
