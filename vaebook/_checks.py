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


def optional_positive_int(value, name: str) -> int | None:
    """``None``, or ``value`` as a positive int (ValueError otherwise)."""
    return None if value is None else positive_int(value, name)


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


def same_shape_matrices(**arrays) -> list:
    """The finite 2-D float arrays ``arrays`` (given by name), or ValueError unless all have one shape."""
    names = list(arrays)
    checked = [finite_matrix(arrays[name], name) for name in names]
    first, ref = names[0], checked[0]
    for name, a in zip(names[1:], checked[1:]):
        if a.shape[1] != ref.shape[1]:
            raise ValueError(f"{', '.join(names)} must have the same shape (no broadcasting): {name} must "
                             f"have {ref.shape[1]} columns like {first}, got shape {a.shape}")
        if a.shape[0] != ref.shape[0]:
            raise ValueError(f"{', '.join(names)} must have the same shape (no broadcasting), one row per "
                             f"point: {first} has {ref.shape[0]} rows, {name} has {a.shape[0]}")
    return checked


def nonempty_axis(a: np.ndarray, axis: int, what: str) -> None:
    """Raise ValueError unless ``a`` has a non-empty axis ``axis`` to reduce over."""
    if a.ndim == 0:
        raise ValueError(f"{what} needs an array with an axis to reduce over, got a scalar")
    if a.shape[axis] == 0:
        raise ValueError(f"{what} over an empty axis (axis {axis} of shape {a.shape}) is undefined: "
                         f"a mean of no values")


def cholesky(cov: np.ndarray, name: str) -> np.ndarray:
    """The Cholesky factor of ``cov``, or ValueError unless it is a symmetric positive definite matrix."""
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {cov.shape}")
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError(f"{name} must be symmetric positive definite") from None


def mvn_pair(mean_q, cov_q, mean_p, cov_p):
    """Two Gaussians (mean (J,), covariance (J, J)) as finite float arrays of matching shapes."""
    mean_q, mean_p = np.atleast_1d(np.asarray(mean_q, float)), np.atleast_1d(np.asarray(mean_p, float))
    cov_q, cov_p = np.atleast_2d(np.asarray(cov_q, float)), np.atleast_2d(np.asarray(cov_p, float))
    J = mean_q.shape[0]
    if mean_q.shape != (J,) or mean_p.shape != (J,) or cov_q.shape != (J, J) or cov_p.shape != (J, J):
        raise ValueError(f"shapes do not match: means {mean_q.shape}, {mean_p.shape}; "
                         f"covariances {cov_q.shape}, {cov_p.shape}")
    for name, a in (("mean_q", mean_q), ("mean_p", mean_p), ("cov_q", cov_q), ("cov_p", cov_p)):
        if not np.isfinite(a).all():
            raise ValueError(f"{name} contains NaN or inf values")
    return mean_q, cov_q, mean_p, cov_p


def grid_points(values) -> np.ndarray:
    """Return ``values`` as a 1-D float grid, or raise ValueError (too short, NaN, not increasing)."""
    g = np.asarray(values, dtype=float)
    if g.ndim != 1 or g.size < 3:
        raise ValueError(f"grid must be a 1-D array with at least 3 points, got shape {g.shape}")
    if not np.isfinite(g).all():
        raise ValueError("grid contains NaN or inf values; every point must be finite")
    if not np.all(np.diff(g) > 0):
        raise ValueError("grid must be strictly increasing")
    return g


def on_grid(values, grid: np.ndarray, name: str) -> np.ndarray:
    """``values`` as a float array with the grid's length in its last axis and no NaN."""
    values = np.asarray(values, dtype=float)
    if values.shape[-1:] != grid.shape:
        raise ValueError(f"{name} must have the grid's length {grid.size} in its last axis, "
                         f"got shape {values.shape}")
    if np.isnan(values).any():
        raise ValueError(f"{name} contains NaN values")
    return values


# ----------------------------------------------------------------------------------------------
# The VAE's inputs (vaebook.model.VAEConfig and the parameters, data and noise it is given)
# ----------------------------------------------------------------------------------------------
PARTS = ("encoder", "decoder", "likelihood")


def vae_config(config):
    """Return ``config``, or raise ValueError unless it is a :class:`vaebook.model.VAEConfig`."""
    from .model import VAEConfig  # the model imports this module: import at call time

    if not isinstance(config, VAEConfig):
        raise ValueError(f"config must be a VAEConfig, got {type(config).__name__}")
    return config


