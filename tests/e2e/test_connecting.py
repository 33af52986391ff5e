"""Connecting in a real Chromium at phone size against a real server: propose and RSVP a
tweetup (the waitlist moving up), run a three-question tweetchat with two people in two
browser contexts and read its transcript, follow a session from a logged-out browser, the
PHI confirmation step in a chat's and a tweetup's room, and scheduling a chat with the form.
Screenshots go to artifacts/screenshots/connecting-*.png.
"""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from defusedxml import ElementTree
from playwright.sync_api import expect

from tests.e2e.test_pwa import PHI_TEXT
from tests.words import unique_word

pytestmark = pytest.mark.e2e

#: Live delivery on a 2-core machine shared with other suites: generous, never a speed check.
LIVE_MS = 20_000
ATOM = "{http://www.w3.org/2005/Atom}"


def _user(live_server: Any, ctx: Any, name: str, handle: str | None = None) -> dict[str, Any]:
    username = f"{name}{uuid.uuid4().hex[:6]}"
    password = "a long enough passphrase"
    user = live_server.api(
        "POST",
        "/auth/signup",
        {"username": username, "password": password, "display_name": name.title()},
    )
    token = live_server.api("POST", "/auth/token", {"username": username, "password": password})[
        "token"
    ]
    if handle:
        live_server.api("PATCH", "/me", {"handles": [{"network": "x", "handle": handle}]}, token)
    response = ctx.request.post(
        "/api/v1/auth/session", data={"username": username, "password": password}
    )
    assert response.ok, response.text()
    return {"username": username, "token": token, "id": user["id"]}


def _watch_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Failed to load resource" not in msg.text
            else None
        ),
    )
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
        "You are on the waitlist: you move up when someone drops out."
    )
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

    # In the guest's agenda (the host is no longer going, so not in theirs).
    guest.goto("/agenda")
    mine = guest.get_by_role("region", name="Your tweetups").locator(".tweetup-card")
    expect(mine.filter(has_text=title)).to_contain_text("You're going")
    expect(mine.filter(has_text=title)).to_contain_text("Hall B café")
    expect(mine.filter(has_text=title).get_by_role("link", name=title)).to_have_attribute(
        "href", tweetup_path
    )
    shot(guest, "connecting-agenda-tweetups")
    host.goto("/agenda")
    expect(host.get_by_role("heading", name="My agenda")).to_be_visible()
    expect(host.locator(".tweetup-card", has_text=title)).to_have_count(0)
    assert errors == []


