"""The case page (`procsim html`) in a real browser: Debian's headless Chromium, driven by
Playwright for Python with ``executable_path`` set to the system browser (never
``playwright install``).

Without a browser or Playwright these tests skip, saying how to enable them; under
``CI=true`` they must run, so a missing browser fails them.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procsim.cli.main import main
from procsim.core.dates import PartialDate
from procsim.core.engine import Engine
from procsim.core.model import fact_words, value_words
from procsim.core.stepper import Choice, Stepper, numbered
from procsim.io.scenario_reader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
CHROMIUM = os.environ.get("PROCSIM_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOW = (
    "install Debian's chromium (apt-get install chromium) and the test extra "
    "(pip install -e '.[test]'); set PROCSIM_CHROMIUM if the browser is elsewhere. "
    "Never run `playwright install`: the tests use the system browser."
)


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    if not Path(CHROMIUM).exists():
        return f"no browser at {CHROMIUM}"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = _unavailable()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {missing}; {HOW}")
        pytest.skip(f"browser tests skipped: {missing}; to enable them, {HOW}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    result = {}
    for name, args in (("oconnor", ["oconnor"]), ("process", ["--process"])):
        path = folder / f"{name}.html"
        assert main(["--scenarios", str(SCENARIOS), "html", *args, "-o", str(path)]) == 0
        result[name] = path
    return result


@pytest.fixture(scope="module")
def stepper(engine) -> Stepper:
    return Stepper(engine, load_scenario(SCENARIOS / "oconnor.yaml"))


class Opened:
    """A page opened from file://, with every request it made and every script error."""

    def __init__(self, browser, path: Path, width: int = 1920, height: int = 1080, fragment: str = ""):
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.goto(path.as_uri() + fragment)

    def panel(self) -> str:
        return self.page.locator("#panel").inner_text()

    def current(self) -> str:
        return self.page.locator("#map-svg .current").first.get_attribute("data-state") or ""

    def close(self) -> None:
        self.page.close()
        assert not self.errors, self.errors
        assert self.requests and all(url.startswith("file://") for url in self.requests), self.requests


@pytest.fixture
def opened(browser, pages):
    made: list[Opened] = []

    def open_page(name: str = "oconnor", **kwargs: Any) -> Opened:
        item = Opened(browser, pages[name], **kwargs)
        made.append(item)
        return item

    yield open_page
    for item in made:
        item.close()


# ---------------------------------------------------------------------- stepping
@pytest.mark.parametrize("number", [1, 12, 13, 22, 33])
def test_each_step_lights_its_state_and_shows_the_stepper_content(opened, stepper, process, number):
    page = opened(fragment=f"#step-{number}")
    step = stepper.steps[number - 1]
    event = step.event
    assert page.current() == step.after
    text = page.panel()
    assert f"Step {number} of {stepper.total}" in text
    assert event.date.human() in text and f"date known to the {event.date.precision}" in text
    assert event.summary in text
    assert process.states[step.after].label in text
    basis = step.transition.basis if step.transition else step.side_event.basis  # type: ignore[union-attr]
    assert " ".join(basis.split()) in " ".join(text.split())
    sources = stepper.scenario.sources  # type: ignore[union-attr]
    for sid in event.sources:
        assert sources[sid].publisher in text
    for item in event.discrepancies:
        assert item.topic in text and item.why in text
    stepper.jump(number)
    for run in stepper.running_limits():
        assert run.limit.describe() in text
    # the step's own path segment lights up, later ones do not
    assert page.page.locator(f'#map-svg .now[data-steps~="{number}"]').count() >= (1 if step.moved else 0)


