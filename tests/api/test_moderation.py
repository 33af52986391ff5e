"""Moderation over HTTP: the role matrix, pre-approval, decisions, blocks, watched words,
reports, embargo release, and the append-only audit log.

Every moderator route: anonymous 401 (nothing written), attendee 403 with exactly one audit
row of the attempt (nothing else written), moderator and organizer allowed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from server.clock import now
from server.extensions import db
from server.models import AuditLog, Conference, Post, Talk
from server.services.demo import do_load_demo
from server.services.moderation import release_due_embargoes
from tests.conftest import Api, table_counts

pytestmark = pytest.mark.db

SLUG = "nrc26"
WALL = f"/api/v1/conferences/{SLUG}/posts"
SETTINGS = f"/api/v1/conferences/{SLUG}/moderation"
QUEUE = f"/api/v1/conferences/{SLUG}/moderation/queue"
WORDS = f"/api/v1/conferences/{SLUG}/watched-words"
AUDIT = f"/api/v1/conferences/{SLUG}/audit"


@pytest.fixture()
def demo(clean_app: Flask) -> dict[str, int]:
    """The demo congress with its programme (for the embargo tests)."""
    with clean_app.app_context():
        do_load_demo()
        ids = {t.code: t.id for t in db.session.query(Talk).all() if t.code}
        db.session.remove()
    return ids


@pytest.fixture()
def conf(clean_app: Flask) -> str:
    """Just the conference row: most moderation needs no programme."""
    with clean_app.app_context():
        db.session.add(Conference(slug=SLUG, title="Neuroradiology Congress 2026"))
        db.session.commit()
        db.session.remove()
    return SLUG


@pytest.fixture()
def moderator(make_user: Callable[..., Api]) -> Api:
    return make_user("moderator")


def post(api: Api, text: str, **body: Any) -> Any:
    return api.post(
        WALL, json={"text": text, **body}, headers={"Idempotency-Key": str(uuid.uuid4())}
    )


def user_id(api: Api) -> int:
    return int(api.get("/api/v1/me").get_json()["id"])


def audit_rows(app: Flask) -> list[AuditLog]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditLog).order_by(AuditLog.id)))
        db.session.expunge_all()
        db.session.remove()
    return rows


def wall_texts(anon: Api) -> list[str]:
    return [p["text"] for p in anon.get(WALL).get_json()["items"]]


def error_code(response: Any) -> str:
    return str(response.get_json()["error"]["code"])


# ------------------------------------------------------------------------------------------
# Role matrix
# ------------------------------------------------------------------------------------------
ROLES = ("anonymous", "attendee", "moderator", "organizer")
OK = (401, 403, 200, 200)

# (method, path template, body, expected status per role in ROLES order)
MATRIX: list[tuple[str, str, dict[str, Any] | None, tuple[int, int, int, int]]] = [
    ("GET", "/api/v1/conferences/nrc26/moderation", None, OK),
    ("PATCH", "/api/v1/conferences/nrc26/moderation", {"premoderation": True}, OK),
    ("GET", "/api/v1/conferences/nrc26/moderation/queue", None, OK),
    ("POST", "/api/v1/posts/{pending}/approve", {"reason": "fine"}, OK),
    ("POST", "/api/v1/posts/{visible}/hide", {"reason": "off topic"}, OK),
    ("POST", "/api/v1/posts/{hidden}/restore", None, OK),
    ("POST", "/api/v1/posts/{visible}/delete", None, OK),
    ("GET", "/api/v1/posts/{visible}/reports", None, OK),
    ("POST", "/api/v1/posts/{visible}/reports", {"reason": "spam"}, (401, 201, 201, 201)),
    ("POST", "/api/v1/users/{author}/block", {"reason": "spam"}, OK),
    ("DELETE", "/api/v1/users/{blocked}/block", None, OK),
    ("GET", "/api/v1/conferences/nrc26/watched-words", None, OK),
    (
        "POST",
        "/api/v1/conferences/nrc26/watched-words",
        {"pattern": "spam", "action": "flag"},
        (401, 403, 201, 201),
    ),
    ("PATCH", "/api/v1/conferences/nrc26/watched-words/{word}", {"action": "hold"}, OK),
    ("DELETE", "/api/v1/conferences/nrc26/watched-words/{word}", None, (401, 403, 204, 204)),
    ("POST", "/api/v1/conferences/nrc26/watched-words/test", {"text": "casino night"}, OK),
    ("GET", "/api/v1/conferences/nrc26/audit", None, OK),
    ("GET", "/api/v1/conferences/nrc26/audit/{entry}", None, OK),
]


def _rule_key(rule: str) -> str:
    for name in ("post_id", "user_id", "word_id", "entry_id"):
        rule = rule.replace(f"<int:{name}>", "{id}")
    return rule.replace("<slug>", SLUG)


def test_the_matrix_covers_every_moderation_route(app: Flask) -> None:
    routes = {
        (method, _rule_key(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("moderation.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = set()
    for method, path, _, _ in MATRIX:
        for name in (
            "{pending}",
            "{visible}",
            "{hidden}",
            "{author}",
            "{blocked}",
            "{word}",
            "{entry}",
        ):
            path = path.replace(name, "{id}")
        covered.add((method, path))

    assert routes == covered


@pytest.fixture()
def world(conf: str, clean_app: Flask, make_user: Callable[..., Api]) -> dict[str, int]:
    """A pending, a visible and a hidden post by one author; a watched word; audit rows."""
    boss = make_user("organizer", username="boss")
    author = make_user("attendee", username="author")
    visible = post(author, "Photon-counting CT is the future").get_json()["id"]
    to_hide = post(author, "Off-topic advert").get_json()["id"]
    boss.post(f"/api/v1/posts/{to_hide}/hide", json={"reason": "advert"})
    boss.patch(SETTINGS, json={"premoderation": True})
    pending = post(author, "Waiting for approval").get_json()["id"]
    boss.patch(SETTINGS, json={"premoderation": False})
    word = boss.post(WORDS, json={"pattern": "casino", "action": "flag"}).get_json()["id"]
    blocked = user_id(make_user("attendee", username="blocked"))
    boss.post(f"/api/v1/users/{blocked}/block")
    entry = audit_rows(clean_app)[-1].id
    return {
        "pending": pending,
        "visible": visible,
        "hidden": to_hide,
        "author": user_id(author),
        "blocked": blocked,
        "word": word,
        "entry": entry,
    }


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_route_by_role(
    clean_app: Flask,
    world: dict[str, int],
    make_user: Callable[..., Api],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, ...],
    role_index: int,
) -> None:
    role = ROLES[role_index]
    api = Api(clean_app.test_client()) if role == "anonymous" else make_user(role)
    before = table_counts(clean_app)
    audit_before = len(audit_rows(clean_app))

    response = api.client.open(
        path.format(**world),
        method=method,
        headers=api._headers(None),
        **({"json": body} if body is not None else {}),
    )

    want = expected[role_index]
    assert response.status_code == want, response.get_data(as_text=True)
    after = table_counts(clean_app)
    if want == 401:
        assert error_code(response) == "auth_required"
        assert after == before
    if want == 403:
        assert error_code(response) == "forbidden"
        assert after == {**before, "audit_log": before["audit_log"] + 1}
        denied = audit_rows(clean_app)[-1]
        assert (denied.action, denied.actor_id) == ("denied", user_id(api))
        assert denied.details["attempted"].startswith("moderation.")
    if want < 300 and method != "GET" and not path.endswith(("/reports", "/test")):
        assert len(audit_rows(clean_app)) == audit_before + 1  # every action is audited


# ------------------------------------------------------------------------------------------
# Pre-approval
# ------------------------------------------------------------------------------------------
def test_premoderation_holds_posts_until_a_moderator_approves(
    conf: str, clean_app: Flask, attendee: Api, moderator: Api, anon: Api
) -> None:
    assert moderator.patch(SETTINGS, json={"premoderation": True}).get_json() == {
        "premoderation": True,
        "report_threshold": 3,
    }
    created = post(attendee, "Great keynote")
    body = created.get_json()

    assert created.status_code == 201
    assert (body["status"], body["seq"]) == ("pending", None)
    assert wall_texts(anon) == []
    assert anon.get(f"/api/v1/posts/{body['id']}").status_code == 404
    queue = moderator.get(QUEUE, query_string={"kind": "pending"}).get_json()
    assert [i["post"]["id"] for i in queue["items"]] == [body["id"]]

    approved = moderator.post(f"/api/v1/posts/{body['id']}/approve", json={"reason": "ok"})

    assert approved.status_code == 200
    assert (approved.get_json()["post"]["status"], approved.get_json()["post"]["seq"]) == (
        "visible",
        1,
    )
    assert wall_texts(anon) == ["Great keynote"]
    assert moderator.get(QUEUE).get_json()["items"] == []
    assert [r.action for r in audit_rows(clean_app)] == ["conference.moderation", "post.approve"]
    row = audit_rows(clean_app)[-1]
    assert (row.target_type, row.target_id, row.reason) == ("post", body["id"], "ok")
    assert row.details == {"from": "pending", "to": "visible"}


def test_approving_twice_changes_nothing_the_second_time(
    conf: str, clean_app: Flask, attendee: Api, moderator: Api
) -> None:
    moderator.patch(SETTINGS, json={"premoderation": True})
    post_id = post(attendee, "twice").get_json()["id"]
    first = moderator.post(f"/api/v1/posts/{post_id}/approve").get_json()
    before = table_counts(clean_app)

    second = moderator.post(f"/api/v1/posts/{post_id}/approve")

    assert second.status_code == 200
    assert second.get_json()["post"] == first["post"]
    assert table_counts(clean_app) == before


def test_turning_premoderation_off_leaves_waiting_posts_in_the_queue(
    conf: str, attendee: Api, moderator: Api, anon: Api
) -> None:
    moderator.patch(SETTINGS, json={"premoderation": True})
    post(attendee, "still waiting")
    moderator.patch(SETTINGS, json={"premoderation": False})

    assert wall_texts(anon) == []
    assert [i["post"]["text"] for i in moderator.get(QUEUE).get_json()["items"]] == [
        "still waiting"
    ]
    post(attendee, "straight through")
    assert wall_texts(anon) == ["straight through"]


def test_a_pending_post_in_an_embargoed_session_is_approved_into_held(
    demo: dict[str, int], clean_app: Flask, attendee: Api, moderator: Api, anon: Api
) -> None:
    with clean_app.app_context():
        talk = db.session.get_one(Talk, demo["LB01"])
        talk.policy, talk.embargo_until = "embargoed", now() + timedelta(hours=1)
        db.session.commit()
        db.session.remove()
    moderator.patch(SETTINGS, json={"premoderation": True})
    post_id = post(attendee, "late-breaking result", session_id=demo["LB01"]).get_json()["id"]
    assert moderator.get(QUEUE).get_json()["items"][0]["post"]["status"] == "pending"

    approved = moderator.post(f"/api/v1/posts/{post_id}/approve").get_json()

    assert (approved["post"]["status"], approved["post"]["seq"]) == ("held", None)
    assert wall_texts(anon) == []
    with clean_app.app_context():
        assert release_due_embargoes(now() + timedelta(minutes=30)) == 0
        assert release_due_embargoes(now() + timedelta(hours=2)) == 1
        db.session.remove()
    assert wall_texts(anon) == ["late-breaking result"]


# ------------------------------------------------------------------------------------------
# Embargo release
# ------------------------------------------------------------------------------------------
def test_held_posts_are_published_in_order_when_the_embargo_lifts(
    demo: dict[str, int], clean_app: Flask, attendee: Api, anon: Api
) -> None:
    lifts = now() + timedelta(hours=1)
    with clean_app.app_context():
        talk = db.session.get_one(Talk, demo["LB01"])
        talk.policy, talk.embargo_until = "embargoed", lifts
        db.session.commit()
        db.session.remove()
    held = [post(attendee, f"held {i}", session_id=demo["LB01"]).get_json() for i in range(3)]
    post(attendee, "not embargoed")
    assert [p["status"] for p in held] == ["held"] * 3
    assert wall_texts(anon) == ["not embargoed"]

    with clean_app.app_context():
        assert release_due_embargoes(lifts - timedelta(seconds=1)) == 0
        assert release_due_embargoes(lifts) == 3
        assert release_due_embargoes(lifts) == 0  # each post goes out once
        db.session.remove()

    items = anon.get(WALL).get_json()["items"]
    assert [(p["text"], p["seq"]) for p in items] == [
        ("not embargoed", 1),
        ("held 0", 2),
        ("held 1", 3),
        ("held 2", 4),
    ]


def test_lifting_the_policy_releases_held_posts_at_the_next_tick(
    demo: dict[str, int], clean_app: Flask, attendee: Api, anon: Api
) -> None:
    with clean_app.app_context():
        talk = db.session.get_one(Talk, demo["LB01"])
        talk.policy, talk.embargo_until = "embargoed", now() + timedelta(days=1)
        db.session.commit()
        post(attendee, "held", session_id=demo["LB01"])
        talk = db.session.get_one(Talk, demo["LB01"])
        talk.policy, talk.embargo_until = "open", None
        db.session.commit()
        assert release_due_embargoes(now()) == 1
        db.session.remove()
    assert wall_texts(anon) == ["held"]


# ------------------------------------------------------------------------------------------
# Hide, restore, delete
# ------------------------------------------------------------------------------------------
def test_hide_and_restore_show_in_pages_and_take_new_numbers(
    conf: str, clean_app: Flask, attendee: Api, moderator: Api, anon: Api
) -> None:
    first = post(attendee, "first").get_json()
    post(attendee, "second")

    hidden = moderator.post(f"/api/v1/posts/{first['id']}/hide", json={"reason": "check"})

    assert hidden.get_json()["post"]["status"] == "hidden"
    page = anon.get(WALL, query_string={"after": 2}).get_json()
    assert (page["removed"], page["seq"]) == ([first["id"]], 3)
    assert wall_texts(anon) == ["second"]

    restored = moderator.post(f"/api/v1/posts/{first['id']}/restore").get_json()

    assert (restored["post"]["status"], restored["post"]["seq"]) == ("visible", 4)
    assert anon.get(WALL, query_string={"after": 3}).get_json()["removed"] == []
    assert [(p["text"], p["seq"]) for p in anon.get(WALL).get_json()["items"]] == [
        ("second", 2),
        ("first", 4),
    ]
    assert [r.action for r in audit_rows(clean_app)] == ["post.hide", "post.restore"]


def test_deleted_posts_cannot_be_restored_and_nothing_is_written(
    conf: str, clean_app: Flask, attendee: Api, moderator: Api
) -> None:
    post_id = post(attendee, "gone").get_json()["id"]
    assert moderator.post(f"/api/v1/posts/{post_id}/delete").get_json()["post"]["status"] == (
        "deleted"
    )
    before = table_counts(clean_app)

    for action, code in (
        ("restore", "not_hidden"),
        ("approve", "not_pending"),
        ("hide", "post_deleted"),
    ):
        response = moderator.post(f"/api/v1/posts/{post_id}/{action}")
        assert (response.status_code, error_code(response)) == (409, code)
    assert moderator.post("/api/v1/posts/999999/hide").status_code == 404
    assert table_counts(clean_app) == before


def test_a_reason_longer_than_the_limit_is_refused_with_nothing_written(
    conf: str, clean_app: Flask, attendee: Api, moderator: Api
) -> None:
    post_id = post(attendee, "text").get_json()["id"]
    before = table_counts(clean_app)

    response = moderator.post(f"/api/v1/posts/{post_id}/hide", json={"reason": "x" * 501})

    assert response.status_code == 422
    assert table_counts(clean_app) == before


# ------------------------------------------------------------------------------------------
# Blocks
# ------------------------------------------------------------------------------------------
def test_a_blocked_user_cannot_post_or_report_until_unblocked(
    conf: str, clean_app: Flask, make_user: Callable[..., Api], moderator: Api
) -> None:
    spammer, other = make_user(), make_user()
    target = post(other, "a post to report").get_json()["id"]
    blocked = moderator.post(
        f"/api/v1/users/{user_id(spammer)}/block", json={"reason": "spam wave"}
    )
    assert blocked.status_code == 200 and blocked.get_json()["blocked_at"] is not None
    before = table_counts(clean_app)

    refused = post(spammer, "buy now")
    report = spammer.post(f"/api/v1/posts/{target}/reports", json={"reason": "x"})

    assert (refused.status_code, error_code(refused)) == (403, "blocked")
    assert (report.status_code, error_code(report)) == (403, "blocked")
    assert table_counts(clean_app) == before
    assert spammer.get(WALL).status_code == 200  # reading is still allowed

    unblocked = moderator.delete(f"/api/v1/users/{user_id(spammer)}/block")
    assert unblocked.get_json()["blocked_at"] is None
    assert post(spammer, "sorry").status_code == 201
    rows = audit_rows(clean_app)
    assert [(r.action, r.target_id, r.reason) for r in rows] == [
        ("user.block", user_id(spammer), "spam wave"),
        ("user.unblock", user_id(spammer), None),
    ]


def test_blocking_can_hide_the_users_posts(
    conf: str,
    clean_app: Flask,
    make_user: Callable[..., Api],
    moderator: Api,
    anon: Api,
) -> None:
    spammer, other = make_user(), make_user()
    ids = [post(spammer, f"spam {i}").get_json()["id"] for i in range(3)]
    post(other, "legit")

    moderator.post(f"/api/v1/users/{user_id(spammer)}/block", json={"remove_posts": True})

    assert wall_texts(anon) == ["legit"]
    assert anon.get(WALL, query_string={"after": 1}).get_json()["removed"] == ids
    assert audit_rows(clean_app)[-1].details["removed_posts"] == ids


def test_staff_and_self_cannot_be_blocked(
    conf: str, clean_app: Flask, make_user: Callable[..., Api], moderator: Api
) -> None:
    organizer = make_user("organizer")
    before = table_counts(clean_app)

    self_block = moderator.post(f"/api/v1/users/{user_id(moderator)}/block")
    staff = moderator.post(f"/api/v1/users/{user_id(organizer)}/block")
    missing = moderator.post("/api/v1/users/999999/block")

    assert (self_block.status_code, error_code(self_block)) == (422, "cannot_block_self")
    assert (staff.status_code, error_code(staff)) == (409, "cannot_block_staff")
    assert missing.status_code == 404
    assert table_counts(clean_app) == before


# ------------------------------------------------------------------------------------------
# Watched words
# ------------------------------------------------------------------------------------------
def test_watched_words_are_normalised_unique_and_never_clinical(
    conf: str, clean_app: Flask, moderator: Api
) -> None:
    created = moderator.post(WORDS, json={"pattern": "  ＣＡＳＩＮＯ ", "action": "hold"})
    assert created.status_code == 201
    assert {k: created.get_json()[k] for k in ("pattern", "action")} == {
        "pattern": "casino",
        "action": "hold",
    }
    before = table_counts(clean_app)

    duplicate = moderator.post(WORDS, json={"pattern": "Casino", "action": "flag"})
    clinical = moderator.post(WORDS, json={"pattern": "Breast", "action": "block"})
    invalid = moderator.post(WORDS, json={"pattern": "f*ck", "action": "block"})
    bad_action = moderator.post(WORDS, json={"pattern": "spam", "action": "censor"})

    assert (duplicate.status_code, error_code(duplicate)) == (409, "duplicate_pattern")
    assert (clinical.status_code, error_code(clinical)) == (422, "medical_term")
    assert (invalid.status_code, error_code(invalid)) == (422, "invalid_pattern")
    assert bad_action.status_code == 422
    assert table_counts(clean_app) == before


def test_a_block_term_refuses_the_post_without_revealing_the_list(
    conf: str, clean_app: Flask, attendee: Api, moderator: Api
) -> None:
    moderator.post(WORDS, json={"pattern": "onlyfans", "action": "block"})
    before = table_counts(clean_app)

    refused = post(attendee, "check my 0nly-fans, link in bio")
    refused_spaced = post(attendee, "o n l y f a n s")

    assert (refused.status_code, error_code(refused)) == (422, "blocked_term")
    error = refused.get_json()["error"]
    assert error["field"] == "text"
    assert "blocked term" in error["message"] and "onlyfans" not in error["message"].lower()
    assert error_code(refused_spaced) == "blocked_term"
    assert table_counts(clean_app) == before
    assert post(attendee, "Breast MRI is onlyfair when dense tissue").status_code == 201


def test_a_hold_term_sends_the_post_to_the_queue(
    conf: str, attendee: Api, moderator: Api, anon: Api
) -> None:
    moderator.post(WORDS, json={"pattern": "casino", "action": "hold"})

    held = post(attendee, "Casino night after the gala!").get_json()

    assert (held["status"], held["seq"]) == ("pending", None)
    assert wall_texts(anon) == []
    (item,) = moderator.get(QUEUE, query_string={"kind": "pending"}).get_json()["items"]
    assert item["flags"] == [{"kind": "watched_word", "pattern": "casino", "action": "hold"}]


def test_a_flag_term_posts_and_queues_until_kept(
    conf: str, clean_app: Flask, attendee: Api, moderator: Api, anon: Api
) -> None:
    moderator.post(WORDS, json={"pattern": "stupid", "action": "flag"})
    flagged = post(attendee, "This stupid projector again").get_json()
    post(attendee, "Anal fissure on MRI, lovely case")

    assert flagged["status"] == "visible"
    assert wall_texts(anon) == ["This stupid projector again", "Anal fissure on MRI, lovely case"]
    queue = moderator.get(QUEUE, query_string={"kind": "flagged"}).get_json()["items"]
    assert [i["post"]["id"] for i in queue] == [flagged["id"]]

    kept = moderator.post(f"/api/v1/posts/{flagged['id']}/approve").get_json()

    assert kept["needs_review"] is False and kept["post"]["seq"] == flagged["seq"]
    assert moderator.get(QUEUE).get_json()["items"] == []
    assert audit_rows(clean_app)[-1].details == {"from": "visible", "to": "visible"}


def test_watched_words_can_be_changed_tested_and_removed(
    conf: str, clean_app: Flask, moderator: Api, attendee: Api
) -> None:
    word = moderator.post(WORDS, json={"pattern": "crypto giveaway", "action": "flag"}).get_json()

    changed = moderator.patch(f"{WORDS}/{word['id']}", json={"action": "block"})
    tested = moderator.post(f"{WORDS}/test", json={"text": "Huge CRYPTO-giveaway today"})

    assert changed.get_json()["action"] == "block"
    assert tested.get_json() == {
        "action": "block",
        "matches": [{"pattern": "crypto giveaway", "action": "block", "start": 5, "end": 20}],
    }
    assert error_code(post(attendee, "crypto giveaway!")) == "blocked_term"
    assert moderator.delete(f"{WORDS}/{word['id']}").status_code == 204
    assert moderator.get(WORDS).get_json()["items"] == []
    assert post(attendee, "crypto giveaway!").status_code == 201
    assert [r.action for r in audit_rows(clean_app)] == [
        "watched_word.add",
        "watched_word.update",
        "watched_word.delete",
    ]


# ------------------------------------------------------------------------------------------
# Reports
# ------------------------------------------------------------------------------------------
def test_reports_are_idempotent_and_own_posts_cannot_be_reported(
    conf: str, clean_app: Flask, make_user: Callable[..., Api], moderator: Api
) -> None:
    author, reader = make_user(), make_user()
    post_id = post(author, "hot take").get_json()["id"]
    path = f"/api/v1/posts/{post_id}/reports"

    own = author.post(path, json={"reason": "mine"})
    first = reader.post(path, json={"reason": "rude"})
    again = reader.post(path, json={"reason": "really rude"})

    assert (own.status_code, error_code(own)) == (422, "cannot_report_own")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert table_counts(clean_app)["reports"] == 1
    assert [r["reason"] for r in moderator.get(path).get_json()["items"]] == ["rude"]
    assert reader.post("/api/v1/posts/999999/reports", json={"reason": "x"}).status_code == 404
    assert reader.post(path, json={"reason": "  "}).status_code == 422


def test_the_report_threshold_hides_the_post_for_review(
    conf: str,
    clean_app: Flask,
    make_user: Callable[..., Api],
    moderator: Api,
    anon: Api,
) -> None:
    author = make_user()
    post_id = post(author, "questionable").get_json()["id"]
    reporters = [make_user() for _ in range(3)]
    path = f"/api/v1/posts/{post_id}/reports"

    for reporter in reporters[:2]:
        reporter.post(path, json={"reason": "spam"})
    assert wall_texts(anon) == ["questionable"]
    reported = moderator.get(QUEUE, query_string={"kind": "reported"}).get_json()["items"]
    assert [(i["post"]["id"], i["report_count"]) for i in reported] == [(post_id, 2)]

    reporters[2].post(path, json={"reason": "spam"})

    assert wall_texts(anon) == []
    assert anon.get(WALL, query_string={"after": 1}).get_json()["removed"] == [post_id]
    (item,) = moderator.get(QUEUE, query_string={"kind": "reported"}).get_json()["items"]
    assert (item["post"]["status"], item["report_count"]) == ("hidden", 3)
    row = audit_rows(clean_app)[-1]
    assert (row.action, row.actor_id, row.details) == (
        "post.auto_hide",
        None,
        {"reports": 3, "threshold": 3},
    )

    moderator.post(f"/api/v1/posts/{post_id}/restore", json={"reason": "satire"})
    make_user().post(path, json={"reason": "still spam"})  # a 4th report after review

    assert wall_texts(anon) == ["questionable"]  # kept: earlier reports no longer count


def test_the_threshold_is_a_conference_setting(
    conf: str,
    clean_app: Flask,
    make_user: Callable[..., Api],
    moderator: Api,
    anon: Api,
) -> None:
    before = table_counts(clean_app)
    assert moderator.patch(SETTINGS, json={"report_threshold": 0}).status_code == 422
    assert table_counts(clean_app) == before
    assert (
        moderator.patch(SETTINGS, json={"report_threshold": 1}).get_json()["report_threshold"] == 1
    )
    post_id = post(make_user(), "one report is enough").get_json()["id"]

    make_user().post(f"/api/v1/posts/{post_id}/reports", json={"reason": "abuse"})

    assert wall_texts(anon) == []


# ------------------------------------------------------------------------------------------
# Audit log
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
def test_the_audit_log_cannot_be_changed(
    conf: str, clean_app: Flask, moderator: Api, method: str
) -> None:
    moderator.patch(SETTINGS, json={"premoderation": True})
    entry = audit_rows(clean_app)[-1].id
    before = table_counts(clean_app)

    for path in (AUDIT, f"{AUDIT}/{entry}"):
        response = moderator.client.open(
            path,
            method=method,
            headers=moderator._headers(None),
            json={"action": "nothing happened"},
        )
        assert response.status_code == 405
        assert error_code(response) == "method_not_allowed"
    assert table_counts(clean_app) == before


def test_the_audit_log_lists_newest_first_with_request_ids(
    conf: str, clean_app: Flask, moderator: Api, attendee: Api
) -> None:
    moderator.patch(SETTINGS, json={"premoderation": True}, headers={"X-Request-Id": "req-abc.123"})
    moderator.patch(SETTINGS, json={"report_threshold": 5})
    attendee.get(AUDIT)  # a denied attempt is logged too

    first = moderator.get(AUDIT, query_string={"limit": 2}).get_json()
    rest = moderator.get(AUDIT, query_string={"before": first["next"]}).get_json()

    actions = [e["action"] for e in first["items"] + rest["items"]]
    assert actions == ["denied", "conference.moderation", "conference.moderation"]
    oldest = rest["items"][-1]
    assert oldest["request_id"] == "req-abc.123"
    assert oldest["details"] == {"premoderation": [False, True]}
    assert rest["next"] is None
    assert moderator.get(f"{AUDIT}/{oldest['id']}").get_json() == oldest
    assert moderator.get(f"{AUDIT}/999999").status_code == 404


def test_confirmed_phi_findings_put_the_post_in_the_queue(
    conf: str, attendee: Api, moderator: Api
) -> None:
    created = post(attendee, "Pt MRN 12345678 had a great outcome", confirm_findings=True)

    assert created.status_code == 201
    (item,) = moderator.get(QUEUE, query_string={"kind": "flagged"}).get_json()["items"]
    assert item["flags"] == [{"kind": "phi", "rules": ["mrn"]}]
    assert item["confirmed_findings"] == ["mrn"]


def test_posts_are_stored_in_the_database_with_their_review_state(
    conf: str, clean_app: Flask, attendee: Api, moderator: Api
) -> None:
    moderator.post(WORDS, json={"pattern": "damn", "action": "flag"})
    post_id = post(attendee, "damn good talk").get_json()["id"]

    with clean_app.app_context():
        stored = db.session.get_one(Post, post_id)
        assert (stored.status, stored.needs_review) == ("visible", True)
        assert stored.flags == [{"kind": "watched_word", "pattern": "damn", "action": "flag"}]
        db.session.remove()


def test_ids_the_database_cannot_hold_are_not_found(
    conf: str, clean_app: Flask, moderator: Api, attendee: Api
) -> None:
    huge = 2**63
    before = table_counts(clean_app)

    for path in (f"/api/v1/posts/{huge}/hide", f"/api/v1/users/{huge}/block",
                 f"/api/v1/posts/{huge}/reports"):
        assert moderator.post(path, json={"reason": "x"}).status_code == 404, path
    assert moderator.get(f"{AUDIT}/{huge}").status_code == 404
    assert moderator.get(QUEUE, query_string={"after": huge}).status_code == 422
    assert table_counts(clean_app) == before


def test_a_watch_list_change_reaches_the_next_post_at_once(
    conf: str, attendee: Api, moderator: Api
) -> None:
    """The list is kept between posts; adding, changing and removing a term must each reach
    the very next post (the conference's rules stamp changes with the list)."""
    assert post(attendee, "Free raffle at booth 12").status_code == 201

    word = moderator.post(WORDS, json={"pattern": "raffle", "action": "block"}).get_json()
    blocked = post(attendee, "Another raffle at booth 14")
    moderator.patch(f"{WORDS}/{word['id']}", json={"action": "hold"})
    held = post(attendee, "Last raffle at booth 16").get_json()
    moderator.delete(f"{WORDS}/{word['id']}")
    free = post(attendee, "Raffle results at booth 18").get_json()

    assert error_code(blocked) == "blocked_term"
    assert held["status"] == "pending"
    assert free["status"] == "visible"
