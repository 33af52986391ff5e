"""The lean live fan-out: a room emit becomes one websocket frame, written to every member.

Why (figures in docs/performance.md): python-socketio encodes a room emit once, but then
puts the packet on each recipient's queue and wakes that connection's writer greenlet, and
simple-websocket frames it again for each recipient through wsproto; that costs tens of
microseconds of Python per delivery, so latency grows with the room. Here:

* :class:`LeanWebSocket` is engineio's websocket for gevent (instead of simple-websocket):
  RFC 6455 on the request's own gevent socket, read by the request greenlet itself (no
  reader thread per connection), no compression extension, so a server frame is the same
  bytes for every client.
* Writes never yield. A frame goes out with one non-blocking ``send``; what the kernel does
  not take waits in a per-connection backlog that a flusher greenlet drains, and later
  frames queue behind it. Two greenlets therefore never interleave bytes on one socket and
  frames keep their order. A client whose backlog passes :data:`MAX_BACKLOG_BYTES` is cut
  off; it rejoins with its last sequence number and catches up.
* :class:`LiveManager` (and :class:`LiveRedisManager` with ``REDIS_URL``) builds the frame of
  a room emit once and writes it straight to each member whose engine.io socket is upgraded
  to our websocket and has nothing queued; every other member (long-polling, upgrading, or
  with packets still queued) takes python-socketio's normal path, so per-connection order
  holds either way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import socket
from collections.abc import Callable, Iterable
from typing import Any

import socketio
from engineio import packet as eio_packet
from flask_socketio import SocketIO
from socketio import packet as sio_packet

log = logging.getLogger(__name__)

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#: Bytes a slow client may have waiting in its backlog before it is disconnected.
MAX_BACKLOG_BYTES = 1 << 20
OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
CLOSE_NORMAL, CLOSE_PROTOCOL, CLOSE_BAD_DATA, CLOSE_TOO_BIG = 1000, 1002, 1007, 1009

#: engine.io sid -> its websocket, for the connections the direct path may write to.
_live: dict[str, LeanWebSocket] = {}


def frame(payload: bytes, opcode: int = OP_TEXT) -> bytes:
    """An unmasked, unfragmented server frame (servers never mask: same bytes for all)."""
    size = len(payload)
    if size < 126:
        return bytes((0x80 | opcode, size)) + payload
    if size < 65536:
        return bytes((0x80 | opcode, 126)) + size.to_bytes(2, "big") + payload
    return bytes((0x80 | opcode, 127)) + size.to_bytes(8, "big") + payload


def unmask(data: bytes, mask: bytes) -> bytes:
    """XOR a client payload with its 4-byte mask (one big-integer XOR: C speed)."""
    size = len(data)
    if not size:
        return data
    key = (mask * (size // 4 + 1))[:size]
    return (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(size, "big")


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1(key.encode() + WS_GUID).digest()).decode()


def _valid_key(key: str) -> bool:
    try:
        return len(base64.b64decode(key.encode(), validate=True)) == 16
    except (binascii.Error, ValueError):
        return False


class ProtocolError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class LeanWebSocket:
    """A server websocket with the interface engineio's handler uses: send, wait, close."""

    __slots__ = (
        "_sock",
        "_rfile",
        "_spawn",
        "max_message",
        "connected",
        "engine",
        "_backlog",
        "_backlog_bytes",
        "_close_sent",
    )

    def __init__(
        self, sock: Any, rfile: Any, max_message: int, spawn: Callable[..., Any]
    ) -> None:
        #: engineio sets the read timeout (ping interval + timeout) on ``_sock``.
        self._sock = sock
        self._rfile = rfile
        self._spawn = spawn
        self.max_message = max_message
        self.connected = True
        #: The engine.io socket this websocket carries (set by the WSGI adapter).
        self.engine: Any = None
        self._backlog: list[bytes] | None = None
        self._backlog_bytes = 0
        self._close_sent = False

    # -- writing: never yields ------------------------------------------------------------
    def send(self, message: str | bytes) -> None:
        """engineio's writer: one packet as a text (or binary) message."""
        if isinstance(message, str):
            self.write(frame(message.encode(), OP_TEXT))
        else:
            self.write(frame(bytes(message), OP_BINARY))

    def write(self, data: bytes) -> None:
        """Send whole frames without yielding; the kernel's leftovers go to the backlog."""
        if not self.connected:
            raise OSError("the websocket is closed")
        backlog = self._backlog
        if backlog is not None:
            backlog.append(data)
            self._backlog_bytes += len(data)
            if self._backlog_bytes > MAX_BACKLOG_BYTES:
                log.info("closing a websocket that fell %d bytes behind", self._backlog_bytes)
                self.abort()
                raise OSError("slow consumer")
            return
        try:
            sent = self._sock.send(data, 0, 0.0)
        except BlockingIOError:
            sent = 0
        except OSError:
            self.abort()
            raise
        if sent < len(data):
            rest = data[sent:]
            self._backlog = [rest]
            self._backlog_bytes = len(rest)
            self._spawn(self._flush)

    def _flush(self) -> None:
        """Drain the backlog (blocking, in its own greenlet); writers append meanwhile."""
        backlog = self._backlog
        try:
            while backlog:
                chunk = b"".join(backlog)
                backlog[:] = [chunk]
                self._sock.sendall(chunk)
                del backlog[0]
                self._backlog_bytes -= len(chunk)
        except OSError:
            self.abort()
            return
        if self._backlog is backlog:
            self._backlog = None
            self._backlog_bytes = 0
        if not self.connected:
            self._shutdown(socket.SHUT_WR)

    def ready(self) -> bool:
        """May a room emit write to this connection directly (nothing queued before it)?"""
        engine = self.engine
        return bool(
            self.connected
            and engine is not None
            and engine.upgraded
            and not engine.upgrading
            and not engine.closing
            and not engine.closed
            and not engine.queue.qsize()
        )

    # -- reading: in the request greenlet -------------------------------------------------
    def wait(self) -> str | bytes | None:
        """The next message, or ``None`` once the connection is over."""
        try:
            return self._receive()
        except ProtocolError as exc:
            self._send_close(exc.code, exc.reason)
            self.abort()
            return None
        except (OSError, ValueError, EOFError):
            self.abort()
            return None

    def _read(self, size: int) -> bytes:
        data: bytes = self._rfile.read(size)
        if len(data) < size:
            raise EOFError
        return data

    def _receive(self) -> str | bytes | None:
        parts: list[bytes] = []
        parts_size = 0
        first_opcode = 0
        while True:
            b0, b1 = self._read(2)
            fin, opcode, length = b0 & 0x80, b0 & 0x0F, b1 & 0x7F
            if b0 & 0x70:
                raise ProtocolError(CLOSE_PROTOCOL, "no extension was negotiated")
            if not b1 & 0x80:
                raise ProtocolError(CLOSE_PROTOCOL, "client frames must be masked")
            if length == 126:
                length = int.from_bytes(self._read(2), "big")
            elif length == 127:
                length = int.from_bytes(self._read(8), "big")
            if opcode >= OP_CLOSE and (length > 125 or not fin):
                raise ProtocolError(CLOSE_PROTOCOL, "bad control frame")
            if opcode < OP_CLOSE and parts_size + length > self.max_message:
                raise ProtocolError(CLOSE_TOO_BIG, "message too big")
            mask = self._read(4)
            payload = unmask(self._read(length), mask) if length else b""
            if opcode == OP_CLOSE:
                self._send_close(CLOSE_NORMAL, "")
                self.connected = False
                return None
            if opcode == OP_PING:
                if self.connected:
                    self.write(frame(payload, OP_PONG))
                continue
            if opcode == OP_PONG:
                continue
            if opcode in (OP_TEXT, OP_BINARY):
                if parts:
                    raise ProtocolError(CLOSE_PROTOCOL, "a message started inside another")
                first_opcode = opcode
            elif opcode != OP_CONTINUATION or not parts and not first_opcode:
                raise ProtocolError(CLOSE_PROTOCOL, f"unexpected opcode {opcode}")
            parts.append(payload)
            parts_size += length
            if not fin:
                continue
            message = parts[0] if len(parts) == 1 else b"".join(parts)
            if first_opcode == OP_BINARY:
                return message
            try:
                return message.decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(CLOSE_BAD_DATA, "text must be UTF-8") from None

    # -- closing ----------------------------------------------------------------------------
    def _send_close(self, code: int, reason: str) -> None:
        if self._close_sent or not self.connected:
            return
        self._close_sent = True
        try:
            self.write(frame(code.to_bytes(2, "big") + reason.encode()[:120], OP_CLOSE))
        except OSError:
            pass

    def close(self) -> None:
        """engineio closes the connection: a close frame, then no more writes."""
        if not self.connected:
            return
        self._send_close(CLOSE_NORMAL, "")
        self.connected = False
        if self._backlog is None:
            self._shutdown(socket.SHUT_WR)

    def abort(self) -> None:
        """Drop the connection now; the reader sees the end and engineio cleans up."""
        self.connected = False
        self._backlog = None
        self._shutdown(socket.SHUT_RDWR)

    def _shutdown(self, how: int) -> None:
        try:
            self._sock.shutdown(how)
        except OSError:
            pass


