"""Real ``backchannel serve`` processes, databases, a private Redis and real Socket.IO clients.

The e2e tests of the live wall drive the installed command in subprocesses, exactly as an
operator runs it: seeded with ``backchannel demo`` and ``backchannel user create``, tokens
from ``POST /api/v1/auth/token``, sockets from python-socketio's own client over the
websocket transport. Nothing of ours is faked; processes are stopped (or ``kill -9``-ed)
by their pid only.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import requests
from psycopg import sql

from tests.shared_data import REPO

socketio = pytest.importorskip("socketio", reason="python-socketio is a dependency")
pytest.importorskip("websocket", reason="pip install websocket-client==1.9.2 (socket clients)")

BIN = Path(sys.executable).parent / "backchannel"
PG_ADMIN_URL = os.environ.get(
    "BACKCHANNEL_E2E_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SHARED_REDIS_URL = os.environ.get("BACKCHANNEL_E2E_REDIS_URL", "redis://127.0.0.1:6379")
SLUG = "nrc26"
ROOM = f"conference:{SLUG}"
NAMESPACE = "/live"
DEMO_PASSWORD = "nrc26-demo-pass"
#: Flask-SocketIO's Redis channel (pub/sub channels are global to a Redis server).
SOCKETIO_CHANNEL = "flask-socketio"
WAIT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Any, timeout: float = WAIT, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` passes; the caller asserts after."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


# --- databases -----------------------------------------------------------------------------


def postgres_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


#: A database kept for the e2e tests; each test module works in a schema of its own.
E2E_DATABASE = os.environ.get("BACKCHANNEL_E2E_PG_DATABASE", "backchannel_e2e")


@contextmanager
def postgres_database(label: str) -> Iterator[str]:
    """A fresh PostgreSQL schema for one test module, dropped at the end.

    A schema, not a database: DROP DATABASE forces a checkpoint, which takes tens of
    seconds on a machine whose PostgreSQL is busy with other work.
    """
    if not postgres_available():
        pytest.skip(f"PostgreSQL is not answering at {PG_ADMIN_URL} (scripts/services-up)")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        known = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [E2E_DATABASE])
        if known.fetchone() is None:
            with suppress(psycopg.errors.DuplicateDatabase):  # another run made it meanwhile
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(E2E_DATABASE)))
    admin = psycopg.conninfo.conninfo_to_dict(PG_ADMIN_URL)
    host, port, user = admin.get("host", "127.0.0.1"), admin.get("port", 5432), admin["user"]
    base = f"postgresql://{user}@{host}:{port}/{E2E_DATABASE}"
    schema = f"e2e_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def sqlite_url(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'backchannel.db'}"


# --- Redis ---------------------------------------------------------------------------------


def shared_redis(db: int) -> str:
    """The machine's Redis with a database index of its own, flushed (skip if it is down)."""
    url = f"{SHARED_REDIS_URL}/{db}"
    try:
        redis.Redis.from_url(url, socket_timeout=3).flushdb()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not answering at {SHARED_REDIS_URL}: {exc} (scripts/services-up)")
    return url


def wait_until_listening(redis_url: str, clients: list[LiveClient], timeout: float = WAIT) -> bool:
    """Wait until events published on Redis reach every client's server process.

    python-socketio subscribes a process when its first socket connects, and again after
    Redis comes back (with a back-off). A ``probe`` event published to each client's own
    socket id (as any external process may, with a write-only manager) shows that the
    client's process listens; servers on the same Redis that do not hold that socket ignore
    it, so other users of a shared Redis neither disturb this nor see it.
    """
    manager = socketio.RedisManager(redis_url, channel=SOCKETIO_CHANNEL, write_only=True)
    deadline = time.monotonic() + timeout
    waiting = list(clients)
    while waiting and time.monotonic() < deadline:
        for client in waiting:
            manager.emit("probe", {}, namespace=NAMESPACE, room=client.sid)
        time.sleep(0.1)
        waiting = [client for client in waiting if not client.probes]
    return not waiting


