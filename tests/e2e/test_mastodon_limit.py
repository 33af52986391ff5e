"""A person's Mastodon post limit in the PWA: looked up on the profile page, saved, and used by
the composer's live counter, which agrees with the server at that limit.

A ``backchannel serve`` of its own, started with ``BACKCHANNEL_MASTODON_TEST_URL`` pointing at
a fake Mastodon instance on loopback (tests/fixtures/fake_mastodon.py): the instance is the
outside boundary, everything of ours is real.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.e2e.conftest import PHONE, LiveServer, serving
from tests.fixtures.fake_mastodon import FakeMastodon
from tests.shared_data import REPO

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = pytest.mark.e2e

VECTORS = REPO / "tests" / "fixtures" / "length_vectors.json"
PASSWORD = "a long enough passphrase"


@pytest.fixture(scope="module")
def fake_instance() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        yield fake


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, fake_instance: FakeMastodon
) -> Iterator[LiveServer]:
    """DemoCon on a server whose instance look-ups go to the fake instance."""
    instance = tmp_path_factory.mktemp("limit-instance")
    with serving(instance, {"BACKCHANNEL_MASTODON_TEST_URL": fake_instance.url_template}) as live:
        yield live


@pytest.fixture()
def new_page(browser: Any, server: LiveServer) -> Iterator[Callable[..., Any]]:
    """Phone-sized pages on this module's server; uncaught errors fail the test."""
    contexts: list[Any] = []
    pages: list[Any] = []

    def make(user: dict[str, Any] | None = None) -> Any:
        ctx = browser.new_context(
            viewport=PHONE, device_scale_factor=1, base_url=server.url, locale="en-GB"
        )
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        if user is not None:
            response = ctx.request.post(
                "/api/v1/auth/session", data={"username": user["username"], "password": PASSWORD}
            )
            assert response.ok, response.text()
        tab = ctx.new_page()
        tab.errors = []
        tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
        tab.on(
            "console",
            lambda msg: (
                tab.errors.append(msg.text)
                if msg.type == "error" and "Failed to load resource" not in msg.text
                else None
            ),
        )
        pages.append(tab)
        return tab

    yield make
    errors = [e for tab in pages for e in tab.errors]
    for ctx in contexts:
        ctx.close()
    assert not errors, f"errors in the page: {errors}"


def _user(server: LiveServer, **profile: Any) -> dict[str, Any]:
    username = f"lim{uuid.uuid4().hex[:8]}"
    body = {"username": username, "password": PASSWORD, "display_name": f"Ada {username[-4:]}"}
    server.api("POST", "/auth/signup", body)
    token = server.api("POST", "/auth/token", {"username": username, "password": PASSWORD})
    if profile:
        server.api("PATCH", "/me", profile, token["token"])
    return {"username": username, "token": token["token"]}


def _count(page: Any, network: str) -> Any:
    return page.locator(f".count[data-network={network}]")


