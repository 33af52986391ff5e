"""HTTP transport: flask-smorest blueprints with thin handlers, registered explicitly."""

from __future__ import annotations

from flask_smorest import Api

from server.api import (
    agenda,
    auth,
    compose,
    conferences,
    imports,
    posts,
    sessions,
    speakers,
)


def register_api(api: Api) -> None:
    for module in (auth, conferences, sessions, speakers, agenda, imports, compose, posts):
        api.register_blueprint(module.blp)
