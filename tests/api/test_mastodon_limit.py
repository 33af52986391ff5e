"""A person's Mastodon post limit: stored with the profile, looked up from their instance
(through a fake instance on loopback, the one outside boundary faked), and used by the
drafter when a request does not give one."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server.app import create_app
from server.extensions import db, limiter
from server.services import mastodon_instance
from server.services.demo import do_load_demo
from tests.conftest import Api, base_config, table_counts
from tests.fixtures.fake_mastodon import FakeMastodon, closed_port_template

pytestmark = pytest.mark.db

LOOKUP = "/api/v1/mastodon/instance-limit"


def error_of(response: Any) -> dict[str, Any]:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert body["error"]["message"]
    return dict(body["error"])


# --- the profile field ----------------------------------------------------------------------


def test_the_limit_is_unset_until_stated_and_then_kept_with_the_profile(attendee: Api) -> None:
    assert attendee.get("/api/v1/me").get_json()["mastodon_limit"] is None

    response = attendee.patch("/api/v1/me", json={"mastodon_limit": 1000})

    assert response.status_code == 200
    assert response.get_json()["mastodon_limit"] == 1000
    assert attendee.get("/api/v1/me").get_json()["mastodon_limit"] == 1000
    # Other profile changes leave it alone; null forgets it.
    attendee.patch("/api/v1/me", json={"display_name": "Dr Ada"})
    assert attendee.get("/api/v1/me").get_json()["mastodon_limit"] == 1000
    assert attendee.patch("/api/v1/me", json={"mastodon_limit": None}).status_code == 200
    assert attendee.get("/api/v1/me").get_json()["mastodon_limit"] is None


@pytest.mark.parametrize("limit", [1, 500, 5000, 100_000])
def test_limits_in_range_are_stored(attendee: Api, limit: int) -> None:
    response = attendee.patch("/api/v1/me", json={"mastodon_limit": limit})

    assert response.status_code == 200
    assert attendee.get("/api/v1/me").get_json()["mastodon_limit"] == limit


@pytest.mark.parametrize("limit", [0, -1, 100_001, 10**12, "1000", 1000.5, True, [1000]])
def test_a_bad_limit_is_422_on_the_field_and_writes_nothing(
    attendee: Api, clean_app: Flask, limit: Any
) -> None:
    attendee.patch("/api/v1/me", json={"mastodon_limit": 1000})
    before = attendee.get("/api/v1/me").get_json()
    counts = table_counts(clean_app)

    response = attendee.patch(
        "/api/v1/me", json={"display_name": "Changed", "mastodon_limit": limit}
    )

    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("validation_error", "mastodon_limit")
    assert attendee.get("/api/v1/me").get_json() == before
    assert table_counts(clean_app) == counts


def test_a_body_that_is_not_json_is_400_and_writes_nothing(attendee: Api) -> None:
    attendee.patch("/api/v1/me", json={"mastodon_limit": 1000})

    response = attendee.client.patch(
        "/api/v1/me",
        data=b'{"mastodon_limit": 2000',
        headers={**attendee._headers(None), "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"
    assert attendee.get("/api/v1/me").get_json()["mastodon_limit"] == 1000


def test_the_service_refuses_a_bad_limit_too(ctx: Flask) -> None:
    """Callers other than the API (the CLI, scripts) get the same bounds."""
    from server.errors import ValidationFailed
    from server.services.accounts import do_create_user, do_update_profile

    user = do_create_user("ada", "correct horse battery", "Ada")
    for bad in (0, 100_001, True):
        with pytest.raises(ValidationFailed) as caught:
            do_update_profile(user, display_name="Changed", mastodon_limit=bad)
        assert caught.value.field == "mastodon_limit"
        db.session.rollback()
    db.session.refresh(user)
    assert (user.display_name, user.mastodon_limit) == ("Ada", None)


def test_the_profile_schema_documents_the_field(anon: Api) -> None:
    document = anon.get("/api/openapi.json").get_json()
    schemas = document["components"]["schemas"]

    update = schemas["ProfileUpdate"]["properties"]["mastodon_limit"]
    assert (update["minimum"], update["maximum"]) == (1, 100_000)
    assert "500" in update["description"]
    assert "mastodon_limit" in schemas["User"]["required"]
    assert LOOKUP in document["paths"]


# --- the look-up, against a fake instance -----------------------------------------------------


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeMastodon]:
    with FakeMastodon() as server:
        yield server


@pytest.fixture()
def test_url(clean_app: Flask) -> Iterator[Callable[[str | None], None]]:
    """Point look-ups at a URL template (None: production, https://{host}); cache emptied."""
    was = clean_app.config.get("MASTODON_TEST_URL")

    def point(template: str | None) -> None:
        clean_app.config["MASTODON_TEST_URL"] = template

    mastodon_instance.clear_cache()
    yield point
    clean_app.config["MASTODON_TEST_URL"] = was
    mastodon_instance.clear_cache()


@pytest.fixture()
def on_fake(fake: FakeMastodon, test_url: Callable[[str | None], None]) -> FakeMastodon:
    test_url(fake.url_template)
    fake.requests.clear()
    return fake


def test_the_look_up_is_for_signed_in_people(anon: Api, on_fake: FakeMastodon) -> None:
    response = anon.get(LOOKUP, query_string={"host": "big.example"})

    assert response.status_code == 401
    assert error_of(response)["code"] == "auth_required"
    assert on_fake.asked("big.example") == []


def test_v2_instance_gives_max_characters(attendee: Api, on_fake: FakeMastodon) -> None:
    response = attendee.get(LOOKUP, query_string={"host": "big.example"})

    assert response.status_code == 200
    assert response.get_json() == {
        "host": "big.example",
        "max_characters": 1000,
        "source": "v2",
        "note": None,
    }
    assert on_fake.asked("big.example") == ["/api/v2/instance"]


@pytest.mark.parametrize("given", ["ada@big.example", "@ada@Big.Example", "https://big.example/"])
def test_a_handle_or_an_address_names_the_instance(
    attendee: Api, on_fake: FakeMastodon, given: str
) -> None:
    response = attendee.get(LOOKUP, query_string={"host": given})

    assert response.status_code == 200
    assert response.get_json()["host"] == "big.example"


def test_a_fork_without_v2_answers_with_max_toot_chars(
    attendee: Api, on_fake: FakeMastodon
) -> None:
    response = attendee.get(LOOKUP, query_string={"host": "fork.example"})

    assert response.status_code == 200
    assert response.get_json()["max_characters"] == 5000
    assert response.get_json()["source"] == "v1"
    assert on_fake.asked("fork.example") == ["/api/v2/instance", "/api/v1/instance"]


def test_an_instance_that_names_no_limit_gets_500_with_a_note(
    attendee: Api, on_fake: FakeMastodon
) -> None:
    body = attendee.get(LOOKUP, query_string={"host": "old.example"}).get_json()

    assert (body["max_characters"], body["source"]) == (500, "default")
    assert "500" in body["note"]


def test_a_limit_beyond_what_is_counted_is_capped_with_a_note(
    attendee: Api, on_fake: FakeMastodon
) -> None:
    body = attendee.get(LOOKUP, query_string={"host": "vast.example"}).get_json()

    assert body["max_characters"] == 100_000
    assert "1,000,000" in body["note"]


@pytest.mark.parametrize(
    ("host", "status", "code", "words"),
    [
        ("garbage.example", 502, "instance_invalid", "broken JSON"),
        ("html.example", 502, "instance_invalid", "not JSON"),
        ("nonsense.example", 502, "instance_invalid", "usable post limit"),
        ("huge.example", 502, "instance_invalid", "256 KiB"),
        ("unsized.example", 502, "instance_invalid", "256 KiB"),
        ("missing.example", 502, "instance_invalid", "HTTP 404"),
        ("redirect.example", 502, "instance_invalid", "redirects"),
        ("down.example", 502, "instance_unreachable", "HTTP 503"),
    ],
)
def test_answers_that_are_not_an_instance_document_are_clear_errors(
    attendee: Api, on_fake: FakeMastodon, host: str, status: int, code: str, words: str
) -> None:
    response = attendee.get(LOOKUP, query_string={"host": host})

    assert response.status_code == status
    error = error_of(response)
    assert error["code"] == code
    assert words in error["message"] and host in error["message"]


def test_a_redirect_is_not_followed(attendee: Api, on_fake: FakeMastodon) -> None:
    attendee.get(LOOKUP, query_string={"host": "redirect.example"})

    assert on_fake.requests[-1] == "/redirect.example/api/v2/instance"
    assert not any("latest/meta-data" in path for path in on_fake.requests)


@pytest.mark.parametrize("host", ["slow.example", "drip.example"])
def test_an_instance_too_slow_to_answer_is_given_up_after_3_seconds(
    attendee: Api, on_fake: FakeMastodon, host: str
) -> None:
    started = time.monotonic()

    response = attendee.get(LOOKUP, query_string={"host": host})

    elapsed = time.monotonic() - started
    assert response.status_code == 504
    error = error_of(response)
    assert error["code"] == "instance_unreachable"
    assert "3 s" in error["message"]
    assert 2.5 <= elapsed < 5.0


def test_a_refused_connection_is_unreachable(
    attendee: Api, test_url: Callable[[str | None], None]
) -> None:
    test_url(closed_port_template())

    response = attendee.get(LOOKUP, query_string={"host": "big.example"})

    assert response.status_code == 502
    error = error_of(response)
    assert error["code"] == "instance_unreachable"
    assert "refused" in error["message"].lower()


def test_answers_are_cached_and_failures_are_not(attendee: Api, on_fake: FakeMastodon) -> None:
    for _ in range(3):
        assert attendee.get(LOOKUP, query_string={"host": "big.example"}).status_code == 200
        assert attendee.get(LOOKUP, query_string={"host": "garbage.example"}).status_code == 502

    assert on_fake.asked("big.example") == ["/api/v2/instance"]
    assert on_fake.asked("garbage.example") == ["/api/v2/instance"] * 3


def test_the_query_is_checked(attendee: Api, on_fake: FakeMastodon) -> None:
    missing = attendee.get(LOOKUP)
    unknown = attendee.get(LOOKUP, query_string={"host": "big.example", "port": "80"})

    assert (missing.status_code, error_of(missing)["field"]) == (422, "host")
    assert (unknown.status_code, error_of(unknown)["field"]) == (422, "port")


# --- the guard against server-side request forgery -----------------------------------------------

#: A stand-in for DNS (an outside boundary): names that resolve to addresses nobody outside
#: should make Backchannel connect to.
FAKE_DNS = {
    "loopback.example": ["127.0.0.1"],
    "loopback6.example": ["::1"],
    "mapped.example": ["::ffff:127.0.0.1"],
    "metadata.example": ["169.254.169.254"],
    "linklocal6.example": ["fe80::1"],
    "private.example": ["10.1.2.3"],
    "home.example": ["192.168.1.1"],
    "cgnat.example": ["100.64.0.1"],
    "zero.example": ["0.0.0.0"],
    "nat64.example": ["64:ff9b::a01:203"],
    # One public address is not enough: every answer must be public.
    "mixed.example": ["93.184.216.34", "172.16.0.1"],
}


@pytest.fixture()
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in FAKE_DNS:
            return real(host, port, *args, **kwargs)
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (address, port, 0, 0) if ":" in address else (address, port),
            )
            for address in FAKE_DNS[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("host", sorted(FAKE_DNS))
def test_names_that_resolve_to_private_or_local_addresses_are_refused(
    attendee: Api, test_url: Callable[[str | None], None], fake_dns: None, host: str
) -> None:
    test_url(None)  # production: https://{host}, no loopback

    response = attendee.get(LOOKUP, query_string={"host": host})

    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("host_not_allowed", "host")
    assert "private or local" in error["message"]


def test_the_test_setting_opens_loopback_only(
    attendee: Api, fake: FakeMastodon, test_url: Callable[[str | None], None], fake_dns: None
) -> None:
    test_url(f"http://private.example:{fake.port}/{{host}}")
    fake.requests.clear()

    response = attendee.get(LOOKUP, query_string={"host": "big.example"})

    assert response.status_code == 422
    assert error_of(response)["code"] == "host_not_allowed"
    assert fake.asked("big.example") == []


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "169.254.169.254",
        "[::1]",
        "::1",
        "0x7f000001",
        "2130706433",
        "localhost",
        "big.example:8080",
        "https://big.example:443/",
        "http://big.example/",
        "https://user:pw@big.example/",
        "big.example/api",
        "big.example?x=1",
        "big..example",
        "-big.example",
        "big.example\\@127.0.0.1",
        "a" * 64 + ".example",
    ],
)
def test_anything_but_a_plain_dns_name_is_refused_before_any_request(
    attendee: Api, on_fake: FakeMastodon, host: str
) -> None:
    before = list(on_fake.requests)

    response = attendee.get(LOOKUP, query_string={"host": host})

    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("host_not_allowed", "host")
    assert on_fake.requests == before


