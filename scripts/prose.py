"""Write the text the site shows for each glue, citation and reference role into the markdown,
so a chapter opened in JupyterLab reads the same as its page on the site.

Usage:
    python scripts/prose.py [--check] [book/NOTEBOOK.ipynb ...]   (default: every notebook in book/)

``make notebooks`` (scripts/execute_notebooks.py) runs it on each notebook after executing it.

jupyterlab-myst renders neither myst-nb's glue roles (it shows the key), nor citations (it reads
no .bib: the key is shown, marked "Citation Not Found"), nor references to another chapter's
equations, to figures named in cell metadata or to sphinx-exercise labels ("Cross Reference Not
Found"). So each such role in a markdown cell becomes a *marked span*:

    <!-- {glue:text}`kl:.3f` -->0.482<!-- / -->
    <!-- {cite}`kingma2013auto` -->[[Kingma and Welling, 2013](https://arxiv.org/abs/1312.6114)]<!-- / -->
    <!-- {eq}`eq-batch-loss` -->[(4.8)](04_loss.ipynb#eq-batch-loss)<!-- / -->

Both renderers hide HTML comments, so JupyterLab shows the text between them. On the site,
``site/vaebook_prose.py`` turns every span back into the role it records before myst-nb parses
the notebook, so the site renders exactly what it rendered before (myst-nb's glue from the stored
outputs, sphinxcontrib-bibtex's citations and bibliography, Sphinx's numbering), and the build
still fails on a missing glue key, citation key or label. The text of a span is computed here
from the same sources: the notebook's stored glue outputs (formatted by myst-nb's own
``format_plain_text``), ``book/references.bib`` (author-year, as
``bibtex_reference_style: author_year`` writes it) and the numbering of equations, figures and
exercises in the chapters of ``_toc.yml``. tests/test_prose.py holds these equal to the built
site. Re-running updates every span (idempotent): strict nbval keeps the glue outputs current,
and ``--check`` fails on a span whose text is stale or a role left unconverted.

``{doc}`` roles become plain markdown links to the file (``[The loss](04_loss.ipynb)``), which
both the site and JupyterLab open; that conversion is permanent (no span).
"""
from __future__ import annotations

import argparse
import functools
import os.path
import posixpath
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site"))
from vaebook_prose import SPAN  # noqa: E402  (the site's extension: one pattern for both)

BOOK = ROOT / "book"
BIB = BOOK / "references.bib"

