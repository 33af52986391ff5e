"""Privacy rights: export my data (complete, only mine) and delete my account (nothing left
that names me, removals reach the walls, all or nothing). See docs/privacy.md."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient
from sqlalchemy import JSON, Integer, String, Text, func, select

from server.extensions import db
from server.models import AuditLog, Base, ImportRun, Post, Talk, User, WatchedWord
from server.services import privacy
from server.services.uploads import media_path
from tests.conftest import Api
from tests.images import photo

pytestmark = pytest.mark.db

SLUG = "hub"
WALL = f"/api/v1/conferences/{SLUG}/posts"
PASSWORD = "correct horse battery"
SOON = (datetime.now(UTC) + timedelta(days=1)).isoformat()
LATER = (datetime.now(UTC) + timedelta(days=1, hours=1)).isoformat()


@pytest.fixture()
def hub(import_file: Callable[..., Any], clean_app: Flask) -> int:
    import_file("voc-hub-schedule2.json", slug=SLUG)
    with clean_app.app_context():
        talk = db.session.scalars(select(Talk.id).order_by(Talk.id)).first()
        db.session.remove()
    assert talk is not None
    return talk


def me(api: Api) -> dict[str, Any]:
    body: dict[str, Any] = api.get("/api/v1/me").get_json()
    return body


def post(api: Api, text: str, **body: Any) -> dict[str, Any]:
    response = api.post(
        WALL, json={"text": text, **body}, headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    assert response.status_code == 201, response.get_json()
    result: dict[str, Any] = response.get_json()
    return result


def delete_account(api: Api, password: str) -> Any:
    return api.client.delete("/api/v1/me", json={"password": password}, headers=api._headers(None))


def populate(
    app: Flask, api: Api, talk: int, tag: str, *, other_post: int | None, other_id: int | None
) -> dict[str, Any]:
    """A row of ``api``'s account in every user-linked table (``tag`` marks its text)."""
    uid = me(api)["id"]
    assert (
        api.patch(
            "/api/v1/me",
            json={
                "display_name": f"Display {tag}",
                "handles": [{"network": "x", "handle": f"handle_{tag}", "followers": 12}],
                "mastodon_limit": 1000,
            },
        ).status_code
        == 200
    )
    image = api.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(photo((40 + len(tag), 30))), "slide.jpg"), "alt": f"alt {tag}"},
        content_type="multipart/form-data",
    ).get_json()
    spare = api.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(photo((30, 40 + len(tag)))), "spare.jpg")},
        content_type="multipart/form-data",
    ).get_json()
    mine = post(api, f"post text {tag}", session_id=talk, image_ids=[image["id"]])
    assert api.put(f"/api/v1/me/agenda/{talk}").status_code == 200
    assert api.post("/api/v1/me/agenda/feed").status_code == 201
    assert (
        api.put(f"/api/v1/me/drafts/{uuid.uuid4()}", json={"text": f"draft {tag}"}).status_code
        == 201
    )
    assert api.post("/api/v1/me/following", json={"kind": "session", "id": talk}).status_code == 201
    tweetup = api.post(
        f"/api/v1/conferences/{SLUG}/tweetups",
        json={"title": f"Meetup {tag}", "start": SOON, "end": LATER, "place": "Lobby"},
    ).get_json()
    chat = api.post(
        f"/api/v1/conferences/{SLUG}/chats",
        json={
            "title": f"Chat {tag}",
            "hashtag": f"Chat{tag}",
            "start": SOON,
            "end": LATER,
            "questions": [f"question {tag}"],
        },
    ).get_json()
    if other_post is not None:
        reported = api.post(f"/api/v1/posts/{other_post}/reports", json={"reason": f"spam {tag}"})
        assert reported.status_code == 201
    if other_id is not None:
        assert (
            api.post("/api/v1/me/following", json={"kind": "person", "id": other_id}).status_code
            == 201
        )
    with app.app_context():
        conference_id = db.session.scalar(select(Post.conference_id).where(Post.id == mine["id"]))
        db.session.add(
            ImportRun(
                conference_id=conference_id,
                user_id=uid,
                source="cli",
                status="succeeded",
                report={},
            )
        )
        db.session.add(
            WatchedWord(
                conference_id=conference_id, pattern=f"word{tag}", action="flag", created_by=uid
            )
        )
        db.session.add(
            AuditLog(
                actor_id=uid,
                action="post.delete",
                target_type="post",
                target_id=mine["id"],
                details={},
            )
        )
        db.session.add(
            AuditLog(
                actor_id=None, action="user.block", target_type="user", target_id=uid, details={}
            )
        )
        db.session.commit()
        db.session.remove()
    return {
        "id": uid,
        "post": mine,
        "image": image,
        "spare": spare,
        "tweetup": tweetup["id"],
        "chat": chat["id"],
    }


