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


# ---------------------------------------------------------------------- a small scenario as text
#: The top of a minimal valid scenario file, and two events that replay, for tests that write
#: files (the bad-input, hostile-input and fuzz tests start from these).
HEADER = """\
process: police_misconduct_ew
title: "A test case"
kind: hypothetical
summary: "Hypothetical test case."
sources:
  - {id: src, publisher: "Test", title: "Test source", date: "2021-01-01", url: "https://example.org"}
"""
CHILD = HEADER.split("sources:")[0]  # an extending file inherits its base's sources
GOOD_EVENTS = """\
events:
  - {id: e1, date: "2021-03-01", trigger: make_complaint, actor: complainant, summary: "Complaint.", sources: [src]}
  - {id: e2, date: "2021-03-02", trigger: record_complaint, actor: appropriate_authority, summary: "Recorded.", sources: [src]}
end: {state: recorded, status: pending, as_of: "2021-04-01"}
"""