def test_a_name_nobody_answers_to_is_not_found(
    attendee: Api, test_url: Callable[[str | None], None]
) -> None:
    test_url(None)

    response = attendee.get(LOOKUP, query_string={"host": "no-such-instance.invalid"})

    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("instance_not_found", "host")


@pytest.fixture()
def limited_app(
    app: Flask, database_url: str, tmp_path: Path, fake: FakeMastodon
) -> Iterator[Flask]:
    """A second app with rate limits on (the limiter's switch is shared: restored after)."""
    was_enabled = limiter.enabled
    config = base_config(database_url, tmp_path)
    config.update(RATELIMIT_ENABLED=True, MASTODON_TEST_URL=fake.url_template)
    limited = create_app(config)
    limiter.reset()
    mastodon_instance.clear_cache()
    yield limited
    limiter.reset()
    limiter.enabled = was_enabled
    mastodon_instance.clear_cache()
    with limited.app_context():
        db.session.remove()


def test_look_ups_are_rate_limited_per_account(
    clean_app: Flask, limited_app: Flask, attendee: Api
) -> None:
    client = Api(limited_app.test_client(), attendee.token)
    statuses = [
        client.get(LOOKUP, query_string={"host": "big.example"}).status_code for _ in range(10)
    ]

    response = client.get(LOOKUP, query_string={"host": "big.example"})

    assert statuses == [200] * 10
    assert response.status_code == 429
    assert error_of(response)["code"] == "rate_limited"


