"""The book's widgets: every control works on the static site (see :mod:`vaebook.widgets.base`).

Every widget function is importable from here, e.g. ``from vaebook.widgets import kl_widget``.
"""
from .base import Choice, InteractiveFigure, Slider
from .bayes import bayes_widget
from .elbo import elbo_widget
from .evaluation import iwae_bound_widget
from .generator import (digit_explorer, digit_interpolation, interpolation_explorer,
                        latent_explorer, latent_sweep)
from .kl_fit import kl_fit_widget
from .kl_prior import kl_widget
from .live import LiveDecoder
from .montecarlo import mc_widget
from .playground import Playground, playground
from .reparam import reparam_widget

__all__ = ["Choice", "InteractiveFigure", "LiveDecoder", "Slider", "bayes_widget",
           "digit_explorer", "digit_interpolation", "elbo_widget", "interpolation_explorer",
           "iwae_bound_widget", "kl_fit_widget", "kl_widget", "latent_explorer", "latent_sweep",
           "mc_widget", "reparam_widget", "Playground", "playground"]
