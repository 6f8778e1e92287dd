"""benchmarks/bench_configs.py still produces its stored result (benchmarks/results/configs.json),
which chapter 9 loads.

The full run takes minutes, so here: (1) one whole configuration, the baseline, is retrained with
every one of its seeds and every figure that does not need the full-size importance-weighted
estimate is re-derived and must match the stored run bit for bit (the tests run on the pinned
numerical platform, conftest.py); (2) every stored row is checked for internal consistency;
(3) the quick mode writes the same format.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_configs as bench  # noqa: E402

from vaebook import make_mixture, mixture_log_density  # noqa: E402

STORED = json.loads(bench.RESULT.read_text())
ROWS = {r["settings"]["name"]: r for r in STORED["configs"]}
#: Re-derived per run without the full-size IWAE (see bench_configs.cheap_figures).
CHEAP = ("final_train_loss", "val_gap", "gap_first", "kl_per_dim", "rate", "sigma2_x",
         "near_centers", "occupancy", "energy_distance")


def test_stored_table_is_the_scripts_full_run():
    assert STORED["quick"] is False
    assert STORED["eval"] == bench.EVAL and STORED["seeds"] == list(bench.SEEDS)
    assert [r["settings"] for r in STORED["configs"]] == bench.CONFIGS
    assert len(bench.SEEDS) >= 3


@pytest.mark.parametrize("seed", bench.SEEDS)
def test_baseline_runs_are_reproduced_bit_for_bit(seed):
    c = bench.CONFIGS[0]
    assert c["name"] == "baseline"
    params, config, _, history = bench.fit(c, seed)
    X_test, X_val = bench.heldout_points(STORED["eval"])
    fresh = bench.cheap_figures(params, config, history, X_test, X_val, STORED["eval"])
    stored = next(r for r in ROWS["baseline"]["runs"] if r["seed"] == seed)
    for key in CHEAP:
        assert fresh[key] == stored[key], (seed, key, fresh[key], stored[key])


def test_every_row_is_internally_consistent():
    X_test, _ = make_mixture(STORED["eval"]["n_test"], np.random.default_rng(STORED["eval"]["test_seed"]))
    true_nll = float(-mixture_log_density(X_test).mean())
    for name, row in ROWS.items():
        runs = row["runs"]
        assert [r["seed"] for r in runs] == list(bench.SEEDS), name
        for r in runs:
            where = (name, r["seed"])
            assert abs(r["true_nll"] - true_nll) < 1e-12, where
            assert abs(r["gap"] - (r["nll"] - r["true_nll"])) < 1e-12, where
            assert abs(r["inference_gap"] - (r["neg_elbo"] - r["nll"])) < 1e-12, where
            assert abs(r["last_quadrupling"] - (r["nll_quarter"] - r["nll"])) < 1e-12, where
            # log of a mean of weights >= mean of their logs, on the same draws (Jensen)
            assert r["inference_gap"] >= 0, where
            assert abs(r["rate"] - sum(r["kl_per_dim"])) < 1e-12 and min(r["kl_per_dim"]) >= 0, where
            assert abs(sum(r["occupancy"]) - r["near_centers"]) < 1e-12, where
            assert 0 < r["gap_se"] < 0.1 and 0 < r["nll_se"] < 0.1 and r["train_seconds"] > 0, where
            assert len(r["sigma2_x"]) == 2 and min(r["sigma2_x"]) > 0, where
            if row["settings"]["sigma2"] != "learned":
                assert r["sigma2_x"] == [row["settings"]["sigma2"]] * 2, where
            assert np.isfinite([r[k] for k in bench.SUMMARY_KEYS]).all(), where
        for key in bench.SUMMARY_KEYS:
            v = np.array([r[key] for r in runs])
            s = row["summary"][key]
            assert s["mean"] == pytest.approx(v.mean(), abs=1e-14), (name, key)
            assert s["sd"] == pytest.approx(v.std(ddof=1), abs=1e-14), (name, key)
            assert (s["min"], s["max"]) == (v.min(), v.max()), (name, key)


def test_quick_run_writes_the_stored_format(tmp_path):
    out = tmp_path / "quick.json"
    proc = subprocess.run([sys.executable, str(bench.__file__), "--quick", str(out)], capture_output=True,
                          text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    fresh = json.loads(out.read_text())
    assert fresh["quick"] is True
    assert [r["settings"] for r in fresh["configs"]] == [r["settings"] for r in STORED["configs"]]
    for f, s in zip(fresh["configs"], STORED["configs"]):
        assert set(f) == set(s) and set(f["summary"]) == set(s["summary"])
        assert [set(r) for r in f["runs"]] == [set(r) for r in s["runs"]], s["settings"]["name"]
    assert sum(" gap over " in line for line in proc.stdout.splitlines()) == len(STORED["configs"])
