"""How many of 20 seed offsets each assert of the book survives.

Usage:
    python benchmarks/bench_seeds.py [--offsets 1-20] [--jobs 2] [book/NOTEBOOK.ipynb ...]
                                     (default: every chapter of _toc.yml, offsets 1..20)

Each chapter is executed once per offset k, in the pinned "vaebook" kernel, with
``VAEBOOK_SEED_OFFSET=k`` (``vaebook.rng`` then gives every seeded draw another stream). The
executed copy is transformed first (``ast``): every ``assert`` outside a function body becomes a
recorder, so a failing assert is counted and the chapter runs on to the others:

    assert TEST, MSG    ->    try: __vb_ok = bool(TEST)
                              except Exception: __vb_ok = False
                              __vb_record("cell 12 line 3", __vb_ok)

(an assert inside a loop passes for an offset only if it passed in every iteration). A cell that
raises anyway is allowed to (the run continues) and is reported. The stored notebook is never
written. Prints, per assert: cell and line, the evidence cell's claim, how many offsets passed,
and which failed. Two processes at most (this machine has two cores); a chapter takes about its
usual execution time per offset.

``--min-pass N`` exits 1 when any assert passes fewer than N offsets (the book's rule: 19 of 20
for asserts about random quantities, aim for all).
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import evidence  # noqa: E402  (scripts/evidence.py)

KERNEL = "vaebook"
SETUP = """\
__vb_results = {}
def __vb_record(key, ok):
    __vb_results[key] = __vb_results.get(key, True) and ok
"""
REPORT = "import json as __vb_json; print(__vb_json.dumps(__vb_results))"


class _Asserts(ast.NodeTransformer):
    """Every assert outside function and class bodies becomes a recorded test."""

    def __init__(self, cell: int):
        self.cell, self.keys = cell, []

    def visit_FunctionDef(self, node):
        return node  # an assert inside a function is the function's own business

    visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = visit_FunctionDef

    def visit_Assert(self, node):
        key = f"cell {self.cell} line {node.lineno}"
        self.keys.append(key)
        ok = ast.Name("__vb_ok", ast.Store())
        guarded = ast.Try(
            body=[ast.Assign([ok], ast.Call(ast.Name("bool", ast.Load()), [node.test], []))],
            handlers=[ast.ExceptHandler(ast.Name("Exception", ast.Load()), None,
                                        [ast.Assign([ast.Name("__vb_ok", ast.Store())], ast.Constant(False))])],
            orelse=[], finalbody=[])
        record = ast.Expr(ast.Call(ast.Name("__vb_record", ast.Load()),
                                   [ast.Constant(key), ast.Name("__vb_ok", ast.Load())], []))
        return [ast.copy_location(guarded, node), ast.copy_location(record, node)]


def transform(nb) -> tuple[object, dict[str, str]]:
    """A copy of ``nb`` whose asserts record instead of raising, and {assert key: claim}."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    claims = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "assert" not in cell.source:
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue  # IPython syntax (magics): left as it is
        t = _Asserts(i)
        tree = ast.fix_missing_locations(t.visit(tree))
        if t.keys:
            claim = evidence.claim_of(cell.source) or ""
            claims.update({k: claim for k in t.keys})
            cell.source = ast.unparse(tree)
    nb.cells.insert(0, nbformat.v4.new_code_cell(SETUP))
    nb.cells.append(nbformat.v4.new_code_cell(REPORT))
    return nb, claims


def run(path: str, offset: int) -> dict:
    """Execute the transformed chapter with one offset: {"results": {key: ok}, "errors": [...]}."""
    nb, _ = transform(nbformat.read(path, as_version=4))
    env = {**os.environ, "VAEBOOK_SEED_OFFSET": str(offset)}  # the kernel sets the pinned platform
    client = NotebookClient(nb, timeout=int(numerics_timeout()), kernel_name=KERNEL, allow_errors=True,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    client.execute(env=env)
    errors = [f"cell {i - 1}: {o.get('ename')}: {o.get('evalue', '')[:120]}"
              for i, c in enumerate(nb.cells) for o in c.get("outputs", []) if o.get("output_type") == "error"]
    last = "".join(o.get("text", "") for o in nb.cells[-1].get("outputs", []) if o.get("name") == "stdout")
    results = json.loads(last) if last.strip() else {}
    # cell indices of the stored notebook (the transformed copy has the setup cell first)
    return {"results": results, "errors": errors}  # keys name the stored notebook's cells


def numerics_timeout() -> int:
    import yaml

    return int(yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"])


def chapters() -> list[Path]:
    sys.path.insert(0, str(ROOT / "tests"))
    from bookpaths import chapter_files

    return [p for p in (ROOT / f"{d}.ipynb" for d in chapter_files()) if p.exists()]


def parse_offsets(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    if not out or min(out) < 1:
        raise SystemExit(f"--offsets: positive integers or ranges such as 1-20, got {text!r}")
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offsets", default="1-20", help="offsets to run, e.g. 1-20 or 1,3,5 (default 1-20)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel executions (at most 2)")
    parser.add_argument("--min-pass", type=int, default=0, help="exit 1 if an assert passes fewer offsets")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    offsets = parse_offsets(args.offsets)
    paths = [p.resolve() for p in args.notebooks] or chapters()
    jobs = max(1, min(args.jobs, 2))
    tasks = [(str(p), k) for p in paths for k in offsets]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        outcomes = dict(zip(tasks, pool.map(run, *zip(*tasks))))
    worst = len(offsets)
    for path in paths:
        _, claims = transform(nbformat.read(path, as_version=4))
        print(f"\n{path.name}: {len(claims)} asserts, offsets {args.offsets}")
        print(f"  {'assert':<20} {'passed':>7}  {'failed at offsets':<22} claim")
        for key, claim in claims.items():
            passed = [k for k in offsets if outcomes[(str(path), k)]["results"].get(key) is True]
            failed = [k for k in offsets if k not in passed]
            worst = min(worst, len(passed))
            shown = ",".join(map(str, failed[:8])) + ("..." if len(failed) > 8 else "")
            print(f"  {key:<20} {len(passed):>3}/{len(offsets):<3}  {shown or '-':<22} {claim[:70]}")
        errors = sorted({(k, e) for k in offsets for e in outcomes[(str(path), k)]["errors"]})
        for k, e in errors:
            print(f"  offset {k}: {e}")
    print(f"\nfewest offsets passed by any assert: {worst} of {len(offsets)}")
    return 1 if worst < args.min_pass else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
