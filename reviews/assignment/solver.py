"""Reviewer assignment: an exact engine, a greedy baseline and a plain reference.

The problem. Each item ``i`` needs ``need[i]`` distinct experts, expert ``e`` takes at most
``capacity[e]`` items, forbidden pairs are never assigned, an item never gets two experts of one
organisation, locked pairs are always assigned. Objective, lexicographic: (1) maximise the total
affinity over all allowed pairs (unlisted pairs have affinity 0 and are allowed); (2) among those
optima, minimise the sum of squared loads, so that no expert sits idle while others are at their
limit unless affinity forces it.

The model (``network``): a min-cost flow from items to experts to a sink, pair arcs costing
``-BIG · affinity``, (item, organisation) nodes of capacity 1 for the organisation rule, and
``capacity`` unit arcs per expert with increasing costs for the convex load penalty; ``BIG``
exceeds any difference of penalties, so the flow optimum is the lexicographic optimum.

The engine (:func:`solve`) never builds the ``items × experts`` network. It solves the network of
a small candidate set (the best-affinity experts of each item plus a few fillers), proves the
result optimal for the full network by LP duality, and otherwise adds the pairs that break the
proof and solves again (column generation): node potentials of the restricted residual graph
are computed by Bellman-Ford, and every allowed pair, listed or implicit, is priced against them
(``pricing``: a per-item bound clears most rows at once, the rest are checked pair by pair in
dense blocks). When no pair has a negative reduced cost, the potentials are feasible for the
full residual graph, which is the optimality certificate; the answer is then exactly the
reference's optimum, and this is checked on every solve, not assumed. Feasibility is decided
beforehand the same way with a max flow (``feasibility``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .candidates import Candidates, initial_candidates
from .feasibility import cheap_checks, route
from .instance import COMPLETE, FLOW_SHORTAGE, INCOMPLETE, INFEASIBLE, OPTIMAL, Instance, Shortage, Solution
from .network import big_weight, min_cost_network, solve_min_cost
from .prepare import BLOCK_ENTRIES, Prepared, blocks, prepare
from .pricing import Assigned, flow_potentials, price


@dataclass(frozen=True)
class SolverOptions:
    """Tuning of the engine; none of it affects the result, only the time it takes.

    top_k       best-affinity candidates per item in the first set (default: 2·need + 2)
    filler_k    further candidates per item preferring uncontested capacity
    per_item    pairs added per item with a violation and round
    slack       pairs of such items with a reduced cost below this are added too (cost units:
                one unit of load penalty; they tend to become violations after the next solve)
    max_rounds  a safety stop (column generation ends by itself: every round adds pairs)
    """

    top_k: int | None = None
    filler_k: int = 2
    per_item: int = 12
    slack: int = 8
    block_entries: int = BLOCK_ENTRIES
    max_rounds: int = 10_000


def check_feasibility(instance: Instance, options: SolverOptions | None = None) -> list[Shortage]:
    """Why ``instance`` has no solution, per item; an empty list when it has one."""
    options = options or SolverOptions()
    prep = prepare(instance)
    shortages = cheap_checks(prep)
    if shortages:
        return shortages
    return route(prep, _first_candidates(prep, options), options.per_item, options.block_entries).shortages


def _first_candidates(prep: Prepared, options: SolverOptions) -> Candidates:
    top_k = options.top_k if options.top_k is not None else 2 * int(prep.need.max(initial=0)) + 2
    return initial_candidates(prep, top_k, options.filler_k)


def _solution(
    prep: Prepared, items: np.ndarray, experts: np.ndarray, affinity: np.ndarray, status: str, stats: dict[str, Any]
) -> Solution:
    """The solution of the unlocked part plus the locked pairs, sorted by item then expert."""
    items = np.concatenate([items.astype(np.int64), prep.locked_item])
    experts = np.concatenate([experts.astype(np.int64), prep.locked_expert])
    order = np.lexsort((experts, items))
    return Solution(
        item=items[order],
        expert=experts[order],
        total_affinity=int(affinity.astype(np.int64).sum() + prep.locked_affinity.sum()),
        loads=np.bincount(experts, minlength=prep.m).astype(np.int64),
        status=status,
        stats=stats,
    )


def _infeasible(prep: Prepared, shortages: list[Shortage], stats: dict[str, Any]) -> Solution:
    empty = np.zeros(0, np.int64)
    return Solution(empty, empty, 0, prep.base.copy(), INFEASIBLE, shortages, stats)


@dataclass
class _Clock:
    """Seconds spent per phase."""

    seconds: dict[str, float] = field(default_factory=dict)
    _last: float = field(default_factory=time.perf_counter)

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = round(self.seconds.get(phase, 0.0) + now - self._last, 4)
        self._last = now


def solve(instance: Instance, options: SolverOptions | None = None) -> Solution:
    """The proven lexicographic optimum (status ``optimal``), or the shortages (status ``infeasible``).

    ``stats`` records the rounds of column generation (candidate pairs, violating pairs found,
    Bellman-Ford sweeps) and the seconds per phase; ``stats["certificate"]`` states what was
    checked for the final answer.
    """
    options = options or SolverOptions()
    clock = _Clock()
    prep = prepare(instance)
    shortages = cheap_checks(prep)
    stats: dict[str, Any] = {"seconds": clock.seconds, "rounds": []}
    clock.lap("prepare")
    if shortages:
        return _infeasible(prep, shortages, stats)
    candidates = _first_candidates(prep, options)
    clock.lap("candidates")
    routing = route(prep, candidates, options.per_item, options.block_entries)
    stats["feasibility_rounds"] = routing.rounds
    clock.lap("feasibility")
    if routing.shortages:
        return _infeasible(prep, routing.shortages, stats)
    assigned = _optimise(prep, routing.candidates, options, clock, stats)
    return _solution(prep, assigned.item, assigned.expert, assigned.affinity, OPTIMAL, stats)


def _optimise(prep: Prepared, candidates: Candidates, options: SolverOptions, clock: _Clock, stats: dict[str, Any]) -> Assigned:
    """Column generation until the pricing finds no violating pair (see the module docstring)."""
    big = big_weight(prep)
    stats["big"] = big
    for _ in range(options.max_rounds):
        net = min_cost_network(prep, candidates.item, candidates.expert, candidates.affinity, big)
        flow, _cost = solve_min_cost(prep, net)
        clock.lap("min_cost_flow")
        assigned = Assigned(candidates.item[flow], candidates.expert[flow], candidates.affinity[flow])
        loads = prep.base + np.bincount(assigned.expert, minlength=prep.m)
        unassigned = (candidates.item[~flow], candidates.expert[~flow], candidates.affinity[~flow])
        potentials, sweeps = flow_potentials(prep, assigned, unassigned, loads, big)
        clock.lap("potentials")
        violations = price(prep, potentials, assigned, options.per_item, options.slack, options.block_entries)
        clock.lap("pricing")
        stats["rounds"].append(
            {
                "candidates": len(candidates),
                "violations": violations.count,
                "sweeps": sweeps,
                "rows_scanned": violations.rows_scanned,
            }
        )
        if violations.count == 0:
            stats["certificate"] = (
                f"reduced costs of all allowed pairs are non-negative for the potentials of the final flow "
                f"({violations.rows_scanned} of {prep.n} rows checked pair by pair, the rest by their bound): "
                "optimal for the full network"
            )
            return assigned
        candidates = candidates.merged(violations.item, violations.expert, violations.affinity, prep.m)
    raise RuntimeError(f"no proof of optimality after {options.max_rounds} rounds")


def greedy(instance: Instance) -> Solution:
    """Baseline: items in order, each takes its best allowed experts (affinity, then lower load).

    No optimality claim; status ``incomplete`` when some item could not be filled.
    """
    prep = prepare(instance)
    loads = prep.base.copy()
    taken_items: list[int] = []
    taken_experts: list[int] = []
    taken_affinity: list[int] = []
    short = 0
    for i0, i1, affinity, allowed in blocks(prep):
        for row, need in enumerate(prep.need[i0:i1]):
            chosen = _greedy_row(prep, affinity[row], allowed[row] & (loads < prep.capacity), loads, int(need))
            loads[chosen] += 1
            taken_items += [i0 + row] * len(chosen)
            taken_experts += chosen
            taken_affinity += affinity[row, chosen].tolist()
            short += int(need) - len(chosen)
    items, experts = np.array(taken_items, np.int64), np.array(taken_experts, np.int64)
    status = INCOMPLETE if short else COMPLETE
    return _solution(prep, items, experts, np.array(taken_affinity, np.int64), status, {"missing_reviews": short})


def _greedy_row(prep: Prepared, affinity: np.ndarray, ok: np.ndarray, loads: np.ndarray, need: int) -> list[int]:
    """The best ``need`` experts of one item, one per organisation: affinity, then load, then index."""
    if need == 0:
        return []
    options = np.flatnonzero(ok)
    order = options[np.lexsort((options, loads[options], -affinity[options]))]
    chosen: list[int] = []
    orgs: set[int] = set()
    for e in order:
        o = int(prep.org[e])
        if o >= 0 and o in orgs:
            continue
        chosen.append(int(e))
        orgs.add(o)
        if len(chosen) == need:
            break
    return chosen


def all_allowed_pairs(prep: Prepared) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every allowed pair, listed affinity or not: (items, experts, affinities), sorted by item."""
    parts = []
    for i0, _i1, affinity, allowed in blocks(prep):
        rows, cols = np.nonzero(allowed)
        parts.append(((rows + i0).astype(np.int32), cols.astype(np.int32), affinity[rows, cols].astype(np.int32)))
    if not parts:
        return np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int32)
    return tuple(np.concatenate(p) for p in zip(*parts, strict=True))  # type: ignore[return-value]