def test_arrow_keys_step_list_and_fragment(opened, stepper):
    page = opened(fragment="#step-5")
    assert page.page.locator("#jump").input_value() == "5"
    page.page.keyboard.press("ArrowRight")
    assert page.page.evaluate("location.hash") == "#step-6"
    assert page.current() == stepper.steps[5].after
    page.page.keyboard.press("ArrowLeft")
    page.page.keyboard.press("ArrowLeft")
    assert page.page.evaluate("location.hash") == "#step-4"
    page.page.select_option("#jump", "20")
    assert "Step 20 of" in page.panel() and page.page.evaluate("location.hash") == "#step-20"
    page.page.click("#prev")
    assert "Step 19 of" in page.panel()


def test_options_mark_the_one_taken_and_group_the_blocked(opened, stepper, process):
    page = opened(fragment="#step-13")  # the sanction: a real choice among many
    choices = stepper.choices_at(12)
    taken = next(c for c in choices if c.taken)
    assert (
        page.page.locator(
            f'.options li.taken[data-t="{process.transitions.index(taken.transition)}"]'
        ).count()
        == 1
    )
    text = page.panel()
    open_steps = {(c.transition.trigger, c.transition.dest) for c in choices if c.option.allowed}
    for choice in choices:
        if (choice.transition.trigger, choice.transition.dest) in open_steps:
            continue  # another version of an open step (a rule of another date): the page shows the open one
        for failure in choice.option.blocked_by:
            assert failure.guard.reason in text
    assert "Facts read:" in text


@pytest.mark.parametrize("number", [3, 4, 13])  # a date and a text, a yes/no, a sanction
def test_fact_changes_are_in_the_terminals_words(opened, stepper, process, number):
    """The panel words each fact change as replay and the stepper do (model.fact_words and
    value_words), with an arrow for '->': 'sanction: none -> final written warning'."""
    text = opened(fragment=f"#step-{number}").panel()
    changes = stepper.steps[number - 1].changes
    assert changes
    for fact, old, new in changes:
        words = f"{fact_words(process, fact)}: {value_words(old)} \u2192 {value_words(new)}"
        assert f"Fact: {words}" in text
    assert "unset" not in text


# ---------------------------------------------------------------------- what-if
def test_what_if_branch_then_back_and_export(opened, tmp_path):
    page = opened(fragment="#step-13")
    page.page.locator("button.whatif").first.click()
    assert "what-if branch" in page.panel()
    first = page.current()
    assert first and first != "final_written_warning"
    page.page.locator("button.take").first.click()
    assert "What-if step 2 of 2" in page.panel()
    page.page.click("#prev")
    assert "What-if step 1 of 2" in page.panel() and page.current() == first
    page.page.click("#next")
    page.page.click("#export")
    text = page.page.locator("#yaml").inner_text()
    scenarios = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, scenarios)
    saved = scenarios / "oconnor-whatif-browser.yaml"
    saved.write_text(text, encoding="utf-8")
    assert main(["--scenarios", str(scenarios), "check", str(saved)]) == 0
    page.page.click("#back-to-case")
    assert "what-if branch" not in page.panel()
    assert page.page.evaluate("location.hash") == "#step-13" and page.current() == "final_written_warning"


def test_the_bare_process_page_explores_from_the_start(opened, process):
    page = opened("process")
    assert page.current() == process.initial
    page.page.locator("button.whatif").first.click()
    assert page.current() == "complaint_received" or "what-if branch" in page.panel()


# ---------------------------------------------------------------------- classroom
def test_quiz_scores_only_real_choices(opened, stepper):
    page = opened(fragment="#step-0")
    page.page.click('[data-mode="quiz"]')
    questions = right = 0
    for position in range(stepper.total):
        step = stepper.steps[position]
        if not step.moved:
            continue
        offered = numbered(stepper.choices_at(position), include_taken=True)
        options = page.page.locator("button.guess")
        assert options.count() == len(offered)
        if len(offered) > 1:
            questions += 1
            first = offered[0]
            right += (first.trigger, first.dest) == (step.transition.trigger, step.transition.dest)  # type: ignore[union-attr]
            options.first.click()
            assert "Why the law allowed it" in page.panel()
        else:
            page.page.click("#reveal")
            assert "Why the law required it" in page.panel()
        page.page.click("#next-question")
    assert f"Final score: {right} of {questions}" in page.panel()
    assert questions < sum(1 for s in stepper.steps if s.moved)  # one-way steps are not questions


