"""Show library source on the page, so the code the reader reads is the code that runs."""
from __future__ import annotations

import inspect
import textwrap


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


def show_source(*objects, language: str = "python") -> SourceCode:
    """The source of one or more functions/classes, ready to display in a notebook cell."""
    if not objects:
        raise ValueError("show_source needs at least one function, class or module")
    parts = [textwrap.dedent(inspect.getsource(obj)).rstrip() for obj in objects]
    return SourceCode("\n\n\n".join(parts), language)