ROLE = re.compile(r"\{(?P<name>glue:text|glue:any|glue|cite|cite:p|cite:t|eq|numref|ref|doc)\}`(?P<content>[^`]+)`")
#: Code the roles inside must not be touched: fenced code (not a MyST directive) and code spans
#: (a backtick not preceded by a role name's closing brace).
#: A fenced block, a directive's (```{note}) or code's: both are matched, so that a directive's
#: closing fence is never taken for the opening of a code block; only code is protected.
FENCE = re.compile(r"^(?P<f>`{3,}|~{3,})(?P<info>[^\n]*)\n.*?^(?P=f)[ \t]*$", re.M | re.S)
DIRECTIVE_INFO = re.compile(r"\s*\{(?!code)")
CODE_SPAN = re.compile(r"(?<![`}])(?P<t>`+)(?!`).+?(?<!`)(?P=t)(?!`)", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
#: Escaped in a glued text (brackets are not: jupyterlab-myst shows "\[" as typed).
MD_ESCAPE = re.compile(r"([\\`*_<>$|~])")


class ProseError(ValueError):
    """A role this script cannot render (an unknown key, label or citation)."""


# ----------------------------------------------------------------------------------------------
# The book: chapter numbers, labels and their numbers, titles, the bibliography
# ----------------------------------------------------------------------------------------------
def _toc_docs() -> list[tuple[str, bool]]:
    """(docname, numbered) for every document of _toc.yml, in order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    docs = [(toc["root"], False)]

    def walk(entries, numbered):
        for e in entries or []:
            if "file" in e:
                docs.append((e["file"], numbered))
            walk(e.get("sections"), numbered)
            for part in e.get("parts", []) or []:
                walk(part.get("chapters"), numbered or part.get("numbered", False))

    for part in toc.get("parts", []):
        walk(part.get("chapters"), bool(part.get("numbered", False)))
    walk(toc.get("chapters"), bool(toc.get("numbered", False)))
    return docs


DIRECTIVE = re.compile(r"^(?P<f>`{3,}|:{3,})\{(?P<name>[\w-]+)\}[^\n]*\n(?P<body>.*?)^(?P=f)[ \t]*$", re.M | re.S)
EQ_LABEL = re.compile(r"\$\$[ \t]*\((?P<label>[^)\s]+)\)")


@functools.lru_cache(maxsize=None)
def book_index() -> dict:
    """Every label of the book: {label: (docname, kind, number)}, and {docname: title}."""
    labels, titles = {}, {}
    chapter = 0
    for doc, numbered in _toc_docs():
        path = next((ROOT / f"{doc}{s}" for s in (".ipynb", ".md") if (ROOT / f"{doc}{s}").exists()), None)
        if path is None:
            continue
        prefix = ""
        if numbered:
            chapter += 1
            prefix = f"{chapter}."
        if path.suffix == ".ipynb":
            cells = nbformat.read(path, as_version=4).cells
        else:
            cells = [nbformat.v4.new_markdown_cell(path.read_text())]
        counters = {"eq": 0, "fig": 0, "exercise": 0}

        def add(label, kind):
            counters[kind] += 1
            labels[label] = (doc, kind, f"{prefix}{counters[kind]}")

        for cell in cells:
            src = "".join(cell.get("source", ""))
            if cell.get("cell_type") == "code":
                fig = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
                if fig.get("caption"):
                    add(fig.get("name") or f"_fig{counters['fig'] + 1}", "fig")
                continue
            if cell.get("cell_type") != "markdown":
                continue
            if doc not in titles and (m := re.search(r"^# (.+)$", src, re.M)):
                titles[doc] = m.group(1).strip()
            items = [(m.start(), "eq", m.group("label")) for m in EQ_LABEL.finditer(src)]
            for m in DIRECTIVE.finditer(src):
                label = re.search(r"^:label:[ \t]*(\S+)", m.group("body"), re.M)
                label = label.group(1) if label else None
                if m.group("name") == "math" and label:
                    items.append((m.start(), "eq", label))
                elif m.group("name") == "figure":
                    name = re.search(r"^:name:[ \t]*(\S+)", m.group("body"), re.M)
                    items.append((m.start(), "fig", name.group(1) if name else None))
                elif m.group("name") == "exercise" and not re.search(r"^:nonumber:", m.group("body"), re.M):
                    items.append((m.start(), "exercise", label))
            for _, kind, label in sorted(items, key=lambda t: t[0]):
                add(label or f"_{kind}{counters[kind] + 1}", kind)
    return {"labels": labels, "titles": titles}


def _latex_text(s: str) -> str:
    from pybtex.richtext import Text

    return " ".join(Text.from_latex(s).render_as("text").split())


@functools.lru_cache(maxsize=None)
def bibliography() -> dict:
    """{key: (authors as the site writes them, year, url or None, sort key)} from book/references.bib.

    The sort key is the order of the bibliography (style ``alpha``: author, year, title), in
    which sphinxcontrib-bibtex lists the keys of one citation."""
    from pybtex.database import parse_file

    entries = {}
    for key, e in parse_file(str(BIB)).entries.items():
        people = e.persons.get("author") or e.persons.get("editor") or []
        # as pybtex writes a "von Last" name: the von part tied with no-break spaces
        last = [" ".join(filter(None, ["\u00a0".join(map(_latex_text, p.prelast_names)),
                                        _latex_text(" ".join(p.last_names))])) for p in people]
        if len(last) == 1:
            authors = last[0]
        elif len(last) == 2:
            authors = f"{last[0]} and {last[1]}"
        elif last:
            authors = f"{last[0]} et al."
        else:
            authors = _latex_text(e.fields.get("title", key))
        url = e.fields.get("url") or (f"https://doi.org/{e.fields['doi']}" if "doi" in e.fields else None)
        year = _latex_text(e.fields.get("year", ""))
        sort = (" ".join(_latex_text(" ".join(p.last_names + p.first_names + p.middle_names)) for p in people).lower(),
                year, _latex_text(e.fields.get("title", "")).lower())
        entries[key] = (authors, year, url, sort)
    return entries


# ----------------------------------------------------------------------------------------------
# What a role renders
# ----------------------------------------------------------------------------------------------
def glue_values(nb) -> dict[str, str]:
    """{key: stored text/plain} of every glue output of a notebook (myst-nb strips the prefix)."""
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            sb = out.get("metadata", {}).get("scrapbook")
            if sb and "name" in sb:
                data = out.get("data", {})
                text = data.get(sb.get("mime_prefix", "") + "text/plain")
                if text is not None:
                    values[sb["name"]] = "".join(text) if isinstance(text, list) else text
    return values


def _split_target(content: str) -> tuple[str | None, str]:
    """``title <target>`` or ``target``."""
    m = re.fullmatch(r"(?s)(.*?)\s*<([^<>]+)>", content.strip())
    return (m.group(1).strip() or None, m.group(2).strip()) if m else (None, content.strip())


def _doc_of(target: str, here: str) -> str:
    """The docname a {doc} target names, relative to the document ``here``."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(here), target))


def _rel_link(doc: str, here: str) -> str:
    """A relative link from document ``here`` to document ``doc``, with its file suffix."""
    path = next((f"{doc}{s}" for s in (".ipynb", ".md") if (ROOT / f"{doc}{s}").exists()), None)
    if path is None:
        raise ProseError(f"no file for the document {doc!r}")
    return os.path.relpath(ROOT / path, (ROOT / here).parent).replace(os.sep, "/")


def render(name: str, content: str, doc: str, nb, *, site: bool = False) -> str:
    """The markdown text a role ``{name}`content``` becomes in document ``doc``.

    ``site=True`` gives the plain text the site shows (for comparing with the built pages);
    otherwise the markdown written into the span (with links where JupyterLab can follow them).
    """
    index = book_index()
    if name in ("glue", "glue:text", "glue:any"):
        from myst_nb.core.variables import format_plain_text

        if name == "glue:text":  # as myst-nb's PasteTextRole splits it
            parts = content.rsplit(":", 1)
            key, fmt = (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "s")
        else:
            key, fmt = content, ""
        if "::" in key:
            other, key = key.split("::", 1)
            source = nbformat.read(ROOT / Path(doc).parent / other, as_version=4)
        else:
            source = nb
        values = glue_values(source)
        if key not in values:
            raise ProseError(f"{doc}: no stored glue output named {key!r} (execute the notebook first)")
        try:
            text = format_plain_text(values[key], fmt)
        except (TypeError, ValueError) as exc:
            raise ProseError(f"{doc}: the glue output {key!r} is {values[key]!r}, which myst-nb cannot format "
                             f"with {fmt!r} ({exc}): glue a Python number, e.g. float(x)") from None
        return text if site else MD_ESCAPE.sub(r"\\\1", text)
    if name.startswith("cite"):
        bib = bibliography()
        keys = [k.strip() for k in content.split(",") if k.strip()]
        missing = [k for k in keys if k not in bib]
        if missing:
            raise ProseError(f"{doc}: citation key(s) not in {BIB.name}: {missing}")
        keys.sort(key=lambda k: bib[k][3])

        def link(text, key):
            url = bib[key][2]
            return text if site or not url else f"[{text}]({url})"

        if name == "cite:t":
            return ", ".join(f"{bib[k][0]} [{link(bib[k][1], k)}]" for k in keys)
        return "[" + ", ".join(link(f"{bib[k][0]}, {bib[k][1]}", k) for k in keys) + "]"
    if name == "doc":
        title, target = _split_target(content)
        target_doc = _doc_of(target, doc)
        text = title or index["titles"].get(target_doc)
        if text is None:
            raise ProseError(f"{doc}: {{doc}} target {target!r} is not a document of _toc.yml")
        return text if site else f"[{text}]({_rel_link(target_doc, doc)})"
    # eq, numref, ref
    title, label = _split_target(content)
    if label not in index["labels"]:
        raise ProseError(f"{doc}: no equation, figure or exercise labelled {label!r}")
    target_doc, kind, number = index["labels"][label]
    if name == "eq":
        text = f"({number})"
    elif title:
        text = title.replace("%s", number).replace("{number}", number)
    else:
        text = {"fig": f"Fig. {number}", "exercise": f"Exercise {number}", "eq": f"({number})"}[kind]
    if site or target_doc == doc:
        return text  # in the same notebook there is no anchor JupyterLab could scroll to
    anchor = f"#{label}" if kind == "eq" else ""
    return f"[{text}]({_rel_link(target_doc, doc)}{anchor})"


def needs_span(name: str, content: str, doc: str) -> bool:
    """Whether JupyterLab cannot render this role by itself."""
    if name in ("eq",):
        label = _split_target(content)[1]
        where = book_index()["labels"].get(label)
        return where is None or where[0] != doc  # jupyterlab-myst resolves its own notebook's equations
    return name != "doc"


# ----------------------------------------------------------------------------------------------
# Markdown rewriting
# ----------------------------------------------------------------------------------------------
def _protected(text: str) -> list[tuple[int, int]]:
    fences = list(FENCE.finditer(text))
    spans = [m.span() for m in fences if not DIRECTIVE_INFO.match(m["info"])]
    spans += [m.span() for m in COMMENT.finditer(text)]
    masked = text
    for a, b in spans:
        masked = masked[:a] + " " * (b - a) + masked[b:]
    for m in fences:          # a directive's fence lines are no code span; its body is prose
        if DIRECTIVE_INFO.match(m["info"]):
            first_end = text.index("\n", m.start())
            last_start = text.rindex("\n", m.start(), m.end()) + 1
            for a, b in ((m.start(), first_end), (last_start, m.end())):
                masked = masked[:a] + " " * (b - a) + masked[b:]
    spans += [m.span() for m in CODE_SPAN.finditer(ROLE.sub(lambda m: " " * len(m.group(0)), masked))]
    return spans


def _outside(pos: int, spans) -> bool:
    return not any(a <= pos < b for a, b in spans)


#: A line that starts with ``<!--`` opens an HTML block in CommonMark: the rest of that line would
#: be shown as raw text in JupyterLab. A span that starts a line (after indentation, a list or
#: quote marker) is therefore preceded by an invisible zero-width space.
LINE_START = re.compile(r"(?:^|\n)[ \t]*(?:(?:[-*+]|\d+[.)]|>)[ \t]+)*$")
ZWSP = "&#8203;"


def _lead(text: str, start: int) -> str:
    return ZWSP if LINE_START.search(text[:start]) else ""


def rewrite_markdown(text: str, doc: str, nb) -> str:
    """Every span re-rendered, every role JupyterLab cannot render turned into a span, every
    {doc} role into a markdown link."""
    def span(m):
        role = ROLE.fullmatch(m.group("role"))
        if role is None:
            raise ProseError(f"{doc}: a marked span with an unknown role {m.group('role')!r}")
        return (f"{_lead(m.string, m.start())}<!-- {m.group('role')} -->"
                f"{render(role['name'], role['content'], doc, nb)}<!-- / -->")

    text = SPAN.sub(span, text)
    protected = _protected(text)
    out, last = [], 0
    for m in ROLE.finditer(text):
        if not _outside(m.start(), protected):
            continue
        name, content = m["name"], m["content"]
        if name == "doc":
            new = render(name, content, doc, nb)
        elif needs_span(name, content, doc):
            if "--" in content:
                raise ProseError(f"{doc}: {m.group(0)!r}: '--' cannot stand in an HTML comment")
            new = f"{_lead(text, m.start())}<!-- {m.group(0)} -->{render(name, content, doc, nb)}<!-- / -->"
        else:
            continue
        out.append(text[last:m.start()])
        out.append(new)
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def unconverted(text: str, doc: str) -> list[str]:
    """The roles left in a markdown text that JupyterLab cannot render."""
    protected = _protected(text)
    return [m.group(0) for m in ROLE.finditer(text)
            if _outside(m.start(), protected) and (m["name"] == "doc" or needs_span(m["name"], m["content"], doc))]


def docname(path: Path) -> str:
    return path.resolve().relative_to(ROOT).with_suffix("").as_posix()


def convert(nb, path: Path) -> int:
    """Rewrite the markdown cells of ``nb`` (read from ``path``); return how many changed."""
    doc, changed = docname(path), 0
    for cell in nb.cells:
        if cell.get("cell_type") != "markdown":
            continue
        new = rewrite_markdown(cell.source, doc, nb)
        if new != cell.source:
            cell.source = new
            changed += 1
    return changed


def problems(nb, path: Path) -> list[str]:
    """Spans whose text is stale and roles left unconverted (empty when the notebook is current)."""
    doc, found = docname(path), []
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "markdown":
            continue
        try:
            new = rewrite_markdown(cell.source, doc, nb)
        except ProseError as exc:
            found.append(f"cell {i}: {exc}")
            continue
        for role in unconverted(cell.source, doc):
            found.append(f"cell {i}: {role} is not converted")
        old_spans, new_spans = SPAN.findall(cell.source), SPAN.findall(new)
        for (role, old), (_, fresh) in zip(old_spans, new_spans):
            if old != fresh:
                found.append(f"cell {i}: {role} shows {old!r}, its source gives {fresh!r}")
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if any notebook is not current")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or sorted(BOOK.glob("*.ipynb"))
    status = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if args.check:
            found = problems(nb, path)
            if found:
                status = 1
                print(f"{path.name}: not current (python scripts/prose.py {path.relative_to(ROOT)}):")
                print("\n".join("  " + f for f in found))
            continue
        try:
            changed = convert(nb, path)
        except ProseError as exc:
            print(f"{path.name}: {exc}")
            status = 1
            continue
        if changed:
            nbformat.write(nb, path)
        print(f"{path.name}: {changed} markdown cell(s) rewritten")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
