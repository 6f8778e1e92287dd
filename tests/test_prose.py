"""Numbers, citations and references in the prose read the same on the site and in JupyterLab
(issue 24): scripts/prose.py writes what each role renders into the markdown as a marked span,
site/vaebook_prose.py gives the site its roles back. Chapters whose markdown has not been
through scripts/prose.py yet are listed in tests/book_status.py."""
from __future__ import annotations

import html
import re

import nbformat
import prose  # scripts/prose.py (it puts site/ on the path, for the site's extension)
import pytest
from book_status import PROSE_PENDING, chapter_params
from vaebook_prose import notebook_to_roles, to_roles  # noqa: E402, I001

from bookpaths import ROOT, notebooks

HERE = ROOT / "book" / "zz_example.ipynb"  # a notebook that is not in the book: links relative to book/


def example(markdown: str, glue: dict[str, str]):
    nb = nbformat.v4.new_notebook()
    outputs = [nbformat.v4.new_output("display_data", {"application/papermill.record/text/plain": v},
                                      metadata={"scrapbook": {"name": k, "mime_prefix": "application/papermill.record/"}})
               for k, v in glue.items()]
    nb.cells = [nbformat.v4.new_code_cell("# Evidence: glued\nglue(...)", outputs=outputs),
                nbformat.v4.new_markdown_cell(markdown)]
    return nb


MARKDOWN = ("The gap is {glue:text}`gap:.3f` nats and {glue:text}`n:d` runs {cite}`kingma2013auto` "
            "({cite:t}`kingma2013auto`), as in {eq}`eq-batch-loss` and {numref}`fig-ch1-data` "
            "of {doc}`04_loss`. Written as code: `{glue:text}`gap``, and\n\n```python\n{cite}`x`\n```\n")


def test_each_role_becomes_the_text_the_site_renders_and_back():
    nb = example(MARKDOWN, {"gap": "0.48213", "n": "12"})
    assert prose.convert(nb, HERE) == 1
    text = nb.cells[1].source
    assert "<!-- {glue:text}`gap:.3f` -->0.482<!-- / -->" in text
    assert "<!-- {glue:text}`n:d` -->12<!-- / -->" in text
    assert ("<!-- {cite}`kingma2013auto` -->[[Kingma and Welling, 2013](https://arxiv.org/abs/1312.6114)]"
            "<!-- / -->") in text
    assert "<!-- {cite:t}`kingma2013auto` -->Kingma and Welling [[2013](https://arxiv.org/abs/1312.6114)]" in text
    n_eq = prose.book_index()["labels"]["eq-batch-loss"][2]
    assert f"<!-- {{eq}}`eq-batch-loss` -->[({n_eq})](04_loss.ipynb#eq-batch-loss)<!-- / -->" in text
    assert "<!-- {numref}`fig-ch1-data` -->[Fig. 1.1](01_introduction.ipynb)<!-- / -->" in text
    assert "of [The loss](04_loss.ipynb)." in text
    assert "`{glue:text}`gap``" in text and "```python\n{cite}`x`\n```" in text, "code was rewritten"
    assert prose.problems(nb, HERE) == [] and prose.unconverted(text, "book/zz_example") == []
    # idempotent; and the site sees the roles again (the {doc} link stays a link)
    again = nb.cells[1].source
    assert prose.convert(nb, HERE) == 0 and nb.cells[1].source == again
    assert to_roles(text) == MARKDOWN.replace("{doc}`04_loss`", "[The loss](04_loss.ipynb)")
    assert "<!--" not in notebook_to_roles(nbformat.writes(nb))


def test_a_span_that_starts_a_line_cannot_open_an_html_block():
    nb = example("Two runs:\n{glue:text}`n:d` of them, and\n- {glue:text}`n:d` in a list", {"n": "3"})
    prose.convert(nb, HERE)
    text = nb.cells[1].source
    assert text == ("Two runs:\n&#8203;<!-- {glue:text}`n:d` -->3<!-- / --> of them, and\n"
                    "- &#8203;<!-- {glue:text}`n:d` -->3<!-- / --> in a list"), text
    assert prose.convert(nb, HERE) == 0


