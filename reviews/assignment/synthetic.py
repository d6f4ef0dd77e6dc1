"""Seeded, realistic random instances for tests and benchmarks (no real data).

Experts have 1-3 and items 1-2 of ``n_fields`` technical fields (some fields more popular) and
keywords drawn mostly from their fields' vocabularies; affinity = 10 · shared fields + shared
keywords, plus a small preference bonus on a few pairs, which gives 15-18 % positive pairs.
Experts belong to organisations of skewed sizes (some to none). Each item's lead and partner
organisations conflict with their staff, plus a few declared conflicts, 0-15 experts in all.
"""

from __future__ import annotations

import numpy as np

from .instance import NO_ORG, Instance

FIELD_WEIGHT = 10
MAX_CONFLICTS = 15


def _choose_sets(
    rng: np.random.Generator, count: int, sizes: tuple[int, ...], probs: tuple[float, ...], weights: np.ndarray
) -> np.ndarray:
    """A ``count × len(weights)`` 0/1 matrix: each row a weighted sample without replacement."""
    out = np.zeros((count, len(weights)), np.float32)
    size = rng.choice(sizes, size=count, p=probs)
    keys = rng.random((count, len(weights))) ** (1.0 / weights)  # Efraimidis-Spirakis
    order = np.argsort(-keys, axis=1)
    for s in set(size.tolist()):
        rows = np.flatnonzero(size == s)
        out[rows[:, None], order[rows, :s]] = 1
    return out


def _keywords(rng: np.random.Generator, fields: np.ndarray, n_keywords: int, low: int, high: int) -> np.ndarray:
    """Mostly keywords of the row's own fields, some from anywhere."""
    n_fields = fields.shape[1]
    home = np.arange(n_keywords) % n_fields
    weight = fields[:, home] * 6.0 + 0.05
    out = np.zeros((fields.shape[0], n_keywords), np.float32)
    count = rng.integers(low, high + 1, size=fields.shape[0])
    keys = rng.random(weight.shape) ** (1.0 / weight)
    order = np.argsort(-keys, axis=1)
    for c in set(count.tolist()):
        rows = np.flatnonzero(count == c)
        out[rows[:, None], order[rows, :c]] = 1
    return out


def _organisations(rng: np.random.Generator, m: int) -> np.ndarray:
    n_orgs = max(2, m // 8)
    popularity = 1.0 / (np.arange(n_orgs) + 3.0)
    org = rng.choice(n_orgs, size=m, p=popularity / popularity.sum())
    org[rng.random(m) < 0.12] = NO_ORG
    return org


def _conflicts(rng: np.random.Generator, n: int, org: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Staff of each item's lead and partner organisations, and declared conflicts; at most 15 per item."""
    m = len(org)
    n_orgs = int(org.max()) + 1
    members = [np.flatnonzero(org == o) for o in range(n_orgs)]
    items, experts = [], []
    for i in range(n):
        chosen: list[int] = []
        bidders = rng.choice(n_orgs, size=1 + rng.integers(0, 3), replace=False)
        for o in bidders:
            if rng.random() < 0.6 and len(chosen) + len(members[o]) <= MAX_CONFLICTS:
                chosen += members[o].tolist()
        declared = rng.integers(0, m, size=rng.integers(0, 4))
        chosen = list(dict.fromkeys(chosen + declared.tolist()))[:MAX_CONFLICTS]
        items += [i] * len(chosen)
        experts += chosen
    return np.array(items, np.int64), np.array(experts, np.int64)


def _affinities(item_f, item_k, expert_f, expert_k, block: int = 1000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    items, experts, values = [], [], []
    for i0 in range(0, item_f.shape[0], block):
        score = FIELD_WEIGHT * (item_f[i0 : i0 + block] @ expert_f.T) + item_k[i0 : i0 + block] @ expert_k.T
        rows, cols = np.nonzero(score > 0.5)
        items.append(rows + i0)
        experts.append(cols)
        values.append(np.rint(score[rows, cols]).astype(np.int64))
    return np.concatenate(items), np.concatenate(experts), np.concatenate(values)


def _add_preferences(rng, n, m, items, experts, values, share) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A bonus of 1-5 on a few pairs (an expert's declared interest), positive or not before."""
    count = int(share * n * m)
    keys = np.unique(rng.integers(0, n, count) * m + rng.integers(0, m, count))
    base = items * m + experts
    bonus = rng.integers(1, 6, size=len(keys))
    at = np.searchsorted(base, keys)
    hit = at < len(base)
    hit[hit] = base[at[hit]] == keys[hit]
    values = values.copy()
    values[at[hit]] += bonus[hit]
    new = ~hit
    keys = np.concatenate([base, keys[new]])
    values = np.concatenate([values, bonus[new]])
    order = np.argsort(keys)
    return keys[order] // m, keys[order] % m, values[order]


def _locks(rng, n, items, experts, forbidden_keys, m, share) -> tuple[np.ndarray, np.ndarray]:
    """A few operator locks on good, unconflicted pairs, at most one per expert."""
    count = int(share * n)
    if count == 0 or len(items) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    pick = rng.choice(len(items), size=min(len(items), 20 * count), replace=False)
    li, le = items[pick], experts[pick]
    ok = ~np.isin(li * m + le, forbidden_keys)
    li, le = li[ok], le[ok]
    _, first = np.unique(le, return_index=True)
    li, le = li[first], le[first]
    _, first = np.unique(li, return_index=True)
    return li[first][:count], le[first][:count]


def realistic(
    n_items: int,
    n_experts: int,
    k: int = 3,
    seed: int = 0,
    n_fields: int = 14,
    n_keywords: int = 300,
    capacity_factor: tuple[float, float] = (1.2, 2.0),
    preference_share: float = 0.002,
    locked_share: float = 0.005,
) -> Instance:
    """A seeded instance; capacities are ``n·k/m · U(capacity_factor)`` rounded up."""
    rng = np.random.default_rng(seed)
    n, m = n_items, n_experts
    popularity = rng.gamma(6.0, 1.0, n_fields)
    expert_f = _choose_sets(rng, m, (1, 2, 3), (0.55, 0.3, 0.15), popularity)
    item_f = _choose_sets(rng, n, (1, 2), (0.85, 0.15), popularity)
    expert_k = _keywords(rng, expert_f, n_keywords, 4, 10)
    item_k = _keywords(rng, item_f, n_keywords, 3, 8)
    items, experts, values = _affinities(item_f, item_k, expert_f, expert_k)
    items, experts, values = _add_preferences(rng, n, m, items, experts, values, preference_share)
    org = _organisations(rng, m)
    forbidden_item, forbidden_expert = _conflicts(rng, n, org)
    capacity = np.ceil(n * k / m * rng.uniform(*capacity_factor, size=m)).astype(np.int64)
    locked_item, locked_expert = _locks(rng, n, items, experts, forbidden_item * m + forbidden_expert, m, locked_share)
    return Instance(
        need=np.full(n, k, np.int64),
        capacity=capacity,
        pair_item=items,
        pair_expert=experts,
        pair_affinity=values,
        forbidden_item=forbidden_item,
        forbidden_expert=forbidden_expert,
        expert_org=org,
        locked_item=locked_item,
        locked_expert=locked_expert,
    )