class LeanWebSocketWSGI:
    """engineio's ``_async['websocket']`` for gevent's pywsgi: the upgrade and the session."""

    fallback: Any = None

    def __init__(self, handler: Callable[[Any], Any], server: Any) -> None:
        self.app = handler
        self.server = server

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        rfile = environ.get("wsgi.input")
        sock = getattr(getattr(rfile, "raw", None), "_sock", None)
        if sock is None or "wsgi.websocket" in environ:
            if self.fallback is None:
                start_response("400 Bad Request", [("Content-Type", "text/plain")])
                return [b"websocket upgrade unavailable"]
            return self.fallback(self.app, self.server)(environ, start_response)
        key = str(environ.get("HTTP_SEC_WEBSOCKET_KEY", ""))
        if environ.get("HTTP_SEC_WEBSOCKET_VERSION") != "13" or not _valid_key(key):
            start_response(
                "400 Bad Request",
                [("Content-Type", "text/plain"), ("Sec-WebSocket-Version", "13")],
            )
            return [b"bad websocket handshake"]
        write = start_response(
            "101 Switching Protocols",
            [
                ("Upgrade", "websocket"),
                ("Connection", "Upgrade"),
                ("Sec-WebSocket-Accept", accept_key(key)),
            ],
        )
        write(b"")  # pywsgi sends the 101 now; the socket is ours from here
        ws = LeanWebSocket(
            sock, rfile, self.server.max_http_buffer_size, self.server.start_background_task
        )
        engine = getattr(self.app, "__self__", None)
        sid = getattr(engine, "sid", None)
        if isinstance(sid, str):
            ws.engine = engine
            _live[sid] = ws
        try:
            self.app(ws)
        finally:
            if isinstance(sid, str) and _live.get(sid) is ws:
                del _live[sid]
            ws.abort()
        return []


