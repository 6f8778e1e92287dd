"""benchmarks/bench_seeds.py's transform: a failing assert is counted and the chapter runs on."""
from __future__ import annotations

import sys

import nbformat

from bookpaths import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_seeds  # noqa: E402


def test_asserts_record_instead_of_raising_and_the_run_goes_on():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("# Evidence: small numbers are small\nx = 3\nassert x < 2, 'too big'\n"
                                  "assert x < 5\nfor k in range(3):\n    assert k > 0\nassert 1 / 0 > 0"),
        nbformat.v4.new_markdown_cell("assert False"),
        nbformat.v4.new_code_cell("def f(y):\n    assert y > 0\n    return y\nreached = f(1)"),
    ]
    copy, claims = bench_seeds.transform(nb)
    assert nb.cells[0].source.startswith("# Evidence:"), "the stored notebook must not change"
    assert claims == {f"cell 0 line {n}": "small numbers are small" for n in (3, 4, 6, 7)}
    namespace = {}
    for cell in copy.cells[:-1]:
        if cell.cell_type == "code":
            exec(cell.source, namespace)  # noqa: S102 - the transformed test notebook
    assert namespace["__vb_results"] == {"cell 0 line 3": False, "cell 0 line 4": True,
                                         "cell 0 line 6": False, "cell 0 line 7": False}
    assert namespace["reached"] == 1 and "assert y > 0" in copy.cells[3].source  # functions untouched


def test_offsets_parse():
    assert bench_seeds.parse_offsets("1-3,7") == [1, 2, 3, 7]