def section(document: dict[str, Any], path: str) -> list[Any]:
    value: Any = document
    for part in path.split("."):
        value = value[part]
    assert isinstance(value, list)
    return value


# --- the declared list of user links follows the models ---------------------------------------


def user_foreign_keys() -> set[tuple[str, str]]:
    return {
        (table.name, fk.parent.name)
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "users"
    }


def test_every_column_pointing_at_users_is_exported_and_erased() -> None:
    # A new table with a user foreign key fails here until privacy.USER_LINKS names it
    # (and with it the export section and the deletion step).
    assert user_foreign_keys() == set(privacy.USER_LINKS)


# --- export -----------------------------------------------------------------------------------


def test_the_export_has_every_row_of_mine_and_nothing_of_anyone_else(
    clean_app: Flask, hub: int, make_user: Callable[..., Api]
) -> None:
    alice, bob = make_user(username="alice_exports"), make_user(username="bob_stays")
    bobs = populate(clean_app, bob, hub, "bobtag", other_post=None, other_id=None)
    alices = populate(
        clean_app, alice, hub, "alicetag", other_post=bobs["post"]["id"], other_id=bobs["id"]
    )
    assert (
        alice.put(f"/api/v1/tweetups/{bobs['tweetup']}/rsvp", json={"status": "maybe"}).status_code
        == 200
    )
    assert (
        bob.post(
            f"/api/v1/posts/{alices['post']['id']}/reports", json={"reason": "spam bobtag"}
        ).status_code
        == 201
    )

    response = alice.get("/api/v1/me/export")

    assert response.status_code == 200
    day = datetime.now(UTC).date().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="backchannel-export-alice_exports-{day}.json"'
    )
    assert response.mimetype == "application/json"
    document = json.loads(response.get_data(as_text=True))
    with clean_app.app_context():
        for (table_name, column), path in privacy.USER_LINKS.items():
            table = Base.metadata.tables[table_name]
            mine = db.session.scalar(
                select(func.count()).select_from(table).where(table.c[column] == alices["id"])
            )
            assert mine, f"the test gives alice no row in {table_name}"
            assert len(section(document, path)) == mine, table_name
        hashes = db.session.scalars(select(User.calendar_token_hash)).all()
        db.session.remove()
    profile = document["profile"]
    assert (profile["username"], profile["display_name"]) == ("alice_exports", "Display alicetag")
    assert profile["handles"] == [{"network": "x", "handle": "handle_alicetag", "followers": 12}]
    assert profile["mastodon_limit"] == 1000
    assert profile["calendar_feed"] == {"exists": True}
    [exported] = document["posts"]
    assert exported["text"] == "post text alicetag"
    assert exported["session"]["id"] == hub and exported["conference"] == SLUG
    assert exported["status"] == "visible" and exported["created_at"]
    assert exported["images"][0]["alt"] == "alt alicetag"
    assert exported["images"][0]["url"] == alices["image"]["url"]
    assert {r["status"] for r in document["rsvps"]} == {"going", "maybe"}
    assert document["reports"][0]["post_id"] == bobs["post"]["id"]
    assert all(
        set(t) == {"id", "kind", "created_at", "last_used_at", "revoked_at"}
        for t in document["tokens"]
    )
    text = json.dumps(document)
    assert alice.token is not None and alice.token not in text
    for secret in hashes:
        assert secret is None or secret not in text
    # IDOR: nothing of bob's is in alice's export (only the title of his meetup she answered).
    for bobs_thing in (
        "bob_stays",
        "Display bobtag",
        "handle_bobtag",
        "post text bobtag",
        "alt bobtag",
        "draft bobtag",
        "Chat bobtag",
        "question bobtag",
        "spam bobtag",
    ):
        assert bobs_thing not in text
    assert [r["title"] for r in document["rsvps"] if r["status"] == "maybe"] == ["Meetup bobtag"]


def test_the_export_needs_a_signed_in_person(anon: Api) -> None:
    response = anon.get("/api/v1/me/export")

    assert response.status_code == 401


# --- deletion ---------------------------------------------------------------------------------


