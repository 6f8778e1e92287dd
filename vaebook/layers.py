"""The two layers the VAE is built from, in the forward/backward style of Stanford's CS231n.

Each layer is a pair of pure functions:

* ``forward(inputs...) -> (out, cache)``: compute the output and keep what backward needs;
* ``backward(dout, cache)``: given d loss / d out, return d loss / d input and, for a layer with
  parameters, their gradients: ``(dx, dW, db)`` for the dense layer, ``dx`` for the ReLU.

No state lives on objects, and no function changes its inputs: the cache is returned to the
caller, who passes it back.
"""
from __future__ import annotations

import numpy as np


def dense_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray):
    """Affine layer ``out = x W + b`` for a batch ``x`` of shape (batch, n_in)."""
    out = x @ W + b
    cache = (x, W)
    return out, cache


def dense_backward(dout: np.ndarray, cache):
    """Backward pass of :func:`dense_forward`: dout (batch, n_out) -> ``(dx, dW, db)`` of shapes
    (batch, n_in), (n_in, n_out), (n_out,)."""
    x, W = cache
    dx = dout @ W.T
    dW = x.T @ dout
    db = dout.sum(axis=0)
    return dx, dW, db


def relu_forward(x: np.ndarray):
    """Rectified linear unit, ``max(0, x)``, as a new array; the cache is the input."""
    out = np.maximum(0.0, x)
    cache = x
    return out, cache


def relu_backward(dout: np.ndarray, cache):
    """Backward pass of :func:`relu_forward`: the gradient passes where the input was > 0."""
    x = cache
    dx = dout * (x > 0)
    return dx


def mlp_forward(params, names, h):
    """Dense + ReLU for every hidden layer in ``names[:-1]``, then a final dense layer.

    Layer ``name`` uses ``params[name + "_W"]`` and ``params[name + "_b"]``. Returns
    ``(out, caches)``, the caches for :func:`mlp_backward`.
    """
    caches = []
    for name in names[:-1]:
        a, dense_cache = dense_forward(h, params[name + "_W"], params[name + "_b"])
        h, relu_cache = relu_forward(a)
        caches.append((dense_cache, relu_cache))
    out, dense_cache = dense_forward(h, params[names[-1] + "_W"], params[names[-1] + "_b"])
    caches.append((dense_cache, None))
    return out, caches


def mlp_backward(dout, caches, names, grads):
    """Backward through :func:`mlp_forward`: stores each layer's dW, db in ``grads``, returns d / d input."""
    dh = dout
    for name, (dense_cache, relu_cache) in zip(reversed(names), reversed(caches)):
        if relu_cache is not None:
            dh = relu_backward(dh, relu_cache)
        dh, grads[name + "_W"], grads[name + "_b"] = dense_backward(dh, dense_cache)
    return dh
