"""benchmarks/bench_configs.py still produces the format of its stored result, which chapter 8 loads."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "bench_configs.py"
STORED = ROOT / "benchmarks" / "results" / "configs.json"


def key_shape(obj):
    """The nested keys and value types of a JSON object (lists by their first element)."""
    if isinstance(obj, dict):
        return {k: key_shape(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [key_shape(obj[0])] if obj else []
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return type(obj).__name__
    return "number"


def test_quick_run_matches_stored_format(tmp_path):
    out = tmp_path / "quick.json"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", str(out)], capture_output=True,
                          text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    fresh, stored = json.loads(out.read_text()), json.loads(STORED.read_text())
    assert fresh["quick"] is True and stored["quick"] is False
    # same configurations, same settings, same fields (every row; settings are the full run's)
    assert [r["settings"] for r in fresh["configs"]] == [r["settings"] for r in stored["configs"]]
    for f, s in zip(fresh["configs"], stored["configs"]):
        assert key_shape(f) == key_shape(s), f["settings"]["name"]
    assert key_shape({k: v for k, v in fresh.items() if k != "configs"}) == \
        key_shape({k: v for k, v in stored.items() if k != "configs"})
    # the printed table has one line per configuration
    assert sum(" gap " in line for line in proc.stdout.splitlines()) == len(stored["configs"])
    # the numbers are consistent in both
    for result in (fresh, stored):
        for r in result["configs"]:
            for key in ("nll", "gap", "gap_se", "true_nll", "train_seconds", "energy_distance"):
                assert math.isfinite(r[key]), (r["settings"]["name"], key)
            assert abs(r["gap"] - (r["nll"] - r["true_nll"])) < 1e-9
            assert r["gap_se"] > 0 and r["train_seconds"] > 0
            assert abs(sum(r["occupancy"]) - r["near_centers"]) < 1e-9
            assert (r["K"], r["n"]) == (result["eval"]["K"], result["eval"]["n_test"])
