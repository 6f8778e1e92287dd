"""Moving through the latent space of a trained VAE: decoded grids, sweeps and interpolations.

The generator chapter displays these (through the widgets of :mod:`vaebook.widgets.latent`
and in its own cells); every function here calls :func:`vaebook.model.decode` or
:func:`vaebook.model.encode` and adds only the geometry of the latent points.
"""
from __future__ import annotations

import numpy as np

from . import _checks
from .model import decode, encode


def _check_lim(lim):
    return _checks.positive_float(lim, "lim")


def decode_one(params, config, z) -> np.ndarray:
    """decode() of a single latent point given as a sequence of length latent_dim."""
    return decode(params, config, np.asarray(z, dtype=float).reshape(1, -1))[0]


def decoded_grid_lines(params, config, lim: float = 3.0, n_lines: int = 9, n_points: int = 61):
    """The images under the decoder of the lines z1 = const and z2 = const of a latent grid.

    Returns an array of shape (2 * n_lines, n_points, data_dim): first the lines z1 = c (z2
    varies), then the lines z2 = c (z1 varies), for c in linspace(-lim, lim, n_lines).
    """
    lim = _check_lim(lim)
    n_lines = _checks.positive_int(n_lines, "n_lines")
    n_points = _checks.positive_int(n_points, "n_points")
    c = np.linspace(-lim, lim, n_lines)
    t = np.linspace(-lim, lim, n_points)
    z = np.empty((2, n_lines, n_points, 2))
    z[0, :, :, 0], z[0, :, :, 1] = c[:, None], t[None, :]
    z[1, :, :, 0], z[1, :, :, 1] = t[None, :], c[:, None]
    return decode(params, config, z.reshape(-1, 2)).reshape(2 * n_lines, n_points, -1)


def sweep_path(params, config, axis: int, fixed: float, lim: float = 3.0, n_points: int = 61):
    """(z, decode(z)) along the latent axis ``axis`` from -lim to lim, the other coordinate = ``fixed``."""
    if axis not in (0, 1):
        raise ValueError(f"axis must be 0 (z1) or 1 (z2), got {axis!r}")
    lim = _check_lim(lim)
    if not np.isfinite(fixed):
        raise ValueError(f"fixed must be finite, got {fixed}")
    n_points = _checks.positive_int(n_points, "n_points")
    z = np.full((n_points, 2), float(fixed))
    z[:, axis] = np.linspace(-lim, lim, n_points)
    return z, decode(params, config, z)


def interpolate(z_a, z_b, t):
    """The point (1 - t) z_a + t z_b of the segment between two latent codes (t may be an array)."""
    z_a, z_b = np.asarray(z_a, float), np.asarray(z_b, float)
    if z_a.shape != z_b.shape or z_a.ndim != 1:
        raise ValueError(f"z_a and z_b must be 1-D and of equal shape, got {z_a.shape} and {z_b.shape}")
    t = np.asarray(t, float)
    if not np.isfinite(t).all():
        raise ValueError("t must be finite")
    return (1.0 - t)[..., None] * z_a + t[..., None] * z_b


def representatives(params, config, X, labels):
    """For each label k, the index of the point whose encoder mean is nearest the median encoder
    mean of the points labelled k. Returns ``({k: index}, encoder means of X)``."""
    X = _checks.finite_matrix(X, "X", config.data_dim)
    labels = np.asarray(labels)
    if labels.shape != (len(X),):
        raise ValueError(f"labels must have shape ({len(X)},), got {labels.shape}")
    mu, _ = encode(params, config, X)
    reps = {}
    for k in np.unique(labels):
        idx = np.flatnonzero(labels == k)
        med = np.median(mu[idx], axis=0)
        reps[int(k)] = int(idx[np.argmin(((mu[idx] - med) ** 2).sum(axis=1))])
    return reps, mu
