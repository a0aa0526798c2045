"""``procsim step``: walk a case in a terminal, or from a script.

On a terminal the screen is redrawn for each step; the arrow keys move
(right/down: next, left/up: back) and typed commands are read with simple line
editing. Off a terminal (a pipe, ``--script FILE``) commands are read a line at
a time and everything is plain text, so a transcript reads top to bottom.
"""

from __future__ import annotations

import contextlib
import os
import select
import shlex
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from rich.console import Group
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from procsim.core.dates import describe_gap
from procsim.core.errors import ProcsimError
from procsim.core.model import STATUS_WORDS
from procsim.core.stepper import Choice, Stepper, numbered
from procsim.render.text import discrepancy_text, event_label, explain_data, explain_text, run_line

HELP = (
    "Commands: next (n, Enter, right/down arrow) | back (b, left/up arrow) | jump N (j N) | "
    "explain NAME (e NAME) | details (d): sources in full | whatif N [DATE] (w): take option N here instead | "
    "choose N [DATE] (c): what happens next while exploring | save FILE (s FILE) | quit (q) | help (?)"
)
QUIZ_HELP = "Quiz: type the number (or trigger) of what happens next; q quits and shows your score."


# ---------------------------------------------------------------------- views
def _label(stepper: Stepper, trigger: str) -> str:
    return stepper.process.triggers[trigger].label


def _choice_lines(stepper: Stepper, choices: list[Choice], mark_taken: bool) -> list[Text]:
    """Options as the student sees them: numbered as the commands count them (see ``numbered``)."""
    order = numbered(choices, include_taken=not mark_taken)
    lines = []
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
            lines.append(Text.from_markup(f"  [bold green]*[/] {text}  [green]{note}[/]"))
        elif transition in order:
            tag = f"[{order.index(transition) + 1}]"
            lines.append(
                Text.from_markup(f"  [cyan]{escape(tag)}[/] {text}  [dim]{escape(transition.basis)}[/]")
            )
        else:
            reasons = "; ".join(f.describe() for f in choice.option.blocked_by) or "another route applies"
            blocked.setdefault(reasons, []).append(_label(stepper, transition.trigger))
    for reasons, labels in blocked.items():
        lines.append(
            Text.from_markup(
                f"  [red]x[/] {escape(', '.join(labels))}  [dim]not available: {escape(reasons)}[/]"
            )
        )
    return lines


def footer(stepper: Stepper) -> Text:
    """One line that always says where the case is (the view may scroll on a small terminal)."""
    state = stepper.process.states[stepper.state_at(stepper.position)]
    step = stepper.current_step
    when = f" - {step.event.date.human()}" if step else ""
    branch = " - what-if branch" if stepper.branch_at is not None else ""
    return Text.from_markup(
        f"[reverse] Step {stepper.position} of {stepper.total}{escape(when)} - "
        f"{escape(state.label)}{branch} [/]"
    )


