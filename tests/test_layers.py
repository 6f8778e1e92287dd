"""The library's layers: core -> theory and estimators -> presentation, never back; no module
imports another module's private (underscored) names; the public API is the documented one."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import vaebook as vb

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "vaebook"

CORE = {"formulas", "layers", "params", "model", "optim", "train", "gradcheck", "data", "seeds",
        "_checks", "_engine"}
THEORY = {"exact", "variational", "meanfield", "montecarlo", "estimators", "iwae", "divergence",
          "inference_gap", "linear_vae", "latent_density", "latent_space", "metrics", "autoencoder",
          "generator_models", "loss_models"}
PRESENTATION = {"style", "diagrams", "show", "widgets"}
LAYER = {**{m: 0 for m in CORE}, **{m: 1 for m in THEORY}, **{m: 2 for m in PRESENTATION}}
#: the package's private modules: internal API shared by the library's modules (not by readers)
PRIVATE_MODULES = {"_checks", "_engine"}


def module_name(path: Path) -> str:
    """``vaebook/widgets/base.py`` -> ``widgets``, ``vaebook/model.py`` -> ``model`` (the layer unit)."""
    return path.relative_to(PKG).parts[0].removesuffix(".py")


def library_imports(path: Path):
    """(line, imported vaebook module, imported names) for every import of a vaebook module in ``path``."""
    tree = ast.parse(path.read_text())
    depth = len(path.relative_to(PKG).parts) - 1          # 0 for vaebook/x.py, 1 for vaebook/widgets/x.py
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            parts = (node.module or "").split(".") if node.module else []
            if node.level - 1 == depth:                    # relative to the package root
                if parts:
                    yield node.lineno, parts[0], [a.name for a in node.names]
                else:                                       # from . import a, b
                    for a in node.names:
                        yield node.lineno, a.name, []
            # imports inside the subpackage itself (from .base import ...) stay in one layer
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "vaebook":
            parts = node.module.split(".")
            yield node.lineno, parts[1] if len(parts) > 1 else "", [a.name for a in node.names]


SOURCES = sorted(p for p in PKG.rglob("*.py") if p.name != "__init__.py" or p.parent != PKG)


def test_every_module_has_a_layer():
    assert {module_name(p) for p in SOURCES} == set(LAYER)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PKG)))
def test_imports_run_down_the_layers(path):
    me = module_name(path)
    for line, other, _ in library_imports(path):
        if other == "":
            continue
        assert other in LAYER, f"{path.name}:{line} imports an unknown vaebook module {other!r}"
        assert LAYER[other] <= LAYER[me], (f"{path.relative_to(ROOT)}:{line}: {me} (layer {LAYER[me]}) imports "
                                           f"{other} (layer {LAYER[other]}): dependencies run down the layers")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PKG)))
def test_no_private_names_cross_modules(path):
    me = module_name(path)
    for line, other, names in library_imports(path):
        private = [n for n in names if n.startswith("_")]
        assert not private, f"{path.relative_to(ROOT)}:{line} imports private names {private} of {other}"
        if other.startswith("_") and other not in PRIVATE_MODULES:
            pytest.fail(f"{path.relative_to(ROOT)}:{line} imports the private module {other}")
    # attribute access to a private name of an imported module: module._name
    modules = {a.asname or a.name for n in ast.walk(ast.parse(path.read_text()))
               if isinstance(n, ast.ImportFrom) and n.level > 0 and not n.module for a in n.names}
    for node in ast.walk(ast.parse(path.read_text())):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} uses {node.value.id}.{node.attr} ({me})")


def test_the_layer_test_sees_a_violation(tmp_path):
    """The parser behind the two tests above finds an upward and a private import."""
    fake = PKG / "_layer_probe.py"
    try:
        fake.write_text("from .style import use\nfrom .model import _check_params\nfrom . import show\n")
        found = list(library_imports(fake))
    finally:
        fake.unlink()
    assert found == [(1, "style", ["use"]), (2, "model", ["_check_params"]), (3, "show", [])]


def documented_api() -> set[str]:
    text = (ROOT / "CONTRIBUTING.md").read_text()
    para = re.search(r"^- Public API \(`vaebook.__all__`.*?(?=^- )", text, re.S | re.M).group(0)
    para = para.split("Loss\n", 1)[0].split("The subpackage", 1)[0]
    names = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", para))
    return names - {"enc_layers", "dec_layers"}        # attributes of VAEConfig, named with it


def test_documented_api_is_all():
    assert documented_api() == set(vb.__all__)
    assert len(vb.__all__) == len(set(vb.__all__))
    for name in vb.__all__:
        assert hasattr(vb, name), name


def test_the_theory_modules_are_attributes_of_the_package():
    import subprocess
    import sys
    code = "import vaebook as vb; print(vb.iwae.iwae_estimate.__module__, vb.formulas.log_mean_exp.__module__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["vaebook.iwae", "vaebook.formulas"]
