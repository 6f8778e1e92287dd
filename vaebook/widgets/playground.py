"""The training playground: the book's running example trained live in the reader's browser.

:class:`Playground` is an `anywidget <https://anywidget.dev>`_ whose JavaScript trains the
baseline VAE (:data:`vaebook.BASELINE`: 2000 points of :func:`vaebook.make_mixture`, one hidden
ReLU layer per side, batches of 64, 500 epochs) in the browser, with no kernel, and redraws the
loss, the encoder means, decoded draws from the prior and the per-dimension KL as it trains. The
reader sets beta, the decoder variance sigma_x^2 (fixed or learned), the optimiser (SGD or
Adam), the learning rate, the hidden width and the training seed.

* ``playground_engine.js`` is the one JavaScript implementation of the forward pass, the backward
  pass, SGD, Adam and NumPy's ``default_rng`` stream (PCG64, ``standard_normal``,
  ``permutation``, ``integers``); its decoder is the forward pass of ``live.js``, whose ``decode``
  it imports. ``tests/test_playground.py`` holds it equal to :mod:`vaebook.model`,
  :func:`vaebook.train` and NumPy in Node.
* ``playground.js`` is the page: controls, the training loop (a few milliseconds of training per
  animation frame) and the four views.
* The data are drawn in the browser (the same ``default_rng(0)`` draw as the book's), so the
  saved widget state holds only the settings. The weights start from ``default_rng(seed)`` and
  training draws from ``default_rng(seed + 1)``: seed 3 is the book's first baseline run.

The widget's ES module is ``playground.js`` with its local imports inlined (:func:`bundle`, by
:func:`vaebook.widgets.frontend.esm`): anywidget loads a widget's module from a string, so a
relative import cannot be resolved on the page.
"""
from __future__ import annotations

import base64
import functools
import math

import anywidget
import numpy as np
import traitlets as t

from .. import _checks
from ..train import BASELINE
from .frontend import esm

SIGMA2_CHOICES = (0.1, 0.25, 0.5, 1.0, 2.0)
LR_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.1)
HIDDEN_CHOICES = (4, 8, 16, 32, 64)
BETA_RANGE = (0.0, 12.0, 0.25)   # lo, hi, step of the slider
SEED_RANGE = (0, 9999)

NOTE = ("Your browser draws the data, the initial weights and the noise from the same random "
        "stream as NumPy's default_rng: with the settings above and seed 3 it trains exactly the "
        "baseline run of this chapter.")

_CSS = """
.vaebook-playground { font-family: var(--pst-font-family-base, sans-serif); font-size: 0.9rem;
  max-width: 100%; }
.vaebook-playground .pg-title { font-weight: bold; margin-bottom: 0.3rem; }
.vaebook-playground .pg-buttons { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem; }
.vaebook-playground button { font: inherit; min-height: 2.2rem; min-width: 2.75rem; padding: 0.2rem 0.8rem;
  border-radius: 0.3rem; border: 1px solid currentColor; background: transparent; color: inherit;
  cursor: pointer; touch-action: manipulation; }
.vaebook-playground button:focus-visible, .vaebook-playground select:focus-visible,
.vaebook-playground input:focus-visible { outline: 2px solid var(--pst-color-primary, #0072B2); outline-offset: 2px; }
.vaebook-playground .pg-status { font-style: italic; }
.vaebook-playground .pg-controls { display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; margin: 0.5rem 0; }
.vaebook-playground .pg-row { display: flex; align-items: center; gap: 0.4rem; }
.vaebook-playground select, .vaebook-playground input { font: inherit; min-height: 2rem;
  color: inherit; background: transparent; border: 1px solid currentColor; border-radius: 0.25rem; }
.vaebook-playground option { color: #222; background: #fff; }
.vaebook-playground input[type=number] { width: 5.5em; }
.vaebook-playground input[type=range] { width: 140px; }
.vaebook-playground .pg-value { font-family: monospace; min-width: 3em; }
.vaebook-playground .pg-readout { font-family: monospace; font-size: 0.85rem; margin: 0.3rem 0; }
.vaebook-playground .pg-views { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
  gap: 0.5rem; }
.vaebook-playground .pg-view { margin: 0; min-width: 0; }
.vaebook-playground .pg-view canvas { display: block; width: 100%; height: 190px; }
.vaebook-playground figcaption { font-size: 0.8rem; line-height: 1.25; color: inherit; text-align: left;
  margin: 0.1rem 0 0; }
.vaebook-playground .pg-note { font-size: 0.8rem; margin-top: 0.3rem; }
"""


