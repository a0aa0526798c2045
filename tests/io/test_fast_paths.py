"""The fast paths give what the slow ones gave: libyaml's loader, the parse cache, the unbound
engine with compiled guards and narrowed fact diffs, the England & Wales holiday calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SCENARIOS
from procsim.core import deadlines
from procsim.core.dates import PartialDate
from procsim.core.engine import _changes
from procsim.core.errors import EngineError, LoadError
from procsim.core.model import compile_condition
from procsim.io import safe_yaml, yaml_cache
from procsim.io.process_reader import processes_dir
from procsim.io.safe_yaml import LDict, LList
from procsim.io.scenario_reader import load_scenario
from strategies import fact_overrides, trigger_names

needs_libyaml = pytest.mark.skipif(safe_yaml.LOADER is safe_yaml._Loader, reason="PyYAML without libyaml")
YAML_FILES = sorted(processes_dir().glob("*.yaml")) + sorted(SCENARIOS.glob("*.yaml"))


def located(value: Any) -> Any:
    """A loaded value with every line it carries, to compare two loaders' results."""
    if isinstance(value, LDict):
        return ("map", value.line, [(k, value.key_lines[k], located(v)) for k, v in value.items()])
    if isinstance(value, LList):
        return ("seq", value.line, value.item_lines, [located(v) for v in value])
    return (type(value).__name__, value)


@needs_libyaml
@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.name)
def test_libyaml_and_pure_loaders_give_the_same_data_and_lines(path, monkeypatch):
    text = path.read_text(encoding="utf-8")
    fast = safe_yaml.loads(text, str(path))
    monkeypatch.setattr(safe_yaml, "LOADER", safe_yaml._Loader)
    assert located(fast) == located(safe_yaml.loads(text, str(path)))


BAD_YAML = {
    "anchor": "a: &x 1\nb: 2\n",
    "alias": "a: &x [1]\nb: *x\n",
    "tag": "a: !!python/name:os.system x\n",
    "plain tag": "a: !!str 1\n",
    "merge": "base: {x: 1}\nc:\n  <<: {y: 2}\n",
    "duplicate": "a: 1\nb: 2\na: 3\n",
    "deep": "a: " + "[" * 65 + "]" * 65 + "\n",
    "very deep": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "not a key": "? [1, 2]\n: x\n",
    # value checks (issue 13), which the libyaml loader once skipped after a merge
    "control character": 'a: "x\\x1b[2J"\n',
    "long number": "a: " + "9" * 200 + "\n",
    "long text": "a: " + "x" * 10_001 + "\n",
}


@needs_libyaml
@pytest.mark.parametrize("name", sorted(BAD_YAML))
def test_libyaml_refuses_what_the_pure_loader_refuses_with_our_message(name, monkeypatch):
    text = BAD_YAML[name]
    with pytest.raises(LoadError) as fast:
        safe_yaml.loads(text, "x.yaml")
    monkeypatch.setattr(safe_yaml, "LOADER", safe_yaml._Loader)
    with pytest.raises(LoadError) as pure:
        safe_yaml.loads(text, "x.yaml")
    assert fast.value.message == pure.value.message
    assert fast.value.line == pure.value.line or name == "very deep"  # libyaml stops at its own limit
    refusal = "not allowed" in fast.value.message or "nesting deeper" in fast.value.message
    assert refusal or name in ("duplicate", "not a key", "control character", "long number", "long text")


def test_a_base_scenario_is_parsed_once_however_many_extend_it(monkeypatch):
    parsed: list[str] = []
    real = yaml_cache.load_file

    def counting(path):
        parsed.append(path.name)
        return real(path)

    monkeypatch.setattr(yaml_cache, "load_file", counting)
    yaml_cache.clear()
    extending = [p for p in sorted(SCENARIOS.glob("*.yaml")) if load_scenario(p).extends == "oconnor"]
    assert len(extending) >= 2
    assert parsed.count("oconnor.yaml") == 1
    assert len(parsed) == len(set(parsed))


