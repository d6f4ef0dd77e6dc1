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
2. checks every allowed pair of the *full* problem, in dense blocks of rows: a pair ``(i, e)`` not
   assigned has the residual arc ``slot → e`` of cost ``-BIG·a(i,e)``, which is fine iff
   ``d(e) + BIG·a(i,e) <= threshold`` (``P(i)``, or the used slot's value).

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

from .prepare import BLOCK_ENTRIES, Prepared, blocks, csr_pointers, member_of

UNREACHED = np.int64(1) << np.int64(61)  # threshold of an item that no arc enters


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
class _Exchange:
    """The restricted residual graph contracted to experts: the candidates not assigned."""

    item: np.ndarray
    affinity: np.ndarray
    via: np.ndarray  # index of the assigned arc whose slot the candidate shares, or -1
    order: np.ndarray  # candidates sorted by expert
    starts: np.ndarray  # first position of each expert group in that order
    experts: np.ndarray  # expert of each group


def _exchange(
    prep: Prepared, assigned: Assigned, items: np.ndarray, experts: np.ndarray, affinity: np.ndarray
) -> _Exchange:
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
    sorted_experts = experts[by_expert]
    starts = (
        np.flatnonzero(np.r_[True, sorted_experts[1:] != sorted_experts[:-1]])
        if len(experts)
        else np.zeros(0, np.int64)
    )
    return _Exchange(items, affinity.astype(np.int64), via, by_expert, starts, sorted_experts[starts])


def flow_potentials(
    prep: Prepared,
    assigned: Assigned,
    unassigned: tuple[np.ndarray, np.ndarray, np.ndarray],
    loads: np.ndarray,
    big: int,
) -> tuple[Potentials, int]:
    """Shortest-path potentials (from a virtual root joined to every node at cost 0) of the residual graph.

    ``unassigned`` are the candidate pairs without flow (item, expert, affinity); ``loads``
    include locked pairs. Returns the potentials and the number of Bellman-Ford sweeps.
    """
    n, m = prep.n, prep.m
    ex = _exchange(prep, assigned, *unassigned)
    assigned_affinity = big * assigned.affinity.astype(np.int64)
    candidate_affinity = big * ex.affinity
    room = np.flatnonzero(loads < prep.capacity)  # residual expert → sink, cost load + 1
    flowing = np.flatnonzero(loads > prep.base)  # residual sink → expert, cost -load
    d = np.zeros(m, np.int64)
    d_sink = np.int64(0)
    for sweep in range(1, 2 * (n + m) + 3):
        before = d.copy()
        q = d[assigned.expert] + assigned_affinity
        p = _item_thresholds(n, assigned, q)
        if len(ex.item):
            source = np.where(ex.via >= 0, q[np.maximum(ex.via, 0)], p[ex.item]) - candidate_affinity
            best = np.minimum.reduceat(source[ex.order], ex.starts)
            d[ex.experts] = np.minimum(d[ex.experts], best)
        if len(room):
            d_sink = min(d_sink, int((d[room] + loads[room] + 1).min()))
        d[flowing] = np.minimum(d[flowing], d_sink - loads[flowing])
        if np.array_equal(d, before):
            break
    else:
        raise NegativeCycle("Bellman-Ford did not converge: the restricted flow is not optimal")
    q = d[assigned.expert] + assigned_affinity
    slot_item, slot_org, slot_value = _slots(prep, assigned, q)
    return Potentials(d, _item_thresholds(n, assigned, q), slot_item, slot_org, slot_value, big), sweep


def _thresholds(prep: Prepared, pot: Potentials, i0: int, i1: int) -> np.ndarray:
    """The ``(i1-i0) × m`` thresholds: the item's, or the used slot's for experts of that organisation."""
    item = pot.item[i0:i1]
    if prep.n_orgs == 0:
        return np.repeat(item[:, None], prep.m, axis=1)
    by_org = np.repeat(item[:, None], prep.n_orgs + 1, axis=1)
    s, t = np.searchsorted(pot.slot_item, [i0, i1])
    by_org[pot.slot_item[s:t] - i0, pot.slot_org[s:t]] = pot.slot_value[s:t]
    return by_org[:, prep.org_col]


def _pick(rows: np.ndarray, key: np.ndarray, per_item: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``per_item`` columns of smallest negative ``key`` in each row."""
    width = key.shape[1]
    if per_item >= width:
        r, c = np.nonzero(key < 0)
        return rows[r], c
    cols = np.argpartition(key, per_item - 1, axis=1)[:, :per_item]
    keep = np.take_along_axis(key, cols, axis=1) < 0
    r = np.repeat(np.arange(len(rows)), per_item).reshape(len(rows), per_item)
    return rows[r[keep]], cols[keep]


def price(
    prep: Prepared,
    pot: Potentials,
    assigned: Assigned,
    per_item: int,
    block_entries: int = BLOCK_ENTRIES,
) -> Violations:
    """Every allowed, unassigned pair whose residual arc violates the potentials (see the module docstring).

    Returns at most ``per_item`` pairs per item, the most violating first (ties: higher affinity).
    """
    order = np.argsort(pot.slot_item, kind="stable")
    pot = Potentials(pot.expert, pot.item, pot.slot_item[order], pot.slot_org[order], pot.slot_value[order], pot.big)
    assigned_ptr = csr_pointers(assigned.item, prep.n)
    out_i, out_e, out_a, count = [], [], [], 0
    scale = prep.max_affinity + 1
    for i0, i1, affinity, allowed in blocks(prep, block_entries):
        s, t = assigned_ptr[i0], assigned_ptr[i1]
        allowed[assigned.item[s:t] - i0, assigned.expert[s:t]] = False
        reduced = _thresholds(prep, pot, i0, i1) - (pot.expert + pot.big * affinity)
        bad = allowed & (reduced < 0)
        rows = np.flatnonzero(bad.any(axis=1))
        if len(rows) == 0:
            continue
        count += int(bad[rows].sum())
        key = np.where(bad[rows], reduced[rows] * scale - affinity[rows], 0)
        r, c = _pick(rows, key, per_item)
        out_i.append(r + i0)
        out_e.append(c)
        out_a.append(affinity[r, c])
    if not out_i:
        return Violations(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), 0)
    return Violations(np.concatenate(out_i), np.concatenate(out_e), np.concatenate(out_a), count)