class RedisServer:
    """A private ``redis-server`` on its own port, so a test can stop it without harm."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.log = folder / f"redis-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        if not wait_until(self.answers, timeout=20):
            raise RuntimeError(f"redis-server did not start:\n{self.log.read_text()}")

    def answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


# --- server processes ----------------------------------------------------------------------


def cli(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(BIN), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"backchannel {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Deployment:
    """The settings that the processes of one test share (database, Redis, origins)."""

    def __init__(
        self,
        workdir: Path,
        database_url: str,
        redis_url: str | None = None,
        settings: dict[str, str] | None = None,
    ) -> None:
        if not BIN.exists():
            pytest.skip(f"{BIN} is not installed (pip install -e .)")
        self.workdir = workdir
        self.database_url = database_url
        self.redis_url = redis_url
        self.settings = settings or {}
        self.ports: list[int] = [free_port() for _ in range(4)]
        self.servers: list[ServerProcess] = []

    def env(self, public_url: str | None = None) -> dict[str, str]:
        drop = {"DATABASE_URL", "REDIS_URL", "BACKCHANNEL_FAKE_NOW", "BACKCHANNEL_INSTANCE"}
        env = {k: v for k, v in os.environ.items() if k not in drop}
        origins = ",".join(f"http://127.0.0.1:{port}" for port in self.ports)
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "BACKCHANNEL_INSTANCE": str(self.workdir / "instance"),
                "SECRET_KEY": "e2e-secret-key-not-for-production",
                "PUBLIC_URL": public_url or f"http://127.0.0.1:{self.ports[0]}",
                "ALLOWED_ORIGINS": origins,
                "RATELIMIT_ENABLED": "0",
                "IMPORT_REFRESH_ENABLED": "0",
                "ARGON2_PROFILE": "cheapest",
                "LOG_LEVEL": "WARNING",
            }
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(self.settings)
        return env

    def seed(self, users: dict[str, str] | None = None) -> None:
        """The demo congress (conference ``nrc26`` and its demo accounts) plus ``users``."""
        cli(["demo"], self.env())
        for username, password in (users or {}).items():
            env = {**self.env(), "BACKCHANNEL_PASSWORD": password}
            cli(["user", "create", username, "--role", "attendee"], env)

    def server(self, index: int = 0) -> ServerProcess:
        port = self.ports[index]
        server = ServerProcess(self.env(f"http://127.0.0.1:{port}"), port, self.workdir)
        self.servers.append(server)
        return server

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()


class ServerProcess:
    """One ``backchannel serve`` (a single gevent process), started, stopped or killed."""

    def __init__(self, env: dict[str, str], port: int, workdir: Path) -> None:
        self.env = env
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = workdir / f"serve-{port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        # The schema is made by the seeding commands; processes start as docs/deploy.md says.
        args = [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--no-upgrade"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                args, env=self.env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT
            )
        process = self.process
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}:\n{self.tail()}")
            try:
                if requests.get(f"{self.url}/api/v1/conferences", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer within {WAIT} s:\n{self.tail()}")

    def tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def kill9(self) -> None:
        """``kill -9``: no shutdown code runs, open transactions are cut where they stand."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill9()


# --- HTTP ----------------------------------------------------------------------------------


def token_for(url: str, username: str, password: str = DEMO_PASSWORD) -> str:
    response = requests.post(
        f"{url}/api/v1/auth/token", json={"username": username, "password": password}, timeout=10
    )
    assert response.status_code in (200, 201), response.text
    return str(response.json()["token"])


def post_http(
    url: str, token: str, text: str, key: str, *, timeout: float = 10.0
) -> requests.Response:
    """One attempt at ``POST /conferences/nrc26/posts`` (a fresh connection, like a phone)."""
    return requests.post(
        f"{url}/api/v1/conferences/{SLUG}/posts",
        json={"text": text},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        timeout=timeout,
    )


