"""A long programme day in a real Chromium at phone size: the list loads its next page by itself
as the reader scrolls, every session exactly once and in order, and the "Load more sessions"
button still works from the keyboard (with and without IntersectionObserver).

The conference is a generated CSV of 300 sessions on one day (and a few on the next) imported
with ``backchannel import`` into the running test server's instance. It is dated 2019, before
DemoCon, so DemoCon stays the default conference of the other tests.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SLUG = "longday"
DAY = "2019-06-03"
ROOMS = 12
SLOTS = 25  # 08:00 to 20:00, every 30 minutes
TRACKS = ("Imaging", "Oncology", "Education", "Informatics")
PAGE_SIZE = 40  # web/static/js/pages/programme.js


def _programme_csv(path: Path) -> int:
    """300 sessions on DAY (12 rooms x 25 slots) and 5 on the day after; returns DAY's count."""
    rows = []
    for slot in range(SLOTS):
        start = 8 * 60 + 30 * slot
        for room in range(ROOMS):
            n = len(rows) + 1
            rows.append(
                {
                    "code": f"L{n:03d}",
                    "title": f"Session {n:03d}: case series from room {room + 1}",
                    "date": DAY,
                    "start": f"{start // 60:02d}:{start % 60:02d}",
                    "duration": "25",
                    "room": f"Room {room + 1:02d}",
                    "track": TRACKS[n % len(TRACKS)],
                    "speakers": f"Speaker {n:03d} | Co-author {n % 17:02d}",
                }
            )
    on_day = len(rows)
    for n in range(5):
        rows.append(
            {
                "code": f"N{n}",
                "title": f"Next-day session {n}",
                "date": "2019-06-04",
                "start": f"{9 + n:02d}:00",
                "duration": "45",
                "room": "Room 01",
                "track": TRACKS[0],
                "speakers": "Speaker 999",
            }
        )
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return on_day


