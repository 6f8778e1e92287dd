"""Old name of :mod:`vaebook.widgets.kl_fit` (kept until chapter 3 and its tests import
``kl_fit_widget`` from :mod:`vaebook.widgets`; then delete this file)."""
from .kl_fit import GRID, kl_fit_widget  # noqa: F401