def step_view(stepper: Stepper, compact: bool = False) -> Group:
    """Everything about the current position, as the issue lists it.

    ``compact`` (on a terminal) cites sources by publisher and date only.
    """
    process = stepper.process
    parts: list[Any] = []
    title = stepper.scenario.title if stepper.scenario else f"The bare process: {process.title}"
    tag = "  [yellow](what-if branch)[/]" if stepper.branch_at is not None else ""
    parts.append(Text.from_markup(f"[bold]{escape(title)}[/]{tag}"))
    step = stepper.current_step
    if step is None:
        state = process.states[stepper.state_at(0)]
        parts.append(Text.from_markup(f"[bold cyan]Start[/] (0 of {stepper.total} steps)"))
        parts.append(
            Text.from_markup(
                f"[bold]State:[/] {escape(state.label)} ({state.name}) - {escape(state.description)}"
            )
        )
        parts.append(Text.from_markup(f"  [dim]Basis:[/] {escape(state.basis)}"))
    else:
        event = step.event
        previous = stepper.events[stepper.position - 2] if stepper.position > 1 else None
        gap = f"  [dim]+{describe_gap(previous.date, event.date)}[/]" if previous else ""
        name = event_label(process, event)
        actor = process.actors[event.actor].label if event.actor in process.actors else event.actor
        parts.append(
            Text.from_markup(
                f"[bold cyan]Step {stepper.position} of {stepper.total}[/]  [bold]{event.date.human()}[/]{gap}"
            )
        )
        parts.append(Text.from_markup(f"[bold]What happened:[/] {escape(name)} - by {escape(actor)}"))
        parts.append(Text("  " + event.summary))
        after = process.states[step.after]
        if step.moved:
            before = process.states[step.before]
            parts.append(
                Text.from_markup(
                    f"[bold]State:[/] {escape(before.label)} -> [bold]{escape(after.label)}[/] ({after.name}, "
                    f"{STATUS_WORDS[after.status]})"
                )
            )
        else:
            parts.append(Text.from_markup(f"[bold]State:[/] stays in {escape(after.label)} ({after.name})"))
        parts.append(Text("  " + after.description))
        rule = step.transition or step.side_event
        basis = rule.basis if rule else ""
        parts.append(Text.from_markup(f"  [dim]Basis of this step:[/] {escape(basis)}"))
        parts.append(Text.from_markup(f"  [dim]Basis of the state:[/] {escape(after.basis)}"))
        if rule is not None and rule.unverified:
            parts.append(Text.from_markup(f"  [yellow]Unverified in the model:[/] {escape(rule.unverified)}"))
        for fact, old, new in step.changes:
            parts.append(
                Text.from_markup(f"  [dim]Fact:[/] {escape(fact)}: {escape(str(old))} -> {escape(str(new))}")
            )
        if stepper.scenario is not None:
            sources = stepper.scenario.sources
            cites = "; ".join(
                (
                    f"{sources[sid].publisher} ({sources[sid].date.human()})"
                    if compact
                    else sources[sid].cite()
                )
                if sid in sources
                else sid
                for sid in event.sources
            )
        else:
            cites = "the process model's legal basis for the step"
        if "what-if" in event.sources:
            cites = "hypothetical: the process model's legal basis for the step"
        parts.append(Text.from_markup(f"[bold]Sources:[/] {escape(cites)}"))
        for note in event.notes:
            parts.append(Text.from_markup(f"  [dim]Note:[/] {escape(note)}"))
        if event.unverified:
            parts.append(Text.from_markup(f"  [yellow]Unverified:[/] {escape(event.unverified)}"))
        if compact and event.discrepancies:
            topics = "; ".join(f"{item.id} {item.topic}" for item in event.discrepancies)
            parts.append(
                Text.from_markup(
                    f"  [magenta]Sources disagree:[/] {escape(topics)} "
                    "[dim](type 'details' to read what each says)[/]"
                )
            )
        if not compact:
            parts.extend(Padding(discrepancy_text(item), (0, 0, 0, 2)) for item in event.discrepancies)
    running = stepper.running_limits()
    parts.append(Text.from_markup("[bold]Time limits running now:[/]" + ("" if running else " none")))
    for run in running:
        parts.append(
            Text.from_markup(
                f"  - {escape(_label(stepper, run.trigger))}: {escape(run_line(run, outcome=False))}"
            )
        )
    if step is not None and step.moved:
        parts.append(
            Text.from_markup(
                f"[bold]At this point the process allowed[/] (from {escape(process.states[step.before].label)}; "
                "whatif N takes option N instead):"
            )
        )
        parts.extend(_choice_lines(stepper, stepper.alternatives_to_current(), mark_taken=True))
    at_end = stepper.position >= stepper.total
    if step is None or not step.moved or (stepper.exploring and at_end):
        here = process.states[stepper.state_at(stepper.position)]
        verb = "choose N [DATE]" if stepper.exploring and at_end else "whatif is offered at a moving step"
        parts.append(Text.from_markup(f"[bold]What can happen next[/] (from {escape(here.label)}; {verb}):"))
        choices = stepper.options_here()
        lines = _choice_lines(stepper, choices, mark_taken=False)
        parts.extend(lines or [Text("  nothing: this state is terminal")])
    if at_end and stepper.scenario is not None and stepper.branch_at is None:
        end = stepper.scenario.end
        state = process.states[end.state]
        status = (
            f"pending as of {end.as_of.human()}"
            if end.status == "pending" and end.as_of
            else STATUS_WORDS[state.status]
        )
        parts.append(
            Text.from_markup(f"[bold]End of the scenario:[/] {escape(state.label)} - {escape(status)}")
        )
    return Group(*parts)


