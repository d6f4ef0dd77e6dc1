"""Can every item get its reviewers? Cheap necessary checks first, then a flow that decides.

1. Locked pairs: forbidden, repeated, two of one organisation on an item, more than the item
   needs, more than the expert can take.
2. Total free capacity against total remaining need.
3. Per item, the number of eligible "slots": organisations with at least one allowed expert
   (not conflicted, not blocked by a lock, with free capacity) plus allowed experts without an
   organisation. An item needing more than that can never be served.
4. A maximum flow decides the rest. It runs on the candidate pairs only, and is extended like
   the engine's min-cost flow (see ``pricing``): while some allowed pair crosses the minimum cut
   of the restricted network, it is added and the flow solved again. When no pair crosses, the
   cut is a cut of the full network, so its flow is a maximum flow of the full problem, and the
   items it leaves short are reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .candidates import Candidates
from .instance import (
    FLOW_SHORTAGE,
    LOCKED_FORBIDDEN,
    LOCKED_OVER_CAPACITY,
    LOCKED_OVER_NEED,
    LOCKED_SAME_ORG,
    TOO_FEW_ELIGIBLE,
    TOTAL_CAPACITY,
    Shortage,
)
from .network import max_flow_network, solve_max_flow
from .prepare import BLOCK_ENTRIES, Prepared, member_of
from .pricing import Assigned, cut_potentials, price

MAX_LISTED = 10  # items named in one message


def _listed(values: np.ndarray) -> str:
    shown = ", ".join(str(int(v)) for v in values[:MAX_LISTED])
    return shown + (f" and {len(values) - MAX_LISTED} more" if len(values) > MAX_LISTED else "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _locked_pair_problems(prep: Prepared) -> list[Shortage]:
    inst, m = prep.instance, prep.m
    items, experts = prep.locked_item, prep.locked_expert
    keys = items * m + experts
    forbidden = np.unique(inst.forbidden_item * m + inst.forbidden_expert)
    out = [
        Shortage(
            int(k // m),
            LOCKED_FORBIDDEN,
            f"item {k // m} is locked to expert {k % m}, who has a conflict with it",
            int(k % m),
        )
        for k in keys[member_of(forbidden, keys)]
    ]
    org = prep.org[experts]
    slot = items[org >= 0] * max(prep.n_orgs, 1) + org[org >= 0]
    slots, counts = np.unique(slot, return_counts=True)
    for s in slots[counts > 1]:
        i, o = divmod(int(s), max(prep.n_orgs, 1))
        who = experts[(items == i) & (org == o)]
        out.append(Shortage(i, LOCKED_SAME_ORG, f"item {i} is locked to experts {_listed(who)} of one organisation"))
    return out


def _locked_count_problems(prep: Prepared) -> list[Shortage]:
    inst = prep.instance
    per_item = np.bincount(prep.locked_item, minlength=prep.n)
    out = [
        Shortage(int(i), LOCKED_OVER_NEED, f"item {i} has {per_item[i]} locked experts but needs only {inst.need[i]}")
        for i in np.flatnonzero(per_item > inst.need)
    ]
    for e in np.flatnonzero(prep.base > prep.capacity):
        items = prep.locked_item[prep.locked_expert == e]
        out.append(
            Shortage(
                None,
                LOCKED_OVER_CAPACITY,
                f"expert {e} is locked to {_plural(int(prep.base[e]), 'item')} ({_listed(items)}) "
                f"but can take only {prep.capacity[e]}",
                int(e),
            )
        )
    return out


def eligible_slots(prep: Prepared) -> np.ndarray:
    """Per item: organisations with an allowed expert, plus allowed experts without organisation."""
    n, norg = prep.n, max(prep.n_orgs, 1)
    usable_org = prep.org[prep.usable]
    org_size = np.bincount(usable_org[usable_org >= 0], minlength=prep.n_orgs)
    total = int((org_size > 0).sum()) + int((usable_org < 0).sum())
    items = np.repeat(np.arange(n), np.diff(prep.blocked_ptr))
    experts = prep.blocked_expert.astype(np.int64)
    keep = prep.usable[experts]
    items, org = items[keep], prep.org[experts[keep]]
    lost = np.bincount(items[org < 0], minlength=n)
    slot, counts = np.unique(items[org >= 0] * norg + org[org >= 0], return_counts=True)
    gone = counts == org_size[slot % norg]
    lost += np.bincount(slot[gone] // norg, minlength=n)
    return total - lost


def cheap_checks(prep: Prepared) -> list[Shortage]:
    """Checks 1-3 of the module docstring; an empty list when they all pass."""
    out = _locked_pair_problems(prep) + _locked_count_problems(prep)
    if out:
        return out
    need, free = prep.total_need, int(prep.free.sum())
    if free < need:
        out.append(
            Shortage(
                None,
                TOTAL_CAPACITY,
                f"the items need {need} more reviews but the experts can take only {free}",
                missing=need - free,
            )
        )
    slots = eligible_slots(prep)
    for i in np.flatnonzero(slots < prep.need):
        out.append(
            Shortage(
                int(i),
                TOO_FEW_ELIGIBLE,
                f"item {i} has only {_plural(int(slots[i]), 'unconflicted expert')} from distinct organisations "
                f"with free capacity, needs {prep.need[i]}",
                missing=int(prep.need[i] - slots[i]),
            )
        )
    return out


@dataclass
class Routing:
    """The outcome of check 4: the candidates (extended) and either a full flow or the shortages."""

    candidates: Candidates
    flow: np.ndarray  # bool per candidate
    shortages: list[Shortage]
    rounds: int


def _flow_shortages(prep: Prepared, assigned: Assigned, source_side: np.ndarray) -> list[Shortage]:
    got = np.bincount(assigned.item, minlength=prep.n)
    short = np.flatnonzero(got < prep.need)
    group = np.flatnonzero(source_side[: prep.n] & (prep.need > 0))
    experts = int(source_side[prep.n : prep.n + prep.m].sum())
    missing = int(prep.total_need - got.sum())
    return [
        Shortage(
            int(i),
            FLOW_SHORTAGE,
            f"item {i} can be given only {got[i]} of the {prep.need[i]} reviewers it needs: with "
            f"{_plural(len(group) - 1, 'other item')} it competes for the same {_plural(experts, 'eligible expert')}, "
            f"who cannot cover them all at one per organisation ({_plural(missing, 'review')} missing in all)",
            missing=int(prep.need[i] - got[i]),
        )
        for i in short
    ]


def route(prep: Prepared, candidates: Candidates, per_item: int, block_entries: int = BLOCK_ENTRIES) -> Routing:
    """Check 4 of the module docstring, by column generation over the minimum cut."""
    for rounds in range(1, prep.n * prep.m + 2):
        net = max_flow_network(prep, candidates.item, candidates.expert)
        flow, value, source_side = solve_max_flow(net)
        if value == prep.total_need:
            return Routing(candidates, flow, [], rounds)
        assigned = Assigned(candidates.item[flow], candidates.expert[flow], candidates.affinity[flow])
        crossing = price(prep, cut_potentials(prep, assigned, source_side), assigned, per_item, block_entries=block_entries)
        if crossing.count == 0:
            return Routing(candidates, flow, _flow_shortages(prep, assigned, source_side), rounds)
        candidates = candidates.merged(crossing.item, crossing.expert, crossing.affinity, prep.m)
    raise AssertionError("unreachable: every round adds at least one pair")
