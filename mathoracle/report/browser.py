"""Rendering a report page in headless Chromium: its DOM, its console messages, a screenshot.

The browser test uses it, and so does the README's screenshot:

    python -m mathoracle.report.browser reports/report.html docs/report-screenshot.png

Chromium runs with a fresh profile, no network features and no sandbox (CI runs as root).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars")
CONSOLE = re.compile(r":CONSOLE[:(]\d*\)?\]? (.*)")


def chromium() -> str | None:
    """The Chromium executable (Debian's ``chromium`` package), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(exe: str, args: list[str], timeout: float) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="mathoracle-chromium-") as profile:
        return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout)


def render(page: Path, screenshot: Path | None = None, *, width: int = 1280, height: int = 1500,
           timeout: float = 90) -> tuple[str, list[str]]:
    """(the DOM after load, the console messages) of ``page``; a PNG at ``screenshot``."""
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("chromium is not installed (apt-get install chromium)")
    url = Path(page).resolve().as_uri()
    dump = _run(exe, ["--enable-logging=stderr", "--v=0", "--dump-dom", url], timeout)
    console = [m.group(1) for m in map(CONSOLE.search, dump.stderr.splitlines()) if m]
    if screenshot is not None:
        shot = _run(exe, [f"--screenshot={Path(screenshot).resolve()}",
                          f"--window-size={width},{height}", url], timeout)
        if not Path(screenshot).is_file():
            raise RuntimeError(f"chromium wrote no screenshot: {shot.stderr.strip()[-300:]}")
    return dump.stdout, console


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m mathoracle.report.browser PAGE.html SCREENSHOT.png", file=sys.stderr)
        return 2
    _, console = render(Path(args[0]), Path(args[1]))
    for line in console:
        print(f"console: {line}")
    print(f"wrote {args[1]}")
    return 1 if console else 0


if __name__ == "__main__":
    sys.exit(main())
