"""Shared fixtures: a full build of the book, made once per test session."""
from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def chapter_files() -> list[str]:
    """The chapter documents listed in _toc.yml, e.g. 'book/06_implementation'."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    stack = list(toc.get("chapters", [])) + [c for p in toc.get("parts", []) for c in p["chapters"]]
    while stack:
        entry = stack.pop(0)
        files.append(entry["file"])
        stack = list(entry.get("sections", [])) + stack
    return files


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, worker_id) -> Path:
    """Build the whole book from scratch (fresh execution cache) into a temporary folder.

    Uses the same command as ``make book``, with warnings as errors, and returns the html
    folder. Under pytest-xdist the build is shared: the first worker that needs it builds,
    holding a lock, and the others wait and reuse it, so the book is built once per run.
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
                cmd = [str(jb), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"]
                proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
                (out / "build.log").write_text(proc.stdout + proc.stderr)
                (out / ("build.ok" if proc.returncode == 0 else "build.failed")).write_text(str(proc.returncode))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    if (out / "build.failed").exists():
        log = (out / "build.log").read_text()
        pytest.fail(f"book build failed (exit {(out / 'build.failed').read_text()}); last lines:\n{log[-4000:]}")
    return out / "_build" / "html"