def test_timeline_links_to_the_steps(opened):
    page = opened(fragment="#step-0")
    page.page.click('[data-mode="timeline"]')
    assert "Timeline" in page.panel()
    page.page.locator('.timeline a[href="#step-12"]').click()
    assert "Step 12 of" in page.panel()


@pytest.mark.parametrize("fragment", ["#step-0", "#step-13", "#step-33"])
def test_the_map_follows_the_case_inside_the_drawing(opened, fragment):
    """The map shows the current stage, and a stage near the drawing's edge is shown with the
    drawing's edge at the window's: at the start, the title at the top left, not empty space."""
    page = opened(fragment=fragment)
    view = page.page.locator("#map-view").bounding_box()
    drawing = page.page.locator("#map-svg g.graph").first.bounding_box()
    current = page.page.locator("#map-svg .current").first.bounding_box()
    assert view and drawing and current
    right, bottom = view["x"] + view["width"], view["y"] + view["height"]
    assert view["x"] <= current["x"] and current["x"] + current["width"] <= right
    assert view["y"] <= current["y"] and current["y"] + current["height"] <= bottom
    # the drawing covers the whole window (zoomed in, it is larger than the window both ways)
    assert drawing["x"] <= view["x"] + 1 and drawing["x"] + drawing["width"] >= right - 1
    assert drawing["y"] <= view["y"] + 1 and drawing["y"] + drawing["height"] >= bottom - 1
    if fragment == "#step-0":
        title = page.page.locator("#map-svg text", has_text="R (O'Connor) v Police").first.bounding_box()
        assert title and view["x"] <= title["x"] and view["y"] <= title["y"]
        assert title["x"] + title["width"] <= right


# ---------------------------------------------------------------------- access, size, screenshots
def test_every_control_has_an_accessible_name(opened):
    page = opened()
    nameless = page.page.evaluate(
        """() => Array.from(document.querySelectorAll('button, select, input, a[href]')).filter(
            e => !(e.getAttribute('aria-label') || e.textContent.trim() || (e.id && document.querySelector('label[for="' + e.id + '"]'))
                   || e.closest('label'))).map(e => e.outerHTML)"""
    )
    assert nameless == []
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("document.activeElement.className") == "skip"


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_screenshots(opened, tmp_path, size):
    page = opened(width=size[0], height=size[1], fragment="#step-13")
    shot = tmp_path / f"oconnor-{size[0]}x{size[1]}.png"
    page.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    # the map and the panel share the screen; nothing spills past it
    width = page.page.evaluate("document.documentElement.scrollWidth")
    assert width <= size[0]
    box = page.page.locator("#map-view").bounding_box()
    assert box is not None and box["width"] > size[0] * 0.5 and box["height"] > size[1] * 0.5


def test_the_page_is_small_and_deterministic(pages, tmp_path):
    data = pages["oconnor"].read_bytes()
    assert len(data) < 1_500_000
    again = tmp_path / "again.html"
    assert main(["--scenarios", str(SCENARIOS), "html", "oconnor", "-o", str(again)]) == 0
    assert again.read_bytes() == data


# ---------------------------------------------------------------------- the evaluator vs the engine
WALK_JS = """([start, choices]) => {
  const D = JSON.parse(document.getElementById('procsim-data').textContent), P = D.process;
  let state = D.case.positions[start].state, facts = D.case.positions[start].facts;
  let date = start > 0 ? D.case.steps[start - 1].date : '2000';
  const out = [];
  for (let i = 0; ; i++) {
    const options = Procsim.options(P, state, facts);
    out.push({state, facts, options: options.map(o => [o.t, o.blocked.map(b => b.text)])});
    const open = Procsim.numbered(P, options, true);
    if (i >= choices.length || !open.length) break;
    const t = open[choices[i] % open.length];
    const move = Procsim.fire(P, state, facts, t.trigger, t.actors[0], date);
    state = move.state; facts = move.facts;
  }
  return out;
}"""


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (bool, int, str)) else str(value)


