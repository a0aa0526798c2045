"""procsim's benchmark: run with `make bench`. A benchmark, not a test: it prints figures and
whether each target is met, and always exits 0.

1. Replaying the O'Connor scenario through procsim, against the same trigger sequence on a bare
   `transitions` Machine (same states and transitions, no guards or callbacks; a fresh model
   added and removed per run, as procsim does per case). Target: at most 1.5x.
2. Counting every route of the full model (`procsim paths`, default --max-loops 1), from a loaded
   process: building the analysis, counting and the shortest route to each outcome. Target: < 1 s.
3. `procsim check` on 10, 100 and 1,000 generated scenario files (filled-in scaffolds of shortest
   routes to different outcomes), in process after a warm-up. Target: time per file flat (the
   largest run within 1.5x of the smallest per file).
4. Start-up: `procsim --help` against `python -c "import transitions"`, as processes (median of
   15 runs each). Target: at most 2x.
5. The case page: `procsim html oconnor` (build time, size) and the time it takes to open offline
   from file:// in headless Chromium (Debian's, driven by Playwright; median of 9 loads, each in a
   fresh browser context, to the load event with the page's script run). Targets: < 1.5 MB, < 1 s.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def best_of(function, number: int, repeat: int = 5) -> float:
    """The best mean time per call, in seconds, over ``repeat`` rounds of ``number`` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def verdict(ok: bool) -> str:
    return "target met" if ok else "TARGET MISSED"


def bench_replay() -> None:
    from transitions import Machine

    from procsim.core.engine import replay
    from procsim.io.process_reader import load_process
    from procsim.io.scenario_reader import load_scenario
    from procsim.workspace import engine_for

    scenario = load_scenario(ROOT / "scenarios" / "oconnor.yaml")
    process = load_process(scenario.process)
    engine = engine_for(process)
    result = replay(engine, scenario)
    triggers = [event.trigger for event in scenario.events if event.trigger]
    bare = Machine(model=None, states=list(process.states), initial=process.initial, auto_transitions=False)
    for transition in process.transitions:
        bare.add_transition(transition.trigger, transition.source, transition.dest)

    class Model:
        state = ""

    def run_bare() -> str:
        model = Model()
        bare.add_model(model, initial=process.initial)
        for trigger in triggers:
            model.trigger(trigger)
        bare.remove_model(model)
        return model.state

    assert run_bare() == result.final_state, "the bare machine must end where procsim does"
    ours = best_of(lambda: replay(engine, scenario), 200)
    theirs = best_of(run_bare, 200)
    ratio = ours / theirs
    print(f"1. Replay of oconnor ({len(scenario.events)} events, {len(triggers)} triggers):")
    print(f"   procsim replay        {ours * 1e6:8.0f} us")
    print(f"   bare transitions      {theirs * 1e6:8.0f} us")
    print(f"   ratio                 {ratio:8.2f}x   (target <= 1.5x: {verdict(ratio <= 1.5)})")


def bench_routes() -> None:
    from procsim.analysis.routes import RouteSpace
    from procsim.io.process_reader import load_process

    process = load_process("police_misconduct_ew")
    timings = {}
    reports = {}
    for loops in (0, 1):
        start = time.perf_counter()
        reports[loops] = RouteSpace(process).report(max_loops=loops)
        timings[loops] = time.perf_counter() - start
    print(
        f"2. Route counting over the full model ({len(process.states)} states, {len(process.transitions)} transitions):"
    )
    for loops in (0, 1):
        report = reports[loops]
        print(
            f"   --max-loops {loops}: {report.total:>26,} routes to {sum(1 for o in report.outcomes if o.count)} "
            f"outcomes, {report.nodes:,} nodes, {timings[loops]:.3f} s"
        )
    print(f"   default (--max-loops 1): {timings[1]:.3f} s   (target < 1 s: {verdict(timings[1] < 1)})")


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
        (folder / f"generated-{number:04d}.yaml").write_text(texts[number % len(texts)])


def _fill(text: str) -> str:
    date = "2019-06-03" if "before 2020-02-01" in text else "2021-03-01"
    text = re.sub(r'(date|as_of): "TODO[^"]*"', rf'\1: "{date}"', text)
    text = text.replace('url: "TODO: its address', 'url: "https://example.org/made-up').replace(
        "TODO-source", "src"
    )
    return re.sub(r'"TODO: ([^"]*)"', r'"Generated: \1"', text)


def bench_check() -> None:
    from procsim.cli.main import main

    def check(folder: Path) -> float:
        sink = io.StringIO()
        start = time.perf_counter()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            code = main(["check", str(folder)])
        elapsed = time.perf_counter() - start
        assert code == 0, sink.getvalue()[-2000:]
        return elapsed

    print("3. procsim check on generated scenario files (in process, after a warm-up):")
    root = Path(tempfile.mkdtemp(prefix="procsim-bench-"))
    try:
        per_file = {}
        for count in (10, 100, 1000):
            folder = root / str(count)
            folder.mkdir()
            generated_scenarios(folder, count)
            if count == 10:
                check(folder)  # warm-up: load the process and build its engine once
            elapsed = check(folder)
            per_file[count] = elapsed / count
            print(f"   {count:>5} files: {elapsed:7.3f} s, {per_file[count] * 1e3:6.2f} ms per file")
        growth = per_file[1000] / per_file[10]
        print(f"   per file, 1,000 vs 10: {growth:.2f}x   (target: flat, <= 1.5x: {verdict(growth <= 1.5)})")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def bench_startup() -> None:
    procsim = BIN / "procsim"
    python = BIN / "python"

    def median_wall(command: list[str], runs: int = 15) -> float:
        times = []
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="0")
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    median_wall([str(procsim), "--help"], 3)  # warm the file cache and the bytecode
    ours = median_wall([str(procsim), "--help"])
    theirs = median_wall([str(python), "-c", "import transitions"])
    ratio = ours / theirs
    print("4. Start-up (median of 15 runs):")
    print(f"   procsim --help                 {ours * 1e3:6.1f} ms")
    print(f"   python -c 'import transitions' {theirs * 1e3:6.1f} ms")
    print(f"   ratio                          {ratio:6.2f}x   (target <= 2x: {verdict(ratio <= 2)})")


def bench_page() -> None:
    from procsim.cli.main import main as procsim

    print("5. The case page (procsim html oconnor):")
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
    bench_replay()
    bench_routes()
    bench_check()
    bench_startup()
    bench_page()
    return 0


if __name__ == "__main__":
    sys.exit(main())
