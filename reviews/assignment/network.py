"""The flow network of a set of candidate pairs, for OR-Tools min-cost flow and max flow.

Nodes: items ``0..n-1``, experts ``n..n+m-1``, the sink ``n+m``, the source ``n+m+1`` (max flow
only), then one node per (item, organisation) that has two or more candidate experts.

Arcs, all of capacity 1 unless said otherwise:

* item → expert, cost ``-BIG · affinity``, for a candidate whose organisation is the only one of
  its kind among the item's candidates (or who has none);
* item → (item, org) node, cost 0, and (item, org) → expert, cost ``-BIG · affinity``, otherwise;
  the node's single unit of inflow is the rule "one expert per organisation per item";
* expert → sink, as ``free[e]`` parallel unit arcs (no more than the expert has candidates)
  costing ``base[e] + 1, base[e] + 2, ...``: the u-th review of an expert costs its new load, so
  the total is ``sum L (L + 1) / 2`` minus a constant, the same order as the sum of squared loads
  (the total load is fixed); the cheapest arcs fill first, which makes the convex penalty exact;
* min-cost flow: supply ``need[i]`` at item ``i``, demand ``sum(need)`` at the sink;
  max flow: source → item with capacity ``need[i]``, one expert → sink arc of capacity ``free[e]``.

``BIG`` is larger than the largest possible difference of load penalties, so any gain of
affinity outweighs any load penalty: the optimum maximises affinity first, then evens the load.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from .prepare import Prepared, ranges

INT64_MAX = np.iinfo(np.int64).max
DENSE_GROUP_LIMIT = 4_000_000  # (item, org) keys counted with bincount below this, else sorted


def big_weight(prep: Prepared) -> int:
    """One unit of affinity is worth more than any difference of load penalties.

    A feasible flow uses exactly ``N = sum(need)`` of the expert → sink unit arcs, so its load
    penalty lies between the sum of the ``N`` cheapest and the sum of the ``N`` dearest unit
    costs; ``BIG`` is that spread plus one. (The smaller ``BIG``, the faster the cost scaling.)
    """
    usable = prep.usable
    top = int(prep.capacity[usable].max()) if usable.any() else 0
    edges = np.zeros(top + 2, np.int64)
    np.add.at(edges, prep.base[usable] + 1, 1)
    np.add.at(edges, prep.capacity[usable] + 1, -1)
    count = np.cumsum(edges)  # count[v]: unit arcs of cost v
    value = np.arange(top + 2)

    def cheapest(counts: np.ndarray, values: np.ndarray) -> int:
        before = np.cumsum(counts) - counts
        taken = np.clip(prep.total_need - before, 0, counts)
        return int((taken * values).sum())

    return cheapest(count[::-1], value[::-1]) - cheapest(count, value) + 1


def check_cost_range(max_abs_cost: int, n_nodes: int, total_flow: int) -> None:
    """OR-Tools scales costs by ``num_nodes + 1``; keep that, and the total cost, within int64."""
    bound = INT64_MAX // 4
    if max_abs_cost * (n_nodes + 1) > bound or max_abs_cost * max(total_flow, 1) * 4 > bound:
        raise OverflowError(
            f"costs up to {max_abs_cost} on {n_nodes} nodes could overflow int64 in the flow solver; "
            "lower the affinity scale (affinities are multiplied by the load-penalty weight)"
        )


@dataclass
class Network:
    tails: np.ndarray  # int32
    heads: np.ndarray  # int32
    capacities: np.ndarray  # int64
    costs: np.ndarray  # int64
    n_nodes: int
    pair_arc: np.ndarray  # arc index carrying each candidate pair
    sink: int
    source: int


def _org_groups(prep: Prepared, items: np.ndarray, experts: np.ndarray) -> tuple[np.ndarray, int]:
    """Per candidate, its (item, org) node number among the grouped ones, or -1; and the group count."""
    org = prep.org[experts]
    has = org >= 0
    keys = items[has].astype(np.int64) * max(prep.n_orgs, 1) + org[has]
    group = np.full(len(items), -1, np.int64)
    if len(keys) == 0:
        return group, 0
    if prep.n * max(prep.n_orgs, 1) <= DENSE_GROUP_LIMIT:
        counts = np.bincount(keys, minlength=prep.n * prep.n_orgs)
        grouped = counts >= 2
        number = np.cumsum(grouped) - 1
        group[has] = np.where(grouped[keys], number[keys], -1)
        return group, int(grouped.sum())
    unique, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    grouped = counts >= 2
    number = np.cumsum(grouped) - 1
    group[has] = np.where(grouped[inverse], number[inverse], -1)
    return group, int(grouped.sum())


def _pair_arcs(
    prep: Prepared, items: np.ndarray, experts: np.ndarray, first_org_node: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Arcs item→expert or (item,org)→expert per candidate, then item→(item,org): (tails, heads, pair arcs, groups)."""
    group, n_groups = _org_groups(prep, items, experts)
    grouped = group >= 0
    group_item = np.zeros(n_groups, np.int64)
    group_item[group[grouped]] = items[grouped]
    tails = np.where(grouped, first_org_node + group, items).astype(np.int32)
    heads = (prep.n + experts).astype(np.int32)
    tails = np.concatenate([tails, group_item.astype(np.int32)])
    heads = np.concatenate([heads, (first_org_node + np.arange(n_groups)).astype(np.int32)])
    return tails, heads, np.arange(len(items)), n_groups


