"""The case page in Firefox: a headless screenshot whose map pane must not be blank.

Playwright's Firefox needs its own patched build, so this drives the system's Firefox ESR
(``firefox-esr`` or ``firefox`` on PATH, or PROCSIM_FIREFOX) with ``--screenshot``. Without
it the test skips, saying how to enable it; under ``CI=true`` a missing Firefox fails it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from procsim.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
WIDTH, HEIGHT = 1920, 1080
HOW = "install Firefox ESR (apt-get install firefox-esr) or set PROCSIM_FIREFOX to a Firefox binary"


def _firefox() -> str | None:
    named = os.environ.get("PROCSIM_FIREFOX")
    if named:
        return named if Path(named).exists() else None
    return shutil.which("firefox-esr") or shutil.which("firefox")


def _dark_share(png: Path, box: tuple[int, int, int, int]) -> float:
    """The share of pixels in the box (left, top, right, bottom) that are not near-white."""
    from PIL import Image

    with Image.open(png) as image:
        histogram = image.convert("L").crop(box).histogram()
    return sum(histogram[:235]) / sum(histogram)


def test_the_map_pane_is_drawn_in_firefox(tmp_path):
    firefox = _firefox()
    if firefox is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the Firefox test must run in CI: no Firefox found; {HOW}")
        pytest.skip(f"Firefox test skipped: no Firefox found; to enable it, {HOW}")
    page = tmp_path / "oconnor.html"
    assert main(["--scenarios", str(SCENARIOS), "html", "oconnor", "-o", str(page)]) == 0
    profile = tmp_path / "profile"
    profile.mkdir()
    shot = tmp_path / "shot.png"
    command = [firefox, "--headless", "--no-remote", "--profile", str(profile)]
    command += [f"--window-size={WIDTH},{HEIGHT}", "--screenshot", str(shot), page.as_uri() + "#step-13"]
    env = {**os.environ, "HOME": str(tmp_path), "MOZ_HEADLESS": "1"}
    # the timeout only stops a hung browser; it is not a speed check
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert shot.exists(), done.stdout[-2000:] + done.stderr[-2000:]
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (WIDTH, HEIGHT)
    # the map pane is the left ~60%: its left half, below the bar and zoom buttons and above
    # the map note, must show the drawing (blank: 0%; drawn: about 15%)
    assert _dark_share(shot, (0, 130, WIDTH // 2, HEIGHT - 60)) > 0.03
    # and the step panel on the right is there too
    assert _dark_share(shot, (WIDTH - 500, 130, WIDTH, HEIGHT - 60)) > 0.01