def dump(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    with app.app_context():
        rows = {
            table.name: sorted(
                (tuple(repr(v) for v in row) for row in db.session.execute(table.select())),
            )
            for table in Base.metadata.sorted_tables
        }
        db.session.remove()
    return rows


def test_a_wrong_password_deletes_nothing(
    clean_app: Flask, hub: int, make_user: Callable[..., Api]
) -> None:
    alice = make_user(username="alice_keeps")
    populate(clean_app, alice, hub, "keeptag", other_post=None, other_id=None)
    before = dump(clean_app)

    wrong = delete_account(alice, "not my password")
    empty = delete_account(alice, "")

    assert wrong.status_code == 403
    assert wrong.get_json()["error"]["code"] == "wrong_password"
    assert empty.status_code == 422
    assert dump(clean_app) == before
    assert alice.get("/api/v1/me").status_code == 200


def test_a_failure_half_way_leaves_the_account_whole(
    clean_app: Flask, hub: int, make_user: Callable[..., Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = make_user(username="alice_whole")
    populate(clean_app, alice, hub, "wholetag", other_post=None, other_id=None)
    before = dump(clean_app)

    def fail(*args: Any) -> None:
        raise RuntimeError("disk on fire")

    # Late in the transaction: posts, RSVPs, follows, tokens... are already changed by then.
    monkeypatch.setattr(privacy, "_pseudonymise_audit", fail)
    assert delete_account(alice, PASSWORD).status_code == 500

    assert dump(clean_app) == before
    assert alice.get("/api/v1/me").status_code == 200


def scan(app: Flask, uid: int, needles: list[str]) -> list[str]:
    """Every place in the database that still names the account."""
    fk_columns = user_foreign_keys()
    found = []
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            for row in db.session.execute(table.select()).mappings():
                for column in table.columns:
                    value = row[column.name]
                    where = f"{table.name}.{column.name} (row {row.get('id')})"
                    if isinstance(column.type, (String, Text, JSON)) and value is not None:
                        text = json.dumps(value) if not isinstance(value, str) else value
                        found += [f"{where}: {n!r}" for n in needles if n in text.casefold()]
                    if isinstance(column.type, Integer) and value == uid:
                        key = (table.name, column.name)
                        person = key == ("follows", "target_id") and row["kind"] == "person"
                        audited = key == ("audit_log", "actor_id") or (
                            key == ("audit_log", "target_id") and row["target_type"] == "user"
                        )
                        if key in fk_columns or person or audited:
                            found.append(f"{where}: id {uid}")
        db.session.remove()
    return found


def test_deleting_my_account_leaves_nothing_that_names_me(
    clean_app: Flask,
    hub: int,
    make_user: Callable[..., Api],
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    zelda = make_user(username="zelda_erasable")
    bob, carol = make_user(username="bob_remains"), make_user(username="carol_waits")
    bobs = populate(clean_app, bob, hub, "bobtag", other_post=None, other_id=None)
    zeldas = populate(
        clean_app, zelda, hub, "zeldatag", other_post=bobs["post"]["id"], other_id=bobs["id"]
    )
    uid = zeldas["id"]
    assert bob.post("/api/v1/me/following", json={"kind": "person", "id": uid}).status_code == 201
    # A full meetup of bob's: zelda has the last seat, carol waits for it.
    assert bob.patch(f"/api/v1/tweetups/{bobs['tweetup']}", json={"capacity": 2}).status_code == 200
    assert (
        zelda.put(f"/api/v1/tweetups/{bobs['tweetup']}/rsvp", json={"status": "going"}).status_code
        == 200
    )
    assert (
        carol.put(f"/api/v1/tweetups/{bobs['tweetup']}/rsvp", json={"status": "going"}).get_json()[
            "status"
        ]
        == "waitlisted"
    )
    # Carol is at zelda's meetup too; it is cancelled with zelda gone.
    assert (
        carol.put(
            f"/api/v1/tweetups/{zeldas['tweetup']}/rsvp", json={"status": "going"}
        ).status_code
        == 200
    )

    def on_disk(url: str) -> Path:
        with clean_app.app_context():
            path = media_path(url.rsplit("/", 1)[1])
        assert path is not None
        return path

    image_files = [
        on_disk(url)
        for image in (zeldas["image"], zeldas["spare"])
        for url in (image["url"], image["thumbnail_url"])
    ]
    assert all(p.exists() for p in image_files)
    viewer = sockets()
    viewer.emit("join", {"room": f"conference:{SLUG}"}, namespace="/live", callback=True)
    zeldas_phone = sockets(zelda.token)
    assert zeldas_phone.is_connected("/live")
    viewer.get_received("/live")

    response = delete_account(zelda, PASSWORD)

    assert response.status_code == 204
    assert "bc_session=;" in response.headers.get("Set-Cookie", "")
    # Live: the wall drops the post; the account's sockets are closed at once.
    events = [(e["name"], e["args"][0]) for e in viewer.get_received("/live")]
    removed = [args for name, args in events if name == "post_removed"]
    assert [r["id"] for r in removed] == [zeldas["post"]["id"]]
    assert zeldas_phone.is_connected("/live") is False
    # Catch-up: a wall that was away learns of the removal; REST no longer shows the post.
    late = sockets()
    ack = late.emit(
        "join", {"room": f"conference:{SLUG}", "since": 0}, namespace="/live", callback=True
    )
    assert ack["ok"] is True
    assert zeldas["post"]["id"] in ack["removed"]
    listing = bob.get(WALL).get_json()
    assert zeldas["post"]["id"] not in [p["id"] for p in listing["items"]]
    # The account is gone: its token is refused; the image files are gone from disk.
    assert zelda.get("/api/v1/me").status_code == 401
    assert not any(p.exists() for p in image_files)
    assert on_disk(bobs["image"]["url"]).exists()
    # Carol moved up from the waitlist; zelda's own meetup is cancelled, the chat has no host.
    assert bob.get(f"/api/v1/tweetups/{bobs['tweetup']}/attendees").status_code == 200
    attendees = bob.get(f"/api/v1/tweetups/{bobs['tweetup']}/attendees").get_json()
    assert "carol_waits" in json.dumps(attendees["going"])
    assert bob.get(f"/api/v1/tweetups/{zeldas['tweetup']}").get_json()["cancelled"] is True
    assert bob.get(f"/api/v1/chats/{zeldas['chat']}").get_json()["host"] is None
    # Bob's things are untouched.
    assert bob.get(f"/api/v1/posts/{bobs['post']['id']}").status_code == 200
    assert "bobtag" in bob.get("/api/v1/me/export").get_data(as_text=True)
    # Nothing anywhere names zelda, except the audit log's pseudonym.
    needles = [
        "zelda_erasable",
        "display zeldatag",
        "handle_zeldatag",
        "post text zeldatag",
        "alt zeldatag",
        "draft zeldatag",
        "spam zeldatag",
    ]
    assert scan(clean_app, uid, needles) == []
    with clean_app.app_context():
        alias = privacy.pseudonym(uid)
        audit = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
        named = [row for row in audit if alias in json.dumps(row.details)]
        db.session.remove()
    assert {row.action for row in named} == {"post.delete", "user.block", "account.delete"}


def test_nobody_is_given_a_seat_in_a_tweetup_cancelled_by_the_deletion(
    hub: int, make_user: Callable[..., Api]
) -> None:
    """The proposer holds the only seat of their own meetup and leaves: the meetup is
    cancelled, and the person waiting is not moved up into it on the way."""
    zelda, carol = make_user(username="zelda_leaves"), make_user(username="carol_waits")
    meetup = zelda.post(
        f"/api/v1/conferences/{SLUG}/tweetups",
        json={"title": "Tiny meetup", "start": SOON, "end": LATER, "place": "Lobby", "capacity": 1},
    ).get_json()
    rsvp = carol.put(f"/api/v1/tweetups/{meetup['id']}/rsvp", json={"status": "going"})
    assert rsvp.get_json()["status"] == "waitlisted"

    assert delete_account(zelda, PASSWORD).status_code == 204

    after = carol.get(f"/api/v1/tweetups/{meetup['id']}").get_json()
    assert after["cancelled"] is True
    assert after["my_rsvp"] == "waitlisted"


def test_the_last_organizer_cannot_delete_their_account(
    clean_app: Flask, make_user: Callable[..., Api]
) -> None:
    first = make_user("organizer", username="first_organizer")
    before = dump(clean_app)

    refused = delete_account(first, PASSWORD)

    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "last_organizer"
    assert dump(clean_app) == before
    second = make_user("organizer", username="second_organizer")
    assert delete_account(first, PASSWORD).status_code == 204
    assert delete_account(second, PASSWORD).get_json()["error"]["code"] == "last_organizer"


def test_a_browser_session_is_signed_out_by_the_deletion(
    clean_app: Flask, make_user: Callable[..., Api]
) -> None:
    make_user(username="browser_user")
    browser = clean_app.test_client()
    login = browser.post(
        "/api/v1/auth/session", json={"username": "browser_user", "password": PASSWORD}
    )
    csrf = login.get_json()["csrf_token"]

    no_csrf = browser.delete("/api/v1/me", json={"password": PASSWORD})
    done = browser.delete("/api/v1/me", json={"password": PASSWORD}, headers={"X-CSRF-Token": csrf})

    assert no_csrf.status_code == 403 and no_csrf.get_json()["error"]["code"] == "csrf_failed"
    assert done.status_code == 204
    assert browser.get("/api/v1/me").status_code == 401
    assert (
        browser.post(
            "/api/v1/auth/session", json={"username": "browser_user", "password": PASSWORD}
        ).status_code
        == 401
    )
