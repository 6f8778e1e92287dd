"""The evidence layer's metadata (scripts/evidence.py): set from each evidence cell's first line."""
from __future__ import annotations

import copy
import subprocess
import sys

import evidence
import nbformat
import pytest

from bookpaths import ROOT, notebooks

CLAIM = "the closed-form KL equals the quadrature to 1e-8"


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) if kind == "code" else nbformat.v4.new_markdown_cell(src)
                for kind, src in cells]
    return nb


def test_apply_sets_exactly_the_metadata_of_the_convention_and_is_idempotent():
    nb = notebook(("code", f"# Evidence: {CLAIM}\nassert 1 + 1 == 2"), ("code", "x = 1"),
                  ("markdown", "# Evidence: a heading, not a cell"))
    nb.cells[0].metadata = {"tags": ["hide-input"], "collapsed": False, "editable": True}
    assert evidence.apply(nb) == 1
    assert nb.cells[0].metadata == {
        "editable": True,  # other keys are kept
        "tags": ["evidence", "hide-cell"],
        "mystnb": {"code_prompt_show": f"Evidence: {CLAIM}", "code_prompt_hide": "Hide the evidence"},
        "jupyter": {"source_hidden": True, "outputs_hidden": True}}
    assert nb.cells[1].metadata == {} and nb.cells[2].metadata == {}
    again = copy.deepcopy(nb)
    assert evidence.apply(again) == 0 and again == nb
    assert evidence.problems(nb) == []


def test_check_lists_cells_whose_metadata_disagrees_with_the_first_line():
    nb = notebook(("code", f"# Evidence: {CLAIM}\nassert True"), ("code", "# Evidence: another claim\npass"))
    evidence.apply(nb)
    nb.cells[0].source = nb.cells[0].source.replace("1e-8", "1e-9")  # label edited, metadata not
    nb.cells[1].metadata["jupyter"]["source_hidden"] = False             # opened and saved in JupyterLab
    found = evidence.problems(nb)
    assert len(found) == 2 and found[0].startswith("cell 0") and "code_prompt_show" in found[0], found
    assert found[1].startswith("cell 1") and "jupyter" in found[1], found
    evidence.apply(nb)
    assert evidence.problems(nb) == []


def test_a_cell_that_is_no_longer_evidence_loses_the_evidence_metadata():
    nb = notebook(("code", f"# Evidence: {CLAIM}\nassert True"))
    evidence.apply(nb)
    nb.cells[0].source = "print('a demonstration now')"
    assert evidence.problems(nb) == ["cell 0: evidence metadata, but the source does not start with '# Evidence:'"]
    evidence.apply(nb)
    assert nb.cells[0].metadata == {} and evidence.problems(nb) == []


@pytest.mark.parametrize("source, message", [
    ("# Evidence:\nassert True", "no claim"),
    ("# Evidence: " + "x" * 91 + "\nassert True", "91 characters"),
    ("import numpy\n# Evidence: late\nassert True", "not the cell's exact first line"),
    ("# evidence: lower case\nassert True", "not the cell's exact first line"),
])
def test_malformed_evidence_lines_are_reported(source, message):
    found = evidence.problems(notebook(("code", source)))
    assert any(message in f for f in found), found


def test_the_command_line_check_fails_and_the_fix_passes(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook(("code", f"# Evidence: {CLAIM}\nassert True")), path)
    script = [sys.executable, str(ROOT / "scripts" / "evidence.py")]
    check = subprocess.run(script + ["--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 1 and "cell 0" in check.stdout, check.stdout
    fix = subprocess.run(script + [str(path)], capture_output=True, text=True)
    assert fix.returncode == 0 and "1 cell(s) updated" in fix.stdout, fix.stdout + fix.stderr
    assert subprocess.run(script + ["--check", str(path)]).returncode == 0


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_every_evidence_cell_of_the_book_carries_its_metadata(path):
    found = evidence.problems(nbformat.read(path, as_version=4))
    assert not found, f"{path.name}: run `python scripts/evidence.py {path.relative_to(ROOT)}`:\n" + "\n".join(found)


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_the_site_shows_each_evidence_cell_folded_behind_its_claim(built_site, path):
    """myst-nb's hide-cell with the per-cell prompt: a closed <details> whose summary is the claim,
    holding the cell's source and outputs (the cell still ran: its outputs are in the page)."""
    import html
    import re

    nb = nbformat.read(path, as_version=4)
    page = (built_site / f"{path.relative_to(ROOT).with_suffix('')}.html").read_text(encoding="utf-8")
    folded = re.findall(r'<details class="admonition hide above-input">\s*<summary[^>]*>\s*'
                        r'<p class="collapsed admonition-title">(.*?)</p>\s*'
                        r'<p class="expanded admonition-title">(.*?)</p>', page, re.S)
    claims = [evidence.claim_of(c.source) for c in nb.cells if evidence.is_evidence(c)]
    # a folded helper with a prompt of its own (chapter 6's judge) is not evidence
    folded = [(a, b) for a, b in folded if html.unescape(a).startswith("Evidence: ")]
    assert [(html.unescape(a), html.unescape(b)) for a, b in folded] == [
        (f"Evidence: {c}", evidence.HIDE_PROMPT) for c in claims], f"{path.name}: folded cells on the page"
