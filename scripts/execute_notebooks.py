"""Execute the book's notebooks in place and store their outputs (and widget state).

Usage: python scripts/execute_notebooks.py [book/NOTEBOOK.ipynb ...]   (default: all in book/)

Notebooks are stored executed because strict nbval compares every output with the stored one.
Each notebook runs top to bottom in a fresh kernel from book/, exactly as nbval and the book
build run it. Volatile metadata (execution timings) is dropped so re-running gives clean diffs.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

BOOK = Path(__file__).resolve().parent.parent / "book"


# One BLAS thread per kernel, as in the Makefile (small matrices; threads only contend).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - t0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted(BOOK.glob("*.ipynb"))
    for p in paths:
        print(f"{p.name}: executed in {execute(p):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