def test_a_three_question_tweetchat_with_two_people_and_its_transcript(
    context_factory: Any, live_server: Any, shot: Any
) -> None:
    host_ctx, guest_ctx = context_factory(), context_factory()
    host_user = _user(live_server, host_ctx, "hosta", handle="hosta_rad")
    _user(live_server, guest_ctx, "pia", handle="pia_pacs")
    start = datetime.now(UTC) - timedelta(minutes=5)
    chat = live_server.api(
        "POST",
        f"/conferences/{live_server.slug}/chats",
        {
            "title": "Open source in radiology",
            "description": "Tools we use <i>every</i> day & why",
            "hashtag": "OSSRad",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "questions": ["Which open tool do you use?", "What stops adoption?", "One wish?"],
        },
        host_user["token"],
    )
    host, guest = host_ctx.new_page(), guest_ctx.new_page()
    errors = _watch_errors(host) + _watch_errors(guest)
    host.goto(f"/chats/{chat['id']}")
    guest.goto(f"/chats/{chat['id']}")
    for page in (host, guest):
        expect(page.locator(".live-status")).to_have_text("Live", timeout=LIVE_MS)
    expect(guest.locator("#current-question")).to_contain_text("has not asked")

    # Q1: released by the host, heard by the guest; the drafter adds A1 and the hashtag.
    host.get_by_role("button", name="Ask Q1").click()
    expect(guest.locator("#current-text")).to_have_text(
        "Q1: Which open tool do you use?", timeout=LIVE_MS
    )
    guest.get_by_label("Your post").fill("3D Slicer for planning")
    guest.get_by_role("button", name="Add A-number and hashtag").click()
    expect(guest.get_by_label("Your post")).to_have_value("A1 3D Slicer for planning #OSSRad")
    guest.locator("#answer-post").click()
    q1 = host.locator(".chat-group[data-question='1']")
    expect(q1.locator(".post", has_text="3D Slicer")).to_have_count(1, timeout=LIVE_MS)

    # Q2: the host answers, the guest replies in the thread.
    host.get_by_role("button", name="Ask Q2").click()
    expect(guest.locator("#current-text")).to_have_text("Q2: What stops adoption?", timeout=LIVE_MS)
    host.get_by_label("Your post").fill("A2 support contracts #OSSRad")
    host.locator("#answer-post").click()
    answer = guest.locator(".chat-group[data-question='2'] .post", has_text="support contracts")
    expect(answer).to_have_count(1, timeout=LIVE_MS)
    answer.get_by_role("button", name="Reply to Hosta").click()
    guest.get_by_label("Your post").fill("@hosta_rad so true #OSSRad")
    guest.locator("#answer-post").click()
    expect(
        host.locator(".chat-group[data-question='2'] .chat-replies .post", has_text="so true")
    ).to_have_count(1, timeout=LIVE_MS)

    # Q3: the guest picks the question in the composer instead of typing A3.
    host.get_by_role("button", name="Ask Q3").click()
    expect(guest.locator("#current-text")).to_have_text("Q3: One wish?", timeout=LIVE_MS)
    guest.get_by_label("Answering").select_option("3")
    guest.get_by_label("Your post").fill("Better DICOM viewers #OSSRad")
    guest.locator("#answer-post").click()
    expect(host.locator(".chat-group[data-question='3'] .post", has_text="DICOM")).to_have_count(
        1, timeout=LIVE_MS
    )
    shot(host, "connecting-chat-live")
    host.get_by_role("button", name="End the chat").click()
    expect(host.locator("#chat-state")).to_contain_text("Ended")

    guest.get_by_role("link", name="Transcript").click()
    sections = guest.locator(".transcript__question")
    expect(sections).to_have_count(3)
    expect(guest.locator("#chat-description")).to_have_text("Tools we use <i>every</i> day & why")
    expect(sections.nth(0).locator("h2")).to_have_text("Q1: Which open tool do you use?")
    expect(sections.nth(0)).to_contain_text("A1 3D Slicer for planning #OSSRad")
    expect(sections.nth(0)).to_contain_text("@pia_pacs")
    expect(sections.nth(1).locator(".transcript__answer")).to_have_count(2)
    expect(sections.nth(1).locator(".depth-1")).to_contain_text("so true")
    expect(sections.nth(2)).to_contain_text("Better DICOM viewers")
    shot(guest, "connecting-chat-transcript")
    markdown = guest.request.get(f"/api/v1/chats/{chat['id']}/transcript.md").text()
    assert "## Q2: What stops adoption?" in markdown
    assert "\nTools we use \\<i\\>every\\</i\\> day \\& why\n" in markdown
    assert "  - **Pia** (@pia\\_pacs" in markdown  # a reply, indented; "_" escaped
    assert errors == []


def test_follow_a_session_from_a_logged_out_browser(
    context_factory: Any, live_server: Any, shot: Any
) -> None:
    talk = next(
        s for s in live_server.sessions if s["id"] not in set(live_server.policies.values())
    )
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
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": str(uuid.uuid4()),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


def test_connecting_modules_have_no_html_sinks(page: Any) -> None:
    for name in ("room", "findings", "pages/tweetups", "pages/chats", "pages/follow"):
        response = page.request.get(f"/static/js/{name}.js")
        assert response.ok, name
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in response.text(), f"{sink} in {name}.js"


