"""Browser tests: a real SNU server with the demo data, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SNU = [sys.executable, str(ROOT / "manage.py")]
CHROMIUM = os.environ.get("SNU_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "e2e" / "screenshots"
PASSWORDS = {"admin": "snu-demo-admin", "radgiver": "snu-demo-radgiver", "leser": "snu-demo-leser"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    data_dir = tempfile.mkdtemp(prefix="snu-e2e-")
    env = {**os.environ, "SNU_DATA_DIR": data_dir, "DATABASE_URL": f"sqlite:///{data_dir}/snu.sqlite3"}
    subprocess.run([*SNU, "demo", "--no-serve"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    port = _free_port()
    proc = subprocess.Popen([*SNU, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=server, locale="nb-NO", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def login(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(PASSWORDS[username])
    page.get_by_role("button", name="Logg inn").last.click()
    page.wait_for_url(lambda url: "/login/" not in url)


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """Fail on any serious or critical axe-core violation on the current page."""
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    report = "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in bad)
    assert not bad, f"axe violations on {page.url}:\n{report}"


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
