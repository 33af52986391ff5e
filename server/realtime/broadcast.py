"""The lean live fan-out: a room emit becomes one websocket frame, written to every member.

Why (figures in docs/performance.md): python-socketio encodes a room emit once, but then
puts the packet on each recipient's queue and wakes that connection's writer greenlet, and
simple-websocket frames it again for each recipient through wsproto; that costs tens of
microseconds of Python per delivery, so latency grows with the room, and each connection
holds three greenlets (reader thread, writer, ping) and about 60 KB. Here:

* :class:`LeanWebSocket` is engineio's websocket for gevent (instead of simple-websocket):
  RFC 6455 on the request's own socket, no compression extension, so a server frame is the
  same bytes for every client.
* Writes never yield. A frame goes out with one non-blocking ``send``; what the kernel does
  not take waits in a per-connection backlog that a flusher greenlet drains, and later
  frames queue behind it. Two greenlets therefore never interleave bytes on one socket and
  frames keep their order. A client whose backlog passes :data:`MAX_BACKLOG_BYTES` is cut
  off; it rejoins with its last sequence number and catches up.
* :class:`_Session` runs engine.io's websocket protocol (upgrade probe, packets to
  ``Socket.receive``, close) with packets written straight from the sender
  (:class:`DirectQueue`, no writer greenlet) and the next ping on a timer. Under
  ``backchannel serve`` (:class:`DetachableWSGIHandler`) the connection then leaves its
  request greenlet altogether: the hub calls back when bytes arrive, so an idle connection
  costs no greenlet at all. Elsewhere the request greenlet reads, as engine.io does.
* :class:`LiveManager` (and :class:`LiveRedisManager` with ``REDIS_URL``) builds the frame
  of a room emit once and writes it straight to each member whose engine.io socket is on our
  websocket; other members (long-polling, upgrading) take python-socketio's normal path.

Coupling: this relies on python-engineio's ``Socket`` attributes (``connected``,
``upgrading``, ``upgraded``, ``closing``, ``closed``, ``queue``, ``last_ping``) and its
``_async["websocket"]`` hook, as pinned in pyproject; the e2e tests exercise it end to end.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import logging
import socket
import time
import weakref
from collections.abc import Callable, Iterable
from io import BytesIO
from typing import Any

import gevent
import socketio
from engineio import exceptions as engine_errors
from engineio import packet as eio_packet
from engineio.socket import Socket as EngineSocket
from flask_socketio import SocketIO
from gevent import pywsgi
from socketio import packet as sio_packet

log = logging.getLogger(__name__)

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#: Bytes a slow client may have waiting in its backlog before it is disconnected.
MAX_BACKLOG_BYTES = 1 << 20
#: Seconds a backlog may take to drain, and a closing peer to answer our close frame.
WRITE_TIMEOUT = 30.0
CLOSE_GRACE = 5.0
DETACH_KEY = "backchannel.detach_socket"
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
    """A server websocket: never-yielding writes and an incremental frame parser."""

    __slots__ = (
        "__weakref__",
        "_backlog",
        "_backlog_bytes",
        "_binary",
        "_close_sent",
        "_inbuf",
        "_parts",
        "_parts_size",
        "_raw_send",
        "_read",
        "_ready",
        "_sock",
        "closer",
        "connected",
        "engine",
        "max_message",
        "peer_closed",
    )

    def __init__(
        self, sock: Any, max_message: int, read: Callable[[int], bytes] | None = None
    ) -> None:
        #: engineio sets the read timeout (ping interval + timeout) on ``_sock``.
        self._sock = sock
        #: The OS socket's own ``send`` (non-blocking under gevent): the room fan-out's path.
        raw = getattr(sock, "_sock", None)
        self._raw_send: Callable[[bytes], int] = (
            raw.send if raw is not None and raw.gettimeout() == 0.0 else self._gevent_send
        )
        #: Blocking reads for :meth:`wait` (the request greenlet's buffered reader).
        self._read = read
        self.max_message = max_message
        self.connected = True
        self.peer_closed = False
        #: The engine.io socket this websocket carries (set by the WSGI adapter).
        self.engine: Any = None
        self._backlog: list[bytes] | None = None
        self._backlog_bytes = 0
        self._close_sent = False
        self._inbuf = bytearray()
        self._parts: list[bytes] | None = None
        self._parts_size = 0
        self._binary = False
        self._ready: list[str | bytes] = []
        #: Called :data:`CLOSE_GRACE` seconds after our close frame if the peer stays silent.
        self.closer: Callable[[], None] | None = None

    # -- writing: never yields ------------------------------------------------------------
    def send(self, message: str | bytes) -> None:
        """engineio's interface: one packet as a text (or binary) message."""
        if isinstance(message, str):
            self.write(frame(message.encode(), OP_TEXT))
        else:
            self.write(frame(bytes(message), OP_BINARY))

    def write(self, data: bytes) -> None:
        """Send whole frames without yielding; the kernel's leftovers go to the backlog."""
        if not self.connected:
            raise OSError("the websocket is closed")
        self._write(data)

    def _gevent_send(self, data: bytes) -> int:
        return int(self._sock.send(data, 0, 0.0))

    def _write(self, data: bytes) -> None:
        backlog = self._backlog
        if backlog is not None:
            backlog.append(data)
            self._backlog_bytes += len(data)
            if self._backlog_bytes > MAX_BACKLOG_BYTES:
                log.info("closing a websocket that fell %d bytes behind", self._backlog_bytes)
                self.abort()
                raise OSError("slow consumer")
            return
        self._send_now(data)

    def _send_now(self, data: bytes) -> None:
        """One non-blocking send; what the kernel does not take starts the backlog."""
        try:
            sent = self._raw_send(data)
        except BlockingIOError:
            sent = 0
        except OSError:
            self.abort()
            raise
        if sent < len(data):
            rest = data[sent:]
            self._backlog = [rest]
            self._backlog_bytes = len(rest)
            gevent.spawn(self._flush)

    def push(self, data: bytes) -> bool:
        """A room emit's frames, if this connection takes direct writes now (else False).

        :meth:`ready` and :meth:`write` in one call, for the fan-out loop: a room of
        thousands runs this once per member. A connection that fails here is closed; its
        client catches up when it rejoins.
        """
        engine = self.engine
        if (
            not self.connected
            or engine is None
            or not engine.upgraded
            or engine.upgrading
            or engine.closing
            or engine.closed
        ):
            return False
        queue = engine.queue
        if type(queue) is not DirectQueue and queue.qsize():
            return False
        # The common case inline (a frame the kernel takes whole): this runs once per member
        # of a room of thousands, where each call and context manager costs.
        if self._backlog is None:
            try:
                sent = self._raw_send(data)
            except BlockingIOError:
                sent = 0
            except OSError:
                self.abort()  # gone: the client catches up on rejoin
                return True
            if sent == len(data):
                return True
            data = data[sent:]
        with contextlib.suppress(OSError):  # cut off as a slow reader: it catches up on rejoin
            self._write(data)
        return True

    def _flush(self) -> None:
        """Drain the backlog in its own greenlet; writers append behind it meanwhile."""
        backlog = self._backlog
        try:
            while backlog:
                chunk = b"".join(backlog)
                backlog[:] = [chunk]
                view = memoryview(chunk)
                while view:  # blocks this greenlet only, up to the socket's timeout
                    view = view[self._sock.send(view) :]
                del backlog[0]
                self._backlog_bytes -= len(chunk)
        except OSError:  # includes the write timeout
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

    # -- reading ------------------------------------------------------------------------------
    def feed(self, data: bytes) -> list[str | bytes]:
        """Parse received bytes; returns the complete messages (control frames answered)."""
        buf = self._inbuf
        buf += data
        messages: list[str | bytes] = []
        pos = 0
        size = len(buf)
        while size - pos >= 2 and not self.peer_closed:
            b0, b1 = buf[pos], buf[pos + 1]
            fin, opcode, length, head = b0 & 0x80, b0 & 0x0F, b1 & 0x7F, 2
            if b0 & 0x70:
                raise ProtocolError(CLOSE_PROTOCOL, "no extension was negotiated")
            if not b1 & 0x80:
                raise ProtocolError(CLOSE_PROTOCOL, "client frames must be masked")
            if length == 126:
                if size - pos < 4:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            if opcode >= OP_CLOSE and (length > 125 or not fin):
                raise ProtocolError(CLOSE_PROTOCOL, "bad control frame")
            if opcode < OP_CLOSE and self._parts_size + length > self.max_message:
                raise ProtocolError(CLOSE_TOO_BIG, "message too big")
            end = pos + head + 4 + length
            if size < end:
                break
            mask = bytes(buf[pos + head : pos + head + 4])
            payload = unmask(bytes(buf[pos + head + 4 : end]), mask)
            pos = end
            message = self._frame(fin, opcode, payload)
            if message is not None:
                messages.append(message)
        if pos:
            del buf[:pos]
        return messages

    def _frame(self, fin: int, opcode: int, payload: bytes) -> str | bytes | None:
        if opcode == OP_CLOSE:
            self.peer_closed = True
            self._send_close(CLOSE_NORMAL, "")
            self.connected = False
            return None
        if opcode == OP_PING:
            if self.connected:
                self._write(frame(payload, OP_PONG))
            return None
        if opcode == OP_PONG:
            return None
        if opcode in (OP_TEXT, OP_BINARY):
            if self._parts is not None:
                raise ProtocolError(CLOSE_PROTOCOL, "a message started inside another")
            self._binary = opcode == OP_BINARY
            if fin:
                return self._message(payload)
            self._parts, self._parts_size = [payload], len(payload)
            return None
        if opcode != OP_CONTINUATION or self._parts is None:
            raise ProtocolError(CLOSE_PROTOCOL, f"unexpected opcode {opcode}")
        self._parts.append(payload)
        self._parts_size += len(payload)
        if not fin:
            return None
        whole = b"".join(self._parts)
        self._parts, self._parts_size = None, 0
        return self._message(whole)

    def _message(self, data: bytes) -> str | bytes:
        if self._binary:
            return data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(CLOSE_BAD_DATA, "text must be UTF-8") from None

    def wait(self) -> str | bytes | None:
        """Blocking read of the next message, ``None`` once the connection is over."""
        try:
            while not self._ready:
                if self.peer_closed or self._read is None:
                    return None
                data = self._read(65536)
                if not data:
                    self.abort()
                    return None
                self._ready.extend(self.feed(data))
            return self._ready.pop(0)
        except ProtocolError as exc:
            self.fail(exc)
            return None
        except (OSError, ValueError):
            self.abort()
            return None

    def fail(self, exc: ProtocolError) -> None:
        self._send_close(exc.code, exc.reason)
        self.abort()

    # -- closing ----------------------------------------------------------------------------
    def _send_close(self, code: int, reason: str) -> None:
        if self._close_sent or not self.connected:
            return
        self._close_sent = True
        with contextlib.suppress(OSError):
            self._write(frame(code.to_bytes(2, "big") + reason.encode()[:120], OP_CLOSE))

    def close(self) -> None:
        """engine.io closes the connection: a close frame, then no more writes."""
        if not self.connected:
            return
        self._send_close(CLOSE_NORMAL, "")
        self.connected = False
        if self._backlog is None:
            self._shutdown(socket.SHUT_WR)
        if self.closer is not None:
            gevent.spawn_later(CLOSE_GRACE, self.closer)

    def abort(self) -> None:
        """Drop the connection now; the reader sees the end and engine.io cleans up."""
        self.connected = False
        self._backlog = None
        self._shutdown(socket.SHUT_RDWR)

    def _shutdown(self, how: int) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(how)


