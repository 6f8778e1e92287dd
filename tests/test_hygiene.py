"""Repository hygiene: one version number, declared dependencies equal to what is imported, no
control characters in source files, the linter passes, and `make check` executes the chapters."""
from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import vaebook

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(ROOT.glob("book/*.ipynb"))

#: import name -> distribution name, where they differ
DISTRIBUTION = {"PIL": "pillow", "sklearn": "scikit-learn", "yaml": "pyyaml", "matplotlib_inline": "matplotlib-inline",
                "myst_nb": "myst-nb", "sphinx_external_toc": "sphinx-external-toc"}
#: declared in requirements.txt although nothing imports them: the tools, each for a reason
TOOLS = {
    "jupyter-book": "builds the site (make book)",
    "sphinx-exercise": "a Sphinx extension named in _config.yml",
    "ipykernel": "the chapters' kernel",
    "jupyterlab": "make lab",
    "jupyterlab-myst": "JupyterLab renders MyST",
    "pytest-xdist": "make test's workers",
    "nbval": "the chapters under pytest",
    "build": "tests/test_packaging.py runs python -m build",
    "setuptools": "the build backend, without isolation",
    "threadpoolctl": "imported by the code tests/test_platform.py runs in a subprocess",
    "ruff": "make lint, and test_ruff_passes",
    "mutmut": "benchmarks/bench_mutation.py runs it",
}
#: modules of this repository that are imported by name (not distributions)
LOCAL = {"vaebook", "bookpaths", "browser", "numerics", "bench_configs", "bench_generator_models", "test_ch07",
         "vaebook_site", "vaebook_prose", "conftest", "evidence", "prose", "book_status", "reader_counts",
         "bench_loss_models", "bench_seeds", "bench_playground", "generator_fixtures", "test_playground", "test_site", "vaebook_icons"}


def imported_modules(source: str) -> set[str]:
    """Top-level names of every absolute import in ``source``."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def code_cells(nb: Path) -> str:
    cells = json.loads(nb.read_text())["cells"]
    lines = [line for c in cells if c["cell_type"] == "code" for line in "".join(c["source"]).splitlines()]
    return "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))


def third_party(modules: set[str]) -> set[str]:
    names = modules - set(sys.stdlib_module_names) - LOCAL - {"__future__"}
    return {DISTRIBUTION.get(m, m).lower().replace("_", "-") for m in names}


def declared(lines) -> set[str]:
    out = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            out.add(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return out


def package_imports() -> set[str]:
    return third_party(set().union(*(imported_modules(p.read_text()) for p in (ROOT / "vaebook").rglob("*.py"))))


def test_package_dependencies_are_what_the_package_imports():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert declared(pyproject["project"]["dependencies"]) == package_imports()


def test_requirements_are_what_the_book_tests_scripts_and_benchmarks_import():
    files = [*(ROOT / "vaebook").rglob("*.py"), *(ROOT / "tests").glob("*.py"), *(ROOT / "scripts").glob("*.py"),
             *(ROOT / "benchmarks").glob("*.py"), *(ROOT / "site").glob("*.py"), ROOT / "conftest.py"]
    imported = third_party(set().union(*(imported_modules(p.read_text()) for p in files),
                                       *(imported_modules(code_cells(nb)) for nb in CHAPTERS)))
    reqs = declared((ROOT / "requirements.txt").read_text().splitlines())
    assert imported - reqs == set(), "imported but not declared in requirements.txt"
    assert reqs - imported - set(TOOLS) == set(), "declared in requirements.txt but neither imported nor a tool"
    assert set(TOOLS) <= reqs


def test_the_dependency_check_sees_an_undeclared_import():
    assert third_party(imported_modules("import PIL.Image\nfrom sklearn import datasets\nimport os")) == \
        {"pillow", "scikit-learn"}
    assert declared(["numpy>=2.0,<2.5   # a comment", "-e .", "scikit_learn>=1"]) == {"numpy", "scikit-learn"}


def test_one_version_number():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert vaebook.__version__ == importlib.metadata.version("vaebook") == pyproject["project"]["version"]
    literal = [p for p in (ROOT / "vaebook").rglob("*.py") if re.search(r"__version__\s*=\s*['\"]", p.read_text())]
    assert literal == []


def tracked_text_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    files = []
    for name in out:
        path = ROOT / name
        if name == "Makefile" or not path.is_file():       # make needs its tabs
            continue
        data = path.read_bytes()
        if b"\0" not in data[:8192]:                        # text, not a binary (PNG, npz, ...)
            files.append(path)
    return files


def control_characters(data: bytes) -> list[int]:
    """Offsets of bytes below 0x20 other than a newline (a form-feed, a tab, an escape, a CR)."""
    return [m.start() for m in re.finditer(rb"[\x00-\x09\x0b-\x1f]", data)]


def test_no_control_characters_in_source_files():
    bad = {str(p.relative_to(ROOT)): control_characters(p.read_bytes())[:3] for p in tracked_text_files()}
    assert {k: v for k, v in bad.items() if v} == {}
    assert control_characters(b'r"""\\frac and \x0crac and a\ttab"""') == [14, 24]


def test_ruff_passes():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def make_dry_run(target: str) -> list[str]:
    """The pytest command that `make -n TARGET` would run, as a list of arguments."""
    out = subprocess.run(["make", "-n", target], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    (line,) = [ln for ln in out.splitlines() if " -m pytest " in ln]
    return shlex.split(line)


@pytest.mark.slow
def test_make_check_executes_every_chapter_without_comparing_outputs():
    cmd = make_dry_run("check")
    assert "--nbval-lax" in cmd and "--nbval" not in cmd
    assert cmd[cmd.index("--nbval-kernel-name") + 1] == "vaebook"
    # collect what that command collects, without the workers, and find every chapter's cells
    i = cmd.index("-n")
    cmd = cmd[:i] + cmd[i + 2:]
    cmd = [sys.executable if c.endswith("python") else c for c in cmd if c not in ("--dist", "loadfile")]
    out = subprocess.run(cmd + ["--collect-only", "-q", "book"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    collected = {line.split("::")[0] for line in out.stdout.splitlines() if "::Cell " in line}
    assert collected == {str(nb.relative_to(ROOT)) for nb in CHAPTERS}


def test_lax_mode_compares_no_chapter_output():
    """nbval's lax mode still compares a cell marked NBVAL_CHECK_OUTPUT: no chapter has one."""
    for nb in CHAPTERS:
        for cell in json.loads(nb.read_text())["cells"]:
            assert "NBVAL_CHECK_OUTPUT" not in "".join(cell["source"]), nb.name
            assert "nbval-check-output" not in cell.get("metadata", {}).get("tags", []), nb.name


def test_make_test_is_strict_and_make_unit_runs_the_fast_tier():
    test = make_dry_run("test")
    assert "--nbval" in test and "--nbval-lax" not in test
    unit = make_dry_run("unit")
    assert unit[unit.index("-m", unit.index("pytest") + 1) + 1] == "not browser and not notebook and not slow"


@pytest.mark.parametrize("name", ["browser", "notebook", "slow"])
def test_markers_are_declared(name, pytestconfig):
    assert any(m.startswith(name + ":") for m in pytestconfig.getini("markers"))
