r"""The training engine (private): the same forward and backward pass as :mod:`vaebook.model`, arranged for speed.

:func:`vaebook.model.vae_forward` / :func:`~vaebook.model.vae_backward` are the reference: one
layer function per step, easy to read and to gradient-check. Training calls the pass tens of
thousands of times on batches of 64 points, where NumPy's cost is the *number* of calls (about
1 microsecond each), not the arithmetic. This engine computes exactly the same gradients with
fewer calls, using four ordinary devices:

1. **Points as columns.** A batch is stored as a (features, batch) array, so the encoder's
   (mu, log sigma^2) rows and every hidden layer are contiguous blocks of rows, which NumPy
   can write into directly (``out=``).
2. **The bias trick** (as in CS231n's linear-classifier notes). Each layer's ``W`` (n_in, n_out)
   and ``b`` (n_out,) are stored one after the other in the parameter vector, so together they
   are one contiguous (n_in + 1, n_out) block ``[W; b]``. Every layer input carries an extra row
   of ones, so ``[W; b]^T [a; 1] = W^T a + b`` is one matrix product, and the gradient of the
   block, ``[a; 1] dout^T``, gives ``dW`` and ``db`` in one product too.
3. **Preallocated arrays.** An epoch's shuffled data and noise are copied once into one block
   per batch; every intermediate has its own buffer, made once.
4. **Losses once per epoch.** A step needs the *gradients* of the loss, not its value. Each step
   leaves its encoder output (mu, log sigma^2) and decoder output in a per-epoch record, and the
   epoch's loss is computed from the record in a few calls on whole arrays at the end. It is the
   same number (the loss of each batch at the parameters it was stepped from), not an estimate.

Every array a step reads or writes is made once and named in a record (the NamedTuples
below), so a step is a fixed sequence of NumPy calls on named arrays. ``tests/test_library.py``
checks that its gradients and losses equal the reference's to rounding error, one batch and one
whole epoch at a time. :func:`vaebook.train` uses this module (and the speed benchmark
times its step).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .formulas import bernoulli_log_prob, kl_diag_to_standard, log_normal_diag
from .model import VAEConfig
from .params import ParamDict


class DenseForward(NamedTuple):
    """One hidden layer's forward step: ``h = max(0, WbT @ a)``, with ``act = [h; 1]``."""

    WbT: np.ndarray      # [W; b]^T, (n_out, n_in + 1), a view of the parameter vector
    h: np.ndarray        # the layer's output rows, a view of act
    zeros: np.ndarray    # zeros of h's shape, for the ReLU
    act: np.ndarray      # (n_out + 1, m): h with a row of ones under it (the next layer's input)


class DenseBackward(NamedTuple):
    """One layer's backward step: ``gblock = a @ dout^T``, then ``dx = W @ dout`` through the ReLU."""

    a: np.ndarray | None        # the layer's input [a; 1] (None: the data, passed per batch)
    gblock: np.ndarray          # [dW; db], (n_in + 1, n_out), a view of the gradient vector
    W: np.ndarray | None        # W without its bias row, (n_in, n_out); None if dx is not needed
    dx: np.ndarray | None       # d loss / d input, (n_in, m)
    mask: np.ndarray | None     # where the ReLU that made the input passed (None: no ReLU)


class Batch(NamedTuple):
    """The views one step uses: its data, noise and the record it leaves for the epoch's loss."""

    xa: np.ndarray               # (data_dim + 1, m): the batch's points as columns, and a row of ones
    x: np.ndarray                # (data_dim, m): the points
    eps: np.ndarray              # (latent_dim, m): the reparameterisation noise
    head: np.ndarray             # (2 latent_dim, m) record: the encoder's output [mu; log sigma^2]
    mu: np.ndarray               # rows of head
    log_var: np.ndarray          # rows of head
    out: np.ndarray              # (data_dim, m) record: the decoder's output
    log_s2: np.ndarray | None    # (data_dim,) record: log sigma_x^2 at this step (learned variance)


class Part(NamedTuple):
    """The batches of one size in an epoch (all full batches, or the smaller last one), as
    blocks of 3-D arrays: block i is batch i, with its points as columns."""

    size: int                    # points per batch
    xa: np.ndarray               # (batches, data_dim + 1, size): data, with the ones row
    eps: np.ndarray              # (batches, latent_dim, size): noise
    head: np.ndarray             # (batches, 2 latent_dim, size): record of the encoder outputs
    out: np.ndarray              # (batches, data_dim, size): record of the decoder outputs
    log_s2: np.ndarray | None    # (batches, data_dim, 1): record of log sigma_x^2 (learned variance)


