"""PWA load figures: compressed size of the app shell, and time to interactive of the programme
page in headless Chromium on a throttled network (CDP ``Network.emulateNetworkConditions``)
with a 4x CPU slowdown (a mid-range phone).

    .venv/bin/python bench/bench_pwa.py [--runs 5]

Starts its own ``backchannel serve`` (SQLite in a temp dir, the demo congress from
``backchannel demo``) on loopback and drives Debian's /usr/bin/chromium through Playwright.
Time to interactive here is the Lighthouse-style definition simplified: the later of "first
session card on screen" and "end of the last long task (>50 ms) before a 2 s quiet window".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "backchannel"
CHROMIUM = os.environ.get("BACKCHANNEL_CHROMIUM", "/usr/bin/chromium")

#: Lighthouse's mobile "Slow 4G" profile (150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up) and a
#: congress Wi-Fi under load (400 ms RTT, 400 kbit/s down).
PROFILES = {
    "slow-4g": {"latency": 150, "down": 1_600_000, "up": 750_000},
    "busy-congress-wifi": {"latency": 400, "down": 400_000, "up": 200_000},
}
CPU_SLOWDOWN = 4

INIT = """
window.__longTasks = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
} catch (e) {}
window.__cards = null;
new MutationObserver((_, obs) => {
  if (document.querySelector('.programme-list .card')) {
    window.__cards = performance.now();
    obs.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(instance: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        BACKCHANNEL_INSTANCE=str(instance),
        SECRET_KEY="bench-secret-key-not-for-production",
        PUBLIC_URL=url,
        ALLOWED_ORIGINS=url,
        IMPORT_REFRESH_ENABLED="0",
        RATELIMIT_ENABLED="0",
    )
    subprocess.run([str(BIN), "demo"], env=env, cwd=REPO, check=True, capture_output=True)
    process = subprocess.Popen(
        [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v1/conferences", timeout=2).close()
            return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start")


def _compressed(url: str) -> tuple[int, int, str]:
    """(bytes on the wire, bytes decoded, encoding) for one GET with br/gzip accepted."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "br, gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        encoding = response.headers.get("Content-Encoding") or "identity"
    raw = len(body)
    if encoding == "br":
        import brotli

        decoded = len(brotli.decompress(body))
    elif encoding == "gzip":
        import gzip

        decoded = len(gzip.decompress(body))
    else:
        decoded = raw
    return raw, decoded, encoding


def shell_size(base: str) -> dict[str, Any]:
    worker = urllib.request.urlopen(f"{base}/sw.js", timeout=10).read().decode()
    match = re.search(r"const PRECACHE = (\[.*?\]);", worker)
    assert match, "no precache list in sw.js"
    urls = json.loads(match.group(1))
    rows = [(u, *_compressed(base + u)) for u in urls]
    return {
        "files": len(rows),
        "wire": sum(r[1] for r in rows),
        "decoded": sum(r[2] for r in rows),
        "rows": rows,
    }


def load_once(
    browser: Any, base: str, path: str, profile: dict[str, int], warm: bool
) -> dict[str, float]:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, base_url=base)
    ctx.add_init_script(INIT)
    page = ctx.new_page()
    if warm:  # a returning visitor: the service worker holds the shell and the programme
        page.goto(path)
        page.wait_for_selector(".programme-list .card")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        page.wait_for_selector(".programme-list .card")
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": profile["latency"],
            "downloadThroughput": profile["down"] / 8,
            "uploadThroughput": profile["up"] / 8,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    transferred = 0.0

    def finished(event: dict[str, Any]) -> None:
        nonlocal transferred
        transferred += float(event.get("encodedDataLength", 0))

    cdp.on("Network.loadingFinished", finished)
    page.goto(path, wait_until="commit")
    page.wait_for_function("() => window.__cards !== null", timeout=120_000)
    # Quiet window: no long task for 2 s of wall time after the cards are there.
    quiet_since = time.monotonic()
    seen = 0
    while time.monotonic() - quiet_since < 2.0:
        count = page.evaluate("window.__longTasks.length")
        if count != seen:
            seen = count
            quiet_since = time.monotonic()
        time.sleep(0.1)
    marks = page.evaluate(
        """() => ({
          cards: window.__cards,
          dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
          lastLong: window.__longTasks.reduce((m, [s, d]) => Math.max(m, s + d), 0),
        })"""
    )
    ctx.close()
    return {
        "first_cards_ms": marks["cards"],
        "tti_ms": max(marks["cards"], marks["dcl"], marks["lastLong"]),
        "transferred_kb": transferred / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        process, base = _start_server(Path(tmp))
        try:
            size = shell_size(base)
            print(
                f"app shell: {size['files']} files, {size['wire'] / 1024:.1f} KiB on the wire "
                f"({size['decoded'] / 1024:.1f} KiB decoded)"
            )
            for url, wire, decoded, encoding in sorted(size["rows"], key=lambda r: -r[1])[:6]:
                print(f"  {url}: {wire / 1024:.1f} KiB {encoding} ({decoded / 1024:.1f} KiB)")
            conferences = json.loads(urllib.request.urlopen(f"{base}/api/v1/conferences").read())
            slug = conferences["items"][0]["slug"]
            detail = json.loads(urllib.request.urlopen(f"{base}/api/v1/conferences/{slug}").read())
            path = f"/programme?day={detail['days'][0]}"
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                for name, profile in PROFILES.items():
                    for warm in (False, True):
                        runs = [
                            load_once(browser, base, path, profile, warm) for _ in range(args.runs)
                        ]
                        label = "returning (service worker)" if warm else "first visit"
                        tti = [r["tti_ms"] for r in runs]
                        cards = statistics.median(r["first_cards_ms"] for r in runs)
                        kib = statistics.median(r["transferred_kb"] for r in runs)
                        print(
                            f"{name}, {label}, CPU/{CPU_SLOWDOWN}: cards {cards:.0f} ms, "
                            f"TTI {statistics.median(tti):.0f} ms "
                            f"(min {min(tti):.0f}, max {max(tti):.0f}), transferred {kib:.1f} KiB"
                        )
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
