"""Following from afar: Atom feeds (parsed with defusedxml), a session's live context and its
digest (no account), and follows with what is new (an account)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree
from flask import Flask
from sqlalchemy import select

from server.extensions import db
from server.models import Conference, Talk
from server.services.demo import do_load_demo
from tests.conftest import Api

pytestmark = pytest.mark.db

NOW = "2026-11-30T12:00:00-06:00"
WALL = "/api/v1/conferences/nrc26/posts"
A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture()
def demo(clean_app: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setenv("BACKCHANNEL_FAKE_NOW", NOW)
    with clean_app.app_context():
        do_load_demo()
        ids = {t.code: t.id for t in db.session.query(Talk).all() if t.code}
        db.session.remove()
    return ids


@pytest.fixture()
def tag(demo: dict[str, int], clean_app: Flask) -> str:
    """The tag: URI prefix: this host and the day the conference was created."""
    with clean_app.app_context():
        created = db.session.scalars(select(Conference.created_at)).one()
        db.session.remove()
    return f"tag:127.0.0.1,{created:%Y-%m-%d}:"


def post(api: Api, text: str, **fields: Any) -> dict[str, Any]:
    response = api.post(WALL, json={"text": text, **fields},
                        headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def atom(api: Api, path: str) -> Element:
    response = api.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    root: Element = ElementTree.fromstring(response.data)
    return root


def check_valid_atom(feed: Element) -> None:
    """RFC 4287's musts: feed id, title, updated, author (or one per entry), a self link; each
    entry an id, title, updated; ids are tag: URIs."""
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{A}{name}")) == 1, name
    assert feed.findtext(f"{A}id", "").startswith("tag:127.0.0.1,")
    assert [link.get("rel") for link in feed.findall(f"{A}link")].count("self") == 1
    has_feed_author = feed.find(f"{A}author/{A}name") is not None
    for entry in feed.findall(f"{A}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{A}{name}")) == 1, name
        assert entry.findtext(f"{A}id", "").startswith("tag:127.0.0.1,")
        assert has_feed_author or entry.find(f"{A}author/{A}name") is not None
        assert entry.find(f"{A}content").get("type") == "text"


def entries(feed: Element) -> list[tuple[str, str]]:
    return [(e.findtext(f"{A}id", ""), e.findtext(f"{A}content", ""))
            for e in feed.findall(f"{A}entry")]


def test_the_conference_feed_is_valid_atom_with_stable_ids_and_escaped_text(
    demo: dict[str, int], attendee: Api, anon: Api, tag: str
) -> None:
    first = post(attendee, "Opening keynote <b>now</b> & packed #NRC26")
    second = post(attendee, "Second post", session_id=demo["SM01"])

    feed = atom(anon, "/api/v1/conferences/nrc26/feed.atom")

    check_valid_atom(feed)
    assert feed.findtext(f"{A}title") == "Northern Radiology Congress 2026 #NRC26: live wall"
    assert feed.findtext(f"{A}id") == f"{tag}conference/nrc26"
    assert entries(feed) == [
        (f"{tag}post/{second['id']}", "Second post"),
        (f"{tag}post/{first['id']}",
         "Opening keynote <b>now</b> & packed #NRC26"),
    ]
    raw = anon.get("/api/v1/conferences/nrc26/feed.atom").get_data(as_text=True)
    assert "&lt;b&gt;now&lt;/b&gt; &amp; packed" in raw and "<b>" not in raw
    assert entries(atom(anon, "/api/v1/conferences/nrc26/feed.atom")) == entries(feed)


def test_a_feed_answers_304_until_the_wall_moves(demo: dict[str, int], attendee: Api,
                                                 anon: Api) -> None:
    path = "/api/v1/conferences/nrc26/feed.atom"
    etag = anon.get(path).headers["ETag"]

    assert anon.get(path, headers={"If-None-Match": etag}).status_code == 304
    post(attendee, "news")
    assert anon.get(path, headers={"If-None-Match": etag}).status_code == 200


def test_session_and_hashtag_feeds_hold_only_their_posts(
    demo: dict[str, int], attendee: Api, anon: Api, tag: str
) -> None:
    in_session = post(attendee, "Great panel #SoMe", session_id=demo["SM01"])
    tagged = post(attendee, "Elsewhere but #some too")
    post(attendee, "No tag here, #somewhere else")

    session = atom(anon, f"/api/v1/sessions/{demo['SM01']}/feed.atom")
    hashtag = atom(anon, "/api/v1/conferences/nrc26/hashtags/SOME/feed.atom")

    check_valid_atom(session)
    check_valid_atom(hashtag)
    assert session.findtext(f"{A}id") == f"{tag}session/{demo['SM01']}"
    assert [c for _, c in entries(session)] == ["Great panel #SoMe"]
    assert hashtag.findtext(f"{A}id") == f"{tag}conference/nrc26/hashtag/some"
    assert [i for i, _ in entries(hashtag)] == [
        f"{tag}post/{tagged['id']}",
        f"{tag}post/{in_session['id']}",
    ]
    bad = anon.get("/api/v1/conferences/nrc26/hashtags/two%20words/feed.atom")
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_hashtag"
    assert anon.get("/api/v1/sessions/2147483647/feed.atom").status_code == 404


def test_removed_posts_leave_the_feeds(demo: dict[str, int], attendee: Api, anon: Api) -> None:
    gone = post(attendee, "oops")
    attendee.delete(f"/api/v1/posts/{gone['id']}")

    assert entries(atom(anon, "/api/v1/conferences/nrc26/feed.atom")) == []


def test_the_live_context_says_what_is_on(
    demo: dict[str, int], anon: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKCHANNEL_FAKE_NOW", "2026-11-30T12:30:00-06:00")

    body = anon.get(f"/api/v1/sessions/{demo['SM01']}/live").get_json()

    assert body["session"]["state"] == "upcoming"
    assert body["session"]["start"] == "2026-11-30T15:30:00-06:00"
    assert body["feed"] == f"/api/v1/sessions/{demo['SM01']}/feed.atom"
    assert {s["state"] for s in body["now"]} == {"live"}
    assert body["now"] and all(s["start"] <= "2026-11-30T12:30:00-06:00" for s in body["now"])
    assert all(s["state"] == "upcoming" for s in body["next"])


def test_the_digest_waits_for_the_end(demo: dict[str, int], anon: Api) -> None:
    response = anon.get(f"/api/v1/sessions/{demo['SM01']}/digest")

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "session_not_over"


def test_the_digest_ranks_sharing_lists_links_and_speakers(
    demo: dict[str, int], make_user: Callable[..., Api], anon: Api,
    monkeypatch: pytest.MonkeyPatch, clean_app: Flask,
) -> None:
    ana, ben, cat = make_user(username="ana"), make_user(username="ben"), make_user()
    talk_id = demo["SM01"]
    with clean_app.app_context():
        talk = db.session.get_one(Talk, talk_id)
        speaker = talk.talk_speakers[0].speaker
        speaker_name = speaker.name
        db.session.remove()
    s = {"session_id": talk_id}
    quoted = post(ana, f"{speaker_name}: audit your AI before you trust it", **s)
    slides = post(ben, "Slides: https://speakerdeck.com/nrc/sm01 + https://pubs.example.org/x", **s)
    post(cat, f"RT @ana: {speaker_name}: audit your AI before you trust it", **s)
    post(ben, "Agreed", reply_to_id=quoted["id"], **s)
    post(cat, "me too", reply_to_id=slides["id"], **s)
    post(ana, "Deck again https://speakerdeck.com/nrc/sm01", **s)
    post(ana, "not in this session https://elsewhere.example/")
    monkeypatch.setenv("BACKCHANNEL_FAKE_NOW", "2026-11-30T17:00:00-06:00")

    body = anon.get(f"/api/v1/sessions/{talk_id}/digest").get_json()

    assert body["session"]["state"] == "ended"
    assert (body["posts"], body["participants"]) == (6, 3)
    assert [(m["post"]["id"], m["replies"], m["echoes"], m["score"])
            for m in body["most_shared"]] == [(quoted["id"], 1, 1, 2), (slides["id"], 1, 0, 1)]
    assert [(link["url"], link["kind"], link["posts"]) for link in body["links"]] == [
        ("https://speakerdeck.com/nrc/sm01", "slides", 2),
        ("https://pubs.example.org/x", "link", 1),
    ]
    assert body["speakers"][0]["name"] == speaker_name
    assert body["speakers"][0]["mentioned_in"] == 2
    assert [(c["username"], c["posts"]) for c in body["contributors"]] == [
        ("ana", 2), ("ben", 2), ("attendee3", 2)
    ]


def test_following_needs_an_account_and_counts_what_is_new(
    demo: dict[str, int], make_user: Callable[..., Api], anon: Api,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fan, ana = make_user(), make_user(username="ana")
    assert anon.get("/api/v1/me/following").status_code == 401
    assert anon.post("/api/v1/me/following", json={"kind": "session", "id": 1}).status_code == 401

    session = fan.post("/api/v1/me/following", json={"kind": "session", "id": demo["SM01"]})
    again = fan.post("/api/v1/me/following", json={"kind": "session", "id": demo["SM01"]})
    person = fan.post("/api/v1/me/following", json={"kind": "person", "username": "ANA"})
    assert (session.status_code, again.status_code, person.status_code) == (201, 200, 201)
    assert session.get_json()["id"] == again.get_json()["id"]
    assert session.get_json()["session"]["state"] == "upcoming"

    monkeypatch.setenv("BACKCHANNEL_FAKE_NOW", "2026-11-30T12:01:00-06:00")
    post(ana, "From the panel", session_id=demo["SM01"])
    post(ana, "From the corridor")

    items = {i["kind"]: i for i in fan.get("/api/v1/me/following").get_json()["items"]}
    assert (items["session"]["new_posts"], items["person"]["new_posts"]) == (1, 2)
    assert [p["text"] for p in items["person"]["latest"]] == ["From the corridor",
                                                             "From the panel"]
    assert items["person"]["person"]["username"] == "ana"

    monkeypatch.setenv("BACKCHANNEL_FAKE_NOW", "2026-11-30T12:02:00-06:00")
    seen = fan.post(f"/api/v1/me/following/{items['person']['id']}/seen")
    assert seen.status_code == 200 and seen.get_json()["new_posts"] == 0
    assert fan.delete(f"/api/v1/me/following/{items['session']['id']}").status_code == 204
    assert [i["kind"] for i in fan.get("/api/v1/me/following").get_json()["items"]] == ["person"]
    other = make_user()
    assert other.post(f"/api/v1/me/following/{items['person']['id']}/seen").status_code == 404


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"kind": "session", "id": 2**31 - 1}, 404),
        ({"kind": "person", "username": "nobody-here"}, 404),
        ({"kind": "track"}, 422),
        ({"kind": "session", "username": "ana"}, 422),
        ({"kind": "planet", "id": 1}, 422),
    ],
)
def test_bad_follows_are_refused(demo: dict[str, int], attendee: Api, body: dict[str, Any],
                                 status: int) -> None:
    response = attendee.post("/api/v1/me/following", json=body)

    assert response.status_code == status
    assert response.get_json()["error"]["message"]


def test_the_openapi_document_lists_the_connecting_routes(anon: Api) -> None:
    paths = anon.get("/api/openapi.json").get_json()["paths"]

    expected = {
        "/api/v1/conferences/{slug}/tweetups": {"get", "post"},
        "/api/v1/conferences/{slug}/tweetups/suggested-times": {"get"},
        "/api/v1/tweetups/{tweetup_id}": {"get", "patch"},
        "/api/v1/tweetups/{tweetup_id}/rsvp": {"put", "delete"},
        "/api/v1/tweetups/{tweetup_id}/attendees": {"get"},
        "/api/v1/conferences/{slug}/chats": {"get", "post"},
        "/api/v1/chats/{chat_id}": {"get", "patch"},
        "/api/v1/chats/{chat_id}/questions": {"put"},
        "/api/v1/chats/{chat_id}/next": {"post"},
        "/api/v1/chats/{chat_id}/compose": {"post"},
        "/api/v1/chats/{chat_id}/transcript": {"get"},
        "/api/v1/chats/{chat_id}/transcript.md": {"get"},
        "/api/v1/conferences/{slug}/feed.atom": {"get"},
        "/api/v1/sessions/{talk_id}/feed.atom": {"get"},
        "/api/v1/conferences/{slug}/hashtags/{tag}/feed.atom": {"get"},
        "/api/v1/sessions/{talk_id}/digest": {"get"},
        "/api/v1/sessions/{talk_id}/live": {"get"},
        "/api/v1/me/following": {"get", "post"},
        "/api/v1/me/following/{follow_id}": {"delete"},
        "/api/v1/me/following/{follow_id}/seen": {"post"},
    }
    assert {path: set(paths[path]) & {"get", "post", "put", "patch", "delete"}
            for path in expected} == expected
    feed = paths["/api/v1/conferences/{slug}/feed.atom"]["get"]["responses"]["200"]
    assert "application/atom+xml" in feed["content"]
