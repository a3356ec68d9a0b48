"""Render a ganbench ``index.html`` in headless Chromium and check that every plot loaded.

Usage: ``python scripts/check_report.py RUN_DIR/index.html [--chromium PATH]``

A copy of the report with a small checker script is written next to it (so relative
links resolve), loaded with ``chromium --headless --dump-dom``, and removed. After the
page's load event the checker counts, in the browser's own rendering: SVG plots with a
non-empty layout box and at least one drawn data mark (or an explicit "no data"),
and images that decoded (``complete`` with a non-zero natural width). It prints a JSON
summary and exits 0 only when every plot loaded and there was at least one.
Install Chromium on Debian with ``apt-get install -y chromium``.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

CHECKER = """<script>
window.addEventListener("load", () => {
  const svgs = [...document.querySelectorAll("svg.plot")];
  const imgs = [...document.querySelectorAll("img")];
  const bad = [];
  for (const s of svgs) {
    const box = s.getBoundingClientRect();
    const marks = s.querySelectorAll(".mark").length;
    const empty = s.querySelectorAll(".no-data").length;
    if (!(box.width > 0 && box.height > 0 && (marks > 0 || empty > 0)))
      bad.push("svg: " + (s.querySelector("title") || {}).textContent);
  }
  for (const i of imgs)
    if (!(i.complete && i.naturalWidth > 0)) bad.push("img: " + i.alt);
  const out = document.createElement("pre");
  out.id = "ganbench-check";
  out.textContent = JSON.stringify({svgs: svgs.length, images: imgs.length, bad: bad,
    empty: document.querySelectorAll("svg.plot .no-data").length});
  document.body.appendChild(out);
});
</script>"""


def find_chromium(explicit: str | None = None) -> str | None:
    """The Chromium binary to use: ``explicit``, ``$CHROMIUM``, or one on ``PATH``."""
    for name in (explicit, os.environ.get("CHROMIUM"), *CANDIDATES):
        if name and (path := shutil.which(name)):
            return path
    return None


def check(report: Path, chromium: str, timeout: float = 120.0) -> dict:
    """Load ``report`` in headless Chromium; the checker's counts and failures."""
    report = report.resolve()
    text = report.read_text(encoding="utf-8")
    fd, probe = tempfile.mkstemp(dir=report.parent, prefix=".check-", suffix=".html")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text.replace("</body>", CHECKER + "</body>", 1))
        with tempfile.TemporaryDirectory() as profile:
            result = subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                 "--virtual-time-budget=10000", "--dump-dom", Path(probe).as_uri()],
                capture_output=True, text=True, timeout=timeout, check=False)
    finally:
        Path(probe).unlink(missing_ok=True)
    found = re.search(r'<pre id="ganbench-check">(.*?)</pre>', result.stdout, re.S)
    if not found:
        raise RuntimeError(f"chromium produced no check result (exit {result.returncode}): "
                           f"{result.stderr[-2000:]}")
    return json.loads(html.unescape(found.group(1)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="path to index.html")
    parser.add_argument("--chromium", help="Chromium binary (default: found on PATH)")
    args = parser.parse_args(argv)
    if not args.report.is_file():
        print(f"error: {args.report} is not a file", file=sys.stderr)
        return 2
    chromium = find_chromium(args.chromium)
    if chromium is None:
        print(f"error: no Chromium found (tried {', '.join(CANDIDATES)}); "
              "install it, e.g. apt-get install -y chromium", file=sys.stderr)
        return 2
    result = check(args.report, chromium)
    print(json.dumps(result, indent=1))
    ok = not result["bad"] and result["svgs"] + result["images"] > 0
    print("all plots loaded" if ok else "some plots did not load", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
