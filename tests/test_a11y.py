"""Every built page has a description and an icon, and its figures their size (axe-core itself runs on every rendered page in
tests/test_site.py, where each page is opened once).
"""
from __future__ import annotations

import re

from bookpaths import chapter_files


def test_every_page_has_a_description_and_an_icon(built_site):
    pages = [p for p in built_site.rglob("*.html") if p.relative_to(built_site).parts[0] not in ("_static", "_sources")]
    assert len(pages) >= len(chapter_files())
    for page in pages:
        html = page.read_text(encoding="utf-8")
        rel = page.relative_to(built_site).as_posix()
        if 'http-equiv="refresh"' in html or "http-equiv=\"Refresh\"" in html:
            continue  # the root redirect page: covered by the site-wide favicon.ico below
        m = re.search(r'<meta name="description" content="([^"]*)"', html)
        assert m and len(m.group(1)) >= 20, f"{rel}: no description"
        assert "\\" not in m.group(1), f"{rel}: TeX in its description: {m.group(1)!r}"
        assert re.search(r'<link rel="icon"[^>]*href="[^"]+"', html), f"{rel}: no favicon"
        for img in re.findall(r"<img [^>]*_images/[^>]*>", html):  # no layout shift, loaded when near
            assert re.search(r'width="\d+" height="\d+"', img) and 'loading="lazy"' in img, f"{rel}: {img[:120]}"
    assert (built_site / "favicon.ico").is_file(), "no /favicon.ico (browsers ask for it on the redirect page)"
