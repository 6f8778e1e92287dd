"""The guard of the evidence layer (issue 19): a converted chapter shows the reader no assert, no
glue call, no tolerance comment, no printed argument-validation line and no sentence that
narrates a check, outside its folded evidence cells (the counting is scripts/reader_counts.py's,
which prints the same counts per chapter); and it draws every seeded random number through
``vb.rng`` (so VAEBOOK_SEED_OFFSET reaches it). Chapters not yet converted are listed in
tests/book_status.py."""
from __future__ import annotations

import re

import nbformat
import pytest
import reader_counts
from book_status import EVIDENCE_PENDING, chapter_params


def test_the_guard_sees_each_kind_of_finding():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1\nassert x == 1   # rounding only\nglue('x', x, display=False)"),
        nbformat.v4.new_code_cell("# Evidence: x is one\nassert x == 1  # 4 SE\nglue('y', x)"),
        nbformat.v4.new_code_cell("show_source(f)", outputs=[nbformat.v4.new_output(
            "execute_result", {"text/plain": "def f(x):\n    x = _checks.finite_matrix(x, 'x')\n"
                                             "    # argument checks: vaebook/_checks.py\n    return x"},
            execution_count=1)]),
        nbformat.v4.new_markdown_cell("We derive the bound. The check below draws 1000 points. "
                                      "Then `assert x` and $the cell$ are code and maths."),
    ]
    found = reader_counts.findings(nb)
    assert {k: len(v) for k, v in found.items()} == {
        "asserts": 1, "glue": 1, "tolerance": 1, "validation": 1, "narration": 1}, found
    assert found["narration"][0].startswith("cell 3: The check below")


@pytest.mark.parametrize("path", chapter_params(reader_counts.chapters(), EVIDENCE_PENDING, "evidence layer"))
def test_a_chapter_shows_no_evidence_outside_its_evidence_cells(path):
    found = reader_counts.findings(nbformat.read(path, as_version=4))
    shown = [f"{kind}: {f}" for kind, items in found.items() for f in items]
    assert not shown, (f"{path.name} shows the reader {len(shown)} piece(s) of evidence outside evidence "
                       "cells (python scripts/reader_counts.py --list):\n" + "\n".join(shown[:30]))


#: A generator or a global seed made without vb.rng: VAEBOOK_SEED_OFFSET would not reach it.
DIRECT_SEED = re.compile(r"\b(default_rng|RandomState|random\.seed|SeedSequence)\s*\(")


def direct_seeds(nb) -> list[str]:
    """Code lines of any cell (evidence cells included) that seed a generator without vb.rng."""
    return [f"cell {i} line {n}: {line.strip()[:100]}" for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code"
            for n, (line, code) in enumerate(((ln, ln.split("#", 1)[0]) for ln in cell.source.splitlines()), 1)
            if DIRECT_SEED.search(code)]


def test_the_seed_rule_sees_a_direct_generator():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("rng = np.random.default_rng(3)  # not shifted"),
                nbformat.v4.new_code_cell("# Evidence: c\nr = vb.rng(3)\nx = np.random.RandomState(0)"),
                nbformat.v4.new_code_cell("rng = vb.rng(3)  # like np.random.default_rng(3) when the offset is 0")]
    assert direct_seeds(nb) == ["cell 0 line 1: rng = np.random.default_rng(3)  # not shifted",
                                "cell 1 line 3: x = np.random.RandomState(0)"]


@pytest.mark.parametrize("path", chapter_params(reader_counts.chapters(), EVIDENCE_PENDING, "seeds through vb.rng"))
def test_a_chapter_seeds_every_draw_through_vb_rng(path):
    found = direct_seeds(nbformat.read(path, as_version=4))
    assert not found, (f"{path.name} seeds generators directly; use vb.rng(seed), which VAEBOOK_SEED_OFFSET "
                       "shifts:\n" + "\n".join(found))
