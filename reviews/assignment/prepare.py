"""Derived, validated arrays shared by the checks, the engine, the greedy baseline and the reference.

Locked pairs are taken out first: they are part of every solution, so they lower the item's
remaining need and the expert's free capacity, and they block, for their item, the locked expert
and every other expert of the same organisation. What is left is a problem without locks.

A pair ``(i, e)`` is *allowed* when it is not forbidden, not blocked by a lock, the item still
needs someone and the expert has free capacity. The positive affinities of allowed pairs are
kept in CSR form by item; every other allowed pair has affinity 0. Nothing of size
``items × experts`` is ever stored: the full pair space is only visited in blocks of rows
(:func:`excluded_rows`, :func:`affinity_rows`), each a dense ``rows × experts`` array of bounded
size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .instance import NO_ORG, Instance

BLOCK_ENTRIES = 1 << 20  # entries of one dense block of the pair space (8 MB as int64)


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(s, s + l)`` for each start and length, without a Python loop."""
    lengths = lengths.astype(np.int64, copy=False)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts.astype(np.int64, copy=False), lengths) + np.arange(total, dtype=np.int64) - offsets


def csr_pointers(sorted_rows: np.ndarray, n_rows: int) -> np.ndarray:
    """Row pointers of a CSR whose entries are sorted by row."""
    ptr = np.zeros(n_rows + 1, np.int64)
    np.cumsum(np.bincount(sorted_rows, minlength=n_rows), out=ptr[1:])
    return ptr


def member_of(sorted_keys: np.ndarray, keys: np.ndarray, keys_sorted: bool = False) -> np.ndarray:
    """``keys[j] in sorted_keys`` for each j (``sorted_keys`` sorted ascending).

    With ``keys_sorted`` (``keys`` ascending too) the smaller array is searched in the larger one.
    """
    if len(sorted_keys) == 0 or len(keys) == 0:
        return np.zeros(len(keys), bool)
    if keys_sorted and len(sorted_keys) < len(keys):
        at = np.searchsorted(keys, sorted_keys)
        hit = at < len(keys)
        hit[hit] = keys[at[hit]] == sorted_keys[hit]
        out = np.zeros(len(keys), bool)
        out[at[hit]] = True
        return out
    at = np.searchsorted(sorted_keys, keys)
    return sorted_keys[np.minimum(at, len(sorted_keys) - 1)] == keys


def sorted_pointers(sorted_rows: np.ndarray, n_rows: int) -> np.ndarray:
    """Row pointers of a CSR whose entries are sorted by row (binary search, no pass over the entries)."""
    return np.searchsorted(sorted_rows, np.arange(n_rows + 1)).astype(np.int64)


@dataclass
class Prepared:
    """The instance with locks taken out, organisations renumbered and pairs indexed."""

    instance: Instance
    n: int
    m: int
    need: np.ndarray  # remaining need per item (never negative)
    capacity: np.ndarray  # full capacity per expert
    base: np.ndarray  # locked load per expert
    free: np.ndarray  # remaining capacity per expert (never negative)
    org: np.ndarray  # organisation 0..n_orgs-1, or -1
    n_orgs: int
    org_col: np.ndarray  # org, with -1 mapped to the extra column n_orgs
    usable: np.ndarray  # bool per expert: free capacity left
    pos_ptr: np.ndarray  # CSR by item of the positive affinities of allowed pairs,
    pos_key: np.ndarray  # sorted by item * m + expert
    pos_expert: np.ndarray
    pos_affinity: np.ndarray
    blocked_ptr: np.ndarray  # CSR by item of blocked pairs (forbidden, locked, organisation of a lock)
    blocked_expert: np.ndarray
    blocked_key: np.ndarray
    locked_item: np.ndarray  # the locked pairs, each once, sorted
    locked_expert: np.ndarray
    locked_affinity: np.ndarray  # listed affinity of each locked pair

    @property
    def total_need(self) -> int:
        return int(self.need.sum())

    @property
    def max_affinity(self) -> int:
        return int(self.pos_affinity.max()) if len(self.pos_affinity) else 0

    def affinity_of(self, items: np.ndarray, experts: np.ndarray) -> np.ndarray:
        """The affinity of allowed pairs (0 when not listed)."""
        keys = items.astype(np.int64) * self.m + experts
        if len(self.pos_key) == 0:
            return np.zeros(len(keys), np.int64)
        at = np.minimum(np.searchsorted(self.pos_key, keys), len(self.pos_key) - 1)
        return np.where(self.pos_key[at] == keys, self.pos_affinity[at], 0).astype(np.int64)

    def org_members(self) -> tuple[np.ndarray, np.ndarray]:
        """CSR of the experts of each organisation: (pointers, experts)."""
        has = self.org >= 0
        experts = np.flatnonzero(has)
        experts = experts[np.argsort(self.org[has], kind="stable")]
        return csr_pointers(self.org[experts], self.n_orgs), experts


