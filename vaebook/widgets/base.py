"""The one mechanism behind every widget of the book: a figure whose controls work without a kernel.

An :class:`InteractiveFigure` is an `anywidget <https://anywidget.dev>`_ made of

* **controls** (:class:`Slider`, :class:`Choice`), each on a fixed grid of values;
* a **static background**: the widget's matplotlib figure (book style, axes, labels, legends,
  everything that does not move), rendered once to PNG;
* **moving parts** (:class:`Line`, :class:`Curve`, :class:`Bars`, :class:`Scatter`,
  :class:`Image`, :class:`ErrorBar`), drawn by ``figure.js`` on a canvas over the background, in
  the same axes coordinates (the axes' pixel boxes and data limits are exported from matplotlib);
* a **readout**: the numbers shown, as text.

The mathematics runs once, in Python. A widget is defined by :class:`Part` functions, each
depending on a subset of the controls and returning the frame's numbers and arrays for one
setting of them. When the widget is made, every part is evaluated on every point of its controls'
grid and the results are stored in the widget state (``tables``, base64 float64 or uint8), so the
static site looks frames up with no kernel. The only formulas evaluated in JavaScript are the
Gaussian density of a :class:`Curve` (a mixture of scaled normal densities), held equal to
:func:`vaebook.gaussian.log_normal_diag` by ``tests/test_widgets.py``, and the one multiply-add
``mu + sigma * eps`` of a :class:`Pushforward` (the same two float64 operations as NumPy's).

In Python, :meth:`InteractiveFigure.set` moves controls to any value in their range (also off the
grid) and recomputes the frame; ``shown`` holds the numbers of the readout and ``fig`` the
matplotlib figure with the moving parts in place (both are what the chapters' tests check). In
JupyterLab a slider move updates ``value``, and the kernel recomputes ``shown``.
"""
from __future__ import annotations

import base64
import io
import itertools
import math
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import anywidget
import matplotlib as mpl
import numpy as np
import traitlets as t
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from .. import gaussian, style

_CSS = """
.vaebook-figure { font-family: var(--pst-font-family-base, sans-serif); font-size: 0.9rem; max-width: 100%; }
.vaebook-figure .vf-title { font-weight: bold; margin-bottom: 0.3rem; }
.vaebook-figure .vf-controls { display: flex; flex-wrap: wrap; gap: 0.2rem 1.2rem; }
.vaebook-figure .vf-row { display: flex; align-items: center; gap: 0.4rem; margin: 0; }
.vaebook-figure .vf-row input[type=range] { width: 170px; }
.vaebook-figure .vf-value { font-family: monospace; min-width: 3.5em; }
.vaebook-figure .vf-plot { position: relative; margin: 0.3rem 0; }
.vaebook-figure .vf-plot img { display: block; width: 100%; height: auto; }
.vaebook-figure .vf-plot canvas { position: absolute; left: 0; top: 0; width: 100%; height: 100%; }
.vaebook-figure .vf-readout { font-family: monospace; font-size: 0.85rem; white-space: pre-wrap; }
"""


# ----------------------------------------------------------------------------------------------
# Number formatting shared with figure.js
# ----------------------------------------------------------------------------------------------
MINUS = "\u2212"


