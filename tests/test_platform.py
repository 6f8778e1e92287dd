"""The pinned numerical platform (numerics.env), and what the stored notebooks may print.

Strict nbval (in `make test`) compares every stored output on the pinned platform. In
tests/test_foreign_platform.py every chapter is executed once more on a deliberately different
platform: another OpenBLAS kernel
(Sandybridge, AVX) and another NumPy SIMD level (the x86-64-v2 baseline), with every seeded draw
shifted (``VAEBOOK_SEED_OFFSET``, read by ``vaebook.rng``). Outputs are not compared (their last
digits may differ, and the draws are others), but every cell must run and every assert must
hold: a claim that fails here was tuned to one machine's rounding or to one seed's luck, not to
the mathematics. (benchmarks/bench_seeds.py counts, per assert, how many of 20 offsets pass.)
"""
from __future__ import annotations

import json
import os
import re

import nbformat

import numerics
from bookpaths import FOREIGN, FOREIGN_SEED_OFFSET, X86, notebooks, x86_only  # noqa: F401  (shared with other tests)
from bookpaths import run_notebook as _run

PROBE = """\
import json, numpy, threadpoolctl
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
import vaebook
print(json.dumps({
    "blas": sorted({i.get("architecture") for i in threadpoolctl.threadpool_info() if i["internal_api"] == "openblas"}),
    "simd": [f for f in __cpu_dispatch__ if __cpu_features__.get(f)],
    "shifted": bool(vaebook.rng(0).random() != numpy.random.default_rng(0).random()),
}))
"""


def _probe(kernel_name: str, env: dict[str, str]) -> tuple[dict, list]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    outputs = _run(nb, kernel_name, env).cells[0].outputs
    stdout = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
    stderr = [o for o in outputs if o.get("name") == "stderr"]
    return json.loads(stdout), stderr


@x86_only
def test_pinned_kernel_holds_its_platform_whatever_the_caller_exports():
    pin = numerics.pinned_env()
    hostile = {**os.environ, "OPENBLAS_CORETYPE": "Sandybridge", "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4",
               "OPENBLAS_NUM_THREADS": "2"}
    seen, stderr = _probe(numerics.KERNEL_NAME, hostile)
    assert seen["blas"] == [pin["OPENBLAS_CORETYPE"]], seen
    assert seen["simd"] == pin["NPY_ENABLE_CPU_FEATURES"].split(), seen
    assert stderr == [], f"the pinned kernel printed to stderr: {stderr}"


@x86_only
def test_the_foreign_platform_really_differs_from_the_pin():
    seen, stderr = _probe("python3", {**os.environ, **FOREIGN})
    pin = numerics.pinned_env()
    assert seen["blas"] == ["Sandybridge"] and seen["blas"] != [pin["OPENBLAS_CORETYPE"]], seen
    assert seen["simd"] == [], seen  # the baseline only
    assert seen["shifted"] is True, "the foreign kernel does not see VAEBOOK_SEED_OFFSET: its draws are the stored ones"
    assert stderr == [], stderr


def test_stored_notebooks_use_the_pinned_kernel_and_print_no_stderr():
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata.get("kernelspec", {}).get("name") == numerics.KERNEL_NAME, path.name
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                assert out.get("name") != "stderr", f"{path.name} cell {i} wrote to stderr: {out.get('text', '')[:200]}"



NUMBER = re.compile(r"(?<![\w.])[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?(?![\w.])")


def rounding_noise(text: str) -> list[str]:
    """The numbers in printed text that carry unstable digits: more than 8 significant digits,
    or a value below 1e-12 (rounding noise printed as a figure, e.g. 4.5e-16 or 0.0e+00). An exact
    power of ten (a stated tolerance such as "< 1e-13") is a statement, not a figure."""
    found = []
    for m in NUMBER.finditer(text):
        mantissa, exponent = m.group(1), m.group(2)
        digits = mantissa.replace(".", "").lstrip("0")
        if "." not in mantissa:
            digits = digits.rstrip("0")
        value = float(m.group(0))
        if exponent and mantissa.lstrip("+-") in ("1", "1.", "1.0"):
            continue
        if len(digits) > 8 or (value != 0 and abs(value) < 1e-12) or (value == 0 and exponent):
            found.append(m.group(0))
    return found


def test_rounding_noise_detector():
    assert rounding_noise("rel. error 4.5e-16, 0.0e+00, loss 177.379896122606") == ["4.5e-16", "0.0e+00", "177.379896122606"]
    assert rounding_noise("KL 0.4812 nats, 16000 steps, seed 0, < 1e-13, 2.5e-05, (64, 33), 1.2345678") == []


def test_no_stored_output_prints_rounding_noise():
    offenders = []
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                texts = [out.get("text", "")] if out.get("output_type") == "stream" else \
                        [out.get("data", {}).get("text/plain", "")]
                for text in texts:
                    text = "".join(text) if isinstance(text, list) else text
                    noise = rounding_noise(text)
                    if noise:
                        offenders.append(f"{path.name} cell {i}: {noise[:4]}")
    assert not offenders, "printed rounding noise:\n" + "\n".join(offenders)
