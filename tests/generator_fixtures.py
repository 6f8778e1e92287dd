"""Fixtures and helpers shared by the tests of chapters 7 and 8 (tests/test_ch07.py,
tests/test_ch08.py) and of the widgets (tests/test_widgets.py): small models of the running
example and of the digits, trained briefly. The tests that use them check the widgets' plumbing,
not model quality.
"""
from __future__ import annotations

import io

import numpy as np
import pytest

import vaebook as vb


@pytest.fixture(scope="module")
def mixture_model():
    X, labels = vb.make_mixture(400, np.random.default_rng(0))
    cfg = vb.VAEConfig(data_dim=2, latent_dim=2, enc_hidden=(16,), dec_hidden=(16,), sigma2=0.5)
    params = vb.init_params(cfg, np.random.default_rng(1))
    vb.train(params, cfg, X, epochs=20, batch_size=64, optimizer=vb.Adam(3e-3),
             rng=np.random.default_rng(2))
    return params, cfg, X, labels


@pytest.fixture(scope="module")
def digits_model():
    D, y = vb.load_digits_01()
    D, y = D[:300], y[:300]
    cfg = vb.VAEConfig(data_dim=64, latent_dim=2, enc_hidden=(32,), dec_hidden=(32,),
                       likelihood="bernoulli")
    params = vb.init_params(cfg, np.random.default_rng(3))
    vb.train(params, cfg, D, epochs=10, batch_size=64, optimizer=vb.Adam(3e-3),
             rng=np.random.default_rng(4))
    return params, cfg, D, y


def dec(params, cfg, z):
    return vb.decode(params, cfg, np.atleast_2d(np.asarray(z, float)))


def png_size(w):
    from PIL import Image
    return Image.open(io.BytesIO(w.image.value)).size
