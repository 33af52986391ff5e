"""Tweetups: proposals, curation, RSVPs with a waitlist, the agenda and calendar, their room,
suggested times."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient
from icalendar import Calendar

from server.extensions import db
from server.models import Talk
from server.services.demo import do_load_demo
from tests.conftest import Api, table_counts

pytestmark = pytest.mark.db

#: Monday of the demo congress (its second day), noon in Chicago.
NOW = "2026-11-30T12:00:00-06:00"
TWEETUPS = "/api/v1/conferences/nrc26/tweetups"


@pytest.fixture()
def demo(clean_app: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setenv("BACKCHANNEL_FAKE_NOW", NOW)
    with clean_app.app_context():
        do_load_demo()
        ids = {t.code: t.id for t in db.session.query(Talk).all() if t.code}
        db.session.remove()
    return ids


def proposal(**changes: Any) -> dict[str, Any]:
    body = {
        "title": "Physicists' coffee",
        "description": "Bring questions about dose.",
        "start": "2026-11-30T15:00:00-06:00",
        "end": "2026-11-30T15:30:00-06:00",
        "place": "Café Lumen, East Building level 2",
        "hashtag": "#NRC26physics",
        "capacity": 2,
    }
    body.update(changes)
    return body


def propose(api: Api, **changes: Any) -> dict[str, Any]:
    response = api.post(TWEETUPS, json=proposal(**changes))
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def rsvp(api: Api, tweetup_id: int, status: str) -> Any:
    return api.put(f"/api/v1/tweetups/{tweetup_id}/rsvp", json={"status": status})


def test_anyone_signed_in_proposes_and_is_going(demo: dict[str, int], attendee: Api) -> None:
    body = propose(attendee)

    assert body["title"] == "Physicists' coffee"
    assert body["hashtag"] == "NRC26physics"
    assert body["start"] == "2026-11-30T15:00:00-06:00"
    assert body["place"] == "Café Lumen, East Building level 2"
    assert body["counts"] == {"going": 1, "maybe": 0, "waitlisted": 0}
    assert body["spots_left"] == 1
    assert body["my_rsvp"] == "going"
    assert body["proposer"]["username"] == "attendee1"
    assert body["room"] == f"tweetup:{body['id']}"
    listed = attendee.get(TWEETUPS).get_json()["items"]
    assert [t["title"] for t in listed] == [
        "Residents' night out",
        "Physicists' coffee",
        "#NRC26 Tweetup",
        "Women in Radiology breakfast meetup",
    ]


def test_upcoming_leaves_out_past_tweetups(demo: dict[str, int], anon: Api) -> None:
    items = anon.get(TWEETUPS, query_string={"upcoming": "true"}).get_json()["items"]

    assert [t["title"] for t in items] == ["#NRC26 Tweetup", "Women in Radiology breakfast meetup"]
    assert items[0]["featured"] is True  # proposed by the organizers' office
    assert items[0]["session_id"] == demo["SM01"]


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        ({"end": "2026-11-30T14:00:00-06:00"}, 422, "invalid_times", "end"),
        ({"end": "2026-12-01T15:30:00-06:00"}, 422, "invalid_times", "end"),
        ({"hashtag": "#two words"}, 422, "invalid_hashtag", "hashtag"),
        ({"capacity": 0}, 422, "validation_error", "capacity"),
        ({"start": "2026-11-30T15:00:00"}, 422, "validation_error", "start"),
        ({"place": ""}, 422, "validation_error", "place"),
        ({"session_id": 2**31 - 1}, 404, "not_found", None),
        ({"surprise": 1}, 422, "validation_error", "surprise"),
    ],
)
def test_bad_proposals_are_refused_and_nothing_is_written(
    demo: dict[str, int], attendee: Api, clean_app: Flask,
    changes: dict[str, Any], status: int, code: str, field: str | None,
) -> None:
    before = table_counts(clean_app)

    response = attendee.post(TWEETUPS, json=proposal(**changes))

    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error.get("field") == field
    assert table_counts(clean_app) == before


def test_anonymous_cannot_propose_or_rsvp(demo: dict[str, int], anon: Api, attendee: Api) -> None:
    tweetup = propose(attendee)

    assert anon.post(TWEETUPS, json=proposal()).status_code == 401
    response = rsvp(anon, tweetup["id"], "going")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "auth_required"


def test_the_waitlist_fills_at_capacity_and_moves_up_in_order(
    demo: dict[str, int], make_user: Callable[..., Api]
) -> None:
    host, ada, bo, cy = (make_user(username=n) for n in ("host", "ada", "bob", "cyd"))
    ada.patch("/api/v1/me", json={"handles": [{"network": "x", "handle": "@ada_rad"}]})
    tweetup = propose(host, capacity=2)
    tid = tweetup["id"]

    assert rsvp(ada, tid, "going").get_json()["status"] == "going"
    assert rsvp(bo, tid, "going").get_json()["status"] == "waitlisted"
    assert rsvp(cy, tid, "going").get_json()["status"] == "waitlisted"
    assert rsvp(bo, tid, "going").get_json()["status"] == "waitlisted"  # keeps the place

    coming = host.get(f"/api/v1/tweetups/{tid}/attendees").get_json()
    assert [p["username"] for p in coming["going"]] == ["ada", "host"]
    assert coming["going"][0]["handles"] == {"x": "ada_rad"}
    assert [p["username"] for p in coming["waitlist"]] == ["bob", "cyd"]

    dropped = rsvp(ada, tid, "not_going").get_json()

    assert dropped["status"] == "not_going"
    assert dropped["tweetup"]["counts"] == {"going": 2, "maybe": 0, "waitlisted": 1}
    coming = host.get(f"/api/v1/tweetups/{tid}/attendees").get_json()
    assert [p["username"] for p in coming["going"]] == ["bob", "host"]
    assert [p["username"] for p in coming["waitlist"]] == ["cyd"]
    assert bo.get(f"/api/v1/tweetups/{tid}").get_json()["my_rsvp"] == "going"

    # Asking to go again puts ada at the back of the queue.
    assert rsvp(ada, tid, "going").get_json()["status"] == "waitlisted"
    assert bo.delete(f"/api/v1/tweetups/{tid}/rsvp").status_code == 204
    coming = host.get(f"/api/v1/tweetups/{tid}/attendees").get_json()
    assert [p["username"] for p in coming["going"]] == ["cyd", "host"]
    assert [p["username"] for p in coming["waitlist"]] == ["ada"]


def test_maybe_does_not_take_a_place(demo: dict[str, int], make_user: Callable[..., Api]) -> None:
    host, ada, bo = make_user(), make_user(), make_user()
    tid = propose(host, capacity=2)["id"]

    assert rsvp(ada, tid, "maybe").get_json()["status"] == "maybe"
    assert rsvp(bo, tid, "going").get_json()["tweetup"]["counts"] == {
        "going": 2, "maybe": 1, "waitlisted": 0
    }


def test_raising_the_capacity_promotes_from_the_waitlist(
    demo: dict[str, int], make_user: Callable[..., Api]
) -> None:
    host, ada = make_user(), make_user()
    tid = propose(host, capacity=1)["id"]
    assert rsvp(ada, tid, "going").get_json()["status"] == "waitlisted"

    response = host.patch(f"/api/v1/tweetups/{tid}", json={"capacity": 5})

    assert response.status_code == 200
    assert response.get_json()["counts"] == {"going": 2, "maybe": 0, "waitlisted": 0}


def test_organizers_feature_and_hide_others_may_not(
    demo: dict[str, int], attendee: Api, organizer: Api, make_user: Callable[..., Api]
) -> None:
    tid = propose(attendee)["id"]
    stranger = make_user()

    refused = attendee.patch(f"/api/v1/tweetups/{tid}", json={"featured": True})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    assert stranger.patch(f"/api/v1/tweetups/{tid}", json={"title": "Mine"}).status_code == 403

    featured = organizer.patch(f"/api/v1/tweetups/{tid}", json={"featured": True})
    assert featured.get_json()["featured"] is True
    hidden = organizer.patch(f"/api/v1/tweetups/{tid}", json={"hidden": True})
    assert hidden.get_json()["hidden"] is True

    assert stranger.get(f"/api/v1/tweetups/{tid}").status_code == 404
    assert tid not in [t["id"] for t in stranger.get(TWEETUPS).get_json()["items"]]
    assert rsvp(stranger, tid, "going").status_code == 404
    assert attendee.get(f"/api/v1/tweetups/{tid}").get_json()["hidden"] is True  # proposer
    assert tid in [t["id"] for t in organizer.get(TWEETUPS).get_json()["items"]]


def test_a_cancelled_or_past_tweetup_takes_no_rsvp(
    demo: dict[str, int], attendee: Api, make_user: Callable[..., Api], anon: Api
) -> None:
    tid = propose(attendee)["id"]
    attendee.patch(f"/api/v1/tweetups/{tid}", json={"cancelled": True})
    other = make_user()

    response = rsvp(other, tid, "going")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "tweetup_cancelled"

    past = next(t for t in anon.get(TWEETUPS).get_json()["items"]
                if t["title"] == "Residents' night out")
    response = rsvp(other, past["id"], "going")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "tweetup_over"


def test_my_tweetups_are_in_my_agenda_and_calendar(
    demo: dict[str, int], attendee: Api, make_user: Callable[..., Api]
) -> None:
    host = make_user()
    mine = propose(attendee, title="Mine")
    theirs = propose(host, title="Theirs", capacity=1)
    skipped = propose(host, title="Skipped")
    rsvp(attendee, theirs["id"], "going")  # waitlisted
    rsvp(attendee, skipped["id"], "not_going")
    attendee.put(f"/api/v1/me/agenda/{demo['SM01']}")

    agenda = attendee.get("/api/v1/me/agenda").get_json()

    assert [i["code"] for i in agenda["items"]] == ["SM01"]
    assert [(t["title"], t["my_rsvp"]) for t in agenda["tweetups"]] == [
        ("Mine", "going"), ("Theirs", "waitlisted")
    ]
    url = attendee.post("/api/v1/me/agenda/feed").get_json()["url"]
    ics = attendee.get(url.removeprefix("http://127.0.0.1:5000"))
    calendar = Calendar.from_ical(ics.data)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        f"session-{demo['SM01']}@127.0.0.1",
        f"tweetup-{mine['id']}@127.0.0.1",
        f"tweetup-{theirs['id']}@127.0.0.1",
    }
    event = events[f"tweetup-{theirs['id']}@127.0.0.1"]
    assert str(event["summary"]) == "Tweetup: Theirs #NRC26physics"
    assert str(event["status"]) == "TENTATIVE"
    assert str(event["location"]) == "Café Lumen, East Building level 2"
    assert event.decoded("dtstart").isoformat() == "2026-11-30T15:00:00-06:00"
    assert str(events[f"tweetup-{mine['id']}@127.0.0.1"]["status"]) == "CONFIRMED"


def test_suggested_times_are_the_programmes_gaps(demo: dict[str, int], anon: Api) -> None:
    response = anon.get(f"{TWEETUPS}/suggested-times",
                        query_string={"day": "2026-11-30", "min_minutes": 30})

    assert response.status_code == 200
    assert [(i["start"], i["end"], i["kind"], i["minutes"]) for i in response.get_json()["items"]] \
        == [
        ("2026-11-30T07:00:00-06:00", "2026-11-30T08:30:00-06:00", "morning", 90),
        ("2026-11-30T10:00:00-06:00", "2026-11-30T10:30:00-06:00", "break", 30),
        ("2026-11-30T15:00:00-06:00", "2026-11-30T15:30:00-06:00", "break", 30),
        ("2026-11-30T17:00:00-06:00", "2026-11-30T22:00:00-06:00", "evening", 300),
    ]
    short = anon.get(f"{TWEETUPS}/suggested-times", query_string={"day": "2026-11-30",
                                                                   "min_minutes": 15})
    assert len(short.get_json()["items"]) == 6
    bad = anon.get(f"{TWEETUPS}/suggested-times", query_string={"min_minutes": 1})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["field"] == "min_minutes"




def test_the_tweetup_room_streams_and_catches_up(
    demo: dict[str, int], attendee: Api, make_user: Callable[..., Api],
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    tid = propose(attendee)["id"]
    room = f"tweetup:{tid}"
    watcher = sockets()
    ack = watcher.emit("join", {"room": room, "since": 0}, namespace="/live", callback=True)
    assert ack["ok"] is True and ack["posts"] == []

    key = str(uuid.uuid4())
    made = attendee.post("/api/v1/conferences/nrc26/posts",
                         json={"text": "Coffee is on me", "tweetup_id": tid},
                         headers={"Idempotency-Key": key})
    again = attendee.post("/api/v1/conferences/nrc26/posts",
                          json={"text": "Coffee is on me", "tweetup_id": tid},
                          headers={"Idempotency-Key": key})
    assert made.status_code == 201 and again.get_json()["id"] == made.get_json()["id"]
    attendee.post("/api/v1/conferences/nrc26/posts", json={"text": "Elsewhere"},
                  headers={"Idempotency-Key": str(uuid.uuid4())})
    poster = sockets(make_user().token)
    sent = poster.emit("post", {"room": room, "text": "On my way", "client_id": str(uuid.uuid4())},
                       namespace="/live", callback=True)
    assert sent["ok"] is True and sent["post"]["tweetup_id"] == tid

    live = [p["text"] for e in watcher.get_received("/live") if e["name"] == "posts"
            for p in e["args"][0]["posts"] if e["args"][0]["room"] == room]
    assert live == ["Coffee is on me", "On my way"]
    late = sockets()
    replay = late.emit("join", {"room": room, "since": 0}, namespace="/live", callback=True)
    assert [p["text"] for p in replay["posts"]] == ["Coffee is on me", "On my way"]
    page = attendee.get("/api/v1/conferences/nrc26/posts", query_string={"tweetup_id": tid})
    assert [p["text"] for p in page.get_json()["items"]] == ["Coffee is on me", "On my way"]


def test_a_hidden_tweetups_room_is_closed_to_others(
    demo: dict[str, int], attendee: Api, organizer: Api, make_user: Callable[..., Api],
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    tid = propose(attendee)["id"]
    organizer.patch(f"/api/v1/tweetups/{tid}", json={"hidden": True})
    other = make_user()

    ack = sockets(other.token).emit("join", {"room": f"tweetup:{tid}"}, namespace="/live",
                                    callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"
    response = other.post("/api/v1/conferences/nrc26/posts",
                          json={"text": "hello", "tweetup_id": tid},
                          headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 404
    assert sockets(organizer.token).emit("join", {"room": f"tweetup:{tid}"}, namespace="/live",
                                         callback=True)["ok"] is True
