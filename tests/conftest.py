"""Shared fixtures: the shipped process, its engine, and a way to walk a case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from procsim.core.dates import PartialDate
from procsim.core.engine import Case, Engine
from procsim.core.model import Process
from procsim.io.process_reader import load_process
from procsim.workspace import engine_for

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def process() -> Process:
    return load_process("police_misconduct_ew")


@pytest.fixture(scope="session")
def engine(process: Process) -> Engine:
    return engine_for(process)


def walk(
    engine: Engine, steps: list[Any], facts: dict[str, Any] | None = None, complaint_date: str = "2021-03-01"
) -> Case:
    """A case driven by ``steps``: trigger names, or (trigger, facts) pairs.

    The first step, ``make_complaint``, is added with ``complaint_date``.
    """
    case = engine.new_case(facts or {})
    engine.fire(case, "make_complaint", date=PartialDate.parse(complaint_date))
    for step in steps:
        trigger, step_facts = (step, {}) if isinstance(step, str) else step
        engine.fire(case, trigger, facts=step_facts)
    return case


TO_GM_HEARING = [
    "record_complaint",
    "start_local_investigation",
    "submit_investigation_report",
    "decide_case_to_answer_gross_misconduct",
    "refer_to_misconduct_hearing",
]


def allowed_triggers(engine: Engine, case: Case) -> set[str]:
    return {option.transition.trigger for option in engine.options(case) if option.allowed}
