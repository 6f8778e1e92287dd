"""show_source shows the algorithm: each function without its leading argument checks, marked by
one line; every other line it shows is a line that runs."""
from __future__ import annotations

import ast
import inspect
import json
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

import vaebook as vb
from vaebook import show
from vaebook.show import MARKER, show_source, source_of, strip_checks

ROOT = Path(__file__).resolve().parents[1]
MARK = re.compile(r"^\s*# \((argument checks|check): see vaebook/[\w/]+\.py\)$")


def shown_objects():
    """Every object a chapter passes to show_source, resolved with the chapter's own imports."""
    out = {}
    for nb in sorted(ROOT.glob("book/*.ipynb")):
        ns = {}
        for cell in json.loads(nb.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            try:
                tree = ast.parse("".join(cell["source"]))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and (
                        getattr(node, "module", None) or "").startswith("vaebook") or (
                        isinstance(node, ast.Import) and node.names[0].name.startswith("vaebook")):
                    exec(compile(ast.Module([node], []), nb.name, "exec"), ns)
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == \
                        "show_source":
                    for arg in node.args:
                        obj = eval(ast.unparse(arg), ns)
                        out[f"{nb.stem}: {ast.unparse(arg)}"] = obj
    return out


SHOWN = shown_objects()
#: checks that stay on the page because they are not argument checks: they test what a function
#: the caller passed in returned, or the state a computation reached
NOT_ARGUMENT_CHECKS = {  # lines that stay: a check whose result the algorithm keeps
    "train": ["_checks.nonnegative_float(beta_of(epoch)"],
}


def test_the_chapters_show_something():
    assert len(SHOWN) > 30


@pytest.mark.parametrize("key", sorted(SHOWN))
def test_shown_code_has_no_argument_checks_left(key):
    obj = SHOWN[key]
    shown = source_of(obj).splitlines()
    allowed = [a for name, items in NOT_ARGUMENT_CHECKS.items() if f"def {name}(" in "\n".join(shown)
               for a in items]
    left = [line for line in shown if ("_checks." in line or re.search(r"\braise ValueError", line))
            and not any(a in line for a in allowed)]
    assert left == [], f"{key} still shows argument checks"


@pytest.mark.parametrize("key", sorted(SHOWN))
def test_shown_lines_are_the_source_less_one_block_per_function(key):
    """The shown lines are the real source in order; each gap is one marker line standing for a
    contiguous block of check statements."""
    obj = SHOWN[key]
    full = textwrap.dedent(inspect.getsource(obj)).rstrip().splitlines()
    shown = source_of(obj).splitlines()
    i = 0
    for continue_at, line in enumerate(shown):
        if MARK.match(line):
            assert i < len(full)
            start = i
            indent = len(line) - len(line.lstrip())
            # skip the block: lines up to the next line of the full source that is shown next
            nxt = shown[continue_at + 1] if continue_at + 1 < len(shown) else None
            while i < len(full) and full[i] != nxt:
                i += 1
            assert i > start
            removed = full[start:i]
            assert all(len(r) - len(r.lstrip()) >= indent or not r.strip() for r in removed)
        else:
            assert i < len(full) and full[i] == line, f"{key}: shown line not in the source: {line!r}"
            i += 1
    assert i == len(full)


def restored(source: str, blocks, original: str) -> str:
    """The stripped source with each marker line put back as the lines it stands for."""
    lines, orig = source.splitlines(), original.splitlines()
    out, k = [], 0
    for line in lines:
        if MARK.match(line):
            first, last = blocks[k]
            out.extend(orig[first - 1:last])
            k += 1
        else:
            out.append(line)
    return "\n".join(out)


def code_equal(a, b) -> bool:
    if a.co_code != b.co_code or a.co_names != b.co_names:
        return False
    ca = [c for c in a.co_consts if inspect.iscode(c)]
    cb = [c for c in b.co_consts if inspect.iscode(c)]
    return len(ca) == len(cb) and all(code_equal(x, y) for x, y in zip(ca, cb))


@pytest.mark.parametrize("key", sorted(SHOWN))
def test_marker_restored_compiles_to_the_same_function(key):
    obj = SHOWN[key]
    original = textwrap.dedent(inspect.getsource(obj)).rstrip()
    stripped, blocks = strip_checks(original, "vaebook/x.py")
    assert code_equal(compile(restored(stripped, blocks, original), "a", "exec"), compile(original, "a", "exec"))
    # and the stripped source itself compiles (the marker is a comment): it is Python
    compile(stripped.replace(MARKER.format(file="vaebook/x.py"), "pass"), "b", "exec")


def run_stripped(fn, *args, **kwargs):
    """Call the shown (stripped) version of ``fn``, defined in ``fn``'s own module."""
    src = strip_checks(textwrap.dedent(inspect.getsource(fn)), "f")[0]
    ns = dict(inspect.getmodule(fn).__dict__)
    exec(compile(src, "shown", "exec"), ns)
    return ns[fn.__name__](*args, **kwargs)


def test_the_shown_lines_compute_what_the_function_computes():
    cfg = vb.VAEConfig(3, 2, (5,), (4,))
    p = vb.init_params(cfg, np.random.default_rng(0))
    x, eps = np.random.default_rng(1).normal(size=(6, 3)), np.random.default_rng(2).normal(size=(6, 2))
    mu, log_var = vb.encode(p, cfg, x)
    np.testing.assert_array_equal(run_stripped(vb.reparameterize, mu, log_var, eps),
                                  vb.reparameterize(mu, log_var, eps))
    la, ca = vb.vae_forward(p, cfg, x, eps)
    lb, cb = run_stripped(vb.vae_forward, p, cfg, x, eps)
    assert la == lb
    ga, gb = vb.vae_backward(p, cfg, ca), run_stripped(vb.vae_backward, p, cfg, cb)
    np.testing.assert_array_equal(ga.vector, gb.vector)
    np.testing.assert_array_equal(run_stripped(vb.sample, p, cfg, 4, np.random.default_rng(3), noise=True),
                                  vb.sample(p, cfg, 4, np.random.default_rng(3), noise=True))


def test_checks_are_stripped_and_can_be_shown():
    s = show_source(vb.reparameterize).source
    assert "_checks" not in s and s.count("# (argument checks: see vaebook/model.py)") == 1
    assert "_checks.same_shape_matrices" in show_source(vb.reparameterize, checks=True).source
    assert show_source(vb.reparameterize, checks=True).source == textwrap.dedent(
        inspect.getsource(vb.reparameterize)).rstrip()


def test_a_check_after_the_algorithm_starts_is_marked_in_place():
    src = textwrap.dedent('''
        def f(x, n):
            """Doc."""
            x = _checks.finite_matrix(x, "x")
            if n < 0:
                raise ValueError("n")
            y = x * n
            _checks.same_rows(x, y, "x", "y")
            if y.sum() > 1:
                raise ValueError("too big")
            k = _checks.positive_int(n, "n")
            for i in range(k):
                if i > 3:
                    raise ValueError("i")
                y = y + i
            return y
        ''').strip()
    out, blocks = strip_checks(src, "vaebook/f.py")
    assert blocks == [(3, 5), (7, 9), (12, 13)]
    lines = out.splitlines()
    assert lines[2] == "    # (argument checks: see vaebook/f.py)"
    assert lines[4] == "    # (check: see vaebook/f.py)"           # two consecutive checks, one line
    assert lines[7] == "        # (check: see vaebook/f.py)"       # inside the loop, at its depth
    assert "k = _checks.positive_int" in out                      # a kept result is the algorithm's
    assert "raise" not in out and "_checks.same_rows" not in out


def test_show_source_needs_an_object():
    with pytest.raises(ValueError, match="at least one"):
        show.show_source()
