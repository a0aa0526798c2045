"""procsim's benchmark: run with `make bench`. A benchmark, not a test: it prints figures and
whether each target is met, and always exits 0.

Every comparison is interleaved (A, B, A, B, ...) and repeated, and printed as the median of the
per-round ratios with their spread (lowest-highest), so a machine that drifts during the run moves
both sides alike. "Today" is the code before the speed work (commit 8c905a8), measured by this same
bench (``--record`` prints the figures to paste into TODAY) as ratios to an anchor measured in the
same run, so it converts to this machine's speed now. In-process figures are CPU time of this
process (the code is single-threaded), so other work on a shared machine disturbs them less.

1. Whole commands, as processes (CPU time, user + sys): `replay`, `check`, `deadlines`, `diagram
   --format svg` and `step --script` on the O'Connor scenario, against `python -c "import
   transitions"`. Target: each of the first four <= 8x.
2. Replaying the O'Connor scenario in process, against the same triggers on bare `transitions`
   driving one reused model (bound once: the floor while `transitions` runs every event).
   Target: <= 2.5x.
3. Many cases: 10,000 live cases of 20 events each (the first 20 of O'Connor), events per second
   and memory per live case, against bare `transitions` driving as many plain models without
   binding them (``add_model`` for each of 10,000 live models is quadratic in `transitions`).
   Targets: >= 4x today's events per second, <= 10 KB per live case.
4. Counting every route of the full model (`procsim paths`, default --max-loops 1), from a loaded
   process. Target: <= 0.7 s (the development machine), route counts unchanged.
5. `procsim check` on 10, 100, 1,000 and 10,000 generated scenario files (filled-in scaffolds of
   shortest routes), in process after a warm-up, each check starting with no file parsed (as a
   fresh command does); under 1,000 files, the median of several checks. Targets: time per file
   flat (the largest run within 1.5x of the smallest), and <= 0.25x today's time per file.
6. Start-up: `procsim --help` against `python -c "import transitions"`, as processes (median of
   15 runs each). Target: at most 2x.
7. The case page: `procsim html oconnor` (build time, size) and the time it takes to open offline
   from file:// in headless Chromium (Debian's, driven by Playwright; median of 9 loads, each in a
   fresh browser context, to the load event with the page's script run). Targets: < 1.5 MB, < 1 s.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RECORD = "--record" in sys.argv

#: Today's figures (commit 8c905a8, measured with ``--record`` on the development machine), each as a
#: ratio to an anchor measured in the same run: see the module docstring.
TODAY = {
    # `procsim check`'s time per file (1,000 files), over bare `transitions`' replay time (section 2)
    "check_per_file_vs_bare_replay": 48.918,
    # events per second with 10,000 live cases, times bare `transitions`' replay time (section 2)
    "cases_events_per_s_vs_bare": 2.215,
}

# ---------------------------------------------------------------------- helpers
_recorded: dict[str, float] = {}


def verdict(ok: bool) -> str:
    return "target met" if ok else "NOT met"


def spread(values: Sequence[float], fmt: str = "{:.2f}") -> str:
    """Median, and lowest-highest."""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def interleaved(functions: Sequence[Callable[[], float]], rounds: int) -> list[list[float]]:
    """Run each function once per round, in turn; the figures each returned, per function."""
    figures: list[list[float]] = [[] for _ in functions]
    for _ in range(rounds):
        for index, function in enumerate(functions):
            figures[index].append(function())
    return figures


def timed(function: Callable[[], object], number: int) -> Callable[[], float]:
    """A function returning the mean seconds per call over ``number`` calls."""

    def run() -> float:
        start = time.process_time()
        for _ in range(number):
            function()
        return (time.process_time() - start) / number

    return run


def bytecode_env(**extra: str) -> dict[str, str]:
    """The environment for a measured process: bytecode caches written and read.

    The anchor's modules (``transitions``, installed by pip) have their bytecode compiled at
    install; procsim, installed editable, has it written on its first run. A
    ``PYTHONDONTWRITEBYTECODE`` in the caller's environment (any non-empty value, "0" too)
    would make every run compile procsim's sources again, or not, depending on whether
    something else had left a cache: dropped, so the warm-up round writes it.
    """
    env = dict(os.environ, **extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def process_cpu(command: Sequence[str], cwd: Path) -> Callable[[], float]:
    """A function running ``command`` in ``cwd`` and returning its CPU seconds (user + sys)."""
    env = bytecode_env(PROCSIM_SCENARIOS=str(ROOT / "scenarios"))

    def run() -> float:
        with open(os.devnull, "rb") as source:
            child = subprocess.Popen(
                command, stdin=source, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, env=env
            )
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode not in (0, 3):
            raise SystemExit(f"{' '.join(command)} exited {child.returncode}")
        return usage.ru_utime + usage.ru_stime

    return run


def _bare_machine(process):
    from transitions import Machine

    bare = Machine(model=None, states=list(process.states), initial=process.initial, auto_transitions=False)
    for transition in process.transitions:
        bare.add_transition(transition.trigger, transition.source, transition.dest)
    return bare


class _Model:
    state = ""


# ---------------------------------------------------------------------- 1. commands
def bench_commands(rounds: int = 7) -> None:
    procsim = str(BIN / "procsim")
    work = Path(tempfile.mkdtemp(prefix="procsim-bench-"))  # where `diagram` writes its file
    script = work / "walk.txt"
    script.write_text("next\nnext\nnext\njump 24\nback\nwhatif 9\nquit\n")
    commands = {
        "replay oconnor": [procsim, "replay", "oconnor"],
        "check (scenarios/)": [procsim, "check"],
        "deadlines oconnor": [procsim, "deadlines", "oconnor"],
        "diagram oconnor --format svg": [procsim, "diagram", "oconnor", "--format", "svg"],
        "step oconnor --script": [procsim, "step", "oconnor", "--script", str(script)],
    }
    anchor = process_cpu([str(BIN / "python"), "-c", "import transitions"], work)
    runs = [anchor, *(process_cpu(command, work) for command in commands.values())]
    interleaved(runs, 1)  # warm the file cache and the bytecode
    figures = interleaved(runs, rounds)
    base = figures[0]
    print(f"1. Whole commands, CPU time as processes ({rounds} interleaved rounds; median (lowest-highest)):")
    print(f"   python -c 'import transitions'    {spread([t * 1e3 for t in base], '{:.0f}')} ms")
    for index, name in enumerate(commands, start=1):
        ratios = [t / b for t, b in zip(figures[index], base, strict=True)]
        ms = spread([t * 1e3 for t in figures[index]], "{:.0f}")
        target = (
            "" if name.startswith("step") else f"   (target <= 8x: {verdict(statistics.median(ratios) <= 8)})"
        )
        print(f"   {name:<33} {ms} ms = {spread(ratios)}x{target}")
    shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------- 2. replay
def bench_replay(rounds: int = 15) -> float:
    """Returns the bare `transitions` replay time (seconds): the anchor for in-process figures."""
    from procsim.core.engine import replay
    from procsim.io.process_reader import load_process
    from procsim.io.scenario_reader import load_scenario
    from procsim.workspace import engine_for

    scenario = load_scenario(ROOT / "scenarios" / "oconnor.yaml")
    process = load_process(scenario.process)
    engine = engine_for(process)
    result = replay(engine, scenario)
    triggers = [event.trigger for event in scenario.events if event.trigger]
    bare = _bare_machine(process)
    model = _Model()
    bare.add_model(model, initial=process.initial)

    def run_bare() -> str:
        bare.set_state(process.initial, model=model)
        for trigger in triggers:
            model.trigger(trigger)
        return model.state

    assert run_bare() == result.final_state, "the bare machine must end where procsim does"
    ours, theirs = interleaved([timed(lambda: replay(engine, scenario), 50), timed(run_bare, 50)], rounds)
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    print(
        f"2. Replay of oconnor in process ({len(scenario.events)} events, {len(triggers)} triggers; {rounds} rounds):"
    )
    print(f"   procsim replay                       {spread([t * 1e6 for t in ours], '{:.0f}')} us")
    print(f"   bare transitions, one reused model   {spread([t * 1e6 for t in theirs], '{:.0f}')} us")
    median = statistics.median(ratios)
    print(
        f"   ratio                                {spread(ratios)}x   (target <= 2.5x: {verdict(median <= 2.5)})"
    )
    return statistics.median(theirs)


# ---------------------------------------------------------------------- 3. many cases
def bench_cases(anchor: float, cases: int = 10_000, per_case: int = 20, rounds: int = 3) -> None:
    from procsim.io.process_reader import load_process
    from procsim.io.scenario_reader import load_scenario
    from procsim.workspace import engine_for

    scenario = load_scenario(ROOT / "scenarios" / "oconnor.yaml")
    process = load_process(scenario.process)
    engine = engine_for(process)
    events = scenario.events[:per_case]
    triggers = [event.trigger for event in events if event.trigger]
    bare = _bare_machine(process)

    def ours() -> list:
        live = []
        for _ in range(cases):
            case = engine.new_case(scenario.initial_facts)
            for event in events:
                engine.apply(case, event)
            live.append(case)
        return live

    fire = {name: event.trigger for name, event in bare.events.items()}

    def theirs() -> list:
        live = []
        for _ in range(cases):
            model = _Model()
            bare.set_state(process.initial, model=model)
            for trigger in triggers:
                fire[trigger](model)
            live.append(model)
        return live

    def timed_once(function: Callable[[], list], cleanup: Callable[[object], None]) -> Callable[[], float]:
        def run() -> float:
            start = time.process_time()
            live = function()
            elapsed = time.process_time() - start
            for case in live:
                cleanup(case)
            del live
            gc.collect()
            return elapsed

        return run

    def memory_per_case(
        function: Callable[[], list], cleanup: Callable[[object], None], sample: int = 1000
    ) -> float:
        nonlocal cases
        saved, cases = cases, sample
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            live = function()
            gc.collect()
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
            cases = saved
        for case in live:
            cleanup(case)
        del live
        gc.collect()
        return (after - before) / sample

    ours_s, theirs_s = interleaved(
        [timed_once(ours, engine.discard), timed_once(theirs, lambda model: None)], rounds
    )
    our_rate = [cases * len(events) / t for t in ours_s]
    their_rate = [cases * len(triggers) / t for t in theirs_s]
    ours_kb, theirs_kb = (
        memory_per_case(ours, engine.discard) / 1024,
        memory_per_case(theirs, lambda model: None) / 1024,
    )
    vs_bare = statistics.median(our_rate) * anchor
    _recorded["cases_events_per_s_vs_bare"] = vs_bare
    print(f"3. Many cases: {cases:,} live cases of {len(events)} events ({rounds} interleaved rounds):")
    print(
        f"   procsim            {spread([r / 1e3 for r in our_rate], '{:.0f}')}k events/s, {ours_kb:6.1f} KB per live case"
    )
    print(
        f"   bare transitions   {spread([r / 1e3 for r in their_rate], '{:.0f}')}k triggers/s, {theirs_kb:6.1f} KB per live case"
    )
    if TODAY["cases_events_per_s_vs_bare"]:
        today = TODAY["cases_events_per_s_vs_bare"] / anchor
        gain = statistics.median(our_rate) / today
        print(
            f"   vs today ({today / 1e3:.0f}k events/s now): {gain:.2f}x   (target >= 4x: {verdict(gain >= 4)})"
        )
    print(f"   memory per live case: {ours_kb:.1f} KB   (target <= 10 KB: {verdict(ours_kb <= 10)})")


# ---------------------------------------------------------------------- 4. routes
def bench_routes(rounds: int = 3) -> None:
    from procsim.analysis.routes import RouteSpace
    from procsim.io.process_reader import load_process

    process = load_process("police_misconduct_ew")
    timings: dict[int, list[float]] = {0: [], 1: []}
    reports = {}
    for _ in range(rounds):
        for loops in (0, 1):
            start = time.process_time()
            reports[loops] = RouteSpace(process).report(max_loops=loops)
            timings[loops].append(time.process_time() - start)
    print(
        f"4. Route counting over the full model ({len(process.states)} states, {len(process.transitions)} transitions; {rounds} rounds):"
    )
    for loops in (0, 1):
        report = reports[loops]
        print(
            f"   --max-loops {loops}: {report.total:>22,} routes, {report.nodes:,} nodes, "
            f"{spread(timings[loops], '{:.3f}')} s"
        )
    # the reference: the same model counted one node per history (no region summarised) and
    # forgetting only what no route reads whatever the facts' values (no key facts): slower, over
    # more nodes, and it must give the same counts and the same shortest routes
    reference = RouteSpace(process, key_facts=False, regions=({}, [])).report(max_loops=1)
    same = reference.figures == reports[1].figures and [o.shortest for o in reference.outcomes] == [
        o.shortest for o in reports[1].outcomes
    ]
    print(
        f"   reference without key facts: {reference.total:,} routes, {reference.nodes:,} nodes: "
        f"{'every count and shortest route the same' if same else 'COUNTS DIFFER'}"
    )
    median = statistics.median(timings[1])
    ok = median <= 0.7 and same
    print(f"   default (--max-loops 1): {median:.3f} s   (target <= 0.7 s, counts unchanged: {verdict(ok)})")


# ---------------------------------------------------------------------- 5. check
def generated_scenarios(folder: Path, count: int) -> None:
    """``count`` valid scenario files: filled-in scaffolds of shortest routes to several outcomes."""
    from procsim.analysis.routes import RouteSpace
    from procsim.analysis.scaffold import plan_scaffold, scaffold_yaml
    from procsim.io.process_reader import load_process

    process = load_process("police_misconduct_ew")
    space = RouteSpace(process)
    texts = []
    for target in (
        "barred_list",
        "would_have_been_dismissed",
        "final_written_warning_extended",
        "rprp_concluded",
        "review_not_upheld",
        "pat_appeal_dismissed",
        "jr_claim_dismissed",
        "uksc_appeal_dismissed",
    ):
        texts.append(_fill(scaffold_yaml(plan_scaffold(process, target, space=space))))
    for number in range(count):
        (folder / f"generated-{number:05d}.yaml").write_text(texts[number % len(texts)])


def _fill(text: str) -> str:
    date = "2019-06-03" if "before 2020-02-01" in text else "2021-03-01"
    text = re.sub(r'(date|as_of): "TODO[^"]*"', rf'\1: "{date}"', text)
    text = text.replace('url: "TODO: its address', 'url: "https://example.org/made-up').replace(
        "TODO-source", "src"
    )
    return re.sub(r'"TODO: ([^"]*)"', r'"Generated: \1"', text)


def bench_check(anchor: float, counts: Sequence[int] = (10, 100, 1000, 10_000)) -> None:
    from procsim.cli.main import main
    from procsim.io import yaml_cache

    def check(folder: Path) -> float:
        """One `procsim check` of ``folder``, as a fresh command finds its files: none parsed yet
        (the YAML cache keeps the last 32 files a process parsed, so a second check of a small
        folder would measure no parsing at all)."""
        yaml_cache.clear()
        sink = io.StringIO()
        start = time.process_time()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            code = main(["check", str(folder)])
        elapsed = time.process_time() - start
        assert code == 0, sink.getvalue()[-2000:]
        return elapsed

    print("5. procsim check on generated scenario files (in process, after a warm-up):")
    root = Path(tempfile.mkdtemp(prefix="procsim-bench-"))
    try:
        per_file = {}
        for count in counts:
            folder = root / str(count)
            folder.mkdir()
            generated_scenarios(folder, count)
            if count == counts[0]:
                check(folder)  # warm-up: load the process and build its engine once
            # a small folder is checked in milliseconds: the median of a few checks
            elapsed = statistics.median(check(folder) for _ in range(max(1, min(9, 1000 // count))))
            per_file[count] = elapsed / count
            print(f"   {count:>6,} files: {elapsed:7.3f} s, {per_file[count] * 1e3:6.2f} ms per file")
        largest, smallest = max(per_file.values()), min(per_file.values())
        growth = largest / smallest
        print(
            f"   per file, slowest vs fastest: {growth:.2f}x   (target: flat, <= 1.5x: {verdict(growth <= 1.5)})"
        )
        mean = per_file[counts[-1]]
        _recorded["check_per_file_vs_bare_replay"] = mean / anchor
        if TODAY["check_per_file_vs_bare_replay"]:
            today = TODAY["check_per_file_vs_bare_replay"] * anchor
            ratio = mean / today
            print(
                f"   {counts[-1]:,} files vs today ({today * 1e3:.2f} ms per file now): {ratio:.2f}x"
                f"   (target <= 0.25x: {verdict(ratio <= 0.25)})"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def bench_startup() -> None:
    procsim = BIN / "procsim"
    python = BIN / "python"

    def median_wall(command: list[str], runs: int = 15) -> float:
        times = []
        env = bytecode_env()
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    median_wall([str(procsim), "--help"], 3)  # warm the file cache and the bytecode
    ours = median_wall([str(procsim), "--help"])
    theirs = median_wall([str(python), "-c", "import transitions"])
    ratio = ours / theirs
    print("6. Start-up (wall clock, median of 15 runs):")
    print(f"   procsim --help                 {ours * 1e3:6.1f} ms")
    print(f"   python -c 'import transitions' {theirs * 1e3:6.1f} ms")
    print(f"   ratio                          {ratio:6.2f}x   (target <= 2x: {verdict(ratio <= 2)})")


def bench_page() -> None:
    from procsim.cli.main import main as procsim

    print("7. The case page (procsim html oconnor):")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "oconnor.html"
        start = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):
            procsim(["--scenarios", str(ROOT / "scenarios"), "html", "oconnor", "-o", str(path)])
        built = time.perf_counter() - start
        size = path.stat().st_size
        print(f"   build                {built:7.3f} s")
        print(
            f"   size                 {size / 1e6:7.3f} MB   (target < 1.5 MB: {verdict(size < 1_500_000)})"
        )
        chromium = os.environ.get("PROCSIM_CHROMIUM", "/usr/bin/chromium")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            print("   load: skipped (Playwright for Python is not installed)")
            return
        if not Path(chromium).exists():
            print(f"   load: skipped (no browser at {chromium}; apt-get install chromium)")
            return
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ]
        loads, walls = [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=flags)
            for _ in range(9):
                context = browser.new_context(viewport={"width": 1920, "height": 1080})
                page = context.new_page()
                start = time.perf_counter()
                page.goto(path.as_uri() + "#step-13", wait_until="load")
                page.wait_for_function("window.procsimPage !== undefined")
                walls.append(time.perf_counter() - start)
                loads.append(
                    page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1e3
                )
                context.close()
            browser.close()
        load, wall = statistics.median(loads), statistics.median(walls)
        print(f"   load (in the page)   {load:7.3f} s   (target < 1 s: {verdict(load < 1)})")
        print(f"   load (wall clock)    {wall:7.3f} s   (navigation to the page's script run, from Python)")


def main() -> int:
    print(f"procsim benchmark - Python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs")
    bench_commands()
    anchor = bench_replay()
    # --record (today's code) stops at 1,000 files and one round of many cases: its time per file
    # is flat already, and its many cases take minutes (``add_model`` for each live case)
    bench_cases(anchor, rounds=1 if RECORD else 3)
    bench_routes()
    bench_check(anchor, (10, 100, 1000) if RECORD else (10, 100, 1000, 10_000))
    if not RECORD:
        bench_startup()
        bench_page()
    if RECORD:
        print("TODAY figures:", {name: round(value, 3) for name, value in _recorded.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
