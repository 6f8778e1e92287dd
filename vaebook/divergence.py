r"""KL divergence on a 1-D grid, and fitting a Gaussian to a density under either direction of KL.

Chapter 3 uses these to check the closed-form KL between Gaussians against quadrature, and to
show the asymmetry of KL: fitting a Gaussian :math:`q` to a two-bump density :math:`p` by
minimising :math:`\mathrm{KL}(q\,\|\,p)` ("reverse", mode-seeking) picks one bump, while
minimising :math:`\mathrm{KL}(p\,\|\,q)` ("forward", mass-covering) spreads over both.

All densities are given as **log-densities evaluated on a grid**, so a density that underflows
to 0 somewhere does not turn a logarithm into ``-inf`` or ``nan``.
"""
from __future__ import annotations

import math

import numpy as np

from . import _checks
from .formulas import LOG_2PI, integrate, log_normal_diag

DIRECTIONS = ("reverse", "forward")


def normal_log_density(z, mean, std) -> np.ndarray:
    """log N(z; mean, std^2) of a scalar Gaussian, broadcasting z, mean and std."""
    z, mean = np.asarray(z, float), np.asarray(mean, float)
    std = _checks.positive_array(std, "std")
    # log_normal_diag sums over its last axis: give each scalar an axis of length 1
    return log_normal_diag(z[..., None], mean[..., None], std[..., None] ** 2)


def kl_on_grid(log_q, log_p, grid) -> np.ndarray:
    r""":math:`\mathrm{KL}(q\,\|\,p) = \int q(z)\,[\log q(z) - \log p(z)]\,dz` by the trapezoidal rule.

    ``log_q`` and ``log_p`` are log-densities on ``grid`` (last axis). Where ``q`` is 0 the
    integrand is 0 (the limit of q log q). The grid must cover the mass of ``q``.
    """
    grid = _checks.grid_points(grid)
    log_q = _checks.on_grid(log_q, grid, "log_q")
    log_p = _checks.on_grid(log_p, grid, "log_p")
    q = np.exp(log_q)
    with np.errstate(invalid="ignore"):
        integrand = np.where(q > 0, q * (log_q - log_p), 0.0)
    if not np.isfinite(integrand).all():
        raise ValueError("KL(q || p) is infinite: p is 0 where q has mass")
    return integrate(integrand, grid)


def bimodal_log_density(z, separation: float, weight: float = 0.5, std: float = 0.6) -> np.ndarray:
    r"""log of the two-bump density :math:`w\,N(-\tfrac{d}{2}, s^2) + (1-w)\,N(\tfrac{d}{2}, s^2)`.

    ``separation`` d >= 0 is the distance between the bumps, ``weight`` w in (0, 1) the mass of
    the left one, ``std`` s > 0 their common standard deviation.
    """
    if not np.isfinite(separation) or separation < 0:
        raise ValueError(f"separation must be finite and >= 0, got {separation}")
    if not 0.0 < weight < 1.0:
        raise ValueError(f"weight must be in (0, 1), got {weight}")
    if not (np.isfinite(std) and std > 0):
        raise ValueError(f"std must be positive and finite, got {std}")
    left = np.log(weight) + normal_log_density(z, -0.5 * separation, std)
    right = np.log1p(-weight) + normal_log_density(z, 0.5 * separation, std)
    return np.logaddexp(left, right)


def _expected_log_p(ms, log_ss, log_p, grid) -> np.ndarray:
    r""":math:`\mathbb{E}_{q}[\log p]` for every :math:`q = N(m, s^2)` of the table ``ms`` x ``exp(log_ss)``.

    The expectation is over the standardised variable, :math:`\mathbb{E}[\log p(m + s u)]` with
    :math:`u \sim N(0, 1)`, by the trapezoidal rule on 401 fixed points in [-8, 8], with
    :math:`\log p` interpolated on its grid. Returns an array of shape (len(ms), len(log_ss)).
    """
    nodes = np.linspace(-8.0, 8.0, 401)
    weights = np.exp(-0.5 * nodes**2)
    weights[[0, -1]] *= 0.5
    weights /= weights.sum()
    M, S = np.meshgrid(ms, np.exp(log_ss), indexing="ij")
    return np.interp(M[..., None] + S[..., None] * nodes, grid, log_p) @ weights


