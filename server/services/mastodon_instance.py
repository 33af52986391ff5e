"""Look up a Mastodon instance's post limit: the one place Backchannel fetches from a server
a person names, so the fetch is fenced against server-side request forgery.

* The host must be a plain DNS name (no IP address, port, path or credentials).
* HTTPS only, certificate checked; redirects are not followed.
* Every address the name resolves to must be public (no private, loopback, link-local...
  address); the connection goes to the address that was checked, so a second DNS answer
  cannot swap in another one.
* 3 s for each request, at most 256 KiB, JSON only.

Answers are kept per process for an hour. ``MASTODON_TEST_URL`` (tests only, e.g.
``http://127.0.0.1:8123/{host}``) replaces ``https://{host}`` to reach a fake instance:
plain HTTP and loopback addresses are then allowed, nothing else is.
"""

from __future__ import annotations

import functools
import http.client
import json
import socket
import ssl
import time
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from server.domain import instances
from server.domain.intents import IntentError, mastodon_host
from server.errors import AppError

TIMEOUT = 3.0
MAX_BYTES = 256 * 1024
CACHE_SECONDS = 3600.0
CACHE_SIZE = 512
USER_AGENT = "Backchannel (Mastodon post limit look-up)"
PRODUCTION_URL = "https://{host}"


class HostNotAllowed(AppError):
    status = 422
    code = "host_not_allowed"


class InstanceNotFound(AppError):
    status = 422
    code = "instance_not_found"


class InstanceUnreachable(AppError):
    status = 502
    code = "instance_unreachable"


class InstanceInvalid(AppError):
    status = 502
    code = "instance_invalid"


@dataclass(frozen=True)
class InstanceLimit:
    host: str
    max_characters: int
    source: str  # "v2", "v1" or "default"
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "max_characters": self.max_characters,
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True)
class _Answer:
    status: int
    content_type: str
    body: bytes


_cache: dict[str, tuple[float, InstanceLimit]] = {}


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Built once: loading the system's certificate store is the costly part."""
    return ssl.create_default_context()


def clear_cache() -> None:
    _cache.clear()


def look_up(value: str) -> InstanceLimit:
    """The post limit of the instance ``value`` names (``med.social``, ``ada@med.social``)."""
    try:
        host = mastodon_host(value)
    except IntentError as exc:
        raise HostNotAllowed(
            f"{value.strip()[:100]!r} is not a Mastodon server name (like mastodon.social); "
            "only plain DNS names are looked up.",
            field="host",
        ) from exc
    cached = _cache.get(host)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    result = _fetch_limit(host)
    if len(_cache) >= CACHE_SIZE:
        _cache.pop(next(iter(_cache)))
    _cache[host] = (time.monotonic() + CACHE_SECONDS, result)
    return result


def _fetch_limit(host: str) -> InstanceLimit:
    template = current_app.config.get("MASTODON_TEST_URL") or PRODUCTION_URL
    base = str(template).replace("{host}", host).rstrip("/")
    v2 = _get(base + "/api/v2/instance", host)
    if v2.status == 200:
        found = _read(v2, "v2", host)
        if found is not None:
            return InstanceLimit(host, found[0], "v2", found[1])
    elif not 400 <= v2.status < 500:
        raise _status_error(v2, host)
    # No v2 document (older Mastodon, forks), or one that names no limit: ask v1.
    v1 = _get(base + "/api/v1/instance", host)
    if v1.status == 200:
        found = _read(v1, "v1", host)
        if found is not None:
            return InstanceLimit(host, found[0], "v1", found[1])
    elif v2.status != 200:
        raise _status_error(v1, host)
    return InstanceLimit(
        host,
        instances.DEFAULT_LIMIT,
        "default",
        f"{host} does not say its post limit; Mastodon's default of "
        f"{instances.DEFAULT_LIMIT} is assumed.",
    )


def _read(
    answer: _Answer, version: instances.ApiVersion, host: str
) -> tuple[int, str | None] | None:
    media = answer.content_type.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise InstanceInvalid(
            f"{host} answered with {media or 'no content type'}, not JSON: is it a Mastodon server?"
        )
    try:
        document = json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InstanceInvalid(f"{host} answered with broken JSON.") from exc
    try:
        return instances.read_limit(document, version)
    except instances.InstanceDocumentError as exc:
        raise InstanceInvalid(f"{host} does not give a usable post limit: {exc}.") from exc


