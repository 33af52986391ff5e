"""Connecting in a real Chromium at phone size against a real server: propose and RSVP a
tweetup (the waitlist moving up), run a three-question tweetchat with two people in two
browser contexts and read its transcript, and follow a session from a logged-out browser.
Screenshots go to artifacts/screenshots/connecting-*.png.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from defusedxml import ElementTree
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

#: Live delivery on a 2-core machine shared with other suites: generous, never a speed check.
LIVE_MS = 20_000
ATOM = "{http://www.w3.org/2005/Atom}"


def _user(live_server: Any, ctx: Any, name: str, handle: str | None = None) -> dict[str, Any]:
    username = f"{name}{uuid.uuid4().hex[:6]}"
    password = "a long enough passphrase"
    user = live_server.api("POST", "/auth/signup", {"username": username, "password": password,
                                                   "display_name": name.title()})
    token = live_server.api("POST", "/auth/token",
                            {"username": username, "password": password})["token"]
    if handle:
        live_server.api("PATCH", "/me", {"handles": [{"network": "x", "handle": handle}]}, token)
    response = ctx.request.post("/api/v1/auth/session",
                                data={"username": username, "password": password})
    assert response.ok, response.text()
    return {"username": username, "token": token, "id": user["id"]}


def _watch_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "Failed to load resource" not in msg.text else None)
    return errors


def test_propose_a_tweetup_and_rsvp_with_a_waitlist(
    context_factory: Any, live_server: Any, shot: Any
) -> None:
    host_ctx, guest_ctx = context_factory(), context_factory()
    _user(live_server, host_ctx, "hana", handle="hana_rad")
    _user(live_server, guest_ctx, "gus", handle="gus_mri")
    host, guest = host_ctx.new_page(), guest_ctx.new_page()
    errors = _watch_errors(host) + _watch_errors(guest)
    title = f"Fellows' breakfast {uuid.uuid4().hex[:4]}"
    day = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()

    host.goto("/tweetups")
    host.get_by_role("link", name="Propose a tweetup").click()
    expect(host.locator("#suggested-times .chip").first).to_be_visible()
    host.get_by_label("Title").fill(title)
    host.get_by_label("What is it about?").fill("Coffee <b>and</b> cases")
    host.get_by_label("Place").fill("Hall B café")
    host.get_by_label("Starts").fill(f"{day}T07:30")
    host.get_by_label("Ends").fill(f"{day}T08:15")
    host.get_by_label("Hashtag (optional)").fill("#FellowsBreakfast")
    host.get_by_label("How many people fit? (optional)").fill("1")
    shot(host, "connecting-tweetup-propose")
    host.get_by_role("button", name="Propose", exact=True).click()

    expect(host.locator("h1")).to_have_text(title)
    expect(host.locator("#rsvp-mine")).to_have_text("You are going.")
    expect(host.locator("#rsvp-counts")).to_have_text("1 of 1 places taken")
    expect(host.locator(".prose")).to_have_text("Coffee <b>and</b> cases")  # shown as text
    tweetup_path = host.url.removeprefix(live_server.url)

    guest.goto(tweetup_path)
    expect(guest.locator("#attendees")).to_contain_text("@hana_rad")
    guest.locator("[data-rsvp=going]").click()
    expect(guest.locator("#rsvp-mine")).to_have_text(
        "You are on the waitlist: you move up when someone drops out.")
    expect(guest.locator("#attendees ol.people-list")).to_contain_text("@gus_mri")
    shot(guest, "connecting-tweetup-waitlist")

    host.locator("[data-rsvp=not_going]").click()
    expect(host.locator("#rsvp-mine")).to_have_text("You are not going.")
    guest.reload()
    expect(guest.locator("#rsvp-mine")).to_have_text("You are going.")
    expect(guest.locator("#rsvp-counts")).to_have_text("1 of 1 places taken")

    # The tweetup's own room, live in the other context.
    note = f"Save me a seat {uuid.uuid4().hex[:4]}"
    expect(host.locator(".wall .live-status")).to_have_text("Live", timeout=LIVE_MS)
    guest.get_by_label("Say something to the group").fill(note)
    guest.locator("#room-post").click()
    expect(host.locator("#room-posts .post", has_text=note)).to_have_count(1, timeout=LIVE_MS)
    shot(host, "connecting-tweetup-room")

    host.goto("/tweetups")
    expect(host.locator(".tweetup-card", has_text=title)).to_contain_text("1/1 going")
    assert errors == []


def test_a_three_question_tweetchat_with_two_people_and_its_transcript(
    context_factory: Any, live_server: Any, shot: Any
) -> None:
    host_ctx, guest_ctx = context_factory(), context_factory()
    host_user = _user(live_server, host_ctx, "hosta", handle="hosta_rad")
    _user(live_server, guest_ctx, "pia", handle="pia_pacs")
    start = datetime.now(UTC) - timedelta(minutes=5)
    chat = live_server.api("POST", f"/conferences/{live_server.slug}/chats", {
        "title": "Open source in radiology",
        "hashtag": "OSSRad",
        "start": start.isoformat(),
        "end": (start + timedelta(hours=1)).isoformat(),
        "questions": ["Which open tool do you use?", "What stops adoption?", "One wish?"],
    }, host_user["token"])
    host, guest = host_ctx.new_page(), guest_ctx.new_page()
    errors = _watch_errors(host) + _watch_errors(guest)
    host.goto(f"/chats/{chat['id']}")
    guest.goto(f"/chats/{chat['id']}")
    for page in (host, guest):
        expect(page.locator(".live-status")).to_have_text("Live", timeout=LIVE_MS)
    expect(guest.locator("#current-question")).to_contain_text("has not asked")

    # Q1: released by the host, heard by the guest; the drafter adds A1 and the hashtag.
    host.get_by_role("button", name="Ask Q1").click()
    expect(guest.locator("#current-text")).to_have_text("Q1: Which open tool do you use?",
                                                       timeout=LIVE_MS)
    guest.get_by_label("Your post").fill("3D Slicer for planning")
    guest.get_by_role("button", name="Add A-number and hashtag").click()
    expect(guest.get_by_label("Your post")).to_have_value("A1 3D Slicer for planning #OSSRad")
    guest.locator("#answer-post").click()
    q1 = host.locator(".chat-group[data-question='1']")
    expect(q1.locator(".post", has_text="3D Slicer")).to_have_count(1, timeout=LIVE_MS)

    # Q2: the host answers, the guest replies in the thread.
    host.get_by_role("button", name="Ask Q2").click()
    expect(guest.locator("#current-text")).to_have_text("Q2: What stops adoption?",
                                                       timeout=LIVE_MS)
    host.get_by_label("Your post").fill("A2 support contracts #OSSRad")
    host.locator("#answer-post").click()
    answer = guest.locator(".chat-group[data-question='2'] .post", has_text="support contracts")
    expect(answer).to_have_count(1, timeout=LIVE_MS)
    answer.get_by_role("button", name="Reply to Hosta").click()
    guest.get_by_label("Your post").fill("@hosta_rad so true #OSSRad")
    guest.locator("#answer-post").click()
    expect(host.locator(".chat-group[data-question='2'] .chat-replies .post",
                        has_text="so true")).to_have_count(1, timeout=LIVE_MS)

    # Q3: the guest picks the question in the composer instead of typing A3.
    host.get_by_role("button", name="Ask Q3").click()
    expect(guest.locator("#current-text")).to_have_text("Q3: One wish?", timeout=LIVE_MS)
    guest.get_by_label("Answering").select_option("3")
    guest.get_by_label("Your post").fill("Better DICOM viewers #OSSRad")
    guest.locator("#answer-post").click()
    expect(host.locator(".chat-group[data-question='3'] .post", has_text="DICOM")).to_have_count(
        1, timeout=LIVE_MS)
    shot(host, "connecting-chat-live")
    host.get_by_role("button", name="End the chat").click()
    expect(host.locator("#chat-state")).to_contain_text("Ended")

    guest.get_by_role("link", name="Transcript").click()
    sections = guest.locator(".transcript__question")
    expect(sections).to_have_count(3)
    expect(sections.nth(0).locator("h2")).to_have_text("Q1: Which open tool do you use?")
    expect(sections.nth(0)).to_contain_text("A1 3D Slicer for planning #OSSRad")
    expect(sections.nth(0)).to_contain_text("@pia_pacs")
    expect(sections.nth(1).locator(".transcript__answer")).to_have_count(2)
    expect(sections.nth(1).locator(".depth-1")).to_contain_text("so true")
    expect(sections.nth(2)).to_contain_text("Better DICOM viewers")
    shot(guest, "connecting-chat-transcript")
    markdown = guest.request.get(f"/api/v1/chats/{chat['id']}/transcript.md").text()
    assert "## Q2: What stops adoption?" in markdown
    assert "  - **Pia** (@pia\\_pacs" in markdown  # a reply, indented; "_" escaped
    assert errors == []


def test_follow_a_session_from_a_logged_out_browser(
    context_factory: Any, live_server: Any, shot: Any
) -> None:
    talk = next(s for s in live_server.sessions
                if s["id"] not in set(live_server.policies.values()))
    viewer = context_factory().new_page()  # nobody signed in
    errors = _watch_errors(viewer)
    author_ctx = context_factory()
    author = _user(live_server, author_ctx, "remo")

    viewer.goto(f"/sessions/{talk['id']}")
    viewer.get_by_role("link", name="Follow live").click()
    expect(viewer.locator("h1")).to_have_text(talk["title"])
    expect(viewer.locator("#live-state .badge")).to_have_text("Ended")  # DemoCon is over
    expect(viewer.locator(".wall .live-status")).to_have_text("Live", timeout=LIVE_MS)
    expect(viewer.get_by_text("No account needed to follow along")).to_be_visible()

    note = f"From afar {uuid.uuid4().hex[:4]} https://speakerdeck.com/demo/deck"
    _post(live_server, author["token"], note, talk["id"])
    expect(viewer.locator(".wall .post", has_text="From afar")).to_have_count(1, timeout=LIVE_MS)
    shot(viewer, "connecting-follow-live")

    feed = viewer.request.get(viewer.locator("#atom-link").get_attribute("href"))
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(feed.body())
    contents = [e.findtext(f"{ATOM}content") for e in root.findall(f"{ATOM}entry")]
    assert note in contents
    viewer.reload()
    expect(viewer.locator("#digest")).to_contain_text("speakerdeck.com/demo/deck")
    assert errors == []


def _post(live_server: Any, token: str, text: str, session_id: int) -> None:
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/conferences/{live_server.slug}/posts",
        data=json.dumps({"text": text, "session_id": session_id}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}",
                 "Idempotency-Key": str(uuid.uuid4())},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


def test_connecting_modules_have_no_html_sinks(page: Any) -> None:
    for name in ("room", "pages/tweetups", "pages/chats", "pages/follow"):
        response = page.request.get(f"/static/js/{name}.js")
        assert response.ok, name
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in response.text(), f"{sink} in {name}.js"
