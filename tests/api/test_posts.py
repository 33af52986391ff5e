"""Posting over HTTP: idempotency, policies, guardrails, sequence numbers, catch-up pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from server.extensions import db
from server.models import Talk
from server.services.demo import do_load_demo
from tests.conftest import Api, table_counts

pytestmark = pytest.mark.db

WALL = "/api/v1/conferences/nrc26/posts"


@pytest.fixture()
def demo(clean_app: Flask) -> dict[str, int]:
    with clean_app.app_context():
        do_load_demo()
        ids = {t.code: t.id for t in db.session.query(Talk).all() if t.code}
        db.session.remove()
    return ids


def post(api: Api, body: dict[str, Any], key: str | None = None) -> Any:
    return api.post(WALL, json=body, headers={"Idempotency-Key": key or str(uuid.uuid4())})


def test_a_post_is_created_once_per_key(
    demo: dict[str, int], attendee: Api, clean_app: Flask
) -> None:
    key = str(uuid.uuid4())

    first = post(attendee, {"text": "Photon counting is here #NRC26"}, key)
    retry = post(attendee, {"text": "Photon counting is here #NRC26"}, key)

    assert first.status_code == 201 and retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert first.get_json() == retry.get_json()
    body = first.get_json()
    assert body["seq"] == 1 and body["status"] == "visible"
    assert body["author"]["username"] == "attendee1"
    assert table_counts(clean_app)["posts"] == 1


def test_a_reused_key_with_another_body_is_refused(demo: dict[str, int], attendee: Api) -> None:
    key = str(uuid.uuid4())
    post(attendee, {"text": "one"}, key)

    response = post(attendee, {"text": "two"}, key)

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "idempotency_key_reused"


def test_keys_are_scoped_per_author(demo: dict[str, int], make_user: Callable[..., Api]) -> None:
    key = str(uuid.uuid4())
    alice, bob = make_user(), make_user()

    a = post(alice, {"text": "same words"}, key)
    b = post(bob, {"text": "same words"}, key)

    assert a.get_json()["id"] != b.get_json()["id"]


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "idempotency_key_required"),
        ({"Idempotency-Key": "x" * 256}, "invalid_idempotency_key"),
        ({"Idempotency-Key": "é-key"}, "invalid_idempotency_key"),
    ],
)
def test_bad_keys_are_refused_and_nothing_is_written(
    demo: dict[str, int], attendee: Api, clean_app: Flask, headers: dict[str, str], code: str
) -> None:
    before = table_counts(clean_app)

    response = attendee.post(WALL, json={"text": "hello"}, headers=headers)

    assert (response.status_code, response.get_json()["error"]["code"]) == (400, code)
    assert table_counts(clean_app) == before


def test_sequence_numbers_grow_and_pages_follow_them(
    demo: dict[str, int], attendee: Api, anon: Api
) -> None:
    seqs = [post(attendee, {"text": f"post {i}"}).get_json()["seq"] for i in range(5)]

    page = anon.get(f"{WALL}?after=2&limit=2").get_json()
    rest = anon.get(f"{WALL}?after={page['next']}").get_json()

    assert seqs == [1, 2, 3, 4, 5]
    assert [p["text"] for p in page["items"]] == ["post 2", "post 3"]
    assert page["next"] == 4 and page["seq"] == 5
    assert [p["text"] for p in rest["items"]] == ["post 4"] and rest["next"] is None


def test_session_posts_are_listed_on_the_session_wall(
    demo: dict[str, int], attendee: Api, anon: Api
) -> None:
    post(attendee, {"text": "in the session", "session_id": demo["HW01"]})
    post(attendee, {"text": "in the hallway"})

    session_wall = anon.get(f"{WALL}?session_id={demo['HW01']}").get_json()["items"]
    conference_wall = anon.get(WALL).get_json()["items"]

    assert [p["text"] for p in session_wall] == ["in the session"]
    assert [p["text"] for p in conference_wall] == ["in the session", "in the hallway"]


def test_opted_out_sessions_refuse_posts(
    demo: dict[str, int], attendee: Api, clean_app: Flask
) -> None:
    before = table_counts(clean_app)

    response = post(attendee, {"text": "Great cases", "session_id": demo["MSCB32"]})

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "speaker_opted_out"
    assert table_counts(clean_app) == before


def test_embargoed_sessions_hold_posts_off_the_wall(
    demo: dict[str, int], attendee: Api, anon: Api
) -> None:
    response = post(attendee, {"text": "LUMEN-CT results!", "session_id": demo["LB01"]})

    assert response.status_code == 201
    assert response.get_json()["status"] == "held" and response.get_json()["seq"] is None
    assert anon.get(WALL).get_json()["items"] == []


def test_phi_needs_confirmation(demo: dict[str, int], attendee: Api, clean_app: Flask) -> None:
    text = "Pt MRN 12345678 had the classic sign"
    before = table_counts(clean_app)

    refused = post(attendee, {"text": text})
    counts_after_refusal = table_counts(clean_app)
    confirmed = post(attendee, {"text": text, "confirm_findings": True})

    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "phi_suspected"
    assert [f["rule"] for f in error["findings"]] == ["mrn"]
    assert counts_after_refusal == before
    assert confirmed.status_code == 201


def test_an_accidental_double_tap_is_caught_but_can_be_overridden(
    demo: dict[str, int], attendee: Api
) -> None:
    post(attendee, {"text": "Standing ovation!"})

    double = post(attendee, {"text": "Standing ovation!"})
    deliberate = post(attendee, {"text": "Standing ovation!", "allow_duplicate": True})

    assert double.status_code == 409
    assert double.get_json()["error"]["code"] == "duplicate_post"
    assert deliberate.status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": ""}, 422, "empty_post"),
        ({"text": " \u200b\n"}, 422, "empty_post"),
        ({"text": "a\x00b"}, 400, "invalid_encoding"),
        ({"text": "x" * 6000}, 422, "too_long"),
        ({"text": "hi", "seq": 7}, 422, "validation_error"),
        ({"text": "hi", "author_id": 1}, 422, "validation_error"),
        ({"text": 5}, 422, "validation_error"),
        ({"text": "hi", "session_id": 99999}, 404, "not_found"),
    ],
)
def test_bad_posts_write_nothing(
    demo: dict[str, int],
    attendee: Api,
    clean_app: Flask,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    before = table_counts(clean_app)

    response = post(attendee, body)

    assert (response.status_code, response.get_json()["error"]["code"]) == (status, code)
    assert table_counts(clean_app) == before


def test_posting_needs_an_account_and_reading_does_not(demo: dict[str, int], anon: Api) -> None:
    assert post(anon, {"text": "hi"}).status_code == 401
    assert anon.get(WALL).status_code == 200


def test_authors_delete_their_posts_and_pages_report_the_removal(
    demo: dict[str, int], make_user: Callable[..., Api], anon: Api
) -> None:
    alice, bob = make_user(), make_user()
    kept = post(alice, {"text": "kept"}).get_json()
    gone = post(alice, {"text": "gone"}).get_json()

    assert bob.delete(f"/api/v1/posts/{gone['id']}").status_code == 404
    assert alice.delete(f"/api/v1/posts/{gone['id']}").status_code == 204

    page = anon.get(f"{WALL}?after={kept['seq']}").get_json()
    assert page["items"] == [] and page["removed"] == [gone["id"]]
    assert [p["id"] for p in anon.get(WALL).get_json()["items"]] == [kept["id"]]
    assert anon.get(f"/api/v1/posts/{gone['id']}").status_code == 404