def test_look_it_up_save_and_the_composer_counts_against_1000(
    new_page: Callable[..., Any], server: LiveServer, shot: Any
) -> None:
    user = _user(server)
    page = new_page(user)
    page.goto("/profile")
    limit = page.get_by_label("Your instance's post limit")
    expect(limit).to_have_value("500")  # unset: Mastodon's default
    page.get_by_label("Mastodon handle").fill("ada@big.example")

    page.get_by_role("button", name="Look it up").click()

    expect(limit).to_have_value("1000")
    expect(page.locator("#mastodon-limit-status")).to_contain_text(
        "big.example allows 1,000 characters"
    )
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#toast")).to_have_text("Profile saved")
    assert server.api("GET", "/me", token=user["token"])["mastodon_limit"] == 1000
    page.locator(".handles-grid__row[data-network=mastodon]").scroll_into_view_if_needed()
    shot(page, "profile-mastodon-limit", full_page=False)

    page.goto("/compose")
    text = "Dose reduction works. " * 31 + "Ask me how, please"
    assert len(text) == 700
    page.get_by_label("Your post").fill(text)

    mastodon = _count(page, "mastodon")
    expect(mastodon).to_have_class(re.compile(r"\bcount--ok\b"))
    expect(mastodon.locator(".count__value")).to_have_text("700/1000")
    expect(_count(page, "x")).to_have_class(re.compile(r"\bcount--over\b"))
    expect(page.locator(".composer [aria-live=polite].visually-hidden")).to_have_text(
        re.compile(r"^Too long for X, (?!.*Mastodon)")
    )
    # The server, asked without a limit, counts the same for this person.
    measured = server.api("POST", "/compose/measure", {"text": text}, user["token"])["networks"]
    assert measured["mastodon"] == {"length": 700, "limit": 1000, "valid": True}
    assert measured["x"]["valid"] is False
    # Posting on Mastodon: no thread needed; the hand-off fits too.
    page.get_by_label("Posting on").select_option("mastodon")
    expect(page.locator(".thread-preview")).to_be_hidden()
    handoff = page.locator(".handoff__link[data-network=mastodon]")
    expect(handoff).to_have_attribute("href", re.compile(r"^https://big\.example/share\?text="))
    expect(handoff).to_have_attribute("title", "Open Mastodon with this post")
    page.locator(".composer .counts").scroll_into_view_if_needed()
    shot(page, "composer-mastodon-1000", full_page=False)


def test_signed_out_the_composer_counts_mastodon_against_500(
    new_page: Callable[..., Any],
) -> None:
    page = new_page()
    page.goto("/compose")
    page.get_by_label("Your post").fill("a" * 700)

    expect(_count(page, "mastodon").locator(".count__value")).to_have_text("700/500")
    expect(_count(page, "mastodon")).to_have_class(re.compile(r"\bcount--over\b"))


def test_browser_and_server_agree_at_instance_limits(
    new_page: Callable[..., Any], server: LiveServer
) -> None:
    document = json.loads(VECTORS.read_text(encoding="utf-8"))
    cases = document["mastodon_limit_vectors"]
    user = _user(server, mastodon_limit=1000)
    page = new_page(user)
    page.goto("/compose")
    expect(page.get_by_label("Your post")).to_be_visible()

    browser = page.evaluate(
        """async (cases) => {
          const { loadRules, measure } = await import('/static/js/length.js');
          const { mastodonLimit } = await import('/static/js/components.js');
          const rules = await loadRules();
          const me = await (await fetch('/api/v1/me')).json();
          return {
            vectors: cases.map((c) => measure(c.text, rules, { mastodonLimit: c.mastodon_limit })),
            mine: cases.map((c) => measure(c.text, rules, { mastodonLimit: mastodonLimit(me) })),
          };
        }""",
        cases,
    )

    assert {c["description"]: c["expected"] for c in cases} == dict(
        zip((c["description"] for c in cases), browser["vectors"], strict=True)
    )
    # The person's stored limit: the browser (from /me) and the server (from the profile,
    # no mastodon_limit in the request) count every text alike.
    server_counts = [
        server.api("POST", "/compose/measure", {"text": c["text"]}, user["token"])["networks"]
        for c in cases
    ]
    assert browser["mine"] == server_counts
    assert {counted["mastodon"]["limit"] for counted in server_counts} == {1000}


def test_look_up_and_save_errors_are_said_at_the_field(
    new_page: Callable[..., Any], server: LiveServer
) -> None:
    user = _user(server, mastodon_limit=700)
    page = new_page(user)
    page.goto("/profile")
    limit = page.get_by_label("Your instance's post limit")
    expect(limit).to_have_value("700")
    page.get_by_label("Mastodon handle").fill("ada@garbage.example")

    page.get_by_role("button", name="Look it up").click()

    expect(page.locator("#mastodon-limit-error")).to_contain_text("broken JSON")
    expect(limit).to_have_value("700")

    limit.fill("100001")
    page.get_by_role("button", name="Save profile").click()

    expect(limit).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#mastodon-limit-error")).to_contain_text("100000")
    assert server.api("GET", "/me", token=user["token"])["mastodon_limit"] == 700
