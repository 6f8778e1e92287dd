"""The widgets' front-end code as the browser receives it: one ES module per widget.

The JavaScript lives in files next to this one (``figure.js``, ``live.js``, and ``common.js``,
which they share). A widget's ``_esm`` must be a single module: anywidget loads it from a
``blob:`` URL, where a relative ``import ... from "./common.js"`` cannot resolve. :func:`esm`
therefore inlines the local imports of a file (in Node the same files import each other
natively, which is how the tests run them), each imported file once, inside its own function
scope, so two files may use the same private names:

.. code-block:: javascript

    import { formatNumber, widgetRoot } from "./common.js";
    // becomes
    const __common_js = (() => { /* common.js */ return { formatNumber, widgetRoot, ... }; })();
    const { formatNumber, widgetRoot } = __common_js;

A file that is imported declares its exports as ``export function name``, ``export const
name`` or ``export class name``; its ``export default`` is dropped (only the entry module's
default export, ``{ render }``, is the widget's). Anything else is an error naming the file.

On the static site, identical modules are stored once per site rather than once per widget
(``site/vaebook_site.py``).
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
_IMPORT = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"\./([\w.-]+\.js)";[ \t]*$', re.M)
_ANY_IMPORT = re.compile(r"^\s*import\b.*$", re.M)
_EXPORT = re.compile(r"^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)", re.M)
_EXPORT_DEFAULT = re.compile(r"^export\s+default\b[^\n]*;[ \t]*$", re.M)
_ANY_EXPORT = re.compile(r"^\s*export\b.*$", re.M)


def _scope_name(file: str) -> str:
    return "__" + re.sub(r"\W", "_", file)


def _names(spec: str, file: str, importer: str) -> list[str]:
    names = [n.strip() for n in spec.split(",") if n.strip()]
    for n in names:
        if not re.fullmatch(r"[A-Za-z_$][\w$]*", n):
            raise ValueError(f"{importer}: import {{{spec}}} from ./{file}: only plain names "
                             f"can be inlined (no 'as'), got {n!r}")
    return names


def _link(file: str, folder: Path, done: dict, chunks: list, stack: tuple) -> str:
    """Source of ``file`` with its local imports replaced by bindings; the imported files'
    scopes are appended to ``chunks`` (dependencies first)."""
    if file in stack:
        raise ValueError(f"circular import: {' -> '.join((*stack, file))}")
    path = folder / file
    if not path.is_file():
        raise ValueError(f"{stack[-1] if stack else file}: imports ./{file}, which is not in {folder}")
    src = path.read_text(encoding="utf-8")

    def binding(m: re.Match) -> str:
        dep = m.group(2)
        names = _names(m.group(1), dep, file)
        if dep not in done:
            body = _link(dep, folder, done, chunks, (*stack, file))
            exports = _EXPORT.findall(body)
            body = _EXPORT_DEFAULT.sub("", body)
            body = _EXPORT.sub(lambda e: e.group(0).split(None, 1)[1], body)
            stray = _ANY_EXPORT.findall(body)
            if stray:
                raise ValueError(f"{dep}: cannot inline the export {stray[0].strip()!r} "
                                 "(use 'export function|const|class name')")
            chunks.append(f"// ---- {dep} (inlined by vaebook.widgets.frontend) ----\n"
                          f"const {_scope_name(dep)} = (() => {{\n{body.rstrip()}\n"
                          f"return {{ {', '.join(exports)} }};\n}})();\n")
            done[dep] = set(exports)
        missing = [n for n in names if n not in done[dep]]
        if missing:
            raise ValueError(f"{file}: imports {missing} from ./{dep}, which does not export them")
        return f"const {{ {', '.join(names)} }} = {_scope_name(dep)};"

    out = _IMPORT.sub(binding, src)
    other = _ANY_IMPORT.findall(out)
    if other:
        raise ValueError(f"{file}: cannot inline {other[0].strip()!r} "
                         '(only import { names } from "./file.js")')
    return out


@functools.lru_cache(maxsize=None)
def _esm_cached(file: str, folder: str, stamp: tuple) -> str:
    done, chunks = {}, []
    entry = _link(file, Path(folder), done, chunks, ())
    return "".join(chunks) + (f"// ---- {file} ----\n" if chunks else "") + entry


def esm(file: str, folder: Path = HERE) -> str:
    """The ES module ``folder/file`` with its local imports inlined (see the module docstring)."""
    folder = Path(folder)
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.js")))
    return _esm_cached(file, str(folder), stamp)
