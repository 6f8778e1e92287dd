"""Optimisers that act on parameter dicts.

Both update a :class:`~vaebook.params.ParamDict` in place from a gradient dict with the same
keys. When both are ParamDicts with the same layout, the update is one fused operation on the
flat vectors (the fast path used in training); otherwise it loops over the keys.
"""
from __future__ import annotations

import numpy as np

from . import _checks
from .params import ParamDict

_SMALLEST_NORMAL = np.finfo(np.float64).tiny  # 2.2250738585072014e-308


def _pairs(params, grads):
    """(parameter, gradient) array pairs to update: the two flat vectors when both are ParamDicts
    of one layout, else one pair per key (the keys, shapes and dtypes must match)."""
    if (type(params) is ParamDict and type(grads) is ParamDict
            and params.shapes == grads.shapes):
        return ((params.vector, grads.vector),)
    if set(params) != set(grads):
        raise ValueError(
            f"grads must have exactly the keys of params; missing {sorted(set(params) - set(grads))}, "
            f"extra {sorted(set(grads) - set(params))}"
        )
    pairs = [(params[k], np.asarray(grads[k])) for k in params]
    for k, (p, g) in zip(params, pairs):
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            raise ValueError(f"params[{k!r}] must be a float array, updated in place, got "
                             f"{getattr(p, 'dtype', type(p).__name__)}")
        if g.shape != p.shape:
            raise ValueError(f"grads[{k!r}] must have the shape of params[{k!r}], {p.shape}, got {g.shape}")
    return pairs


class SGD:
    """Plain stochastic gradient descent: ``theta <- theta - lr * g``."""

    def __init__(self, lr: float = 0.01):
        lr = _checks.positive_float(lr, "lr")
        self.lr = lr

    def step(self, params, grads) -> None:
        for p, g in _pairs(params, grads):
            p -= self.lr * g

    def __repr__(self):
        return f"SGD(lr={self.lr})"


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction.

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``,
    ``theta <- theta - lr_t m / (sqrt(v) + eps_t)`` with the bias corrections folded into
    ``lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)`` and ``eps_t = eps sqrt(1 - b2^t)``, which is the same
    update as the textbook form.

    ``flush_subnormal=True`` sets first-moment entries below the smallest normal float
    (about 2.2e-308) to zero after each step. Without it, a parameter whose gradient stays exactly
    zero (the weights of a dead ReLU unit) ends with ``m`` stuck at the smallest subnormal number,
    5e-324, because 0.9 times it rounds back up; arithmetic on subnormals is many times slower on
    common CPUs, and long runs slowed down by up to 2x. The update such an ``m`` makes is far below
    the rounding error of any normal parameter, so flushing does not change training in practice.
    """

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                 flush_subnormal: bool = False):
        self.lr = _checks.positive_float(lr, "lr")
        for name, b in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {b}")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.eps = _checks.positive_float(eps, "eps")
        if not isinstance(flush_subnormal, bool):
            raise ValueError(f"flush_subnormal must be True or False, got {flush_subnormal!r}")
        self.flush_subnormal = flush_subnormal
        self.t = 0
        self._state = None
        self._owner = None

    def step(self, params, grads) -> None:
        """One update of ``params`` in place. The moments belong to the parameters of the first
        call: stepping any other parameters raises ValueError (make one Adam per model)."""
        pairs = _pairs(params, grads)
        if self._state is None:
            self._owner = params
            self._state = [(np.zeros_like(p), np.zeros_like(p), np.empty_like(p)) for p, _ in pairs]
        elif params is not self._owner or [p.shape for p, _ in pairs] != [m.shape for m, _, _ in self._state]:
            raise ValueError("this Adam's moment estimates belong to the parameters of its first step; "
                             "use a new Adam for other parameters")
        self.t += 1
        c2 = np.sqrt(1.0 - self.beta2**self.t)
        lr_t = self.lr * c2 / (1.0 - self.beta1**self.t)
        eps_t = self.eps * c2
        for (p, g), (m, v, work) in zip(pairs, self._state):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            if self.flush_subnormal:
                m[np.abs(m) < _SMALLEST_NORMAL] = 0.0
            v *= self.beta2
            np.multiply(g, g, out=work)
            work *= 1.0 - self.beta2
            v += work
            np.sqrt(v, out=work)
            work += eps_t
            np.divide(m, work, out=work)
            work *= lr_t
            p -= work

    def __repr__(self):
        flush = ", flush_subnormal=True" if self.flush_subnormal else ""
        return f"Adam(lr={self.lr}, beta1={self.beta1}, beta2={self.beta2}, eps={self.eps}{flush})"
