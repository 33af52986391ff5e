"""A Mastodon instance's post length limit, read from its API documents, and which network
addresses Backchannel may fetch them from (pure: no I/O).

* ``GET /api/v2/instance`` (Mastodon 4.0+): ``configuration.statuses.max_characters``.
* ``GET /api/v1/instance``: ``max_toot_chars`` (Pleroma, Akkoma, glitch-soc and other forks)
  or ``configuration.statuses.max_characters`` (Mastodon 3.5-3.x).

The fetching itself is :mod:`server.services.mastodon_instance`.
"""

from __future__ import annotations

import ipaddress
from typing import Final, Literal

#: Mastodon's upstream default, used when nobody says otherwise.
DEFAULT_LIMIT: Final = 500
#: The limits Backchannel stores and counts against (profile and compose requests).
MIN_LIMIT: Final = 1
MAX_LIMIT: Final = 100_000

ApiVersion = Literal["v1", "v2"]


class InstanceDocumentError(ValueError):
    """The instance names a limit, but not a number Backchannel can count against."""


def read_limit(document: object, version: ApiVersion) -> tuple[int, str | None] | None:
    """``(limit, note)`` from an instance document, or ``None`` when it names no limit.

    A limit above :data:`MAX_LIMIT` is capped there (with a note saying so); one that is not
    a positive whole number raises :class:`InstanceDocumentError`.
    """
    if not isinstance(document, dict):
        raise InstanceDocumentError("the instance document is not a JSON object")
    value = _path(document, ("configuration", "statuses", "max_characters"))
    if value is None and version == "v1":
        value = document.get("max_toot_chars")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_LIMIT:
        raise InstanceDocumentError(f"the instance gives {value!r} as its post limit")
    if value > MAX_LIMIT:
        return MAX_LIMIT, (
            f"The instance allows {value:,} characters; Backchannel counts up to {MAX_LIMIT:,}."
        )
    return value, None


def _path(document: dict[str, object], keys: tuple[str, ...]) -> object:
    value: object = document
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def address_allowed(address: str, *, allow_loopback: bool = False) -> bool:
    """Whether a resolved address is a public one Backchannel may connect to.

    Private, loopback, link-local, shared (CGNAT), multicast, reserved and unspecified
    addresses are refused, also when embedded in an IPv6 address (IPv4-mapped, 6to4,
    Teredo, NAT64). ``allow_loopback`` admits loopback only (tests serve a fake instance
    there).
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if allow_loopback and ip.is_loopback:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return address_allowed(str(embedded), allow_loopback=allow_loopback)
    return bool(
        ip.is_global
        and not ip.is_multicast
        and not ip.is_reserved
        and not ip.is_unspecified
        and not ip.is_loopback
        and not ip.is_link_local
    )


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None
