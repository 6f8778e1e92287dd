"""How close does each VAE configuration get to the true density of the running example?

Every configuration is trained with several training seeds (the seed sets the training data,
the initial weights, the batch order and the reparameterisation noise). Each trained model is
evaluated on held-out points whose exact log-density is known:

* the importance-weighted estimate of log p_theta(x) (vaebook.iwae, K samples per point) and the
  gap to the truth, mean of log p(x) - L_K(x) (nats per point, with its test-set standard error);
* from the same K log-weights: L_{K/4} (the first K/4 weights: how much the estimate still
  moved in the last quadrupling of K) and the held-out ELBO (the mean log-weight, an unbiased
  estimate), whose difference to L_K estimates the inference gap;
* the same gap on a separate validation draw (used to choose sigma_x^2, never the test points);
* per-dimension KL of the encoder, the decoder variance, the final training loss;
* sample quality: fraction of 2000 samples within 1 of a centre, occupancy, energy distance.

Per configuration the table stores every seed's run and the mean and standard deviation over
seeds, which is the spread a difference between configurations must exceed to count.

Usage:
    python benchmarks/bench_configs.py                # the full table (3 to 15 minutes on 2 cores)
    python benchmarks/bench_configs.py --quick OUT    # tiny epochs, same format (for the test)
    python benchmarks/bench_configs.py --only NAME... # some rows, printed, not stored

Run it on the pinned numerical platform (numerics.env, as `make` does) to reproduce the stored
results bit for bit; training times are wall-clock seconds, stored but not reproducible.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import numerics  # noqa: E402  (the pinned platform of numerics.env, one BLAS thread included)

numerics.apply()
import numpy as np  # noqa: E402  (after the platform settings)

from vaebook import BASELINE as vb_baseline  # noqa: E402
from vaebook import (  # noqa: E402
    SGD,
    Adam,
    VAEConfig,
    decoder_variance,
    encode,
    init_params,
    make_mixture,
    mixture_log_density,
    sample,
    train,
)
from vaebook.formulas import log_mean_exp  # noqa: E402
from vaebook.iwae import CHUNK_ROWS, iwae_log_weights, vae_iwae, vae_log_joint  # noqa: E402
from vaebook.metrics import cluster_occupancy, energy_distance, fraction_near_centers, kl_per_dimension  # noqa: E402

RESULT = ROOT / "benchmarks" / "results" / "configs.json"

#: Training seeds of every configuration.
SEEDS = (0, 1, 2)
#: Evaluation settings shared by every configuration.
EVAL = {"n_test": 4000, "test_seed": 2024, "K": 2000, "iwae_seed": 7, "n_val": 1000,
        "val_seed": 2025, "K_val": 500, "n_samples": 2000, "sample_seed": 11, "n_check": 250}
#: ... and in the quick mode (the format test).
QUICK_EVAL = {"n_test": 200, "K": 8, "n_val": 100, "K_val": 4, "n_samples": 200, "n_check": 50}

#: The baseline configuration (vaebook.BASELINE) as the table's settings.
BASELINE = {"n_train": vb_baseline.n_points, "hidden": [vb_baseline.hidden], "latent_dim": 2,
            "sigma2": vb_baseline.sigma2, "init_scale": vb_baseline.init_scale, "optimizer": "sgd",
            "lr": vb_baseline.lr, "epochs": vb_baseline.epochs, "batch_size": vb_baseline.batch_size,
            "decay": 1.0, "stages": 1}

#: Figures summarised over seeds (mean and standard deviation).
SUMMARY_KEYS = ("gap", "val_gap", "nll", "neg_elbo", "inference_gap", "last_quadrupling", "rate",
                "near_centers", "energy_distance", "final_train_loss")


def cfg(name, note, **changes):
    unknown = set(changes) - set(BASELINE)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}")
    return {"name": name, "note": note, **BASELINE, **changes}


#: The table, in the order the chapter shows it. Each row changes a few baseline settings.
CONFIGS = [
    cfg("baseline", "sigma_x^2 = 0.5, SGD (lr 0.01), one hidden layer of 32, init N(0, 0.1^2), "
        "500 epochs of batches of 64 on 2000 points"),
    cfg("sigma2 = 1", "baseline with sigma_x^2 = 1", sigma2=1.0),
    cfg("sigma2 = 0.25", "baseline with sigma_x^2 = 0.25", sigma2=0.25),
    cfg("sigma2 = 0.1", "baseline with sigma_x^2 = 0.1", sigma2=0.1),
    cfg("learned sigma2", "baseline with one variance per data dimension, learned by SGD",
        sigma2="learned"),
    cfg("baseline, 4x longer", "baseline trained for 2000 epochs", epochs=2000),
    cfg("Adam", "Adam (lr 3e-3) instead of SGD, same initialisation N(0, 0.1^2)",
        optimizer="adam", lr=3e-3),
    cfg("Adam, He init", "Adam, and He initialisation instead of N(0, 0.1^2)", optimizer="adam",
        lr=3e-3, init_scale=None),
    cfg("Adam, He, learned sigma2", "... and learned sigma_x^2", optimizer="adam", lr=3e-3,
        init_scale=None, sigma2="learned"),
    cfg("Adam, He, learned, 64x2", "... two hidden layers of 64", optimizer="adam", lr=3e-3,
        init_scale=None, sigma2="learned", hidden=[64, 64]),
    cfg("64x2, 20k points, lr decay", "... on 20 000 points, 40 epochs, lr 0.01 divided by 3.3 "
        "every 10 epochs", optimizer="adam", lr=1e-2, init_scale=None, sigma2="learned",
        hidden=[64, 64], n_train=20000, epochs=40, decay=0.3, stages=4),
    cfg("64x2, 20k, decay, batch 128, 200 ep", "... batches of 128 for 200 epochs, lr divided by "
        "3.3 every 50 epochs", optimizer="adam", lr=1e-2, init_scale=None, sigma2="learned",
        hidden=[64, 64], n_train=20000, epochs=200, batch_size=128, decay=0.3, stages=4),
]


def fit(c: dict, seed: int, quick: bool = False):
    """Train configuration ``c`` with training seed ``seed``; returns (params, config, seconds, history)."""
    rng = np.random.default_rng(seed)
    n_train = min(c["n_train"], 500) if quick else c["n_train"]
    X, _ = make_mixture(n_train, rng)
    config = VAEConfig(2, c["latent_dim"], tuple(c["hidden"]), tuple(c["hidden"]),
                       sigma2=c["sigma2"], init_scale=c["init_scale"])
    params = init_params(config, rng)
    opt = SGD(c["lr"]) if c["optimizer"] == "sgd" else Adam(c["lr"], flush_subnormal=True)
    epochs = 2 * c["stages"] if quick else c["epochs"]
    per_stage = epochs // c["stages"]
    t0 = time.perf_counter()
    for s in range(c["stages"]):
        opt.lr = c["lr"] * c["decay"] ** s          # piecewise-constant learning-rate decay
        history = train(params, config, X, epochs=per_stage, batch_size=c["batch_size"],
                        optimizer=opt, rng=rng)
    seconds = time.perf_counter() - t0
    return params, config, seconds, history


def eval_settings(quick: bool = False) -> dict:
    ev = dict(EVAL)
    if quick:
        ev.update(QUICK_EVAL)
    return ev


def heldout_points(ev: dict):
    """(test points, validation points): two independent draws of the running example."""
    X_test, _ = make_mixture(ev["n_test"], np.random.default_rng(ev["test_seed"]))
    X_val, _ = make_mixture(ev["n_val"], np.random.default_rng(ev["val_seed"]))
    return X_test, X_val


def iwae_log_weight_summaries(params, config, X, K: int, rng) -> dict[str, np.ndarray]:
    """Per point: L_K, L_{K/4} (the first K/4 weights) and the mean log-weight (an ELBO estimate).

    Draws in the same chunks and order as :func:`vaebook.iwae.vae_iwae`, so ``L_K`` equals its
    result with the same generator state.
    """
    mu, log_var = encode(params, config, X)
    log_joint = vae_log_joint(params, config)
    step = max(1, CHUNK_ROWS // K)
    out = {k: np.empty(len(X)) for k in ("L_K", "L_quarter", "elbo")}
    for start in range(0, len(X), step):
        sl = slice(start, start + step)
        lw = iwae_log_weights(X[sl], log_joint, mu[sl], log_var[sl], K, rng)
        out["L_K"][sl] = log_mean_exp(lw)
        out["L_quarter"][sl] = log_mean_exp(lw[:, :max(1, K // 4)])
        out["elbo"][sl] = lw.mean(axis=1)
    return out


def cheap_figures(params, config, history, X_test, X_val, ev: dict) -> dict:
    """The figures a test can re-derive in seconds: everything except the full-size IWAE."""
    truth_val = mixture_log_density(X_val)
    val_est = vae_iwae(params, config, X_val, ev["K_val"], np.random.default_rng(ev["iwae_seed"]))
    first = X_test[:ev["n_check"]]
    first_est = vae_iwae(params, config, first, ev["K"], np.random.default_rng(ev["iwae_seed"]))
    kl = kl_per_dimension(*encode(params, config, X_test))
    S = sample(params, config, ev["n_samples"], np.random.default_rng(ev["sample_seed"]), noise=True)
    return {"final_train_loss": float(history["total"][-1]),
            "val_gap": float(np.mean(truth_val - val_est)),
            "gap_first": float(np.mean(mixture_log_density(first) - first_est)),
            "kl_per_dim": kl.tolist(), "rate": float(kl.sum()),
            "sigma2_x": decoder_variance(params, config).tolist(),
            "near_centers": fraction_near_centers(S),
            "occupancy": cluster_occupancy(S).tolist(),
            "energy_distance": energy_distance(S, X_test[:ev["n_samples"]])}


def evaluate(params, config, history, ev: dict) -> dict:
    X_test, X_val = heldout_points(ev)
    s = iwae_log_weight_summaries(params, config, X_test, ev["K"],
                                  np.random.default_rng(ev["iwae_seed"]))
    truth = mixture_log_density(X_test)
    n = len(X_test)

    def mean_se(v):
        return float(v.mean()), float(v.std(ddof=1) / np.sqrt(n))

    r = {}
    r["nll"], r["nll_se"] = mean_se(-s["L_K"])
    r["true_nll"], r["true_nll_se"] = mean_se(-truth)
    r["gap"], r["gap_se"] = mean_se(truth - s["L_K"])
    r["nll_quarter"], _ = mean_se(-s["L_quarter"])
    r["neg_elbo"], _ = mean_se(-s["elbo"])
    # how much the estimate still moved when K was quadrupled (K/4 -> K): a convergence
    # diagnostic, not a bound on the remaining bias
    r["last_quadrupling"] = r["nll_quarter"] - r["nll"]
    r["inference_gap"] = r["neg_elbo"] - r["nll"]        # -ELBO minus the IWAE NLL
    r.update(cheap_figures(params, config, history, X_test, X_val, ev))
    return r


def summarise(runs: list[dict]) -> dict:
    out = {}
    for key in SUMMARY_KEYS:
        v = np.array([r[key] for r in runs])
        out[key] = {"mean": float(v.mean()), "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
                    "min": float(v.min()), "max": float(v.max())}
    return out


def run(quick: bool = False, names=None, seeds=SEEDS) -> dict:
    ev = eval_settings(quick)
    rows = []
    for c in CONFIGS:
        if names and c["name"] not in names:
            continue
        runs = []
        for seed in seeds:
            params, config, seconds, hist = fit(c, seed, quick)
            r = {"seed": int(seed), "train_seconds": seconds, **evaluate(params, config, hist, ev)}
            runs.append(r)
            print(f"{c['name']:36s} seed {seed}  train {seconds:6.2f} s   gap {r['gap']:.4f} "
                  f"+- {r['gap_se']:.4f}  val {r['val_gap']:.4f}  inference {r['inference_gap']:.4f}  "
                  f"near {r['near_centers']:.3f}  kl {np.round(r['kl_per_dim'], 3)}  "
                  f"s2 {np.round(r['sigma2_x'], 3)}", flush=True)
        rows.append({"settings": c, "runs": runs, "summary": summarise(runs)})
        g = rows[-1]["summary"]["gap"]
        print(f"{c['name']:36s} gap over {len(runs)} seeds: mean {g['mean']:.4f}  sd {g['sd']:.4f}",
              flush=True)
    return {"eval": ev, "seeds": list(seeds), "quick": quick,
            "machine": {"cpu_count": os.cpu_count(), "python": platform.python_version(),
                        "numpy": np.__version__,
                        "platform": {k: os.environ.get(k) for k in
                                     ("OPENBLAS_CORETYPE", "NPY_ENABLE_CPU_FEATURES",
                                      "OPENBLAS_NUM_THREADS")}},
            "configs": rows}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", metavar="OUT", help="tiny run, write its JSON to OUT")
    ap.add_argument("--only", nargs="*", help="run only these configuration names (not stored)")
    a = ap.parse_args(argv)
    result = run(quick=bool(a.quick), names=a.only)
    out = Path(a.quick) if a.quick else (None if a.only else RESULT)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
