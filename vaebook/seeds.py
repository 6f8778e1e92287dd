"""Every seeded random draw in the book goes through :func:`rng`.

The book's claims about random quantities must hold for other seeds too, not only for the seeds
that produced the stored outputs. :func:`rng` adds an offset read from the environment variable
``VAEBOOK_SEED_OFFSET`` (0 when unset), so the whole book can be re-executed with other seeds:

    VAEBOOK_SEED_OFFSET=7 jupyter nbconvert --execute ...

With the offset 0 it returns exactly ``numpy.random.default_rng(seed)``, so stored outputs do not
change. With an offset k it returns ``default_rng([*seed, k])``: a stream of its own for every
(seed, k), never the stream of another seed of the book (``default_rng(3)`` with offset 1 is not
``default_rng(4)``).
"""
from __future__ import annotations

import os

import numpy as np

ENV_VAR = "VAEBOOK_SEED_OFFSET"


def seed_offset() -> int:
    """The offset in ``VAEBOOK_SEED_OFFSET`` (0 when unset or empty); a ValueError if not an integer >= 0."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if raw == "":
        return 0
    try:
        offset = int(raw)
    except ValueError:
        raise ValueError(f"{ENV_VAR} must be a non-negative integer, got {raw!r}") from None
    if offset < 0:
        raise ValueError(f"{ENV_VAR} must be a non-negative integer, got {offset}")
    return offset


def _entropy(seed) -> list[int]:
    values = [seed] if np.ndim(seed) == 0 else list(seed)
    if not values:
        raise ValueError("rng needs a seed: an integer >= 0 or a non-empty sequence of them")
    out = []
    for v in values:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 0:
            raise ValueError(f"a seed must be an integer >= 0 (or a sequence of them), got {seed!r}")
        out.append(int(v))
    return out


def rng(seed) -> np.random.Generator:
    """``numpy.random.default_rng(seed)``, shifted by ``VAEBOOK_SEED_OFFSET`` when it is set.

    ``seed`` is an integer >= 0 or a non-empty sequence of them (as ``default_rng`` accepts).
    """
    entropy = _entropy(seed)
    offset = seed_offset()
    if offset == 0:
        return np.random.default_rng(entropy[0] if np.ndim(seed) == 0 else entropy)
    return np.random.default_rng([*entropy, offset])


def stored_rng(seed) -> np.random.Generator:
    """``numpy.random.default_rng(seed)``, never shifted: only for the draws that must reproduce a
    result stored in ``benchmarks/results/`` (the data a stored model was trained on, the test
    points of a stored table), which other seeds would not match. Every other draw uses :func:`rng`.
    """
    entropy = _entropy(seed)
    return np.random.default_rng(entropy[0] if np.ndim(seed) == 0 else entropy)
