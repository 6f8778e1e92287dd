"""The two layers the VAE is built from, in the forward/backward style of Stanford's CS231n.

Each layer is a pair of pure functions:

* ``forward(inputs...) -> (out, cache)``: compute the output and keep what backward needs;
* ``backward(dout, cache) -> (dx, grads)``: given d loss / d out, return d loss / d input and the
  gradients of the layer's own parameters.

No state lives on objects: the cache is returned to the caller, who passes it back.
"""
from __future__ import annotations

import numpy as np


def dense_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray):
    """Affine layer ``out = x @ W + b`` for a batch ``x`` of shape (batch, n_in)."""
    out = x @ W
    out += b
    return out, (x, W)


def dense_backward(dout: np.ndarray, cache, grad_W=None, grad_b=None, need_dx: bool = True):
    """Backward pass of :func:`dense_forward`.

    ``grad_W`` and ``grad_b`` may be arrays to write the gradients into (the model passes views
    of one flat gradient vector, so that an optimiser can update everything at once). The
    gradient with respect to the input is skipped when ``need_dx`` is False (the first layer
    never needs it).
    """
    x, W = cache
    grad_W = np.dot(x.T, dout, out=grad_W)
    grad_b = np.add.reduce(dout, axis=0, out=grad_b)
    dx = dout @ W.T if need_dx else None
    return dx, {"W": grad_W, "b": grad_b}


def relu_forward(a: np.ndarray):
    """Rectified linear unit, ``max(a, 0)``, computed in place on ``a``.

    In place is safe because ``a`` is always the fresh output of a dense layer. The output is
    also the cache: ``out > 0`` is exactly where the gradient passes.
    """
    out = np.maximum(a, 0.0, out=a)
    return out, out


def relu_backward(dout: np.ndarray, cache):
    """Backward pass of :func:`relu_forward`: the gradient passes where the output was > 0.

    A ReLU has no parameters, so its gradient dict is empty.
    """
    out = cache
    return dout * (out > 0.0), {}