def test_a_stale_number_or_an_unconverted_role_is_reported_and_fixed():
    nb = example("The gap is {glue:text}`gap:.3f` nats.", {"gap": "0.48213"})
    assert prose.problems(nb, HERE) == ["cell 1: {glue:text}`gap:.3f` is not converted"]
    prose.convert(nb, HERE)
    nb.cells[0].outputs[0]["data"]["application/papermill.record/text/plain"] = "0.5"  # re-executed
    assert prose.problems(nb, HERE) == ["cell 1: {glue:text}`gap:.3f` shows '0.482', its source gives '0.500'"]
    prose.convert(nb, HERE)
    assert "-->0.500<!--" in nb.cells[1].source and prose.problems(nb, HERE) == []


@pytest.mark.parametrize("markdown, message", [
    ("{glue:text}`nowhere:.2f`", "no stored glue output named 'nowhere'"),
    ("{cite}`nobody2099`", "not in references.bib"),
    ("{eq}`eq-nowhere`", "labelled 'eq-nowhere'"),
    ("{doc}`99_nowhere`", "not a document of _toc.yml"),
])
def test_a_role_with_nothing_behind_it_is_a_clear_error(markdown, message):
    with pytest.raises(prose.ProseError, match=message):
        prose.convert(example(markdown, {}), HERE)


@pytest.mark.parametrize("path", chapter_params(notebooks(), PROSE_PENDING, "scripts/prose.py"))
def test_a_chapter_leaves_no_role_that_jupyterlab_cannot_render(path):
    nb = nbformat.read(path, as_version=4)
    left = [f"cell {i}: {r}" for i, c in enumerate(nb.cells) if c.cell_type == "markdown"
            for r in prose.unconverted(c.source, prose.docname(path))]
    assert not left, (f"{path.name}: roles JupyterLab shows raw (python scripts/prose.py "
                      f"{path.relative_to(ROOT)}):\n" + "\n".join(left[:20]))


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_every_span_shows_what_its_role_renders(path):
    found = [f for f in prose.problems(nbformat.read(path, as_version=4), path) if "is not converted" not in f]
    assert not found, f"{path.name}: run `python scripts/prose.py {path.relative_to(ROOT)}`:\n" + "\n".join(found)


# ----------------------------------------------------------------------------------------------
# Against the built site: what prose.py computes is what Sphinx, myst-nb and bibtex render
# ----------------------------------------------------------------------------------------------
def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def site_renderings(page: str) -> dict[str, list[str]]:
    """The text of each rendered role on a built page, by kind, in page order."""
    refs = {}
    for m in re.finditer(r'<a class="reference internal" href="(?:[\w.-]+\.html)?#(?:equation-)?([\w-]+)"[^>]*>'
                         r'(.*?)</a>', page, re.S):
        refs.setdefault(m.group(1), set()).add(_text(m.group(2)))
    return {
        "glue": [_text(m) for m in re.findall(r'<span class="pasted-text">(.*?)</span>', page, re.S)],
        "cite": [_text(m) for m in re.findall(r'<span class="bibtex-citation"[^>]*>(.*?)</span>(?!</a>)', page, re.S)],
        "refs": refs,
    }


@pytest.mark.parametrize("path", [p for p in notebooks()], ids=lambda p: p.stem)
def test_the_site_renders_each_role_as_prose_writes_it(built_site, path):
    nb = nbformat.read(path, as_version=4)
    doc = prose.docname(path)
    page = (built_site / f"{doc}.html").read_text(encoding="utf-8")
    site = site_renderings(page)
    want = {"glue": [], "cite": [], "refs": []}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text = to_roles(cell.source)
        protected = prose._protected(text)
        for m in prose.ROLE.finditer(text):
            if not prose._outside(m.start(), protected) or m["name"] == "doc":
                continue
            rendered = prose.render(m["name"], m["content"], doc, nb, site=True)
            kind = "glue" if m["name"].startswith("glue") else "cite" if m["name"].startswith("cite") else "refs"
            want[kind].append((prose._split_target(m["content"])[1], rendered) if kind == "refs" else rendered)
    assert site["glue"] == want["glue"], f"{doc}: glued text on the page differs from the spans"
    assert site["cite"] == want["cite"], f"{doc}: citations on the page differ from the spans"
    for label, rendered in want["refs"]:
        assert rendered in site["refs"].get(label, set()), (
            f"{doc}: the page renders the reference to {label!r} as {site['refs'].get(label)}, "
            f"prose.py writes {rendered!r}")
