"""Accounts over HTTP: sign-up, tokens, browser sessions with CSRF, profile handles, limits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.app import create_app
from server.extensions import db, limiter
from tests.conftest import Api, base_config

pytestmark = pytest.mark.db

PASSWORD = "correct horse battery"
ORIGIN = "http://127.0.0.1:5000"


def signup(api: Api, username: str = "alice", password: str = PASSWORD,
           display_name: str = "Alice A.") -> Any:
    return api.post(
        "/api/v1/auth/signup",
        json={"username": username, "password": password, "display_name": display_name},
    )


def error_of(response: Any) -> dict[str, Any]:
    body = response.get_json()
    assert set(body) == {"error"}
    return body["error"]


# --- sign-up -------------------------------------------------------------------------------


def test_signup_creates_an_attendee(anon: Api) -> None:
    response = signup(anon)

    assert response.status_code == 201
    body = response.get_json()
    assert body == {
        "id": body["id"],
        "username": "alice",
        "display_name": "Alice A.",
        "role": "attendee",
        "handles": [],
        "mastodon_limit": None,
    }
    assert isinstance(body["id"], int)
    assert "password" not in response.get_data(as_text=True)


@pytest.mark.parametrize("password", ["short", "1234567", "password", "Password123", "QWERTY123"])
def test_weak_or_common_password_is_refused(anon: Api, password: str) -> None:
    response = signup(anon, password=password)

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "weak_password"
    assert error["field"] == "password"


def test_password_equal_to_username_is_refused(anon: Api) -> None:
    response = signup(anon, username="radiologist42", password="Radiologist42")

    assert response.status_code == 422
    assert error_of(response)["code"] == "weak_password"


def test_a_long_passphrase_is_accepted(anon: Api) -> None:
    assert signup(anon, password="x" * 64 + " 🦴 " + "y" * 64).status_code == 201


def test_password_over_1024_bytes_is_too_long(anon: Api) -> None:
    response = signup(anon, password="é" * 600)  # 1,200 bytes in UTF-8

    assert response.status_code == 422
    assert error_of(response)["code"] == "too_long"


@pytest.mark.parametrize(
    "username", ["ab", "has space", "-dash", "dot.", "a" * 41, "ädmin", "аdmin", "x/y"]
)
def test_badly_formed_username_is_refused(anon: Api, username: str) -> None:
    response = signup(anon, username=username)

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] in {"invalid_username", "validation_error"}
    assert error["field"] == "username"


@pytest.mark.parametrize("second", ["alice", "ALICE", "Alice", "ａｌｉｃｅ", "ＡＬＩＣＥ"])
def test_taken_username_after_case_and_nfkc_folding(anon: Api, second: str) -> None:
    assert signup(anon).status_code == 201

    response = signup(anon, username=second)

    assert response.status_code == 409
    error = error_of(response)
    assert error == {
        "code": "username_taken",
        "message": "That username is taken.",
        "field": "username",
    }


# --- tokens ---------------------------------------------------------------------------------


def test_token_for_good_credentials_and_bearer_use(anon: Api, client: FlaskClient) -> None:
    signup(anon)

    response = anon.post("/api/v1/auth/token", json={"username": "ALICE", "password": PASSWORD})

    assert response.status_code == 201
    token = response.get_json()["token"]
    assert isinstance(token, str) and len(token) >= 32
    me = Api(client, token).get("/api/v1/me")
    assert me.status_code == 200
    assert me.get_json()["username"] == "alice"


def test_wrong_password_and_unknown_user_answer_alike(anon: Api) -> None:
    signup(anon)

    wrong = anon.post("/api/v1/auth/token", json={"username": "alice", "password": "nope" * 3})
    unknown = anon.post("/api/v1/auth/token", json={"username": "bob", "password": PASSWORD})

    assert wrong.status_code == unknown.status_code == 401
    assert error_of(wrong) == error_of(unknown) == {
        "code": "invalid_credentials",
        "message": "Wrong username or password.",
    }


def test_me_without_credentials_is_401(anon: Api) -> None:
    response = anon.get("/api/v1/me")

    assert response.status_code == 401
    assert error_of(response)["code"] == "auth_required"


@pytest.mark.parametrize("header", ["Bearer", "Basic abc", "Bearer nonsense-token", "Token x"])
def test_malformed_or_unknown_bearer_is_401(client: FlaskClient, header: str) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": header})

    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_revoked_token_is_refused(anon: Api, client: FlaskClient) -> None:
    signup(anon)
    token = anon.post(
        "/api/v1/auth/token", json={"username": "alice", "password": PASSWORD}
    ).get_json()["token"]
    api = Api(client, token)

    assert api.delete("/api/v1/auth/token").status_code == 204

    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


# --- profile --------------------------------------------------------------------------------


def test_patch_me_normalises_handles(attendee: Api) -> None:
    response = attendee.patch(
        "/api/v1/me",
        json={
            "display_name": "  Dr Ada  ",
            "handles": [
                {"network": "x", "handle": "https://twitter.com/AdaRad", "followers": 1200},
                {"network": "mastodon", "handle": "@ada@Med.Social"},
                {"network": "bluesky", "handle": "@Ada.bsky.social"},
            ],
        },
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["display_name"] == "Dr Ada"
    assert body["handles"] == [
        {"network": "bluesky", "handle": "ada.bsky.social", "followers": 0},
        {"network": "mastodon", "handle": "ada@med.social", "followers": 0},
        {"network": "x", "handle": "AdaRad", "followers": 1200},
    ]
    assert attendee.get("/api/v1/me").get_json()["handles"] == body["handles"]


def test_patch_me_replaces_the_handle_list(attendee: Api) -> None:
    attendee.patch("/api/v1/me", json={"handles": [{"network": "x", "handle": "ada"}]})

    response = attendee.patch(
        "/api/v1/me", json={"handles": [{"network": "threads", "handle": "@ada.rad"}]}
    )

    assert response.get_json()["handles"] == [
        {"network": "threads", "handle": "ada.rad", "followers": 0}
    ]


def test_patch_me_unknown_network_is_422(attendee: Api) -> None:
    response = attendee.patch(
        "/api/v1/me", json={"handles": [{"network": "myspace", "handle": "ada"}]}
    )

    assert response.status_code == 422
    assert error_of(response)["field"] == "handles"


@pytest.mark.parametrize(
    ("network", "handle"),
    [("x", "this-is-not-valid"), ("x", "a" * 16), ("mastodon", "no_instance_here!"),
     ("linkedin", "https://example.com/ada")],
)
def test_patch_me_invalid_handle_is_422(attendee: Api, network: str, handle: str) -> None:
    before = attendee.get("/api/v1/me").get_json()

    response = attendee.patch(
        "/api/v1/me", json={"handles": [{"network": network, "handle": handle}]}
    )

    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == ("invalid_handle", "handles")
    assert attendee.get("/api/v1/me").get_json() == before


def test_patch_me_negative_followers_is_422(attendee: Api) -> None:
    response = attendee.patch(
        "/api/v1/me", json={"handles": [{"network": "x", "handle": "ada", "followers": -1}]}
    )

    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_error"


# --- browser sessions -----------------------------------------------------------------------


def browser_login(client: FlaskClient, username: str = "alice") -> tuple[str, Any]:
    response = client.post(
        "/api/v1/auth/session", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200
    return response.get_json()["csrf_token"], response


def test_session_login_sets_an_httponly_cookie(anon: Api, client: FlaskClient) -> None:
    signup(anon)

    csrf, response = browser_login(client)

    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("bc_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert response.get_json()["user"]["username"] == "alice"
    assert len(csrf) == 64
    again = client.get("/api/v1/auth/session")
    assert again.status_code == 200
    assert again.get_json()["csrf_token"] == csrf
    assert client.get("/api/v1/me").get_json()["username"] == "alice"


def test_session_login_with_wrong_password_is_401(anon: Api, client: FlaskClient) -> None:
    signup(anon)

    response = client.post(
        "/api/v1/auth/session", json={"username": "alice", "password": "wrong-password"}
    )

    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_credentials"
    assert "Set-Cookie" not in response.headers


def test_cookie_write_without_csrf_token_is_403(anon: Api, client: FlaskClient) -> None:
    signup(anon)
    browser_login(client)

    response = client.patch("/api/v1/me", json={"display_name": "Mallory"})

    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf_failed"
    assert client.get("/api/v1/me").get_json()["display_name"] == "Alice A."


def test_cookie_write_with_wrong_csrf_token_is_403(anon: Api, client: FlaskClient) -> None:
    signup(anon)
    csrf, _ = browser_login(client)

    response = client.patch(
        "/api/v1/me", json={"display_name": "Mallory"}, headers={"X-CSRF-Token": csrf[::-1]}
    )

    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf_failed"


def test_cookie_write_with_csrf_token_succeeds(anon: Api, client: FlaskClient) -> None:
    signup(anon)
    csrf, _ = browser_login(client)

    response = client.patch(
        "/api/v1/me",
        json={"display_name": "Alice B."},
        headers={"X-CSRF-Token": csrf, "Origin": ORIGIN},
    )

    assert response.status_code == 200
    assert response.get_json()["display_name"] == "Alice B."


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "null", "http://127.0.0.1:5000.evil.com"]
)
def test_cookie_write_from_a_cross_site_origin_is_403(
    anon: Api, client: FlaskClient, origin: str
) -> None:
    signup(anon)
    csrf, _ = browser_login(client)

    response = client.patch(
        "/api/v1/me",
        json={"display_name": "Mallory"},
        headers={"X-CSRF-Token": csrf, "Origin": origin},
    )

    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf_failed"
    assert client.get("/api/v1/me").get_json()["display_name"] == "Alice A."


def test_login_issues_a_new_session_id(anon: Api, client: FlaskClient) -> None:
    signup(anon)
    browser_login(client)
    first = client.get_cookie("bc_session")
    assert first is not None

    browser_login(client)
    second = client.get_cookie("bc_session")

    assert second is not None and second.value != first.value
    replay = client.application.test_client()
    replay.set_cookie("bc_session", first.value)
    assert replay.get("/api/v1/me").status_code == 401


def test_logout_revokes_the_session(anon: Api, client: FlaskClient) -> None:
    signup(anon)
    csrf, _ = browser_login(client)
    secret = client.get_cookie("bc_session")
    assert secret is not None

    response = client.delete("/api/v1/auth/session", headers={"X-CSRF-Token": csrf})

    assert response.status_code == 204
    assert "bc_session=;" in response.headers["Set-Cookie"]
    replay = client.application.test_client()
    replay.set_cookie("bc_session", secret.value)
    assert replay.get("/api/v1/me").status_code == 401
    write = replay.patch(
        "/api/v1/me", json={"display_name": "Ghost"}, headers={"X-CSRF-Token": csrf}
    )
    assert write.status_code == 401
    assert error_of(write)["code"] == "auth_required"


def test_logout_needs_the_csrf_token(anon: Api, client: FlaskClient) -> None:
    signup(anon)
    browser_login(client)

    response = client.delete("/api/v1/auth/session")

    assert response.status_code == 403
    assert client.get("/api/v1/me").status_code == 200


def test_bearer_token_does_not_work_as_a_cookie(attendee: Api, client: FlaskClient) -> None:
    assert attendee.token is not None
    client.set_cookie("bc_session", attendee.token)

    assert client.get("/api/v1/me").status_code == 401


def test_cookie_session_id_is_not_a_bearer_token(anon: Api, client: FlaskClient) -> None:
    signup(anon)
    browser_login(client)
    secret = client.get_cookie("bc_session")
    assert secret is not None

    response = Api(client.application.test_client(), secret.value).get("/api/v1/me")

    assert response.status_code == 401


# --- rate limits ----------------------------------------------------------------------------


@pytest.fixture()
def limited_app(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A second app with rate limits on. Flask-Limiter's ``enabled`` flag lives on the shared
    extension object, so it is switched back off for the session app afterwards."""
    was_enabled = limiter.enabled
    config = base_config(database_url, tmp_path)
    config["RATELIMIT_ENABLED"] = True
    limited = create_app(config)
    limiter.reset()
    yield limited
    limiter.reset()
    limiter.enabled = was_enabled


def test_token_endpoint_is_rate_limited(
    clean_app: Flask, limited_app: Flask, make_user: Callable[..., Api]
) -> None:
    make_user("attendee", username="victim")
    client = limited_app.test_client()
    statuses = []
    for _ in range(25):
        response = client.post(
            "/api/v1/auth/token", json={"username": "victim", "password": "wrong-guess"}
        )
        statuses.append(response.status_code)

    assert statuses == [401] * 25
    response = client.post(
        "/api/v1/auth/token", json={"username": "victim", "password": PASSWORD}
    )
    assert response.status_code == 429
    error = error_of(response)
    assert error["code"] == "rate_limited"
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit() and 0 < int(retry_after) <= 300
    assert abs(error["retry_after"] - int(retry_after)) <= 1  # computed a moment apart
    with limited_app.app_context():
        db.session.remove()