class DirectQueue:
    """Stands in for an upgraded engine.io socket's packet queue: ``put`` writes at once.

    engine.io normally parks a writer greenlet per websocket on a queue; every packet sent
    to the connection wakes it. Our websocket writes never block, so the packet goes out in
    the sender's own greenlet, in order, and the writer greenlet and its queue are gone.
    """

    __slots__ = ("empty_exc", "ws")

    def __init__(self, ws: LeanWebSocket, empty_exc: type[Exception]) -> None:
        self.ws = ws
        self.empty_exc = empty_exc

    def put(self, pkt: Any, block: bool = True, timeout: float | None = None) -> None:
        if pkt is None:  # engine.io's "stop writing": the socket is closing
            self.ws.close()
            return
        with contextlib.suppress(OSError):  # the reader then sees the end, engine.io cleans up
            self.ws.send(pkt.encode())

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        raise self.empty_exc()  # nothing ever waits here: the websocket has it all

    def get_nowait(self) -> Any:
        raise self.empty_exc()

    def qsize(self) -> int:
        return 0

    def empty(self) -> bool:
        return True

    def task_done(self) -> None:
        return None

    def join(self, timeout: float | None = None) -> bool:
        return True


class _Session:
    """engine.io's websocket protocol over :class:`LeanWebSocket`.

    The upgrade probe (when the client started on long-polling), then every packet to
    ``Socket.receive`` and a close at the end, as engine.io's own handler does; packets go out
    through :class:`DirectQueue`, and the ping after a pong waits on a timer, not a greenlet.
    """

    __slots__ = ("detached", "ended", "engine", "server", "state", "watcher", "ws")

    PROBE, UPGRADE, OPEN = 0, 1, 2

    def __init__(self, engine: Any, ws: LeanWebSocket, *, detached: bool) -> None:
        self.engine = engine
        self.ws = ws
        self.server = engine.server
        self.detached = detached
        self.watcher: Any = None
        self.ended = False
        ws.closer = self._expire
        if engine.connected:  # an upgrade from long-polling: the probe comes first
            engine.upgrading = True
            self.state = self.PROBE
        else:
            engine.connected = True
            self._open()

    def _open(self) -> None:
        """Write what was queued before the websocket, then send everything directly."""
        engine = self.engine
        old = engine.queue
        empty = self.server.get_queue_empty_exception()
        direct = DirectQueue(self.ws, empty)
        while True:
            try:
                pkt = old.get_nowait()
            except empty:
                break
            old.task_done()
            direct.put(pkt)
        engine.queue = direct
        engine.upgraded = True
        engine.upgrading = False
        self.state = self.OPEN
        _live[engine.sid] = self.ws

    def on_message(self, message: str | bytes) -> bool:
        """Handle one message; ``False`` ends the session."""
        engine = self.engine
        try:
            pkt = eio_packet.Packet(encoded_packet=message)
        except Exception:
            log.info("closing %s: undecodable engine.io packet", engine.sid)
            return False
        if self.state == self.OPEN:
            if pkt.packet_type == eio_packet.PONG:
                if engine.last_ping:
                    engine.last_ping = None
                    gevent.spawn_later(self.server.ping_interval, self._ping)
                return True
            if self.detached:  # in the hub: handlers may block, so they get a greenlet
                gevent.spawn(self._receive, pkt)
                return True
            return self._receive(pkt)
        if self.state == self.PROBE and pkt.packet_type == eio_packet.PING and pkt.data == "probe":
            self.ws.send(eio_packet.Packet(eio_packet.PONG, data="probe").encode())
            engine.queue.put(eio_packet.Packet(eio_packet.NOOP))  # ends the pending poll
            self.state = self.UPGRADE
            return True
        if self.state == self.UPGRADE and pkt.packet_type == eio_packet.UPGRADE:
            self._open()
            return True
        engine.upgrading = False  # a failed upgrade: the client stays on long-polling
        self.state = -1
        return False

    def _receive(self, pkt: Any) -> bool:
        try:
            self.engine.receive(pkt)
        except engine_errors.UnknownPacketError:
            return True
        except engine_errors.SocketIsClosedError:
            return False
        except Exception:
            log.exception("engine.io receive error")
            self.ws.abort()
            return False
        return True

    def _ping(self) -> None:
        engine = self.engine
        if not engine.closing and not engine.closed:
            engine.last_ping = time.time()
            engine.send(eio_packet.Packet(eio_packet.PING))

    def end(self) -> None:
        """The connection is over: engine.io closes the session, we release the socket."""
        if self.ended:
            return
        self.ended = True
        ws, engine = self.ws, self.engine
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        if _live.get(engine.sid) is ws:
            del _live[engine.sid]
        ws.abort()
        if self.state == self.OPEN:
            engine.queue.put(None)
            engine.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)
        elif self.state in (self.PROBE, self.UPGRADE):
            engine.upgrading = False
        if self.detached:
            ws._sock.close()

    # -- in the request greenlet ------------------------------------------------------------
    def run(self) -> None:
        try:
            while not self.ended:
                message = self.ws.wait()
                if message is None or not self.on_message(message):
                    return
        finally:
            self.end()

    # -- detached: the hub calls back when bytes arrive -------------------------------------
    def watch(self) -> None:
        self.watcher = gevent.get_hub().loop.io(self.ws._sock.fileno(), 1)
        self.watcher.start(self._readable)

    def _readable(self) -> None:
        """In the hub: read what arrived, handle whole messages, never block."""
        ws = self.ws
        raw = getattr(ws._sock, "_sock", ws._sock)  # the non-blocking OS socket
        try:
            data = raw.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            try:
                for message in ws.feed(data):
                    if not self.on_message(message):
                        ws.abort()
                        break
            except ProtocolError as exc:
                ws.fail(exc)
        if not data or ws.peer_closed or (not ws.connected and not ws._close_sent):
            self.watcher.stop()
            gevent.spawn(self.end)

    def _expire(self) -> None:
        """Our close frame got no answer: cut the connection (the reader then ends it)."""
        if not self.ended:
            self.ws.abort()
            if self.detached:
                self.watcher.stop()
                self.end()


