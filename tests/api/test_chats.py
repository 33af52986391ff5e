"""Tweetchats: scheduling, releasing questions (the ``question`` event), answers grouped under
their question, threads, the chat-aware drafter, and the transcript as JSON and Markdown."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient

from server.extensions import db
from server.models import Talk
from server.services.demo import do_load_demo
from tests.conftest import Api, table_counts

pytestmark = pytest.mark.db

NOW = "2026-11-30T12:00:00-06:00"
CHATS = "/api/v1/conferences/nrc26/chats"
WALL = "/api/v1/conferences/nrc26/posts"


@pytest.fixture()
def demo(clean_app: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setenv("BACKCHANNEL_FAKE_NOW", NOW)
    with clean_app.app_context():
        do_load_demo()
        ids = {t.code: t.id for t in db.session.query(Talk).all() if t.code}
        db.session.remove()
    return ids




def schedule(host: Api, **changes: Any) -> dict[str, Any]:
    body = {
        "title": "Dose chat",
        "hashtag": "DoseChat",
        "start": "2026-11-30T19:00:00-06:00",
        "end": "2026-11-30T20:00:00-06:00",
        "questions": ["What is your CT dose target?", "Q2: Who checks it?", "How do you audit?"],
    }
    body.update(changes)
    response = host.post(CHATS, json=body)
    assert response.status_code == 201, response.get_json()
    result: dict[str, Any] = response.get_json()
    return result


def post(api: Api, text: str, **fields: Any) -> Any:
    return api.post(WALL, json={"text": text, **fields},
                    headers={"Idempotency-Key": str(uuid.uuid4())})


def release(api: Api, chat_id: int, expected: int | None = None) -> Any:
    body = {} if expected is None else {"expected": expected}
    return api.post(f"/api/v1/chats/{chat_id}/next", json=body)


def test_the_demo_has_its_chats_with_questions(
    demo: dict[str, int], organizer: Api, anon: Api
) -> None:
    items = organizer.get(CHATS).get_json()["items"]

    assert [(c["hashtag"], c["state"], c["question_count"]) for c in items] == [
        ("NRC26chat", "scheduled", 3), ("NRC26patients", "scheduled", 3)
    ]
    assert items[0]["start"] == "2026-12-01T19:00:00-06:00"
    assert items[0]["host"]["username"] == "organizer"
    assert items[0]["questions"][0]["text"].startswith("Q1: Which AI tool")  # organizers run it
    assert [c["questions"] for c in anon.get(CHATS).get_json()["items"]] == [[], []]


def test_questions_stay_private_until_released(
    demo: dict[str, int], make_user: Callable[..., Api], anon: Api
) -> None:
    host = make_user()
    chat = schedule(host)

    assert [q["text"] for q in chat["questions"]] == [
        "Q1: What is your CT dose target?", "Q2: Who checks it?", "Q3: How do you audit?"
    ]
    public = anon.get(f"/api/v1/chats/{chat['id']}").get_json()
    assert public["questions"] == [] and public["current_question"] is None
    assert public["can_host"] is False and public["state"] == "scheduled"


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"questions": []}, "validation_error", "questions"),
        ({"questions": ["ok", ""]}, "validation_error", "questions"),
        ({"questions": ["q"] * 21}, "validation_error", "questions"),
        ({"hashtag": "not one"}, "invalid_hashtag", "hashtag"),
        ({"end": "2026-11-30T18:00:00-06:00"}, "invalid_times", "end"),
        ({"description": "x" * 5001}, "validation_error", "description"),
    ],
)
def test_bad_chats_are_refused(
    demo: dict[str, int], attendee: Api, clean_app: Flask,
    changes: dict[str, Any], code: str, field: str,
) -> None:
    before = table_counts(clean_app)
    body = {"title": "x", "hashtag": "DoseChat", "start": "2026-11-30T19:00:00-06:00",
            "end": "2026-11-30T20:00:00-06:00", "questions": ["one"], **changes}

    response = attendee.post(CHATS, json=body)

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["field"] == field
    assert table_counts(clean_app) == before


def test_only_the_host_releases_and_everyone_in_the_room_hears_it(
    demo: dict[str, int], make_user: Callable[..., Api], anon: Api, organizer: Api,
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    host, guest = make_user(), make_user()
    chat = schedule(host)
    room = f"chat:{chat['id']}"
    listener = sockets()
    assert listener.emit("join", {"room": room}, namespace="/live", callback=True)["ok"] is True

    assert release(anon, chat["id"]).status_code == 401
    denied = release(guest, chat["id"])
    assert denied.status_code == 403 and denied.get_json()["error"]["code"] == "forbidden"

    first = release(host, chat["id"], expected=1)
    retry = release(host, chat["id"], expected=1)
    assert first.status_code == 200 and retry.status_code == 200
    assert first.get_json()["question"]["text"] == "Q1: What is your CT dose target?"
    assert first.get_json()["chat"]["state"] == "live"
    events = [e["args"][0] for e in listener.get_received("/live") if e["name"] == "question"]
    assert [(e["room"], e["question"]["number"]) for e in events] == [(room, 1)]

    skipped = release(host, chat["id"], expected=3)
    assert skipped.status_code == 409
    assert skipped.get_json()["error"]["code"] == "question_out_of_order"
    assert release(organizer, chat["id"]).status_code == 200  # organizers may run any chat
    assert release(host, chat["id"]).status_code == 200
    done = release(host, chat["id"])
    assert done.status_code == 409 and done.get_json()["error"]["code"] == "no_more_questions"
    public = anon.get(f"/api/v1/chats/{chat['id']}").get_json()
    assert [q["number"] for q in public["questions"]] == [1, 2, 3]
    assert public["current_question"]["number"] == 3


def test_answers_are_grouped_under_their_question_and_replies_keep_their_thread(
    demo: dict[str, int], make_user: Callable[..., Api], anon: Api,
) -> None:
    host, ana, ben = make_user(), make_user(username="ana"), make_user(username="ben")
    ana.patch("/api/v1/me", json={"handles": [{"network": "x", "handle": "ana_rad"}]})
    chat = schedule(host)
    cid = chat["id"]
    early = post(ana, "Hello everyone #DoseChat", chat_id=cid)
    assert early.status_code == 201 and early.get_json()["question"] is None
    release(host, cid)
    a1 = post(ana, "A1: 12 mGy for a routine head #DoseChat", chat_id=cid).get_json()
    assert a1["question"] == 1 and a1["chat_id"] == cid
    ahead = post(ben, "A2 we have a physicist", chat_id=cid).get_json()
    assert ahead["question"] is None  # Q2 is not out yet
    refused = post(ben, "Anything", chat_id=cid, question=2)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "question_not_released"
    reply = post(ben, "@ana_rad that low? #DoseChat", reply_to_id=a1["id"]).get_json()
    assert (reply["chat_id"], reply["question"], reply["reply_to_id"]) == (cid, 1, a1["id"])
    release(host, cid)
    picked = post(ben, "Our physicist does", chat_id=cid, question=2).get_json()
    assert picked["question"] == 2
    # A post on the conference wall with the chat's hashtag joins the running chat.
    tagged = post(ana, "a2. the lead tech #dosechat").get_json()
    assert (tagged["chat_id"], tagged["question"]) == (cid, 2)
    untagged = post(ana, "A2 unrelated to any chat").get_json()
    assert untagged["chat_id"] is None

    transcript = anon.get(f"/api/v1/chats/{cid}/transcript").get_json()

    assert transcript["chat"]["title"] == "Dose chat" and transcript["chat"]["state"] == "live"
    assert [q["number"] for q in transcript["questions"]] == [1, 2]
    assert [(a["text"], a["depth"], a["author"]["handle"])
            for a in transcript["questions"][0]["answers"]] == [
        ("A1: 12 mGy for a routine head #DoseChat", 0, "@ana_rad"),
        ("@ana_rad that low? #DoseChat", 1, "@ben"),
    ]
    assert [a["text"] for a in transcript["questions"][1]["answers"]] == [
        "Our physicist does", "a2. the lead tech #dosechat"
    ]
    assert [a["text"] for a in transcript["other"]] == [
        "Hello everyone #DoseChat", "A2 we have a physicist"
    ]
    assert (transcript["posts"], transcript["participants"]) == (6, 2)


def test_a_reply_cannot_move_to_another_room(
    demo: dict[str, int], make_user: Callable[..., Api]
) -> None:
    host, ana = make_user(), make_user()
    cid = schedule(host)["id"]
    other = schedule(host, hashtag="OtherChat")["id"]
    first = post(ana, "hello", chat_id=cid).get_json()

    response = post(ana, "moving", chat_id=other, reply_to_id=first["id"])

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "reply_elsewhere"
    assert post(ana, "to nothing", reply_to_id=2**31 - 1).status_code == 404


def test_answers_over_the_socket_join_the_chat_room(
    demo: dict[str, int], make_user: Callable[..., Api],
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    host, ana = make_user(), make_user()
    cid = schedule(host)["id"]
    release(host, cid)
    room = f"chat:{cid}"
    writer = sockets(ana.token)
    writer.emit("join", {"room": room}, namespace="/live", callback=True)

    ack = writer.emit("post", {"room": room, "text": "Tiny dose", "client_id": str(uuid.uuid4()),
                               "question": 1}, namespace="/live", callback=True)

    assert ack["ok"] is True
    assert (ack["post"]["chat_id"], ack["post"]["question"]) == (cid, 1)
    pushed = [p["id"] for e in writer.get_received("/live") if e["name"] == "posts"
              and e["args"][0]["room"] == room for p in e["args"][0]["posts"]]
    assert pushed == [ack["post"]["id"]]


def test_the_drafter_knows_the_hashtag_and_the_current_question(
    demo: dict[str, int], make_user: Callable[..., Api], anon: Api
) -> None:
    host = make_user()
    cid = schedule(host)["id"]
    before = anon.post(f"/api/v1/chats/{cid}/compose", json={"note": "hi all"}).get_json()
    assert before["text"] == "hi all #DoseChat" and before["question"] is None
    release(host, cid)
    release(host, cid)

    drafted = anon.post(f"/api/v1/chats/{cid}/compose", json={"note": "weekly audits"})

    assert drafted.status_code == 200
    body = drafted.get_json()
    assert body["text"] == "A2 weekly audits #DoseChat"
    assert body["question"]["text"] == "Q2: Who checks it?"
    assert body["networks"]["x"]["length"] == len("A2 weekly audits #DoseChat")
    earlier = anon.post(f"/api/v1/chats/{cid}/compose", json={"note": "x", "question": 1})
    assert earlier.get_json()["text"] == "A1 x #DoseChat"
    later = anon.post(f"/api/v1/chats/{cid}/compose", json={"note": "x", "question": 3})
    assert later.status_code == 422


def test_the_transcript_in_markdown_escapes_what_people_wrote(
    demo: dict[str, int], make_user: Callable[..., Api], anon: Api
) -> None:
    host, ana = make_user(), make_user(username="ana")
    cid = schedule(host, questions=["Favourite *tool*?"])["id"]
    release(host, cid)
    post(ana, "A1 <script>alert(1)</script> and [a link](http://x.example) *bold*", chat_id=cid)
    host.post(f"/api/v1/chats/{cid}/end")

    response = anon.get(f"/api/v1/chats/{cid}/transcript.md")

    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    text = response.get_data(as_text=True)
    lines = text.splitlines()
    assert lines[0] == "# Dose chat"
    assert lines[2] == "\\#DoseChat · 2026-11-30 19:00–20:00 · 1 posts by 1 people"
    assert "## Q1: Favourite \\*tool\\*?" in lines
    answer = next(line for line in lines if line.startswith("- **Ana**"))
    assert answer == (
        "- **Ana** (@ana, 12:00): A1 \\<script\\>alert(1)\\</script\\> and "
        "\\[a link\\](http://x.example) \\*bold\\*"
    )
    assert anon.get(f"/api/v1/chats/{cid}").get_json()["state"] == "ended"
    assert release(host, cid).get_json()["error"]["code"] == "chat_ended"


def test_unknown_chats_are_404_in_the_one_error_shape(demo: dict[str, int], anon: Api) -> None:
    for path in ("/api/v1/chats/999999", "/api/v1/chats/999999/transcript",
                 "/api/v1/chats/999999/transcript.md"):
        response = anon.get(path)
        assert response.status_code == 404
        assert response.get_json() == {
            "error": {"code": "not_found", "message": "There is no tweetchat 999999."}
        }


def test_the_wall_places_tagged_posts_only_while_the_chat_runs(
    demo: dict[str, int], make_user: Callable[..., Api]
) -> None:
    """Each process keeps the running chats' hashtags between posts; starting and ending a
    chat must reach the very next post (the conference's rules stamp changes)."""
    host, ana = make_user(), make_user(username="ana")
    cid = schedule(host, hashtag="StampChat")["id"]

    before = post(ana, "Warming up #StampChat").get_json()  # the chat has not started
    release(host, cid)
    during = post(ana, "A1 here #StampChat").get_json()
    assert host.post(f"/api/v1/chats/{cid}/end").status_code == 200
    after = post(ana, "Still talking about it #StampChat").get_json()

    assert before["chat_id"] is None
    assert (during["chat_id"], during["question"]) == (cid, 1)
    assert after["chat_id"] is None


# ---- editing a chat: PATCH /chats/<id> and PUT /chats/<id>/questions -----------------------


def chat_url(chat_id: int) -> str:
    return f"/api/v1/chats/{chat_id}"


def events_named(client: SocketIOTestClient, name: str) -> list[dict[str, Any]]:
    return [e["args"][0] for e in client.get_received("/live") if e["name"] == name]


def test_the_host_edits_the_chat_and_the_room_hears_it(
    demo: dict[str, int],
    make_user: Callable[..., Api],
    anon: Api,
    organizer: Api,
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    host = make_user()
    chat = schedule(host)
    listener = sockets()
    listener.emit("join", {"room": f"chat:{chat['id']}"}, namespace="/live", callback=True)
    listener.get_received("/live")

    # "start" alone moves the chat: it keeps its hour.
    response = host.patch(
        chat_url(chat["id"]),
        json={
            "title": "  Dose, revisited ",
            "description": "Bring numbers",
            "hashtag": "#DoseTalk",
            "start": "2026-12-01T08:30:00-06:00",
        },
    )

    assert response.status_code == 200, response.get_json()
    edited = response.get_json()
    assert (edited["title"], edited["description"], edited["hashtag"]) == (
        "Dose, revisited",
        "Bring numbers",
        "DoseTalk",
    )
    assert (edited["start"], edited["end"]) == (
        "2026-12-01T08:30:00-06:00",
        "2026-12-01T09:30:00-06:00",
    )
    assert edited["can_host"] is True and len(edited["questions"]) == 3
    public = anon.get(chat_url(chat["id"])).get_json()
    assert (public["title"], public["start"], public["questions"]) == (
        "Dose, revisited",
        "2026-12-01T08:30:00-06:00",
        [],
    )
    pushed = events_named(listener, "chat_updated")
    assert pushed == [
        {
            "room": f"chat:{chat['id']}",
            "chat_id": chat["id"],
            "title": "Dose, revisited",
            "description": "Bring numbers",
            "hashtag": "DoseTalk",
            "start": "2026-12-01T08:30:00-06:00",
            "end": "2026-12-01T09:30:00-06:00",
            "state": "scheduled",
            "question_count": 3,
        }
    ]

    # "end" alone changes the length; an organizer may edit any chat; null clears the text.
    longer = organizer.patch(
        chat_url(chat["id"]), json={"end": "2026-12-01T10:00:00-06:00", "description": None}
    )
    assert longer.status_code == 200
    assert (longer.get_json()["start"], longer.get_json()["end"]) == (
        "2026-12-01T08:30:00-06:00",
        "2026-12-01T10:00:00-06:00",
    )
    assert longer.get_json()["description"] is None
    # The same values again change nothing and announce nothing.
    listener.get_received("/live")
    same = host.patch(
        chat_url(chat["id"]), json={"title": "Dose, revisited", "start": "2026-12-01T14:30:00Z"}
    )
    assert same.status_code == 200 and same.get_json() == longer.get_json()
    assert events_named(listener, "chat_updated") == []


def test_only_the_host_or_an_organizer_edits_and_a_refusal_writes_nothing(
    demo: dict[str, int],
    make_user: Callable[..., Api],
    anon: Api,
    clean_app: Flask,
) -> None:
    host, guest, moderator = make_user(), make_user(), make_user("moderator")
    chat = schedule(host)
    before, counts = host.get(chat_url(chat["id"])).get_json(), table_counts(clean_app)

    assert anon.patch(chat_url(chat["id"]), json={"title": "Mine"}).status_code == 401
    for someone in (guest, moderator):
        denied = someone.patch(chat_url(chat["id"]), json={"title": "Mine"})
        assert denied.status_code == 403
        assert denied.get_json()["error"]["code"] == "forbidden"
        refused = someone.put(f"{chat_url(chat['id'])}/questions", json={"questions": ["Mine?"]})
        assert refused.status_code == 403
    assert (
        anon.put(f"{chat_url(chat['id'])}/questions", json={"questions": ["Mine?"]}).status_code
        == 401
    )
    assert host.patch(chat_url(2**31 - 1), json={"title": "x"}).status_code == 404

    assert host.get(chat_url(chat["id"])).get_json() == before
    assert table_counts(clean_app) == counts


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"title": ""}, 422, "validation_error", "title"),
        ({"title": "   "}, 422, "validation_error", "title"),
        ({"title": 5}, 422, "validation_error", "title"),
        ({"hashtag": "not one"}, 422, "invalid_hashtag", "hashtag"),
        ({"hashtag": "#2024"}, 422, "invalid_hashtag", "hashtag"),
        ({"end": "2026-11-30T18:00:00-06:00"}, 422, "invalid_times", "end"),
        (
            {"start": "2026-11-30T21:00:00-06:00", "end": "2026-11-30T20:00:00-06:00"},
            422,
            "invalid_times",
            "end",
        ),
        ({"start": "2026-11-30T19:00:00"}, 422, "validation_error", "start"),  # no offset
        ({"start": "0001-01-01T00:00:00+00:00"}, 422, "invalid_times", "start"),
        ({"end": "9999-12-31T23:00:00+00:00"}, 422, "invalid_times", "end"),
        ({"questions": ["x"]}, 422, "validation_error", "questions"),  # not through PATCH
        ({"title": "Fine", "host_id": 1}, 422, "validation_error", "host_id"),
        ({"title": "Fine", "description": "x" * 5001}, 422, "validation_error", "description"),
        ({"description": 5}, 422, "validation_error", "description"),
    ],
)
def test_invalid_edits_are_refused_with_their_field_and_write_nothing(
    demo: dict[str, int],
    make_user: Callable[..., Api],
    clean_app: Flask,
    sockets: Callable[..., SocketIOTestClient],
    body: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    host = make_user()
    chat = schedule(host)
    listener = sockets()
    listener.emit("join", {"room": f"chat:{chat['id']}"}, namespace="/live", callback=True)
    before, counts = host.get(chat_url(chat["id"])).get_json(), table_counts(clean_app)

    response = host.patch(chat_url(chat["id"]), json=body)

    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert host.get(chat_url(chat["id"])).get_json() == before
    assert table_counts(clean_app) == counts
    assert events_named(listener, "chat_updated") == []


def test_a_body_that_is_not_json_is_400_and_writes_nothing(
    demo: dict[str, int], make_user: Callable[..., Api]
) -> None:
    host = make_user()
    chat = schedule(host)
    before = host.get(chat_url(chat["id"])).get_json()

    response = host.client.patch(
        chat_url(chat["id"]),
        data="{title: 'x'",
        headers={**host._headers(None), "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"
    assert host.get(chat_url(chat["id"])).get_json() == before


def test_a_running_chat_keeps_its_start_and_hashtag(
    demo: dict[str, int], make_user: Callable[..., Api], clean_app: Flask
) -> None:
    host = make_user()
    chat = schedule(host)
    release(host, chat["id"])
    before, counts = host.get(chat_url(chat["id"])).get_json(), table_counts(clean_app)

    moved = host.patch(
        chat_url(chat["id"]), json={"title": "Moved", "start": "2026-11-30T19:30:00-06:00"}
    )
    retagged = host.patch(chat_url(chat["id"]), json={"hashtag": "OtherTag"})

    for response, field in ((moved, "start"), (retagged, "hashtag")):
        assert response.status_code == 409
        error = response.get_json()["error"]
        assert (error["code"], error["field"]) == ("chat_started", field)
    assert host.get(chat_url(chat["id"])).get_json() == before
    assert table_counts(clean_app) == counts
    # The title, the end (a longer chat) and the unchanged start and hashtag are fine.
    kept = host.patch(
        chat_url(chat["id"]),
        json={
            "title": "Still on",
            "hashtag": "#DoseChat",
            "start": "2026-11-30T19:00:00-06:00",
            "end": "2026-11-30T20:30:00-06:00",
        },
    )
    assert kept.status_code == 200, kept.get_json()
    assert (kept.get_json()["title"], kept.get_json()["end"], kept.get_json()["state"]) == (
        "Still on",
        "2026-11-30T20:30:00-06:00",
        "live",
    )


def test_an_ended_chat_is_not_edited(
    demo: dict[str, int], make_user: Callable[..., Api], organizer: Api, clean_app: Flask
) -> None:
    host = make_user()
    chat = schedule(host)
    release(host, chat["id"])
    host.post(f"{chat_url(chat['id'])}/end")
    before, counts = host.get(chat_url(chat["id"])).get_json(), table_counts(clean_app)

    for who, body in (
        (host, {"title": "Renamed"}),
        (host, {"end": "2026-11-30T21:00:00-06:00"}),
        (organizer, {"start": "2026-12-01T19:00:00-06:00"}),
    ):
        response = who.patch(chat_url(chat["id"]), json=body)
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "chat_ended"
    questions = host.put(
        f"{chat_url(chat['id'])}/questions",
        json={"questions": ["What is your CT dose target?", "A new one"]},
    )
    assert questions.status_code == 409
    assert questions.get_json()["error"]["code"] == "chat_ended"

    assert host.get(chat_url(chat["id"])).get_json() == before
    assert table_counts(clean_app) == counts


def test_rewriting_the_questions_keeps_the_released_ones(
    demo: dict[str, int],
    make_user: Callable[..., Api],
    clean_app: Flask,
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    host = make_user()
    chat = schedule(host)
    release(host, chat["id"])
    release(host, chat["id"])
    asked = host.get(chat_url(chat["id"])).get_json()["questions"][:2]
    listener = sockets()
    listener.emit("join", {"room": f"chat:{chat['id']}"}, namespace="/live", callback=True)
    before, counts = host.get(chat_url(chat["id"])).get_json(), table_counts(clean_app)

    # A released question changed or left out: 409, nothing written.
    for questions in (
        ["What is your CT dose target?", "Who checks it, really?", "x"],
        ["What is your CT dose target?"],
    ):
        refused = host.put(f"{chat_url(chat['id'])}/questions", json={"questions": questions})
        assert refused.status_code == 409
        error = refused.get_json()["error"]
        assert (error["code"], error["field"]) == ("question_released", "questions")
    empty = host.put(
        f"{chat_url(chat['id'])}/questions",
        json={"questions": ["Q1: What is your CT dose target?", "Q2: Who checks it?", " "]},
    )
    assert empty.status_code == 422 and empty.get_json()["error"]["field"] == "questions"
    assert host.get(chat_url(chat["id"])).get_json() == before
    assert table_counts(clean_app) == counts
    assert events_named(listener, "chat_updated") == []

    response = host.put(
        f"{chat_url(chat['id'])}/questions",
        json={
            "questions": [
                "What is your CT dose target?",
                "Q2: Who checks it?",
                "Who pays for it?",
                "One wish?",
            ]
        },
    )

    assert response.status_code == 200, response.get_json()
    after = response.get_json()
    assert after["questions"][:2] == asked  # the same text and release time
    assert [q["text"] for q in after["questions"][2:]] == ["Q3: Who pays for it?", "Q4: One wish?"]
    assert after["current_question"]["number"] == 2 and after["question_count"] == 4
    assert [(e["question_count"], e["state"]) for e in events_named(listener, "chat_updated")] == [
        (4, "live")
    ]
    third = release(host, chat["id"], expected=3).get_json()
    assert third["question"]["text"] == "Q3: Who pays for it?"


#: Markdown and HTML a host might type: the transcript must show it, not act on it.
NASTY_DESCRIPTION = (
    "Bring <b>numbers</b> & [a link](javascript:alert(1)) *now*\n"
    "- not a list\n"
    "  1. nor this\n"
    "===\n"
    "    not code\n"
    "# not a heading\n"
    "&lt;img src=x onerror=alert(1)&gt;\r\n"
    "\n"
    "> not a quote `tick` | pipe"
)


def test_the_description_is_set_scheduled_edited_capped_and_inert_in_the_transcript(
    demo: dict[str, int],
    make_user: Callable[..., Api],
    anon: Api,
    clean_app: Flask,
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    host = make_user()
    chat = schedule(host, description="  Bring your numbers \n")
    assert chat["description"] == "Bring your numbers"  # trimmed
    listed = {c["id"]: c for c in anon.get(CHATS).get_json()["items"]}
    assert listed[chat["id"]]["description"] == "Bring your numbers"
    listener = sockets()
    listener.emit("join", {"room": f"chat:{chat['id']}"}, namespace="/live", callback=True)
    listener.get_received("/live")

    # The cap (5,000 characters): one more is refused with its field, nothing written.
    before, counts = host.get(chat_url(chat["id"])).get_json(), table_counts(clean_app)
    refused = host.patch(chat_url(chat["id"]), json={"description": "é" * 5001})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert (error["code"], error["field"]) == ("validation_error", "description")
    assert host.get(chat_url(chat["id"])).get_json() == before
    assert table_counts(clean_app) == counts
    assert events_named(listener, "chat_updated") == []
    longest = host.patch(chat_url(chat["id"]), json={"description": "é" * 5000})
    assert longest.status_code == 200 and longest.get_json()["description"] == "é" * 5000

    # Edited by PATCH (also while the chat runs): stored as written, announced to the room.
    assert release(host, chat["id"]).status_code == 200
    edited = host.patch(chat_url(chat["id"]), json={"description": NASTY_DESCRIPTION})
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["description"] == NASTY_DESCRIPTION
    pushed = events_named(listener, "chat_updated")
    assert [e["description"] for e in pushed] == ["é" * 5000, NASTY_DESCRIPTION]
    assert anon.get(chat_url(chat["id"])).get_json()["description"] == NASTY_DESCRIPTION

    # The transcript carries it: as written in JSON, escaped in Markdown.
    assert anon.get(f"{chat_url(chat['id'])}/transcript").get_json()["chat"]["description"] == (
        NASTY_DESCRIPTION
    )
    markdown = anon.get(f"{chat_url(chat['id'])}/transcript.md").get_data(as_text=True)
    assert markdown.splitlines() == [
        "# Dose chat",
        "",
        "\\#DoseChat · 2026-11-30 19:00–20:00 · 0 posts by 0 people",
        "",
        "Bring \\<b\\>numbers\\</b\\> \\& \\[a link\\](javascript:alert(1)) \\*now\\*\\",
        "\\- not a list\\",
        "1\\. nor this\\",
        "\\===\\",
        "not code\\",
        "\\# not a heading\\",
        "\\&lt;img src=x onerror=alert(1)\\&gt;",
        "",
        "\\> not a quote \\`tick\\` \\| pipe",
        "",
        "## Q1: What is your CT dose target?",
        "",
        "_No answers._",
    ]

    # Blank clears it (null), and the transcript has no description then.
    cleared = host.patch(chat_url(chat["id"]), json={"description": "  \n "})
    assert cleared.status_code == 200 and cleared.get_json()["description"] is None
    markdown = anon.get(f"{chat_url(chat['id'])}/transcript.md").get_data(as_text=True)
    assert markdown.startswith("# Dose chat\n\n\\#DoseChat · 2026-11-30 19:00–20:00 · 0 posts")
    assert "Bring" not in markdown


def test_the_openapi_document_describes_the_chat_edit(anon: Api) -> None:
    document = anon.get("/api/openapi.json").get_json()
    patch = document["paths"]["/api/v1/chats/{chat_id}"]["patch"]
    body = patch["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[1]
    schema = document["components"]["schemas"][name]

    assert set(schema["properties"]) == {"title", "description", "hashtag", "start", "end"}
    assert schema.get("required", []) == []
    assert patch["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Chat"
    )
    assert "default" in patch["responses"]  # the one error shape
    assert "chat_updated" in patch["description"]
