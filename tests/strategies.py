"""Hypothesis strategies over the process model."""

from __future__ import annotations

from hypothesis import strategies as st

from procsim.core.model import Process


def trigger_names(process: Process) -> st.SearchStrategy[str]:
    """Known triggers, with some unknown names mixed in."""
    return st.one_of(st.sampled_from(sorted(process.triggers)), st.text(min_size=1, max_size=12))


def fact_overrides(process: Process) -> st.SearchStrategy[dict]:
    """Random values for the boolean and enum facts."""
    fields = {}
    for name, spec in process.facts.items():
        if spec.type == "bool":
            fields[name] = st.booleans()
        elif spec.type == "enum":
            fields[name] = st.sampled_from(spec.values)
    return st.fixed_dictionaries({}, optional=fields)
