"""The full build of the book, made once per test session (shared by the workers)."""
from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bookpaths import ROOT, stored_outputs_config


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
                config.write_text(yaml.safe_dump(stored_outputs_config(), sort_keys=False))  # order matters (scripts)
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
