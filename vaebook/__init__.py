"""vaebook: the small NumPy library behind the book *Variational Autoencoders from First Principles*.

The chapters import every model, formula and data set from here and show its source, so the
code on a page is the code that is tested. The modules form three layers; a module imports only
from its own layer or the ones below it (``tests/test_layers.py`` holds this):

1. **Core**: the formulas and the VAE.
   :mod:`~vaebook.formulas` (every density, divergence and gradient formula, written once),
   :mod:`~vaebook.layers`, :mod:`~vaebook.params`, :mod:`~vaebook.model` (the reference VAE),
   :mod:`~vaebook.optim`, :mod:`~vaebook.train`, :mod:`~vaebook.gradcheck`,
   :mod:`~vaebook.data` (the running example), :mod:`~vaebook.seeds`, and two private
   modules: ``_checks`` (the argument checks every public function calls) and ``_engine`` (the
   same computation as the model arranged for speed, held equal to it by the tests).
2. **Theory and estimators**: exact models and the experiments of single chapters.
   :mod:`~vaebook.exact`, :mod:`~vaebook.variational`, :mod:`~vaebook.meanfield`,
   :mod:`~vaebook.montecarlo`, :mod:`~vaebook.estimators`, :mod:`~vaebook.iwae`,
   :mod:`~vaebook.divergence`, :mod:`~vaebook.inference_gap`, :mod:`~vaebook.linear_vae`,
   :mod:`~vaebook.latent_density`, :mod:`~vaebook.latent_space`, :mod:`~vaebook.metrics`,
   :mod:`~vaebook.autoencoder`, :mod:`~vaebook.generator_models`.
3. **Presentation**: :mod:`~vaebook.style`, :mod:`~vaebook.diagrams`, :mod:`~vaebook.show` and
   the subpackage :mod:`vaebook.widgets` (imported on its own: ``from vaebook.widgets import ...``).
"""
from importlib.metadata import version

from . import (
    autoencoder,
    data,
    diagrams,
    divergence,
    estimators,
    exact,
    formulas,
    generator_models,
    inference_gap,
    iwae,
    latent_density,
    latent_space,
    layers,
    linear_vae,
    meanfield,
    metrics,
    model,
    montecarlo,
    optim,
    show,
    style,
    variational,
)
from .data import CENTERS, CLUSTER_STD, load_digits_01, make_mixture, mixture_log_density
from .formulas import LOG_2PI, kl_diag_to_standard, kl_normal_1d, log_normal_diag
from .gradcheck import check_gradients, numerical_gradient, relative_error
from .layers import dense_backward, dense_forward, mlp_backward, mlp_forward, relu_backward, relu_forward
from .model import (
    VAEConfig,
    decode,
    decoder_variance,
    elbo_terms,
    encode,
    init_params,
    log_likelihood,
    loss_and_grads,
    reparameterize,
    sample,
    vae_backward,
    vae_forward,
)
from .optim import SGD, Adam
from .params import ParamDict
from .seeds import rng
from .train import BASELINE, Baseline, train, train_reference

__all__ = [
    # the model
    "VAEConfig", "init_params", "encode", "reparameterize", "decode", "decoder_variance",
    "log_likelihood", "vae_forward", "vae_backward", "loss_and_grads", "elbo_terms", "sample",
    "ParamDict",
    # seeded random draws (shifted by VAEBOOK_SEED_OFFSET)
    "rng",
    # training
    "train", "SGD", "Adam", "BASELINE", "Baseline",
    "train_reference",
    # layers and gradient checking
    "dense_forward", "dense_backward", "relu_forward", "relu_backward", "mlp_forward", "mlp_backward",
    "check_gradients", "numerical_gradient", "relative_error",
    # Gaussian formulas (all formulas: the module formulas)
    "LOG_2PI", "log_normal_diag", "kl_diag_to_standard", "kl_normal_1d",
    # data
    "CENTERS", "CLUSTER_STD", "make_mixture", "mixture_log_density", "load_digits_01",
    # modules: core, theory and estimators, presentation
    "formulas", "layers", "model", "optim", "data",
    "exact", "variational", "meanfield", "montecarlo", "estimators", "iwae", "divergence",
    "inference_gap", "linear_vae", "latent_density", "latent_space", "metrics", "autoencoder",
    "generator_models",
    "style", "diagrams", "show",
]

__version__ = version("vaebook")         # the one version number: pyproject.toml's, as installed
