"""Shared set-up: the pinned numerical platform, the per-cell timeout, test grouping, and a full
build of the book made once per test session."""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import numerics  # noqa: E402  (scripts/numerics.py: reads numerics.env)

# The pinned platform for this process and everything it starts (kernels, the book build, the
# benchmark scripts whose stored results are re-derived), whatever the calling shell exports.
# `make test` already sets it; this makes a plain `pytest ...` run on the same platform.
_PIN = numerics.pinned_env()
_DIFFERS = {k: os.environ.get(k) for k, v in _PIN.items() if os.environ.get(k, "") != v}
os.environ.update(_PIN)
if _DIFFERS and "numpy" in sys.modules:
    pytest.exit(f"NumPy was imported before the pinned platform was set ({_DIFFERS}); run `make test`",
                returncode=4)


def cell_timeout() -> int:
    """The one per-cell timeout, in seconds: `execute.timeout` in _config.yml."""
    return int(yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"])


def pytest_configure(config):
    if hasattr(config.option, "nbval_cell_timeout"):
        config.option.nbval_cell_timeout = cell_timeout()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Under `--dist loadgroup`, keep each file's tests on one worker: one kernel per notebook for
    nbval, one module-scoped fixture per test file."""
    for item in items:
        group = item.nodeid.split("::")[0]
        if "test_foreign_platform.py" in group and "[" in item.nodeid:
            group = item.nodeid  # each notebook's foreign run is independent
        item.add_marker(pytest.mark.xdist_group(group))


def chapter_files() -> list[str]:
    """The documents listed in _toc.yml, in reading order, e.g. 'book/06_implementation'."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    toc = parse_toc_yaml(ROOT / "_toc.yml")
    order, stack = [], [toc.root.docname]
    while stack:
        name = stack.pop(0)
        order.append(name)
        stack = [ref for sub in toc[name].subtrees for ref in sub.items if isinstance(ref, str)] + stack
    return order


def notebooks() -> list[Path]:
    """Every chapter notebook in book/."""
    return sorted((ROOT / "book").glob("*.ipynb"))


def stored_outputs_config() -> dict:
    """_config.yml with execution off (paths made absolute, since the copy lives elsewhere)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    sphinx = config.get("sphinx", {})
    sphinx["local_extensions"] = {k: str(ROOT / v) for k, v in sphinx.get("local_extensions", {}).items()}
    return config


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, worker_id) -> Path:
    """Build the whole book from scratch into a temporary folder and return its html folder.

    The same command as ``make book``, with warnings as errors, but rendering the stored outputs
    instead of executing every notebook a third time: strict nbval (in the same run) proves the
    stored outputs are exactly what a fresh execution prints, and the foreign-platform test runs
    every cell again. Under pytest-xdist the build is shared: the first worker that needs it
    builds, holding a lock, and the others wait and reuse it, so the book is built once per run.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if worker_id != "master" else base
    out = shared / "book-build"
    with open(shared / "book-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (out / "build.ok").exists() and not (out / "build.failed").exists():
                out.mkdir(exist_ok=True)
                jb = Path(sys.executable).with_name("jupyter-book")
                config = out / "_config.yml"
                config.write_text(yaml.safe_dump(stored_outputs_config()))
                cmd = [str(jb), "build", str(ROOT), "--config", str(config), "--path-output", str(out),
                       "-W", "-n", "--keep-going"]
                proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
                (out / "build.log").write_text(proc.stdout + proc.stderr)
                (out / ("build.ok" if proc.returncode == 0 else "build.failed")).write_text(str(proc.returncode))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    if (out / "build.failed").exists():
        log = (out / "build.log").read_text()
        pytest.fail(f"book build failed (exit {(out / 'build.failed').read_text()}); last lines:\n{log[-4000:]}")
    return out / "_build" / "html"
