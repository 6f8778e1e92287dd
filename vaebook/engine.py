r"""The training engine: the same forward and backward pass as :mod:`vaebook.model`, arranged for speed.

:func:`vaebook.model.vae_forward` / :func:`~vaebook.model.vae_backward` are the reference: one
layer function per step, easy to read and to gradient-check. Training calls the pass tens of
thousands of times on batches of 64 points, where NumPy's cost is the *number* of calls (about
1 microsecond each), not the arithmetic. This engine computes exactly the same gradients with
fewer, larger calls, using three ordinary devices:

1. **Points as columns.** A batch is stored as a (features, batch) array, so the encoder's
   (mu, log sigma^2) rows and every hidden layer are contiguous blocks of rows.
2. **The bias trick** (as in CS231n's linear-classifier notes). Each layer's ``W`` (n_in, n_out)
   and ``b`` (n_out,) are stored one after the other in the parameter vector, so together they
   are one contiguous (n_in + 1, n_out) block ``[W; b]``. Every layer input carries an extra row
   of ones, so ``[W; b]^T [a; 1] = W^T a + b`` is one matrix product, and the gradient of the
   block, ``[a; 1] dout^T``, gives ``dW`` and ``db`` in one product too.
3. **Preallocated work arrays** (one set per batch size) and a fused optimiser update on the
   flat parameter vector.

``tests/test_engine.py`` checks that its gradients equal the reference's to rounding error.
"""
from __future__ import annotations

import numpy as np

from .gaussian import LOG_2PI as _LOG_2PI
from .model import VAEConfig
from .params import ParamDict


