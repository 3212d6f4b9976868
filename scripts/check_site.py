"""Open the built documentation site in headless Chromium and check what its pages show.

Usage: ``python scripts/check_site.py site [--screenshots DIR]`` (``make docs-check``).
Serves ``site/`` on a local port, loads each page in a fresh headless Chromium (JavaScript on, so
MathJax and the search run), reads the DOM Chromium ends with, and asserts on it: the home page,
one API page whose math MathJax has typeset (bijections), one tutorial, and a search for
``MaxPoolSurjection2d`` that finds its API entry. Chromium comes from the Debian package
``chromium`` (``apt-get install chromium``); no network is used.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--window-size=1280,1600", "--virtual-time-budget=15000",
]


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("check_site: no Chromium found; install it with `apt-get install chromium`")


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


def chromium(binary: str, args: list[str]) -> str:
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120,
        )
    if result.returncode != 0:
        raise SystemExit(f"check_site: chromium failed on {args[-1]}: {result.stderr[-500:]}")
    return result.stdout


CHECKS = [
    # (name, path, strings the rendered DOM must contain)
    ("home", "index.html", ["SurVAE Flows in PyTorch", "Three kinds of layer", "API reference"]),
    ("api-bijections", "api/bijections.html",
     ["AffineCouplingBijection", "AffineSetCouplingBijection", 'class="MathJax']),
    ("tutorial", "tutorials/flow-and-absflow.html", ["AbsFlow", "log_prob", 'class="MathJax']),
    ("search", "search.html?q=MaxPoolSurjection2d",
     ["Search Results", "MaxPoolSurjection2d", "api/surjections.html#survae.transforms"]),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--screenshots", type=Path, default=None)
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        print(f"check_site: {args.site}/index.html not found: run `make docs` first",
              file=sys.stderr)
        return 2
    binary = find_chromium()
    server, base = serve(args.site)
    failures = []
    try:
        for name, path, expected in CHECKS:
            dom = chromium(binary, ["--dump-dom", f"{base}/{path}"])
            missing = [text for text in expected if text not in dom]
            status = "ok" if not missing else f"MISSING {missing}"
            print(f"{name:16s} {path:40s} {status}")
            if missing:
                failures.append(name)
            if args.screenshots is not None:
                args.screenshots.mkdir(parents=True, exist_ok=True)
                shot = (args.screenshots / f"{name}.png").resolve()
                chromium(binary, [f"--screenshot={shot}", f"{base}/{path}"])
    finally:
        server.shutdown()
    if failures:
        print(f"check_site: {len(failures)} page(s) failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    print(f"check_site: all {len(CHECKS)} pages show what they should")
    return 0


if __name__ == "__main__":
    sys.exit(main())
