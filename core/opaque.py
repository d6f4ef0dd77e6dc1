"""Opaque ids: a keyed, reversible permutation of integer primary keys, shown in URLs and the API
instead of the sequential ids, which would reveal how many contracts, organisations... exist.

A 64-bit Feistel network with HMAC-SHA256 rounds, rendered as 13 lower-case Crockford base32
characters. Only values up to MAX_ID decode, so a random or garbled string is refused (chance of
acceptance about 2**-24) and the caller answers 404 or 400.
"""

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford: no i, l, o, u
LENGTH = 13  # 65 bits; the top one is always 0
MAX_ID = 2**40
ROUNDS = 4
_MASK32 = 0xFFFFFFFF
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
REGEX = "[0-9a-hjkmnp-tv-z]{13}"


def _key() -> bytes:
    configured = getattr(settings, "OPAQUE_ID_KEY", "")
    if configured:
        return configured.encode()
    # A distinct salt, so the permutation says nothing about keys derived for other uses.
    return hashlib.sha256(b"core.opaque.v1:" + settings.SECRET_KEY.encode()).digest()


def _round(key: bytes, i: int, half: int) -> int:
    digest = hmac.new(key, bytes([i]) + half.to_bytes(4, "big"), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big")


@lru_cache(maxsize=4096)
def _permute(key: bytes, value: int) -> int:
    left, right = value >> 32, value & _MASK32
    for i in range(ROUNDS):
        left, right = right, left ^ _round(key, i, right)
    return (left << 32) | right


@lru_cache(maxsize=4096)
def _unpermute(key: bytes, value: int) -> int:
    left, right = value >> 32, value & _MASK32
    for i in reversed(range(ROUNDS)):
        left, right = right ^ _round(key, i, left), left
    return (left << 32) | right


def encode(n: int) -> str:
    """The opaque id of a positive integer id."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 < n <= MAX_ID:
        raise ValueError(f"not an id: {n!r}")
    value = _permute(_key(), n)
    chars = []
    for _ in range(LENGTH):
        value, digit = divmod(value, 32)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def decode(text: str) -> int:
    """The integer id behind an opaque id; ValueError for anything encode did not produce."""
    if not isinstance(text, str) or len(text) != LENGTH:
        raise ValueError("not an opaque id")
    value = 0
    for char in text:
        digit = _INDEX.get(char)
        if digit is None:
            raise ValueError("not an opaque id")
        value = value * 32 + digit
    if value >> 64:
        raise ValueError("not an opaque id")
    n = _unpermute(_key(), value)
    if not 0 < n <= MAX_ID:
        raise ValueError("not an opaque id")
    return n


def is_valid(text) -> bool:
    try:
        decode(text)
    except ValueError:
        return False
    return True