class TrainingEngine:
    """Loss and gradients of one batch, written into a flat gradient vector."""

    def __init__(self, params: ParamDict, config: VAEConfig):
        self.params, self.config = params, config
        self.grads = params.zeros_like()
        enc_names, dec_names = config._names
        self.enc = [self._block(params, name) for name in enc_names]
        self.dec = [self._block(params, name) for name in dec_names]
        self.enc_g = [self._block(self.grads, name) for name in enc_names]
        self.dec_g = [self._block(self.grads, name) for name in dec_names]
        self._work = {}

    @staticmethod
    def _block(pd: ParamDict, name: str) -> np.ndarray:
        """The contiguous [W; b] block of layer ``name``, as an (n_in + 1, n_out) view."""
        n_in, n_out = pd.shapes[name + "_W"]
        start = pd.offsets[name + "_W"]
        assert pd.offsets[name + "_b"] == start + n_in * n_out  # b is stored right after W
        return pd.vector[start:start + (n_in + 1) * n_out].reshape(n_in + 1, n_out)

    def _buffers(self, m: int):
        """Work arrays for a batch of m points (made once per batch size)."""
        if m not in self._work:
            c = self.config
            ones_row = lambda rows: np.ones((rows + 1, m))  # noqa: E731  (last row stays 1)
            self._work[m] = {
                "enc_act": [ones_row(h) for h in c.enc_hidden],
                "dec_act": [ones_row(h) for h in c.dec_hidden],
                "enc_pre": [np.empty((h, m)) for h in c.enc_hidden],
                "dec_pre": [np.empty((h, m)) for h in c.dec_hidden],
                "zeros": {h: np.zeros((h, m)) for h in set(c.enc_hidden + c.dec_hidden)},
                "head": np.empty((2 * c.latent_dim, m)),
                "dhead": np.empty((2 * c.latent_dim, m)),
                "z": ones_row(c.latent_dim),
                "sigma": np.empty((c.latent_dim, m)),
                "sigma_eps": np.empty((c.latent_dim, m)),
                "out": np.empty((c.data_dim, m)),
            }
            w = self._work[m]
            w["dec_inputs"] = [w["z"]] + w["dec_act"]   # the input of each decoder layer
        return self._work[m]

    def _mlp_forward(self, blocks, a, acts, pres, zeros):
        for Wb, act, pre in zip(blocks[:-1], acts, pres):
            np.dot(Wb.T, a, out=pre)
            np.maximum(pre, zeros[pre.shape[0]], out=act[:-1])  # ReLU (zeros: see module doc)
            a = act
        return a

    def _mlp_backward(self, dout, blocks, gblocks, inputs, need_dx):
        for i in range(len(blocks) - 1, -1, -1):
            a = inputs[i]
            np.dot(a, dout.T, out=gblocks[i])       # [dW; db] = [a; 1] dout^T
            if i == 0 and not need_dx:
                return None
            dout = np.dot(blocks[i][:-1], dout)     # W dout: gradient w.r.t. the layer input
            if i > 0:
                dout *= a[:-1] > 0.0                # ReLU: passes where its output was > 0
        return dout

    def loss_and_grads(self, xa: np.ndarray, eps: np.ndarray, beta: float = 1.0):
        """Losses of a batch (sums over its points) and gradients of the batch-mean loss.

        ``xa`` has shape (data_dim + 1, m) with a last row of ones; ``eps`` has shape
        (latent_dim, m). Returns ``(recon_sum, kl_sum)``; the gradients are in ``self.grads``.
        """
        c, J = self.config, self.config.latent_dim
        m = xa.shape[1]
        w = self._buffers(m)
        x = xa[:-1]

        # ---- forward
        a = self._mlp_forward(self.enc, xa, w["enc_act"], w["enc_pre"], w["zeros"])
        head = np.dot(self.enc[-1].T, a, out=w["head"])
        mu, log_var = head[:J], head[J:]
        sigma, sigma_eps, z = w["sigma"], w["sigma_eps"], w["z"]
        np.multiply(log_var, 0.5, out=sigma)
        np.exp(sigma, out=sigma)
        np.multiply(sigma, eps, out=sigma_eps)
        np.add(mu, sigma_eps, out=z[:-1])
        a = self._mlp_forward(self.dec, z, w["dec_act"], w["dec_pre"], w["zeros"])
        out = np.dot(self.dec[-1].T, a, out=w["out"])

        # ---- loss (sums over the batch) and d loss / d out (of the batch mean)
        var = sigma * sigma
        kl_sum = 0.5 * (np.vdot(mu, mu) + np.add.reduce(var - log_var, axis=None) - J * m)
        if c.likelihood == "bernoulli":
            recon_sum = np.add.reduce(np.logaddexp(0.0, out), axis=None) - np.vdot(x, out)
            np.tanh(0.5 * out, out=out)             # sigmoid(a) = (1 + tanh(a / 2)) / 2
            out += 1.0
            out *= 0.5
            out -= x
            out *= 1.0 / m
        elif c.learned_variance:
            log_s2 = self.params["dec_log_sigma2"]
            inv_s2 = np.exp(-log_s2)
            out -= x
            sq = np.add.reduce(out * out, axis=1)
            recon_sum = 0.5 * (np.dot(sq, inv_s2) + m * (log_s2.sum() + c.data_dim * _LOG_2PI))
            np.multiply(0.5, 1.0 - sq * inv_s2 / m, out=self.grads["dec_log_sigma2"])
            out *= (inv_s2 / m)[:, None]
        else:
            out -= x
            recon_sum = 0.5 * (np.vdot(out, out) / c.sigma2
                               + m * c.data_dim * (np.log(c.sigma2) + _LOG_2PI))
            out *= 1.0 / (c.sigma2 * m)

        # ---- backward
        dz = self._mlp_backward(out, self.dec, self.dec_g, w["dec_inputs"], need_dx=True)
        dhead = w["dhead"]
        dmu, dlog_var = dhead[:J], dhead[J:]
        k = beta / m
        np.multiply(mu, k, out=dmu)                  # d KL / d mu
        dmu += dz                                    # + d recon / d z * d z / d mu
        var -= 1.0
        var *= k                                     # d KL / d log_var * 2
        np.multiply(dz, sigma_eps, out=dlog_var)     # d recon / d z * d z / d log_var * 2
        dlog_var += var
        dlog_var *= 0.5
        self._mlp_backward(dhead, self.enc, self.enc_g, [xa] + w["enc_act"], need_dx=False)
        return float(recon_sum), float(kl_sum)



def with_ones_row(X: np.ndarray) -> np.ndarray:
    """(n, D) data as a (D + 1, n) array of columns with a last row of ones."""
    xa = np.empty((X.shape[1] + 1, X.shape[0]))
    xa[:-1] = X.T
    xa[-1] = 1.0
    return xa
