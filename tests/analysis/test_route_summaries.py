"""Route counting with regions summarised: the same counts and shortest routes as one node per
history, whatever the regions (brute force on a fixture, the unsummarised count on the real model)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_routes import brute_force, remittal_under_random_guards

from procsim.analysis.routes import RouteSpace
from procsim.analysis.routes.summary import choose_regions, local_fields
from procsim.core.model import Process

NONE: tuple[dict[str, int], list[int]] = ({}, [])


def regions_of(space: RouteSpace, groups: list[list[str]]) -> tuple[dict[str, int], list[int]]:
    """Regions from groups of state names (each group one region)."""
    region_of = {state: number for number, group in enumerate(groups) for state in group}
    return region_of, [local_fields(space, set(group)) for group in groups]


def summary(report) -> tuple:
    """Every count and every shortest route (as its steps) a report gives."""
    routes = tuple(
        (o.state.name, None if o.shortest is None else [m.describe() for m in o.shortest.moves])
        for o in report.outcomes
    )
    return report.figures, routes


@st.composite
def random_regions(draw, states: list[str]) -> list[list[str]]:
    """Some states put into a few regions (the rest left unsummarised)."""
    chosen = draw(st.lists(st.tuples(st.sampled_from(states), st.integers(0, 2)), max_size=len(states)))
    groups: dict[int, list[str]] = {}
    for state, group in dict(chosen).items():
        groups.setdefault(group, []).append(state)
    return list(groups.values())


# ---------------------------------------------------------------------- a fixture, by brute force
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_regions_under_any_guards_agree_with_brute_force(data, tmp_path_factory):
    """Random guards on the remittal fixture and random regions: the summarised counts are the
    brute-force counts, and counts and shortest routes are those without regions."""
    process = remittal_under_random_guards(data, tmp_path_factory)
    groups = data.draw(random_regions(list(process.states)))
    space = RouteSpace(process, regions=NONE)
    summarised = RouteSpace(process, regions=regions_of(space, groups))
    for max_loops in (1, 2):
        report = summarised.report(max_loops=max_loops)
        assert summary(report) == summary(space.report(max_loops=max_loops))
        assert {name: n for name, n in report.figures[0] if n} == brute_force(process, max_loops)


# ---------------------------------------------------------------------- the real model
@pytest.fixture(scope="module")
def plain(process: Process) -> RouteSpace:
    return RouteSpace(process, regions=NONE)


@pytest.fixture(scope="module")
def summarised(process: Process) -> RouteSpace:
    return RouteSpace(process)


def test_the_courts_are_one_summarised_region_and_the_misconduct_proceedings_are_not(summarised, process):
    region_of, local = summarised.regions
    forums = {process.states[state].forum: region for state, region in region_of.items()}
    assert forums["admin_court"] == forums["court_of_appeal"] == forums["supreme_court"]
    assert "misconduct" not in forums and "pat" not in forums
    courts = local[forums["admin_court"]]
    read = {name for i, name in enumerate(summarised.names) if courts & summarised.fields[i]}
    assert {"quashing_order_in_force", "paused_stage", "challenged_decision"} <= read
    assert not {"finding", "sanction", "investigation_form"} & read  # carried through the courts


@pytest.mark.parametrize("max_loops", [0, 1])
def test_the_whole_model_counts_alike_with_and_without_regions(summarised, plain, max_loops):
    report, reference = summarised.report(max_loops=max_loops), plain.report(max_loops=max_loops)
    assert summary(report) == summary(reference)
    assert report.nodes < reference.nodes


@pytest.mark.parametrize(
    "start, target",
    [
        ("claim_issued", None),
        ("pat_hearing", None),
        ("hearing_listed", None),
        ("ca_hearing_held", None),
        (None, "hearing_dismissed_no_case"),
        ("claim_issued", "gross_misconduct_found"),
    ],
)
def test_starts_inside_and_outside_a_region_and_targets_count_alike(summarised, plain, start, target):
    assert summary(summarised.report(start, target)) == summary(plain.report(start, target))


@pytest.mark.parametrize("facts", [{"regime": "2020"}, {"regime": "2012", "officer_status": "serving"}])
def test_facts_fixed_at_the_start_count_alike(summarised, plain, facts):
    """``paths --fact``: the facts fixed at the start ride through the courts like any other."""
    region = summarised.fixed(facts)
    report = summarised.report("claim_issued", facts=region)
    assert summary(report) == summary(plain.report("claim_issued", facts=region))
    assert report.total < summarised.report("claim_issued").total


@pytest.fixture(scope="module")
def from_the_tribunal(plain: RouteSpace):
    return plain.report("pat_hearing")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_regions_of_the_real_model_count_alike(data, process, plain, from_the_tribunal):
    """Random regions of the real model, from the Tribunal hearing (a few thousand nodes)."""
    groups = data.draw(random_regions(list(process.states)))
    space = RouteSpace(process, regions=regions_of(plain, groups))
    assert summary(space.report("pat_hearing")) == summary(from_the_tribunal)


def test_choose_regions_puts_every_state_in_at_most_one_region(summarised, process):
    region_of, local = choose_regions(summarised)
    assert set(region_of) <= set(process.states)
    assert set(region_of.values()) == set(range(len(local)))


# ---------------------------------------------------------------------- listing routes
def listed_over_the_whole_graph(
    space: RouteSpace, start: str, target: str | None, max_loops: int, limit: int
):
    """The reference listing: the whole route graph built first, then depth first over the
    nodes from which some route reaches an end."""
    graph = space.graph(start, (space.full,), max_loops, target)
    ends = set(space._ends(target))
    counts = graph.counts_to(ends)
    listed: list[list[str]] = []

    def walk(node: int, path: list[str]) -> None:
        if len(listed) >= limit:
            return
        if graph.keys[node][0] in ends:
            listed.append(list(path))
        for number, child in graph.edges[node]:
            if counts[child]:
                walk(child, [*path, space.moves[number][0].describe()])

    walk(0, [])
    return listed[:limit]


def listed(space: RouteSpace, start: str, target: str | None, max_loops: int, limit: int):
    return [[m.describe() for m in r.moves] for r in space.routes(start, target, max_loops, limit=limit)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_routes_are_listed_node_by_node_as_over_the_whole_graph(data, tmp_path_factory):
    """Random guards on the remittal fixture (some make routes stuck or stopped by the loop bound):
    every route, in the same order, as the listing over the whole graph."""
    process = remittal_under_random_guards(data, tmp_path_factory)
    space = RouteSpace(process)
    target = data.draw(st.sampled_from([None, "warned", "dismissed", "whd"]))
    limit = data.draw(st.integers(1, 400))
    for max_loops in (1, 2):
        start = space.process.initial
        expected = listed_over_the_whole_graph(space, start, target, max_loops, limit)
        assert listed(space, start, target, max_loops, limit) == expected


@pytest.mark.parametrize(
    "start, target, limit",
    [("incident", None, 300), ("claim_issued", None, 300), ("incident", "barred_list", 50)],
)
def test_the_real_model_lists_routes_as_over_the_whole_graph(summarised, start, target, limit):
    expected = listed_over_the_whole_graph(summarised, start, target, 1, limit)
    assert len(expected) == limit
    assert listed(summarised, start, target, 1, limit) == expected
