"""The first screens of the PWA in a real Chromium at phone size, against a real server."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _new_user() -> tuple[str, str, str]:
    name = f"ada{uuid.uuid4().hex[:8]}"
    return name, "a long enough passphrase", f"Ada {name[-4:]}"


def _sign_in_by_api(ctx: Any, live_server: Any) -> tuple[str, str]:
    """A signed-in browser context, without going through the forms (they have their own test)."""
    username, password, display = _new_user()
    live_server.api(
        "POST",
        "/auth/signup",
        {"username": username, "password": password, "display_name": display},
    )
    response = ctx.request.post(
        "/api/v1/auth/session", data={"username": username, "password": password}
    )
    assert response.ok, response.text()
    return username, password


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"


def test_home_shows_now_next_or_the_programme(page: Any, live_server: Any, shot: Any) -> None:
    page.goto("/")
    expect(page.locator("#conf-title")).to_have_text("DemoCon")
    expect(page.locator("#conf-hashtag")).to_have_text("#democon")
    expect(page.locator("[data-nav=now]")).to_have_attribute("aria-current", "page")
    # DemoCon ran in 2020: with nothing on now, home explains that and shows the programme.
    expect(page.locator(".now-list .card, .programme-list .card").first).to_be_visible()
    expect(page.get_by_text("DemoCon ran from")).to_be_visible()
    _no_horizontal_scroll(page)
    shot(page, "home", full_page=False)


def test_home_at_a_moment_groups_now_and_next_by_room(
    page: Any, live_server: Any, shot: Any
) -> None:
    first = live_server.sessions[0]
    at = first["start"][:16]  # the wall-clock start of the first session
    page.goto(f"/?at={at}")
    expect(page.get_by_role("heading", level=1)).to_have_text("On at this time")
    rooms = page.locator(".room-block")
    expect(rooms.first).to_be_visible()
    expect(
        page.locator(".room-block", has_text=first["room"]["name"]).locator(
            ".card", has_text=first["title"]
        )
    ).to_be_visible()
    expect(page.locator(".when-label", has_text="Next").first).to_be_visible()
    expect(page.locator(".page-head__sub")).to_contain_text("times in UTC")
    shot(page, "now-next")


def test_programme_search_filters_the_list_as_you_type(
    page: Any, live_server: Any, shot: Any
) -> None:
    page.goto("/programme")
    cards = page.locator(".programme-list .card")
    expect(cards.first).to_be_visible()
    before = cards.count()
    day1 = [s for s in live_server.sessions if s["day"] == live_server.sessions[0]["day"]]
    assert before == len(day1)
    target = day1[3]
    word = max(target["title"].split(), key=len)
    page.get_by_label("Search sessions").press_sequentially(word, delay=40)  # no Enter pressed
    expect(page.locator(".result-count")).to_contain_text(f"match “{word}”")
    expect(cards.filter(has_text=target["title"])).to_be_visible()
    after = cards.count()
    assert 0 < after < before
    assert f"q={word}" in page.url
    shot(page, "programme-search")

    # Clearing the search brings the whole day back; another day tab shows that day.
    page.get_by_label("Search sessions").fill("")
    expect(cards).to_have_count(before)
    page.locator(".day-tab").nth(1).click()
    expect(page.locator(".day-tab").nth(1)).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".result-count")).to_contain_text("on Tue 15 Dec")  # en-GB context
    assert "day=2020-12-15" in page.url
    expect(cards.first).to_be_visible()
    _no_horizontal_scroll(page)


def test_programme_shows_policy_badges(page: Any, live_server: Any, shot: Any) -> None:
    day = live_server.sessions[-1]["day"]
    page.goto(f"/programme?day={day}")
    cards = page.locator(".programme-list .card")
    expect(cards.first).to_be_visible()
    by_id = {s["id"]: s for s in live_server.sessions}
    opted = cards.filter(has_text=by_id[live_server.policies["opted_out"]]["title"])
    expect(opted.locator(".badge")).to_have_text(re.compile("Speaker opted out"))
    photos = cards.filter(has_text=by_id[live_server.policies["no_photos"]]["title"])
    expect(photos.locator(".badge")).to_have_text(re.compile("No photos"))
    embargo = cards.filter(has_text=by_id[live_server.policies["embargoed"]]["title"])
    expect(embargo.locator(".badge")).to_have_text(re.compile(r"Embargoed until .*\d\d:\d\d"))
    shot(page, "programme-badges", full_page=False)


def test_open_a_session_detail(page: Any, live_server: Any, shot: Any) -> None:
    talk = next(s for s in live_server.sessions if s["id"] == live_server.with_handles)
    page.goto("/programme")
    page.locator(".programme-list .card__link", has_text=talk["title"]).click()
    expect(page).to_have_url(re.compile(rf"/sessions/{talk['id']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(talk["title"])
    expect(page.locator(".detail__facts")).to_contain_text(talk["room"]["name"])
    expect(page.locator(".detail__facts")).to_contain_text("(UTC)")
    expect(page.locator(".tags")).to_have_text(f"#democon #{talk['tag']}")
    speaker = page.locator(".speaker", has_text=talk["speakers"][0]["name"])
    x = speaker.locator("[data-network=x] a")
    expect(x).to_have_attribute("href", "https://x.com/brianrobinson")
    expect(x).to_have_attribute("rel", re.compile("noopener"))
    expect(speaker.locator("[data-network=mastodon] a")).to_have_attribute(
        "href", "https://med.social/@brian"
    )
    expect(speaker.locator("[data-network=linkedin] a")).to_have_attribute(
        "href", "https://www.linkedin.com/in/brian-robinson"
    )
    ics = page.get_by_role("link", name="Add to calendar (.ics)")
    expect(ics).to_have_attribute("href", f"/api/v1/sessions/{talk['id']}/calendar.ics")
    response = page.request.get(ics.get_attribute("href"))
    assert response.ok and "BEGIN:VCALENDAR" in response.text()
    shot(page, "session-detail")

    # A session with a policy shows the badge and the organiser's note.
    page.goto(f"/sessions/{live_server.policies['no_photos']}")
    expect(page.locator(".detail .badge")).to_contain_text("No photos")
    expect(page.locator(".detail .notice")).to_contain_text("not photographed")
    # Back in history returns to the programme through the router.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text(talk["title"])


def test_sign_up_sign_in_star_and_see_it_in_my_agenda(
    page: Any, live_server: Any, shot: Any
) -> None:
    username, password, display = _new_user()
    page.goto("/agenda")
    expect(page.get_by_text("Sign in to star sessions")).to_be_visible()
    page.locator(".view").get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/login\?next=/agenda$"))

    signup = page.locator("#sign-up")
    signup.get_by_label("Your name").fill(display)
    signup.get_by_label("Username").fill(username)
    signup.get_by_label("Password").fill("short")
    signup.get_by_role("button", name="Create account").click()
    # The API's message shows next to the field it names.
    password_field = signup.get_by_label("Password")
    expect(password_field).to_have_attribute("aria-invalid", "true")
    expect(signup.locator(".field__error").filter(has_text="at least 8 characters")).to_be_visible()
    signup.scroll_into_view_if_needed()
    shot(page, "signup-error", full_page=False)
    password_field.fill(password)
    signup.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/agenda$"))
    expect(page.locator("#nav-account")).to_have_text("Profile")

    # Sign out, then sign in with the sign-in form (a wrong password first).
    page.locator("#nav-account").click()
    expect(page.get_by_text(f"@{username}")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#nav-account")).to_have_text("Sign in")
    page.locator("#nav-account").click()
    signin = page.locator("#sign-in")
    signin.get_by_label("Username").fill(username)
    signin.get_by_label("Password").fill("not the password")
    signin.get_by_role("button", name="Sign in").click()
    expect(signin.get_by_role("alert")).to_have_text("Wrong username or password.")
    signin.get_by_label("Password").fill(password)
    signin.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/programme$"))
    expect(page.locator("#nav-account")).to_have_text("Profile")

    # Star two sessions that overlap (both start at the first slot of day one).
    first = live_server.sessions[0]
    clash = next(s for s in live_server.sessions[1:] if s["start"] == first["start"])
    for talk in (first, clash):
        star = page.get_by_role("button", name=f"Star “{talk['title']}”")
        expect(star).to_have_attribute("aria-pressed", "false")
        star.click()
        expect(star).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#toast")).to_have_text("Added to My agenda")
    shot(page, "programme-starred", full_page=False)

    page.locator("[data-nav=agenda]").click()
    cards = page.locator(".agenda-list .card")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text=first["title"])).to_be_visible()
    expect(page.locator(".notice--warn")).to_contain_text("clash")
    expect(cards.first.locator(".badge--overlap")).to_have_text("⚠ Time clash")
    shot(page, "agenda")

    # Unstarring in the agenda removes the session and the clash.
    page.get_by_role("button", name=f"Star “{clash['title']}”").click()
    expect(cards).to_have_count(1)
    expect(page.locator(".notice--warn")).to_have_count(0)

    # The star survives a reload (state comes from the server, not the page).
    page.goto(f"/sessions/{first['id']}")
    expect(page.locator(".star--labelled")).to_have_attribute("aria-pressed", "true")


def test_subscribe_shows_a_private_ics_url(
    context_factory: Any, live_server: Any, shot: Any
) -> None:
    ctx = context_factory()
    _sign_in_by_api(ctx, live_server)
    tab = ctx.new_page()
    tab.goto("/agenda")
    tab.get_by_role("button", name="Subscribe in your calendar").click()
    url_box = tab.get_by_label("Your private calendar address")
    expect(url_box).to_have_value(re.compile(rf"^{re.escape(live_server.url)}/.+\.ics$"))
    feed = ctx.request.get(url_box.input_value())
    assert feed.ok
    assert feed.headers["content-type"].startswith("text/calendar")
    expect(tab.get_by_role("button", name="Copy")).to_be_visible()
    shot(tab, "agenda-subscribe")


def test_dark_mode_and_narrow_screen(context_factory: Any, live_server: Any, shot: Any) -> None:
    ctx = context_factory(
        color_scheme="dark", viewport={"width": 360, "height": 740}, reduced_motion="reduce"
    )
    tab = ctx.new_page()
    tab.goto("/programme")
    expect(tab.locator(".programme-list .card").first).to_be_visible()
    background = tab.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 23, 32)"
    _no_horizontal_scroll(tab)
    shot(tab, "programme-dark-360", full_page=False)


def test_data_is_rendered_inert(page: Any, live_server: Any) -> None:
    """Markup in data shows as text; the app's code has no HTML sinks at all."""
    from tests.e2e.conftest import XSS_NOTE

    page.goto(f"/sessions/{live_server.policies['embargoed']}")
    note = page.locator(".detail .notice")
    expect(note).to_have_text(XSS_NOTE)
    assert note.locator("img, b").count() == 0
    assert page.evaluate("window.__pwned") is None
    for name in (
        "app",
        "api",
        "dom",
        "components",
        "time",
        "pages/now",
        "pages/programme",
        "pages/session",
        "pages/agenda",
        "pages/login",
    ):
        source = page.request.get(f"/static/js/{name}.js").text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, f"{sink} in {name}.js"


def test_conference_and_session_addresses(page: Any, live_server: Any) -> None:
    page.goto("/c/democon")
    expect(page.locator("#conf-title")).to_have_text("DemoCon")
    expect(page.locator(".programme-list .card").first).to_be_visible()
    page.goto("/c/no-such-conference")
    expect(page.get_by_role("alert")).to_contain_text("no conference “no-such-conference”")
    page.goto("/sessions/999999")
    expect(page.get_by_role("heading", level=1)).to_have_text("Session not found")
    page.goto("/agenda")
    expect(page.get_by_role("heading", level=1)).to_have_text("My agenda")
    expect(page.locator("[data-nav=agenda]")).to_have_attribute("aria-current", "page")
