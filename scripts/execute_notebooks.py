"""Execute the book's notebooks in place and store their outputs (and widget state).

Usage: python scripts/execute_notebooks.py [book/NOTEBOOK.ipynb ...]   (default: all in book/)

Notebooks are stored executed because strict nbval compares every output with the stored one.
Each notebook runs top to bottom in a fresh "vaebook" kernel (the pinned numerical platform of
numerics.env) from book/, exactly as nbval and the book build run it, with the book's one
per-cell timeout (`execute.timeout` in _config.yml). Volatile metadata (execution timings) is
dropped so re-running gives clean diffs.

After executing, the notebook's evidence cells get their metadata from their first line
(scripts/evidence.py) and the text of every glue, citation and cross-chapter reference role is
written into its markdown (scripts/prose.py), from the outputs just stored.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

import numerics  # scripts/numerics.py (this script's folder): the kernel and the book's timeout

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import evidence  # noqa: E402  (scripts/evidence.py)
import prose  # noqa: E402  (scripts/prose.py)

BOOK = ROOT / "book"
KERNEL = {"name": numerics.KERNEL_NAME, "display_name": numerics.KERNEL_DISPLAY_NAME, "language": "python"}
TIMEOUT = numerics.cell_timeout()


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = dict(KERNEL)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=TIMEOUT, kernel_name=KERNEL["name"], store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - t0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    evidence.apply(nb)
    prose.convert(nb, path)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted(BOOK.glob("*.ipynb"))
    for p in paths:
        print(f"{p.name}: executed in {execute(p):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
