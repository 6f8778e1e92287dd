"""Interactive figures for the book, built on ipywidgets (see :mod:`vaebook.widgets.base`)."""
from .base import InteractiveFigure, slider

__all__ = ["InteractiveFigure", "slider"]