def _status_error(answer: _Answer, host: str) -> AppError:
    if answer.status >= 500:
        return InstanceUnreachable(f"{host} answered HTTP {answer.status}; try again later.")
    if 300 <= answer.status < 400:
        return InstanceInvalid(
            f"{host} redirects elsewhere (HTTP {answer.status}); enter the name of the server "
            "your account is on."
        )
    return InstanceInvalid(
        f"{host} does not answer Mastodon's instance API (HTTP {answer.status}): "
        "is it a Mastodon server?"
    )


def _get(url: str, host: str) -> _Answer:
    test_mode = bool(current_app.config.get("MASTODON_TEST_URL"))
    parts = urlsplit(url)
    if parts.scheme != "https" and not (test_mode and parts.scheme == "http"):
        raise HostNotAllowed("Only https:// addresses are looked up.", field="host")
    name = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    address = _resolve(name, port, host, allow_loopback=test_mode)
    deadline = time.monotonic() + TIMEOUT
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = _PinnedHTTPSConnection(name, port, address, deadline, _tls_context())
    else:
        connection = _PinnedHTTPConnection(name, port, address, deadline)
    try:
        connection.request(
            "GET", path, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
        )
        sock = connection.sock
        _tighten(sock, deadline)
        response = connection.getresponse()
        declared = response.getheader("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BYTES:
            raise _too_large(host)
        chunks: list[bytes] = []
        size = 0
        while True:
            _tighten(sock, deadline)
            chunk = response.read1(16 * 1024)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_BYTES:
                raise _too_large(host)
            chunks.append(chunk)
        return _Answer(response.status, response.getheader("Content-Type") or "", b"".join(chunks))
    except TimeoutError as exc:
        raise InstanceUnreachable(
            f"{host} did not answer within {TIMEOUT:g} s.", status=504
        ) from exc
    except ssl.SSLError as exc:
        raise InstanceUnreachable(
            f"{host} could not be reached securely (TLS: {exc.reason or 'failed'})."
        ) from exc
    except http.client.HTTPException as exc:
        raise InstanceInvalid(f"{host} did not answer in HTTP ({type(exc).__name__}).") from exc
    except OSError as exc:
        raise InstanceUnreachable(
            f"{host} could not be reached ({exc.strerror or type(exc).__name__})."
        ) from exc
    finally:
        connection.close()


def _too_large(host: str) -> InstanceInvalid:
    return InstanceInvalid(f"{host} answered with more than {MAX_BYTES // 1024} KiB.")


def _tighten(sock: socket.socket | None, deadline: float) -> None:
    """Give the next socket operation only what is left of the request's time."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    if sock is not None:
        # Once the response owns the socket this may fail; its own timeout still applies.
        with suppress(OSError):
            sock.settimeout(remaining)


def _resolve(name: str, port: int, host: str, *, allow_loopback: bool) -> str:
    """The address to connect to; every address ``name`` resolves to must be allowed."""
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            raise InstanceNotFound(
                f"No server answers to the name {host}; check the spelling.", field="host"
            ) from exc
        raise InstanceUnreachable(f"{host} could not be looked up in DNS; try again.") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise InstanceNotFound(f"No server answers to the name {host}.", field="host")
    refused = [
        a for a in addresses if not instances.address_allowed(a, allow_loopback=allow_loopback)
    ]
    if refused:
        raise HostNotAllowed(
            f"{host} points at a private or local network address; only public servers are "
            "looked up.",
            field="host",
        )
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the address that was checked, whatever DNS says now."""

    def __init__(self, name: str, port: int, address: str, deadline: float) -> None:
        super().__init__(name, port, timeout=TIMEOUT)
        self.address = address
        self.deadline = deadline

    def connect(self) -> None:
        self.sock = _connect(self.address, self.port, self.deadline)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the address that was checked; the certificate must be for the name."""

    def __init__(
        self, name: str, port: int, address: str, deadline: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(name, port, timeout=TIMEOUT, context=context)
        self.address = address
        self.deadline = deadline
        self.tls = context

    def connect(self) -> None:
        sock = _connect(self.address, self.port, self.deadline)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _connect(address: str, port: int, deadline: float) -> socket.socket:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    return socket.create_connection((address, port), timeout=min(TIMEOUT, remaining))
