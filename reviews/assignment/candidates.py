"""Candidate pairs: the part of the pair space the flow networks are built on.

The first set is a guess; correctness never depends on it, only speed does (the pricing adds
whatever the optimum needs). Per item it holds the ``top_k`` allowed experts of highest
affinity (ties broken towards experts with little competition for their capacity, then
pseudo-randomly, so that the candidates of tied items spread over the pool) and ``filler_k``
other allowed experts, again preferring uncontested capacity, so that items with few good
matches can be filled and loads can be evened out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .prepare import Prepared, member_of

HASH_BITS = 20


@dataclass
class Candidates:
    """Unique pairs sorted by item then expert, with their affinities."""

    item: np.ndarray
    expert: np.ndarray
    affinity: np.ndarray

    def __len__(self) -> int:
        return len(self.item)

    def merged(self, items: np.ndarray, experts: np.ndarray, affinity: np.ndarray, m: int) -> Candidates:
        """This set plus some pairs (pairs already present are kept once)."""
        keys = np.concatenate([self.item * m + self.expert, items.astype(np.int64) * m + experts])
        affinity = np.concatenate([self.affinity, affinity.astype(np.int64)])
        keys, first = np.unique(keys, return_index=True)
        return Candidates(keys // m, keys % m, affinity[first])


def _salt(count: int, seed: int) -> np.ndarray:
    """A fixed pseudo-random number in ``[0, 2**HASH_BITS)`` per index (deterministic)."""
    return np.random.default_rng(seed).integers(0, 1 << HASH_BITS, size=count, dtype=np.int64)


def _uncontested(prep: Prepared) -> np.ndarray:
    """1 for experts whose capacity is little sought after (positive pairs per free slot ≤ median)."""
    pressure = np.bincount(prep.pos_expert, minlength=prep.m) / np.maximum(prep.free, 1)
    if not prep.usable.any():
        return np.zeros(prep.m, np.int64)
    return (pressure <= np.median(pressure[prep.usable])).astype(np.int64)


def _row_chunks(ptr: np.ndarray, max_entries: int, max_rows: int) -> list[tuple[int, int]]:
    """Consecutive row ranges of a CSR with at most ``max_rows`` rows and about ``max_entries`` entries."""
    chunks, i0, n = [], 0, len(ptr) - 1
    while i0 < n:
        i1 = int(np.searchsorted(ptr, ptr[i0] + max_entries, side="right")) - 1
        i1 = min(n, max(i1, i0 + 1), i0 + max_rows)
        chunks.append((i0, i1))
        i0 = i1
    return chunks


def _best_positive(prep: Prepared, top_k: int, calm: np.ndarray, chunk_entries: int = 1 << 20) -> np.ndarray:
    """Positions in the positive CSR of each item's ``top_k`` best pairs (sorted), chunk by chunk."""
    if top_k <= 0 or len(prep.pos_key) == 0:
        return np.zeros(0, np.int64)
    affinity = prep.pos_affinity.astype(np.int64)
    if prep.max_affinity >= 1 << HASH_BITS:  # rank the values instead, to keep the sort key within 63 bits
        affinity = np.unique(affinity, return_inverse=True)[1].astype(np.int64)
    top = int(affinity.max())
    low_bits = HASH_BITS + 1 + top.bit_length()
    item_salt, expert_salt, quiet = _salt(prep.n, 2), _salt(prep.m, 1), 1 - calm
    out = []
    for i0, i1 in _row_chunks(prep.pos_ptr, chunk_entries, 1 << (62 - low_bits)):
        s, t = prep.pos_ptr[i0], prep.pos_ptr[i1]
        rows = np.repeat(np.arange(i1 - i0, dtype=np.int64), np.diff(prep.pos_ptr[i0 : i1 + 1]))
        experts = prep.pos_expert[s:t]
        key = (rows << low_bits) | ((top - affinity[s:t]) << (HASH_BITS + 1))
        key |= (quiet[experts] << HASH_BITS) | (expert_salt[experts] ^ item_salt[rows + i0])
        order = np.argsort(key)
        rank = np.arange(t - s) - (prep.pos_ptr[rows + i0] - s)
        out.append(np.sort(order[rank < top_k]) + s)
    return np.concatenate(out)


def _fillers(prep: Prepared, filler_k: int, calm: np.ndarray, taken: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``filler_k`` allowed experts per item, spread over the uncontested ones, not in ``taken``."""
    pool = np.flatnonzero(calm.astype(bool) & prep.usable)
    if len(pool) == 0:
        pool = np.flatnonzero(prep.usable)
    takers = np.flatnonzero(prep.need > 0)
    if filler_k <= 0 or len(pool) == 0 or len(takers) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    draws = min(len(pool), 2 * filler_k + 4)
    step = next(s for s in (7919, 104729, 1299709, 1) if len(pool) % s != 0)
    start = _salt(prep.n, 3)[takers]
    experts = pool[(start[:, None] + step * np.arange(draws)[None, :]) % len(pool)]
    items = np.repeat(takers, draws).reshape(len(takers), draws)
    keys = items * prep.m + experts
    ok = ~member_of(prep.blocked_key, keys.ravel()).reshape(keys.shape)
    ok &= ~member_of(taken, keys.ravel()).reshape(keys.shape)
    ok &= np.cumsum(ok, axis=1) <= filler_k
    return items[ok], experts[ok]


def initial_candidates(prep: Prepared, top_k: int, filler_k: int) -> Candidates:
    """The first candidate set (see the module docstring)."""
    calm = _uncontested(prep)
    best = _best_positive(prep, top_k, calm)
    best_items = np.searchsorted(prep.pos_ptr, best, side="right") - 1
    best_experts = prep.pos_expert[best].astype(np.int64)
    filler_items, filler_experts = _fillers(prep, filler_k, calm, prep.pos_key[best])
    empty = Candidates(best_items, best_experts, prep.pos_affinity[best].astype(np.int64))
    return empty.merged(filler_items, filler_experts, prep.affinity_of(filler_items, filler_experts), prep.m)
