"""Mutation testing of the core and estimator modules with mutmut: prints the mutation score.

mutmut (a standard mutation-testing tool, configured under ``[tool.mutmut]`` in pyproject.toml)
changes one operator, constant or name at a time in the mutated modules and runs the tests that
cover the changed function; a mutant that no test notices *survives*. This script runs it in a
scratch copy of the repository (so no ``mutants/`` folder is left in the tree) and prints the
score per module, overall and on the core modules (formulas, layers, model, optim, train, iwae),
and every surviving mutant's diff. benchmarks/README.md explains the surviving mutants.

    .venv/bin/python benchmarks/bench_mutation.py [--max-children 2] [--keep DIR]
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ("formulas", "layers", "model", "optim", "train", "iwae")
COPY = ["vaebook", "tests", "scripts", "benchmarks", "conftest.py", "pyproject.toml", "numerics.env",
        "_config.yml", "_toc.yml"]


def mutmut(args, cwd: Path, **kw) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("mutmut")
    return subprocess.run([str(exe), *args], cwd=cwd, text=True, capture_output=True, **kw)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-children", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="run in this folder and keep it (default: a temporary one)")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="vaebook-mutation-"))
    work.mkdir(parents=True, exist_ok=True)
    for name in COPY:
        src, dst = ROOT / name, work / name
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "results"))
        else:
            shutil.copy2(src, dst)
    (work / "benchmarks" / "results").mkdir(exist_ok=True)
    for f in (ROOT / "benchmarks" / "results").iterdir():
        shutil.copy2(f, work / "benchmarks" / "results" / f.name)
    t0 = time.perf_counter()
    run = mutmut(["run", "--max-children", str(args.max_children)], work)
    elapsed = time.perf_counter() - t0
    res = mutmut(["results", "--all", "true"], work)
    status = {}
    for line in res.stdout.splitlines():
        m = re.match(r"\s*(\S+): (\S.*)$", line)
        if m:
            status[m.group(1)] = m.group(2).strip()
    if not status:
        print(run.stdout[-3000:], run.stderr[-3000:], res.stdout[-2000:], res.stderr[-2000:], sep="\n")
        return 1
    per_module = defaultdict(Counter)
    for name, st in status.items():
        per_module[name.split(".")[1]][st] += 1        # vaebook.model.x_encode__mutmut_3

    def score(counter) -> tuple[int, int, float]:
        """Killed over all mutants that ran or that no test reached ("no tests" counts as survived)."""
        killed = counter["killed"] + counter["timeout"]
        tested = killed + counter["survived"] + counter["no tests"]
        return killed, tested, 100.0 * killed / tested if tested else float("nan")

    print(f"mutmut over {len(status)} mutants in {elapsed:.0f} s ({args.max_children} workers)")
    print(f"{'module':<12} {'killed':>7} {'mutants':>7} {'score':>7}   not killed")
    for mod in sorted(per_module):
        k, t, s = score(per_module[mod])
        other = {st: n for st, n in per_module[mod].items() if st not in ("killed", "timeout")}
        print(f"{mod:<12} {k:>7} {t:>7} {s:>6.1f}%   {other or ''}")
    core = sum((per_module[m] for m in CORE), Counter())
    total = sum(per_module.values(), Counter())
    print(f"core modules ({', '.join(CORE)}): {score(core)[2]:.1f}% ({score(core)[0]}/{score(core)[1]})")
    print(f"all mutated modules: {score(total)[2]:.1f}% ({score(total)[0]}/{score(total)[1]})")
    survivors = sorted(n for n, st in status.items() if st in ("survived", "no tests"))
    print(f"\n{len(survivors)} surviving mutants:")
    for name in survivors:
        diff = mutmut(["show", name], work).stdout
        changed = [ln for ln in diff.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
        print(f"  {name} ({status[name]})")
        for ln in changed:
            print(f"      {ln.strip()[:140]}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
