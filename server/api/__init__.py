"""HTTP transport: flask-smorest blueprints with thin handlers, registered explicitly."""

from __future__ import annotations

from flask_smorest import Api

from server.api import (
    agenda,
    analytics,
    auth,
    chats,
    compose,
    conferences,
    following,
    imports,
    mastodon,
    moderation,
    posts,
    sessions,
    speakers,
    tweetups,
    uploads,
)


def register_api(api: Api) -> None:
    modules = (
        auth, conferences, sessions, speakers, agenda, imports, compose, posts, uploads, moderation,
        analytics, tweetups, chats, following, mastodon,
    )
    for module in modules:
        api.register_blueprint(module.blp)