def page_posts(
    url: str, after: int = 0, limit: int = 500
) -> tuple[list[dict[str, Any]], list[int]]:
    """Every visible post after ``after`` over HTTP, page by page; also the removed ids."""
    items: list[dict[str, Any]] = []
    removed: list[int] = []
    cursor: int | None = after
    while cursor is not None:
        response = requests.get(
            f"{url}/api/v1/conferences/{SLUG}/posts",
            params={"after": cursor, "limit": limit},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        removed += page["removed"]
        cursor = page["next"]
    return items, removed


# --- Socket.IO clients ---------------------------------------------------------------------


class LiveClient:
    """A wall as the PWA keeps it: posts by id, the last seq seen, rejoin with ``since``.

    ``live`` counts deliveries by ``posts`` events over the client's whole life and
    ``live_repeats`` counts a post delivered live twice on the same connection (which the
    server must never do; replays in join acks are de-duplicated by id, as real clients do).
    """

    def __init__(self, url: str, token: str | None = None, room: str = ROOM) -> None:
        self.url = url
        self.token = token
        self.room = room
        self.posts: dict[int, dict[str, Any]] = {}
        self.removed: set[int] = set()
        self.last_seq = 0
        self.live: Counter[int] = Counter()
        self.live_repeats = 0
        self.resyncs = 0
        self.probes = 0
        self.inconsistent: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self._on_this_connection: set[int] = set()
        self._versions: dict[int, int] = {}  # id -> seq of the latest event applied
        self._changed = threading.Condition()
        self.sio: Any = None

    # connection ------------------------------------------------------------------------

    def connect(self) -> LiveClient:
        sio = socketio.Client(reconnection=False)
        sio.on("posts", self._on_posts, namespace=NAMESPACE)
        sio.on("post_removed", self._on_removed, namespace=NAMESPACE)
        sio.on("probe", self._on_probe, namespace=NAMESPACE)
        with self._changed:
            self._on_this_connection = set()
        sio.connect(
            self.url,
            namespaces=[NAMESPACE],
            transports=["websocket"],
            auth={"token": self.token} if self.token else None,
            wait_timeout=20,
        )
        self.sio = sio
        return self

    @property
    def sid(self) -> str:
        """This connection's id in ``/live`` (a room of its own on the server)."""
        return str(self.sio.get_sid(NAMESPACE))

    @property
    def connected(self) -> bool:
        return bool(self.sio is not None and self.sio.connected)

    def disconnect(self) -> None:
        """A clean leave (the page is closed)."""
        if self.sio is not None:
            self.sio.disconnect()
            self.sio = None

    def drop(self) -> None:
        """The network goes away: the TCP connection is cut without a close frame."""
        sio, self.sio = self.sio, None
        if sio is None:
            return
        with suppress(OSError, AttributeError):
            sio.eio.ws.sock.shutdown(socket.SHUT_RDWR)
        wait_until(lambda: not sio.connected, timeout=20)
        with suppress(Exception):
            sio.disconnect()

    # joining ---------------------------------------------------------------------------

    def join(self, since: int | None) -> dict[str, Any]:
        payload: dict[str, Any] = {"room": self.room}
        if since is not None:
            payload["since"] = since
        ack: dict[str, Any] = self.sio.call("join", payload, namespace=NAMESPACE, timeout=30)
        if not ack.get("ok"):
            raise AssertionError(f"join failed: {ack}")
        if ack.get("resync"):
            self.resyncs += 1
            return ack
        with self._changed:
            for post in ack.get("posts", []):
                self._keep(post)
            for post_id in ack.get("removed", []):
                # Removed as of the ack's seq; a later live event (a restore) stands.
                if self._versions.get(post_id, 0) <= int(ack["seq"]):
                    self._remove(post_id, None)
            # The replay covers everything up to the ack's seq (or the client asked to
            # start from now by leaving ``since`` out).
            self.last_seq = max(self.last_seq, int(ack["seq"]))
            self._changed.notify_all()
        return ack

    def rejoin(self) -> dict[str, Any]:
        """Join with the last seq seen; a too-old cursor pages over HTTP, then joins again."""
        ack = self.join(self.last_seq)
        if ack.get("resync"):
            self.catch_up_over_http()
            ack = self.join(self.last_seq)
            assert not ack.get("resync"), ack
        return ack

    def catch_up_over_http(self) -> None:
        items, removed = page_posts(self.url, after=self.last_seq, limit=100)
        with self._changed:
            for post_id in removed:
                self._remove(post_id, None)
            for post in items:
                self._keep(post)
            self._changed.notify_all()

    # posting ---------------------------------------------------------------------------

    def post(self, text: str, client_id: str | None = None) -> dict[str, Any]:
        payload = {"room": self.room, "text": text, "client_id": client_id or str(uuid.uuid4())}
        ack: dict[str, Any] = self.sio.call("post", payload, namespace=NAMESPACE, timeout=30)
        return ack

    # events ----------------------------------------------------------------------------

    def _on_posts(self, data: dict[str, Any]) -> None:
        if data.get("room") != self.room:
            return
        with self._changed:
            for post in data["posts"]:
                self.live[post["id"]] += 1
                if post["id"] in self._on_this_connection:
                    self.live_repeats += 1
                self._on_this_connection.add(post["id"])
                self._keep(post)
            self._changed.notify_all()

    def _on_probe(self, data: Any = None) -> None:
        self.probes += 1

    def _on_removed(self, data: dict[str, Any]) -> None:
        if data.get("room") != self.room:
            return
        with self._changed:
            self._remove(int(data["id"]), data.get("seq"))
            self._changed.notify_all()

    def _keep(self, post: dict[str, Any]) -> None:
        """Show a post unless a later event (a removal) already superseded it.

        A post restored by a moderator comes back under a new, higher seq.
        """
        seq = int(post["seq"])
        known = self.posts.get(post["id"])
        if known is not None and known["seq"] == seq and known != post:
            self.inconsistent.append((known, post))
        if seq >= self._versions.get(post["id"], 0):
            self._versions[post["id"]] = seq
            self.removed.discard(post["id"])
            self.posts[post["id"]] = post
        self.last_seq = max(self.last_seq, seq)

    def _remove(self, post_id: int, seq: int | None) -> None:
        """``seq`` is the removal's number (live events); join acks list current removals."""
        if seq is not None:
            self.last_seq = max(self.last_seq, int(seq))
            if int(seq) < self._versions.get(post_id, 0):
                return
            self._versions[post_id] = int(seq)
        self.removed.add(post_id)
        self.posts.pop(post_id, None)

    # waiting ---------------------------------------------------------------------------

    def wait_for(self, ids: set[int], timeout: float = WAIT) -> bool:
        """Wait until every id in ``ids`` is on this wall (the caller asserts afterwards)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not ids <= self.posts.keys():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def wall(self) -> list[dict[str, Any]]:
        """The posts in the order a wall shows them (by seq)."""
        with self._changed:
            return sorted(self.posts.values(), key=lambda p: int(p["seq"]))
