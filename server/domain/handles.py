"""Speaker handles per network, in one canonical form.

Schedules and organisers write handles every which way (``@ada``, ``https://x.com/ada``,
``ada@med.social``, ``https://med.social/@ada``). The drafter needs exactly one spelling per
network to build mentions and to de-duplicate speakers, so every handle that enters the
system goes through :func:`normalize_handle`, and profile links found in schedule files go
through :func:`handle_from_url`.

Canonical forms (what :func:`normalize_handle` returns):

* ``x``: ``name`` (1-15 of ``A-Z a-z 0-9 _``, no ``@``, case kept)
* ``bluesky``: ``name.bsky.social`` or a custom domain, lower case, no ``@``
* ``mastodon``: ``user@instance`` (no leading ``@``, instance lower case)
* ``threads``: ``name`` (lower case, no ``@``)
* ``linkedin``: ``in/slug`` (or ``company/slug``)
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from server.domain.programme import NETWORKS

#: Other spellings of network names accepted from files and forms.
NETWORK_ALIASES: dict[str, str] = {
    "x": "x",
    "twitter": "x",
    "bluesky": "bluesky",
    "bsky": "bluesky",
    "mastodon": "mastodon",
    "fediverse": "mastodon",
    "activitypub": "mastodon",
    "threads": "threads",
    "linkedin": "linkedin",
}

_X_NAME = re.compile(r"[A-Za-z0-9_]{1,15}")
_THREADS_NAME = re.compile(r"[a-z0-9._]{1,30}")
_MASTODON_USER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}")
_DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_LINKEDIN_SLUG = re.compile(r"[\w\-%.]{2,100}")
_LINKEDIN_KINDS = ("in", "company", "school")

_X_HOSTS = frozenset({"x.com", "twitter.com", "mobile.twitter.com", "mobile.x.com"})
X_RESERVED_PATHS = frozenset(
    {
        "i",
        "intent",
        "home",
        "search",
        "hashtag",
        "share",
        "explore",
        "settings",
        "login",
        "signup",
        "messages",
        "notifications",
        "compose",
        "tos",
        "privacy",
        "about",
    }
)
_THREADS_HOSTS = frozenset({"threads.net", "threads.com"})
_BSKY_HOSTS = frozenset({"bsky.app", "staging.bsky.app"})
_LINKEDIN_HOST = "linkedin.com"
#: Hosts that use ``/@name`` paths but are not on the fediverse.
_NOT_FEDIVERSE = frozenset(
    {
        "medium.com",
        "youtube.com",
        "m.youtube.com",
        "tiktok.com",
        "substack.com",
        "instagram.com",
        "facebook.com",
        "github.com",
        "flickr.com",
        "vimeo.com",
    }
)


def canonical_network(name: str) -> str:
    """Map a network name or alias (``twitter``, ``BLUESKY``) to one of NETWORKS."""
    network = NETWORK_ALIASES.get(name.strip().casefold())
    if network is None:
        raise ValueError(f"unknown network {name!r}; expected one of {', '.join(NETWORKS)}")
    return network


def normalize_handle(network: str, raw: str) -> str:
    """Return the canonical handle of ``raw`` (a handle or profile URL) on ``network``.

    Raises ``ValueError`` with a message naming the network and the offending value.
    """
    network = canonical_network(network)
    value = raw.strip()
    if not value:
        raise ValueError(f"empty {network} handle")
    if _looks_like_url(value):
        found = handle_from_url(value)
        if found is None or found[0] != network:
            raise ValueError(f"{value!r} is not a {network} profile URL")
        return found[1]
    return _NORMALIZERS[network](value)


def handle_from_url(url: str) -> tuple[str, str] | None:
    """Recognise a profile URL and return ``(network, canonical handle)``, else None.

    Knows x.com/twitter.com, bsky.app/profile/…, threads.net|com/@name,
    linkedin.com/in/slug and any ``https://instance/@user`` (Mastodon and friends).
    """
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if not segments:
        return None
    try:
        return _match_url(host, segments)
    except ValueError:
        return None


def _match_url(host: str, segments: list[str]) -> tuple[str, str] | None:
    first = segments[0]
    if host in _X_HOSTS:
        if first.casefold() in X_RESERVED_PATHS:
            return None
        return "x", _normalize_x(first)
    if host in _BSKY_HOSTS:
        if first == "profile" and len(segments) >= 2:
            return "bluesky", _normalize_bluesky(segments[1])
        return None
    if host in _THREADS_HOSTS:
        return ("threads", _normalize_threads(first)) if first.startswith("@") else None
    if host == _LINKEDIN_HOST or host.endswith("." + _LINKEDIN_HOST):
        if first in _LINKEDIN_KINDS and len(segments) >= 2:
            return "linkedin", _normalize_linkedin(f"{first}/{segments[1]}")
        return None
    if host in _NOT_FEDIVERSE or host.endswith(tuple("." + h for h in _NOT_FEDIVERSE)):
        return None
    if first.startswith("@"):
        user = first[1:]
        return "mastodon", _normalize_mastodon(user if "@" in user else f"{user}@{host}")
    if first == "users" and len(segments) >= 2:
        return "mastodon", _normalize_mastodon(f"{segments[1]}@{host}")
    return None


def _looks_like_url(value: str) -> bool:
    if "://" in value:
        return True
    head = value.split("/", 1)
    return len(head) == 2 and "." in head[0] and "@" not in head[0] and " " not in value


def _normalize_x(value: str) -> str:
    name = value.removeprefix("@")
    if not _X_NAME.fullmatch(name):
        raise ValueError(
            f"invalid x handle {value!r}: 1-15 letters, digits or underscores expected"
        )
    return name


def _normalize_domain(value: str, what: str) -> str:
    domain = value.lower().rstrip(".")
    labels = domain.split(".")
    valid = (
        len(domain) <= 253
        and len(labels) >= 2
        and all(_DOMAIN_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )
    if not valid:
        raise ValueError(f"invalid {what} {value!r}: not a domain name")
    return domain


def _normalize_bluesky(value: str) -> str:
    name = value.removeprefix("@").strip()
    if name.startswith("did:"):
        raise ValueError(f"invalid bluesky handle {value!r}: a DID is not a handle")
    if "." not in name:
        name = f"{name}.bsky.social"
    return _normalize_domain(name, "bluesky handle")


def _normalize_mastodon(value: str) -> str:
    text = value.removeprefix("@")
    user, sep, instance = text.partition("@")
    if not sep or not _MASTODON_USER.fullmatch(user):
        raise ValueError(f"invalid mastodon handle {value!r}: expected user@instance")
    return f"{user}@{_normalize_domain(instance, 'mastodon instance')}"


def _normalize_threads(value: str) -> str:
    name = value.removeprefix("@").lower()
    if not _THREADS_NAME.fullmatch(name):
        raise ValueError(
            f"invalid threads handle {value!r}: 1-30 letters, digits, '.' or '_' expected"
        )
    return name


def _normalize_linkedin(value: str) -> str:
    text = value.strip().strip("/")
    kind, sep, slug = text.partition("/")
    if not sep:
        kind, slug = "in", text
    slug = slug.split("/", 1)[0]
    if kind not in _LINKEDIN_KINDS or not _LINKEDIN_SLUG.fullmatch(slug):
        raise ValueError(f"invalid linkedin profile {value!r}: expected in/slug or a slug")
    return f"{kind}/{slug}"


_NORMALIZERS = {
    "x": _normalize_x,
    "bluesky": _normalize_bluesky,
    "mastodon": _normalize_mastodon,
    "threads": _normalize_threads,
    "linkedin": _normalize_linkedin,
}
