"""One load-generator process: N raw Socket.IO clients (Engine.IO 4 over websocket).

A full Socket.IO client costs tens of microseconds per message, which on a 2-core machine
shared with the server would make the benchmark measure the client. This one speaks just
enough of the protocols (RFC 6455 frames, Engine.IO open/ping/pong, Socket.IO namespace
connect, an acknowledged ``join``) and only scans each ``posts`` event for the benchmark's
markers ``k=<index> t=<monotonic µs>`` in the post text.

Driven by ``run.py`` over stdin/stdout, one JSON line per answer:
  started -> {"ready": connected, "failed": n, "errors": [...]}
  "status" -> {"received": deliveries so far, "closed": clients the server dropped}
  "report PATH" (PATH: JSON {"ok": [indices]}) -> counts; latencies (µs) go to --lat-file
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import sys
import time
from array import array
from datetime import datetime
from typing import Any

MARKER = re.compile(rb"k=(\d+) t=(\d+)")
CREATED = re.compile(rb'"created_at":"([^"]+)"')
#: Every Nth client also measures from the server's ``created_at`` stamp (set just before the
#: insert and commit) to receipt, on the wall clock: parsing dates for all would cost the
#: load generator more than the server.
SAMPLE_EVERY = 10
NS = b"/live"


def _frame(payload: bytes) -> bytes:
    """A masked client text frame (clients must mask; the mask is random per frame)."""
    size = len(payload)
    if size < 126:
        head = bytes((0x81, 0x80 | size))
    elif size < 65536:
        head = bytes((0x81, 0x80 | 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((0x81, 0x80 | 127)) + size.to_bytes(8, "big")
    mask = os.urandom(4)
    key = (mask * (size // 4 + 1))[:size]
    body = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(size, "big")
    return head + mask + body


class Generator:
    def __init__(self, args: argparse.Namespace) -> None:
        self.host = args.host
        self.port = args.port
        self.room = args.room
        self.max_posts = args.max_posts
        self.latencies = array("q")
        self.commit_latencies = array("q")
        self.received = 0
        self.closed = 0
        self.clients: list[Client] = []
        self.errors: list[str] = []
        self.opened = 0


class Client(asyncio.Protocol):
    def __init__(self, gen: Generator) -> None:
        self.gen = gen
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.upgraded = False
        self.joined: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.counts = bytearray(gen.max_posts)
        self.done = False
        self.sampled = gen.opened % SAMPLE_EVERY == 0
        gen.opened += 1

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert hasattr(transport, "write")  # uvloop's transports are not asyncio.Transport
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16))
        transport.write(
            b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            b"Host: " + f"{self.gen.host}:{self.gen.port}".encode() + b"\r\n"
            b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done:
            self.gen.closed += 1
        self._fail("connection lost")

    def _fail(self, why: str) -> None:
        if not self.joined.done():
            self.joined.set_exception(ConnectionError(why))

    def send(self, payload: bytes) -> None:
        if self.transport is not None:
            self.transport.write(_frame(payload))

    def data_received(self, data: bytes) -> None:
        now = time.monotonic_ns() // 1000
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buf.startswith(b"HTTP/1.1 101"):
                self._fail(bytes(buf[: buf.find(b"\r\n")]).decode(errors="replace"))
                return
            del buf[: end + 4]
            self.upgraded = True
        pos, size = 0, len(buf)
        while size - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            length, head = b1 & 0x7F, 2
            if length == 126:
                if size - pos < 4:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            if size - pos < head + length:
                break
            payload = bytes(buf[pos + head : pos + head + length])
            pos += head + length
            opcode = b0 & 0x0F
            if opcode in (0, 1, 2):
                self.on_message(payload, now)
            elif opcode == 8 and self.transport is not None:
                self.transport.close()
            elif opcode == 9 and self.transport is not None:
                self.transport.write(bytes((0x8A, 0x80)) + os.urandom(4))  # empty pong
        if pos:
            del buf[:pos]

    def on_message(self, msg: bytes, now: int) -> None:
        kind = msg[:1]
        if kind == b"4":
            if msg.startswith(b'42/live,["posts"'):
                counts, lat, gen = self.counts, self.gen.latencies, self.gen
                for k, t in MARKER.findall(msg):
                    i = int(k)
                    if i < len(counts) and counts[i] < 255:
                        counts[i] += 1
                    lat.append(now - int(t))
                    gen.received += 1
                if self.sampled:
                    wall = time.time()
                    for stamp in CREATED.findall(msg):
                        created = datetime.fromisoformat(stamp.decode()).timestamp()
                        gen.commit_latencies.append(int((wall - created) * 1e6))
            elif msg.startswith(b"43/live,1"):
                if not self.joined.done():
                    if b'"ok":true' in msg:
                        self.joined.set_result(True)
                    else:
                        self._fail(msg.decode(errors="replace")[:200])
            elif msg.startswith(b"40/live,"):
                join = json.dumps(["join", {"room": self.gen.room}], separators=(",", ":"))
                self.send(b"42/live,1" + join.encode())
            elif msg.startswith(b"44/live,"):
                self._fail(msg.decode(errors="replace")[:200])
        elif kind == b"2":
            self.send(b"3")
        elif kind == b"0":
            self.send(b"40/live,")
        elif kind == b"1" and self.transport is not None:
            self.transport.close()


async def _connect_one(gen: Generator, sem: asyncio.Semaphore) -> Client | None:
    async with sem:
        loop = asyncio.get_running_loop()
        for attempt in range(3):
            try:
                _, client = await asyncio.wait_for(
                    loop.create_connection(lambda: Client(gen), gen.host, gen.port), 30
                )
                await asyncio.wait_for(client.joined, 60)
                return client
            except (OSError, ConnectionError, TimeoutError) as exc:
                if attempt == 2:
                    gen.errors.append(f"{type(exc).__name__}: {exc}"[:200])
                await asyncio.sleep(0.5)
        return None


def _report(gen: Generator, expected_path: str, lat_file: str) -> dict[str, Any]:
    with open(expected_path) as fh:
        ok = sorted(set(json.load(fh)["ok"]))
    ok_set = set(ok)
    lost = dup = unexpected = clients_missing = 0
    for client in gen.clients:
        counts = client.counts
        missing = sum(1 for i in ok if counts[i] == 0)
        lost += missing
        clients_missing += missing > 0
        for i, c in enumerate(counts):
            if c > 1:
                dup += c - 1
            if c and i not in ok_set:
                unexpected += c
    with open(lat_file, "wb") as fh:
        gen.latencies.tofile(fh)
    with open(lat_file + ".commit", "wb") as fh:
        gen.commit_latencies.tofile(fh)
    return {
        "clients": len(gen.clients),
        "deliveries": gen.received,
        "lost": lost,
        "duplicated": dup,
        "unexpected": unexpected,
        "clients_missing_posts": clients_missing,
        "closed": gen.closed,
    }


async def main(args: argparse.Namespace) -> None:
    gen = Generator(args)
    sem = asyncio.Semaphore(args.concurrency)
    results = await asyncio.gather(*(_connect_one(gen, sem) for _ in range(args.clients)))
    gen.clients = [c for c in results if c is not None]
    out = sys.stdout
    out.write(
        json.dumps(
            {
                "ready": len(gen.clients),
                "failed": args.clients - len(gen.clients),
                "errors": gen.errors[:5],
            }
        )
        + "\n"
    )
    out.flush()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = (await reader.readline()).decode().strip()
        if not line or line == "quit":
            break
        if line == "status":
            answer: dict[str, Any] = {"received": gen.received, "closed": gen.closed}
        elif line.startswith("report "):
            answer = _report(gen, line.split(" ", 1)[1], args.lat_file)
        else:
            answer = {"error": f"unknown command {line!r}"}
        out.write(json.dumps(answer) + "\n")
        out.flush()
    for client in gen.clients:
        client.done = True
        if client.transport is not None:
            client.transport.close()
    await asyncio.sleep(0.2)


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--room", default="conference:nrc26")
    parser.add_argument("--max-posts", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--lat-file", default=os.devnull)
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        asyncio.run(main(args))
    else:
        uvloop.run(main(args))


if __name__ == "__main__":
    cli()