def _reverse_kl_table(ms, log_ss, log_p, grid) -> np.ndarray:
    r""":math:`\mathrm{KL}(q\,\|\,p) = -H(q) - \mathbb{E}_q[\log p]` on the table ``ms`` x ``exp(log_ss)``."""
    entropy = 0.5 * (LOG_2PI + 1.0) + np.asarray(log_ss)[None, :]
    return -entropy - _expected_log_p(ms, log_ss, log_p, grid)


def _coarse_starts(kl, max_starts: int = 3) -> list:
    """Cells (i, j) of a coarse KL table from which to refine: the best cell of every local
    minimum of the profile ``min_j kl[i, j]`` over the means, lowest first, at most ``max_starts``."""
    profile = kl.min(axis=1)
    padded = np.concatenate([[np.inf], profile, [np.inf]])
    local = np.flatnonzero((profile <= padded[:-2]) & (profile <= padded[2:]))
    local = local[np.argsort(profile[local], kind="stable")][:max_starts]
    return [(int(i), int(np.argmin(kl[i]))) for i in local]


def fit_gaussian(log_p, grid, direction: str) -> dict:
    r"""The Gaussian :math:`q = N(m, s^2)` closest to ``p`` (log-density on ``grid``) under KL.

    * ``direction="forward"`` minimises :math:`\mathrm{KL}(p\,\|\,q)`. The minimiser is known in
      closed form: ``q`` matches the mean and variance of ``p`` (moment matching).
    * ``direction="reverse"`` minimises :math:`\mathrm{KL}(q\,\|\,p)`. There is no closed form, and
      for a two-bump ``p`` there can be two local minima (one central and broad, one on a bump),
      so the search is global: every (m, s) on a coarse grid is evaluated at once, then the search
      zooms in (eight times) from the best cell of *each* local minimum of the coarse grid (up to
      three) and keeps the smallest divergence. Only :math:`\mathbb{E}_q[\log p]` is computed by
      quadrature, since :math:`\mathrm{KL}(q\,\|\,p) = -H(q) - \mathbb{E}_q[\log p]` and the
      entropy of a Gaussian is known. The returned ``kl`` is by the grid rule.

    Returns ``{"mean", "std", "kl"}`` with ``kl`` the minimised divergence (in the given direction).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    grid = _checks.grid_points(grid)
    log_p = _checks.on_grid(log_p, grid, "log_p")
    p = np.exp(log_p)
    mass = integrate(p, grid)
    if not abs(mass - 1.0) < 1e-3:
        raise ValueError(f"p must integrate to 1 over the grid (got {mass:.6f}); widen the grid")
    mean = integrate(grid * p, grid)
    std = float(np.sqrt(integrate((grid - mean) ** 2 * p, grid)))
    if direction == "forward":
        log_q = normal_log_density(grid, mean, std)
        return {"mean": float(mean), "std": std, "kl": float(kl_on_grid(log_p, log_q, grid))}

    ms = np.linspace(grid[0], grid[-1], 41)
    lss = np.linspace(np.log(std) - 4.0, np.log(std) + 0.5, 31)
    coarse = _reverse_kl_table(ms, lss, log_p, grid)
    dm0, dls0 = 2 * (ms[1] - ms[0]), 2 * (lss[1] - lss[0])
    best = None
    for i, j in _coarse_starts(coarse):
        m, ls, dm, dls = ms[i], lss[j], dm0, dls0
        for _ in range(8):
            fine_m, fine_ls = np.linspace(m - dm, m + dm, 21), np.linspace(ls - dls, ls + dls, 21)
            kl = _reverse_kl_table(fine_m, fine_ls, log_p, grid)
            a, b = np.unravel_index(np.argmin(kl), kl.shape)
            m, ls, dm, dls = fine_m[a], fine_ls[b], 0.2 * dm, 0.2 * dls
        if best is None or kl[a, b] < best[0]:
            best = (kl[a, b], float(m), float(np.exp(ls)))
    _, m, s = best
    # log p is known only on the grid (beyond it np.interp holds the end values, which would
    # understate KL(q || p)): the fit is refused if q has more than 1e-3 of its mass off the grid
    off = 0.5 * (math.erfc((m - grid[0]) / (s * math.sqrt(2.0))) + math.erfc((grid[-1] - m) / (s * math.sqrt(2.0))))
    if off > 1e-3:
        raise ValueError(f"the best q = N({m:.3g}, {s:.3g}^2) has {off:.2g} of its mass off the grid; widen the grid")
    return {"mean": m, "std": s, "kl": float(kl_on_grid(normal_log_density(grid, m, s), log_p, grid))}
