"""``procsim step``: walk a case in a terminal, or from a script.

On a terminal the screen is redrawn for each step; the arrow keys move
(right/down: next, left/up: back) and typed commands are read with simple line
editing. Off a terminal (a pipe, ``--script FILE``) commands are read a line at
a time and everything is plain text, so a transcript reads top to bottom.
"""

from __future__ import annotations

import contextlib
import io
import os
import select
import shlex
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from attrs import define, field
from rich.console import Group
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from procsim.core.errors import ProcsimError, suggest
from procsim.core.model import STATUS_WORDS
from procsim.core.stepper import Choice, Stepper, numbered
from procsim.render.text import (
    discrepancy_text,
    explain_entry,
    explain_text,
    run_line,
    step_words,
)


@dataclass(frozen=True)
class Command:
    """A stepper command: its name, the other words that call it, how to type it, what it does."""

    name: str
    aliases: tuple[str, ...]
    usage: str
    does: str


#: The commands: the one list the help, the dispatcher and the suggestions read.
COMMANDS = (
    Command("next", ("n",), "next, n, Enter, right/down arrow", "the next step"),
    Command("back", ("b", "p", "prev"), "back, b, left/up arrow", "the step before"),
    Command("jump", ("j", "g", "go"), "jump N, j N", "go to step N"),
    Command(
        "details",
        ("d", "sources"),
        "details, d",
        "the whole step: sources in full, fact names, why options were not available",
    ),
    Command(
        "explain",
        ("e",),
        "explain NAME or N, e",
        "what the model says about a state, step or fact (a name, its words, or an option's number)",
    ),
    Command(
        "whatif",
        ("w", "what-if"),
        "whatif N [DATE], w",
        "take option N at this step instead of what happened (a what-if branch)",
    ),
    Command("choose", ("c",), "choose N [DATE], c", "on a what-if branch: choose what happens next"),
    Command(
        "real", ("r",), "real, r", "leave the what-if branch for what really happened (the branch is kept)"
    ),
    Command("branch", (), "branch", "return to the what-if branch you left"),
    Command("save", ("s",), "save FILE, s FILE", "save the what-if branch as a scenario"),
    Command("quit", ("q", "exit"), "quit, q", "stop"),
    Command("help", ("?", "h"), "help, ?", "this list"),
)
VERBS = {word: command.name for command in COMMANDS for word in (command.name, *command.aliases)}
QUIZ_HELP = "Quiz: type the number (or name) of what happens next; back, explain, help and quit work too."
HINT = "Type help (?) for the commands."


def help_view(quiz: bool = False) -> Any:
    """The command list, each description indented under its own column when it wraps."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="cyan")
    grid.add_column()
    for command, what in ((c.usage, c.does) for c in COMMANDS):
        grid.add_row(command, what)
    parts: list[Any] = [Text("Commands:", style="bold"), Padding(grid, (0, 0, 0, 2))]
    if quiz:
        parts.insert(0, Text(QUIZ_HELP))
    return Group(*parts)


def _indented(renderable: Any, indent: int = 2) -> Padding:
    """A line indented by ``indent``, its wrapped lines too."""
    return Padding(renderable, (0, 0, 0, indent))


def _item(mark: str, body: str) -> Padding:
    """A list item whose wrapped lines start under the text, not under the mark."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(Text.from_markup(mark), Text.from_markup(body))
    return Padding(grid, (0, 0, 0, 2))


@define
class Section:
    """Part of a step's view. ``priority``: lower is kept first when the terminal is short."""

    name: str
    priority: int
    items: list[Any] = field(factory=list)
    headed: bool = False  # the first item is a heading for the rest


# ---------------------------------------------------------------------- views
def _label(stepper: Stepper, trigger: str) -> str:
    return stepper.process.triggers[trigger].label


