"""Sphinx extension: the site renders the roles that scripts/prose.py wrote out as text.

scripts/prose.py writes each glue, citation and cross-chapter reference role of a notebook's
markdown as a marked span, ``<!-- {role}`content` -->text<!-- / -->``, so that JupyterLab shows
the text. Before myst-nb parses a notebook, this extension puts the recorded role back in place
of each span, so the site renders exactly the roles (myst-nb's glue from the stored outputs,
sphinxcontrib-bibtex's citations and bibliography, Sphinx's numbering), and a missing key or
label still fails the build. tests/test_prose.py holds the written text equal to the built site.
"""
from __future__ import annotations

import json
import re

#: The same pattern as scripts/prose.py's SPAN (kept here so the site needs nothing from scripts/).
SPAN = re.compile(r"<!-- (?P<role>\{[a-z:]+\}`[^`]+`) -->(?P<text>.*?)<!-- / -->")


def to_roles(text: str) -> str:
    return SPAN.sub(lambda m: m.group("role"), text)


def notebook_to_roles(source: str) -> str:
    """The notebook JSON ``source`` with every marked span of its markdown cells made a role."""
    if "<!-- {" not in source:
        return source
    nb = json.loads(source)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = to_roles(text)
    return json.dumps(nb, ensure_ascii=False)


def _source_read(app, docname, content):
    if str(app.env.doc2path(docname)).endswith(".ipynb"):
        content[0] = notebook_to_roles(content[0])


def setup(app):
    app.connect("source-read", _source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
