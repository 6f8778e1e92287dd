"""What a reader meets outside the folded evidence cells, counted per chapter.

Usage:
    python scripts/reader_counts.py [--list] [book/NOTEBOOK.ipynb ...]   (default: the chapters of _toc.yml)

For every chapter it counts, outside evidence cells (scripts/evidence.py: a code cell whose first
line is ``# Evidence: <claim>``):

* ``asserts``: lines of shown code that start with ``assert``;
* ``glue``: ``glue(`` calls in shown code;
* ``tolerance``: comments in shown code that state a tolerance, a measured spread or a margin
  ("# measured over three data seeds ...", "# rounding only", "# 4 SE", "# allow 25%");
* ``validation``: printed argument-validation lines in the outputs of shown cells (a line of
  library source that calls ``_checks``, a ``check_...(`` helper or raises ``ValueError`` /
  ``TypeError``; a comment line, such as the one that marks where the checks were left out, is
  not counted);
* ``narration``: sentences of the prose that narrate a check ("The check ...", "The cell
  below ...", "... checks that ...").

``--list`` prints every finding with its cell. tests/test_reader_layer.py holds every converted
chapter at zero in every column.
"""
from __future__ import annotations

import argparse
import io
import re
import sys
import tokenize
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import evidence  # noqa: E402  (scripts/evidence.py)

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("asserts", "glue", "tolerance", "validation", "narration")

ASSERT = re.compile(r"^\s*assert\b", re.M)
GLUE = re.compile(r"\bglue\s*\(")
TOLERANCE = re.compile(
    r"toleran|measured|\ballow(s|ed|ing)?\b|rounding|accurate to|agree(s|ment)? (to|within)|spread|"
    r"\b\d+(\.\d+)? ?SEs?\b|\b\d(\.\d+)?e-\d+\b|over (\w+ ){0,2}seeds|\bmargin\b|\bslack\b|^\s*check\b|"
    r"\bin every seed\b|\bevery seed\b|\bfor every seed\b", re.I)
VALIDATION = re.compile(r"\b_checks\.|\bcheck_\w+\(|\braise\s+(ValueError|TypeError)\b")
NARRATION = re.compile(
    r"\bthe (check|checks|cell|cells)\b|\b(this|next|following|previous|last) cell\b|"
    r"\bcells? (below|above)\b|\bchecks? that\b|\bassert(s|ed)? that\b|\bis asserted\b", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
CODE_OR_MATH = re.compile(r"```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$|<!--.*?-->", re.S)


def chapters() -> list[Path]:
    """The notebooks of the table of contents (_toc.yml), in reading order."""
    sys.path.insert(0, str(ROOT / "tests"))
    from bookpaths import chapter_files

    return [p for p in (ROOT / f"{doc}.ipynb" for doc in chapter_files()) if p.exists()]


def comments(source: str) -> list[tuple[int, str]]:
    """The comments of a code cell's source, with their line numbers (1-based)."""
    try:
        return [(t.start[0], t.string) for t in tokenize.generate_tokens(io.StringIO(source).readline)
                if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [(i, m.group(0)) for i, line in enumerate(source.splitlines(), 1)
                if (m := re.search(r"#.*$", line))]


def output_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        for mime in ("text/markdown", "text/plain"):
            text = out.get("data", {}).get(mime)
            if text:
                parts.append("".join(text) if isinstance(text, list) else text)
                break  # one representation of each output
    return "\n".join(parts)


def findings(nb) -> dict[str, list[str]]:
    """Everything in ``nb`` a reader meets outside evidence cells, by kind: ["cell i: ..."]."""
    found = {k: [] for k in KINDS}
    for i, cell in enumerate(nb.cells):
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown":
            prose = CODE_OR_MATH.sub(" ", source)
            for sentence in SENTENCE_END.split(prose):
                if NARRATION.search(sentence):
                    found["narration"].append(f"cell {i}: {' '.join(sentence.split())[:120]}")
            continue
        if cell.get("cell_type") != "code" or evidence.is_evidence(cell):
            continue
        lines = source.splitlines()
        for n, line in enumerate(lines, 1):
            if ASSERT.match(line):
                found["asserts"].append(f"cell {i} line {n}: {line.strip()[:100]}")
            if GLUE.search(line.split("#", 1)[0]):
                found["glue"].append(f"cell {i} line {n}: {line.strip()[:100]}")
        for n, comment in comments(source):
            if TOLERANCE.search(comment.lstrip("# ")):
                found["tolerance"].append(f"cell {i} line {n}: {comment.strip()[:100]}")
        for line in output_text(cell).splitlines():
            if VALIDATION.search(line) and not line.lstrip().startswith("#"):
                found["validation"].append(f"cell {i} output: {line.strip()[:100]}")
    return found


def counts(path: Path) -> dict[str, int]:
    return {k: len(v) for k, v in findings(nbformat.read(path, as_version=4)).items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print every finding")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or chapters()
    width = max(len(p.stem) for p in paths)
    print(f"{'chapter':<{width}}  " + "  ".join(f"{k:>10}" for k in KINDS))
    total = dict.fromkeys(KINDS, 0)
    for path in paths:
        found = findings(nbformat.read(path, as_version=4))
        print(f"{path.stem:<{width}}  " + "  ".join(f"{len(found[k]):>10}" for k in KINDS))
        for k in KINDS:
            total[k] += len(found[k])
        if args.list:
            for k in KINDS:
                for f in found[k]:
                    print(f"    {k}: {f}")
    print(f"{'total':<{width}}  " + "  ".join(f"{total[k]:>10}" for k in KINDS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