def _choice_lines(
    stepper: Stepper, choices: list[Choice], mark_taken: bool, names: bool = False
) -> tuple[list[Any], list[Any]]:
    """Options as the student sees them, numbered as the commands count them (see ``numbered``).

    Returns the open options (and the one taken), and the blocked ones grouped by reason:
    the reason's facts in words, or by name with ``names``.
    """
    order = numbered(choices, include_taken=not mark_taken)
    lines: list[Any] = []
    blocked: dict[str, list[str]] = {}
    shown: set[tuple[str, str]] = set()
    for choice in choices:
        transition = choice.transition
        key = (transition.trigger, transition.dest)
        if key in shown:
            continue
        shown.add(key)
        dest = stepper.process.states[transition.dest].label
        text = f"{escape(_label(stepper, transition.trigger))} -> {escape(dest)}"
        if choice.taken and mark_taken:
            step = stepper.current_step
            chosen = step is not None and "what-if" in step.event.sources
            note = "(your what-if)" if chosen else "(what happened)"
            lines.append(_item("[bold green]*[/]", f"{text}  [green]{note}[/]"))
        elif transition in order:
            tag = f"[{order.index(transition) + 1}]"
            lines.append(_item(f"[cyan]{escape(tag)}[/]", f"{text}  [dim]{escape(transition.basis)}[/]"))
        else:
            failures = choice.option.blocked_by
            reasons = (
                "; ".join(f.describe() if names else f.describe(stepper.process) for f in failures)
                or "another route applies"
            )
            blocked.setdefault(reasons, []).append(_label(stepper, transition.trigger))
    blocked_lines = [
        _item("[red]x[/]", f"{escape(', '.join(labels))}  [dim]not available: {escape(reasons)}[/]")
        for reasons, labels in blocked.items()
    ]
    return lines, blocked_lines


def footer(stepper: Stepper, width: int | None = None) -> Text:
    """One line that always says where the case is, and how to get help."""
    state = stepper.process.states[stepper.state_at(stepper.position)]
    step = stepper.current_step
    when = f" - {step.event.date.human()}" if step else ""
    branch = " - what-if branch ('real' goes back)" if stepper.branch_at is not None else ""
    text = f" Step {stepper.position} of {stepper.total}{when} - {state.label}{branch} "
    line = Text(text, style="reverse")
    line.append("  ? help", style="dim")
    if width is not None:
        line.truncate(width, overflow="ellipsis")
    return line


