"""Old name of :mod:`vaebook.widgets.kl_prior` (kept until chapter 4 and its tests import
``kl_widget`` from :mod:`vaebook.widgets`; then delete this file)."""
from .kl_prior import kl_widget  # noqa: F401
