"""Intent URLs and Web Share payloads: encoding, the person's own instance, length checks."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from server.domain.intents import (
    IntentError,
    WebSharePayload,
    build_intents,
    encode,
    mastodon_host,
)
from server.domain.text.measure import NETWORKS

pytestmark = pytest.mark.unit

TEXT = "Great talk #RSNA24 & more \U0001f44d"


def _text_param(url: str) -> str:
    return parse_qs(urlsplit(url).query)["text"][0]


def test_encode_leaves_nothing_reserved() -> None:
    assert encode("#a b&c+d/e?f=g\n\u00e9") == "%23a%20b%26c%2Bd%2Fe%3Ff%3Dg%0A%C3%A9"


def test_all_intents() -> None:
    handoff = build_intents(TEXT, link="https://ex.org/a?b=1", mastodon_instance="Med.Social")
    full = TEXT + " https://ex.org/a?b=1"
    assert handoff.text == full
    assert list(handoff.intents) == list(NETWORKS)
    urls = {network: intent.url for network, intent in handoff.intents.items()}
    encoded = encode(full)
    assert urls == {
        "x": "https://x.com/intent/post?text=" + encoded,
        "bluesky": "https://bsky.app/intent/compose?text=" + encoded,
        "mastodon": "https://med.social/share?text=" + encoded,
        "threads": "https://www.threads.com/intent/post?text=" + encoded,
        "linkedin": "https://www.linkedin.com/sharing/share-offsite/?url="
        + "https%3A%2F%2Fex.org%2Fa%3Fb%3D1",
    }
    assert "%23RSNA24" in urls["x"]  # type: ignore[operator]
    for network in ("x", "bluesky", "mastodon", "threads"):
        assert _text_param(urls[network]) == full  # type: ignore[arg-type]
    assert all(intent.valid for intent in handoff.intents.values())
    assert handoff.web_share == WebSharePayload(text=full)
    assert handoff.web_share.as_dict() == {"text": full}


def test_linkedin_without_a_link_has_no_intent() -> None:
    handoff = build_intents(TEXT, mastodon_instance="med.social")
    linkedin = handoff.intents["linkedin"]
    assert linkedin.url is None
    assert linkedin.valid is False
    assert linkedin.reason is not None and "only a link" in linkedin.reason


def test_linkedin_uses_a_link_found_in_the_text() -> None:
    handoff = build_intents("Slides https://ex.org/s #RSNA24")
    assert handoff.intents["linkedin"].url == (
        "https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Fex.org%2Fs"
    )


def test_mastodon_needs_the_persons_instance() -> None:
    intent = build_intents(TEXT).intents["mastodon"]
    assert (intent.url, intent.valid) == (None, False)
    assert intent.reason == "Set your Mastodon server to post there"


@pytest.mark.parametrize(
    ("raw", "host"),
    [
        ("mastodon.social", "mastodon.social"),
        ("https://Med.Social/", "med.social"),
        ("@ada@med.social", "med.social"),
        ("ada@med.social", "med.social"),
        ("m\u00fcnchen.social", "xn--mnchen-3ya.social"),
    ],
)
def test_mastodon_host(raw: str, host: str) -> None:
    assert mastodon_host(raw) == host


@pytest.mark.parametrize(
    "raw",
    [
        "localhost",
        "1.2.3.4",
        "https://med.social:8443",
        "http://med.social",
        "https://u:p@med.social",
        "med.social/path",
        "https://med.social/share?x=1",
        "evil.org#@med.social",
        "med social",
        "-bad.org",
        "",
        "@med.social",
    ],
)
def test_mastodon_host_rejects(raw: str) -> None:
    with pytest.raises(IntentError) as caught:
        mastodon_host(raw)
    assert caught.value.code == "invalid_instance"


def test_too_long_is_flagged_per_network() -> None:
    text = "a" * 400
    handoff = build_intents(text, mastodon_instance="med.social")
    assert handoff.intents["x"].valid is False
    assert handoff.intents["x"].reason == "Too long for X: 400/280"
    assert handoff.intents["x"].url is not None
    assert handoff.intents["bluesky"].valid is False
    assert handoff.intents["mastodon"].valid is True
    assert handoff.intents["threads"].valid is True


def test_share_url_separately() -> None:
    handoff = build_intents("Read this", link="https://ex.org/p", share_url_separately=True)
    assert handoff.web_share.as_dict() == {"text": "Read this", "url": "https://ex.org/p"}


def test_invalid_link() -> None:
    with pytest.raises(IntentError) as caught:
        build_intents("x", link="ftp://ex.org/file")
    assert (caught.value.code, caught.value.field) == ("invalid_link", "link")
