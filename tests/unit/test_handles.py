"""Handle normalisation: one canonical spelling per network, clear errors otherwise."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.handles import (
    X_RESERVED_PATHS,
    canonical_network,
    handle_from_url,
    normalize_handle,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("network", "raw", "expected"),
    [
        ("x", "@ada", "ada"),
        ("x", "Ada_Lovelace", "Ada_Lovelace"),
        ("twitter", " @ada ", "ada"),
        ("x", "https://twitter.com/ada", "ada"),
        ("x", "https://x.com/ada/status/123", "ada"),
        ("bluesky", "@ada.bsky.social", "ada.bsky.social"),
        ("bluesky", "ada", "ada.bsky.social"),
        ("bluesky", "Ada.Example.ORG", "ada.example.org"),
        ("bluesky", "https://bsky.app/profile/ada.example.org", "ada.example.org"),
        ("mastodon", "@ada@Med.Social", "ada@med.social"),
        ("mastodon", "ada@med.social", "ada@med.social"),
        ("mastodon", "https://med.social/@ada", "ada@med.social"),
        ("mastodon", "https://med.social/@ada/1234567", "ada@med.social"),
        ("threads", "@Ada.Lovelace", "ada.lovelace"),
        ("threads", "https://www.threads.net/@ada", "ada"),
        ("threads", "https://threads.com/@ada_l", "ada_l"),
        ("linkedin", "ada-lovelace", "in/ada-lovelace"),
        ("linkedin", "in/ada-lovelace", "in/ada-lovelace"),
        ("linkedin", "https://www.linkedin.com/in/ada-lovelace/", "in/ada-lovelace"),
        ("linkedin", "linkedin.com/company/backchannel", "company/backchannel"),
    ],
)
def test_normalize_handle(network: str, raw: str, expected: str) -> None:
    assert normalize_handle(network, raw) == expected


@pytest.mark.parametrize(
    ("network", "raw", "message"),
    [
        ("x", "@this_name_is_far_too_long", "invalid x handle"),
        ("x", "ada lovelace", "invalid x handle"),
        ("x", "", "empty x handle"),
        ("bluesky", "did:plc:abc123", "a DID is not a handle"),
        ("bluesky", "ada..bsky.social", "not a domain name"),
        ("mastodon", "@ada", "expected user@instance"),
        ("mastodon", "ada@localhost", "not a domain name"),
        ("threads", "ada lovelace", "invalid threads handle"),
        ("linkedin", "pub/ada", "expected in/slug"),
        ("x", "https://bsky.app/profile/ada.bsky.social", "is not a x profile URL"),
        ("myspace", "ada", "unknown network 'myspace'"),
    ],
)
def test_normalize_handle_rejects(network: str, raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalize_handle(network, raw)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://twitter.com/ada", ("x", "ada")),
        ("https://mobile.twitter.com/ada", ("x", "ada")),
        ("http://www.x.com/ada?lang=en", ("x", "ada")),
        ("x.com/ada", ("x", "ada")),
        ("https://bsky.app/profile/ada.bsky.social/post/3k", ("bluesky", "ada.bsky.social")),
        ("https://mastodon.social/@ada", ("mastodon", "ada@mastodon.social")),
        ("https://fosstodon.org/@ada@hachyderm.io", ("mastodon", "ada@hachyderm.io")),
        ("https://example.net/@handle/123456", ("mastodon", "handle@example.net")),
        ("https://threads.net/@ada", ("threads", "ada")),
        ("https://de.linkedin.com/in/ada-lovelace", ("linkedin", "in/ada-lovelace")),
    ],
)
def test_handle_from_url(url: str, expected: tuple[str, str]) -> None:
    assert handle_from_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://twitter.com/intent/tweet?text=hi",
        "https://x.com/",
        "https://bsky.app/profile/did:plc:abc",
        "https://medium.com/@ada",
        "https://www.youtube.com/@ada",
        "https://example.org/about",
        "mailto:ada@example.org",
        "not a url",
        "https://www.linkedin.com/feed/",
    ],
)
def test_handle_from_url_ignores_non_profiles(url: str) -> None:
    assert handle_from_url(url) is None


def test_reserved_x_paths_are_not_profiles() -> None:
    assert handle_from_url("https://x.com/i/lists/123") is None
    assert handle_from_url("https://x.com/home") is None


def test_canonical_network_aliases() -> None:
    assert [canonical_network(n) for n in ("Twitter", "BSKY", "fediverse", "LinkedIn")] == [
        "x",
        "bluesky",
        "mastodon",
        "linkedin",
    ]


@given(
    st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True).filter(
        lambda n: n.casefold() not in X_RESERVED_PATHS
    )
)
def test_x_handle_round_trips_through_profile_url(name: str) -> None:
    assert normalize_handle("x", f"https://x.com/{name}") == normalize_handle("x", "@" + name)


@given(
    st.from_regex(r"[a-z0-9_]{1,20}", fullmatch=True),
    st.sampled_from(["med.social", "mastodon.social", "hachyderm.io"]),
)
def test_mastodon_handle_and_url_agree(user: str, instance: str) -> None:
    expected = f"{user}@{instance}"
    assert normalize_handle("mastodon", f"@{user}@{instance}") == expected
    assert handle_from_url(f"https://{instance}/@{user}") == ("mastodon", expected)