def test_a_changed_file_is_parsed_again(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\n")
    first = yaml_cache.load_yaml(path)
    assert yaml_cache.load_yaml(path) is first
    path.write_text("a: 22\nb: 3\n")
    assert yaml_cache.load_yaml(path) == {"a": 22, "b": 3}
    path.unlink()
    with pytest.raises(LoadError, match="no such file"):
        yaml_cache.load_yaml(path)


def test_cases_are_driven_without_binding_them_to_the_machine(engine):
    case = engine.new_case()
    engine.fire(case, "make_complaint", date=PartialDate(2021, 3, 1))
    assert engine.machine.models == []
    assert not [name for name in dir(case) if name.startswith(("may_", "is_", "to_")) or name == "trigger"]
    engine.discard(case)  # still there for callers, and harmless
    engine.fire(case, "record_complaint")
    assert case.state == "recorded"


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_steps_record_exactly_the_facts_that_changed(engine, process, data):
    """The engine diffs only the facts an event can change; a full diff finds nothing else."""
    case = engine.new_case(data.draw(fact_overrides(process)))
    for trigger in data.draw(st.lists(trigger_names(process), max_size=30)):
        before = dict(case.facts)
        facts = data.draw(fact_overrides(process))
        try:
            step = engine.fire(case, trigger, date=PartialDate(2021, 3, 1), facts=facts)
        except EngineError:
            assert case.facts == before  # a refused event changes nothing
            continue
        assert step.changes == _changes(before, case.facts)
        assert engine._view(case.facts) == case.view()  # derived facts, cached per date


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_compiled_guards_hold_when_the_guards_hold(process, data):
    facts = process.default_facts() | data.draw(fact_overrides(process))
    for guard in process.guards.values():
        assert compile_condition(guard.condition)(facts) == guard.condition.holds(facts)


def test_england_and_wales_calendar_is_the_libraries_own():
    import holidays

    years = range(1995, 2036)
    ours = {day for year in years for day in deadlines._bank_holidays(year)}
    theirs = set(holidays.country_holidays("GB", subdiv="ENG", years=years))
    assert ours == theirs
    assert dt.date(2022, 9, 19) in ours  # a one-off: the State Funeral of Queen Elizabeth II


def test_yaml_module_has_the_loader_we_use():
    assert safe_yaml.LOADER is safe_yaml._Loader or issubclass(safe_yaml.LOADER, yaml.CSafeLoader)


@needs_libyaml
@pytest.mark.parametrize(
    "text",
    [
        'a: "R (X) v Y & Z!"\nb: [1, {c: "*not an alias*"}]\n',  # the characters, but no anchor or tag
        "a: " + "[" * 63 + "1" + "]" * 63 + "\n",  # as deep as allowed
    ],
)
def test_texts_loaded_with_or_without_the_event_scan_match_the_pure_loader(text, monkeypatch):
    fast = safe_yaml.loads(text, "x.yaml")
    monkeypatch.setattr(safe_yaml, "LOADER", safe_yaml._Loader)
    assert located(fast) == located(safe_yaml.loads(text, "x.yaml"))


def _dated_facts(process) -> st.SearchStrategy[dict]:
    """Random bool/enum facts and dates for every date fact (which decide the derived facts)."""
    dates = st.builds(
        PartialDate, st.integers(2010, 2026), st.one_of(st.none(), st.integers(1, 12)), st.none()
    ) | st.builds(PartialDate.of, st.dates(dt.date(2010, 1, 1), dt.date(2026, 12, 31)))
    dated = {name: dates for name, spec in process.facts.items() if spec.type == "date"}
    return st.tuples(fact_overrides(process), st.fixed_dictionaries({}, optional=dated)).map(
        lambda pair: pair[0] | pair[1]
    )


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_trigger_fires_the_first_alternative_open_on_the_full_view(engine, process, data):
    """Guards that read no derived fact are checked on the case's own facts, without a view:
    the engine still fires exactly the alternative the full view (with every derived fact) opens."""
    case = engine.new_case(data.draw(_dated_facts(process)))
    for _ in range(data.draw(st.integers(1, 25))):
        outgoing = process.transitions_from(case.state)
        if not outgoing:
            break
        trigger = data.draw(st.sampled_from(sorted({t.trigger for t in outgoing})))
        actor = data.draw(
            st.sampled_from(sorted({a for t in outgoing if t.trigger == trigger for a in t.actors}))
        )
        open_here = [
            option.transition
            for option in engine.options(case)
            if option.allowed and option.transition.trigger == trigger and actor in option.transition.actors
        ]
        before = dict(case.facts)
        try:
            step = engine.fire(case, trigger, actor=actor, date=PartialDate(2021, 3, 1))
        except EngineError:
            assert not open_here and case.facts == before
            continue
        assert open_here and step.transition == open_here[0]
        assert step.changes == _changes(before, case.facts)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_side_events_record_exactly_the_facts_that_changed(engine, process, data):
    from procsim.core.scenario import Event

    case = engine.new_case(data.draw(_dated_facts(process)))
    for name in data.draw(st.lists(st.sampled_from(sorted(process.side_events)), max_size=12)):
        side = process.side_events[name]
        facts = data.draw(fact_overrides(process))
        event = Event(
            id="e",
            date=PartialDate(2021, 3, 1),
            actor=side.actors[0],
            summary="",
            sources=(),
            side=name,
            facts=facts,
        )
        before = dict(case.facts)
        try:
            step = engine.apply(case, event)
        except EngineError:
            assert case.facts == before  # a refused event changes nothing
            continue
        assert step.side_event is side and step.before == step.after == case.state
        assert step.changes == _changes(before, case.facts)
