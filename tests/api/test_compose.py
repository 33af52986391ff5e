"""The drafter over HTTP: measure, check, compose, thread, intents and drafts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from server.domain.text import measure
from server.extensions import db
from server.models import Talk
from server.services.demo import do_load_demo
from tests.conftest import Api, table_counts

pytestmark = pytest.mark.db

NETWORKS = {"x", "bluesky", "mastodon", "threads", "linkedin"}


@pytest.fixture()
def demo(clean_app: Flask) -> dict[str, int]:
    """The demo congress, and the ids of its special sessions by code."""
    with clean_app.app_context():
        do_load_demo()
        ids = {t.code: t.id for t in db.session.query(Talk).all() if t.code}
        db.session.remove()
    return ids


def test_measure_answers_the_contract_shape_with_each_networks_count(anon: Api) -> None:
    text = "Great talk by @alice@fosstodon.org on #rustlang 👩🏽‍💻 https://example.org/a/very/long/path?q=1"

    response = anon.post("/api/v1/compose/measure", json={"text": text})

    assert response.status_code == 200
    networks = response.get_json()["networks"]
    assert set(networks) == NETWORKS
    assert networks["x"] == {"length": 74, "limit": 280, "valid": True}
    assert networks["mastodon"] == {"length": 59, "limit": 500, "valid": True}
    assert networks["bluesky"] == {"length": 90, "limit": 300, "valid": True}


def test_measure_uses_the_instance_limit_for_mastodon(anon: Api) -> None:
    response = anon.post(
        "/api/v1/compose/measure", json={"text": "a" * 600, "mastodon_limit": 5000}
    )

    assert response.get_json()["networks"]["mastodon"] == {
        "length": 600,
        "limit": 5000,
        "valid": True,
    }
    assert response.get_json()["networks"]["x"]["valid"] is False


@pytest.mark.parametrize(
    ("text", "status", "code"),
    [
        ("hello\x00world", 400, "invalid_encoding"),
        ("lone \ud800 surrogate", 400, "invalid_encoding"),
        ("x" * 10_001, 422, "too_long"),
    ],
)
def test_measure_refuses_text_that_is_not_text(
    anon: Api, text: str, status: int, code: str
) -> None:
    response = anon.post("/api/v1/compose/measure", json={"text": text})

    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_check_finds_phi_with_code_point_offsets(anon: Api) -> None:
    text = "👩🏽‍⚕️ Case: MRN 12345678 shows the sign"

    response = anon.post("/api/v1/compose/check", json={"text": text})

    findings = response.get_json()["findings"]
    assert [f["rule"] for f in findings] == ["mrn"]
    assert text[findings[0]["start"] : findings[0]["end"]].endswith("12345678")
    assert response.get_json()["requires_confirmation"] is True


def test_check_leaves_ordinary_conference_text_alone(anon: Api) -> None:
    text = "PMID 31234567: 0.625 mm slices at 3T cut dose to 2.1 mSv (p<0.001) #NRC26 #SSA01"

    response = anon.post("/api/v1/compose/check", json={"text": text})

    assert response.get_json() == {"findings": [], "requires_confirmation": False}


def test_check_states_the_session_policy(anon: Api, demo: dict[str, int]) -> None:
    opted_out = anon.post(
        "/api/v1/compose/check", json={"text": "Great cases", "session_id": demo["MSCB32"]}
    )
    no_photos = anon.post(
        "/api/v1/compose/check", json={"text": "Great data", "session_id": demo["SSNR02"]}
    )
    embargoed = anon.post(
        "/api/v1/compose/check", json={"text": "Results!", "session_id": demo["LB01"]}
    )

    assert [f["rule"] for f in opted_out.get_json()["findings"]] == ["policy_opted_out"]
    assert [f["rule"] for f in no_photos.get_json()["findings"]] == ["policy_no_photos"]
    assert [f["rule"] for f in embargoed.get_json()["findings"]] == ["policy_embargoed"]


def test_check_for_an_unknown_session_is_404(anon: Api) -> None:
    response = anon.post("/api/v1/compose/check", json={"text": "hi", "session_id": 999999})

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def _speaker_with_handles(api: Api, session_id: int) -> dict[str, Any]:
    return api.get(f"/api/v1/sessions/{session_id}").get_json()


@pytest.mark.parametrize("network", sorted(NETWORKS))
def test_compose_mentions_speakers_in_the_networks_form(
    anon: Api, demo: dict[str, int], network: str
) -> None:
    session_id = demo["HW01"]
    detail = _speaker_with_handles(anon, session_id)

    response = anon.post(
        "/api/v1/compose/draft",
        json={
            "session_id": session_id,
            "network": network,
            "template": "now",
            "note": "Building datasets, the right way.",
        },
    )

    assert response.status_code == 200
    body = response.get_json()
    text = body["text"]
    assert f"#{detail['hashtag']}" in text and f"#{detail['tag']}" in text
    for speaker in detail["speakers"]:
        handle = speaker["handles"].get(network)
        if (handle and network == "mastodon") or (
            handle and network in ("x", "bluesky", "threads")
        ):
            assert f"@{handle}" in text
        else:
            assert speaker["name"] in text
    assert body["networks"][network] == measure(text)[network].as_dict()  # type: ignore[index]
    assert body["valid"] == body["networks"][network]["valid"]


def test_compose_does_not_repeat_tags_the_note_has(anon: Api, demo: dict[str, int]) -> None:
    response = anon.post(
        "/api/v1/compose/draft",
        json={
            "session_id": demo["HW01"],
            "network": "x",
            "note": "Loved it #nrc26",
        },
    )

    text = response.get_json()["text"]
    assert text.lower().count("#nrc26") == 1


def test_compose_refuses_unknown_network_and_template(anon: Api, demo: dict[str, int]) -> None:
    bad_network = anon.post(
        "/api/v1/compose/draft", json={"session_id": demo["HW01"], "network": "myspace"}
    )
    bad_template = anon.post(
        "/api/v1/compose/draft", json={"session_id": demo["HW01"], "network": "x", "template": "x"}
    )

    assert (bad_network.status_code, bad_network.get_json()["error"]["field"]) == (422, "network")
    assert (bad_template.status_code, bad_template.get_json()["error"]["field"]) == (
        422,
        "template",
    )


def test_suggestions_rank_conference_then_session_tag(anon: Api, demo: dict[str, int]) -> None:
    response = anon.get(f"/api/v1/sessions/{demo['HW01']}/suggestions")

    items = response.get_json()["items"]
    assert [(i["tag"], i["source"]) for i in items[:2]] == [
        ("#NRC26", "conference"),
        ("#HW01", "session"),
    ]
    assert all(i["reason"] for i in items)


def test_thread_splits_within_the_limit_and_keeps_every_word(anon: Api) -> None:
    note = " ".join(f"Point {i} about photon counting CT and dose." for i in range(40))

    response = anon.post("/api/v1/compose/thread", json={"text": note, "network": "x"})

    parts = response.get_json()["parts"]
    assert len(parts) > 1
    assert all(p["valid"] and p["length"] <= 280 for p in parts)
    assert parts[0]["text"].endswith(f"1/{len(parts)}")
    words = " ".join(p["text"].rsplit(" ", 1)[0] for p in parts).split()
    assert words == note.split()


def test_intents_are_encoded_and_go_to_the_persons_instance(anon: Api) -> None:
    response = anon.post(
        "/api/v1/compose/intents",
        json={
            "text": "Loved #NRC26 & #HW01",
            "mastodon_instance": "med-mastodon.com",
        },
    )

    intents = response.get_json()["intents"]
    x = urlsplit(intents["x"]["url"])
    assert parse_qs(x.query)["text"] == ["Loved #NRC26 & #HW01"]
    assert "%23NRC26" in intents["x"]["url"]
    assert intents["mastodon"]["url"].startswith("https://med-mastodon.com/share?text=")
    assert intents["linkedin"]["url"] is None and intents["linkedin"]["reason"]


def test_intents_refuse_a_bad_instance(anon: Api) -> None:
    response = anon.post(
        "/api/v1/compose/intents", json={"text": "hi", "mastodon_instance": "not a host/../x"}
    )

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_instance"


# Drafts --------------------------------------------------------------------------------


def _draft_url(draft_id: str) -> str:
    return f"/api/v1/me/drafts/{draft_id}"


def test_draft_create_is_safe_to_resend(attendee: Api, clean_app: Flask) -> None:
    draft_id = str(uuid.uuid4())

    first = attendee.put(_draft_url(draft_id), json={"text": "MRN 12345678 case"})
    again = attendee.put(_draft_url(draft_id), json={"text": "MRN 12345678 case"})

    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["revision"] == again.get_json()["revision"] == 1
    assert [f["rule"] for f in first.get_json()["findings"]] == ["mrn"]
    assert set(first.get_json()["networks"]) == NETWORKS
    assert table_counts(clean_app)["drafts"] == 1


def test_draft_update_with_the_right_revision_then_a_stale_one(attendee: Api) -> None:
    draft_id = str(uuid.uuid4())
    attendee.put(_draft_url(draft_id), json={"text": "v1"})

    updated = attendee.put(_draft_url(draft_id), json={"text": "v2", "revision": 1})
    resent = attendee.put(_draft_url(draft_id), json={"text": "v2", "revision": 1})
    stale = attendee.put(
        _draft_url(draft_id), json={"text": "v2 from the other phone", "revision": 1}
    )

    assert updated.get_json()["revision"] == 2
    assert resent.status_code == 200 and resent.get_json()["revision"] == 2
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "stale_revision"
    assert error["current"]["text"] == "v2" and error["current"]["revision"] == 2


def test_drafts_are_private_and_listed_newest_first(make_user: Callable[..., Api]) -> None:
    alice, bob = make_user(), make_user()
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    alice.put(_draft_url(first), json={"text": "one"})
    alice.put(_draft_url(second), json={"text": "two"})

    mine = alice.get("/api/v1/me/drafts").get_json()["items"]
    theirs = bob.get(_draft_url(first))

    assert [d["id"] for d in mine] == [second, first]
    assert theirs.status_code == 404
    assert bob.get("/api/v1/me/drafts").get_json()["items"] == []


def test_draft_delete_is_idempotent(attendee: Api) -> None:
    draft_id = str(uuid.uuid4())
    attendee.put(_draft_url(draft_id), json={"text": "x"})

    assert attendee.delete(_draft_url(draft_id)).status_code == 204
    assert attendee.delete(_draft_url(draft_id)).status_code == 204
    assert attendee.get(_draft_url(draft_id)).status_code == 404


@pytest.mark.parametrize(
    ("draft_id", "body", "status", "code"),
    [
        ("not-a-uuid", {"text": "x"}, 422, "invalid_draft_id"),
        (str(uuid.uuid4()), {"text": "a\x00b"}, 400, "invalid_encoding"),
        (str(uuid.uuid4()), {"text": "x", "network": "myspace"}, 422, "validation_error"),
        (str(uuid.uuid4()), {"text": "x", "session_id": 424242}, 404, "not_found"),
        (str(uuid.uuid4()), {"text": "x", "author_id": 1}, 422, "validation_error"),
    ],
)
def test_bad_draft_saves_write_nothing(
    attendee: Api, clean_app: Flask, draft_id: str, body: dict[str, Any], status: int, code: str
) -> None:
    before = table_counts(clean_app)

    response = attendee.put(_draft_url(draft_id), json=body)

    assert (response.status_code, response.get_json()["error"]["code"]) == (status, code)
    assert table_counts(clean_app) == before


def test_drafts_need_an_account(anon: Api) -> None:
    response = anon.put(_draft_url(str(uuid.uuid4())), json={"text": "x"})

    assert response.status_code == 401


def test_an_enormous_body_is_refused_before_parsing(anon: Api, clean_app: Flask) -> None:
    before = table_counts(clean_app)

    response = anon.post("/api/v1/compose/measure", json={"text": "x" * 5_000_000})

    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert table_counts(clean_app) == before