def details_view(stepper: Stepper) -> Group:
    """The current step's sources in full, and what each says where they disagree."""
    step = stepper.current_step
    assert step is not None
    event = step.event
    sources = stepper.scenario.sources if stepper.scenario else {}
    parts: list[Any] = [Text.from_markup(f"[bold]Step {stepper.position}: sources[/]")]
    for sid in event.sources:
        source = sources.get(sid)
        where = (source.url or source.seed or source.model or "") if source else ""
        parts.append(Text(f"  [{sid}] {source.cite() if source else sid}  {where}"))
    for item in event.discrepancies:
        parts.append(
            Text.from_markup(f"[magenta]Sources disagree: {escape(item.id)}, {escape(item.topic)}[/]")
        )
        for account in item.accounts:
            parts.append(Text(f"  {', '.join(account.sources)}: {account.says}"))
        parts.append(Text(f"  The scenario follows {', '.join(item.follows)}: {item.why}"))
    return Group(*parts)


def quiz_view(stepper: Stepper) -> Group:
    process = stepper.process
    state = process.states[stepper.state_at(stepper.position)]
    right, asked = stepper.score()
    parts: list[Any] = [
        Text.from_markup(
            f"[bold]Quiz[/] - step {stepper.position + 1} of {stepper.total}; score {right}/{asked}"
        ),
        Text.from_markup(
            f"The case is in [bold]{escape(state.label)}[/] ({state.name}): {escape(state.description)}"
        ),
        Text.from_markup("[bold]What happens next?[/]"),
    ]
    for number, transition in enumerate(stepper.quiz_options(), 1):
        dest = process.states[transition.dest].label
        parts.append(
            Text.from_markup(
                f"  [cyan][{number}][/] {escape(_label(stepper, transition.trigger))} -> {escape(dest)}"
            )
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
    """Runs the command loop, printing views through ``show`` and text through ``say``."""

    def __init__(
        self,
        stepper: Stepper,
        *,
        quiz: bool,
        interactive: bool,
        scenarios: Path,
        show: Callable[[Any], None],
        say: Callable[[str], None],
        clear: Callable[[], None],
    ):
        self.stepper = stepper
        self.quiz = quiz
        self.interactive = interactive
        self.scenarios = scenarios
        self.show, self.say, self.clear = show, say, clear
        self.message: str | None = None
        self.paused = False  # an explanation is on screen until the next key
        self._shown: tuple[int, int, int | None, int] | None = None

    def _view_key(self) -> tuple[int, int, int | None, int]:
        return (
            self.stepper.position,
            len(self.stepper.events),
            self.stepper.branch_at,
            len(self.stepper.quiz_score),
        )

    def render(self) -> None:
        """Draw the step; off a terminal, only what changed (a message, or a new view)."""
        if not self.interactive and self._shown == self._view_key():
            if self.message:
                self.show(Text(self.message))
                self.message = None
            return
        if self.interactive:
            self.clear()
        if self.quiz and self.stepper.position < self.stepper.total:
            self._reveal_side_events()
        compact = self.interactive
        if self.quiz and self.stepper.position < self.stepper.total:
            if self.stepper.position:
                self.show(step_view(self.stepper, compact))
            self.show(quiz_view(self.stepper))
        else:
            self.show(step_view(self.stepper, compact))
        if self.interactive:
            self.show(footer(self.stepper))
        if self.message:
            self.show(Text(self.message))
            self.message = None
        if self.interactive or self._shown is None:
            self.show(Text(QUIZ_HELP if self.quiz else HELP, style="dim"))
        self._shown = self._view_key()

    def _reveal_side_events(self) -> None:
        """Side events are not choices: the quiz reveals them without asking."""
        while (
            self.stepper.position < self.stepper.total and not self.stepper.steps[self.stepper.position].moved
        ):
            self.stepper.next()

    def run(self, commands: Iterator[str]) -> int:
        self.render()
        for command in commands:
            if self.paused:
                self.paused = False
                if command.strip().lower() not in ("q", "quit", "exit"):
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

    def handle(self, command: str) -> bool | None:
        try:
            words = shlex.split(command)
        except ValueError:
            words = command.split()
        if not words:
            return None
        verb, rest = words[0].lower(), words[1:]
        stepper = self.stepper
        if verb in ("q", "quit", "exit"):
            return False
        if verb in ("?", "h", "help"):
            self.message = HELP
            return None
        if self.quiz and stepper.position < stepper.total and verb not in ("b", "back", "e", "explain"):
            result = stepper.answer(command.strip())
            self.message = result.explanation
            return None
        if verb in ("n", "next"):
            if stepper.next() is None:
                self.message = (
                    "End of the line: choose what happens next (choose N [DATE])"
                    if stepper.exploring
                    else "This is the last step."
                )
        elif verb in ("b", "back", "p", "prev"):
            stepper.back()
        elif verb in ("j", "jump", "g", "go"):
            if not rest or not rest[0].isdigit():
                raise ValueError("jump needs a step number, e.g. 'jump 12'")
            stepper.jump(int(rest[0]))
        elif verb in ("e", "explain"):
            if not rest:
                raise ValueError(
                    "explain needs a state or trigger name, e.g. 'explain final_written_warning'"
                )
            data = explain_data(stepper.process, rest[0])
            if data is None:
                from procsim.core.errors import suggest

                names = [*stepper.process.states, *stepper.process.triggers, *stepper.process.guards]
                raise ValueError(f"'{rest[0]}' is not a state, trigger or guard{suggest(rest[0], names)}")
            if self.interactive:
                self.clear()
            self.show(explain_text(data))
            self.message = "(explanation above; the step follows)" if not self.interactive else None
            if self.interactive:
                self.say("Press Enter to go back to the step.")
                self.paused = True
                return None
        elif verb in ("d", "details", "sources"):
            step = stepper.current_step
            if step is None:
                raise ValueError("no step yet: go to one with next")
            if self.interactive:
                self.clear()
            self.show(details_view(stepper))
            if self.interactive:
                self.say("Press Enter to go back to the step.")
                self.paused = True
        elif verb in ("w", "whatif", "what-if"):
            if not rest:
                raise ValueError("whatif needs an option number from 'At this point the process allowed'")
            step = stepper.what_if(rest[0], date=rest[1] if len(rest) > 1 else None)
            self.message = (
                f"What if: the case goes {stepper.process.triggers[step.event.trigger or ''].label}."
            )
        elif verb in ("c", "choose"):
            if stepper.position < stepper.total:
                stepper.position = stepper.total if stepper.exploring else stepper.position
            if not stepper.exploring and stepper.position < stepper.total:
                raise ValueError(
                    "choose is for exploring: use whatif N at a step to leave the scenario's path"
                )
            if not rest:
                raise ValueError("choose needs an option number from 'What can happen next'")
            stepper.choose(rest[0], date=rest[1] if len(rest) > 1 else None)
        elif verb in ("s", "save"):
            self.save(rest)
        else:
            from procsim.core.errors import suggest

            verbs = ["next", "back", "jump", "explain", "details", "whatif", "choose", "save", "quit", "help"]
            raise ValueError(f"unknown command '{verb}'{suggest(verb, verbs)}; type help")
        return None

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

        write_text_atomic(path, text)
        self.message = f"Saved the branch to {path}; try: procsim check {path}"


def run_stepper(args: Any) -> int:
    """Entry point for ``procsim step``."""
    from procsim.io.process_reader import load_process
    from procsim.workspace import engine_for, replay_scenario

    if args.process_only:
        if args.scenario or args.quiz:
            raise ProcsimError("--process explores the bare process: give no scenario and no --quiz")
        stepper = Stepper(engine_for(load_process(args.process)))
    else:
        if not args.scenario:
            raise ProcsimError("give a scenario to step through, or --process to explore the bare process")
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

        console = Console(highlight=False)
        show, clear = console.print, console.clear
        commands = _terminal_commands("step> ", say)
    else:
        from procsim.cli.output import print_rich

        show, clear = print_rich, (lambda: None)
        if script in (None, "-"):
            commands = _line_commands(sys.stdin, say, "step> ")
        else:
            try:
                stream = open(script, encoding="utf-8")
            except OSError as error:
                raise ProcsimError(f"cannot read the script: {error.strerror}", path=script) from None
            commands = _line_commands(stream, say, "step> ")
    app = StepperApp(
        stepper,
        quiz=args.quiz,
        interactive=interactive,
        scenarios=args.scenarios,
        show=show,
        say=say,
        clear=clear,
    )
    return app.run(commands)
