"""vaebook.divergence: the reverse-KL fit refuses a q that the grid does not cover."""
from __future__ import annotations

import numpy as np
import pytest

from vaebook.divergence import bimodal_log_density, fit_gaussian


def test_reverse_fit_refuses_a_q_with_mass_off_the_grid():
    """On [-3.4, 3.4] the two bumps at -1 and 1 (sd 0.6) fit inside, but the best q (sd about 1.1)
    has 0.2% of its mass beyond the ends, where log p is not known (F20)."""
    g = np.linspace(-3.4, 3.4, 341)
    with pytest.raises(ValueError, match="mass off the grid; widen the grid"):
        fit_gaussian(bimodal_log_density(g, 2.0), g, "reverse")
    wide = np.linspace(-8.0, 8.0, 801)
    fit = fit_gaussian(bimodal_log_density(wide, 2.0), wide, "reverse")
    assert fit["mean"] - 5 * fit["std"] > wide[0] and fit["mean"] + 5 * fit["std"] < wide[-1]
