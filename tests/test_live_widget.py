"""LiveDecoder: its JavaScript forward pass (run in Node) equals vaebook.decode, and its Python side.

The browser test (tests/test_site.py) checks the same agreement on the built page after a real
slider move; here many random decoders and latent points are checked quickly in Node.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

import vaebook as vb
from bookpaths import node_path
from vaebook.widgets.frontend import esm
from vaebook.widgets.live import LiveDecoder, layer_arrays

LIVE_JS = Path(vb.__file__).parent / "widgets" / "live.js"


def write_live_module(folder: Path) -> None:
    """live.js as the browser receives it (its imports inlined), as live.mjs (an ES module)."""
    (folder / "live.mjs").write_text(esm("live.js"))
TOLERANCE = 1e-12  # both sides float64: only the order of rounding may differ

RUNNER = """
import { decode } from "./live.mjs";
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const cases = JSON.parse(input);
  const out = cases.map((c) => c.zs.map((z) => decode(c.layers, c.likelihood, z)));
  process.stdout.write(JSON.stringify(out));
});
"""


def node_decode(cases: list[dict], tmp_path: Path) -> list:
    """Run live.js's decode() in Node on every case: {layers, likelihood, zs}."""
    node = node_path()
    write_live_module(tmp_path)
    (tmp_path / "run.mjs").write_text(RUNNER)
    proc = subprocess.run([node, "run.mjs"], input=json.dumps(cases), capture_output=True,
                          text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, f"node failed:\n{proc.stderr}"
    return json.loads(proc.stdout)


CONFIGS = [
    vb.VAEConfig(data_dim=2, latent_dim=2, enc_hidden=(32,), dec_hidden=(32,)),
    vb.VAEConfig(data_dim=2, latent_dim=2, dec_hidden=(16, 24), sigma2="learned"),
    vb.VAEConfig(data_dim=64, latent_dim=2, dec_hidden=(64,), likelihood="bernoulli"),
    vb.VAEConfig(data_dim=16, latent_dim=3, dec_hidden=(8, 8, 8), likelihood="bernoulli"),
]


def random_params(config, rng):
    params = vb.init_params(config, rng)
    params.vector[:] += 0.3 * rng.standard_normal(params.vector.shape)  # non-zero biases too
    return params


def test_javascript_decode_equals_numpy(tmp_path):
    rng = np.random.default_rng(6)
    cases, expected = [], []
    for config in CONFIGS:
        params = random_params(config, rng)
        w = LiveDecoder(params, config)
        zs = rng.uniform(-3, 3, size=(50, config.latent_dim))
        zs[0] = 0.0
        cases.append({"layers": w.layers, "likelihood": w.likelihood, "zs": zs.tolist()})
        expected.append(vb.decode(params, config, zs))
    got = node_decode(json.loads(json.dumps(cases)), tmp_path)  # through JSON, as on the page
    for config, js, np_out in zip(CONFIGS, got, expected):
        js = np.array(js)
        assert js.shape == np_out.shape
        err = np.abs(js - np_out).max()
        print(f"{config.likelihood} decoder {config.dec_hidden}: max |JS - NumPy| = {err:.2e}")
        assert err <= TOLERANCE, f"JavaScript decode differs from NumPy by {err:.3g} ({config})"
    # the check can fail: a wrong forward pass (no ReLU) is far from NumPy
    broken = json.loads(json.dumps(cases[:1]))
    for layer in broken[0]["layers"][:-1]:
        layer["b"] = (layer_arrays(layer)[1] - 100.0).tolist()  # every hidden unit dead
    dead = np.array(node_decode(broken, tmp_path)[0])
    assert np.abs(dead - expected[0]).max() > 1e-2


def test_javascript_rejects_a_wrong_latent_size(tmp_path):
    config = CONFIGS[0]
    w = LiveDecoder(random_params(config, np.random.default_rng(1)), config)
    node = node_path()
    write_live_module(tmp_path)
    (tmp_path / "bad.mjs").write_text(
        'import { decode } from "./live.mjs";\n'
        f'try {{ decode({json.dumps(w.layers)}, "gaussian", [1, 2, 3]); console.log("no error"); }}\n'
        'catch (e) { console.log(e.message); }\n')
    out = subprocess.run([node, "bad.mjs"], capture_output=True, text=True, cwd=tmp_path).stdout
    assert "z has 3 entries, the decoder expects 2" in out


def test_state_round_trips_the_weights_exactly():
    config = CONFIGS[1]
    params = random_params(config, np.random.default_rng(2))
    w = LiveDecoder(params, config)
    layers = json.loads(json.dumps(w.layers))  # what the page stores
    names = ["dec1", "dec2", "dec_out"]
    assert len(layers) == len(names)
    for name, layer in zip(names, layers):
        W, b = layer_arrays(layer)
        assert np.array_equal(W, params[name + "_W"]) and np.array_equal(b, params[name + "_b"])
    assert "export function decode" in str(w._esm)


def test_z_and_x_hat_traitlets_follow_decode():
    config = CONFIGS[2]
    params = random_params(config, np.random.default_rng(3))
    w = LiveDecoder(params, config)
    assert w.z == [0.0, 0.0] and w.image_shape == [8, 8]
    np.testing.assert_allclose(w.x_hat, vb.decode(params, config, np.zeros((1, 2)))[0], atol=1e-15)
    w.set_z(1.25, -0.5)
    assert w.z == [1.25, -0.5]
    np.testing.assert_allclose(w.x_hat, vb.decode(params, config, np.array([[1.25, -0.5]]))[0], atol=1e-15)
    w.z = [-2.0, 2.0]  # what a slider move in JupyterLab sends
    np.testing.assert_allclose(w.x_hat, vb.decode(params, config, np.array([[-2.0, 2.0]]))[0], atol=1e-15)
    assert w.shown["z1"] == -2.0 and w.shown["x64"] == w.x_hat[63] and len(w.shown) == 66
    # the widget copied the weights: training on afterwards does not change what it shows
    before = list(w.x_hat)
    params.vector[:] = 0.0
    w.set_z(-2.0, 2.0)
    assert w.x_hat == before


def test_repr_has_no_memory_address():
    config = CONFIGS[0]
    w = LiveDecoder(random_params(config, np.random.default_rng(4)), config, z=(0.5, -1.0))
    r = repr(w)
    assert r == "LiveDecoder(gaussian decoder, 2-D latent -> 2-D point: z=(0.50, -1.00))"
    assert not re.search(r"0x[0-9a-f]+", r)
    img = LiveDecoder(random_params(CONFIGS[3], np.random.default_rng(5)), CONFIGS[3])
    assert repr(img) == "LiveDecoder(bernoulli decoder, 3-D latent -> 4x4 image: z=(0.00, 0.00, 0.00))"


def test_points_and_view():
    config = CONFIGS[0]
    params = random_params(config, np.random.default_rng(6))
    X, _ = vb.make_mixture(50, np.random.default_rng(7))
    w = LiveDecoder(params, config, points=X)
    assert np.array_equal(w.points, X)
    lo, hi = X.min(axis=0), X.max(axis=0)
    assert w.view[0] < lo[0] and w.view[1] > hi[0] and w.view[2] < lo[1] and w.view[3] > hi[1]
    assert LiveDecoder(params, config).view == [-4.0, 4.0, -4.0, 4.0]


@pytest.mark.parametrize("kwargs, message", [
    ({"z": (4.0, 0.0)}, "outside the sliders' range"),
    ({"z": (0.0, 0.0, 0.0)}, "z must have 2 columns"),
    ({"z": (np.nan, 0.0)}, "z contains NaN"),
    ({"z_max": -1.0}, "z_max must be a positive"),
    ({"points": np.zeros((3, 3))}, "points must have 2 columns"),
    ({"view": (1.0, 0.0, 0.0, 1.0)}, "view must be (xmin, xmax, ymin, ymax)"),
    ({"image_shape": (2, 2)}, "image_shape must be (rows, cols) with rows * cols = data_dim = 2"),
])
def test_bad_arguments_raise_clear_errors(kwargs, message):
    config = CONFIGS[0]
    params = random_params(config, np.random.default_rng(8))
    with pytest.raises(ValueError, match=re.escape(message)):
        LiveDecoder(params, config, **kwargs)


def test_bad_params_and_configs_raise_clear_errors():
    config = CONFIGS[0]
    params = random_params(config, np.random.default_rng(9))
    with pytest.raises(ValueError, match="config must be a vaebook.VAEConfig"):
        LiveDecoder(params, {"data_dim": 2})
    missing = {k: v for k, v in params.items() if k != "dec_out_b"}
    with pytest.raises(ValueError, match=re.escape("missing ['dec_out_b']")):
        LiveDecoder(missing, config)
    encoder_only = {k: v for k, v in params.items() if k.startswith("enc")}
    assert len(encoder_only) < len(params)
    with pytest.raises(ValueError, match="missing .*dec1_W"):
        LiveDecoder(encoder_only, config)
    decoder_only = {k: v for k, v in params.items() if k.startswith("dec")}
    assert LiveDecoder(decoder_only, config).x_hat == LiveDecoder(params, config).x_hat
    wrong = dict(params, dec1_W=np.zeros((3, 32)))
    shape_error = "params['dec1_W'] must have shape (2, 32) for this configuration, got (3, 32)"
    with pytest.raises(ValueError, match=re.escape(shape_error)):
        LiveDecoder(wrong, config)
    with pytest.raises(ValueError, match="must be a float64 array"):
        LiveDecoder(dict(params, dec1_b=np.zeros(32, dtype=np.float32)), config)
    nan = dict(params, dec_out_b=np.array([np.nan, 0.0]))
    with pytest.raises(ValueError, match="contains NaN or inf"):
        LiveDecoder(nan, config)
    odd = vb.VAEConfig(data_dim=5, latent_dim=2, likelihood="bernoulli")
    with pytest.raises(ValueError, match="data_dim 5 is not a square number"):
        LiveDecoder(vb.init_params(odd, np.random.default_rng(0)), odd)
    img = CONFIGS[2]
    with pytest.raises(ValueError, match="points can only be drawn for a 2-D output"):
        LiveDecoder(random_params(img, np.random.default_rng(0)), img, points=np.zeros((2, 2)))
    w = LiveDecoder(params, config)
    with pytest.raises(ValueError, match="outside the sliders' range"):
        w.set_z(0.0, 3.5)
    assert w.z == [0.0, 0.0]


def test_readout_equals_python_in_node(tmp_path):
    """live.js writes the readout with common.js's formatNumber, the rule of Python's
    format_number: the same text as LiveDecoder.readout_text, "0.000" for a tiny negative."""
    rng = np.random.default_rng(10)
    cases, expected = [], []
    for config in (CONFIGS[0], CONFIGS[2]):
        w = LiveDecoder(random_params(config, rng), config)
        for z in [np.full(config.latent_dim, -0.0004), *rng.uniform(-3, 3, (20, config.latent_dim))]:
            w.set_z(*z)
            cases.append({"z": w.z, "x": w.x_hat})
            expected.append(w.readout_text)
    assert expected[0].startswith("z = (0.000, 0.000)")  # never "−0.000"
    write_live_module(tmp_path)
    (tmp_path / "readout.mjs").write_text(
        'import { readoutText } from "./live.mjs";\n'
        f'const cases = {json.dumps(cases)};\n'
        'process.stdout.write(JSON.stringify(cases.map((c) => readoutText(c.z, c.x))));\n')
    proc = subprocess.run([node_path(), "readout.mjs"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == expected
