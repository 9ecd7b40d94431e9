"""Real headless Chromium (Debian's ``/usr/bin/chromium``, driven by playwright: no browser
download) against a real server process in demo mode. Screenshots of each step go to
``build/browser/`` (git-ignored), the test artefacts."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.support.server import ServerProcess

CHROMIUM = os.environ.get("SIGNALING_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "browser"
# Demo mode: no JWT secret (the embedded dev secret); rooms cleaned up quickly.
DEMO_ENV = {"SIGNALING_JWT_SECRET": "", "SIGNALING_ROOM_GRACE_PERIOD": "1"}

expect.set_options(timeout=15_000)  # two shared cores: a step may wait for a busy server


@pytest.fixture(scope="session")
def demo_server() -> Iterator[ServerProcess]:
    process = ServerProcess(DEMO_ENV).start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
    async with async_playwright() as playwright:
        # --no-sandbox: the suite runs as root in CI, where Chromium's sandbox cannot start.
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield launched
        await launched.close()


class Shots:
    """Numbered screenshots of one test: ``build/browser/<test>/<nn>-<step>-<tab>.png``."""

    def __init__(self, name: str) -> None:
        self.folder = SCREENSHOTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    async def take(self, step: str, **pages: Page) -> None:
        self.count += 1
        for tab, page in pages.items():
            path = self.folder / f"{self.count:02d}-{step}-{tab}.png"
            await page.screenshot(path=path, full_page=True)


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)