# ---- the PHI confirmation step in the rooms ----------------------------------------------


def _watch_posts(page: Any, slug: str) -> list[dict[str, Any]]:
    """Every POST of a wall post the page sends: its Idempotency-Key and its JSON body."""
    sent: list[dict[str, Any]] = []

    def record(request: Any) -> None:
        if request.method == "POST" and request.url.endswith(f"/conferences/{slug}/posts"):
            sent.append(
                {"key": request.headers.get("idempotency-key"), "body": request.post_data_json}
            )

    page.on("request", record)
    return sent


def _unique(text: str) -> str:
    """The unique word of a test post (its last word that is not a hashtag)."""
    return [w for w in text.split() if not w.startswith("#")][-1]


def _room_posts(live_server: Any, **room: int) -> list[dict[str, Any]]:
    query = "&".join(f"{name}={value}" for name, value in room.items())
    items: list[dict[str, Any]] = live_server.api(
        "GET", f"/conferences/{live_server.slug}/posts?after=0&limit=500&{query}"
    )["items"]
    return items


def _confirm_phi(
    page: Any, live_server: Any, scope: str, text: str, sent: list[dict[str, Any]]
) -> Any:
    """The server stopped `text`: its findings are highlighted and listed, nothing posted."""
    finding = live_server.api("POST", "/compose/check", {"text": text})["findings"][0]
    confirm = page.locator(f"{scope} .composer__confirm")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("may identify a patient")
    expect(confirm.locator(".findings li")).to_contain_text(finding["message"])
    expect(confirm.locator("mark.finding--phi")).to_have_text(
        text[finding["start"] : finding["end"]]
    )
    mark = page.locator(f"{scope} .composer__backdrop mark.finding--phi")
    expect(mark).to_have_text(text[finding["start"] : finding["end"]])
    assert [s["body"]["confirm_findings"] for s in sent if s["body"]["text"] == text] == [False]
    return confirm


def _sent_once_with_one_key(sent: list[dict[str, Any]], text: str) -> None:
    """The confirmed send re-sent the refused outbox item: same Idempotency-Key."""
    mine = [s for s in sent if s["body"]["text"] == text]
    assert [s["body"]["confirm_findings"] for s in mine[-2:]] == [False, True], mine
    assert mine[-1]["key"] and mine[-1]["key"] == mine[-2]["key"], mine


def test_phi_in_a_chat_needs_confirmation_and_posts_once(
    context_factory: Any, live_server: Any, shot: Any
) -> None:
    ctx = context_factory()
    host = _user(live_server, ctx, "phichat")
    start = datetime.now(UTC) - timedelta(minutes=5)
    chat = live_server.api(
        "POST",
        f"/conferences/{live_server.slug}/chats",
        {
            "title": "Reporting pearls",
            "hashtag": "PearlChat",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "questions": ["Your best pearl?"],
        },
        host["token"],
    )
    page = ctx.new_page()
    errors = _watch_errors(page)
    sent = _watch_posts(page, live_server.slug)
    page.goto(f"/chats/{chat['id']}")
    expect(page.locator(".live-status")).to_have_text("Live", timeout=LIVE_MS)
    page.get_by_role("button", name="Ask Q1").click()
    expect(page.locator("#current-text")).to_have_text("Q1: Your best pearl?")

    text = f"A1 {PHI_TEXT} {unique_word()} #PearlChat"
    page.get_by_label("Your post").fill(text)
    page.locator("#answer-post").click()
    _confirm_phi(page, live_server, "#answer-composer", text, sent)
    assert not [p for p in _room_posts(live_server, chat_id=chat["id"]) if p["text"] == text]
    page.locator("#answer-composer").scroll_into_view_if_needed()
    shot(page, "connecting-chat-phi-confirm", full_page=False)

    page.get_by_role("button", name="Post anyway").click()
    q1 = page.locator(".chat-group[data-question='1'] .post", has_text=_unique(text))
    expect(q1).to_have_count(1, timeout=LIVE_MS)
    expect(page.locator("#answer-composer .composer__confirm")).to_be_hidden()
    expect(page.locator("#answer-composer .composer__backdrop mark")).to_have_count(0)
    expect(page.get_by_label("Your post")).to_have_value("")
    _sent_once_with_one_key(sent, text)
    posts = [p for p in _room_posts(live_server, chat_id=chat["id"]) if p["text"] == text]
    assert len(posts) == 1 and posts[0]["question"] == 1, posts
    assert errors == []