def bundle() -> str:
    """The widget's ES module: ``playground.js`` with its local imports inlined by
    :func:`vaebook.widgets.frontend.esm` (the engine, ``live.js``, whose ``decode`` is the one
    used, and ``common.js``), without comment lines and indentation."""
    return _strip(esm("playground.js"))


def _strip(source: str) -> str:
    """The script without its comment lines and indentation (the page's copy; the files keep
    both). Only whole lines go: ``//`` lines and the lines of ``/** ... */`` blocks, which in
    the bundled scripts never hold code; no string literal of theirs spans lines."""
    out, in_doc = [], False
    for line in source.splitlines():
        text = line.strip()
        if in_doc:
            in_doc = not text.endswith("*/")
            continue
        if text.startswith("/**") or text.startswith("/*"):
            in_doc = not text.endswith("*/")
            continue
        if text and not text.startswith("//"):
            out.append(text)
    return "\n".join(out)


@functools.lru_cache(maxsize=1)
def ziggurat_widths() -> np.ndarray:
    """The 256 layer widths of NumPy's ziggurat for ``standard_normal``, read off NumPy's own draws.

    A draw takes one 64-bit word r from the bit generator, picks the layer ``i = r & 0xff`` and,
    in nearly every case, returns ``x = rabs * w[i]`` with ``rabs = (r >> 9) & (2^52 - 1)`` (a
    sign bit in between). Drawing the raw words and the normals from the same PCG64 state pairs
    each normal with its word; each pair pins ``w[i]`` to an interval about one unit in the last
    place wide, and a few hundred pairs per layer leave exactly one float64. The widths cannot be
    recomputed from the ziggurat's recursion in float64 (it amplifies rounding by about 1e4 by the
    top layer), so the playground is given these: with them its normals are NumPy's, bit for bit.
    """
    n = 80_000
    bitgen = np.random.PCG64(20261208)
    start = bitgen.state
    raw = bitgen.random_raw(n)
    bitgen.state = start
    normals = np.random.Generator(bitgen).standard_normal(int(n * 0.95))
    idx = (raw & np.uint64(0xFF)).astype(np.intp)
    sign = ((raw >> np.uint64(8)) & np.uint64(1)).astype(bool)
    rabs = ((raw >> np.uint64(9)) & np.uint64((1 << 52) - 1)).astype(np.float64)
    approx = _ziggurat_widths_float64()
    guess = np.where(sign, -1.0, 1.0) * rabs * approx[idx]
    pairs_i, pairs_j = [], []
    i = j = 0
    while j < normals.size and i + 8 < n:          # walk both streams; skip words a draw used up
        for k in range(i, i + 8):
            if abs(normals[j] - guess[k]) <= 1e-9 * abs(guess[k]):
                pairs_i.append(k)
                pairs_j.append(j)
                i = k + 1
                break
        else:                                        # a draw from the tail: no word alone made it
            i += 3
        j += 1
    pairs_i, pairs_j = np.array(pairs_i), np.array(pairs_j)
    widths = np.empty(256)
    for layer in range(256):
        sel = idx[pairs_i] == layer
        r, x = rabs[pairs_i[sel]], np.abs(normals[pairs_j[sel]])
        if r.size < 50:
            raise RuntimeError(f"ziggurat layer {layer}: only {r.size} draws to read its width from")
        lo = hi = np.median(x / r)
        cands = {lo}
        for _ in range(8):
            lo, hi = np.nextafter(lo, -np.inf), np.nextafter(hi, np.inf)
            cands |= {lo, hi}
        fits = [c for c in sorted(cands) if np.array_equal(r * c, x)]
        if len(fits) != 1:
            raise RuntimeError(f"ziggurat layer {layer}: {len(fits)} widths fit NumPy's draws")
        widths[layer] = fits[0]
    return widths


def _ziggurat_widths_float64() -> np.ndarray:
    """The widths from the ziggurat's recursion in float64: within about 1e-13 of NumPy's."""
    r, v = 3.6541528853610087963519472518, 0.0049286732339746519
    x = np.zeros(256)
    x[0] = r
    for i in range(1, 255):
        x[i] = np.sqrt(-2.0 * np.log(np.exp(-0.5 * x[i - 1] ** 2) + v / x[i - 1]))
    x = x[::-1] / 2.0**52
    x[0] = v / np.exp(-0.5 * r * r) / 2.0**52
    return x


