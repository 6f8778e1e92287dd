"""Which chapters are not yet converted to this edition's conventions: the ONE list to edit.

Each test parametrised over the chapters marks a chapter named here as an expected failure,
strictly: when a converted chapter passes, its test XPASSes and fails the run, saying to remove
the chapter from the list. Both sets must be empty when the evidence-layer work (issue 19) and
the JupyterLab prose work (issue 24) are done. Names are notebook stems in book/ (a name that
no longer exists is ignored).
"""
from __future__ import annotations

import pytest

#: tests/test_reader_layer.py (the guard): asserts, glue calls, tolerance comments, printed
#: validation lines and check-narrating sentences outside evidence cells; and every seeded
#: generator made through vb.rng.
EVIDENCE_PENDING: set[str] = set()

#: tests/test_prose.py: markdown not yet rewritten by scripts/prose.py (glue, citations,
#: cross-chapter references and {doc} links as text that JupyterLab shows).
PROSE_PENDING: set[str] = set()


def chapter_params(paths, pending: set[str], what: str) -> list:
    """pytest params over chapter notebooks, those in ``pending`` marked xfail(strict)."""
    return [pytest.param(p, id=p.stem, marks=pytest.mark.xfail(
                strict=True, reason=f"{p.stem} is not yet converted ({what}): remove it from "
                                    f"tests/book_status.py when it passes")) if p.stem in pending
            else pytest.param(p, id=p.stem) for p in paths]
