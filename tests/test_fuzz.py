"""Fuzzers, bounded: a few dozen to a few hundred examples each by default; set
``PROCSIM_FUZZ_EXAMPLES`` to run more (e.g. 10000 before a release)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SCENARIOS
from procsim.core.dates import PartialDate
from procsim.core.errors import ProcsimError
from procsim.core.text import printable
from strategies import GOOD_EVENTS, HEADER, fact_overrides, trigger_names

SCALE = int(os.environ.get("PROCSIM_FUZZ_EXAMPLES", "0")) or None


def examples(default: int) -> settings:
    return settings(
        max_examples=SCALE or default,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "x [/] y",
            "[link=https://evil.example]z[/link]",
            'a"b\\c',
            "<b>&amp;</b> ]]> -- <!-- {x} |y|",
            "\x1b[2J\x1b]52;c;aGk=\x07",
            "line\nscenarios/oconnor.yaml: all valid",
            "\u202e\ufffe\uffff\x85\x9b",
            "%%{init: {}}%% end",
        ]
    ),
)
CONTROL = set(map(chr, [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]))


# ---------------------------------------------------------------------- the engine
@examples(200)
@given(data=st.data())
def test_event_sequences_raise_only_procsim_errors(engine, process, data):
    case = engine.new_case(data.draw(fact_overrides(process)))
    actors = st.one_of(st.none(), st.sampled_from(sorted(process.actors)), st.text(max_size=8))
    dates = st.one_of(st.none(), st.builds(PartialDate, st.integers(1800, 2200), st.none(), st.none()))
    try:
        for trigger in data.draw(st.lists(trigger_names(process), max_size=30)):
            try:
                engine.fire(case, trigger, actor=data.draw(actors), date=data.draw(dates))
            except ProcsimError as error:
                assert "\n" not in str(error)
    finally:
        engine.discard(case)


# ---------------------------------------------------------------------- scenario files
def _mutate(text: str, rng: random.Random, junk: str) -> str:
    lines = text.split("\n")
    kind = rng.randrange(7)
    at = rng.randrange(len(lines))
    if kind == 0:
        del lines[at]
    elif kind == 1:
        lines.insert(at, lines[rng.randrange(len(lines))])
    elif kind == 2 and ":" in lines[at]:
        key = lines[at].split(":", 1)[0]
        lines[at] = f"{key}: {json.dumps(junk)}"
    elif kind == 3:
        return text[: rng.randrange(len(text))]
    elif kind == 4:
        cut = rng.randrange(len(text))
        return text[:cut] + junk + text[cut:]
    elif kind == 5 and ":" in lines[at]:
        key = lines[at].split(":", 1)[0]
        lines[at] = f"{key}: " + rng.choice(["~", "[]", "{}", "9" * 5000, "0x" + "f" * 200, ".inf", "'٢٠٢١'"])
    else:
        lines[at] = lines[at].replace(" ", "", 1)
    return "\n".join(lines)


SCENARIO_TEXTS = {path.name: path.read_text(encoding="utf-8") for path in sorted(SCENARIOS.glob("*.yaml"))}


@examples(30)
@given(name=st.sampled_from(sorted(SCENARIO_TEXTS)), seed=st.integers(0, 2**32), junk=HOSTILE)
def test_mutated_scenarios_get_one_line_per_problem_naming_the_file(name, seed, junk):
    from procsim.cli.main import main

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        for other, text in SCENARIO_TEXTS.items():  # so that 'extends' resolves
            Path(folder, other).write_text(text, encoding="utf-8")
        path = Path(folder, name)
        path.write_bytes(_mutate(SCENARIO_TEXTS[name], rng, junk).encode("utf-8", "surrogatepass"))
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", str(path)])
    assert code in (0, 1, 3), err.getvalue()
    for line in out.getvalue().splitlines()[:-1]:  # the last line is the summary
        assert line.startswith(str(path) + ":"), line
        assert not CONTROL & set(line), line


# ---------------------------------------------------------------------- output formats
@examples(15)
@given(title=HOSTILE, summary=HOSTILE)
def test_hostile_text_through_every_output_format(title, summary):
    import pygraphviz

    from procsim.cli.output import print_rich
    from procsim.io.scenario_reader import read_scenario
    from procsim.render.diagram import extract
    from procsim.render.diagram.catalogue import Drawing
    from procsim.render.text import replay_text
    from procsim.workspace import replay_scenario

    text = HEADER.replace('"A test case"', json.dumps(title)) + GOOD_EVENTS.replace(
        '"Complaint."', json.dumps(summary)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "case.yaml")
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        scenario, errors = read_scenario(path)
    if scenario is None:  # refused: with one line per problem
        assert errors and all("\n" not in str(error) and not CONTROL & set(str(error)) for error in errors)
        return
    replayed = replay_scenario(scenario)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print_rich(replay_text(replayed.process, replayed.replay, replayed.runs))
    assert not CONTROL & set(out.getvalue())
    path_drawing = Drawing("case", extract.path_diagram(replayed.process, replayed.replay))
    dot = path_drawing.render("dot").decode()
    pygraphviz.AGraph(string=dot)  # parses back
    ElementTree.fromstring(path_drawing.render("svg"))  # well-formed XML
    mermaid = path_drawing.render("mermaid").decode()
    assert printable(mermaid) == mermaid
    timeline = Drawing("case-timeline", extract.timeline_diagram(replayed.process, replayed.replay))
    ElementTree.fromstring(timeline.render("svg"))
    assert printable(timeline.render("mermaid").decode()) == timeline.render("mermaid").decode()