def test_phi_in_a_tweetup_room_needs_confirmation_and_posts_once(
    context_factory: Any, live_server: Any, shot: Any
) -> None:
    ctx = context_factory()
    host = _user(live_server, ctx, "phimeet")
    start = datetime.now(UTC) + timedelta(days=1)
    tweetup = live_server.api(
        "POST",
        f"/conferences/{live_server.slug}/tweetups",
        {
            "title": "Case club",
            "place": "Hall C",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
        },
        host["token"],
    )
    page = ctx.new_page()
    errors = _watch_errors(page)
    sent = _watch_posts(page, live_server.slug)
    page.goto(f"/tweetups/{tweetup['id']}")
    expect(page.locator(".wall .live-status")).to_have_text("Live", timeout=LIVE_MS)
    expect(page.locator("#rsvp-counts")).to_have_text("1 going")  # the counts as before

    text = f"{PHI_TEXT} {unique_word()}"
    box = page.get_by_label("Say something to the group")
    box.fill(text)
    page.locator("#room-post").click()
    confirm = _confirm_phi(page, live_server, ".room-composer", text, sent)
    # "Edit the post" drops the held post: nothing goes out, the text stays to rewrite.
    confirm.get_by_role("button", name="Edit the post").click()
    expect(confirm).to_be_hidden()
    expect(box).to_be_focused()
    expect(box).to_have_value(text)
    assert not [p for p in _room_posts(live_server, tweetup_id=tweetup["id"]) if p["text"] == text]

    page.locator("#room-post").click()
    expect(confirm).to_be_visible()
    shot(page, "connecting-tweetup-phi-confirm", full_page=False)
    page.get_by_role("button", name="Post anyway").click()
    expect(page.locator("#room-posts .post", has_text=_unique(text))).to_have_count(
        1, timeout=LIVE_MS
    )
    expect(box).to_have_value("")
    _sent_once_with_one_key(sent, text)
    posts = [p for p in _room_posts(live_server, tweetup_id=tweetup["id"]) if p["text"] == text]
    assert len(posts) == 1, posts
    # The outbox is empty: the item "Edit the post" dropped is not sent later either.
    assert (
        page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open("backchannel");
        open.onsuccess = () => {
          const get = open.result.transaction("outbox").objectStore("outbox").getAll();
          get.onsuccess = () => resolve(get.result.length);
          get.onerror = () => reject(get.error);
        };
        open.onerror = () => reject(open.error);
      })""")
        == 0
    )
    assert errors == []


# ---- scheduling a tweetchat with the form ------------------------------------------------


def test_a_host_schedules_a_tweetchat_with_the_form(
    context_factory: Any, live_server: Any, shot: Any
) -> None:
    ctx = context_factory()
    host = _user(live_server, ctx, "formhost")
    page = ctx.new_page()
    errors = _watch_errors(page)
    creates: list[int] = []
    page.on(
        "response",
        lambda r: (
            creates.append(r.status)
            if r.request.method == "POST"
            and r.url.endswith(f"/conferences/{live_server.slug}/chats")
            else None
        ),
    )
    conference = live_server.api("GET", f"/conferences/{live_server.slug}")
    title = f"Dose talk {unique_word(6)}"
    day = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()

    def chats_titled() -> list[dict[str, Any]]:
        items = live_server.api("GET", f"/conferences/{live_server.slug}/chats")["items"]
        return [c for c in items if c["title"] == title]

    page.goto("/chats")
    form = page.locator("#chat-form")
    details = page.locator("#chat-schedule")
    expect(details).to_be_visible()  # open by itself only while no chat is scheduled
    if details.get_attribute("open") is None:
        page.get_by_text("Schedule a tweetchat", exact=True).click()
    expect(form).to_be_visible()
    expect(form).to_contain_text(conference["timezone"])

    # The form's own checks: an empty title, a chat ending as it starts, an empty question.
    page.get_by_label("Hashtag").fill("#DoseTalk")
    page.get_by_label("Starts").fill(f"{day}T18:00")
    page.get_by_label("Duration (minutes)").fill("0")
    page.get_by_role("button", name="Schedule the tweetchat").click()
    expect(page.locator("#chat-title-error")).to_have_text("Give the tweetchat a title.")
    expect(page.locator("#chat-duration-error")).to_contain_text("5 to 1440 minutes")
    expect(page.locator("#chat-questions-error")).to_contain_text("Q1 is empty")
    expect(page.get_by_label("Title")).to_be_focused()
    expect(page.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    assert creates == []
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "connecting-chat-schedule-errors")

    # The server's check, shown beside its field: "#2024" is not a hashtag (no letter).
    page.get_by_label("Title").fill(title)
    page.get_by_label("What it is about (optional)").fill("Protocols we changed, and why.")
    page.get_by_label("Hashtag").fill("#2024")
    page.get_by_label("Duration (minutes)").fill("90")
    expect(page.locator("#chat-when")).to_contain_text("18:00–19:30")
    page.get_by_label("Q1", exact=True).fill("Which protocol did you change this year?")
    page.get_by_role("button", name="Schedule the tweetchat").click()
    expect(page.locator("#chat-hashtag-error")).to_contain_text("is not one hashtag")
    expect(page.get_by_label("Hashtag")).to_be_focused()
    expect(page.locator("#chat-title-error")).to_have_text("")
    assert creates == [422]
    assert chats_titled() == []

    # Questions are added and removed; the labels follow.
    page.get_by_label("Hashtag").fill("#DoseTalk")
    expect(page.locator("#chat-hashtag-error")).to_have_text("")  # edited: the error goes
    expect(page.get_by_label("Hashtag")).not_to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Add a question").click()
    expect(page.get_by_label("Q2", exact=True)).to_be_focused()
    page.get_by_label("Q2", exact=True).fill("A draft question")
    page.get_by_role("button", name="Add a question").click()
    page.get_by_label("Q3", exact=True).fill("What would you measure?")
    page.get_by_role("button", name="Remove Q2").click()
    expect(page.locator("#chat-questions li")).to_have_count(2)
    expect(page.get_by_label("Q2", exact=True)).to_have_value("What would you measure?")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays at the top of the shot
    shot(page, "connecting-chat-schedule-form")
    page.set_viewport_size({"width": 360, "height": 780})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.emulate_media(color_scheme="dark")
    shot(page, "connecting-chat-schedule-form-dark")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 390, "height": 844})

    page.get_by_role("button", name="Schedule the tweetchat").click()
    expect(page).to_have_url(re.compile(r"/chats/\d+$"))
    expect(page.locator("h1")).to_have_text(title)
    expect(page.get_by_role("button", name="Ask Q1")).to_be_visible()
    expect(page.locator("#chat-description")).to_have_text("Protocols we changed, and why.")
    assert creates == [422, 201]
    chat_id = int(page.url.rsplit("/", 1)[1])
    assert [c["id"] for c in chats_titled()] == [chat_id]
    made = live_server.api("GET", f"/chats/{chat_id}", token=host["token"])
    assert made["hashtag"] == "DoseTalk" and made["can_host"] is True
    assert made["description"] == "Protocols we changed, and why."
    assert [q["text"] for q in made["questions"]] == [
        "Q1: Which protocol did you change this year?",
        "Q2: What would you measure?",
    ]
    # Typed in the conference's time zone, 90 minutes long.
    assert made["start"].startswith(f"{day}T18:00:00"), made["start"]
    assert made["end"].startswith(f"{day}T19:30:00"), made["end"]
    assert errors == []


def test_times_typed_in_the_conference_zone_get_its_offset(page: Any) -> None:
    """The schedule form's start is read in the conference's zone, right across DST changes."""
    page.goto("/chats")
    got = page.evaluate("""async () => {
      const { withOffset, wallClock } = await import("/static/js/time.js");
      return [
        withOffset("2026-11-30T15:00", "Europe/Berlin"),
        withOffset("2026-07-01T15:00", "Europe/Berlin"),
        withOffset("2026-03-29T01:30", "Europe/Berlin"),
        withOffset("2026-03-29T03:30", "Europe/Berlin"),
        withOffset("2026-11-30T09:00", "America/New_York"),
        withOffset("2026-11-30T09:00", "UTC"),
        wallClock(Date.parse("2026-11-30T23:30:00Z"), "Europe/Berlin"),
      ];
    }""")
    assert got == [
        "2026-11-30T15:00:00+01:00",
        "2026-07-01T15:00:00+02:00",
        "2026-03-29T01:30:00+01:00",  # half an hour before clocks go forward
        "2026-03-29T03:30:00+02:00",
        "2026-11-30T09:00:00-05:00",
        "2026-11-30T09:00:00+00:00",
        "2026-12-01T00:30",
    ]


# ---- editing a tweetchat (the host, on its page) --------------------------------------------


#: How often the chats list re-reads itself (web/static/js/pages/chats.js: LIST_REFRESH_MS).
LIST_REFRESH_MS = 60_000


def _tab_hidden_then_shown(page: Any) -> None:
    """What the browser does when the person comes back to the tab."""
    page.evaluate("""() => {
      for (const state of ["hidden", "visible"]) {
        const get = () => state;
        Object.defineProperty(document, "visibilityState", { configurable: true, get });
        document.dispatchEvent(new Event("visibilitychange"));
      }
    }""")


def test_the_host_edits_the_chat_and_a_participant_sees_the_edited_question(
    context_factory: Any, live_server: Any, shot: Any
) -> None:
    """The host edits the title, times, description and questions; the guest's open chat
    page follows (chat_updated) and so does the guest's open chats list (it re-reads itself
    every minute and when its tab is shown again), without reloading."""
    host_ctx, guest_ctx = context_factory(), context_factory()
    host_user = _user(live_server, host_ctx, "edith")
    _user(live_server, guest_ctx, "gino")
    zone = ZoneInfo(live_server.api("GET", f"/conferences/{live_server.slug}")["timezone"])
    day = (datetime.now(zone) + timedelta(days=1)).date()
    start = datetime(day.year, day.month, day.day, 15, 0, tzinfo=zone)
    title = f"Reading rooms {unique_word(6)}"
    about = (
        "How bright is <b>your</b> reading room, what did you measure, and what changed "
        "after? Our notes: https://example.org/reading-rooms"
    )
    chat = live_server.api(
        "POST",
        f"/conferences/{live_server.slug}/chats",
        {
            "title": title,
            "hashtag": "ReadRoom",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "questions": ["How bright is yours?", "What stops change?", "One wish?"],
        },
        host_user["token"],
    )
    path = f"/api/v1/chats/{chat['id']}"
    host, guest = host_ctx.new_page(), guest_ctx.new_page()
    errors = _watch_errors(host) + _watch_errors(guest)
    writes: list[tuple[str, str, int]] = []
    host.on(
        "response",
        lambda r: (
            writes.append((r.request.method, r.url.split(path, 1)[1], r.status))
            if r.request.method in ("PATCH", "PUT") and path in r.url
            else None
        ),
    )
    # The guest also has the chats list open, on a clock the test moves.
    listing = guest_ctx.new_page()
    errors += _watch_errors(listing)
    listing.clock.install()
    listing.goto("/chats")
    card = listing.locator(".chat-card", has_text=title)
    expect(card).to_have_count(1)
    expect(card.locator(".chat-card__about")).to_have_count(0)
    host.goto(f"/chats/{chat['id']}")
    guest.goto(f"/chats/{chat['id']}")
    for page in (host, guest):
        expect(page.locator(".live-status")).to_have_text("Live", timeout=LIVE_MS)
    expect(guest.locator("#chat-description")).to_be_hidden()
    expect(guest.locator("#host-controls")).to_be_empty()  # not the host: no "Edit chat"
    expect(guest.get_by_role("button", name="Edit chat")).to_have_count(0)

    # Before the chat starts: title, hashtag and times can change; the form comes prefilled.
    host.get_by_role("button", name="Edit chat").click()
    form = host.locator("#chat-edit-form")
    expect(form.get_by_label("Title")).to_be_focused()
    expect(form.get_by_label("Title")).to_have_value(title)
    expect(form.get_by_label("What it is about (optional)")).to_have_value("")
    expect(form.locator("#chat-edit-description-hint")).to_contain_text("Up to 5,000 characters")
    expect(form.get_by_label("Hashtag")).to_have_value("#ReadRoom")
    expect(form.get_by_label("Starts")).to_have_value(f"{day.isoformat()}T15:00")
    expect(form.get_by_label("Duration (minutes)")).to_have_value("60")
    expect(form.get_by_label("Q2", exact=True)).to_have_value("What stops change?")
    expect(host.get_by_role("button", name="Edit chat")).to_have_attribute("aria-expanded", "true")
    # The server's refusal shows beside its field, and nothing is written.
    form.get_by_label("Title").fill(f"{title}, edited")
    form.get_by_label("Duration (minutes)").fill("90")
    form.get_by_label("Hashtag").fill("#2024")
    form.get_by_role("button", name="Save changes").click()
    expect(host.locator("#chat-edit-hashtag-error")).to_contain_text("is not one hashtag")
    expect(form.get_by_label("Hashtag")).to_be_focused()
    assert writes == [("PATCH", "", 422)]
    assert live_server.api("GET", f"/chats/{chat['id']}")["title"] == title
    form.get_by_label("Hashtag").fill("#ReadRoom")
    form.get_by_label("What it is about (optional)").fill(f"  {about}\n")
    form.get_by_role("button", name="Save changes").click()
    expect(host.locator("#chat-edit")).to_be_hidden()
    expect(host.locator("h1")).to_have_text(f"{title}, edited")
    expect(host.locator("#chat-description")).to_have_text(about)
    expect(host.get_by_role("button", name="Edit chat")).to_be_focused()
    # The other page hears of it (chat_updated) without reloading.
    expect(guest.locator("h1")).to_have_text(f"{title}, edited", timeout=LIVE_MS)
    expect(guest.locator("#chat-state")).to_contain_text("15:00–16:30")
    description = guest.locator("#chat-description")
    expect(description).to_have_text(about, timeout=LIVE_MS)  # the markup shows as text
    expect(description.locator("b")).to_have_count(0)
    expect(description.locator("a")).to_have_attribute("href", "https://example.org/reading-rooms")
    assert writes == [("PATCH", "", 422), ("PATCH", "", 200)]  # the questions were unchanged
    saved = live_server.api("GET", f"/chats/{chat['id']}")
    assert saved["description"] == about
    guest.set_viewport_size({"width": 360, "height": 780})
    assert guest.evaluate("document.documentElement.scrollWidth") <= 360
    guest.evaluate("window.scrollTo(0, 0)")
    shot(guest, "connecting-chat-description", full_page=False)
    guest.set_viewport_size({"width": 390, "height": 844})
    # The open list re-reads itself a minute later: two lines of the description on the card.
    listing.clock.run_for(LIST_REFRESH_MS)
    expect(card.locator(".chat-card__about")).to_have_text(about)
    expect(card.locator(".card__title")).to_have_text(f"{title}, edited")
    listing.set_viewport_size({"width": 360, "height": 780})
    assert listing.evaluate("document.documentElement.scrollWidth") <= 360
    overflow, lines = card.locator(".chat-card__about").evaluate(
        """(p) => [p.scrollHeight > p.clientHeight,
                   p.clientHeight / parseFloat(getComputedStyle(p).lineHeight)]"""
    )
    assert overflow and round(lines) == 2, (overflow, lines)  # clamped to two lines
    card.scroll_into_view_if_needed()
    shot(listing, "connecting-chat-list-description", full_page=False)

    # Q1 is asked; the host then edits Q2 (and adds Q4) before asking it.
    host.get_by_role("button", name="Ask Q1").click()
    expect(guest.locator("#current-text")).to_have_text("Q1: How bright is yours?", timeout=LIVE_MS)
    host.get_by_role("button", name="Edit chat").click()
    expect(form.locator(".question-row--asked")).to_have_count(1)
    expect(form.locator(".question-row--asked")).to_contain_text("Q1: How bright is yours?")
    expect(form.get_by_label("Q1", exact=True)).to_have_count(0)  # asked: no input
    expect(form.get_by_label("Hashtag")).to_have_attribute("readonly", "")
    expect(form.get_by_label("Starts")).to_have_attribute("readonly", "")
    form.get_by_label("What it is about (optional)").fill("Lighting, glare & *ergonomics*")
    form.get_by_label("Q2", exact=True).fill("What stops change in your department?")
    form.get_by_role("button", name="Add a question").click()
    expect(form.get_by_label("Q4", exact=True)).to_be_focused()
    form.get_by_label("Q4", exact=True).fill("Who should we ask next time?")
    host.set_viewport_size({"width": 360, "height": 780})
    assert host.evaluate("document.documentElement.scrollWidth") <= 360
    expect(host.locator("#toast")).to_be_empty(timeout=10_000)  # "Changes saved" has gone
    host.evaluate("window.scrollTo(0, 0)")  # the sticky header stays at the top of the shot
    shot(host, "connecting-chat-edit-form")
    host.set_viewport_size({"width": 390, "height": 844})
    form.get_by_role("button", name="Save changes").click()
    expect(host.locator("#chat-edit")).to_be_hidden()
    assert writes[2:] == [("PATCH", "", 200), ("PUT", "/questions", 200)]
    expect(guest.locator("#chat-description")).to_have_text(
        "Lighting, glare & *ergonomics*", timeout=LIVE_MS
    )
    # Coming back to the list's tab re-reads it at once.
    _tab_hidden_then_shown(listing)
    expect(card.locator(".chat-card__about")).to_have_text("Lighting, glare & *ergonomics*")

    host.get_by_role("button", name="Ask Q2").click()
    expect(guest.locator("#current-text")).to_have_text(
        "Q2: What stops change in your department?", timeout=LIVE_MS
    )
    made = live_server.api("GET", f"/chats/{chat['id']}", token=host_user["token"])
    assert [q["text"] for q in made["questions"]] == [
        "Q1: How bright is yours?",
        "Q2: What stops change in your department?",
        "Q3: One wish?",
        "Q4: Who should we ask next time?",
    ]
    assert made["start"] == start.isoformat()
    assert made["end"] == (start + timedelta(minutes=90)).isoformat()
    assert errors == []
