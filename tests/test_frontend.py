"""vaebook.widgets.frontend: each widget's ES module, with its local imports inlined.

The browser loads a widget's ``_esm`` from a blob: URL, where ``import ... from "./common.js"``
cannot resolve, so the module it gets must be self-contained; in Node the same source files
import each other natively. Both forms are run here and must export the same functions that
behave the same; the bundler's restrictions fail with errors naming the file.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bookpaths import node_path
from vaebook.widgets import InteractiveFigure, LiveDecoder
from vaebook.widgets.frontend import HERE, esm

ENTRIES = ["figure.js", "live.js"]


def node(folder: Path, script: str) -> str:
    (folder / "run.mjs").write_text(script)
    proc = subprocess.run([node_path(), "run.mjs"], capture_output=True, text=True, cwd=folder,
                          timeout=60)
    assert proc.returncode == 0, f"node failed:\n{proc.stderr}"
    return proc.stdout


def test_widgets_ship_the_bundled_modules():
    assert InteractiveFigure._esm == esm("figure.js")
    assert LiveDecoder._esm == esm("live.js")
    for entry in ENTRIES:
        code = esm(entry)
        assert 'from "./' not in code and "export default { render }" in code
        assert code.count("inlined by vaebook.widgets.frontend") == 1  # common.js, once


def test_bundled_and_native_modules_export_the_same_behaviour(tmp_path):
    native = tmp_path / "native"
    shutil.copytree(HERE, native, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (native / "package.json").write_text('{"type": "module"}')  # .js files as ES modules
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    probe = ('const z = [0.5, -0.25];\n'
             'const layers = [{W: [1, 2, 3, 4], b: [0.1, -0.2], n_in: 2, n_out: 2}];\n'
             'const out = {exports: {}, decode: L.decode(layers, "bernoulli", z),'
             ' readout: L.readoutText(z, [-0.0004, 2]), text: F.readoutText([["a", "a", 3]], {a: -0.0004}),'
             ' kinds: F.KINDS};\n'
             'for (const [k, m] of Object.entries({F, L})) out.exports[k] = Object.keys(m).sort();\n'
             'process.stdout.write(JSON.stringify(out));\n')
    results = []
    for folder, ext in ((native, "js"), (bundled, "mjs")):
        if folder is bundled:
            for entry in ENTRIES:
                (bundled / entry.replace(".js", ".mjs")).write_text(esm(entry))
        results.append(json.loads(node(folder, f'import * as F from "./figure.{ext}";\n'
                                               f'import * as L from "./live.{ext}";\n' + probe)))
    assert results[0] == results[1]
    assert results[0]["text"] == "a = 0.000" and "default" in results[0]["exports"]["F"]


def write(folder: Path, files: dict) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_each_file_is_inlined_once_in_its_own_scope(tmp_path):
    folder = write(tmp_path / "src", {
        "a.js": 'export const A = 1;\nfunction helper() { return "a"; }\nexport function fromA() { return helper(); }\n'
                "export default { A };\n",
        "b.js": 'import { A, fromA } from "./a.js";\nfunction helper() { return "b"; }\n'
                "export function fromB() { return helper() + fromA() + A; }\n",
        "main.js": 'import { fromA } from "./a.js";\nimport { fromB } from "./b.js";\n'
                   "export default { render: () => fromA() + fromB() };\n"})
    code = esm("main.js", folder)
    assert code.count("// ---- a.js") == 1 and code.count("// ---- b.js") == 1
    assert code.index("// ---- a.js") < code.index("// ---- b.js")  # dependencies first
    (tmp_path / "main.mjs").write_text(code)
    out = node(tmp_path, 'import M from "./main.mjs";\nprocess.stdout.write(M.render());\n')
    assert out == "aba1"  # both private helpers survive, each in its own file's scope


@pytest.mark.parametrize("files, message", [
    ({"main.js": 'import { x as y } from "./a.js";\n', "a.js": "export const x = 1;\n"}, "no 'as'"),
    ({"main.js": 'import { y } from "./a.js";\n', "a.js": "export const x = 1;\n"},
     r"imports \['y'\] from ./a.js, which does not export them"),
    ({"main.js": 'import { x } from "./a.js";\n', "a.js": 'import { y } from "./main.js";\nexport const x = 1;\n'},
     "circular import: main.js -> a.js -> main.js"),
    ({"main.js": 'import * as A from "./a.js";\n', "a.js": "export const x = 1;\n"}, "cannot inline"),
    ({"main.js": 'import { x } from "./a.js";\n', "a.js": "const x = 1;\nexport { x };\n"},
     r"a.js: cannot inline the export 'export \{ x \};'"),
    ({"main.js": 'import { x } from "./missing.js";\n'}, "imports ./missing.js, which is not in"),
])
def test_what_cannot_be_inlined_is_an_error_naming_it(tmp_path, files, message):
    with pytest.raises(ValueError, match=message):
        esm("main.js", write(tmp_path / "src", files))
