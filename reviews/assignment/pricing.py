"""Node potentials of a restricted optimum, and the pricing of every allowed pair against them.

Why this proves optimality. A feasible flow is a min-cost flow iff its residual graph has no
negative cycle, iff there are potentials ``d`` with ``d(v) <= d(u) + c(u, v)`` on every residual
arc. The engine solves the network of a subset of pairs (the candidates), then:

1. computes such potentials for the restricted residual graph by Bellman-Ford, contracted to the
   experts and the sink: an item ``i`` is entered only backwards along its assigned arcs, so its
   best potential is ``P(i) = min over assigned e of d(e) + BIG·a(i,e)``; an (item, org) node whose
   slot is used by ``e1`` is entered only from ``e1``, so its potential is ``d(e1) + BIG·a(i,e1)``;
   an unused slot's node is entered from the item, potential ``P(i)``. Nodes that the restricted
   network lacks (org nodes of single candidates) get these same values.
2. checks every allowed pair of the *full* problem: a pair ``(i, e)`` not assigned has the
   residual arc ``slot → e`` of cost ``-BIG·a(i,e)``, which is fine iff
   ``d(e) + BIG·a(i,e) <= threshold`` (``P(i)``, or the used slot's value). A row whose bound
   (``P(i)`` minus the largest ``d(e) + BIG·a(i,e)`` the row could hold, from the sparse listed
   pairs and ``max d``) is non-negative is fine as a whole; the other rows are checked pair by
   pair in dense blocks of bounded size.

If no pair violates, the potentials are feasible for the whole residual graph (the other arcs
are in the restricted network and satisfied by construction), so the restricted optimum is the
optimum of the full problem; otherwise the violating pairs are exactly the arcs that could
improve it, and they are added before solving again. The same machinery with 0/1 potentials
(source side of a minimum cut) and ``BIG = 0`` proves that a max flow of the restricted network
is a max flow of the full one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .prepare import (
    BLOCK_ENTRIES,
    Prepared,
    affinity_rows,
    block_rows,
    csr_pointers,
    excluded_rows,
    member_of,
    positive_entries,
)

UNREACHED = np.int64(1) << np.int64(61)  # threshold of an item that no arc enters
TIE_BREAK_LIMIT = 1 << 16  # below this maximum affinity, equal reduced costs prefer higher affinity
CLIP = 1 << 40  # reduced costs are clipped to ±CLIP to rank them (keeps the key within int64)


@dataclass
class Potentials:
    """What the pricing compares: ``expert[e] + big·a(i,e)`` against the item's or slot's threshold."""

    expert: np.ndarray  # (m,) int64
    item: np.ndarray  # (n,) int64 threshold P(i)
    slot_item: np.ndarray  # used (item, org) slots: their item,
    slot_org: np.ndarray  # organisation,
    slot_value: np.ndarray  # and threshold
    big: int


@dataclass
class Violations:
    item: np.ndarray
    expert: np.ndarray
    affinity: np.ndarray
    count: int  # all violating pairs, including those not returned
    rows_scanned: int = 0  # items whose row was priced densely (the others were cleared by their bound)


@dataclass
class Assigned:
    """The pairs carrying flow, sorted by item, with their affinities."""

    item: np.ndarray
    expert: np.ndarray
    affinity: np.ndarray


def _slots(prep: Prepared, assigned: Assigned, value: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with_org = prep.org[assigned.expert] >= 0
    return assigned.item[with_org], prep.org[assigned.expert[with_org]], value[with_org]


def _item_thresholds(n: int, assigned: Assigned, value: np.ndarray) -> np.ndarray:
    """Per item, the minimum of ``value`` over its assigned arcs (UNREACHED if none)."""
    threshold = np.full(n, UNREACHED, np.int64)
    if len(assigned.item):
        ptr = csr_pointers(assigned.item, n)
        has = np.flatnonzero(np.diff(ptr))
        threshold[has] = np.minimum.reduceat(value, ptr[has])
    return threshold


def cut_potentials(prep: Prepared, assigned: Assigned, source_side: np.ndarray) -> Potentials:
    """0/1 potentials of a minimum cut: 0 on the source side, 1 on the sink side (with ``big = 0``).

    A pair violates iff its slot is on the source side and its expert is not: an arc across the
    cut that the restricted network lacked.
    """
    n, m = prep.n, prep.m
    expert = np.where(source_side[n : n + m], 0, 1).astype(np.int64)
    item = np.where(source_side[:n], 0, UNREACHED).astype(np.int64)
    slot_item, slot_org, slot_value = _slots(prep, assigned, expert[assigned.expert])
    return Potentials(expert, item, slot_item, slot_org, slot_value, big=0)


class NegativeCycle(RuntimeError):
    """The restricted flow was not optimal on its own network (should never happen)."""


@dataclass
class _Residual:
    """The restricted residual graph contracted to experts and the sink (see the module docstring).

    An assigned arc ``(i, e)`` is left backwards (cost ``+big·a``) into its item or slot; an
    unassigned candidate ``(i, e')`` leaves the item (or the slot of its organisation, when an
    assigned arc ``via`` uses it) forwards at cost ``-big·a``. Expert ``e`` reaches the sink at
    cost ``load + 1`` if it has room, and the sink reaches it at cost ``-load`` if it carries flow.
    """

    n_items: int
    assigned: Assigned
    assigned_cost: np.ndarray  # big · affinity of each assigned arc
    item: np.ndarray  # unassigned candidates: item,
    cost: np.ndarray  # big · affinity,
    via: np.ndarray  # index of the assigned arc whose slot they share, or -1,
    order: np.ndarray  # their order by expert,
    starts: np.ndarray  # the first position of each expert in that order,
    experts: np.ndarray  # and that expert
    loads: np.ndarray
    room: np.ndarray  # experts below capacity
    flowing: np.ndarray  # experts with flow


def _residual(
    prep: Prepared,
    assigned: Assigned,
    unassigned: tuple[np.ndarray, np.ndarray, np.ndarray],
    loads: np.ndarray,
    big: int,
) -> _Residual:
    items, experts, affinity = unassigned
    norg = max(prep.n_orgs, 1)
    with_org = prep.org[assigned.expert] >= 0
    slot_keys = assigned.item[with_org] * norg + prep.org[assigned.expert[with_org]]
    slot_arc = np.flatnonzero(with_org)
    order = np.argsort(slot_keys, kind="stable")
    slot_keys, slot_arc = slot_keys[order], slot_arc[order]
    org = prep.org[experts]
    keys = items * norg + org
    found = (org >= 0) & member_of(slot_keys, keys)
    via = np.full(len(items), -1, np.int64)
    if found.any():
        via[found] = slot_arc[np.searchsorted(slot_keys, keys[found])]
    by_expert = np.argsort(experts, kind="stable")
    ordered = experts[by_expert]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(ordered) else np.zeros(0, np.int64)
    return _Residual(
        n_items=prep.n,
        assigned=assigned,
        assigned_cost=big * assigned.affinity.astype(np.int64),
        item=items,
        cost=big * affinity.astype(np.int64),
        via=via,
        order=by_expert,
        starts=starts,
        experts=ordered[starts],
        loads=loads,
        room=np.flatnonzero(loads < prep.capacity),
        flowing=np.flatnonzero(loads > prep.base),
    )


def _sweep(res: _Residual, d: np.ndarray, d_sink: int) -> int:
    """One Bellman-Ford pass (in place on ``d``); returns the sink's new potential."""
    q = d[res.assigned.expert] + res.assigned_cost
    p = _item_thresholds(res.n_items, res.assigned, q)
    if len(res.item):
        source = np.where(res.via >= 0, q[np.maximum(res.via, 0)], p[res.item]) - res.cost
        d[res.experts] = np.minimum(d[res.experts], np.minimum.reduceat(source[res.order], res.starts))
    if len(res.room):
        d_sink = min(d_sink, int((d[res.room] + res.loads[res.room] + 1).min()))
    d[res.flowing] = np.minimum(d[res.flowing], d_sink - res.loads[res.flowing])
    return d_sink


