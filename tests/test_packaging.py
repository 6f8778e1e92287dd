"""The library installs from its wheel, not only from the editable checkout: every subpackage
and the widgets' JavaScript are in the wheel, and the wheel's copy is the one imported."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

from bookpaths import ROOT


def test_wheel_contains_every_module_and_imports_from_itself(tmp_path):
    # A copy of the sources, so no build/ folder left in the checkout can fill the gaps.
    src = tmp_path / "src"
    shutil.copytree(ROOT / "vaebook", src / "vaebook", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", src)
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = tmp_path.glob("vaebook-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "vaebook").rglob("*")
               if p.suffix in (".py", ".js") and "__pycache__" not in p.parts}
    assert sources <= names, f"missing from the wheel: {sorted(sources - names)}"
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    # -I would drop PYTHONPATH; -s -E keep the venv's dependencies but put the wheel's copy first.
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import vaebook, vaebook.widgets.live as live; "
            "from pathlib import Path; assert Path(vaebook.__file__).is_relative_to(sys.argv[1]), vaebook.__file__; "
            "assert Path(live.__file__).with_name('live.js').is_file()")
    out = subprocess.run([sys.executable, "-c", code, str(unpacked)], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
