"""Property-based: random trigger sequences never crash the engine."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procsim.core.dates import PartialDate
from procsim.core.errors import EngineError
from strategies import fact_overrides, trigger_names


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_random_trigger_sequences_move_or_raise_engine_errors(engine, process, data):
    case = engine.new_case(data.draw(fact_overrides(process)))
    try:
        for trigger in data.draw(st.lists(trigger_names(process), max_size=40)):
            before = case.state
            try:
                step = engine.fire(case, trigger, date=PartialDate(2021, 3, 1))
            except EngineError:
                assert case.state == before  # a refused event changes nothing
                continue
            assert step.transition is not None and step.transition.trigger == trigger
            assert step.before == before and case.state == step.transition.dest
            assert step.transition in process.transitions_from(before)
    finally:
        engine.discard(case)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_walking_allowed_options_never_fails(engine, process, data):
    """Any option the engine calls allowed does fire, from any reachable state."""
    case = engine.new_case(data.draw(fact_overrides(process)))
    try:
        engine.fire(case, "make_complaint", date=PartialDate(data.draw(st.sampled_from([2019, 2021])), 5, 1))
        for _ in range(data.draw(st.integers(0, 40))):
            allowed = [o.transition for o in engine.options(case) if o.allowed]
            if not allowed:
                assert process.states[case.state].is_terminal or all(
                    not o.allowed for o in engine.options(case)
                )
                break
            chosen = data.draw(st.sampled_from(allowed))
            engine.fire(case, chosen.trigger, actor=chosen.actors[0])
            assert case.state == chosen.dest
    finally:
        engine.discard(case)