# --- the drafter counts against the stored limit -------------------------------------------------

SEVEN_HUNDRED = "a" * 700


@pytest.fixture()
def thousand(attendee: Api) -> Api:
    assert attendee.patch("/api/v1/me", json={"mastodon_limit": 1000}).status_code == 200
    return attendee


def test_measure_counts_against_the_stored_limit(thousand: Api, anon: Api) -> None:
    mine = thousand.post("/api/v1/compose/measure", json={"text": SEVEN_HUNDRED})
    given = thousand.post(
        "/api/v1/compose/measure", json={"text": SEVEN_HUNDRED, "mastodon_limit": 500}
    )
    nulled = thousand.post(
        "/api/v1/compose/measure", json={"text": SEVEN_HUNDRED, "mastodon_limit": None}
    )
    anonymous = anon.post("/api/v1/compose/measure", json={"text": SEVEN_HUNDRED})

    assert mine.get_json()["networks"]["mastodon"] == {
        "length": 700,
        "limit": 1000,
        "valid": True,
    }
    assert mine.get_json()["networks"]["x"]["valid"] is False
    assert given.get_json()["networks"]["mastodon"]["limit"] == 500  # the request wins
    assert nulled.get_json()["networks"]["mastodon"]["limit"] == 1000
    assert anonymous.get_json()["networks"]["mastodon"] == {
        "length": 700,
        "limit": 500,
        "valid": False,
    }


