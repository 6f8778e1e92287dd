"""The evidence layer: set (or check) the metadata of every evidence cell from its first line.

Usage:
    python scripts/evidence.py [--check] [book/NOTEBOOK.ipynb ...]   (default: every notebook in book/)

An evidence cell is a code cell whose source starts with the line ``# Evidence: <claim>`` (the
claim in one line, at most 90 characters). Its metadata is exactly

    {"tags": ["evidence", "hide-cell"],
     "mystnb": {"code_prompt_show": "Evidence: <claim>", "code_prompt_hide": "Hide the evidence"},
     "jupyter": {"source_hidden": true, "outputs_hidden": true}}

so the site (myst-nb's ``hide-cell`` with a per-cell prompt) shows it folded behind its claim and
JupyterLab shows it collapsed. The first line is the one source of truth: this script writes the
metadata from it (idempotent: a notebook already right is not rewritten), and removes the
evidence metadata from a cell that no longer starts with ``# Evidence:``. Other metadata keys of
the cell are kept, except ``collapsed`` (the old name of ``outputs_hidden``).

``--check`` writes nothing and exits 1, listing every cell whose metadata disagrees with its
first line, and every evidence line that is malformed (empty, longer than 90 characters, or not
the cell's first line).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
PREFIX = "# Evidence:"
FIRST_LINE = re.compile(r"^# Evidence:[ \t]*(.*?)[ \t]*$")
MAX_CLAIM = 90
HIDE_PROMPT = "Hide the evidence"
TAGS = ["evidence", "hide-cell"]
#: The metadata keys this script owns: set on evidence cells, removed from other cells.
OWNED = ("tags", "mystnb", "jupyter", "collapsed")


def claim_of(source: str) -> str | None:
    """The claim on the cell's first line, or None when the cell is not an evidence cell."""
    first = source.split("\n", 1)[0]
    m = FIRST_LINE.match(first)
    return m.group(1) if m else None


def expected_metadata(claim: str) -> dict:
    return {"tags": list(TAGS),
            "mystnb": {"code_prompt_show": f"Evidence: {claim}", "code_prompt_hide": HIDE_PROMPT},
            "jupyter": {"source_hidden": True, "outputs_hidden": True}}


def is_evidence(cell) -> bool:
    return cell.get("cell_type") == "code" and claim_of("".join(cell.get("source", ""))) is not None


def _malformed(source: str) -> str | None:
    claim = claim_of(source)
    if claim is None:
        if re.search(r"^\s*#\s*Evidence\s*:", source, re.M | re.I):
            return "a '# Evidence:' line that is not the cell's exact first line"
        return None
    if not claim:
        return "'# Evidence:' with no claim"
    if len(claim) > MAX_CLAIM:
        return f"claim of {len(claim)} characters (at most {MAX_CLAIM})"
    if "{type}" in claim:
        return "claim contains '{type}' (myst-nb would substitute it)"
    return None


def _without_evidence(metadata: dict) -> dict:
    """The metadata of a cell that is not (or no longer) an evidence cell."""
    md = dict(metadata)
    tags = [t for t in md.get("tags", []) if t not in TAGS]
    if tags:
        md["tags"] = tags
    else:
        md.pop("tags", None)
    mystnb = {k: v for k, v in md.get("mystnb", {}).items()
              if k not in ("code_prompt_show", "code_prompt_hide")}
    if mystnb:
        md["mystnb"] = mystnb
    else:
        md.pop("mystnb", None)
    jupyter = {k: v for k, v in md.get("jupyter", {}).items()
               if k not in ("source_hidden", "outputs_hidden")}
    if jupyter:
        md["jupyter"] = jupyter
    else:
        md.pop("jupyter", None)
    return md


def _carries_evidence(metadata: dict) -> bool:
    """Tagged as evidence (a folded cell with a prompt of its own, e.g. a helper the reader may
    open, is not evidence unless its first line says so)."""
    return "evidence" in metadata.get("tags", [])


def malformed(nb) -> list[str]:
    """Every evidence line that is malformed (this script cannot fix these)."""
    return [f"cell {i}: {bad}" for i, cell in enumerate(nb.cells)
            if cell.get("cell_type") == "code" and (bad := _malformed("".join(cell.get("source", ""))))]


def problems(nb) -> list[str]:
    """Every malformed evidence line, and every cell whose evidence metadata disagrees with its
    first line (empty when all agree)."""
    found = malformed(nb)
    for i, cell in enumerate(nb.cells):
        source = "".join(cell.get("source", ""))
        md = dict(cell.get("metadata", {}))
        if cell.get("cell_type") != "code":
            if _carries_evidence(md):
                found.append(f"cell {i}: a {cell.get('cell_type')} cell with evidence metadata")
            continue
        claim = claim_of(source)
        if claim is None:
            if _carries_evidence(md):
                found.append(f"cell {i}: evidence metadata, but the source does not start with '{PREFIX}'")
            continue
        want = expected_metadata(claim)
        for key, value in want.items():
            if md.get(key) != value:
                found.append(f"cell {i} ({claim[:40]!r}): metadata {key} is {md.get(key)!r}, expected {value!r}")
        if "collapsed" in md:
            found.append(f"cell {i} ({claim[:40]!r}): stray 'collapsed' metadata")
    return found


def apply(nb) -> int:
    """Set every cell's evidence metadata from its first line; return how many cells changed."""
    changed = 0
    for cell in nb.cells:
        md = dict(cell.get("metadata", {}))
        claim = claim_of("".join(cell.get("source", ""))) if cell.get("cell_type") == "code" else None
        if claim is None:
            new = _without_evidence(md) if _carries_evidence(md) else md
        else:
            new = {k: v for k, v in md.items() if k not in OWNED}
            new.update(expected_metadata(claim))
        if new != md:
            cell["metadata"] = nbformat.from_dict(new)
            changed += 1
    return changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 on any disagreement")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(BOOK.glob("*.ipynb"))
    status = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if args.check:
            found = problems(nb)
            if found:
                status = 1
                print(f"{path}: {len(found)} evidence cell(s) disagree with their first line")
                print("\n".join("  " + f for f in found))
            continue
        bad = malformed(nb)
        changed = apply(nb)
        if changed:
            nbformat.write(nb, path)
        n = sum(is_evidence(c) for c in nb.cells)
        print(f"{path.name}: {n} evidence cells, {changed} cell(s) updated")
        if bad:
            status = 1
            print("\n".join("  " + f for f in bad))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
