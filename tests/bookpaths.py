"""Paths and settings of the book that several test files need."""
from __future__ import annotations

import platform
import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def cell_timeout() -> int:
    """The one per-cell timeout, in seconds: `execute.timeout` in _config.yml (scripts/numerics.py)."""
    import numerics  # scripts/ is on sys.path (the root conftest.py puts it there)

    return numerics.cell_timeout()


def chapter_files() -> list[str]:
    """The documents listed in _toc.yml, in reading order, e.g. 'book/06_implementation'."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    toc = parse_toc_yaml(ROOT / "_toc.yml")
    order, stack = [], [toc.root.docname]
    while stack:
        name = stack.pop(0)
        order.append(name)
        stack = [ref for sub in toc[name].subtrees for ref in sub.items if isinstance(ref, str)] + stack
    return order


def notebooks() -> list[Path]:
    """Every chapter notebook in book/."""
    return sorted((ROOT / "book").glob("*.ipynb"))


def stored_outputs_config() -> dict:
    """_config.yml with execution off (paths made absolute, since the copy lives elsewhere)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    sphinx = config.get("sphinx", {})
    sphinx["local_extensions"] = {k: str(ROOT / v) for k, v in sphinx.get("local_extensions", {}).items()}
    return config


def node_path() -> str:
    """The `node` executable that runs the widgets' JavaScript in tests, or a clear failure."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed to test the widgets' JavaScript: install it "
                    "(apt-get install nodejs) so that `node` is on PATH")
    return node


def run_node_json(folder: Path, script: str, payload):
    """Run the ES module ``folder/script`` in Node with ``payload`` as JSON on its standard
    input; return the JSON it writes to standard output (a failure shows Node's stderr)."""
    import json
    import subprocess

    proc = subprocess.run([node_path(), script], input=json.dumps(payload), capture_output=True,
                          text=True, cwd=folder, timeout=120)
    assert proc.returncode == 0, f"node failed:\n{proc.stderr}"
    return json.loads(proc.stdout)


#: the machine runs x86-64, where the numerical platform is pinned (numerics.env)
X86 = platform.machine().lower() in ("x86_64", "amd64")
x86_only = pytest.mark.skipif(not X86, reason="the pinned platform is defined for x86-64 only")

#: The seed offset of the foreign run: one of the 20 that benchmarks/bench_seeds.py measures.
FOREIGN_SEED_OFFSET = "7"
#: a deliberately different x86-64 platform: another OpenBLAS kernel and NumPy's baseline SIMD
#: level, with every seeded draw of a chapter shifted (vaebook.rng reads VAEBOOK_SEED_OFFSET)
FOREIGN = {"OPENBLAS_CORETYPE": "Sandybridge", "NPY_ENABLE_CPU_FEATURES": "X86_V2",
           "NPY_DISABLE_CPU_FEATURES": "", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "VAEBOOK_SEED_OFFSET": FOREIGN_SEED_OFFSET}


def run_notebook(nb, kernel_name: str, env: dict[str, str], path=ROOT / "book"):
    """Execute the notebook ``nb`` in place in kernel ``kernel_name`` with environment ``env``,
    from folder ``path``, with the book's per-cell timeout; raises on a failing cell."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=cell_timeout(), kernel_name=kernel_name,
                            resources={"metadata": {"path": str(path)}})
    client.execute(env=env)
    return nb
