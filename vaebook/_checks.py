"""Input validation shared by the whole library.

Every public function that takes data or sizes from a reader calls one of these, so bad input
fails early with a message that names the problem instead of producing a silent NaN later.
"""
from __future__ import annotations

import numbers

import numpy as np


def positive_int(value, name: str) -> int:
    """Return ``value`` as an int, or raise ValueError if it is not a positive whole number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def positive_float(value, name: str) -> float:
    """Return ``value`` as a float, or raise ValueError if it is not finite and > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value <= 0.0:
        raise ValueError(f"{name} must be a positive finite number, got {value}")
    return value


def finite_matrix(x, name: str, n_cols: int | None = None, allow_empty: bool = False) -> np.ndarray:
    """Return ``x`` as a 2-D float array, checking its shape and that every entry is finite.

    ``n_cols`` (if given) is the required number of columns, e.g. ``data_dim`` for data or
    ``latent_dim`` for latent codes.
    """
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiub":
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (batch, features), got shape {arr.shape}"
        )
    if n_cols is not None and arr.shape[1] != n_cols:
        raise ValueError(f"{name} must have {n_cols} columns, got shape {arr.shape}")
    if arr.shape[0] == 0 and not allow_empty:
        raise ValueError(f"{name} is empty (shape {arr.shape}); at least one row is needed")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = "NaN" if np.isnan(arr).any() else "inf"
        raise ValueError(f"{name} contains {bad} values; every entry must be finite")
    return arr.astype(np.float64, copy=False)