def check_setting(name: str, value):
    """``value`` as the widget stores setting ``name``, or ValueError naming what is wrong."""
    if name == "beta":
        lo, hi, step = BETA_RANGE
        beta = _checks.nonnegative_float(value, "beta")
        if beta > hi or abs(beta / step - round(beta / step)) > 1e-9:
            raise ValueError(f"beta must be in [{lo}, {hi}] on a grid of {step}, got {value}")
        return beta
    if name == "sigma2":
        return "learned" if value == "learned" else _choice(value, SIGMA2_CHOICES, 'sigma2 (or "learned")')
    if name == "optimizer":
        if value not in ("sgd", "adam"):
            raise ValueError(f'optimizer must be "sgd" or "adam", got {value!r}')
        return value
    if name == "lr":
        return _choice(value, LR_CHOICES, "lr")
    if name == "hidden":
        return int(_choice(value, HIDDEN_CHOICES, "hidden"))
    if name == "seed":
        is_int = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
        if not is_int or not SEED_RANGE[0] <= value <= SEED_RANGE[1]:
            raise ValueError(f"seed must be an integer in [{SEED_RANGE[0]}, {SEED_RANGE[1]}], got {value!r}")
        return int(value)
    raise ValueError(f"the playground has no setting {name!r}")


def _choice(value, choices, name):
    for c in choices:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isclose(float(value), c):
            return c
    raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")


class Playground(anywidget.AnyWidget):
    """The running example, trained in the browser; see the module docstring.

    Parameters
    ----------
    beta
        Weight of the KL term, in ``[0, 12]`` on a grid of 0.25.
    sigma2
        The decoder variance sigma_x^2: one of 0.1, 0.25, 0.5, 1, 2, or ``"learned"``.
    optimizer
        ``"sgd"`` or ``"adam"``.
    lr
        Learning rate: one of 0.001, 0.003, 0.01, 0.03, 0.1.
    hidden
        Units in the one hidden layer of the encoder and of the decoder: 4, 8, 16, 32 or 64.
    seed
        Training seed: the weights start from ``default_rng(seed)``, shuffling and noise come from
        ``default_rng(seed + 1)`` (seed 3: the book's first baseline run).
    title
        A line of bold text above the controls.
    """

    _esm = bundle()
    _css = _CSS

    beta = t.Float(1.0).tag(sync=True)
    sigma2 = t.Union([t.Float(), t.Unicode()], default_value=BASELINE.sigma2).tag(sync=True)
    optimizer = t.Unicode("sgd").tag(sync=True)
    lr = t.Float(BASELINE.lr).tag(sync=True)
    hidden = t.Int(BASELINE.hidden).tag(sync=True)
    seed = t.Int(3).tag(sync=True)
    epochs = t.Int(BASELINE.epochs).tag(sync=True)
    n_points = t.Int(BASELINE.n_points).tag(sync=True)
    batch_size = t.Int(BASELINE.batch_size).tag(sync=True)
    init_scale = t.Float(BASELINE.init_scale).tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    note = t.Unicode(NOTE).tag(sync=True)
    zig_wi = t.Unicode().tag(sync=True)   # NumPy's ziggurat widths, float64 base64 (2.7 kB)

    def __init__(self, *, beta: float = 1.0, sigma2=BASELINE.sigma2, optimizer: str = "sgd",
                 lr: float = BASELINE.lr, hidden: int = BASELINE.hidden, seed: int = 3,
                 title: str = ""):
        wi = base64.b64encode(np.ascontiguousarray(ziggurat_widths(), "<f8").tobytes()).decode("ascii")
        settings = {k: check_setting(k, v) for k, v in
                    dict(beta=beta, sigma2=sigma2, optimizer=optimizer, lr=lr, hidden=hidden, seed=seed).items()}
        super().__init__(zig_wi=wi, title=str(title), **settings)

    @t.validate("beta", "sigma2", "optimizer", "lr", "hidden", "seed")
    def _valid_setting(self, proposal):
        """A setting changed from Python (in JupyterLab) is checked like the constructor's."""
        return check_setting(proposal["trait"].name, proposal["value"])

    @property
    def settings(self) -> dict:
        """The current settings (what the controls show; a reader's changes sync back in JupyterLab)."""
        return {k: getattr(self, k) for k in ("beta", "sigma2", "optimizer", "lr", "hidden", "seed")}

    def __repr__(self) -> str:
        s = self.settings
        s2 = s["sigma2"] if s["sigma2"] == "learned" else f"{s['sigma2']:g}"
        return (f"Playground(beta={s['beta']:g}, sigma2={s2}, {s['optimizer']}, lr={s['lr']:g}, "
                f"hidden={s['hidden']}, seed={s['seed']}; {self.n_points} points, {self.epochs} epochs)")


def playground(**kwargs) -> Playground:
    """The training playground of chapter 6 (keyword arguments: see :class:`Playground`)."""
    return Playground(**kwargs)