class Losses(NamedTuple):
    """Sums over the points of -log p(x|z) and of the KL term."""

    recon_sum: float
    kl_sum: float


def _block(pd: ParamDict, name: str) -> np.ndarray:
    """The contiguous [W; b] block of layer ``name``, as an (n_in + 1, n_out) view."""
    n_in, n_out = pd.shapes[name + "_W"]
    start = pd.offsets[name + "_W"]
    if pd.offsets[name + "_b"] != start + n_in * n_out:
        raise RuntimeError(f"the training engine needs {name}_b stored right after {name}_W in the "
                           f"parameter vector (VAEConfig.param_shapes order); the layout changed")
    return pd.vector[start:start + (n_in + 1) * n_out].reshape(n_in + 1, n_out)


def _with_ones(rows: int, m: int, batches: int | None = None) -> np.ndarray:
    """An array of ``rows`` rows plus a last row of ones (the bias trick), for m points."""
    shape = (rows + 1, m) if batches is None else (batches, rows + 1, m)
    a = np.empty(shape)
    a[..., -1, :] = 1.0
    return a


class _Work:
    """Buffers for one batch of m points (shared by all batches of that size), and per layer, the
    arrays each step of the forward and backward pass reads and writes, looked up once."""

    def __init__(self, config: VAEConfig, m: int, engine: "TrainingEngine"):
        J, D = config.latent_dim, config.data_dim
        self.z = _with_ones(J, m)
        self.z_rows = self.z[:-1]
        self.sigma = np.empty((J, m))
        self.sigma_eps = np.empty((J, m))
        self.dout = np.empty((D, m))                 # d loss / d decoder output
        self.dhead = np.empty((2 * J, m))            # d loss / d (mu, log sigma^2)
        self.kl_grad = np.empty((2 * J, m))          # (d KL / d mu, 2 d KL / d log sigma^2)
        self.dz, self.dhead_log_var = self.dhead[:J], self.dhead[J:]
        self.kl_grad_mu, self.kl_grad_log_var = self.kl_grad[:J], self.kl_grad[J:]
        zeros = {h: np.zeros((h, m)) for h in config.enc_hidden + config.dec_hidden}
        masks = {h: np.empty((h, m), dtype=bool) for h in config.enc_hidden + config.dec_hidden}

        def layers(blocks, gblocks, first_input, first_dx):
            acts = [_with_ones(Wb.shape[1], m) for Wb in blocks[:-1]]   # ReLU outputs + ones row
            inputs = [first_input] + acts
            dxs = [first_dx] + [np.empty((act.shape[0] - 1, m)) for act in acts]
            forward = [DenseForward(Wb.T, act[:-1], zeros[Wb.shape[1]], act) for Wb, act in zip(blocks, acts)]
            backward = [DenseBackward(inputs[i], gblocks[i], None if dxs[i] is None else blocks[i][:-1], dxs[i],
                                      masks[dxs[i].shape[0]] if i > 0 else None)
                        for i in range(len(blocks) - 1, -1, -1)]   # from the output layer down
            return forward, backward

        # the data (the encoder's input) changes per batch and needs no gradient;
        # the decoder's input is z, whose gradient goes into the mu rows of dhead
        self.enc_forward, self.enc_backward = layers(engine.enc, engine.enc_g, None, None)
        self.dec_forward, self.dec_backward = layers(engine.dec, engine.dec_g, self.z, self.dz)
        self.enc_head, self.dec_last = engine.enc[-1].T, engine.dec[-1].T