def flow_potentials(
    prep: Prepared,
    assigned: Assigned,
    unassigned: tuple[np.ndarray, np.ndarray, np.ndarray],
    loads: np.ndarray,
    big: int,
) -> tuple[Potentials, int]:
    """Shortest-path potentials (from a virtual root joined to every node at cost 0) of the residual graph.

    ``unassigned`` are the candidate pairs without flow (item, expert, affinity); ``loads``
    include locked pairs. Returns the potentials and the number of Bellman-Ford sweeps; a
    shortest path has at most one node per expert, so more sweeps than that mean a negative cycle.
    """
    res = _residual(prep, assigned, unassigned, loads, big)
    d = np.zeros(prep.m, np.int64)
    d_sink, sweeps = 0, 0
    while True:
        sweeps += 1
        before = d.copy()
        d_sink = _sweep(res, d, d_sink)
        if np.array_equal(d, before):
            break
        if sweeps > prep.m + 2:
            raise NegativeCycle("Bellman-Ford did not converge: the restricted flow is not optimal")
    q = d[assigned.expert] + res.assigned_cost
    slot_item, slot_org, slot_value = _slots(prep, assigned, q)
    return Potentials(d, _item_thresholds(prep.n, assigned, q), slot_item, slot_org, slot_value, big), sweeps


