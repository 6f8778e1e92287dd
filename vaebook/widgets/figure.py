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
:func:`vaebook.formulas.log_normal_diag` by ``tests/test_widgets.py``, and the one multiply-add
``mu + sigma * eps`` of a :class:`Pushforward` (the same two float64 operations as NumPy's).

The pieces live in their own modules: :mod:`~vaebook.widgets.controls` (controls and the number
format), :mod:`~vaebook.widgets.artists` (the moving parts), :mod:`~vaebook.widgets.state` (the
state codec and readback) and :mod:`~vaebook.widgets.frontend` (the ES module the browser runs).
Building a widget changes no global matplotlib state: its figure is drawn inside
``matplotlib.rc_context`` with the book style.

In Python, :meth:`InteractiveFigure.set` moves controls to any value in their range (also off the
grid) and recomputes the frame; ``shown`` holds the numbers of the readout and ``fig`` the
matplotlib figure with the moving parts in place (both are what the chapters' tests check). In
JupyterLab a slider move updates ``value``, and the kernel recomputes ``shown``.
"""
from __future__ import annotations

import base64
import io
import itertools
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable

import anywidget
import matplotlib as mpl
import numpy as np
import traitlets as t
from matplotlib.figure import Figure

from .. import style
from .artists import Curve
from .frontend import esm
from .state import encode_table_key, frame_from_state, readout_line

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


def _rc(**extra) -> dict:
    """The book style's rcParams (what :func:`vaebook.style.use` sets), for ``rc_context``."""
    return {**style.RC, **extra}


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


def _jsonable(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return v


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

    _esm = esm("figure.js")
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
        frame = self._frame(values, check=True)

        # the figure: static parts, then the moving parts (first frame), then the legends
        with mpl.rc_context(_rc(**{"figure.constrained_layout.use": False, "savefig.bbox": "standard"})):
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

    def _check_references(self, frame) -> None:
        """Every key a moving part or the readout names is one the parts return or a control."""
        known = set(frame) | set(self.controls)
        uses = [(m.describe(), m.keys()) for m in self._moving]
        uses.append(("the readout", [key for _, key, _ in self._readout]))
        for who, keys in uses:
            unknown = sorted(set(keys) - known)
            if unknown:
                raise ValueError(f"{who} refers to unknown key(s) {unknown}: no part returns them "
                                 f"and no control has that name (parts return {sorted(frame)}, "
                                 f"controls are {sorted(self.controls)})")

    # -- frames ----------------------------------------------------------------------------------
    def _frame(self, values, check: bool = False) -> dict:
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
        if check:
            self._check_references(frame)
        for m in self._moving:  # the curves' mixture numbers, as figure.js receives them
            if isinstance(m, Curve):
                frame.setdefault("_curves", []).append(m.params(frame, values))
        return frame

    def _tabulate(self, part: Part) -> dict:
        grids = [self.controls[c].grid for c in part.controls]
        rows = [part.fn(**dict(zip(part.controls, combo))) for combo in itertools.product(*grids)]
        keys = [k for k in rows[0] if not k.startswith("_")]
        data = {k: encode_table_key(np.array([np.asarray(r[k], float) for r in rows]),
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
        return readout_line([(name, name, d) for name, _, d in self._readout], self.shown)

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
        with mpl.rc_context(_rc(**{"savefig.bbox": "standard"})):
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

