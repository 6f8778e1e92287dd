"""Latent traversal that runs without a kernel: the decoder's forward pass in the browser.

Widget of chapter 7 (generating from the prior). :class:`LiveDecoder` is an `anywidget
<https://anywidget.dev>`_ whose traitlets hold a trained decoder's weights (float64, row-major,
base64 by :mod:`vaebook.widgets.state`; :func:`layer_arrays` reads them) and whose JavaScript
(``live.js``, next to this file) draws one slider per latent coordinate and decodes ``z`` on
every move. Because the weights live in the saved widget state, the static site's sliders work
with no kernel; in JupyterLab the same widget syncs ``z`` and ``x_hat`` back to Python.

* A 2-D Gaussian decoder is drawn as the decoded point over the (optional) data points; a
  decoder whose output is an image (``data_dim`` a square number, or ``image_shape`` given) is
  drawn as that image, e.g. the 8x8 digits of a Bernoulli decoder.
* ``z`` and ``x_hat`` are traitlets: Python recomputes ``x_hat = decode(params, config, z)``
  whenever ``z`` changes, so tests (and readers) can check the numbers the page shows.
* The JavaScript forward pass equals :func:`vaebook.model.decode` to rounding (float64 both
  sides); ``tests/test_live_widget.py`` checks it to 1e-12 by running ``live.js`` in Node.
* ``repr`` has no memory address, so strict nbval can compare it.
"""
from __future__ import annotations

import math

import anywidget
import numpy as np
import traitlets as t

from .. import _checks
from ..model import VAEConfig, decode
from .artists import square_image_shape
from .controls import format_number
from .frontend import esm
from .state import decode_array, encode_array

_CSS = """
.vaebook-live-decoder { font-family: var(--pst-font-family-base, sans-serif); font-size: 0.9rem; }
.vaebook-live-decoder .live-title { font-weight: bold; margin-bottom: 0.3rem; }
.vaebook-live-decoder .live-controls { display: flex; flex-wrap: wrap; gap: 0.2rem 1.2rem; }
.vaebook-live-decoder .live-row { display: flex; align-items: center; gap: 0.4rem; margin: 0; }
.vaebook-live-decoder .live-row input { width: 180px; }
.vaebook-live-decoder .live-z-value { font-family: monospace; min-width: 4.5em; }
.vaebook-live-decoder .live-box { margin: 0.4rem 0; }
.vaebook-live-decoder .live-image { border: 1px solid #888; }
.vaebook-live-decoder .live-readout { font-family: monospace; }
"""


def decoder_keys(config: VAEConfig) -> list[str]:
    """The parameters the decoder's mean uses: every decoder layer's weights and biases."""
    return [name + suffix for name in config.dec_layers for suffix in ("_W", "_b")]


def layer_arrays(layer: dict) -> tuple[np.ndarray, np.ndarray]:
    """(W, b) of one saved decoder layer, as float64 arrays of shapes (n_in, n_out) and (n_out,)."""
    return decode_array(layer["W"]).reshape(layer["n_in"], layer["n_out"]), decode_array(layer["b"])


