"""The data the engine reads and writes: an assignment instance, a shortage, a solution.

Everything is plain numpy: items and experts are the integers ``0..n-1`` and ``0..m-1``; the
caller keeps the mapping to its own keys (bid revisions, expert profiles).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

NO_ORG = -1  # the organisation of an expert who belongs to none
MAX_AFFINITY = 2**31 - 1


def _ints(values: Any, name: str) -> np.ndarray:
    """A one-dimensional int64 copy of ``values`` (an empty sequence is fine); non-integers are refused."""
    array = np.asarray(values if values is not None else [])
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size and array.dtype.kind not in "iub":
        if array.dtype.kind != "f" or not np.array_equal(array, np.round(array)):
            raise ValueError(f"{name} must hold integers")
    return np.ascontiguousarray(array, dtype=np.int64)


def _same_length(names: tuple[str, ...], arrays: tuple[np.ndarray, ...]) -> None:
    lengths = {len(a) for a in arrays}
    if len(lengths) > 1:
        raise ValueError(f"{', '.join(names)} must have the same length, got {[len(a) for a in arrays]}")


def _in_range(array: np.ndarray, upper: int, name: str) -> None:
    if len(array) and (array.min() < 0 or array.max() >= upper):
        raise ValueError(f"{name} must lie in 0..{upper - 1}")


@dataclass(frozen=True)
class Instance:
    """A reviewer-assignment problem.

    need[i]           how many distinct experts item ``i`` must get (``k``, may differ per item)
    capacity[e]       how many items expert ``e`` may take at most (locked pairs included)
    pair_item/pair_expert/pair_affinity
                      the sparse non-negative integer affinities; a pair that is not listed has
                      affinity 0 and is still allowed unless forbidden; each pair at most once
    forbidden_item/forbidden_expert
                      pairs that must not be assigned (conflicts of interest); duplicates are fine
    expert_org[e]     the organisation of expert ``e`` (any integer), ``-1`` for none; two experts of
                      one organisation never review the same item
    locked_item/locked_expert
                      pairs an operator fixed: they are part of every solution (a pair locked
                      twice counts once)
    """

    need: np.ndarray
    capacity: np.ndarray
    pair_item: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pair_expert: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pair_affinity: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    forbidden_item: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    forbidden_expert: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    expert_org: np.ndarray | None = None
    locked_item: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    locked_expert: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        for name in (
            "need",
            "capacity",
            "pair_item",
            "pair_expert",
            "pair_affinity",
            "forbidden_item",
            "forbidden_expert",
            "locked_item",
            "locked_expert",
        ):
            object.__setattr__(self, name, _ints(getattr(self, name), name))
        org = self.expert_org
        org = np.full(len(self.capacity), NO_ORG, np.int64) if org is None else _ints(org, "expert_org")
        object.__setattr__(self, "expert_org", org)
        self._validate()

    def _validate(self) -> None:
        n, m = self.n_items, self.n_experts
        if len(self.expert_org) != m:
            raise ValueError(f"expert_org has {len(self.expert_org)} entries for {m} experts")
        if (self.need < 0).any() or (self.capacity < 0).any():
            raise ValueError("need and capacity must be non-negative")
        if (self.expert_org < NO_ORG).any():
            raise ValueError("expert_org must be -1 (no organisation) or a non-negative id")
        _same_length(("pair_item", "pair_expert", "pair_affinity"), (self.pair_item, self.pair_expert, self.pair_affinity))
        _same_length(("forbidden_item", "forbidden_expert"), (self.forbidden_item, self.forbidden_expert))
        _same_length(("locked_item", "locked_expert"), (self.locked_item, self.locked_expert))
        if len(self.pair_affinity) and (self.pair_affinity.min() < 0 or self.pair_affinity.max() > MAX_AFFINITY):
            raise ValueError(f"affinities must be non-negative integers up to {MAX_AFFINITY}")
        for items, experts, what in (
            (self.pair_item, self.pair_expert, "affinity pairs"),
            (self.forbidden_item, self.forbidden_expert, "forbidden pairs"),
            (self.locked_item, self.locked_expert, "locked pairs"),
        ):
            _in_range(items, n, f"items of {what}")
            _in_range(experts, m, f"experts of {what}")

    @property
    def n_items(self) -> int:
        return len(self.need)

    @property
    def n_experts(self) -> int:
        return len(self.capacity)


@dataclass(frozen=True)
class Shortage:
    """Why an instance cannot be solved, for one item (or for all when ``item`` is None).

    ``reason`` is a stable code for programs and translations; ``message`` is plain English.
    """

    item: int | None
    reason: str
    message: str
    expert: int | None = None
    missing: int = 0  # how many reviewers the item lacks, when that is known


# reason codes of Shortage
TOTAL_CAPACITY = "total_capacity"
TOO_FEW_ELIGIBLE = "too_few_eligible"
FLOW_SHORTAGE = "flow_shortage"
LOCKED_FORBIDDEN = "locked_forbidden"
LOCKED_SAME_ORG = "locked_same_org"
LOCKED_OVER_NEED = "locked_over_need"
LOCKED_OVER_CAPACITY = "locked_over_capacity"

# statuses of Solution
OPTIMAL = "optimal"  # proven optimal for the lexicographic objective
INFEASIBLE = "infeasible"  # see Solution.shortages; nothing is assigned
COMPLETE = "complete"  # greedy: every item got its need (no optimality claim)
INCOMPLETE = "incomplete"  # greedy: some items are short


@dataclass
class Solution:
    """Pairs ``(item[j], expert[j])`` sorted by item then expert, locked pairs included."""

    item: np.ndarray
    expert: np.ndarray
    total_affinity: int
    loads: np.ndarray
    status: str
    shortages: list[Shortage] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def load_penalty(self) -> int:
        """The second objective: the sum of squared loads (lower is more even)."""
        return int((self.loads.astype(np.int64) ** 2).sum())

    def load_summary(self) -> dict[str, float]:
        loads = self.loads
        if len(loads) == 0:
            return {"max": 0, "min": 0, "std": 0.0, "idle": 0}
        return {
            "max": int(loads.max()),
            "min": int(loads.min()),
            "std": float(loads.std()),
            "idle": int((loads == 0).sum()),
        }
