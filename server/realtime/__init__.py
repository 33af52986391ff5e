"""Socket.IO transport: the ``/live`` namespace (see docs/realtime.md)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from server.realtime.broadcast import install_lean_websocket, live_manager
from server.realtime.control import LiveControl, install_control
from server.realtime.guard import MAX_MESSAGE_BYTES, PollingBodyCap
from server.realtime.live import LiveNamespace, sids_of_user
from server.realtime.publisher import install_publisher
from server.services.moderation import set_session_closer


def register_realtime(app: Flask, socketio: SocketIO) -> None:
    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE", "gevent"),
        cors_allowed_origins=list(app.config["ALLOWED_ORIGINS"]),
        message_queue=app.config.get("REDIS_URL"),
        client_manager=live_manager(app.config.get("REDIS_URL")),
        max_http_buffer_size=MAX_MESSAGE_BYTES,
        ping_interval=25,
        ping_timeout=20,
        logger=False,
        engineio_logger=False,
    )
    install_lean_websocket(socketio)
    app.wsgi_app = PollingBodyCap(app.wsgi_app, MAX_MESSAGE_BYTES)  # type: ignore[method-assign]
    socketio.on_namespace(LiveNamespace("/live"))
    install_publisher(app, socketio)
    control = LiveControl(socketio, "/live", sids_of_user, app.config.get("REDIS_URL"))
    app.extensions["backchannel_live_control"] = control
    install_control(control)
    set_session_closer(control.disconnect_user)
