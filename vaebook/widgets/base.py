"""Temporary: the old import path of the widget framework, which now lives in four modules.

:mod:`~vaebook.widgets.controls` (Slider, Choice, format_number), :mod:`~vaebook.widgets.artists`
(the moving parts), :mod:`~vaebook.widgets.state` (the state codec) and
:mod:`~vaebook.widgets.figure` (InteractiveFigure, Part). Chapters being rewritten in this round
may still import from here; the coordinator deletes this file once no import names it.
"""
from .artists import (Bars, Curve, ErrorBar, Image, Line, Pushforward, Scatter,  # noqa: F401
                      curve_values, grey_levels)
from .controls import MINUS, Choice, Slider, format_number  # noqa: F401
from .figure import InteractiveFigure, Part  # noqa: F401
from .state import frame_from_state, readout_from_state  # noqa: F401
