"""PWA figures in headless Chromium with a 4x CPU slowdown (a mid-range phone), 390 x 844.

    .venv/bin/python bench/bench_pwa.py [--runs 5]
    .venv/bin/python bench/bench_pwa.py --big [--runs 3] [--pace 1500] [--network none]

Starts its own ``backchannel serve`` (SQLite in a temp dir, the demo congress from
``backchannel demo``) on loopback and drives Debian's /usr/bin/chromium through Playwright.

Default: compressed size of the app shell, and time to interactive of the programme page on
a throttled network (CDP ``Network.emulateNetworkConditions``). Time to interactive here is
the Lighthouse-style definition simplified: the later of "first session card on screen" and
"end of the last long task (>50 ms) before a 2 s quiet window".

``--big``: also imports, with ``backchannel import``, a 2,644-session congress (34C3 four
weeks running, built by ``bench_programme.big_programme``) and measures its programme on the
busiest day instead: a reader opens it, gets every session of the day the way a person would
(flicking down, tapping "Load more sessions" when they reach the end and it is there), then
the page is scrolled from top to bottom at a steady pace (``--pace`` px/s, moved once per
animation frame from the elapsed time, so a slow frame does not slow the scroll). Reported:
sessions on the page (checked against the API: none missing, none twice, in order), frame
times from requestAnimationFrame deltas during the steady scroll (p50/p95/p99, frames over
50 ms), long tasks during the loading and during the scroll, time for each further page
(request start to the first frame after its cards are in the page), the reader's taps and
waiting at the end, DOM size and JS heap (after a forced GC) at the end.
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
import urllib.parse
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
BIG_SLUG = "big34c3"


def _throttle(cdp: Any, network: dict[str, int] | None) -> None:
    """A mid-range phone: CPU/4, and the network profile when one is given."""
    if network:
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": network["latency"],
                "downloadThroughput": network["down"] / 8,
                "uploadThroughput": network["up"] / 8,
            },
        )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})


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


def _start_server(instance: Path, big: Path | None = None) -> tuple[subprocess.Popen[bytes], str]:
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
    if big is not None:
        start = time.perf_counter()
        subprocess.run(
            [str(BIN), "import", str(big), "--conference", BIG_SLUG],
            env=env,
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        print(f"backchannel import of the big congress: {time.perf_counter() - start:.1f} s")
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
    _throttle(cdp, profile)
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


# --- --big: the programme of a large congress, scrolled -----------------------------------

SCROLL_INIT = """
try { localStorage.setItem('backchannel.conference', '__SLUG__'); } catch (e) {}
window.__bench = { longTasks: [], changes: [] };
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
} catch (e) {}
// When the number of cards changes: the time, the count, and the next frame after it.
const watchList = () => {
  const list = document.querySelector('.programme-list');
  if (!list) return false;
  let seen = 0;
  new MutationObserver(() => {
    const cards = list.getElementsByClassName('card').length;
    if (cards === seen) return;
    seen = cards;
    const change = { at: performance.now(), cards, frame: null };
    window.__bench.changes.push(change);
    requestAnimationFrame((t) => { change.frame = t; });
  }).observe(list, { childList: true, subtree: true });
  return true;
};
new MutationObserver((_, obs) => { if (watchList()) obs.disconnect(); })
  .observe(document, { childList: true, subtree: true });