def _thresholds(prep: Prepared, pot: Potentials, items: np.ndarray) -> np.ndarray:
    """The ``len(items) × m`` thresholds: the item's, or the used slot's for experts of that organisation.

    ``items`` sorted; ``pot.slot_item`` sorted.
    """
    item = pot.item[items]
    if prep.n_orgs == 0:
        return np.repeat(item[:, None], prep.m, axis=1)
    by_org = np.repeat(item[:, None], prep.n_orgs + 1, axis=1)
    lo, hi = np.searchsorted(pot.slot_item, [items[0], items[-1] + 1])
    inside = member_of(items, pot.slot_item[lo:hi])
    rows = np.searchsorted(items, pot.slot_item[lo:hi][inside])
    by_org[rows, pot.slot_org[lo:hi][inside]] = pot.slot_value[lo:hi][inside]
    return by_org[:, prep.org_col]


def _pick(rows: np.ndarray, key: np.ndarray, eligible: np.ndarray, per_item: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``per_item`` eligible columns of smallest ``key`` in each row."""
    width = key.shape[1]
    if per_item >= width:
        r, c = np.nonzero(eligible)
        return rows[r], c
    key = np.where(eligible, key, np.iinfo(np.int64).max)
    cols = np.argpartition(key, per_item - 1, axis=1)[:, :per_item]
    keep = np.take_along_axis(eligible, cols, axis=1)
    r = np.repeat(np.arange(len(rows)), per_item).reshape(len(rows), per_item)
    return rows[r[keep]], cols[keep]


def _reduced_costs(prep: Prepared, pot: Potentials, items: np.ndarray, assigned: Assigned) -> np.ndarray:
    """``threshold - d(e) - big·a(i,e)`` for some items' rows; not allowed or assigned pairs get UNREACHED."""
    reduced = _thresholds(prep, pot, items)
    reduced -= pot.expert
    if pot.big:
        rows, experts, affinity = positive_entries(prep, items)
        reduced[rows, experts] -= pot.big * affinity.astype(np.int64)
    excluded = excluded_rows(prep, items)
    rows, experts = assigned_entries(assigned, items)
    excluded[rows, experts] = True
    np.copyto(reduced, UNREACHED, where=excluded)
    return reduced


def assigned_entries(assigned: Assigned, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The assigned pairs of some items (sorted) as (row in ``items``, expert)."""
    lo, hi = np.searchsorted(assigned.item, [items[0], items[-1] + 1])
    inside = member_of(items, assigned.item[lo:hi])
    return np.searchsorted(items, assigned.item[lo:hi][inside]), assigned.expert[lo:hi][inside]


def row_bounds(prep: Prepared, pot: Potentials, assigned: Assigned) -> np.ndarray:
    """Per item, a lower bound of the reduced costs of its allowed, unassigned pairs.

    Every threshold of item ``i`` is at least ``P(i)`` and every ``d(e) + big·a(i,e)`` at most the
    larger of ``max d`` (unlisted pairs) and the maximum over the item's listed pairs, so rows
    whose bound is not below the pricing limit can be skipped without looking at them.
    """
    d = pot.expert[prep.usable]
    top = np.full(prep.n, d.max() if len(d) else -UNREACHED, np.int64)
    if pot.big and len(prep.pos_key):
        value = pot.expert[prep.pos_expert] + pot.big * prep.pos_affinity.astype(np.int64)
        keys = np.sort(assigned.item * prep.m + assigned.expert)
        value[member_of(keys, prep.pos_key, keys_sorted=True)] = -UNREACHED
        has = np.flatnonzero(np.diff(prep.pos_ptr))
        top[has] = np.maximum(top[has], np.maximum.reduceat(value, prep.pos_ptr[has]))
    return pot.item - top


def _scan(
    prep: Prepared,
    pot: Potentials,
    assigned: Assigned,
    items: np.ndarray,
    limit: int,
    per_item: int,
    block_entries: int,
) -> tuple[list[tuple[np.ndarray, np.ndarray, np.ndarray]], int]:
    """Price the rows of ``items`` pair by pair: (picked pairs per block, number of negative reduced costs)."""
    picked, count = [], 0
    scale = prep.max_affinity + 1 if prep.max_affinity < TIE_BREAK_LIMIT else 0
    step = block_rows(prep, block_entries)
    for start in range(0, len(items), step):
        block = items[start : start + step]
        reduced = _reduced_costs(prep, pot, block, assigned)
        rows = np.flatnonzero(reduced.min(axis=1) < limit)
        if len(rows) == 0:
            continue
        reduced = reduced[rows]
        count += int(np.count_nonzero(reduced < 0))
        affinity = affinity_rows(prep, block[rows])
        key = np.clip(reduced, -CLIP, limit) * scale - affinity if scale else reduced
        r, c = _pick(np.arange(len(rows)), key, reduced < limit, per_item)
        picked.append((block[rows[r]], c, affinity[r, c]))
    return picked, count


def price(
    prep: Prepared,
    pot: Potentials,
    assigned: Assigned,
    per_item: int,
    slack: int = 0,
    block_entries: int = BLOCK_ENTRIES,
) -> Violations:
    """Every allowed, unassigned pair whose residual arc violates the potentials (see the module docstring).

    ``count`` is the number of violating pairs (negative reduced cost). If there are any, returned
    are, per item, up to ``per_item`` pairs of reduced cost below ``slack`` (0: violating pairs
    only), the most negative first (ties: higher affinity): near-violators are worth adding
    along, as the next solve moves the potentials a little (without them, long tails of rounds
    with a handful of violations each are common). Rows are priced pair by pair, in dense
    blocks, unless :func:`row_bounds` clears them as a whole.
    """
    order = np.argsort(pot.slot_item, kind="stable")
    pot = Potentials(pot.expert, pot.item, pot.slot_item[order], pot.slot_org[order], pot.slot_value[order], pot.big)
    limit = max(slack, 0)  # reduced costs below this are returned (below 0 counted)
    bounds = row_bounds(prep, pot, assigned)
    suspects = np.flatnonzero(bounds < 0)
    picked, count = _scan(prep, pot, assigned, suspects, limit, per_item, block_entries)
    scanned = len(suspects)
    if count and limit > 0:
        nearby = np.flatnonzero((bounds >= 0) & (bounds < limit))
        picked += _scan(prep, pot, assigned, nearby, limit, per_item, block_entries)[0]
        scanned += len(nearby)
    if not picked:
        empty = np.zeros(0, np.int64)
        return Violations(empty, empty, empty, count, scanned)
    items, experts, affinity = (np.concatenate(part) for part in zip(*picked, strict=True))
    return Violations(items, experts, affinity, count, scanned)