def step_sections(stepper: Stepper, compact: bool = False) -> list[Section]:
    """Everything about the current position, as sections in reading order.

    ``compact`` (on a terminal) cites sources by publisher and date only.
    """
    process = stepper.process
    head = Section("title", 0)
    sections = [head]
    title = stepper.scenario.title if stepper.scenario else f"The bare process: {process.title}"
    tag = "  [yellow](what-if branch)[/]" if stepper.branch_at is not None else ""
    head.items.append(Text.from_markup(f"[bold]{escape(title)}[/]{tag}"))
    step = stepper.current_step
    if step is None:
        state = process.states[stepper.state_at(0)]
        head.items.append(Text.from_markup(f"[bold cyan]Start[/] (0 of {stepper.total} steps)"))
        head.items.append(Text.from_markup(f"[bold]State:[/] {escape(state.label)}"))
        sections.append(
            Section(
                "the state",
                7,
                [
                    _indented(Text(state.description)),
                    _indented(Text.from_markup(f"[dim]Basis:[/] {escape(state.basis)}")),
                ],
            )
        )
    else:
        event = step.event
        previous = stepper.events[stepper.position - 2] if stepper.position > 1 else None
        scenario_sources = stepper.scenario.sources if stepper.scenario else None
        words = step_words(process, scenario_sources, step, previous, compact=compact)
        gap = f"  [dim]+{words.gap}[/]" if words.gap else ""
        head.items.append(
            Text.from_markup(
                f"[bold cyan]Step {stepper.position} of {stepper.total}[/]  [bold]{words.date}[/]{gap}"
            )
        )
        head.items.append(
            Text.from_markup(f"[bold]What happened:[/] {escape(words.label)} - by {escape(words.actor)}")
        )
        head.items.append(_indented(Text(event.summary)))
        after = process.states[step.after]
        if words.moved:
            line = (
                f"[bold]State:[/] {escape(words.before)} -> [bold]{escape(words.after)}[/] "
                f"({STATUS_WORDS[after.status]})"
            )
        else:
            line = f"[bold]State:[/] stays in {escape(words.after)}"
        sections.append(Section("the state", 1, [Text.from_markup(line)]))
        why = Section("the legal basis", 4)
        why.items.append(_indented(Text.from_markup(f"[dim]Basis of this step:[/] {escape(words.basis)}")))
        why.items += [
            _indented(Text.from_markup(f"[yellow]Unverified:[/] {escape(item)}")) for item in words.unverified
        ]
        sections.append(why)
        facts = Section("the facts that changed", 5)
        facts.items += [_indented(Text.from_markup(f"[dim]Fact:[/] {escape(fact)}")) for fact in words.facts]
        sections.append(facts)
        sources = Section("the sources", 5)
        sources.items.append(Text.from_markup(f"[bold]Sources:[/] {escape(words.sources)}"))
        sources.items += [
            _indented(Text.from_markup(f"[dim]Note:[/] {escape(note)}")) for note in words.notes
        ]
        if compact and event.discrepancies:
            topics = "; ".join(f"{item.id} {item.topic}" for item in event.discrepancies)
            sources.items.append(
                _indented(
                    Text.from_markup(
                        f"[magenta]Sources disagree:[/] {escape(topics)} [dim](details shows what each says)[/]"
                    )
                )
            )
        if not compact:
            sources.items.extend(_indented(discrepancy_text(item)) for item in event.discrepancies)
        sections.append(sources)
        sections.append(
            Section(
                "the state's description",
                7,
                [
                    _indented(Text(after.description)),
                    _indented(Text.from_markup(f"[dim]Basis of the state:[/] {escape(after.basis)}")),
                ],
            )
        )
    running = stepper.running_limits()
    limits = Section("the time limits", 3, headed=bool(running))
    limits.items.append(Text.from_markup("[bold]Time limits running now:[/]" + ("" if running else " none")))
    for run in running:
        limits.items.append(
            _item("-", f"{escape(_label(stepper, run.trigger))}: {escape(run_line(run, outcome=False))}")
        )
    sections.append(limits)
    if step is not None and step.moved:
        open_lines, blocked_lines = _choice_lines(stepper, stepper.alternatives_to_current(), mark_taken=True)
        choices = Section(
            "the options", 3 if stepper.exploring and stepper.position >= stepper.total else 2, headed=True
        )
        choices.items.append(
            Text.from_markup(
                f"[bold]What the law allowed here[/] (from {escape(process.states[step.before].label)}; "
                "to try another, type whatif and its number):"
            )
        )
        choices.items.extend(open_lines)
        sections.append(choices)
        sections.append(Section("the options that were not available", 6, blocked_lines))
    at_end = stepper.position >= stepper.total
    if step is None or not step.moved or (stepper.exploring and at_end):
        here = process.states[stepper.state_at(stepper.position)]
        if stepper.exploring and at_end:
            how = "type choose and a number to take one"
        elif step is None:
            how = "type next to see what did"
        else:
            how = "this side event did not move the case: type next to go on"
        open_lines, blocked_lines = _choice_lines(stepper, stepper.options_here(), mark_taken=False)
        upcoming = Section("what can happen next", 2, headed=True)
        upcoming.items.append(
            Text.from_markup(f"[bold]What can happen next[/] (from {escape(here.label)}; {how}):")
        )
        upcoming.items.extend(open_lines or [_indented(Text("nothing: this state is terminal"))])
        sections.append(upcoming)
        sections.append(Section("the options that are not available", 6, blocked_lines))
    if at_end and stepper.scenario is not None and stepper.branch_at is None:
        end = stepper.scenario.end
        state = process.states[end.state]
        status = (
            f"pending as of {end.as_of.human()}"
            if end.status == "pending" and end.as_of
            else STATUS_WORDS[state.status]
        )
        sections.append(
            Section(
                "the end",
                1,
                [Text.from_markup(f"[bold]End of the scenario:[/] {escape(state.label)} - {escape(status)}")],
            )
        )
    return sections


def step_view(stepper: Stepper, compact: bool = False) -> Group:
    """Every section of the current position, for a transcript (nothing left out)."""
    return Group(*(item for section in step_sections(stepper, compact) for item in section.items))


def height_of(renderable: Any, width: int) -> int:
    """How many lines ``renderable`` takes at ``width`` columns."""
    from rich.console import Console

    console = Console(width=width, file=io.StringIO(), color_system=None, highlight=False)
    return len(console.render_lines(renderable, console.options, pad=False))


