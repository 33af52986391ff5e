"""Hand a draft to the network's own composer: intent URLs and the Web Share payload.

Backchannel does not post on people's behalf; it opens X, Bluesky, Mastodon, Threads or
LinkedIn with the text filled in, or the phone's share sheet. Three things go wrong in the
wild and are handled here: an unencoded ``#`` that turns the rest of the post into a URL
fragment (every value is percent-encoded with nothing left "safe", so ``#`` is ``%23``),
a Mastodon link to some default server instead of the person's own instance (it must be
given, and is checked to be a plain host name), and a hand-off that the network then refuses
because it is too long (each intent carries its measurement and validity).

The link, when given separately, is put inside the text for every network that takes text
(Bluesky and Mastodon have no URL parameter, and share targets often drop ``url`` when there
is text). LinkedIn's share link carries only a URL: without one there is no LinkedIn intent,
and the reason says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import quote, urlsplit

from server.domain.text.entities import extract_urls_with_indices
from server.domain.text.measure import NETWORKS, Measurement, Network, measure

IntentErrorCode = Literal["invalid_instance", "invalid_link"]

X_INTENT: Final = "https://x.com/intent/post?text="
BLUESKY_INTENT: Final = "https://bsky.app/intent/compose?text="
THREADS_INTENT: Final = "https://www.threads.com/intent/post?text="
LINKEDIN_INTENT: Final = "https://www.linkedin.com/sharing/share-offsite/?url="
#: Longest intent URL we hand out; browsers and proxies start failing beyond about 8 KB.
MAX_INTENT_URL: Final = 8192

_USER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_NAMES: Final[Mapping[Network, str]] = {
    "x": "X",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "threads": "Threads",
    "linkedin": "LinkedIn",
}


class IntentError(ValueError):
    def __init__(self, code: IntentErrorCode, message: str, *, field: str) -> None:
        super().__init__(message)
        self.code: IntentErrorCode = code
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class Intent:
    """A hand-off to one network; ``url`` is None when there is none (see ``reason``)."""

    network: Network
    url: str | None
    measurement: Measurement
    valid: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class WebSharePayload:
    """The argument for ``navigator.share``."""

    text: str
    url: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text} if self.url is None else {"text": self.text, "url": self.url}


@dataclass(frozen=True, slots=True)
class HandOff:
    text: str  # the text handed over (the link appended when it was not in it)
    intents: Mapping[Network, Intent]
    web_share: WebSharePayload


def encode(value: str) -> str:
    """Percent-encode a query value as UTF-8, leaving only unreserved characters as is."""
    return quote(value, safe="")


def mastodon_host(value: str) -> str:
    """The host name of a Mastodon instance from ``med.social``, ``https://med.social/``,
    ``@ada@med.social`` or ``ada@med.social``; raises :class:`IntentError` otherwise.

    Only a DNS name is accepted (no IP address, port, path or credentials), lower-cased and
    IDNA-encoded, so the intent cannot be pointed anywhere surprising.
    """
    raw = value.strip()
    if "://" in raw:
        try:
            parts = urlsplit(raw)
        except ValueError as error:
            raise _bad_instance(value) from error
        if parts.scheme != "https" or parts.username or parts.password or parts.port:
            raise _bad_instance(value)
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise _bad_instance(value)
        raw = parts.hostname or ""
    elif "@" in raw:
        raw = raw.removeprefix("@")
        user, _, raw = raw.partition("@")
        if not _USER.fullmatch(user):
            raise _bad_instance(value)
    host = raw.rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise _bad_instance(value) from error
    labels = host.split(".")
    if (
        len(host) > 253
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise _bad_instance(value)
    return host


def _bad_instance(value: str) -> IntentError:
    return IntentError(
        "invalid_instance",
        f"{value!r} is not a Mastodon server name (like mastodon.social)",
        field="mastodon_instance",
    )


def build_intents(
    text: str,
    *,
    link: str | None = None,
    mastodon_instance: str | None = None,
    mastodon_limit: int = 500,
    share_url_separately: bool = False,
) -> HandOff:
    """Intent URLs for every network plus the Web Share payload for ``text``.

    ``share_url_separately`` puts ``link`` in the Web Share ``url`` field instead of the text
    (for targets that build a link preview from it).
    """
    link_value = _check_link(link)
    full = text if link_value is None or link_value in text else f"{text} {link_value}"
    host = mastodon_host(mastodon_instance) if mastodon_instance else None
    lengths = measure(full, mastodon_limit=mastodon_limit)
    intents = {network: _intent(network, full, link_value, host, lengths) for network in NETWORKS}
    if share_url_separately and link_value is not None:
        share = WebSharePayload(text=text, url=link_value)
    else:
        share = WebSharePayload(text=full)
    return HandOff(text=full, intents=intents, web_share=share)


def _intent(
    network: Network,
    text: str,
    link: str | None,
    host: str | None,
    lengths: Mapping[Network, Measurement],
) -> Intent:
    measurement = lengths[network]
    name = _NAMES[network]
    if network == "linkedin":
        target = link or _first_link(text)
        if target is None:
            return Intent(
                network,
                None,
                measurement,
                False,
                "LinkedIn's share link carries only a link, not text: add a link, "
                "or copy the text or use the share sheet",
            )
        return _checked(network, LINKEDIN_INTENT + encode(target), measurement, valid=True)
    if network == "mastodon":
        if host is None:
            return Intent(
                network, None, measurement, False, "Set your Mastodon server to post there"
            )
        base = f"https://{host}/share?text="
    else:
        base = {"x": X_INTENT, "bluesky": BLUESKY_INTENT, "threads": THREADS_INTENT}[network]
    if not measurement.valid:
        reason = (
            f"Too long for {name}: {measurement.length}/{measurement.limit}"
            if measurement.length
            else "Nothing to post"
        )
        return Intent(network, base + encode(text), measurement, False, reason)
    return _checked(network, base + encode(text), measurement, valid=True)


def _checked(network: Network, url: str, measurement: Measurement, *, valid: bool) -> Intent:
    if len(url) > MAX_INTENT_URL:
        return Intent(network, None, measurement, False, "Too long to hand over as a link")
    return Intent(network, url, measurement, valid)


def _first_link(text: str) -> str | None:
    found = extract_urls_with_indices(text, require_protocol=True)
    return found[0].value if found else None


def _check_link(link: str | None) -> str | None:
    if link is None or not link.strip():
        return None
    value = link.strip()
    try:
        parts = urlsplit(value)
    except ValueError as error:
        raise IntentError("invalid_link", f"{value!r} is not a URL", field="link") from error
    if parts.scheme not in ("http", "https") or not parts.hostname or re.search(r"\s", value):
        raise IntentError("invalid_link", f"{value!r} is not an http(s) URL", field="link")
    return value