def vae_params(params, config, part: str | None = None) -> None:
    """Raise ValueError unless ``params`` has the configuration's keys, shapes and dtype: all of
    them, or those of ``part``, which is all a function of one part needs: "encoder" or "decoder"
    (the layers' weights), "likelihood" (the decoder's, and its learned variance if any)."""
    config = vae_config(config)
    shapes = config.param_shapes()
    required = None
    if part is not None:
        if part not in PARTS:
            raise ValueError(f"part must be one of {PARTS} or None, got {part!r}")
        layers = config.enc_layers if part == "encoder" else config.dec_layers
        required = [k for k in shapes if k.rsplit("_", 1)[0] in layers
                    or (part == "likelihood" and k == "dec_log_sigma2")]
    params_match(params, shapes, required)


def vae_data(x, config, name: str = "x") -> np.ndarray:
    """Data of shape (batch, data_dim), finite, and in [0, 1] for the Bernoulli decoder."""
    x = finite_matrix(x, name, config.data_dim)
    if config.likelihood == "bernoulli":
        unit_interval(x, name)
    return x


def vae_batch(params, config, x, eps, beta):
    """The checked inputs of one batch: ``(x, eps, beta)``; eps must have x's rows, no broadcast."""
    vae_params(params, config)
    x = vae_data(x, config)
    eps = finite_matrix(eps, "eps", config.latent_dim)
    same_rows(x, eps, "x", "eps")
    return x, eps, nonnegative_float(beta, "beta")


def forward_cache(cache, cache_type, config) -> None:
    """Raise ValueError unless ``cache`` is a ``cache_type`` made by the forward pass of ``config``."""
    if not isinstance(cache, cache_type):
        raise ValueError(f"cache must be the cache returned by vae_forward, got {type(cache).__name__}")
    if cache.config != config:
        raise ValueError(f"cache was made by vae_forward with another configuration: {cache.config} "
                         f"is not {config}")


def finite_latent(z: np.ndarray, log_var: np.ndarray) -> None:
    """Raise FloatingPointError if the reparameterised sample overflowed (exp(log_var / 2) = inf)."""
    if not np.isfinite(z).all():
        raise FloatingPointError(
            f"z = mu + exp(log_var / 2) * eps is not finite: the encoder's log-variance reached "
            f"{np.max(log_var):.4g}, where exp overflows (the parameters diverged: lower the "
            f"learning rate)")


def gaussian_q(x, q_mean, q_log_var, data_dim: int | None = None, latent_dim: int | None = None,
               x_name: str = "x"):
    """``(x, q_mean, q_log_var)`` of a Gaussian q(z|x) per point: finite, 2-D, one row per point,
    mean and log-variance of the same shape (with ``data_dim`` / ``latent_dim`` columns if given)."""
    x = finite_matrix(x, x_name, data_dim)
    q_mean, q_log_var = same_shape_matrices(q_mean=q_mean, q_log_var=q_log_var)
    if latent_dim is not None:
        finite_matrix(q_mean, "q_mean", latent_dim)
    if len(x) != len(q_mean):
        raise ValueError(f"{x_name}, q_mean and q_log_var need one row per point, got {len(x)} and "
                         f"{len(q_mean)} rows")
    return x, q_mean, q_log_var


def gaussian_decoder(config, what: str) -> None:
    """Raise ValueError unless ``config`` is a VAEConfig with a Gaussian decoder (``what`` needs one)."""
    if vae_config(config).likelihood != "gaussian":
        raise ValueError(f"{what} is implemented for the Gaussian decoder only")


def diag_gaussian(mean, var, dim: int):
    """``(mean, var)`` of a Gaussian with diagonal covariance in ``dim`` dimensions: 1-D float arrays
    of shape (dim,), the mean finite, the variances positive and finite."""
    mean, var = np.atleast_1d(np.asarray(mean, float)), np.atleast_1d(np.asarray(var, float))
    if mean.shape != (dim,) or var.shape != (dim,):
        raise ValueError(f"q_mean and q_var must have shape ({dim},), got {mean.shape} and {var.shape}")
    if not np.isfinite(mean).all():
        raise ValueError("q_mean contains NaN or inf values")
    return mean, positive_array(var, "q_var")