def fit(sections: list[Section], width: int, height: int) -> Group:
    """The sections that fit in ``height`` lines, the most important first, in reading order.

    Whatever is left out is named on a last line that points to ``details``.
    """
    reserve = 1
    while True:
        budget = height - reserve  # the lines naming what is left out
        kept: dict[int, int] = {}  # section index -> number of its items shown
        left_out: list[str] = []
        for index in sorted(range(len(sections)), key=lambda i: sections[i].priority):
            section = sections[index]
            count = 0
            for item in section.items:
                lines = height_of(item, width)
                if lines > budget:
                    break
                budget -= lines
                count += 1
            if count == 1 and len(section.items) > 1 and section.headed:
                budget += height_of(section.items[0], width)  # a heading alone says nothing
                count = 0
            kept[index] = count
            if count < len(section.items):
                left_out.append(section.name if count == 0 else f"more of {section.name}")
        parts = [item for index, section in enumerate(sections) for item in section.items[: kept[index]]]
        if not left_out:
            return Group(*parts)
        note = Text(
            f"Not shown (too little room): {', '.join(left_out)}. Type details (d) for all.", style="dim"
        )
        needed = height_of(note, width)
        if needed <= reserve or reserve >= height:
            return Group(*parts, note)
        reserve = needed


def details_view(stepper: Stepper, with_step: bool = True) -> Group:
    """The whole step: every section, the sources in full, what each says where they disagree,
    and why options were not available, with the facts by name."""
    step = stepper.current_step
    assert step is not None
    event = step.event
    sources = stepper.scenario.sources if stepper.scenario else {}
    parts: list[Any] = [step_view(stepper, compact=False), Text("")] if with_step else []
    parts.append(Text.from_markup(f"[bold]Step {stepper.position}: sources[/]"))
    if "what-if" in event.sources:
        rule = step.transition or step.side_event
        parts.append(
            _indented(
                Text(
                    f"No source: this step is your what-if. Its legal basis is the model's: {rule.basis if rule else ''}"
                )
            )
        )
    for sid in event.sources:
        source = sources.get(sid)
        if source is None:
            continue
        parts.append(_indented(Text.from_markup(f"[dim]{escape(sid)}:[/] {escape(source.cite())}")))
        where = source.url or (f"seed file {source.seed}" if source.seed else "") or source.model or ""
        if where:
            parts.append(_indented(Text(where, overflow="fold"), 4))
    for item in event.discrepancies:
        parts.append(
            Text.from_markup(f"[magenta]Sources disagree: {escape(item.id)}, {escape(item.topic)}[/]")
        )
        for account in item.accounts:
            parts.append(_item("-", f"{escape(', '.join(account.sources))}: {escape(account.says)}"))
        parts.append(_indented(Text(f"The scenario follows {', '.join(item.follows)}: {item.why}")))
    choices = stepper.alternatives_to_current() if step.moved else stepper.options_here()
    _, blocked = _choice_lines(stepper, choices, mark_taken=step.moved, names=True)
    if blocked:
        parts.append(Text.from_markup("[bold]Not available, with the facts by name:[/]"))
        parts.extend(blocked)
    return Group(*parts)


def quiz_view(stepper: Stepper) -> Group:
    process = stepper.process
    state = process.states[stepper.state_at(stepper.position)]
    right, asked = stepper.score()
    parts: list[Any] = [
        Text.from_markup(
            f"[bold]Quiz[/] - step {stepper.position + 1} of {stepper.total}; score {right}/{asked}"
        ),
        Text.from_markup(f"The case is in [bold]{escape(state.label)}[/]: {escape(state.description)}"),
        Text.from_markup("[bold]What happens next?[/]"),
    ]
    for number, transition in enumerate(stepper.quiz_options(), 1):
        dest = process.states[transition.dest].label
        parts.append(
            _item(f"[cyan][{number}][/]", f"{escape(_label(stepper, transition.trigger))} -> {escape(dest)}")
        )
    return Group(*parts)


