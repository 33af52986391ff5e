"""Two ``backchannel serve`` processes share one wall through PostgreSQL and Redis.

Redis is Flask-SocketIO's message queue (a doorbell); the database is the source of truth.
A post made on one process reaches the sockets of the other exactly once; while Redis is
down posts are still acknowledged, and once it is back every client that rejoins with its
last seq has every acknowledged post exactly once.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.live_server import (
    Deployment,
    LiveClient,
    RedisServer,
    ServerProcess,
    page_posts,
    post_http,
    postgres_database,
    shared_redis,
    socketio,
    token_for,
    wait_until,
    wait_until_listening,
)
from tests.words import unique_word

pytestmark = pytest.mark.e2e

POSTER = ("e2e-poster", "poster passphrase 42")
#: A database index of its own on the machine's Redis (flushed first).
SHARED_REDIS_DB = 11


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    with postgres_database("multiprocess") as url:
        workdir = tmp_path_factory.mktemp("multiprocess")
        Deployment(workdir, url).seed({POSTER[0]: POSTER[1]})
        yield workdir, url


@contextmanager
def two_servers(
    workdir: Path, database_url: str, redis_url: str, settings: dict[str, str] | None = None
) -> Iterator[Deployment]:
    """Servers A and B on loopback, started side by side."""
    deployment = Deployment(workdir, database_url, redis_url, settings)
    servers = [deployment.server(0), deployment.server(1)]
    errors: list[BaseException] = []

    def start(server: ServerProcess) -> None:
        try:
            server.start()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(s,)) for s in servers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        yield deployment
    finally:
        deployment.stop_all()


def connect_clients(deployment: Deployment, token: str) -> list[LiveClient]:
    """A watcher and a poster on each server, once both processes listen on Redis."""
    a, b = deployment.servers
    clients = [LiveClient(a.url).connect(), LiveClient(b.url).connect()]
    clients += [LiveClient(a.url, token).connect(), LiveClient(b.url, token).connect()]
    assert wait_until_listening(str(deployment.redis_url), clients)
    return clients


def http_post(url: str, token: str, text: str, key: str | None = None) -> dict[str, Any]:
    response = post_http(url, token, text, key or str(uuid.uuid4()))
    assert response.status_code == 201, response.text
    post: dict[str, Any] = response.json()
    return post


def socket_post(client: LiveClient, text: str, client_id: str | None = None) -> dict[str, Any]:
    ack = client.post(text, client_id)
    assert ack["ok"] is True, ack
    post: dict[str, Any] = ack["post"]
    return post


def test_a_post_on_one_process_reaches_the_clients_of_the_other_exactly_once(
    database: tuple[Path, str],
) -> None:
    workdir, database_url = database
    redis_url = shared_redis(SHARED_REDIS_DB)
    with two_servers(workdir, database_url, redis_url) as deployment:
        a, b = deployment.servers
        token = token_for(a.url, *POSTER)
        clients = connect_clients(deployment, token)
        posters = clients[2:]
        for client in clients:
            client.join(None)

        key = str(uuid.uuid4())
        over_http = http_post(a.url, token, "HTTP on A, watched on B", key)
        retried = post_http(b.url, token, "HTTP on A, watched on B", key)
        client_id = str(uuid.uuid4())
        over_socket = socket_post(posters[1], "Socket on B, watched on A", client_id)
        retried_socket = socket_post(posters[0], "Socket on B, watched on A", client_id)
        acked = [
            over_http,
            over_socket,
            socket_post(posters[0], "Socket on A"),
            http_post(b.url, token, "HTTP on B"),
        ]
        # Fences: each process publishes its events in commit order, so once a client has
        # the last post of each process, anything either would publish twice is in too.
        fences = [http_post(a.url, token, "fence A"), http_post(b.url, token, "fence B")]
        acked += fences
        for client in clients:
            assert client.wait_for({p["id"] for p in acked}), client.url

        assert retried.status_code == 201 and retried.headers["Idempotent-Replayed"] == "true"
        assert retried.json() == over_http
        assert retried_socket == over_socket
        once = Counter({post["id"]: 1 for post in acked})
        for client in clients:
            assert client.live == once, client.url
            assert client.wall() == sorted(acked, key=lambda p: p["seq"])
            assert client.inconsistent == []
        assert [p["seq"] for p in acked] == sorted({p["seq"] for p in acked})


def test_posts_made_while_redis_is_down_reach_every_client_after_it_returns(
    database: tuple[Path, str], tmp_path: Path
) -> None:
    workdir, database_url = database
    queue = RedisServer(tmp_path)
    queue.start()
    try:
        # Rate limits on, as in production: their counters live in the same Redis.
        settings = {"RATELIMIT_ENABLED": "1"}
        with two_servers(workdir, database_url, queue.url(0), settings) as deployment:
            a, b = deployment.servers
            token = token_for(b.url, *POSTER)
            clients = connect_clients(deployment, token)
            posters = clients[2:]
            for client in clients:
                client.join(0)  # the whole wall so far, then live
            before = [
                http_post(a.url, token, "before the outage, A"),
                socket_post(posters[1], "before the outage, B"),
            ]
            for client in clients:
                assert client.wait_for({p["id"] for p in before})

            queue.stop()
            key = str(uuid.uuid4())
            during = [
                http_post(a.url, token, "Redis is down: HTTP on A", key),
                socket_post(posters[1], "Redis is down: socket on B"),
                http_post(b.url, token, "Redis is down: HTTP on B"),
                socket_post(posters[0], "Redis is down: socket on A"),
            ]
            replayed = post_http(b.url, token, "Redis is down: HTTP on A", key)
            assert replayed.status_code == 201 and replayed.json() == during[0]
            assert a.process is not None and a.process.poll() is None
            assert b.process is not None and b.process.poll() is None

            queue.start()  # the same port: the servers' listeners reconnect by themselves
            for client in clients:
                client.probes = 0
            assert wait_until_listening(queue.url(0), clients), a.tail() + b.tail()
            for client in clients:
                client.rejoin()
            after = http_post(b.url, token, "after the outage")
            acked = before + during + [after]
            for client in clients:
                assert client.wait_for({after["id"]}), client.url

            stored, _ = page_posts(a.url)
            assert [p for p in stored if p["seq"] >= before[0]["seq"]] == acked
            for client in clients:
                assert client.wall() == stored, client.url
                assert client.live[after["id"]] == 1
                assert client.live_repeats == 0
                assert client.inconsistent == []
    finally:
        queue.stop()


def test_an_accounts_socket_cap_and_posting_budget_hold_across_processes(
    database: tuple[Path, str],
) -> None:
    """Ten sockets per account and ten posts in ten seconds, however the load balancer
    spreads the account's tabs over the processes (counted in Redis)."""
    workdir, database_url = database
    redis_url = shared_redis(SHARED_REDIS_DB)
    with two_servers(workdir, database_url, redis_url, {"RATELIMIT_ENABLED": "1"}) as deployment:
        a, b = deployment.servers
        token = token_for(a.url, *POSTER)
        tabs = [LiveClient(server.url, token).connect() for server in (a, b) * 5]

        assert _refusal(b.url, token) == "too_many_connections"
        assert _refusal(b.url, "not-a-token") == "invalid_token"
        tabs.pop(0).disconnect()  # a tab on A closes: its place is free for one on B
        assert wait_until(lambda: _connects(b.url, token, tabs), timeout=10)
        assert _refusal(a.url, token) == "too_many_connections"

        acks = [tab.post(f"Burst post {n} {unique_word()}") for n, tab in enumerate(tabs)]
        refused = [tab.post(f"One too many {unique_word()}") for tab in tabs[:2]]

        assert [ack["ok"] for ack in acks] == [True] * len(tabs)
        assert {tab.url for tab in tabs} == {a.url, b.url}
        for ack in refused:  # one on each process
            assert ack["ok"] is False and ack["error"]["code"] == "rate_limited"
            assert 1 <= ack["error"]["retry_after"] <= 10
        for tab in tabs:
            tab.disconnect()


def _refusal(url: str, token: str) -> str | None:
    """The code the server refused a socket with (None if it was accepted)."""
    refusals: list[Any] = []
    sio = socketio.Client(reconnection=False)
    sio.on("connect_error", refusals.append, namespace="/live")
    try:
        sio.connect(url, namespaces=["/live"], transports=["websocket"], auth={"token": token},
                    wait_timeout=20)
    except socketio.exceptions.ConnectionError:
        return str(refusals[0]["code"]) if refusals else "no reason given"
    sio.disconnect()
    return None


def _connects(url: str, token: str, tabs: list[LiveClient]) -> bool:
    try:
        tabs.append(LiveClient(url, token).connect())
    except socketio.exceptions.ConnectionError:
        return False
    return True
