"""What the browser tests share: headless Chromium (one policy for finding it), its flags, a quiet
local web server and the log of what a page did."""
from __future__ import annotations

import http.server
import os
import shutil
from urllib.parse import urlsplit

import pytest

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    """Debian's chromium. Missing: the test fails under CI (where .ci/run installs it) and is
    skipped elsewhere, with the command that installs it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = ("the browser tests need headless Chromium: install Debian's package `chromium` "
                   "(apt-get install -y chromium; .ci/run does this)")
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(message + ", and CI is set, so they must run")
        pytest.skip(message)
    return path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file server that does not log every request."""

    def log_message(self, *args):
        pass


class PageLog:
    """Everything a page did that the test forbids: console errors, failed or external requests."""

    def __init__(self, page, origin: str):
        self.origin = origin
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.external: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught exception: {exc}"))
        page.on("request", self._request)
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", self._response)

    def _console(self, msg):
        if msg.type == "error":
            self.errors.append(f"console error: {msg.text}")

    def _request(self, request):
        url = request.url
        self.requests.append(url)
        scheme = urlsplit(url).scheme
        if scheme in ("data", "blob", "about"):
            return
        if not url.startswith(self.origin):
            self.external.append(url)

    def _response(self, response):
        if response.status >= 400:
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def check(self, where: str) -> None:
        assert not self.errors, f"{where}: console errors:\n" + "\n".join(self.errors)
        assert not self.external, f"{where}: requests that leave the site:\n" + "\n".join(self.external)
        assert not self.failed, f"{where}: failed requests:\n" + "\n".join(self.failed)