# ---------------------------------------------------------------------- input
def _terminal_commands(prompt: str, out: Callable[[str], None]) -> Iterator[str]:
    """Read commands from a terminal: arrows act at once, text is echoed and edited."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    while True:
        out(prompt)
        saved = termios.tcgetattr(fd)
        buffer = b""
        try:
            tty.setcbreak(fd, termios.TCSANOW)  # TCSAFLUSH would drop keys typed ahead
            while True:
                char = os.read(fd, 1)
                if not char or char == b"\x04":
                    command = "quit" if not buffer else None
                    if command:
                        out("quit\n")
                        break
                    continue
                if char == b"\x03":
                    raise KeyboardInterrupt
                if char == b"\x1b":
                    sequence = _read_escape(fd)
                    if sequence in (b"[C", b"[B", b"OC", b"OB") and not buffer:
                        command = "next"
                        out("next\n")
                        break
                    if sequence in (b"[D", b"[A", b"OD", b"OA") and not buffer:
                        command = "back"
                        out("back\n")
                        break
                    continue
                if char in (b"\r", b"\n"):
                    out("\n")
                    command = buffer.decode("utf-8", "replace").strip() or "next"
                    break
                if char in (b"\x7f", b"\x08"):
                    if buffer:
                        text = buffer.decode("utf-8", "ignore")[:-1]
                        buffer = text.encode()
                        out("\b \b")
                    continue
                buffer += char
                with contextlib.suppress(UnicodeDecodeError):
                    out(char.decode("utf-8"))
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        yield command


def _read_escape(fd: int) -> bytes:
    """The rest of an escape sequence after ESC: up to and including its final byte.

    Reading exactly one sequence keeps keys pressed in quick succession apart.
    """
    if not select.select([fd], [], [], 0.05)[0]:
        return b""
    sequence = os.read(fd, 1)
    if sequence not in (b"[", b"O"):
        return sequence
    while len(sequence) < 16 and select.select([fd], [], [], 0.05)[0]:
        byte = os.read(fd, 1)
        sequence += byte
        if 0x40 <= byte[0] <= 0x7E:
            break
    return sequence


def _line_commands(stream: IO[str], out: Callable[[str], None], prompt: str) -> Iterator[str]:
    for raw in stream:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        out(f"{prompt}{line}\n")
        yield line
    yield "quit"


# ---------------------------------------------------------------------- loop
class StepperApp:
    """Runs the command loop, printing views through ``show`` and text through ``say``.

    On a terminal (``size`` given) each screen is fitted to the terminal's height, and
    anything taller (details, an explanation, help) is shown a page at a time.
    """

    def __init__(
        self,
        stepper: Stepper,
        *,
        quiz: bool,
        interactive: bool,
        show: Callable[[Any], None],
        say: Callable[[str], None],
        clear: Callable[[], None],
        size: Callable[[], tuple[int, int]] | None = None,
    ):
        self.stepper = stepper
        self.quiz = quiz
        self.interactive = interactive
        self.show, self.say, self.clear = show, say, clear
        self.size = size
        self.message: str | None = None
        self.paused = False  # a page is on screen until the next key
        self.pages: list[Any] = []  # the pages still to show
        self._shown: tuple[int, int, int | None, int] | None = None
        self._helped = False

    def _view_key(self) -> tuple[int, int, int | None, int]:
        return (
            self.stepper.position,
            len(self.stepper.events),
            self.stepper.branch_at,
            len(self.stepper.quiz_score),
        )

    def _quizzing(self) -> bool:
        return self.quiz and self.stepper.position < self.stepper.total

    def render(self) -> None:
        """Draw the step; off a terminal, only what changed (a message, or a new view)."""
        if not self.interactive and self._shown == self._view_key():
            if self.message:
                self.show(Text(self.message))
                self.message = None
            return
        if self.interactive:
            self.clear()
        if self._quizzing():
            self._reveal_unasked()
        parts: list[Any] = []
        sections: list[Section] = []
        if self._quizzing():
            if self.stepper.position:
                sections = [s for s in step_sections(self.stepper, self.interactive) if s.priority <= 1]
            sections.append(Section("the question", 0, [quiz_view(self.stepper)]))
        else:
            sections = step_sections(self.stepper, compact=self.interactive)
        first = not self._helped
        if first:
            self._helped = True
            bar = QUIZ_HELP if self.quiz else HINT
            sections.append(Section("the help line", 1, [Text(bar, style="dim")]))
        message = Text(self.message) if self.message else None
        self.message = None
        if self.size is not None:
            width, height = self.size()
            reserved = 2 + (height_of(message, width) if message else 0)  # the footer and the prompt
            parts.append(fit(sections, width, height - reserved))
            parts.append(footer(self.stepper, width))
        else:
            parts.extend(item for section in sections for item in section.items)
        if message is not None:
            parts.append(message)
        self.show(Group(*parts))
        self._shown = self._view_key()

    def page(self, renderable: Any) -> None:
        """Show ``renderable``; on a terminal, a screenful at a time, then back to the step."""
        if self.size is None:
            self.show(renderable)
            return
        from rich.console import Console

        width, height = self.size()
        console = Console(width=width, file=io.StringIO(), force_terminal=True, color_system="truecolor")
        from procsim.cli.output import safe_segments

        with console.capture() as capture:
            console.print(safe_segments(renderable, console))  # a file's control characters escaped
        lines = capture.get().rstrip("\n").split("\n")
        room = max(height - 2, 1)
        self.pages = [lines[i : i + room] for i in range(0, len(lines), room)]
        self._next_page()

    def _next_page(self) -> None:
        lines = self.pages.pop(0)
        self.clear()
        self.show(Text.from_ansi("\n".join(lines)))
        more = (
            "Enter: the next page; q: back to the step."
            if self.pages
            else "Press Enter to go back to the step."
        )
        self.say(more + "\n")
        self.paused = True

    def _reveal_unasked(self) -> None:
        """Side events and steps with one open option are not questions: the quiz reveals them."""
        while self.stepper.position < self.stepper.total and not self.stepper.is_question():
            self.stepper.next()

    def run(self, commands: Iterator[str]) -> int:
        self.render()
        for command in commands:
            if self.paused:
                self.paused = False
                word = command.strip().lower()
                if self.pages and word not in ("q", "quit", "exit"):
                    self._next_page()
                    continue
                self.pages = []
                if word not in ("quit", "exit") and not (word == "q" and not self.interactive):
                    self._shown = None
                    self.render()
                    continue
            try:
                if self.handle(command) is False:
                    break
            except ProcsimError as error:
                self.message = f"! {error.message}"
            except ValueError as error:
                self.message = f"! {error}"
            if not self.paused:
                self.render()
        if self.quiz:
            right, asked = self.stepper.score()
            self.say(f"Score: {right} of {asked} right.\n")
        return 0

    def _explain(self, rest: list[str]) -> None:
        stepper = self.stepper
        if not rest:
            raise ValueError(
                "explain needs a name, its words or an option's number, e.g. 'explain final written warning'"
            )
        text = " ".join(rest)
        if text.isdigit():
            step = stepper.current_step
            options = (
                stepper.quiz_options()
                if self._quizzing()
                else stepper.what_if_options()
                if step is not None and step.moved
                else stepper.allowed_next()
            )
            if not 1 <= int(text) <= len(options):
                raise ValueError(f"there is no option {text} here: the options run from 1 to {len(options)}")
            text = options[int(text) - 1].trigger
        data = explain_entry(stepper.process, text)
        if not self.interactive:
            self.show(explain_text(data))
            self.message = "(explanation above; the step follows)"
            return
        self.page(explain_text(data))

    def handle(self, command: str) -> bool | None:
        """Carry out one typed command; False to stop."""
        try:
            words = shlex.split(command)
        except ValueError:
            words = command.split()
        if not words:
            return None
        typed, rest = words[0].lower(), words[1:]
        verb = VERBS.get(typed)
        if verb == "quit":
            return False
        if self._quizzing() and verb not in ("help", "explain", "back"):  # anything else is an answer
            self.message = self.stepper.answer(command.strip()).explanation
            return None
        if verb is None:
            raise ValueError(
                f"unknown command '{typed}'{suggest(typed, [c.name for c in COMMANDS])}; type help"
            )
        getattr(self, f"_do_{verb}")(rest)
        return None

    def _do_help(self, rest: list[str]) -> None:
        (self.page if self.interactive else self.show)(help_view(self.quiz))

    def _do_explain(self, rest: list[str]) -> None:
        self._explain(rest)

    def _do_next(self, rest: list[str]) -> None:
        if self.stepper.next() is None:
            self.message = (
                "End of the line: choose what happens next (choose N [DATE])"
                if self.stepper.exploring
                else "This is the last step."
            )

    def _do_back(self, rest: list[str]) -> None:
        self.stepper.back()

    def _do_jump(self, rest: list[str]) -> None:
        if not rest or not rest[0].isdigit():
            raise ValueError("jump needs a step number, e.g. 'jump 12'")
        self.stepper.jump(int(rest[0]))

    def _do_details(self, rest: list[str]) -> None:
        if self.stepper.current_step is None:
            raise ValueError("no step yet: go to one with next")
        self.page(details_view(self.stepper, with_step=self.interactive))

    def _do_real(self, rest: list[str]) -> None:
        self.stepper.to_real()
        self.message = "Back to what really happened; 'branch' returns to your what-if."

    def _do_branch(self, rest: list[str]) -> None:
        self.stepper.to_branch()
        self.message = "Back on your what-if branch; 'real' returns to what really happened."

    def _do_whatif(self, rest: list[str]) -> None:
        stepper = self.stepper
        if not rest:
            raise ValueError("whatif needs an option number from 'What the law allowed here'")
        step = stepper.what_if(rest[0], date=rest[1] if len(rest) > 1 else None)
        if stepper.branch_at is None:
            self.message = "That is what really happened: back on the real case."
        else:
            label = stepper.process.triggers[step.event.trigger or ""].label
            self.message = (
                f"What if: the next step is '{label}' instead. 'real' goes back to what really happened."
            )

    def _do_choose(self, rest: list[str]) -> None:
        stepper = self.stepper
        if stepper.position < stepper.total:
            stepper.position = stepper.total if stepper.exploring else stepper.position
        if not stepper.exploring and stepper.position < stepper.total:
            raise ValueError("choose is for exploring: use whatif N at a step to leave the scenario's path")
        if not rest:
            raise ValueError("choose needs an option number from 'What can happen next'")
        stepper.choose(rest[0], date=rest[1] if len(rest) > 1 else None)

    def _do_save(self, rest: list[str]) -> None:
        self.save(rest)

    def save(self, rest: list[str]) -> None:
        if not rest:
            raise ValueError("save needs a file name, e.g. 'save scenarios/oconnor-whatif.yaml'")
        path = Path(rest[0])
        if path.suffix not in (".yaml", ".yml"):
            path = path.with_suffix(".yaml")
        if path.exists():
            raise ValueError(f"{path} already exists; choose another name")
        from procsim.io.scenario_writer import branch_yaml

        text = branch_yaml(self.stepper.branch(), path.stem)
        if self.stepper.scenario is not None and self.stepper.branch_at:
            base_dir = Path(self.stepper.scenario.path or "").resolve().parent
            if path.resolve().parent != base_dir:
                raise ValueError(
                    f"save it beside the scenario it extends, in {base_dir}/, so 'extends' resolves"
                )
        from procsim.io.atomic import write_text_atomic

        try:
            write_text_atomic(path, text)
        except ProcsimError as error:  # a read-only folder, a full disk: say so, keep the session
            raise ValueError(f"not saved: {error}") from None
        self.message = (
            f"Saved the branch to {path}. Next: procsim check {path}; then procsim diagram --all, "
            "which draws its diagrams (make test checks that diagrams/ is up to date)."
        )


def run_stepper(args: Any) -> int:
    """Entry point for ``procsim step``."""
    from procsim.io.process_reader import load_process
    from procsim.workspace import engine_for, replay_scenario

    if args.bare:
        if args.scenario or args.quiz:
            raise ProcsimError("--bare explores the bare process: give no scenario and no --quiz")
        stepper = Stepper(engine_for(load_process(args.process)))
    else:
        if not args.scenario:
            raise ProcsimError("give a scenario to step through, or --bare to explore the bare process")
        replayed = replay_scenario(args.scenario, args.scenarios)  # a scenario that replays, or its error
        stepper = Stepper(engine_for(replayed.process), replayed.scenario)
    script = args.script
    interactive = script is None and sys.stdin.isatty() and sys.stdout.isatty()

    def say(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    show: Callable[[Any], None]
    clear: Callable[[], None]
    if interactive:
        from rich.console import Console

        from procsim.cli.output import safe_segments

        console = Console(highlight=False)
        show, clear = (lambda renderable: console.print(safe_segments(renderable, console))), console.clear
        commands = _terminal_commands("step> ", say)
    else:
        from procsim.cli.output import print_rich

        show, clear = print_rich, (lambda: None)
        if script in (None, "-"):
            commands = _line_commands(sys.stdin, say, "step> ")
        else:
            import io

            from procsim.io.files import read_text

            commands = _line_commands(io.StringIO(read_text(script)), say, "step> ")
    app = StepperApp(
        stepper,
        quiz=args.quiz,
        interactive=interactive,
        show=show,
        say=say,
        clear=clear,
        size=(lambda: (console.size.width, console.size.height)) if interactive else None,
    )
    return app.run(commands)
