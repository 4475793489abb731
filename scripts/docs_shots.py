"""``make docs-shots``: every page of the built site, screenshotted in headless Chromium at desktop and phone width.

The site (``site/``, from ``make docs``) is served on a loopback port and each page is opened at 1280 px and at
390 px (a phone, with mobile emulation); each full-page screenshot goes to ``site/shots/<page>-<width>.png``. The
browser is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: standard library only, no
port, no driver to download). For every page and width the script also lists what overflows horizontally (a
code block, a table, or the page itself), the defects a screenshot shows as clipped or cut-off content, and exits
1 when the page itself is wider than the window. Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (1280, 390)
# What overflows: the document itself, and each code block or table wider than its box (scrollable, so clipped).
OVERFLOW = """(() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1) out.push(`page is ${doc.scrollWidth}px wide`);
  for (const el of document.querySelectorAll('.md-typeset pre > code, .md-typeset__scrollwrap')) {
    if (el.scrollWidth > el.clientWidth + 1) {
      const what = el.tagName === 'CODE' ? 'code block' : 'table';
      const text = (el.innerText || '').trim().split('\\n')[0].slice(0, 60);
      out.push(`${what} ${el.scrollWidth}px in ${el.clientWidth}px: ${text}`);
    }
  }
  return out;
})()"""


class Browser:
    """Headless Chromium over ``--remote-debugging-pipe``: commands on fd 3, replies on fd 4, NUL-separated."""

    def __init__(self, executable: str, profile: str) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # The child's ends move above 4 first, so that placing one on fd 3 or 4 cannot overwrite the other.
        to_browser_r, from_browser_w = (_above(fd, 10) for fd in (to_browser_r, from_browser_w))

        def wire() -> None:  # in the child: the pipes become fds 3 and 4, where Chromium looks for them
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        args = [executable, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--no-first-run", "--mute-audio", f"--user-data-dir={profile}"]  # fmt: skip
        # pass_fds keeps 3 and 4 open past the close of inherited descriptors, which runs after preexec_fn.
        self._process = subprocess.Popen(args, preexec_fn=wire, pass_fds=(3, 4), stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)  # fmt: skip
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str) -> None:
        while True:
            if any(e.get("method") == method for e in self.events):
                self.events.clear()
                return
            self.events.append(self._read())

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("the browser closed its pipe")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            self.send("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
        os.close(self._to_browser)
        os.close(self._from_browser)


def _above(fd: int, lowest: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, lowest)
    os.close(fd)
    return moved


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """The site's files, without a log line per request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def pages(site: Path) -> list[str]:
    found = [p.relative_to(site).as_posix() for p in site.rglob("index.html") if "shots" not in p.parts]
    return sorted(p.removesuffix("index.html") for p in found)


def shoot(browser: Browser, session: str, url: str, width: int, out: Path) -> list[str]:
    browser.send("Emulation.setDeviceMetricsOverride", session, width=width, height=900, deviceScaleFactor=1,
                 mobile=width < 600)  # fmt: skip
    browser.send("Page.navigate", session, url=url)
    browser.wait_for("Page.loadEventFired")
    browser.send("Runtime.evaluate", session, expression="document.fonts.ready", awaitPromise=True)
    metrics = browser.send("Page.getLayoutMetrics", session)
    height = min(int(metrics["cssContentSize"]["height"]), 16000)
    shot = browser.send("Page.captureScreenshot", session, format="png", captureBeyondViewport=True,
                        clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})  # fmt: skip
    out.write_bytes(base64.b64decode(shot["data"]))
    found = browser.send("Runtime.evaluate", session, expression=OVERFLOW, returnByValue=True)
    problems: list[str] = found["result"].get("value", [])
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--browser", default=os.environ.get("CHROMIUM") or shutil.which("chromium") or "chromium")
    parser.add_argument("pages", nargs="*", help="only these pages (e.g. capabilities providers/cerebras)")
    args = parser.parse_args()
    out = args.site / "shots"
    if not args.pages:  # a full run replaces every shot; a partial one only its own
        shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    failed = False
    with serve(args.site) as base, tempfile.TemporaryDirectory() as profile:
        browser = Browser(args.browser, profile)
        try:
            target = browser.send("Target.createTarget", url="about:blank")["targetId"]
            session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            browser.send("Page.enable", session)
            for page in pages(args.site):
                if args.pages and (page.strip("/") or "index") not in args.pages:
                    continue
                name = page.strip("/").replace("/", "-") or "index"
                for width in WIDTHS:
                    problems = shoot(browser, session, f"{base}/{page}", width, out / f"{name}-{width}.png")
                    failed |= any(p.startswith("page is") for p in problems)
                    status = "; ".join(problems) if problems else "ok"
                    print(f"{name}-{width}.png: {status}")
        finally:
            browser.close()
    print(f"screenshots in {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