"""

#: The steady scroll: the position follows the clock (pace px/s), set once per frame.
STEADY_SCROLL = """
(pace) => new Promise((resolve) => {
  const root = document.scrollingElement;
  const distance = root.scrollHeight - innerHeight;
  const deltas = [];
  let start = null;
  let last = null;
  const step = (t) => {
    if (start === null) start = t;
    if (last !== null) deltas.push(t - last);
    last = t;
    const y = Math.min(distance, ((t - start) / 1000) * pace);
    window.scrollTo(0, y);
    if (y >= distance) resolve({ deltas, start, end: t, distance });
    else requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
})
"""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _day_listing(base: str, slug: str, day: str) -> list[int]:
    """Ids of the sessions the programme shows for ``day``, in order (not cancelled)."""
    ids: list[int] = []
    cursor = ""
    while True:
        where = "" if day == "all" else f"day={day}&"
        url = f"{base}/api/v1/conferences/{slug}/sessions?{where}limit=500{cursor}"
        body = json.loads(urllib.request.urlopen(url, timeout=30).read())
        ids += [i["id"] for i in body["items"] if i.get("status") != "cancelled"]
        if not body["next"]:
            return ids
        cursor = f"&cursor={urllib.parse.quote(body['next'])}"


def _flick(cdp: Any) -> None:
    """A thumb's swipe: 600 px up in 10 touch moves 16 ms apart, held still, then lifted (no
    fling, so the list is still when the reader looks for the button)."""
    cdp.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": 195, "y": 700}]}
    )
    for step in range(1, 11):
        point = {"x": 195, "y": 700 - 60 * step}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        time.sleep(0.016)
    time.sleep(0.1)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def _metrics(cdp: Any) -> dict[str, float]:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def scroll_once(
    browser: Any,
    base: str,
    day: str,
    expected: list[int],
    pace: float,
    network: dict[str, int] | None,
) -> dict[str, Any]:
    # A throttled network applies to the page, not to a service worker fetching for it: with
    # one, the service worker is kept out so that every page of the listing crosses it.
    # A phone: touch, no mouse. (A mouse pointer left over the list by a click makes Chromium
    # hit-test the page under it on every scrolled frame, which no phone does.)
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844},
        base_url=base,
        has_touch=True,
        service_workers="block" if network else "allow",
    )
    ctx.add_init_script(SCROLL_INIT.replace("__SLUG__", BIG_SLUG))
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Performance.enable")
    _throttle(cdp, network)
    page.goto(f"/programme?day={day}", wait_until="commit")
    page.wait_for_selector(".programme-list .card", timeout=120_000)
    # The service worker installs (precache) once the first screen is done: let it finish,
    # so its work does not land in the figures below.
    if not network:
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    time.sleep(2.0)

    # 1. Get the whole day as a person would: flick down; at the end, tap the button if it is
    #    there, else wait for the next page.
    state_js = """() => {
      const root = document.scrollingElement;
      const more = document.querySelector('.load-more');
      const shown = !!more && !more.hidden && !more.disabled && more.getClientRects().length > 0;
      return {
        cards: document.querySelectorAll('.programme-list .card').length,
        atEnd: root.scrollTop + innerHeight >= root.scrollHeight - 4,
        more: shown,
      };
    }"""
    load_start = page.evaluate("performance.now()")
    taps = 0
    waited = 0.0  # seconds at the end of the list with nothing new and nothing to tap
    deadline = time.monotonic() + 60 + len(expected)  # a second a session at worst
    last_cards = -1
    stalled_since = time.monotonic()
    while True:
        state = page.evaluate(state_js)
        if state["cards"] != last_cards:
            last_cards = state["cards"]
            stalled_since = time.monotonic()
        if state["cards"] >= len(expected) and not state["more"]:
            break
        if time.monotonic() > deadline or time.monotonic() - stalled_since > 30:
            raise RuntimeError(f"stuck at {state['cards']} of {len(expected)} sessions")
        if state["atEnd"]:
            if state["more"]:
                page.locator(".load-more").tap()
                taps += 1
            else:
                time.sleep(0.05)
                waited += 0.05
        else:
            _flick(cdp)
    load_end = page.evaluate("performance.now()")
    time.sleep(1.0)
    ids = page.evaluate(
        "() => [...document.querySelectorAll('.programme-list .card')]"
        ".map((c) => Number(c.dataset.sessionId))"
    )
    bench = page.evaluate(
        """() => ({
          changes: window.__bench.changes,
          longTasks: window.__bench.longTasks,
          requests: performance.getEntriesByType('resource')
            .filter((e) => e.name.includes('/sessions?') && e.name.includes('cursor='))
            .map((e) => ({ start: e.startTime, end: e.responseEnd })),
        })"""
    )
    # Each further page: from its request going out to the first frame after its cards.
    page_ms = []
    later = [c for c in bench["changes"] if c["frame"] is not None][1:]
    for request, change in zip(bench["requests"], later, strict=False):
        page_ms.append(change["frame"] - request["start"])
    load_long = [d for s, d in bench["longTasks"] if load_start <= s <= load_end]

    # 2. The steady scroll from the top.
    page.evaluate("window.scrollTo(0, 0)")
    time.sleep(1.5)
    before = _metrics(cdp)
    scroll = page.evaluate(STEADY_SCROLL, pace)
    after = _metrics(cdp)
    long_tasks = page.evaluate("window.__bench.longTasks")
    scroll_long = [d for s, d in long_tasks if scroll["start"] <= s <= scroll["end"]]
    deltas = scroll["deltas"]

    # 3. The weight of the page at the end.
    cdp.send("HeapProfiler.collectGarbage")
    end = _metrics(cdp)
    elements = page.evaluate("document.getElementsByTagName('*').length")
    ctx.close()
    return {
        "cards": len(ids),
        "missing": len(set(expected) - set(ids)),
        "duplicates": len(ids) - len(set(ids)),
        "in_order": ids == expected,
        "pages": 1 + len(bench["requests"]),
        "taps": taps,
        "waited_s": waited,
        "load_s": (load_end - load_start) / 1000,
        "load_long": load_long,
        "page_ms": page_ms,
        "distance": scroll["distance"],
        "scroll_s": (scroll["end"] - scroll["start"]) / 1000,
        "frames": len(deltas),
        "p50": _pct(deltas, 0.50),
        "p95": _pct(deltas, 0.95),
        "p99": _pct(deltas, 0.99),
        "worst": max(deltas, default=float("nan")),
        "dropped": sum(1 for d in deltas if d > 50),
        "scroll_long": scroll_long,
        "layout_ms": (after["LayoutDuration"] - before["LayoutDuration"]) * 1000,
        "style_ms": (after["RecalcStyleDuration"] - before["RecalcStyleDuration"]) * 1000,
        "script_ms": (after["ScriptDuration"] - before["ScriptDuration"]) * 1000,
        "elements": elements,
        "nodes": end["Nodes"],
        "heap_mb": end["JSHeapUsedSize"] / 1024 / 1024,
    }


def big_run(base: str, runs: int, pace: float, network_name: str, day: str | None) -> None:
    detail = json.loads(urllib.request.urlopen(f"{base}/api/v1/conferences/{BIG_SLUG}").read())
    per_day = {d: _day_listing(base, BIG_SLUG, d) for d in detail["days"]}
    total = sum(len(v) for v in per_day.values())
    if day is None:
        day = max(per_day, key=lambda d: len(per_day[d]))
    expected = _day_listing(base, BIG_SLUG, "all") if day == "all" else per_day[day]
    print(
        f"{detail['title']}: {total} sessions on {len(per_day)} days; busiest day {day} "
        f"with {len(expected)} sessions"
    )
    network = PROFILES.get(network_name)
    load = os.getloadavg()
    print(
        f"390 x 844, CPU/{CPU_SLOWDOWN}, network {network_name}, steady scroll {pace:.0f} px/s; "
        f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for n in range(runs):
            r = scroll_once(browser, base, day, expected, pace, network)
            results.append(r)
            pages = ", ".join(f"{ms:.0f}" for ms in r["page_ms"])
            print(
                f"run {n + 1}: {r['cards']} sessions (missing {r['missing']}, twice "
                f"{r['duplicates']}, in order {r['in_order']}) in {r['pages']} pages; "
                f"loading took {r['load_s']:.1f} s, {r['taps']} taps on 'more', "
                f"{r['waited_s']:.1f} s waiting at the end, {len(r['load_long'])} long tasks "
                f"(longest {max(r['load_long'], default=0):.0f} ms); further pages [ms]: {pages}"
            )
            print(
                f"       scroll {r['distance']:.0f} px in {r['scroll_s']:.1f} s, "
                f"{r['frames']} frames: p50 {r['p50']:.1f} / p95 {r['p95']:.1f} / "
                f"p99 {r['p99']:.1f} ms, worst {r['worst']:.0f} ms, {r['dropped']} over 50 ms; "
                f"{len(r['scroll_long'])} long tasks "
                f"(longest {max(r['scroll_long'], default=0):.0f} ms); main thread: layout "
                f"{r['layout_ms']:.0f} ms, style {r['style_ms']:.0f} ms, "
                f"script {r['script_ms']:.0f} ms"
            )
            print(
                f"       end: {r['elements']} elements ({r['nodes']:.0f} DOM nodes), "
                f"JS heap {r['heap_mb']:.1f} MB after GC"
            )
        browser.close()

    def med(key: str) -> float:
        return statistics.median(float(r[key]) for r in results)

    page_ms = [ms for r in results for ms in r["page_ms"]]
    print(
        f"median of {runs}: frames p50 {med('p50'):.1f} / p95 {med('p95'):.1f} / "
        f"p99 {med('p99'):.1f} ms, {med('dropped'):.0f} over 50 ms, "
        f"{statistics.median(len(r['scroll_long']) for r in results):.0f} long tasks while "
        f"scrolling; further page median {statistics.median(page_ms):.0f} ms "
        f"(max {max(page_ms):.0f}); taps {med('taps'):.0f}, waiting {med('waited_s'):.1f} s; "
        f"{med('elements'):.0f} elements, heap {med('heap_mb'):.1f} MB"
    )
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=None, help="5, or 3 with --big")
    parser.add_argument(
        "--big", action="store_true", help="scroll the busiest day of a 2,644-session congress"
    )
    parser.add_argument("--copies", type=int, default=4, help="--big: weeks of 34C3")
    parser.add_argument("--pace", type=float, default=1500, help="--big: steady scroll, px/s")
    parser.add_argument("--network", choices=["none", *PROFILES], default="none")
    parser.add_argument(
        "--day", default=None, help="--big: a day (or 'all') instead of the busiest"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = None
        if args.big:
            sys.path.insert(0, str(REPO / "bench"))
            from bench_programme import big_programme

            big = Path(tmp) / "big-congress.json"
            big.write_bytes(big_programme(args.copies))
        process, base = _start_server(Path(tmp), big)
        try:
            if args.big:
                big_run(base, args.runs or 3, args.pace, args.network, args.day)
                return
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
                            load_once(browser, base, path, profile, warm)
                            for _ in range(args.runs or 5)
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