def format_number(value, decimals: int | None) -> str:
    """A readout number as figure.js writes it: ``decimals`` fixed decimals (rounded half away
    from zero on the exact binary value, as JavaScript's ``toFixed``), a real minus sign, and
    integers as integers (``decimals=None``)."""
    if decimals is None:
        return (MINUS if value < 0 else "") + str(abs(int(value)))
    d = Decimal(float(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(d):.{decimals}f}"
    return (MINUS if d < 0 else "") + text


# ----------------------------------------------------------------------------------------------
# Controls
# ----------------------------------------------------------------------------------------------
class Slider:
    """A slider over ``lo, lo + step, ..., hi`` (the grid the static page knows)."""

    kind = "slider"

    def __init__(self, label: str, lo: float, hi: float, step: float, value: float,
                 decimals: int | None = 2):
        n = int(round((hi - lo) / step)) + 1
        if n < 2 or abs(lo + (n - 1) * step - hi) > 1e-9 * max(1.0, abs(hi)):
            raise ValueError(f"{label}: the range [{lo}, {hi}] is not a whole number of steps {step}")
        self.label, self.decimals = label, decimals  # decimals=None: an integer slider
        self.grid = [round(lo + k * step, 10) for k in range(n)]
        if decimals is None:
            self.grid = [int(round(v)) for v in self.grid]
        self.lo, self.hi = self.grid[0], self.grid[-1]
        self.value = self.check(value)

    def check(self, value) -> float:
        v = float(value)
        if not (math.isfinite(v) and self.lo - 1e-12 <= v <= self.hi + 1e-12):
            raise ValueError(f"{self.label}: value {value} is outside [{self.lo}, {self.hi}]")
        if self.decimals is None:
            if v != int(v):
                raise ValueError(f"{self.label}: value {value} is not an integer")
            return int(v)
        return v

    def spec(self, name) -> dict:
        return {"name": name, "kind": self.kind, "label": self.label, "grid": self.grid,
                "texts": [format_number(v, self.decimals) for v in self.grid]}


class Choice:
    """A drop-down list of ``(text, value)`` options."""

    kind = "choice"

    def __init__(self, label: str, options, value):
        self.label = label
        self.options = [(str(text), v) for text, v in options]
        if not self.options:
            raise ValueError(f"{label}: no options")
        self.grid = [v for _, v in self.options]
        self.value = self.check(value)

    def check(self, value):
        if value not in self.grid:
            raise ValueError(f"{self.label}: {value!r} is not one of {self.grid}")
        return self.grid[self.grid.index(value)]

    def spec(self, name) -> dict:
        return {"name": name, "kind": self.kind, "label": self.label, "grid": self.grid,
                "texts": [text for text, _ in self.options]}


@dataclass
class Part:
    """``fn(**values of controls) -> {key: number or array}``, tabulated over those controls' grid.

    ``dtypes`` may store a key as ``"u1"`` (grey levels) instead of float64. ``extra`` (same
    arguments) returns keys for Python's figure only, starting with ``_`` (e.g. the curve a
    :class:`Curve` draws, computed with the library): they are not tabulated.
    """

    controls: tuple
    fn: Callable
    dtypes: dict = field(default_factory=dict)
    extra: Callable | None = None


# ----------------------------------------------------------------------------------------------
# Moving parts: what figure.js draws, and how the Python figure shows the same frame
# ----------------------------------------------------------------------------------------------
def _value(ref, frame, values):
    """A number/array given literally, or by the name of a frame key or a control (or a list
    of such names and numbers)."""
    if isinstance(ref, list) and any(isinstance(r, str) for r in ref):
        return [float(_value(r, frame, values)) for r in ref]
    if isinstance(ref, str):
        return frame[ref] if ref in frame else values[ref]
    return ref


def _plain(ref):
    """A reference as JSON: a name, a number, or a list of names and numbers."""
    if isinstance(ref, (np.ndarray, tuple, list)):
        return [_plain(r) for r in ref]
    if isinstance(ref, (np.floating, np.integer)):
        return ref.item()
    return ref


def _line_style(color, lw=2.0, ls="-", marker=None, ms=6.0, mfc=None, mec=None, mew=1.0,
                alpha=1.0) -> dict:
    has_line = ls not in (None, "None", "none", "")
    dashes = []
    if has_line and ls not in ("-", "solid"):
        offset, pattern = mpl.lines._get_dash_pattern(ls)
        dashes = [float(v) * lw for v in pattern]  # matplotlib scales dashes by the line width
    return {"color": to_hex(color), "lw": float(lw), "dashes": dashes,
            "marker": marker or "", "ms": float(ms),
            "mfc": "none" if mfc == "none" else to_hex(mfc if mfc is not None else color),
            "mec": to_hex(mec if mec is not None else color), "mew": float(mew),
            "alpha": float(alpha), "line": has_line}


class _Moving:
    axis: int = 0
    label: str | None = None
    name: str | None = None

    def named(self, name: str) -> "_Moving":
        """Give the part a name (``InteractiveFigure.artist(name)`` finds its matplotlib artist)."""
        self.name = name
        return self

    def mpl_artists(self) -> list:
        """The matplotlib artists that show this part in Python's figure."""
        return [a for a in (getattr(self, "bar", None), self.artist) if a is not None]

    def keys(self) -> list:
        return [r for k, v in vars(self).items() if k in self.refs for r in _refs(v)]


def _refs(v) -> list:
    """The key/control names in a reference (a name, a number, an array or a list of them)."""
    if isinstance(v, str):
        return [v]
    if isinstance(v, list):
        return [r for r in v if isinstance(r, str)]
    return []


class Line(_Moving):
    """A polyline and/or markers through ``(x, y)``; or through the rows of an (n, 2) key ``xy``."""

    refs = ("x", "y", "xy")

    def __init__(self, axis, x=None, y=None, *, xy=None, label=None, **style_kw):
        self.axis, self.x, self.y, self.xy, self.label = axis, x, y, xy, label
        self.style_kw = style_kw

    def data(self, frame, values):
        if self.xy is not None:
            xy = np.asarray(_value(self.xy, frame, values), float).reshape(-1, 2)
            return xy[:, 0], xy[:, 1]
        return (np.atleast_1d(np.asarray(_value(self.x, frame, values), float)),
                np.atleast_1d(np.asarray(_value(self.y, frame, values), float)))

    def create(self, ax, frame, values):
        x, y = self.data(frame, values)
        kw = dict(self.style_kw)
        if kw.get("ls", "-") in (None, "None", "none", "") and "marker" not in kw:
            raise ValueError("a Line needs a line style or a marker")
        (self.artist,) = ax.plot(x, y, label=self.label, **kw)

    def apply(self, frame, values):
        self.artist.set_data(*self.data(frame, values))

    def spec(self):
        kw = dict(self.style_kw)
        return {"kind": "line", "axis": self.axis, "x": _plain(self.x), "y": _plain(self.y), "xy": self.xy,
                "style": _line_style(kw.pop("color"), **kw)}


class Curve(_Moving):
    r"""``y(x) = scale * sum_k weight_k * N(a x + c; mean_k, var_k)`` on the fixed grid ``x``.

    ``weights``, ``means``, ``vars`` are lists (one entry per component) of numbers or key/control
    names; ``a``, ``c`` and ``scale`` likewise. figure.js evaluates this mixture (its only
    formula); Python draws the key ``y`` that the widget computed with the library, and
    ``tests/test_widgets.py`` holds the two equal. ``fill=True`` fills down to zero.
    """

    refs = ("y",)

    def __init__(self, axis, x, y, *, means, vars, weights=None, a=1.0, c=0.0, scale=1.0,
                 fill=False, label=None, **style_kw):
        self.axis, self.x, self.y, self.label, self.fill = axis, np.asarray(x, float), y, label, fill
        self.means, self.vars = list(means), list(vars)
        self.weights = list(weights) if weights is not None else [1.0] * len(self.means)
        self.a, self.c, self.scale = a, c, scale
        self.style_kw = style_kw

    def keys(self):
        return [v for v in [self.y, self.a, self.c, self.scale, *self.means, *self.vars,
                            *self.weights] if isinstance(v, str)]

    def params(self, frame, values) -> dict:
        """The mixture's numbers for this frame (what figure.js receives)."""
        g = lambda r: float(_value(r, frame, values))  # noqa: E731
        return {"a": g(self.a), "c": g(self.c), "scale": g(self.scale),
                "weights": [g(w) for w in self.weights], "means": [g(m) for m in self.means],
                "vars": [g(v) for v in self.vars]}

    def create(self, ax, frame, values):
        y = np.asarray(frame[self.y], float)
        kw = dict(self.style_kw)
        if self.fill:
            from matplotlib.patches import Polygon
            self.artist = Polygon(self._polygon(y), closed=True, label=self.label, lw=0,
                                  facecolor=kw.get("color"), alpha=kw.get("alpha", 1.0))
            ax.add_patch(self.artist)
        else:
            (self.artist,) = ax.plot(self.x, y, label=self.label, **kw)

    def _polygon(self, y):
        return np.column_stack([np.r_[self.x, self.x[::-1]], np.r_[y, np.zeros_like(y)]])

    def apply(self, frame, values):
        y = np.asarray(frame[self.y], float)
        if self.fill:
            self.artist.set_xy(self._polygon(y))
        else:
            self.artist.set_data(self.x, y)

    def spec(self):
        kw = dict(self.style_kw)
        return {"kind": "curve", "axis": self.axis, "x": self.x.tolist(), "fill": self.fill,
                "a": _plain(self.a), "c": _plain(self.c), "scale": _plain(self.scale),
                "weights": _plain(self.weights), "means": _plain(self.means), "vars": _plain(self.vars),
                "style": _line_style(kw.pop("color"), **kw)}


def curve_values(x, params) -> np.ndarray:
    """The Python twin of figure.js's curve: the mixture of :class:`Curve`, through the library's
    :func:`vaebook.gaussian.log_normal_diag` (tests compare figure.js with this)."""
    u = params["a"] * np.asarray(x, float) + params["c"]
    y = np.zeros_like(u)
    for w, m, v in zip(params["weights"], params["means"], params["vars"]):
        y = y + w * np.exp(gaussian.log_normal_diag(u[:, None], m, v))
    return params["scale"] * y


class Bars(_Moving):
    """Bars of fixed ``left`` edges and ``width`` whose heights are the key ``heights``."""

    refs = ("heights",)

    def __init__(self, axis, left, width, heights, *, label=None, color, alpha=1.0):
        self.axis, self.left, self.width, self.heights = axis, np.asarray(left, float), float(width), heights
        self.label, self.color, self.alpha = label, color, alpha

    def create(self, ax, frame, values):
        self.artist = ax.bar(self.left, frame[self.heights], width=self.width, align="edge",
                             color=self.color, alpha=self.alpha, label=self.label)

    def mpl_artists(self):
        return list(self.artist.patches)

    def apply(self, frame, values):
        for rect, h in zip(self.artist.patches, frame[self.heights]):
            rect.set_height(h)

    def spec(self):
        return {"kind": "bars", "axis": self.axis, "left": self.left.tolist(), "width": self.width,
                "heights": self.heights, "color": to_hex(self.color), "alpha": float(self.alpha)}


class Scatter(_Moving):
    """Dots at the rows of the (n, 2) key ``xy``, with fixed colours (one per dot)."""

    refs = ("xy",)

    def __init__(self, axis, xy, colors, *, size: float = 10.0, label=None):
        self.axis, self.xy, self.label = axis, xy, label
        self.colors = [to_hex(c) for c in colors]
        self.size = float(size)

    def create(self, ax, frame, values):
        self.artist = ax.scatter(*np.asarray(frame[self.xy]).T, s=self.size, c=self.colors,
                                 label=self.label)

    def apply(self, frame, values):
        self.artist.set_offsets(np.asarray(frame[self.xy], float))

    def spec(self):
        return {"kind": "scatter", "axis": self.axis, "xy": self.xy, "colors": self.colors,
                "size": self.size}


class Pushforward(_Moving):
    """Fixed points ``base`` at height ``y0`` joined by segments to ``shift + scale * base`` at
    height ``y1`` (the key ``z`` in Python's frame), drawn as dots there."""

    refs = ("z",)

    def __init__(self, axis, base, z, *, shift, scale, y0=0.0, y1=1.0, color, size=14.0,
                 line_color, label=None):
        self.axis, self.base, self.z, self.shift, self.scale = axis, np.asarray(base, float), z, shift, scale
        self.y0, self.y1, self.color, self.size, self.line_color = y0, y1, color, float(size), line_color
        self.label = label

    def keys(self):
        return [self.z] + _refs(self.shift) + _refs(self.scale)

    def create(self, ax, frame, values):
        from matplotlib.collections import LineCollection
        z = np.asarray(frame[self.z], float)
        self.bar = LineCollection(self._segments(z), colors=self.line_color, lw=0.6, alpha=0.7)
        ax.add_collection(self.bar)
        self.artist = ax.scatter(z, np.full_like(z, self.y1), s=self.size, color=self.color,
                                 label=self.label, zorder=3)

    def _segments(self, z):
        return [[(e, self.y0), (v, self.y1)] for e, v in zip(self.base, z)]

    def apply(self, frame, values):
        z = np.asarray(frame[self.z], float)
        self.bar.set_segments(self._segments(z))
        self.artist.set_offsets(np.column_stack([z, np.full_like(z, self.y1)]))

    def spec(self):
        return {"kind": "pushforward", "axis": self.axis, "base": self.base.tolist(),
                "shift": self.shift, "scale": self.scale, "y0": self.y0, "y1": self.y1,
                "color": to_hex(self.color), "size": self.size, "line_color": to_hex(self.line_color)}


class Image(_Moving):
    """A grey-level image: figure.js paints the uint8 key ``grey`` (what matplotlib's ``gray_r``
    shows for the float key ``values``), Python's figure shows ``values`` with that colour map."""

    refs = ("grey",)

    def __init__(self, axis, values, grey):
        self.axis, self.values, self.grey = axis, values, grey

    def create(self, ax, frame, values):
        self.artist = ax.imshow(frame[self.values], cmap="gray_r", vmin=0.0, vmax=1.0,
                                interpolation="nearest")

    def apply(self, frame, values):
        self.artist.set_data(frame[self.values])

    def spec(self):
        return {"kind": "image", "axis": self.axis, "grey": self.grey}


def grey_levels(img) -> np.ndarray:
    """The grey level (0-255) matplotlib's ``gray_r`` colour map shows for values in [0, 1]."""
    rgba = mpl.colormaps["gray_r"](np.clip(np.asarray(img, float), 0.0, 1.0), bytes=True)
    return rgba[..., 0]


class ErrorBar(_Moving):
    """A marker at ``(x, y)`` with a vertical bar from ``y - err`` to ``y + err``."""

    refs = ("y", "err")

    def __init__(self, axis, x, y, err, *, times: float = 1.0, label=None, color, marker="o",
                 ms=6.0):
        self.axis, self.x, self.y, self.err, self.label = axis, float(x), y, err, label
        self.times = float(times)  # the bar is y +- times * err (e.g. 2 standard errors)
        self.color, self.marker, self.ms = color, marker, float(ms)

    def _ye(self, frame, values):
        return float(_value(self.y, frame, values)), self.times * float(_value(self.err, frame, values))

    def create(self, ax, frame, values):
        y, e = self._ye(frame, values)
        (self.bar,) = ax.plot([self.x, self.x], [y - e, y + e], color=self.color, lw=1.5)
        (self.artist,) = ax.plot([self.x], [y], self.marker, ms=self.ms, color=self.color,
                                 label=self.label)

    def apply(self, frame, values):
        y, e = self._ye(frame, values)
        self.bar.set_data([self.x, self.x], [y - e, y + e])
        self.artist.set_data([self.x], [y])

    def spec(self):
        return {"kind": "errorbar", "axis": self.axis, "x": self.x, "y": self.y, "err": self.err,
                "times": self.times,
                "style": _line_style(self.color, lw=1.5, marker=self.marker, ms=self.ms)}


# ----------------------------------------------------------------------------------------------
# The widget
# ----------------------------------------------------------------------------------------------
def _encode(arr: np.ndarray, dtype: str) -> dict:
    arr = np.ascontiguousarray(arr, dtype="<f8" if dtype == "f8" else "u1")
    return {"dtype": dtype, "shape": list(arr.shape[1:]),
            "data": base64.b64encode(arr.tobytes()).decode("ascii")}


def _jsonable(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return v


def frame_from_state(state: dict, values: dict) -> dict | None:
    """The frame a saved widget state holds for ``values`` ({control: grid value}), read the way
    figure.js reads it (``None`` if a value is off its grid). For tests and benchmarks that
    start from a built page."""
    grids = {c["name"]: c["grid"] for c in state["control_specs"]}
    frame = {}
    for tab in state["tables"]:
        flat = 0
        for name, size in zip(tab["controls"], tab["sizes"]):
            if values[name] not in grids[name]:
                return None
            flat = flat * size + grids[name].index(values[name])
        for key, enc in tab["keys"].items():
            arr = np.frombuffer(base64.b64decode(enc["data"]), "<f8" if enc["dtype"] == "f8" else "u1")
            arr = arr.reshape(-1, *enc["shape"])[flat]
            frame[key] = arr.item() if arr.ndim == 0 else arr
    frame.update(values)
    return frame


def readout_from_state(state: dict, frame: dict) -> str:
    """The readout text figure.js writes for ``frame`` (see :func:`format_number`)."""
    return "   ".join(f"{name} = {format_number(frame[key], d)}" for name, key, d in state["readout_spec"])


class InteractiveFigure(anywidget.AnyWidget):
    """Controls, a figure and a readout that work on the static page (see the module docstring).

    Parameters
    ----------
    controls
        ``{name: Slider | Choice}``, in display order.
    parts
        :class:`Part` functions; together they return every key the moving parts and the
        readout use.
    build
        ``build(fig) -> list of axes``: draws everything static (axes, limits, labels, data).
    moving
        The moving parts, drawn in this order over the background.
    readout
        ``[(name, key, decimals)]``: ``shown[name] = frame[key]``, written with ``decimals``
        fixed decimals (``None`` for an integer).
    legends
        ``{axis index: legend location}``, drawn after the moving parts exist (so they appear).
    alt
        Alt text of the figure (what it shows, for readers who cannot see it).
    """

    _esm = Path(__file__).with_name("figure.js")
    _css = _CSS

    title = t.Unicode("").tag(sync=True)
    alt = t.Unicode("").tag(sync=True)
    control_specs = t.List(t.Dict()).tag(sync=True)
    background = t.Unicode("").tag(sync=True)
    size = t.List(t.Int()).tag(sync=True)
    axes_boxes = t.List(t.Dict()).tag(sync=True)
    artists = t.List(t.Dict()).tag(sync=True)
    readout_spec = t.List(t.List()).tag(sync=True)
    tables = t.List(t.Dict()).tag(sync=True)
    value = t.Dict().tag(sync=True)
    current = t.Dict().tag(sync=True)

    def __init__(self, controls: dict, parts: list, build, moving: list, readout: list, *,
                 figsize=(6.4, 3.6), title: str = "", alt: str, legends: dict | None = None):
        style.use()
        if not controls:
            raise ValueError("an InteractiveFigure needs at least one control")
        if not alt:
            raise ValueError("an InteractiveFigure needs alt text")
        self.controls = dict(controls)
        self._parts = list(parts)
        for p in self._parts:
            unknown = set(p.controls) - set(self.controls)
            if unknown:
                raise ValueError(f"a part depends on unknown controls {sorted(unknown)}")
        self._moving = list(moving)
        self._readout = [(str(n), k, d) for n, k, d in readout]
        self.last_update_seconds = 0.0
        values = {n: c.value for n, c in self.controls.items()}
        frame = self._frame(values)

        # the figure: static parts, then the moving parts (first frame), then the legends
        with mpl.rc_context({"figure.constrained_layout.use": False, "savefig.bbox": "standard"}):
            self.fig = Figure(figsize=figsize, layout="constrained")
            axes = list(build(self.fig))
            if any(ax.get_subplotspec() is None for ax in axes):
                self.fig.set_layout_engine("none")  # axes placed by hand (fig.add_axes)
            for m in self._moving:
                m.create(axes[m.axis], frame, values)
            for i, loc in (legends or {}).items():
                axes[i].legend(loc=loc)
            canvas = self.fig.canvas
            if type(canvas).__name__ == "FigureCanvasBase":
                from matplotlib.backends.backend_agg import FigureCanvasAgg
                canvas = FigureCanvasAgg(self.fig)
            canvas.draw()  # the layout engine places the axes once; then they stay put
            self.fig.set_layout_engine("none")
            moving_artists = [a for m in self._moving for a in m.mpl_artists()]
            for a in moving_artists:
                a.set_visible(False)
            background = self._png(palette=True)
            for a in moving_artists:
                a.set_visible(True)
        width, height = (int(round(v)) for v in self.fig.get_size_inches() * self.fig.dpi)
        boxes = []
        for ax in axes:
            pos = ax.get_position()
            boxes.append({"x0": float(pos.x0 * width), "y0": float((1.0 - pos.y1) * height),
                          "w": float(pos.width * width), "h": float(pos.height * height),
                          "xlim": list(map(float, ax.get_xlim())), "ylim": list(map(float, ax.get_ylim())),
                          "xlog": ax.get_xscale() == "log", "ylog": ax.get_yscale() == "log"})
        t0 = time.perf_counter()
        tables = [self._tabulate(p) for p in self._parts]
        self.tabulate_seconds = time.perf_counter() - t0
        super().__init__(title=title, alt=alt,
                         control_specs=[c.spec(n) for n, c in self.controls.items()],
                         background="data:image/png;base64," + base64.b64encode(background).decode(),
                         size=[width, height, int(round(self.fig.dpi))], axes_boxes=boxes,
                         artists=[m.spec() for m in self._moving],
                         readout_spec=[list(r) for r in self._readout], tables=tables,
                         value=values, current=self._public(frame))
        self._frame_cache = frame
        self.shown = self._shown(frame)
        self.observe(self._on_value, names="value")

    # -- frames ----------------------------------------------------------------------------------
    def _frame(self, values) -> dict:
        frame = {}
        for p in self._parts:
            args = {c: values[c] for c in p.controls}
            out = dict(p.fn(**args))
            if p.extra is not None:
                extra = p.extra(**args)
                if not all(k.startswith("_") for k in extra):
                    raise ValueError("a part's extra keys must start with '_'")
                out.update(extra)
            frame.update({k: np.asarray(v) if isinstance(v, (list, tuple)) else v
                          for k, v in out.items()})
        for m in self._moving:  # the curves' mixture numbers, as figure.js receives them
            if isinstance(m, Curve):
                frame.setdefault("_curves", []).append(m.params(frame, values))
        return frame

    def _tabulate(self, part: Part) -> dict:
        grids = [self.controls[c].grid for c in part.controls]
        rows = [part.fn(**dict(zip(part.controls, combo))) for combo in itertools.product(*grids)]
        keys = [k for k in rows[0] if not k.startswith("_")]
        data = {k: _encode(np.array([np.asarray(r[k], float) for r in rows]),
                           part.dtypes.get(k, "f8")) for k in keys}
        return {"controls": list(part.controls), "sizes": [len(g) for g in grids], "keys": data}

    def _public(self, frame) -> dict:
        return {k: _jsonable(v) for k, v in frame.items() if not k.startswith("_")}

    def _shown(self, frame) -> dict:
        out = {}
        for name, key, decimals in self._readout:
            v = frame[key] if key in frame else self.value[key]
            out[name] = int(v) if decimals is None else float(v)
        return out

    @property
    def readout_text(self) -> str:
        """The readout line as the page shows it (figure.js writes the same text)."""
        return "   ".join(f"{name} = {format_number(self.shown[name], d)}"
                          for name, _, d in self._readout)

    def page_frame(self, **values) -> dict | None:
        """The frame the static page shows at these grid values (read from the stored tables)."""
        return frame_from_state({"control_specs": self.control_specs, "tables": self.tables},
                                {**self.value, **values})

    @property
    def values(self) -> dict:
        return dict(self.value)

    def frame_at(self, **values) -> dict:
        """The full frame (numbers and arrays, Python-only keys too) at these control values."""
        return self._frame(self._checked(values))

    def _checked(self, values) -> dict:
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown controls {sorted(unknown)}; known: {sorted(self.controls)}")
        full = dict(self.value) if self.value else {}
        full.update({n: self.controls[n].check(v) for n, v in values.items()})
        return full

    def set(self, **values) -> "InteractiveFigure":
        """Move several controls at once (to any value in their range) and recompute once."""
        self.value = self._checked(values)  # triggers _on_value
        return self

    def _on_value(self, change) -> None:
        t0 = time.perf_counter()
        values = self._checked(change["new"])
        frame = self._frame(values)
        self._frame_cache = frame
        for m in self._moving:
            m.apply(frame, values)
        self.shown = self._shown(frame)
        self.current = self._public(frame)
        self.last_update_seconds = time.perf_counter() - t0

    def artist(self, name: str):
        """The matplotlib artist of the moving part called ``name`` in Python's figure."""
        for m in self._moving:
            if m.name == name:
                return m.artist
        raise ValueError(f"no moving part named {name!r}; named: "
                         f"{[m.name for m in self._moving if m.name]}")

    # -- pictures --------------------------------------------------------------------------------
    def _png(self, palette: bool = False) -> bytes:
        """The figure as PNG; ``palette=True``: 256 colours (a third of the bytes, same look)."""
        buf = io.BytesIO()
        with mpl.rc_context({"savefig.bbox": "standard"}):
            self.fig.savefig(buf, format="png", dpi=self.fig.dpi)
        if not palette:
            return buf.getvalue()
        from PIL import Image as PILImage

        buf.seek(0)
        img = PILImage.open(buf).convert("RGB").quantize(256, method=PILImage.Quantize.MEDIANCUT)
        out = io.BytesIO()
        img.save(out, format="PNG", optimize=True)
        return out.getvalue()

    @property
    def image(self):
        """The current frame drawn by matplotlib, as PNG bytes in ``.value``."""
        return SimpleNamespace(value=self._png())

    def __repr__(self) -> str:
        vals = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in self.value.items())
        return f"{type(self).__name__}({self.title or 'widget'}: {vals})"

