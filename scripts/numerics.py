"""The pinned numerical platform of numerics.env, for Python: read it, apply it, install the kernel.

Usage: python scripts/numerics.py install-kernel [--sys-prefix | --prefix PATH]

The "vaebook" Jupyter kernel spec carries the settings in its "env", which Jupyter applies on top
of the caller's environment, so JupyterLab, nbval, the book build and scripts/execute_notebooks.py
all execute notebooks on the pinned platform whatever the calling shell exports.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNEL_NAME = "vaebook"
KERNEL_DISPLAY_NAME = "Python 3 (vaebook)"
X86_ONLY = {"OPENBLAS_CORETYPE", "NPY_ENABLE_CPU_FEATURES", "NPY_DISABLE_CPU_FEATURES"}


def pinned_env(machine: str | None = None) -> dict[str, str]:
    """The settings of numerics.env that apply on this machine (x86-64: all; else threads only)."""
    machine = (machine or platform.machine()).lower()
    env = {}
    for line in (ROOT / "numerics.env").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        key, _, value = line.partition("=")
        env[key.strip()] = value.strip()
    if machine not in ("x86_64", "amd64"):
        env = {k: v for k, v in env.items() if k not in X86_ONLY}
    return env


def apply() -> None:
    """Put the pinned platform into this process's environment. Call it before NumPy is imported
    (the benchmark scripts do, so they run pinned even when started without `make`)."""
    os.environ.update(pinned_env())


def cell_timeout() -> int:
    """The book's one per-cell timeout, in seconds: `execute.timeout` in _config.yml."""
    import yaml

    return int(yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"])


def install_kernel(prefix_args: list[str]) -> None:
    cmd = [sys.executable, "-m", "ipykernel", "install", *prefix_args, "--name", KERNEL_NAME,
           "--display-name", KERNEL_DISPLAY_NAME]
    for key, value in pinned_env().items():
        cmd += ["--env", key, value]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != "install-kernel":
        sys.exit(__doc__)
    install_kernel(sys.argv[2:] or ["--sys-prefix"])
