"""The reviewer-assignment engine: constraints, infeasibility reports, and exactness against an oracle.

The oracle is an independent MIP (OR-Tools pywraplp with SCIP) solved in two stages: the maximum
total affinity, then the minimum sum of squared loads among the assignments reaching it.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.linear_solver import pywraplp

from reviews.assignment import (
    FLOW_SHORTAGE,
    INFEASIBLE,
    LOCKED_FORBIDDEN,
    LOCKED_OVER_CAPACITY,
    LOCKED_OVER_NEED,
    LOCKED_SAME_ORG,
    OPTIMAL,
    TOO_FEW_ELIGIBLE,
    TOTAL_CAPACITY,
    Instance,
    Solution,
    SolverOptions,
    check_feasibility,
    greedy,
    reference,
    solve,
)
from reviews.assignment.network import check_cost_range
from reviews.assignment.synthetic import realistic

# Tiny candidate sets and blocks force every path: cut pricing, several rounds, several blocks.
STINGY = SolverOptions(top_k=1, filler_k=0, per_item=1, block_entries=8)


def assert_valid(instance: Instance, solution: Solution) -> None:
    """Every constraint, checked from scratch."""
    m = instance.n_experts
    pairs = list(zip(solution.item.tolist(), solution.expert.tolist(), strict=True))
    assert len(set(pairs)) == len(pairs), "a pair is assigned twice"
    per_item = np.bincount(solution.item, minlength=instance.n_items)
    assert (per_item == instance.need).all(), "wrong number of experts on an item"
    loads = np.bincount(solution.expert, minlength=m)
    assert (loads == solution.loads).all()
    assert (loads <= instance.capacity).all(), "an expert is over capacity"
    forbidden = set(zip(instance.forbidden_item.tolist(), instance.forbidden_expert.tolist(), strict=True))
    assert not forbidden & set(pairs), "a forbidden pair is assigned"
    locked = set(zip(instance.locked_item.tolist(), instance.locked_expert.tolist(), strict=True))
    assert locked <= set(pairs), "a locked pair is missing"
    seen = set()
    for i, e in pairs:
        org = int(instance.expert_org[e])
        if org >= 0:
            assert (i, org) not in seen, f"item {i} has two experts of organisation {org}"
            seen.add((i, org))
    affinity = dict(
        zip(
            zip(instance.pair_item.tolist(), instance.pair_expert.tolist(), strict=True),
            instance.pair_affinity.tolist(),
            strict=True,
        )
    )
    assert solution.total_affinity == sum(affinity.get(p, 0) for p in pairs)


def oracle(instance: Instance) -> tuple[int, int] | None:
    """(maximum affinity, minimum sum of squared loads at that affinity), or None if infeasible."""
    n, m = instance.n_items, instance.n_experts
    affinity = dict(
        zip(
            zip(instance.pair_item.tolist(), instance.pair_expert.tolist(), strict=True),
            instance.pair_affinity.tolist(),
            strict=True,
        )
    )
    forbidden = set(zip(instance.forbidden_item.tolist(), instance.forbidden_expert.tolist(), strict=True))
    solver = pywraplp.Solver.CreateSolver("SCIP")
    zero = solver.IntVar(0, 0, "zero")  # keeps every sum a solver expression, even an empty one
    x = {(i, e): solver.BoolVar(f"x{i}_{e}") for i in range(n) for e in range(m) if (i, e) not in forbidden}
    for i, e in zip(instance.locked_item.tolist(), instance.locked_expert.tolist(), strict=True):
        if (i, e) not in x:
            return None
        solver.Add(x[i, e] == 1)
    for i in range(n):
        solver.Add(sum((x[i, e] for e in range(m) if (i, e) in x), zero) == int(instance.need[i]))
        for org in set(instance.expert_org.tolist()) - {-1}:
            solver.Add(sum((x[i, e] for e in range(m) if (i, e) in x and instance.expert_org[e] == org), zero) <= 1)
    load = [sum((x[i, e] for i in range(n) if (i, e) in x), zero) for e in range(m)]
    for e in range(m):
        solver.Add(load[e] <= int(instance.capacity[e]))
    gain = sum((affinity.get(p, 0) * var for p, var in x.items()), zero)
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)
    solver.Maximize(gain)
    if solver.Solve(params) != pywraplp.Solver.OPTIMAL:
        return None
    best = round(solver.Objective().Value())
    solver.Add(gain >= best)
    squares = []
    for e in range(m):  # L² as the sum of the first L odd numbers: convex, so the cheapest units fill first
        units = [solver.BoolVar(f"u{e}_{k}") for k in range(int(instance.capacity[e]))]
        solver.Add(sum(units, zero) == load[e])
        squares += [(2 * k + 1) * u for k, u in enumerate(units)]
    solver.Minimize(sum(squares, zero))
    assert solver.Solve(params) == pywraplp.Solver.OPTIMAL
    return best, round(solver.Objective().Value())


@st.composite
def instances(draw, max_items: int = 8, max_experts: int = 7) -> Instance:
    n = draw(st.integers(1, max_items))
    m = draw(st.integers(1, max_experts))
    need = draw(st.lists(st.sampled_from([0, 1, 1, 2, 2, 3]), min_size=n, max_size=n))
    capacity = draw(st.lists(st.sampled_from([0, 1, 2, 2, 3, 4, 5]), min_size=m, max_size=m))
    org = draw(st.lists(st.sampled_from([-1, -1, 0, 1, 2, 7]), min_size=m, max_size=m))
    pairs = [(i, e) for i in range(n) for e in range(m)]
    values = draw(st.lists(st.sampled_from([0, 0, 0, 1, 2, 3, 5, 9]), min_size=len(pairs), max_size=len(pairs)))
    listed = [(p, v) for p, v in zip(pairs, values, strict=True) if v > 0 or draw(st.booleans())]
    forbidden = draw(st.lists(st.sampled_from(pairs), max_size=max(1, len(pairs) // 4)))
    lockable = [p for p in pairs if p not in set(forbidden)] if draw(st.booleans()) else pairs
    locked = draw(st.lists(st.sampled_from(lockable), max_size=2)) if lockable and draw(st.integers(0, 2)) == 0 else []
    return Instance(
        need=need,
        capacity=capacity,
        pair_item=[p[0] for p, _ in listed],
        pair_expert=[p[1] for p, _ in listed],
        pair_affinity=[v for _, v in listed],
        forbidden_item=[p[0] for p in forbidden],
        forbidden_expert=[p[1] for p in forbidden],
        expert_org=org,
        locked_item=[p[0] for p in locked],
        locked_expert=[p[1] for p in locked],
    )


def assert_matches_oracle(instance: Instance, options: SolverOptions | None) -> None:
    expected = oracle(instance)
    solution = solve(instance, options)
    shortages = check_feasibility(instance, options)
    if expected is None:
        assert solution.status == INFEASIBLE
        assert shortages and shortages == solution.shortages
        assert len(solution.item) == 0
        return
    assert shortages == []
    assert solution.status == OPTIMAL, solution.shortages
    assert_valid(instance, solution)
    assert (solution.total_affinity, solution.load_penalty) == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_engine_matches_the_oracle(instance):
    assert_matches_oracle(instance, None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_column_generation_from_tiny_candidate_sets_matches_the_oracle(instance):
    assert_matches_oracle(instance, STINGY)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_reference_and_greedy_against_the_oracle(instance):
    expected = oracle(instance)
    plain = reference(instance)
    if expected is None:
        assert plain.status == INFEASIBLE
        return
    assert_valid(instance, plain)
    assert (plain.total_affinity, plain.load_penalty) == expected
    baseline = greedy(instance)
    if baseline.status == "complete":
        assert_valid(instance, baseline)
        assert baseline.total_affinity <= expected[0]


def test_medium_instance_engine_equals_reference_and_beats_greedy():
    instance = realistic(300, 120, seed=7)
    assert len(instance.locked_item) and len(instance.forbidden_item) and (instance.expert_org >= 0).any()
    engine, plain, baseline = solve(instance), reference(instance), greedy(instance)
    assert engine.status == plain.status == OPTIMAL
    assert_valid(instance, engine)
    assert engine.total_affinity == plain.total_affinity
    assert engine.load_penalty == plain.load_penalty
    assert baseline.total_affinity <= engine.total_affinity
    assert engine.stats["certificate"]


def test_stingy_options_reach_the_same_optimum_on_a_realistic_instance():
    instance = realistic(120, 60, seed=3)
    engine, plain = solve(instance, STINGY), reference(instance)
    assert_valid(instance, engine)
    assert (engine.total_affinity, engine.load_penalty) == (plain.total_affinity, plain.load_penalty)
    assert len(engine.stats["rounds"]) > 1


def test_affinity_comes_first_then_the_load_evens_out():
    # expert 0 is the best match for every item; 1 and 2 are equally fine otherwise
    instance = Instance(
        need=[1, 1, 1, 1],
        capacity=[4, 4, 4],
        pair_item=[0, 1, 2, 3],
        pair_expert=[0, 0, 0, 0],
        pair_affinity=[5, 5, 5, 5],
    )
    assert solve(instance).loads.tolist() == [4, 0, 0]  # affinity forces it
    even = Instance(need=[1, 1, 1, 1], capacity=[4, 4, 4])
    assert sorted(solve(even).loads.tolist()) == [1, 1, 2]  # nothing forces it: spread out


def test_locked_pairs_are_kept_even_against_affinity():
    instance = Instance(
        need=[1],
        capacity=[1, 1],
        pair_item=[0],
        pair_expert=[1],
        pair_affinity=[9],
        locked_item=[0],
        locked_expert=[0],
    )
    solution = solve(instance)
    assert list(zip(solution.item, solution.expert, strict=True)) == [(0, 0)]
    assert solution.total_affinity == 0


def _reasons(shortages):
    return {(s.item, s.reason) for s in shortages}


def test_item_with_too_few_unconflicted_experts_from_distinct_organisations():
    instance = Instance(
        need=[3, 1],
        capacity=[5, 5, 5, 5],
        expert_org=[0, 0, 1, -1],
        forbidden_item=[0],
        forbidden_expert=[2],
    )
    shortages = check_feasibility(instance)
    assert _reasons(shortages) == {(0, TOO_FEW_ELIGIBLE)}
    assert "item 0 has only 2 unconflicted experts from distinct organisations" in shortages[0].message
    assert "needs 3" in shortages[0].message
    solution = solve(instance)
    assert solution.status == INFEASIBLE and solution.shortages == shortages


def test_total_capacity_shortage():
    instance = Instance(need=[2, 2], capacity=[1, 1, 1])
    assert (None, TOTAL_CAPACITY) in _reasons(check_feasibility(instance))


def test_experts_without_free_capacity_do_not_count():
    instance = Instance(need=[2, 1], capacity=[1, 0, 5], locked_item=[1], locked_expert=[0])
    assert _reasons(check_feasibility(instance)) == {(0, TOO_FEW_ELIGIBLE)}


def test_locked_pair_problems_are_reported_before_solving():
    conflicted = Instance(need=[1], capacity=[1], forbidden_item=[0], forbidden_expert=[0], locked_item=[0], locked_expert=[0])
    assert _reasons(check_feasibility(conflicted)) == {(0, LOCKED_FORBIDDEN)}
    over_capacity = Instance(need=[1, 1], capacity=[1, 1], locked_item=[0, 1], locked_expert=[0, 0])
    shortages = check_feasibility(over_capacity)
    assert [(s.reason, s.expert) for s in shortages] == [(LOCKED_OVER_CAPACITY, 0)]
    same_org = Instance(need=[2], capacity=[1, 1, 1], expert_org=[4, 4, 5], locked_item=[0, 0], locked_expert=[0, 1])
    assert _reasons(check_feasibility(same_org)) == {(0, LOCKED_SAME_ORG)}
    over_need = Instance(need=[1], capacity=[1, 1], locked_item=[0, 0], locked_expert=[0, 1])
    assert _reasons(check_feasibility(over_need)) == {(0, LOCKED_OVER_NEED)}
    assert solve(over_need).status == INFEASIBLE


def test_flow_shortage_names_the_items_that_cannot_be_served():
    # items 0 and 1 may only use experts 0 and 1 (capacity 1 each) but need 2 each; item 2 is fine
    instance = Instance(
        need=[2, 2, 1],
        capacity=[1, 1, 3, 3],
        forbidden_item=[0, 0, 1, 1],
        forbidden_expert=[2, 3, 2, 3],
    )
    shortages = check_feasibility(instance)
    assert {s.reason for s in shortages} == {FLOW_SHORTAGE}
    assert {s.item for s in shortages} <= {0, 1} and sum(s.missing for s in shortages) == 2
    assert solve(instance, STINGY).shortages == check_feasibility(instance, STINGY)


def test_instance_validation():
    with pytest.raises(ValueError, match="given twice"):
        solve(Instance(need=[1], capacity=[1], pair_item=[0, 0], pair_expert=[0, 0], pair_affinity=[1, 2]))
    with pytest.raises(ValueError, match="must lie in"):
        Instance(need=[1], capacity=[1], forbidden_item=[0], forbidden_expert=[3])
    with pytest.raises(ValueError, match="non-negative"):
        Instance(need=[1], capacity=[1], pair_item=[0], pair_expert=[0], pair_affinity=[-1])
    with pytest.raises(ValueError, match="integers"):
        Instance(need=[1], capacity=[1], pair_item=[0], pair_expert=[0], pair_affinity=[0.5])


def test_cost_overflow_is_refused():
    with pytest.raises(ValueError, match="up to"):
        Instance(need=[1], capacity=[1], pair_item=[0], pair_expert=[0], pair_affinity=[2**31])
    check_cost_range(10**9, 10**6, 30_000)
    with pytest.raises(OverflowError):
        check_cost_range(10**13, 10**6, 30_000)
