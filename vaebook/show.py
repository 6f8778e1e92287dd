"""Show library source on the page, so the code the reader reads is the code that runs.

A function's argument checks (the block of statements at the top of its body that only validate
what the caller passed in: calls of ``vaebook._checks`` helpers or of a ``check_*`` method,
``if ...: raise``, and the conversion of an argument to an array, ``x = np.asarray(x, float)``)
are not the algorithm. :func:`show_source` shows the function with that block
replaced by one marker line, ``# (argument checks: see vaebook/model.py)``, so the reader knows
that checks run there and where to read them. A check made later in the body (a ``_checks``
call whose result is not kept, or an ``if ...: raise`` on a value computed by then, such as the
shape a callback returned) is replaced the same way, by ``# (check: see vaebook/model.py)``.
Nothing else is left out: every other line shown is a line that runs, in its order
(``tests/test_show.py`` holds this).
"""
from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

MARKER = "# (argument checks: see {file})"
LATER_MARKER = "# (check: see {file})"


class SourceCode:
    """Rich display of source text: highlighted in the book (MyST markdown), plain elsewhere.

    Its text form is the source itself, so a test that compares notebook outputs notices when
    the library code shown on a page changes.
    """

    def __init__(self, source: str, language: str = "python"):
        self.source, self.language = source, language

    def _repr_markdown_(self) -> str:
        return f"```{self.language}\n{self.source}\n```"

    def __repr__(self) -> str:
        return self.source


def _names(target) -> set[str] | None:
    """The names an assignment target binds, or None if it is not a name or a tuple of names."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Tuple) and all(isinstance(t, ast.Name) for t in target.elts):
        return {t.id for t in target.elts}
    return None


def _is_check_call(node) -> bool:
    """A call of a ``_checks`` helper, of a ``_check*`` function or of a ``check_*`` method."""
    if isinstance(node, ast.Tuple):
        return bool(node.elts) and all(_is_check_call(e) for e in node.elts)
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    if isinstance(f, ast.Attribute):
        return (isinstance(f.value, ast.Name) and f.value.id == "_checks") or f.attr.startswith("check_")
    return isinstance(f, ast.Name) and f.id.startswith("_check")


_CONVERSIONS = {"asarray", "atleast_1d", "atleast_2d"}


def _is_conversion(node, params: set[str]) -> bool:
    """``np.asarray(arg, ...)`` (or atleast_1d/2d, nested) of an argument, or a tuple of them."""
    if isinstance(node, ast.Tuple):
        return bool(node.elts) and all(_is_conversion(e, params) for e in node.elts)
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "np"
            and node.func.attr in _CONVERSIONS and node.args):
        return False
    first = node.args[0]
    return (isinstance(first, ast.Name) and first.id in params) or _is_conversion(first, params)


def is_check(stmt, params: set[str]) -> bool:
    """Whether ``stmt`` only validates arguments: a check call (its result, if kept, rebinds
    arguments of the function), an argument converted to an array in place, or an ``if`` whose
    body only computes its message and raises."""
    if isinstance(stmt, ast.Expr):
        return _is_check_call(stmt.value)
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        names = _names(stmt.targets[0])
        return names is not None and names <= params and (
            _is_check_call(stmt.value) or _is_conversion(stmt.value, params))
    if isinstance(stmt, ast.If):
        return (not stmt.orelse and isinstance(stmt.body[-1], ast.Raise)
                and all(isinstance(s, (ast.Assign, ast.Raise)) for s in stmt.body))
    return False


def check_block(fn: ast.FunctionDef) -> tuple[int, int] | None:
    """The (first, last) line numbers of ``fn``'s leading argument checks (after its docstring)."""
    a = fn.args
    params = {p.arg for p in a.posonlyargs + a.args + a.kwonlyargs}
    params |= {p.arg for p in (a.vararg, a.kwarg) if p is not None}
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]                                          # the docstring
    n = 0
    while n < len(body) and is_check(body[n], params):
        n += 1
    if n == 0 or n == len(body):                                 # nothing to strip, or only checks
        return None
    return body[0].lineno, body[n - 1].end_lineno


def _is_later_check(stmt) -> bool:
    """A check statement inside the algorithm: a check call whose result is not kept, or an
    ``if`` (without ``else``) whose body only computes its message and raises."""
    if isinstance(stmt, ast.Expr):
        return _is_check_call(stmt.value)
    return (isinstance(stmt, ast.If) and not stmt.orelse and isinstance(stmt.body[-1], ast.Raise)
            and all(isinstance(s, (ast.Assign, ast.Raise)) for s in stmt.body))


def later_checks(fn: ast.FunctionDef, after: int) -> list[tuple[int, int]]:
    """The (first, last) lines of every check statement of ``fn`` that starts after line
    ``after`` (the leading block's end), at any depth but not inside nested functions."""
    found = []

    def visit(body):
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            if stmt.lineno > after and _is_later_check(stmt):
                found.append((stmt.lineno, stmt.end_lineno))
                continue
            for field in ("body", "orelse", "finalbody", "handlers"):
                visit(getattr(stmt, field, []) or [])

    visit(fn.body)
    return found


def strip_checks(source: str, file: str) -> tuple[str, list[tuple[int, int]]]:
    """``source`` (dedented) with each function's leading argument checks replaced by one marker
    line, and each later check statement by one line of its own; also the removed (first, last)
    line ranges, 1-based in ``source``."""
    tree = ast.parse(source)
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    top = [f for f in functions if f in tree.body or any(f in c.body for c in tree.body
                                                         if isinstance(c, ast.ClassDef))]
    marks = {}
    for f in top:
        lead = check_block(f)
        if lead is not None:
            marks[lead] = MARKER
        start = lead[1] if lead is not None else f.body[0].lineno - 1
        for first, last in later_checks(f, start):
            prev = max((b for b in marks if b[1] < first), default=None)
            if prev is not None and marks[prev] == LATER_MARKER and prev[1] == first - 1:
                del marks[prev]                       # consecutive checks: one marker line
                first = prev[0]
            marks[(first, last)] = LATER_MARKER
    blocks = sorted(marks)
    lines = source.splitlines()
    for first, last in reversed(blocks):
        line = lines[first - 1]
        indent = line[: len(line) - len(line.lstrip())]
        lines[first - 1:last] = [indent + marks[(first, last)].format(file=file)]
    return "\n".join(lines), blocks


def _library_file(obj) -> str:
    path = Path(inspect.getsourcefile(obj)).resolve()
    parts = path.parts
    return "/".join(parts[parts.index("vaebook"):]) if "vaebook" in parts else path.name


def source_of(obj, checks: bool = False) -> str:
    """The source of ``obj`` as shown: dedented, without its argument checks unless ``checks``."""
    source = textwrap.dedent(inspect.getsource(obj)).rstrip()
    return source if checks else strip_checks(source, _library_file(obj))[0]


def show_source(*objects, language: str = "python", checks: bool = False) -> SourceCode:
    """The source of one or more functions/classes, ready to display in a notebook cell.

    Each function's leading argument checks are replaced by one marker line (``checks=True``
    shows them).
    """
    if not objects:
        raise ValueError("show_source needs at least one function, class or module")
    parts = [source_of(obj, checks) for obj in objects]
    return SourceCode("\n\n\n".join(parts), language)