def test_a_person_without_a_stored_limit_counts_against_500(attendee: Api) -> None:
    body = attendee.post("/api/v1/compose/measure", json={"text": SEVEN_HUNDRED}).get_json()

    assert body["networks"]["mastodon"]["limit"] == 500


def test_thread_and_hand_off_use_the_stored_limit(thousand: Api, anon: Api) -> None:
    thread = {"text": SEVEN_HUNDRED, "network": "mastodon"}
    intents = {"text": SEVEN_HUNDRED, "mastodon_instance": "big.example"}

    mine = thousand.post("/api/v1/compose/thread", json=thread).get_json()
    theirs = anon.post("/api/v1/compose/thread", json=thread).get_json()
    handed = thousand.post("/api/v1/compose/intents", json=intents).get_json()
    refused = anon.post("/api/v1/compose/intents", json=intents).get_json()

    assert (mine["limit"], len(mine["parts"])) == (1000, 1)
    assert (theirs["limit"], len(theirs["parts"])) == (500, 2)
    assert handed["intents"]["mastodon"]["limit"] == 1000
    assert handed["intents"]["mastodon"]["valid"] is True
    assert handed["intents"]["x"]["valid"] is False
    assert refused["intents"]["mastodon"]["valid"] is False


def test_drafts_from_a_session_and_saved_drafts_use_the_stored_limit(
    thousand: Api, clean_app: Flask
) -> None:
    with clean_app.app_context():
        do_load_demo()
        db.session.remove()
    sessions = thousand.get("/api/v1/conferences/nrc26/sessions").get_json()["items"]

    drafted = thousand.post(
        "/api/v1/compose/draft",
        json={"session_id": sessions[0]["id"], "network": "mastodon", "note": "b" * 600},
    ).get_json()
    saved = thousand.put(
        "/api/v1/me/drafts/7f0c9e7e-5b1a-4b8e-9d55-2f4c1f7a0b11", json={"text": SEVEN_HUNDRED}
    ).get_json()

    assert drafted["networks"]["mastodon"]["limit"] == 1000
    assert drafted["valid"] is True
    assert saved["networks"]["mastodon"] == {"length": 700, "limit": 1000, "valid": True}


def test_a_tweetchat_answer_is_measured_against_the_stored_limit(
    thousand: Api, anon: Api, clean_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKCHANNEL_FAKE_NOW", "2026-11-30T12:00:00-06:00")
    with clean_app.app_context():
        do_load_demo()
        db.session.remove()
    chat = thousand.post(
        "/api/v1/conferences/nrc26/chats",
        json={
            "title": "Dose chat",
            "hashtag": "DoseChat",
            "start": "2026-11-30T19:00:00-06:00",
            "end": "2026-11-30T20:00:00-06:00",
            "questions": ["What is your CT dose target?"],
        },
    )
    assert chat.status_code == 201, chat.get_json()
    answer = {"note": "n" * 650}

    mine = thousand.post(f"/api/v1/chats/{chat.get_json()['id']}/compose", json=answer)
    theirs = anon.post(f"/api/v1/chats/{chat.get_json()['id']}/compose", json=answer)

    assert mine.get_json()["networks"]["mastodon"]["limit"] == 1000
    assert mine.get_json()["networks"]["mastodon"]["valid"] is True
    assert theirs.get_json()["networks"]["mastodon"]["limit"] == 500