class DetachableWSGIHandler(pywsgi.WSGIHandler):
    """pywsgi's handler, able to hand its connection over to a websocket session.

    The adapter duplicates the socket and this handler forgets it: pywsgi neither reads
    after the response nor writes to it, and its greenlet ends; the session continues on
    hub callbacks (see :meth:`_Session.watch`).
    """

    _detached = False
    socket: Any

    def get_environ(self) -> dict[str, Any]:
        env: dict[str, Any] = super().get_environ()
        if self._connection_upgrade_requested():
            env[DETACH_KEY] = weakref.WeakMethod(self._detach_socket)
        return env

    def _detach_socket(self) -> Any:
        sock: Any = self.socket
        if sock is None or self._detached:
            return None
        mine = sock.dup()
        self._detached = True
        self.close_connection = True
        self.socket = None
        return mine

    def _sendall(self, data: bytes) -> None:
        if self._detached:
            return  # engine.io's reply to the upgrade request: the session answered already
        super()._sendall(data)


class LeanWebSocketWSGI:
    """engineio's ``_async['websocket']`` for gevent's pywsgi: the upgrade and the session."""

    fallback: Any = None

    def __init__(self, handler: Callable[[Any], Any], server: Any) -> None:
        self.app = handler
        self.server = server

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        rfile: Any = environ.get("wsgi.input")
        sock = getattr(getattr(rfile, "raw", None), "_sock", None)
        engine = getattr(self.app, "__self__", None)
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
        accept = accept_key(key)
        detach = environ.pop(DETACH_KEY, None)
        detach = detach() if detach is not None else None
        mine = detach() if detach is not None and isinstance(engine, EngineSocket) else None
        if mine is not None:
            # Nothing of the websocket is in pywsgi's buffer yet: the client waits for the 101.
            environ["wsgi.input"] = BytesIO()
            mine.settimeout(WRITE_TIMEOUT)  # for the backlog flusher; reads never block
            mine.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept.encode() + b"\r\n\r\n"
            )
            ws = LeanWebSocket(mine, self.server.max_http_buffer_size)
            ws.engine = engine
            _Session(engine, ws, detached=True).watch()
            return []
        write = start_response(
            "101 Switching Protocols",
            [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept)],
        )
        write(b"")  # pywsgi sends the 101 now; the socket is ours from here
        sock.settimeout(self.server.ping_interval + self.server.ping_timeout)
        ws = LeanWebSocket(sock, self.server.max_http_buffer_size, rfile.read1)
        try:
            if isinstance(engine, EngineSocket):
                ws.engine = engine
                _Session(engine, ws, detached=False).run()
            else:
                self.app(ws)  # not engine.io's handler: just run it over our websocket
        finally:
            ws.abort()
            rfile.close()  # pywsgi then ends the connection instead of reading a next request
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


class LiveEmit(socketio.Manager):
    """Local delivery of room emits: encoded and framed once, written straight to members."""

    def emit(
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
            if ws is None or not ws.push(frames):
                for p in packets:
                    send_eio(eio_sid, p)


class LiveManager(LiveEmit):
    """The client manager of a single process."""


class LiveRedisManager(socketio.RedisManager, LiveEmit):
    """Several processes through Redis; each delivers to its own members the lean way."""


def live_manager(redis_url: str | None, channel: str = "flask-socketio") -> Any:
    """The client manager for ``socketio.init_app(client_manager=...)``."""
    if redis_url:
        return LiveRedisManager(redis_url, channel=channel)
    return LiveManager()