def _sorted_pairs(instance: Instance) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Listed affinities as (sorted keys, items, experts, affinities); a pair listed twice is an error."""
    items, experts, affinity = instance.pair_item, instance.pair_expert, instance.pair_affinity
    keys = items * instance.n_experts + experts
    if len(keys) > 1 and not (keys[1:] > keys[:-1]).all():
        order = np.argsort(keys, kind="stable")
        keys, items, experts, affinity = keys[order], items[order], experts[order], affinity[order]
        duplicate = np.flatnonzero(keys[1:] == keys[:-1])
        if len(duplicate):
            j = duplicate[0]
            raise ValueError(f"affinity of pair (item {items[j]}, expert {experts[j]}) given twice")
    return keys, items, experts, affinity


def _renumber_orgs(expert_org: np.ndarray) -> tuple[np.ndarray, int]:
    org = np.full(len(expert_org), NO_ORG, np.int64)
    has = expert_org >= 0
    values, org[has] = np.unique(expert_org[has], return_inverse=True)
    return org, len(values)


def _blocked_keys(
    instance: Instance, locked: tuple[np.ndarray, np.ndarray], org: np.ndarray, members: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """Sorted unique keys of pairs that may not be added: forbidden, locked, same organisation as a lock."""
    m = instance.n_experts
    locked_item, locked_expert = locked
    parts = [instance.forbidden_item * m + instance.forbidden_expert, locked_item * m + locked_expert]
    locked_org = org[locked_expert]
    with_org = locked_org >= 0
    if with_org.any():
        ptr, experts = members
        orgs = locked_org[with_org]
        sizes = ptr[orgs + 1] - ptr[orgs]
        items = np.repeat(locked_item[with_org], sizes)
        parts.append(items * m + experts[ranges(ptr[orgs], sizes)])
    return np.unique(np.concatenate(parts))


def _lookup(sorted_keys: np.ndarray, values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``values`` at ``keys`` in ``sorted_keys``, 0 where absent."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), np.int64)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return np.where(sorted_keys[at] == keys, values[at], 0).astype(np.int64)


def prepare(instance: Instance) -> Prepared:
    """Take the locks out and index the pairs (see the module docstring)."""
    n, m = instance.n_items, instance.n_experts
    locked = np.unique(instance.locked_item * m + instance.locked_expert)
    locked_item, locked_expert = locked // m, locked % m
    base = np.bincount(locked_expert, minlength=m).astype(np.int64)
    need = np.maximum(instance.need - np.bincount(locked_item, minlength=n), 0)
    free = np.maximum(instance.capacity - base, 0)
    org, n_orgs = _renumber_orgs(instance.expert_org)
    members = np.flatnonzero(org >= 0)
    members = members[np.argsort(org[members], kind="stable")]
    blocked = _blocked_keys(instance, (locked_item, locked_expert), org, (csr_pointers(org[members], n_orgs), members))
    keys, items, experts, affinity = _sorted_pairs(instance)
    keep = (affinity > 0) & (free[experts] > 0) & (need[items] > 0) & ~member_of(blocked, keys, keys_sorted=True)
    items = items[keep]
    return Prepared(
        instance=instance,
        n=n,
        m=m,
        need=need,
        capacity=instance.capacity,
        base=base,
        free=free,
        org=org,
        n_orgs=n_orgs,
        org_col=np.where(org >= 0, org, n_orgs),
        usable=free > 0,
        pos_ptr=sorted_pointers(items, n),
        pos_key=keys[keep],
        pos_expert=experts[keep].astype(np.int32),
        pos_affinity=affinity[keep].astype(np.int32),
        blocked_ptr=sorted_pointers(blocked // m, n),
        blocked_expert=(blocked % m).astype(np.int32),
        blocked_key=blocked,
        locked_item=locked_item,
        locked_expert=locked_expert,
        locked_affinity=_lookup(keys, affinity, locked),
    )


def block_rows(prep: Prepared, block_entries: int = BLOCK_ENTRIES) -> int:
    return max(1, block_entries // max(prep.m, 1))


def positive_entries(prep: Prepared, items: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The positive affinities of some items as (row in ``items``, expert, affinity)."""
    starts, lengths = prep.pos_ptr[items], prep.pos_ptr[items + 1] - prep.pos_ptr[items]
    at = ranges(starts, lengths)
    return np.repeat(np.arange(len(items)), lengths), prep.pos_expert[at], prep.pos_affinity[at]


def affinity_rows(prep: Prepared, items: np.ndarray) -> np.ndarray:
    """Dense ``len(items) × m`` int64 affinities of some items."""
    out = np.zeros((len(items), prep.m), np.int64)
    rows, experts, affinity = positive_entries(prep, items)
    out[rows, experts] = affinity
    return out


def excluded_rows(prep: Prepared, items: np.ndarray) -> np.ndarray:
    """Which pairs of some items are not allowed, ``len(items) × m`` bool."""
    excluded = np.empty((len(items), prep.m), bool)
    excluded[:] = ~prep.usable
    starts, lengths = prep.blocked_ptr[items], prep.blocked_ptr[items + 1] - prep.blocked_ptr[items]
    rows = np.repeat(np.arange(len(items)), lengths)
    excluded[rows, prep.blocked_expert[ranges(starts, lengths)]] = True
    excluded[prep.need[items] == 0] = True
    return excluded


def dense_block(prep: Prepared, i0: int, i1: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``i0..i1-1`` of the pair space: (affinity int64, allowed bool), each ``(i1-i0) × m``."""
    items = np.arange(i0, i1)
    return affinity_rows(prep, items), ~excluded_rows(prep, items)


def row_blocks(prep: Prepared, block_entries: int = BLOCK_ENTRIES) -> Iterator[tuple[int, int]]:
    """Consecutive item ranges whose dense rows hold about ``block_entries`` entries."""
    step = block_rows(prep, block_entries)
    for i0 in range(0, prep.n, step):
        yield i0, min(prep.n, i0 + step)


def blocks(prep: Prepared, block_entries: int = BLOCK_ENTRIES) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """Every block of rows of the pair space, as (i0, i1, affinity, allowed)."""
    for i0, i1 in row_blocks(prep, block_entries):
        yield (i0, i1, *dense_block(prep, i0, i1))