class _Epoch:
    """An epoch's data, noise and record, as one (rows, m) block per batch.

    The n points are split into ``n // m`` full batches of m, which are blocks of 3-D arrays,
    and, if m does not divide n, one last batch of the remaining points.
    """

    def __init__(self, config: VAEConfig, n: int, m: int):
        J, D = config.latent_dim, config.data_dim
        full, rest = divmod(n, m)
        self.parts = []
        for count, size in ((full, m), (1 if rest else 0, rest)):
            if count:
                self.parts.append(Part(
                    size=size,
                    xa=_with_ones(D, size, count),
                    eps=np.empty((count, J, size)),
                    head=np.empty((count, 2 * J, size)),
                    out=np.empty((count, D, size)),
                    log_s2=np.empty((count, D, 1)) if config.learned_variance else None,
                ))
        # per batch, the views a step uses
        self.batches = [
            Batch(xa, xa[:-1], part.eps[i], head, head[:J], head[J:], part.out[i],
                  None if part.log_s2 is None else part.log_s2[i, :, 0])
            for part in self.parts
            for i, (xa, head) in enumerate(zip(part.xa, part.head))
        ]

    def load(self, X: np.ndarray, noise: np.ndarray) -> None:
        """Copy the (n, D) data and (n, J) noise, in their row order, into the batch blocks."""
        start = 0
        for part in self.parts:
            count, size = len(part.xa), part.size
            stop = start + count * size
            # rows start..stop as (count, size, D) -> (count, D, size): points become columns
            part.xa[:, :-1, :] = X[start:stop].reshape(count, size, -1).transpose(0, 2, 1)
            part.eps[...] = noise[start:stop].reshape(count, size, -1).transpose(0, 2, 1)
            start = stop


