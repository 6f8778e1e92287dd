"""The whole book builds with warnings as errors, and every chapter page is complete."""
from __future__ import annotations

import re

from bookpaths import chapter_files

ERROR_MARKERS = ["Traceback (most recent call last)", "output_error", "Error in callback",
                 "cell execution failed", "system-message"]


def test_every_chapter_page_exists_without_errors(built_site):
    files = chapter_files()
    assert len(files) >= 2, "the table of contents lists no chapters"
    for doc in files:
        page = built_site / f"{doc}.html"
        assert page.exists(), f"{doc}: no page {page.name} in the build"
        html = page.read_text(encoding="utf-8")
        for marker in ERROR_MARKERS:
            assert marker not in html, f"{doc}: the page contains {marker!r}"
        assert re.search(r"<h1[^>]*>", html), f"{doc}: the page has no title"


def test_notebook_pages_show_their_outputs(built_site):
    for doc in chapter_files():
        if not doc.split("/")[-1][:2].isdigit():
            continue  # front matter, references
        html = (built_site / f"{doc}.html").read_text(encoding="utf-8")
        assert "cell_output" in html, f"{doc}: no cell outputs rendered"
        assert re.search(r'<img[^>]+src="[^"]+\.png"', html), f"{doc}: no figure rendered"