def _sink_arcs(prep: Prepared, experts: np.ndarray, balance: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expert → sink arcs (expert, capacity, cost), never more than the expert's candidate count.

    Balanced: unit arcs costing base+1, base+2, ...; otherwise one free arc per expert.
    """
    count = np.bincount(experts, minlength=prep.m)
    units = np.minimum(prep.free, count)
    who = np.flatnonzero(units)
    if not balance:
        return who, units[who], np.zeros(len(who), np.int64)
    lengths = units[who]
    unit_index = ranges(np.zeros(len(who), np.int64), lengths)
    expert = np.repeat(who, lengths)
    return expert, np.ones(len(expert), np.int64), prep.base[expert] + unit_index + 1


def min_cost_network(
    prep: Prepared, items: np.ndarray, experts: np.ndarray, affinity: np.ndarray, big: int, balance: bool = True
) -> Network:
    """The min-cost-flow network of the candidate pairs (see the module docstring).

    ``balance=False`` drops the load penalty (affinity only, ``big`` should then be 1).
    """
    n, m = prep.n, prep.m
    sink = n + m
    tails, heads, pair_arc, n_groups = _pair_arcs(prep, items, experts, sink + 1)
    sink_expert, sink_capacity, sink_cost = _sink_arcs(prep, experts, balance)
    n_nodes = sink + 1 + n_groups
    top_affinity = max(int(affinity.max()) if len(affinity) else 0, prep.max_affinity)  # pricing multiplies it too
    top_unit = int(sink_cost.max()) if len(sink_cost) else 0
    check_cost_range(max(big * top_affinity, top_unit), n_nodes, prep.total_need)
    costs = np.zeros(len(tails), np.int64)
    costs[: len(items)] = -big * affinity.astype(np.int64)
    return Network(
        tails=np.concatenate([tails, (n + sink_expert).astype(np.int32)]),
        heads=np.concatenate([heads, np.full(len(sink_expert), sink, np.int32)]),
        capacities=np.concatenate([np.ones(len(tails), np.int64), sink_capacity]),
        costs=np.concatenate([costs, sink_cost]),
        n_nodes=n_nodes,
        pair_arc=pair_arc,
        sink=sink,
        source=-1,
    )


def max_flow_network(prep: Prepared, items: np.ndarray, experts: np.ndarray) -> Network:
    """The max-flow network of the candidate pairs (see the module docstring)."""
    n, m = prep.n, prep.m
    sink, source = n + m, n + m + 1
    tails, heads, pair_arc, n_groups = _pair_arcs(prep, items, experts, source + 1)
    takers = np.flatnonzero(prep.need > 0)
    givers = np.flatnonzero(prep.usable)
    tails = np.concatenate([tails, np.full(len(takers), source, np.int32), (n + givers).astype(np.int32)])
    heads = np.concatenate([heads, takers.astype(np.int32), np.full(len(givers), sink, np.int32)])
    capacities = np.ones(len(tails), np.int64)
    capacities[len(capacities) - len(takers) - len(givers) :] = np.concatenate([prep.need[takers], prep.free[givers]])
    return Network(
        tails=tails,
        heads=heads,
        capacities=capacities,
        costs=np.zeros(0, np.int64),
        n_nodes=source + 1 + n_groups,
        pair_arc=pair_arc,
        sink=sink,
        source=source,
    )


def solve_min_cost(prep: Prepared, net: Network) -> tuple[np.ndarray, int]:
    """Solve with OR-Tools; returns (flow on each candidate pair as bool, optimal cost)."""
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, net.capacities, net.costs)
    takers = np.flatnonzero(prep.need > 0)
    nodes = np.concatenate([takers, [net.sink]]).astype(np.int32)
    supplies = np.concatenate([prep.need[takers], [-prep.total_need]]).astype(np.int64)
    solver.set_nodes_supplies(nodes, supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status!r}")
    flows = np.asarray(solver.flows(net.pair_arc.astype(np.int32)))
    return flows > 0, int(solver.optimal_cost())


def solve_max_flow(net: Network) -> tuple[np.ndarray, int, np.ndarray]:
    """Solve with OR-Tools; returns (flow on each candidate pair as bool, flow value, source side nodes)."""
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(net.tails, net.heads, net.capacities)
    status = solver.solve(net.source, net.sink)
    if status != solver.OPTIMAL:
        raise RuntimeError(f"max flow ended with status {status!r}")
    flows = np.asarray(solver.flows(net.pair_arc.astype(np.int32)))
    source_side = np.zeros(net.n_nodes, bool)
    source_side[np.asarray(solver.get_source_side_min_cut(), np.int64)] = True
    return flows > 0, int(solver.optimal_flow()), source_side