def install_lean_websocket(sio: SocketIO) -> bool:
    """Use :class:`LeanWebSocketWSGI` for this server's websockets (gevent mode only)."""
    eio = sio.server.eio
    if eio.async_mode != "gevent":
        return False
    current = eio._async.get("websocket")
    if current is None:
        return False
    if not (isinstance(current, type) and issubclass(current, LeanWebSocketWSGI)):
        adapter = type("LeanWebSocketWSGI", (LeanWebSocketWSGI,), {"fallback": current})
        eio._async = {**eio._async, "websocket": adapter}
    return True


def _frames(packets: Iterable[Any]) -> bytes:
    out = []
    for pkt in packets:
        encoded = pkt.encode()
        if isinstance(encoded, str):
            out.append(frame(encoded.encode(), OP_TEXT))
        else:
            out.append(frame(bytes(encoded), OP_BINARY))
    return b"".join(out)


class LiveEmit(socketio.Manager):  # type: ignore[misc]
    """Local delivery of room emits: encoded and framed once, written straight to members."""

    def emit(  # type: ignore[override]
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        room = to or room
        if callback is not None or not _live:
            super().emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs
            )
            return
        if namespace not in self.rooms:
            return
        if isinstance(data, tuple):
            args = list(data)
        elif data is not None:
            args = [data]
        else:
            args = []
        pkt = self.server.packet_class(sio_packet.EVENT, namespace=namespace, data=[event, *args])
        encoded = pkt.encode()
        packets = [
            eio_packet.Packet(eio_packet.MESSAGE, p)
            for p in (encoded if isinstance(encoded, list) else [encoded])
        ]
        frames = _frames(packets)
        skip = set(skip_sid) if isinstance(skip_sid, list) else {skip_sid}
        live = _live
        send_eio = self.server._send_eio_packet
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip:
                continue
            ws = live.get(eio_sid)
            if ws is not None and ws.ready():
                try:
                    ws.write(frames)
                except OSError:
                    pass  # the connection is gone; the client catches up when it rejoins
            else:
                for p in packets:
                    send_eio(eio_sid, p)


class LiveManager(LiveEmit):
    """The client manager of a single process."""


class LiveRedisManager(socketio.RedisManager, LiveEmit):  # type: ignore[misc]
    """Several processes through Redis; each delivers to its own members the lean way."""


def live_manager(redis_url: str | None, channel: str = "flask-socketio") -> Any:
    """The client manager for ``socketio.init_app(client_manager=...)``."""
    if redis_url:
        return LiveRedisManager(redis_url, channel=channel)
    return LiveManager()
