"""The one mechanism behind every widget in the book.

An :class:`InteractiveFigure` is a row of controls, a matplotlib figure rendered to PNG, and a
text readout. Moving a control calls the chapter's ``draw(fig, **values)`` function, which
redraws the figure and returns the numbers it shows; those numbers are kept in ``.shown`` (so
tests can drive the widget and check them) and printed in the readout.

Design choices, each for one of the book's three kinds of reader:

* the figure is an ``ipywidgets.Image`` holding PNG bytes, and the first frame is drawn when
  the widget is made, so the saved widget state shows a meaningful picture on the static site;
* the figure is a ``matplotlib.figure.Figure`` (not pyplot), so nothing is displayed twice;
* ``last_update_seconds`` records how long the last redraw took (benchmarks read it);
* ``repr`` is a short description of the current values, with no memory address, so strict
  nbval can compare it.
"""
from __future__ import annotations

import io
import time

import ipywidgets as W
from matplotlib.figure import Figure

from .. import style


def slider(description: str, value: float, lo: float, hi: float, step: float = 0.01,
           readout_format: str = ".2f") -> W.FloatSlider:
    """A float slider in the book's layout (updates when released, not on every pixel)."""
    if not lo <= value <= hi:
        raise ValueError(f"{description}: initial value {value} is outside [{lo}, {hi}]")
    return W.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         readout_format=readout_format, continuous_update=False,
                         style={"description_width": "initial"},
                         layout=W.Layout(width="320px"))


class InteractiveFigure(W.VBox):
    """Controls + figure + readout; ``draw(fig, **values) -> dict`` does the chapter's work."""

    def __init__(self, controls: dict, draw, *, figsize=(6.4, 3.6), title: str = "",
                 readout_format: str = "{:.4g}", clear: bool = True, layout: str = "constrained"):
        style.use()
        if not controls:
            raise ValueError("an InteractiveFigure needs at least one control")
        self.controls = dict(controls)
        self._draw = draw
        self._format = readout_format
        self.title = title
        # Constrained layout by default (tidy, but ~30 ms a redraw). Heavy widgets pass
        # layout="none" with their own margins and clear=False: the figure is then kept between
        # updates, so draw() builds its artists once (when ``not fig.axes``) and afterwards only
        # moves them (see vaebook/widgets/generator.py).
        self.fig = Figure(figsize=figsize, layout=layout)
        self._clear = clear
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%"))
        self.readout = W.HTML()
        self.shown: dict = {}
        self.last_update_seconds = 0.0
        ctrl_box = W.HBox(list(self.controls.values()), layout=W.Layout(flex_flow="row wrap"))
        children = ([W.HTML(f"<b>{title}</b>")] if title else []) + [ctrl_box, self.image, self.readout]
        super().__init__(children=children)
        for c in self.controls.values():
            c.observe(self._on_change, names="value")
        self.update()

    @property
    def values(self) -> dict:
        return {name: c.value for name, c in self.controls.items()}

    def set(self, **values) -> "InteractiveFigure":
        """Set several controls at once and redraw once (what a test or a reader's code does)."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown controls {sorted(unknown)}; known: {sorted(self.controls)}")
        self._hold = True
        try:
            for name, v in values.items():
                self.controls[name].value = v
        finally:
            self._hold = False
        self.update()
        return self

    def _on_change(self, change) -> None:
        if not getattr(self, "_hold", False):
            self.update()

    def update(self) -> None:
        """Recompute and redraw from the current control values."""
        t0 = time.perf_counter()
        if self._clear:
            self.fig.clear()
        shown = self._draw(self.fig, **self.values) or {}
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png")
        self.image.value = buf.getvalue()
        self.shown = dict(shown)
        self.readout.value = " &nbsp; ".join(
            f"{k} = {self._format.format(v) if isinstance(v, float) else v}"
            for k, v in self.shown.items())
        self.last_update_seconds = time.perf_counter() - t0

    def __repr__(self) -> str:
        vals = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in self.values.items())
        return f"{type(self).__name__}({self.title or 'widget'}: {vals})"