@pytest.fixture(scope="module")
def long_day(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> list[int]:
    """The ids of DAY's sessions in the API's order, after importing the generated file."""
    path = tmp_path_factory.mktemp("longday") / "programme.csv"
    on_day = _programme_csv(path)
    live_server.cli("import", str(path), "--conference", SLUG, "--timezone", "UTC")
    items = live_server.api("GET", f"/conferences/{SLUG}/sessions?day={DAY}&limit=500")["items"]
    ids = [item["id"] for item in items]
    assert len(ids) == on_day == 300
    return ids


_COUNT_FETCHES = f"""
(() => {{
  const realFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {{
    const url = typeof input === "string" ? input : (input.url || String(input));
    if (url.includes("/conferences/{SLUG}/sessions?")) {{
      // sessionStorage: a reload of the page would not hide a page asked for twice.
      const seen = JSON.parse(sessionStorage.getItem("sessionPages") || "[]");
      const entry = {{ page: location.pathname, url }};
      sessionStorage.setItem("sessionPages", JSON.stringify([...seen, entry]));
    }}
    return realFetch(input, init);
  }};
}})();
"""


def _choose_conference(tab: Any) -> None:
    tab.goto(f"/c/{SLUG}")  # makes it this browser's conference
    expect(tab.locator("#conf-title")).to_have_text(SLUG)


def _open_day(tab: Any) -> None:
    tab.goto(f"/programme?day={DAY}")
    expect(tab.locator(".programme-list .card")).to_have_count(PAGE_SIZE)


def _card_ids(tab: Any) -> list[int]:
    return [
        int(x)
        for x in tab.eval_on_selector_all(
            ".programme-list .card", "(cards) => cards.map((c) => c.dataset.sessionId)"
        )
    ]


def test_scrolling_loads_the_whole_day_once_in_order(
    page: Any, live_server: Any, long_day: list[int], shot: Any
) -> None:
    # Count what the programme page asks for, at fetch(). (The conference's home page, left
    # just before, lists the same first page, and may still be asking when we move on.)
    page.add_init_script(_COUNT_FETCHES)
    _choose_conference(page)
    _open_day(page)
    cards = page.locator(".programme-list .card")
    more = page.get_by_role("button", name="Load more sessions")
    expect(more).to_be_visible()  # the real button is there for those who want it
    expect(page.locator(".result-count")).to_have_text(f"{PAGE_SIZE}+ sessions on Mon 3 Jun")
    shot(page, "programme-long-day", full_page=False)

    # Scroll like a reader, never touching the button, until the list stops growing.
    for _ in range(400):
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(60)
        if cards.count() == len(long_day) and more.is_hidden():
            break
    expect(cards).to_have_count(len(long_day))
    expect(more).to_be_hidden()

    ids = _card_ids(page)
    assert len(ids) == len(set(ids)), "a session is shown twice"
    assert ids == long_day  # none missing, none extra, in the API's order
    expect(page.locator(".result-count")).to_have_text("300 sessions on Mon 3 Jun")
    expect(page.get_by_role("status").filter(has_text="more sessions loaded")).to_have_text(
        "20 more sessions loaded, 300 shown, the end of the list."
    )
    # Each page was asked for once: the first and seven further pages of 40 (300 = 7 x 40 + 20).
    asked = page.evaluate("JSON.parse(sessionStorage.getItem('sessionPages') || '[]')")
    listing = [a["url"] for a in asked if a["page"] == "/programme" and f"day={DAY}" in a["url"]]
    assert len(listing) == -(-len(long_day) // PAGE_SIZE), listing
    assert len(set(listing)) == len(listing), "a page was fetched twice"
    # Time slots are headed once each, in order, even where a slot spans two pages.
    heads = page.locator(".programme-list .slot-head").all_text_contents()
    assert heads == [
        f"{(8 * 60 + 30 * s) // 60:02d}:{(8 * 60 + 30 * s) % 60:02d}" for s in range(SLOTS)
    ]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"
    page.keyboard.press("End")  # the last sessions, and no button under them
    shot(page, "programme-long-day-end", full_page=False)


def test_load_more_by_keyboard_keeps_focus(page: Any, long_day: list[int]) -> None:
    _choose_conference(page)
    _open_day(page)
    cards = page.locator(".programme-list .card")
    more = page.get_by_role("button", name="Load more sessions")
    # Focus on the button brings it on screen, so the next page comes by itself; the button
    # keeps the focus meanwhile (it is never disabled under the reader).
    more.focus()
    expect(cards).to_have_count(2 * PAGE_SIZE)
    expect(more).to_be_focused()
    # Enter on the button: the next page, and the focus moves to its first session.
    page.keyboard.press("Enter")
    expect(cards).to_have_count(3 * PAGE_SIZE)
    first_new = long_day[2 * PAGE_SIZE]
    expect(page.locator(f".card[data-session-id='{first_new}'] .card__link")).to_be_focused()
    ids = _card_ids(page)
    assert ids[: 3 * PAGE_SIZE] == long_day[: 3 * PAGE_SIZE]
    assert len(ids) == len(set(ids))


def test_load_more_button_without_intersection_observer(
    context_factory: Any, long_day: list[int], shot: Any
) -> None:
    """An old browser (or one without the observer): the button alone, by keyboard."""
    ctx = context_factory()
    ctx.add_init_script("delete window.IntersectionObserver;")
    tab = ctx.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    _choose_conference(tab)
    _open_day(tab)
    cards = tab.locator(".programme-list .card")
    more = tab.get_by_role("button", name="Load more sessions")
    more.scroll_into_view_if_needed()
    tab.wait_for_timeout(300)
    expect(cards).to_have_count(PAGE_SIZE)  # nothing loads by itself here
    more.focus()
    tab.keyboard.press("Enter")
    expect(cards).to_have_count(2 * PAGE_SIZE)
    expect(
        tab.locator(f".card[data-session-id='{long_day[PAGE_SIZE]}'] .card__link")
    ).to_be_focused()
    expect(tab.get_by_role("status").filter(has_text="more sessions loaded")).to_have_text(
        f"{PAGE_SIZE} more sessions loaded, {2 * PAGE_SIZE} shown."
    )
    more.focus()
    tab.keyboard.press("Space")
    expect(cards).to_have_count(3 * PAGE_SIZE)
    assert _card_ids(tab) == long_day[: 3 * PAGE_SIZE]
    expect(tab.locator(".result-count")).to_have_text(re.compile(rf"^{3 * PAGE_SIZE}\+ sessions"))
    shot(tab, "programme-load-more-button", full_page=False)
    assert not errors, errors
