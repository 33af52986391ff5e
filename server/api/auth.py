"""Sign-up, tokens, browser sessions and the signed-in person's profile."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, g, jsonify, request
from flask.views import MethodView

from server.api.common import Blueprint
from server.api.presenters import user_view
from server.api.security import require_user
from server.errors import Unauthorized
from server.extensions import limiter
from server.ratelimit import ACCOUNT_DELETE_LIMIT, EXPORT_LIMIT
from server.schemas.accounts import (
    CredentialsSchema,
    DeleteAccountSchema,
    ProfileUpdateSchema,
    SessionLoginSchema,
    SignupSchema,
    TokenSchema,
    UserSchema,
)
from server.services import accounts, privacy
from server.services.accounts import SESSION_COOKIE

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Accounts and sign-in")

_LOGIN_LIMITS = "25 per 5 minutes"


def _login_username_key() -> str:
    body = request.get_json(silent=True)
    name = body.get("username") if isinstance(body, dict) else None
    return f"login-user:{str(name).casefold()[:40]}"


@blp.route("/auth/signup", methods=["POST"])
@limiter.limit("5 per 30 minutes", methods=["POST"])
@blp.arguments(SignupSchema)
@blp.response(201, UserSchema)
def signup(body: dict[str, str]) -> dict[str, Any]:
    """Create an attendee account"""
    user = accounts.do_create_user(body["username"], body["password"], body["display_name"])
    return user_view(user)


@blp.route("/auth/token", methods=["POST"])
@limiter.limit(_LOGIN_LIMITS)
@limiter.limit("25 per hour", key_func=_login_username_key)
@blp.arguments(CredentialsSchema)
@blp.response(201, TokenSchema)
def issue_token(body: dict[str, str]) -> dict[str, str]:
    """Exchange credentials for a bearer token (for API clients)"""
    user = accounts.authenticate(body["username"], body["password"])
    return {"token": accounts.do_issue_token(user, "api")}


@blp.route("/auth/token", methods=["DELETE"])
@blp.response(204)
def revoke_token() -> None:
    """Revoke the bearer token this request was made with"""
    require_user()
    if g.auth_kind == "bearer":
        accounts.do_revoke_token(request.headers["Authorization"].split(" ", 1)[1].strip())


@blp.route("/auth/session", methods=["POST"])
@limiter.limit(_LOGIN_LIMITS)
@limiter.limit("25 per hour", key_func=_login_username_key)
@blp.arguments(CredentialsSchema)
@blp.response(200, SessionLoginSchema)
def login(body: dict[str, str]) -> Any:
    """Sign in a browser: sets an HttpOnly session cookie and returns the CSRF token"""
    user = accounts.authenticate(body["username"], body["password"])
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        accounts.do_revoke_token(old)  # a fresh session id at every login
    secret = accounts.do_issue_token(user, "cookie")
    response = jsonify({"user": user_view(user), "csrf_token": accounts.csrf_token_for(secret)})
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        max_age=30 * 24 * 3600,
        path="/",
    )
    return response


@blp.route("/auth/session", methods=["GET"])
@blp.response(200, SessionLoginSchema)
def current_session() -> dict[str, Any]:
    """The signed-in browser's user and CSRF token (the PWA calls this at start-up)"""
    user = require_user()
    secret = g.get("session_secret")
    if secret is None:
        raise Unauthorized("This is for browser sessions; API clients use tokens.")
    return {"user": user_view(user), "csrf_token": accounts.csrf_token_for(secret)}


@blp.route("/auth/session", methods=["DELETE"])
@blp.response(204)
def logout() -> Any:
    """Sign the browser out: the session is revoked server-side and the cookie cleared"""
    require_user()
    secret = g.get("session_secret")
    if secret:
        accounts.do_revoke_token(secret)
    response = current_app.response_class(status=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@blp.route("/me")
class Me(MethodView):
    decorators = [limiter.limit(ACCOUNT_DELETE_LIMIT, methods=["DELETE"])]

    @blp.response(200, UserSchema)
    def get(self) -> dict[str, Any]:
        """The signed-in person"""
        return user_view(require_user())

    @blp.arguments(ProfileUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, body: dict[str, Any]) -> dict[str, Any]:
        """Change display name, handles (the list replaces the handles), Mastodon post limit"""
        user = require_user()
        handles = body.get("handles")
        accounts.do_update_profile(
            user,
            display_name=body.get("display_name"),
            mastodon_limit=body.get("mastodon_limit", accounts.KEEP),
            handles=(
                None
                if handles is None
                else [
                    accounts.HandleInput(h["network"], h["handle"], h["followers"]) for h in handles
                ]
            ),
        )
        return user_view(user)

    @blp.arguments(DeleteAccountSchema)
    @blp.response(204)
    def delete(self, body: dict[str, Any]) -> Any:
        """Delete my account for good (the password again in the body); see docs/privacy.md"""
        user = require_user()
        privacy.do_delete_account(user, body["password"])
        g.current_user = None
        response = current_app.response_class(status=204)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


@blp.route("/me/export")
@limiter.limit(EXPORT_LIMIT)
@blp.response(200, content_type="application/json", description="The export, as a download")
def export_my_data() -> Response:
    """Everything stored about me, as a JSON download (profile, posts, drafts, RSVPs, ...)"""
    user = require_user()
    document = privacy.export_data(user)
    day = document["exported_at"][:10]
    response = Response(
        json.dumps(document, ensure_ascii=False, indent=1), mimetype="application/json"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="backchannel-export-{user.username}-{day}.json"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
