"""Organizer edits of sessions, speakers and tracks, and how they show in listings and ETags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from server.extensions import db
from server.models import Speaker, Talk, Track
from tests.conftest import Api, table_counts

pytestmark = pytest.mark.db

HUB = "voc-hub-schedule2.json"
DEMOCON = "voc-pretalx-democon.json"


def ids(app: Flask, model: Any, **where: Any) -> list[int]:
    with app.app_context():
        query = select(model.id).order_by(model.id)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        found = list(db.session.scalars(query))
        db.session.remove()
    return found


@pytest.fixture()
def democon(clean_app: Flask, import_file: Callable[..., Any]) -> list[int]:
    import_file(DEMOCON, slug="democon")
    return ids(clean_app, Talk)


@pytest.fixture()
def hub(clean_app: Flask, import_file: Callable[..., Any]) -> list[int]:
    import_file(HUB, slug="hub")
    return ids(clean_app, Talk)


# --- session tag ----------------------------------------------------------------------------


def test_organizer_overrides_the_session_tag(organizer: Api, democon: list[int]) -> None:
    before = organizer.get(f"/api/v1/sessions/{democon[0]}").get_json()

    response = organizer.patch(f"/api/v1/sessions/{democon[0]}", json={"tag": "#MSRO21"})

    assert response.status_code == 200
    body = response.get_json()
    assert body["tag"] == "MSRO21"
    assert body["revision"] == before["revision"] + 1
    assert organizer.get(f"/api/v1/sessions/{democon[0]}").get_json()["tag"] == "MSRO21"


def test_session_tag_is_unique_case_insensitively(organizer: Api, democon: list[int]) -> None:
    organizer.patch(f"/api/v1/sessions/{democon[0]}", json={"tag": "RadTalk"})

    response = organizer.patch(f"/api/v1/sessions/{democon[1]}", json={"tag": "radtalk"})

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("tag_taken", "tag")
    assert str(democon[0]) in error["message"]
    assert organizer.get(f"/api/v1/sessions/{democon[1]}").get_json()["tag"] != "radtalk"


def test_a_session_may_keep_its_own_tag_in_another_case(
    organizer: Api, democon: list[int]
) -> None:
    organizer.patch(f"/api/v1/sessions/{democon[0]}", json={"tag": "RadTalk"})

    response = organizer.patch(f"/api/v1/sessions/{democon[0]}", json={"tag": "RADTALK"})

    assert response.status_code == 200
    assert response.get_json()["tag"] == "RADTALK"


@pytest.mark.parametrize("tag", ["has space", "12345", "dash-tag", "#", "", "x" * 26, "ta#g"])
def test_invalid_session_tag_is_422(
    clean_app: Flask, organizer: Api, democon: list[int], tag: str
) -> None:
    before = table_counts(clean_app)
    original = organizer.get(f"/api/v1/sessions/{democon[0]}").get_json()

    response = organizer.patch(f"/api/v1/sessions/{democon[0]}", json={"tag": tag})

    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "tag"
    assert response.get_json()["error"]["code"] in {"invalid_hashtag", "validation_error"}
    assert organizer.get(f"/api/v1/sessions/{democon[0]}").get_json() == original
    assert table_counts(clean_app) == before


def test_overridden_tag_survives_a_reimport(
    organizer: Api, democon: list[int], import_file: Callable[..., Any]
) -> None:
    organizer.patch(f"/api/v1/sessions/{democon[0]}", json={"tag": "Keeper1"})

    report = import_file(DEMOCON, slug="democon")

    assert report.changed_anything is False
    assert organizer.get(f"/api/v1/sessions/{democon[0]}").get_json()["tag"] == "Keeper1"


# --- policy ---------------------------------------------------------------------------------


def test_embargo_needs_a_time(organizer: Api, democon: list[int]) -> None:
    response = organizer.patch(f"/api/v1/sessions/{democon[0]}", json={"policy": "embargoed"})

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("embargo_needs_time", "embargo_until")
    assert organizer.get(f"/api/v1/sessions/{democon[0]}").get_json()["policy"] == "open"


def test_embargo_with_a_time_then_opt_out_clears_it(organizer: Api, democon: list[int]) -> None:
    response = organizer.patch(
        f"/api/v1/sessions/{democon[0]}",
        json={
            "policy": "embargoed",
            "embargo_until": "2020-12-14T12:00:00+01:00",
            "policy_note": "Results under embargo until the press conference.",
        },
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["policy"] == "embargoed"
    assert body["embargo_until"] == "2020-12-14T11:00:00+00:00"  # shown in DemoCon's zone (UTC)
    assert body["policy_note"] == "Results under embargo until the press conference."

    opted = organizer.patch(f"/api/v1/sessions/{democon[0]}", json={"policy": "opted_out"})

    assert opted.status_code == 200
    assert opted.get_json()["policy"] == "opted_out"
    assert opted.get_json()["embargo_until"] is None
    listed = organizer.get("/api/v1/conferences/democon/sessions?limit=500").get_json()["items"]
    assert [i["policy"] for i in listed if i["id"] == democon[0]] == ["opted_out"]


@pytest.mark.parametrize(
    "body",
    [
        {"policy": "secret"},
        {"embargo_until": "2020-12-14T12:00:00"},  # naive: which zone?
        {"embargo_until": "next tuesday"},
        {"policy_note": "x" * 501},
        {"title": "Renamed"},  # not editable here
    ],
)
def test_invalid_policy_edits_are_422(organizer: Api, democon: list[int], body: Any) -> None:
    response = organizer.patch(f"/api/v1/sessions/{democon[0]}", json=body)

    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == next(iter(body))


# --- speakers -------------------------------------------------------------------------------


def speaker_id(app: Flask, name: str) -> int:
    found = ids(app, Speaker, name=name)
    assert len(found) == 1
    return found[0]


def test_speaker_handles_from_the_file_show_on_the_session(
    clean_app: Flask, anon: Api, hub: list[int]
) -> None:
    opening = ids(clean_app, Talk, title="38C3: Opening Ceremony")[0]

    body = anon.get(f"/api/v1/sessions/{opening}").get_json()

    by_name = {s["name"]: s["handles"] for s in body["speakers"]}
    assert by_name["Gabriela Bogk"] == {"mastodon": "handle@example.net"}


def test_speaker_handle_override_and_removal_survive_a_reimport(
    clean_app: Flask, organizer: Api, anon: Api, hub: list[int],
    import_file: Callable[..., Any],
) -> None:
    gabriela = speaker_id(clean_app, "Gabriela Bogk")

    response = organizer.patch(
        f"/api/v1/speakers/{gabriela}",
        json={
            "handles": {"mastodon": "", "x": "https://x.com/GBogk", "bluesky": "@gb.bsky.social"}
        },
    )

    assert response.status_code == 200
    expected = {"x": "GBogk", "bluesky": "gb.bsky.social"}
    assert response.get_json()["handles"] == expected
    import_file(HUB, slug="hub")
    assert anon.get(f"/api/v1/speakers/{gabriela}").get_json()["handles"] == expected
    opening = ids(clean_app, Talk, title="38C3: Opening Ceremony")[0]
    session = anon.get(f"/api/v1/sessions/{opening}").get_json()
    assert {s["name"]: s["handles"] for s in session["speakers"]}["Gabriela Bogk"] == expected


@pytest.mark.parametrize(
    "handles",
    [{"x": "not a handle!"}, {"myspace": "ada"}, {"mastodon": "x" * 201}],
)
def test_invalid_speaker_handles_are_422(
    clean_app: Flask, organizer: Api, hub: list[int], handles: dict[str, str]
) -> None:
    gabriela = speaker_id(clean_app, "Gabriela Bogk")

    response = organizer.patch(f"/api/v1/speakers/{gabriela}", json={"handles": handles})

    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "handles"
    after = organizer.get(f"/api/v1/speakers/{gabriela}").get_json()
    assert after["handles"] == {"mastodon": "handle@example.net"}


# --- tracks ---------------------------------------------------------------------------------


def test_organizer_sets_track_hashtags(
    clean_app: Flask, organizer: Api, democon: list[int]
) -> None:
    track = ids(clean_app, Track, name="Phased")[0]

    response = organizer.patch(
        f"/api/v1/conferences/democon/tracks/{track}",
        json={"hashtags": ["#RadOnc", "AIinRadiology", "radonc"]},
    )

    assert response.status_code == 200
    assert response.get_json() == {
        "id": track,
        "name": "Phased",
        "color": response.get_json()["color"],
        "hashtags": ["RadOnc", "AIinRadiology", "radonc"],
    }
    tracks = organizer.get("/api/v1/conferences/democon/tracks").get_json()["items"]
    assert [t["hashtags"] for t in tracks if t["id"] == track] == [
        ["RadOnc", "AIinRadiology", "radonc"]
    ]


@pytest.mark.parametrize("hashtags", [["no spaces"], ["1234"], [""], ["t"] * 11, "RadOnc"])
def test_invalid_track_hashtags_are_422(
    clean_app: Flask, organizer: Api, democon: list[int], hashtags: Any
) -> None:
    track = ids(clean_app, Track, name="Phased")[0]

    response = organizer.patch(
        f"/api/v1/conferences/democon/tracks/{track}", json={"hashtags": hashtags}
    )

    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "hashtags"


def test_track_of_another_conference_is_404(
    clean_app: Flask, organizer: Api, democon: list[int], hub: list[int]
) -> None:
    hub_track = ids(clean_app, Track, name="CCC")[0]

    response = organizer.patch(
        f"/api/v1/conferences/democon/tracks/{hub_track}", json={"hashtags": ["x1"]}
    )

    assert response.status_code == 404


# --- who may edit ---------------------------------------------------------------------------


def edits(app: Flask, talk: int) -> list[tuple[str, dict[str, Any]]]:
    track = ids(app, Track, name="Phased")[0]
    speaker = ids(app, Speaker)[0]
    return [
        (f"/api/v1/sessions/{talk}", {"tag": "Mine1"}),
        (f"/api/v1/sessions/{talk}", {"policy": "opted_out"}),
        (f"/api/v1/speakers/{speaker}", {"handles": {"x": "someone"}}),
        (f"/api/v1/conferences/democon/tracks/{track}", {"hashtags": ["mine"]}),
        ("/api/v1/conferences/democon", {"title": "Mine"}),
    ]


@pytest.mark.parametrize("role", ["attendee", "moderator"])
def test_non_organizers_get_403(
    clean_app: Flask, make_user: Callable[..., Api], democon: list[int], role: str
) -> None:
    api = make_user(role)
    before = table_counts(clean_app)
    snapshot = api.get(f"/api/v1/sessions/{democon[0]}").get_json()

    for path, body in edits(clean_app, democon[0]):
        response = api.patch(path, json=body)
        assert response.status_code == 403, path
        assert response.get_json()["error"]["code"] == "forbidden"

    assert api.get(f"/api/v1/sessions/{democon[0]}").get_json() == snapshot
    assert table_counts(clean_app) == before


def test_anonymous_edits_get_401(clean_app: Flask, anon: Api, democon: list[int]) -> None:
    for path, body in edits(clean_app, democon[0]):
        response = anon.patch(path, json=body)
        assert response.status_code == 401, path
        assert response.get_json()["error"]["code"] == "auth_required"


# --- ETags follow edits ---------------------------------------------------------------------


def test_an_organizer_edit_changes_the_listing_etag(organizer: Api, democon: list[int]) -> None:
    path = "/api/v1/conferences/democon/sessions"
    first = organizer.client.get(path)
    etag = first.headers["ETag"]
    assert organizer.client.get(path, headers={"If-None-Match": etag}).status_code == 304

    organizer.patch(f"/api/v1/sessions/{democon[0]}", json={"tag": "Fresh1"})

    after = organizer.client.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert [i["tag"] for i in after.get_json()["items"] if i["id"] == democon[0]] == ["Fresh1"]


def test_an_organizer_edit_changes_the_detail_etag(organizer: Api, democon: list[int]) -> None:
    path = f"/api/v1/sessions/{democon[0]}"
    etag = organizer.client.get(path).headers["ETag"]

    organizer.patch(path, json={"policy": "no_photos"})

    after = organizer.client.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.get_json()["policy"] == "no_photos"


def test_speaker_edit_changes_the_speakers_etag(
    clean_app: Flask, organizer: Api, hub: list[int]
) -> None:
    path = "/api/v1/conferences/hub/speakers"
    etag = organizer.client.get(path).headers["ETag"]

    organizer.patch(
        f"/api/v1/speakers/{speaker_id(clean_app, 'Senficon')}", json={"handles": {"x": "senficon"}}
    )

    after = organizer.client.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert {s["name"]: s["handles"] for s in after.get_json()["items"]}["Senficon"] == {
        "x": "senficon"
    }


def test_starring_changes_my_listing_and_detail_etags(attendee: Api, democon: list[int]) -> None:
    listing = "/api/v1/conferences/democon/sessions"
    detail = f"/api/v1/sessions/{democon[0]}"
    list_etag = attendee.get(listing).headers["ETag"]
    detail_etag = attendee.get(detail).headers["ETag"]

    assert attendee.put(f"/api/v1/me/agenda/{democon[0]}").status_code == 200

    fresh_list = attendee.get(listing, headers={"If-None-Match": list_etag})
    fresh_detail = attendee.get(detail, headers={"If-None-Match": detail_etag})
    assert fresh_list.status_code == 200
    assert [i["starred"] for i in fresh_list.get_json()["items"] if i["id"] == democon[0]] == [
        True
    ]
    assert fresh_detail.status_code == 200
    assert fresh_detail.get_json()["starred"] is True


def test_listing_etag_is_per_user(make_user: Callable[..., Api], democon: list[int]) -> None:
    alice, bob = make_user("attendee"), make_user("attendee")
    alice.put(f"/api/v1/me/agenda/{democon[0]}")
    etag = alice.get("/api/v1/conferences/democon/sessions").headers["ETag"]

    response = bob.get("/api/v1/conferences/democon/sessions", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert not any(i["starred"] for i in response.get_json()["items"])
