"""The API docs page in a real headless Chromium, served by a real server, with no network:
Swagger UI must load its assets from Etalon and render the operations."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.live import live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=15000",
]


@pytest.fixture
def browser(tmp_path):
    if CHROMIUM is None:
        if os.environ.get("ETALON_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (apt-get install chromium)")
        pytest.skip("Chromium is not installed")

    def run(*args: str) -> subprocess.CompletedProcess:
        profile = tmp_path / "profile"
        return subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def test_swagger_ui_renders_offline(browser, tmp_path):
    with live_server(f"sqlite:///{tmp_path / 'docs.db'}", tmp_path) as server:
        page = browser("--dump-dom", f"{server.base}/api/v1/docs")
        shot = tmp_path / "docs.png"
        browser("--window-size=1280,900", f"--screenshot={shot}", f"{server.base}/api/v1/docs")
    dom = page.stdout
    assert 'class="swagger-ui"' in dom, page.stderr[-2000:]
    for path in ("/api/v1/units", "/api/v1/standards/{key}/versions", "/api/v1/releases"):
        assert f'data-path="{path}"' in dom
    assert shot.stat().st_size > 10_000