class TrainingEngine:
    """Gradients of the batch-mean loss, written into ``self.grads``; losses once per epoch."""

    def __init__(self, params: ParamDict, config: VAEConfig):
        self.params, self.config = params, config
        self.grads = params.zeros_like()
        self.enc = [_block(params, name) for name in config.enc_layers]
        self.dec = [_block(params, name) for name in config.dec_layers]
        self.enc_g = [_block(self.grads, name) for name in config.enc_layers]
        self.dec_g = [_block(self.grads, name) for name in config.dec_layers]
        self._work: dict[int, _Work] = {}
        self._epochs: dict[tuple[int, int], _Epoch] = {}

    # ------------------------------------------------------------------ public
    def epoch(self, X: np.ndarray, noise: np.ndarray, batch_size: int, beta: float,
              optimizer) -> Losses:
        """One pass over the rows of X in order: a gradient and an optimiser step per batch.

        ``X`` is (n, data_dim), ``noise`` the (n, latent_dim) reparameterisation noise. Returns
        ``(recon_sum, kl_sum)``: the sums over the n points of each batch's loss terms at the
        parameters its step started from (what averaging per-step losses would give).
        """
        ep = self._epoch(X.shape[0], batch_size)
        ep.load(X, noise)
        params, grads = self.params, self.grads
        for batch in ep.batches:
            self._gradients(batch, beta)
            optimizer.step(params, grads)
        return self._losses(ep)

    def loss_and_grads(self, x: np.ndarray, eps: np.ndarray, beta: float = 1.0) -> Losses:
        """One batch, (m, data_dim) and (m, latent_dim), as one epoch without a step.

        Returns ``(recon_sum, kl_sum)`` over the batch; the gradients of the batch-mean loss
        are in ``self.grads``. (Used to check the engine against the reference.)
        """
        ep = self._epoch(x.shape[0], x.shape[0])
        ep.load(x, eps)
        self._gradients(ep.batches[0], beta)
        return self._losses(ep)

    def arrays(self, n: int, m: int) -> tuple[Batch, _Work]:
        """The arrays of the first batch of an epoch of n points in batches of m, and the
        buffers of a batch of m (made by an earlier call with these sizes): what one step reads
        and writes, by name (used to time a step's NumPy calls written out)."""
        return self._epochs[(n, m)].batches[0], self._work[m]

    # ------------------------------------------------------------------ one batch
    def _gradients(self, batch: Batch, beta: float) -> None:
        xa, x, eps, head, mu, log_var, out, log_s2_record = batch
        c = self.config
        m = xa.shape[1]
        w = self._work.get(m) or self._work.setdefault(m, _Work(c, m, self))

        # ---- forward: encoder, z = mu + sigma * eps, decoder
        a = self._forward(xa, w.enc_forward)
        np.dot(w.enc_head, a, out=head)
        sigma, sigma_eps = w.sigma, w.sigma_eps
        np.multiply(log_var, 0.5, out=sigma)
        np.exp(sigma, out=sigma)
        np.multiply(sigma, eps, out=sigma_eps)
        np.add(mu, sigma_eps, out=w.z_rows)
        a = self._forward(w.z, w.dec_forward)
        np.dot(w.dec_last, a, out=out)

        # ---- d loss / d out, of the batch mean
        dout = w.dout
        if c.likelihood == "bernoulli":               # sigmoid(a) - x, sigmoid(a) = (1 + tanh(a/2)) / 2
            np.multiply(out, 0.5, out=dout)
            np.tanh(dout, out=dout)
            dout += 1.0
            dout *= 0.5
            dout -= x
            dout *= 1.0 / m
        elif c.learned_variance:
            log_s2 = self.params["dec_log_sigma2"]
            log_s2_record[...] = log_s2               # the loss at the end of the epoch needs it
            inv_s2 = np.exp(-log_s2)
            np.subtract(out, x, out=dout)
            sq = np.add.reduce(dout * dout, axis=1)   # per data dimension, summed over the batch
            np.multiply(0.5, 1.0 - sq * inv_s2 / m, out=self.grads["dec_log_sigma2"])
            dout *= (inv_s2 / m)[:, None]
        else:
            np.subtract(out, x, out=dout)
            dout *= 1.0 / (c.sigma2 * m)

        # ---- backward: decoder (writes dz into dhead[:J]), then z and the KL term, then encoder
        self._backward(dout, w.dec_backward)
        k = beta / m
        np.multiply(mu, k, out=w.kl_grad_mu)                # d KL / d mu = mu / m (times beta)
        np.multiply(sigma, sigma, out=w.kl_grad_log_var)    # 2 d KL / d log_var = (sigma^2 - 1) / m
        w.kl_grad_log_var -= 1.0
        w.kl_grad_log_var *= k
        np.multiply(w.dz, sigma_eps, out=w.dhead_log_var)   # 2 d z / d log_var = sigma eps
        dhead = w.dhead
        dhead += w.kl_grad
        w.dhead_log_var *= 0.5
        self._backward(dhead, w.enc_backward, xa)

    @staticmethod
    def _forward(a, layers):
        """Hidden layers: ``h = max(0, [W; b]^T [a; 1])``, written above each layer's ones row."""
        for WbT, h, zeros, act in layers:
            np.dot(WbT, a, out=h)
            np.maximum(h, zeros, out=h)
            a = act
        return a

    @staticmethod
    def _backward(dout, layers, first_input=None):
        """Gradient blocks ``[a; 1] dout^T``, and d loss / d input down to the first layer.

        ``layers`` runs from the output layer down. The first layer's input is ``first_input``
        when it changes from batch to batch (the data); its gradient is not needed then.
        """
        for a, gblock, W, dx, mask in layers:
            if a is None:
                np.dot(first_input, dout.T, out=gblock)
                return
            np.dot(a, dout.T, out=gblock)            # [dW; db] = [a; 1] dout^T
            dout = np.dot(W, dout, out=dx)           # d loss / d a = W dout
            if mask is not None:                     # through the ReLU that made a:
                np.greater(a[:-1], 0.0, out=mask)    # it passes where its output was > 0
                np.multiply(dout, mask, out=dout)

    # ------------------------------------------------------------------ bookkeeping
    def _epoch(self, n: int, m: int) -> _Epoch:
        key = (n, m)
        if key not in self._epochs:
            self._epochs[key] = _Epoch(self.config, n, m)
        return self._epochs[key]

    def _losses(self, ep: _Epoch) -> Losses:
        """Sums over the epoch's points of -log p(x | z) and KL, from the record."""
        c, J = self.config, self.config.latent_dim
        recon = kl = 0.0
        for part in ep.parts:
            head, out = part.head, part.out    # (batches, rows, m): a point is a column
            x = part.xa[:, :-1, :]
            kl += kl_diag_to_standard(head[:, :J], head[:, J:], per_dimension=True).sum()
            # the log-likelihoods sum over their last axis: put the data dimension last
            if c.likelihood == "bernoulli":
                recon -= bernoulli_log_prob(x.swapaxes(1, 2), out.swapaxes(1, 2)).sum()
            else:
                var = np.exp(part.log_s2) if c.learned_variance else np.full((c.data_dim, 1), c.sigma2)
                recon -= log_normal_diag(x.swapaxes(1, 2), out.swapaxes(1, 2), var.swapaxes(-1, -2)).sum()
        return Losses(float(recon), float(kl))
