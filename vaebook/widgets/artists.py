"""The moving parts of an :class:`~vaebook.widgets.figure.InteractiveFigure`.

Each part is drawn twice from the same frame: by figure.js on the page's canvas (``spec()`` is
what figure.js receives; its ``DRAW`` table has one function per ``kind``), and as a matplotlib
artist in Python's figure (``create`` / ``apply``), which ``w.fig`` and ``w.image`` show and the
tests compare with what the browser drew. A part refers to the frame's numbers by name: a
reference is a key of a :class:`~vaebook.widgets.figure.Part`'s output, a control's name, a
number, or a list of them; :meth:`_Moving.keys` lists the names, and the widget rejects a name
that neither its parts nor its controls provide.

=================  ==============================================================
:class:`Line`      a polyline and/or markers
:class:`Curve`     a Gaussian mixture on a fixed grid, evaluated in the browser
:class:`Bars`      bars of fixed edges with moving heights
:class:`Scatter`   dots with fixed colours
:class:`Pushforward`  points ``base`` mapped to ``shift + scale * base``
:class:`Image`     a grey-level image
:class:`ErrorBar`  a marker with a vertical error bar
=================  ==============================================================
"""
from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
from matplotlib.colors import to_hex

from .. import formulas

#: matplotlib's dash styles and the rcParams holding their on-off patterns (in units of the
#: line width, which matplotlib scales them by).
DASH_PATTERNS = {"--": "lines.dashed_pattern", "dashed": "lines.dashed_pattern",
                 ":": "lines.dotted_pattern", "dotted": "lines.dotted_pattern",
                 "-.": "lines.dashdot_pattern", "dashdot": "lines.dashdot_pattern"}
SOLID = ("-", "solid")
NO_LINE = (None, "None", "none", "")


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
    has_line = ls not in NO_LINE
    dashes = []
    if has_line and ls not in SOLID:
        if ls not in DASH_PATTERNS:
            raise ValueError(f"line style {ls!r} is not one of {[*SOLID, *DASH_PATTERNS]} or 'none'")
        pattern = mpl.rcParams[DASH_PATTERNS[ls]]
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

    #: The attributes that hold references (names of frame keys or controls).
    refs: tuple = ()

    def keys(self) -> list[str]:
        """Every frame key or control name this part reads."""
        return [r for attr in self.refs for r in _refs(getattr(self, attr))]

    def describe(self) -> str:
        return f"{type(self).__name__} on axis {self.axis}" + (f" ({self.name!r})" if self.name else "")


def _refs(v) -> list[str]:
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

    refs = ("y", "a", "c", "scale", "means", "vars", "weights")

    def __init__(self, axis, x, y, *, means, vars, weights=None, a=1.0, c=0.0, scale=1.0,
                 fill=False, label=None, **style_kw):
        self.axis, self.x, self.y, self.label, self.fill = axis, np.asarray(x, float), y, label, fill
        self.means, self.vars = list(means), list(vars)
        self.weights = list(weights) if weights is not None else [1.0] * len(self.means)
        self.a, self.c, self.scale = a, c, scale
        self.style_kw = style_kw

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
    :func:`vaebook.formulas.log_normal_diag` (tests compare figure.js with this)."""
    u = params["a"] * np.asarray(x, float) + params["c"]
    y = np.zeros_like(u)
    for w, m, v in zip(params["weights"], params["means"], params["vars"]):
        y = y + w * np.exp(formulas.log_normal_diag(u[:, None], m, v))
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

    refs = ("z", "shift", "scale")

    def __init__(self, axis, base, z, *, shift, scale, y0=0.0, y1=1.0, color, size=14.0,
                 line_color, label=None):
        self.axis, self.base, self.z, self.shift, self.scale = axis, np.asarray(base, float), z, shift, scale
        self.y0, self.y1, self.color, self.size, self.line_color = y0, y1, color, float(size), line_color
        self.label = label

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

    refs = ("values", "grey")

    def __init__(self, axis, values, grey):
        self.axis, self.values, self.grey = axis, values, grey

    def create(self, ax, frame, values):
        self.artist = ax.imshow(frame[self.values], cmap="gray_r", vmin=0.0, vmax=1.0,
                                interpolation="nearest")

    def apply(self, frame, values):
        self.artist.set_data(frame[self.values])

    def spec(self):
        return {"kind": "image", "axis": self.axis, "grey": self.grey}


def square_image_shape(data_dim: int) -> tuple[int, int]:
    """``(side, side)`` for an image of ``data_dim`` pixels, or a ValueError if it is not square."""
    side = math.isqrt(int(data_dim))
    if side * side != data_dim:
        raise ValueError(f"data_dim must be a square number of pixels, got {data_dim}")
    return side, side


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
