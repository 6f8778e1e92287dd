"""The controls of an :class:`~vaebook.widgets.figure.InteractiveFigure`, and the one number format.

A control lives on a fixed grid of values (the grid the static page knows): :class:`Slider`
over ``lo, lo + step, ..., hi``, :class:`Choice` over a list of options. :func:`format_number`
is the rule every readout follows, in Python and in ``common.js`` (``formatNumber``);
``tests/test_widgets.py`` holds the two equal in Node.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

MINUS = "\u2212"


def format_number(value, decimals: int | None) -> str:
    """A readout number as common.js's ``formatNumber`` writes it: ``decimals`` fixed decimals
    (rounded half away from zero on the exact binary value, as JavaScript's ``toFixed``), a real
    minus sign but never on a zero ("0.000", not "−0.000"), and integers as integers
    (``decimals=None``)."""
    if decimals is None:
        return (MINUS if value < 0 else "") + str(abs(int(value)))
    d = Decimal(float(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(d):.{decimals}f}"
    return (MINUS if d < 0 else "") + text


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