def _python_walk(engine: Engine, stepper: Stepper | None, start: int, choices: list[int]) -> list[dict]:
    initial = dict(stepper.initial_facts()) if stepper else {}
    case = engine.new_case(initial)
    try:
        events = stepper.events[:start] if stepper else []
        for event in events:
            engine.apply(case, event)
        date = events[-1].date if events else PartialDate(2000)
        out = []
        for index in range(len(choices) + 1):
            options = engine.options(case)
            out.append(
                {
                    "state": case.state,
                    "facts": {k: _plain(v) for k, v in case.facts.items()},
                    "options": [
                        [engine.process.transitions.index(o.transition), [f.describe() for f in o.blocked_by]]
                        for o in options
                    ],
                }
            )
            open_ = numbered([Choice(o) for o in options], include_taken=True)
            if index >= len(choices) or not open_:
                break
            chosen = open_[choices[index] % len(open_)]
            engine.fire(case, chosen.trigger, actor=chosen.actors[0], date=date)
        return out
    finally:
        engine.discard(case)


@pytest.fixture(scope="module")
def evaluator_pages(browser, pages):
    opened = {name: browser.new_page() for name in ("oconnor", "process")}
    for name, page in opened.items():
        page.goto(pages[name].as_uri())
    yield opened
    for page in opened.values():
        page.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_page_evaluator_agrees_with_the_engine(evaluator_pages, engine, stepper, data):
    """Random what-if walks, from a random point of O'Connor or from the start of the bare
    process: the options the page offers, the reasons it gives for each blocked one, the
    state each move reaches and the facts it leaves are exactly the engine's."""
    on_case = data.draw(st.booleans(), label="from the case")
    start = data.draw(st.integers(0, stepper.total), label="branch after") if on_case else 0
    choices = data.draw(st.lists(st.integers(0, 50), max_size=10), label="choices")
    page = evaluator_pages["oconnor" if on_case else "process"]
    in_page = page.evaluate(WALK_JS, [start, choices])
    in_python = _python_walk(engine, stepper if on_case else None, start, choices)
    assert json.loads(json.dumps(in_page)) == in_python


VALUE_WORDS_JS = """(pairs) => {
  const P = JSON.parse(document.getElementById('procsim-data').textContent).process;
  return pairs.map(([name, value]) => [Procsim.factWords(P, name), Procsim.valueWords(P, name, value)]);
}"""


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_page_words_facts_as_the_terminal_does(evaluator_pages, process, data):
    """evaluate.js factWords/valueWords give exactly model.fact_words/value_words, for every
    fact and derived fact (and an unknown name), with values of each fact's type."""
    names = [*process.facts, *process.derived, "not_a_fact"]
    dates = st.builds(
        PartialDate, st.integers(1800, 2200), st.one_of(st.none(), st.integers(1, 12))
    ) | st.dates(date(1800, 1, 1), date(2200, 12, 31)).map(lambda d: PartialDate(d.year, d.month, d.day))

    def value_for(name: str) -> st.SearchStrategy[Any]:
        spec = process.facts.get(name)
        plain = st.one_of(st.none(), st.booleans(), st.text(alphabet="ab_ 3", max_size=8))
        if spec is not None and spec.type == "date":
            return st.one_of(st.none(), dates)
        if spec is not None and spec.values:
            return st.one_of(st.sampled_from(spec.values), plain)
        return plain

    pairs = data.draw(
        st.lists(st.sampled_from(names).flatmap(lambda n: st.tuples(st.just(n), value_for(n))), max_size=20)
    )
    in_page = evaluator_pages["process"].evaluate(VALUE_WORDS_JS, [[n, _plain(v)] for n, v in pairs])
    assert [tuple(x) for x in in_page] == [(fact_words(process, n), value_words(v)) for n, v in pairs]