def reference(instance: Instance, balance_loads: bool = True) -> Solution:
    """Plain OR-Tools min-cost flow on all allowed pairs, same model and objective, no pricing.

    For benchmarks and tests: it needs memory and time proportional to ``items × experts``.
    ``balance_loads=False`` maximises affinity only (no load penalty): a plain affinity matching.
    """
    clock = _Clock()
    prep = prepare(instance)
    stats: dict[str, Any] = {"seconds": clock.seconds}
    shortages = cheap_checks(prep)
    if shortages:
        return _infeasible(prep, shortages, stats)
    items, experts, affinity = all_allowed_pairs(prep)
    big = big_weight(prep) if balance_loads else 1
    net = min_cost_network(prep, items, experts, affinity, big, balance=balance_loads)
    stats["arcs"] = len(net.tails)
    stats["nodes"] = net.n_nodes
    clock.lap("build")
    try:
        flow, _cost = solve_min_cost(prep, net)
    except RuntimeError as error:
        return _infeasible(prep, [Shortage(None, FLOW_SHORTAGE, f"no flow serves every item ({error})")], stats)
    clock.lap("min_cost_flow")
    status = OPTIMAL if balance_loads else COMPLETE
    return _solution(prep, items[flow], experts[flow], affinity[flow], status, stats)
