"""Temporary alias module: the Gaussian formulas live in :mod:`vaebook.formulas`.

The chapters still import ``vaebook.gaussian``; this module disappears at the merge that updates
their imports.
"""
# temporary alias for the chapters until the merge: from .formulas import ...
from .formulas import LOG_2PI, kl_diag_to_standard, kl_normal_1d, log_normal_diag, log_normal_full

__all__ = ["LOG_2PI", "kl_diag_to_standard", "kl_normal_1d", "log_normal_diag", "log_normal_full"]
