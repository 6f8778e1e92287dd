"""Finite-difference gradient checking."""
from __future__ import annotations

import numpy as np

from . import _checks


def numerical_gradient(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f()`` with respect to array ``x``.

    ``x`` is perturbed in place, one entry at a time, and restored: ``f`` must read it, so ``x``
    must be a writeable float array (an integer array would round every ``x + h`` back to ``x``).
    The error of the estimate is O(h^2).
    """
    if not callable(f):
        raise ValueError(f"f must be a function of no arguments returning a number, got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        kind = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise ValueError(f"x must be a float NumPy array that f reads, got {kind} "
                         f"(an integer array cannot be perturbed by h)")
    if not x.flags.writeable:
        raise ValueError("x must be writeable: it is perturbed in place")
    h = _checks.positive_float(h, "h")
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


def relative_error(a, b) -> float:
    """Relative difference of two arrays, ``||a - b|| / (||a|| + ||b||)`` (Euclidean norms).

    0 when equal, 1 when opposite. Measured on the whole array rather than entry by entry:
    a central difference carries a rounding error of about 1e-16 |f| / h in *every* entry, so
    an entry that is tiny next to its neighbours cannot be resolved on its own, while the
    array as a whole is resolved to about 1e-9 or better.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0.0 else float(np.linalg.norm(a - b) / denom)


def check_gradients(f, params: dict, analytic: dict, h: float = 1e-5) -> dict[str, float]:
    """Relative error between ``analytic[k]`` and the numerical gradient of ``f()`` for every key."""
    if set(analytic) != set(params):
        raise ValueError(f"analytic must have exactly the keys of params; missing "
                         f"{sorted(set(params) - set(analytic))}, extra {sorted(set(analytic) - set(params))}")
    return {k: relative_error(analytic[k], numerical_gradient(f, params[k], h)) for k in params}