class LiveDecoder(anywidget.AnyWidget):
    """Sliders for z and the decoded output, computed in the browser from the saved weights.

    Parameters
    ----------
    params, config
        A trained VAE (only the decoder's weights are used and copied).
    z
        Initial latent point (default: the origin), every entry within ``[-z_max, z_max]``.
    z_max
        The sliders' range is ``[-z_max, z_max]``.
    points
        For a 2-D output: data points drawn in grey behind the decoded point, shape (n, 2).
    view
        For a 2-D output: the plotted box ``(xmin, xmax, ymin, ymax)`` (default: fitted to the
        points, or [-4, 4]^2).
    image_shape
        For an image output: ``(rows, cols)`` with ``rows * cols == data_dim`` (default: square).
    title
        A line of bold text above the sliders.
    """

    _esm = esm("live.js")
    _css = _CSS

    layers = t.List(t.Dict()).tag(sync=True)
    likelihood = t.Unicode("gaussian").tag(sync=True)
    image_shape = t.List(t.Int()).tag(sync=True)
    points = t.List(t.List(t.Float())).tag(sync=True)
    view = t.List(t.Float(), default_value=[-4.0, 4.0, -4.0, 4.0]).tag(sync=True)
    z_max = t.Float(3.0).tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    z = t.List(t.Float()).tag(sync=True)
    x_hat = t.List(t.Float()).tag(sync=True)

    def __init__(self, params, config: VAEConfig, *, z=None, z_max: float = 3.0, points=None,
                 view=None, image_shape=None, title: str = ""):
        if not isinstance(config, VAEConfig):
            raise ValueError(f"config must be a vaebook.VAEConfig, got {type(config).__name__}")
        shapes = config.param_shapes()
        dec_names = config.dec_layers
        _checks.params_match(params, shapes, required=decoder_keys(config))
        weights = {key: np.array(params[key], dtype=np.float64) for key in decoder_keys(config)}
        z_max = _checks.positive_float(z_max, "z_max")
        D, J = config.data_dim, config.latent_dim

        if image_shape is None and D != 2:
            try:
                image_shape = square_image_shape(D)
            except ValueError:
                raise ValueError(
                    f"LiveDecoder draws a 2-D point (data_dim 2) or an image; data_dim {D} is not "
                    "a square number, so pass image_shape=(rows, cols)") from None
        if image_shape is not None:
            image_shape = tuple(int(s) for s in image_shape)
            if len(image_shape) != 2 or min(image_shape) < 1 or image_shape[0] * image_shape[1] != D:
                raise ValueError(f"image_shape must be (rows, cols) with rows * cols = data_dim = {D}, "
                                 f"got {image_shape}")
            if points is not None:
                raise ValueError("points can only be drawn for a 2-D output (data_dim 2), not an image")
        pts = np.zeros((0, 2))
        if points is not None:
            pts = _checks.finite_matrix(points, "points", 2)
        if view is None:
            if len(pts):
                lo, hi = pts.min(axis=0), pts.max(axis=0)
                pad = 0.1 * (hi - lo).max() + 1e-9
                view = (lo[0] - pad, hi[0] + pad, lo[1] - pad, hi[1] + pad)
            else:
                view = (-4.0, 4.0, -4.0, 4.0)
        view = tuple(float(v) for v in view)
        if len(view) != 4 or not all(map(math.isfinite, view)) or view[0] >= view[1] or view[2] >= view[3]:
            raise ValueError(f"view must be (xmin, xmax, ymin, ymax) with xmin < xmax and ymin < ymax, got {view}")

        self._config = config
        self._weights = weights
        # a copy of the parameters for decode() (which checks them against the configuration):
        # training on afterwards does not change what the widget shows
        self._params = {k: np.array(params[k], dtype=np.float64) for k in shapes if k in params}
        layers = [{"W": encode_array(weights[n + "_W"]), "b": encode_array(weights[n + "_b"]),
                   "n_in": int(weights[n + "_W"].shape[0]), "n_out": int(weights[n + "_W"].shape[1])}
                  for n in dec_names]
        z0 = self._check_z(np.zeros(J) if z is None else z, z_max, J)
        super().__init__(layers=layers, likelihood=config.likelihood,
                         image_shape=list(image_shape) if image_shape else [],
                         points=pts.tolist(), view=list(view), z_max=z_max, title=str(title),
                         z=z0, x_hat=self._decode(z0))
        self.observe(self._on_z, names="z")

    # -- Python side --------------------------------------------------------------------------
    @staticmethod
    def _check_z(z, z_max, J) -> list[float]:
        arr = _checks.finite_matrix(np.reshape(np.asarray(z, dtype=float), (1, -1)), "z", J)[0]
        if np.abs(arr).max() > z_max:
            raise ValueError(f"z = {arr.tolist()} is outside the sliders' range [-{z_max}, {z_max}]")
        return arr.tolist()

    def _decode(self, z) -> list[float]:
        return decode(self._params, self._config, np.asarray(z, dtype=float)[None, :])[0].tolist()

    def _on_z(self, change) -> None:
        self.x_hat = self._decode(change["new"])

    def set_z(self, *values) -> "LiveDecoder":
        """Move the sliders to ``z = values`` (as a reader does in the browser) and decode."""
        z = values[0] if len(values) == 1 and np.ndim(values[0]) == 1 else values
        self.z = self._check_z(z, self.z_max, self._config.latent_dim)
        return self

    @property
    def shown(self) -> dict:
        """The numbers the widget shows: z1.., and the decoded output x1.. (for tests)."""
        out = {f"z{j + 1}": v for j, v in enumerate(self.z)}
        out.update({f"x{d + 1}": v for d, v in enumerate(self.x_hat)})
        return out

    @property
    def readout_text(self) -> str:
        """The readout line as the page shows it (live.js's ``readoutText`` writes the same)."""
        fmt = lambda v: format_number(v, 3)  # noqa: E731
        x = self.x_hat
        total = 0.0
        for v in x:  # summed left to right, as live.js does
            total += v
        shown_x = f"({', '.join(map(fmt, x))})" if len(x) <= 4 else f"mean pixel {fmt(total / len(x))}"
        return f"z = ({', '.join(map(fmt, self.z))})  \u2192  x\u0302 = {shown_x}"

    def __repr__(self) -> str:
        c = self._config
        zs = ", ".join(f"{v:.2f}" for v in self.z)
        kind = (f"{self.image_shape[0]}x{self.image_shape[1]} image" if self.image_shape
                else f"{c.data_dim}-D point")
        return f"LiveDecoder({c.likelihood} decoder, {c.latent_dim}-D latent -> {kind}: z=({zs}))"
