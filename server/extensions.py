"""Extension singletons, bound to an app in ``create_app`` (no app is created here)."""

from __future__ import annotations

from flask_compress import Compress
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_smorest import Api
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy

from server.models.base import Base
from server.ratelimit import rate_limit_key
from server.schemas.common import ErrorSchema

# Objects keep their values after commit: a handler answers with what it just wrote
# instead of reloading every row (each request and socket event gets a fresh session).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
api = Api()
#: Error responses are documented in the shape the handlers send: {"error": {code, message}}.
api.ERROR_SCHEMA = ErrorSchema
socketio = SocketIO()
compress = Compress()
limiter = Limiter(key_func=rate_limit_key, default_limits=[])
