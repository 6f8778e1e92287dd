"""The book's widgets: every control works on the static site (see :mod:`vaebook.widgets.figure`).

Every widget function is importable from here, e.g. ``from vaebook.widgets import kl_widget``.
Modules are named by topic; each module's docstring names the chapter that shows it.

===================  ==========================================================================
framework            ``controls`` (Slider, Choice, the number format), ``artists`` (moving
                     parts), ``state`` (state codec), ``figure`` (InteractiveFigure),
                     ``frontend`` (the ES module of each widget; JavaScript in ``common.js``,
                     ``figure.js``, ``live.js``)
widgets              ``bayes``, ``naive_mc``, ``kl_fit``, ``elbo``, ``kl_prior``, ``reparam``,
                     ``latent``, ``iwae_bound``, ``live`` (LiveDecoder)
===================  ==========================================================================
"""
from .bayes import bayes_widget
from .controls import Choice, Slider
from .elbo import elbo_widget
from .figure import InteractiveFigure
from .iwae_bound import iwae_bound_widget
from .kl_fit import kl_fit_widget
from .kl_prior import kl_widget
from .latent import digit_explorer, digit_interpolation, interpolation_explorer, latent_explorer, latent_sweep
from .live import LiveDecoder
from .naive_mc import mc_widget
from .playground import Playground, playground
from .reparam import reparam_widget

__all__ = ["Choice", "InteractiveFigure", "LiveDecoder", "Slider", "bayes_widget",
           "digit_explorer", "digit_interpolation", "elbo_widget", "interpolation_explorer",
           "iwae_bound_widget", "kl_fit_widget", "kl_widget", "latent_explorer", "latent_sweep",
           "mc_widget", "reparam_widget", "Playground", "playground"]
