"""Input validation shared by the whole library.

Every public function that takes data, sizes, parameters or a random generator from a reader
calls one of these, so bad input fails early with a ValueError that names the problem instead
of producing a silent NaN or a silent broadcast later.
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


def nonnegative_float(value, name: str) -> float:
    """Return ``value`` as a float, or raise ValueError if it is not finite and >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0.0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return value


def generator(rng, name: str = "rng") -> np.random.Generator:
    """Return ``rng``, or raise ValueError if it is not a ``numpy.random.Generator``."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"{name} must be a numpy.random.Generator (use numpy.random.default_rng(seed)), "
                         f"got {type(rng).__name__}")
    return rng


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


def same_rows(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ValueError unless ``a`` and ``b`` have the same number of rows (one per data point)."""
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"{name_a} and {name_b} must have one row per data point: "
                         f"{name_a} has {a.shape[0]}, {name_b} has {b.shape[0]}")


def unit_interval(x: np.ndarray, name: str) -> np.ndarray:
    """Raise ValueError unless every entry of the (finite) array ``x`` lies in [0, 1]."""
    if x.size and (x.min() < 0.0 or x.max() > 1.0):
        hint = ""
        if x.min() >= 0.0 and x.max() <= 16.0:
            hint = (" (these look like raw 0..16 pixel values of load_digits(): divide by 16, "
                    "or use vaebook.load_digits_01())")
        raise ValueError(f"{name} must lie in [0, 1] for the Bernoulli decoder, got values from "
                         f"{x.min():g} to {x.max():g}{hint}")
    return x


def positive_array(var, name: str) -> np.ndarray:
    """Return ``var`` as a float array, or raise ValueError unless every entry is finite and > 0.

    (A check ``var <= 0`` alone would let NaN through: NaN fails every comparison.)
    """
    var = np.asarray(var, dtype=float)
    if not (np.isfinite(var).all() and np.all(var > 0.0)):
        raise ValueError(f"{name} must be positive and finite everywhere (no NaN)")
    return var


def params_match(params, shapes: dict, required=None, name: str = "params") -> None:
    """Raise ValueError unless ``params`` maps names of ``shapes`` to finite float64 arrays of those
    shapes, with every name in ``required`` (default: every name of ``shapes``) present: the
    parameters a configuration expects, or the part of them a function uses."""
    if not hasattr(params, "keys") or not hasattr(params, "__getitem__"):
        raise ValueError(f"{name} must be a dict of named arrays (e.g. from init_params), "
                         f"got {type(params).__name__}")
    if getattr(params, "shapes", None) == shapes and hasattr(params, "vector"):
        arrays = {"": params.vector}               # a ParamDict of this layout: check its vector
    else:
        required = shapes if required is None else required
        missing = sorted(set(required) - set(params.keys()))
        extra = sorted(set(params.keys()) - set(shapes))
        if missing or extra:
            raise ValueError(f"{name} do not match the configuration: missing {missing}, extra {extra}")
        arrays = {}
        for key in params.keys():
            arr, shape = params[key], tuple(shapes[key])
            if not isinstance(arr, np.ndarray) or arr.dtype != np.float64:
                kind = arr.dtype if isinstance(arr, np.ndarray) else type(arr).__name__
                raise ValueError(f"{name}[{key!r}] must be a float64 array, got {kind}")
            if arr.shape != shape:
                raise ValueError(f"{name}[{key!r}] must have shape {shape} for this configuration, "
                                 f"got {arr.shape}")
            arrays[key] = arr
    for key, arr in arrays.items():
        if not np.isfinite(arr).all():
            where = f"{name}[{key!r}]" if key else name
            raise ValueError(f"{where} contains NaN or inf values")
