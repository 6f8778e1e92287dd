"""Finite-difference gradient checking."""
from __future__ import annotations

import numpy as np


def numerical_gradient(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f()`` with respect to array ``x``.

    ``x`` is perturbed in place, one entry at a time, and restored: ``f`` must read it.
    The error of the estimate is O(h^2).
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * h)
    return grad


def relative_error(a, b, rel_floor: float = 1e-4) -> float:
    """Largest entrywise relative error ``|a - b| / (|a| + |b|)``; 0 when equal.

    Entries much smaller than the array's largest are measured against a floor of
    ``rel_floor`` times that largest value: a central difference carries a rounding error of
    about 1e-16 |f| / h, so it cannot resolve an entry of 1e-6 next to entries of 10, and
    dividing by that entry alone would report noise as error.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    floor = max(rel_floor * max(np.abs(a).max(), np.abs(b).max()), 1e-300)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)))


def check_gradients(f, params: dict, analytic: dict, h: float = 1e-5) -> dict[str, float]:
    """Relative error between ``analytic[k]`` and the numerical gradient of ``f()`` for every key."""
    return {k: relative_error(analytic[k], numerical_gradient(f, params[k], h)) for k in params}
