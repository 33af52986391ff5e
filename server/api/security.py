"""Who is calling: a bearer token, or the PWA's cookie session with a CSRF header.

Loaded once per request into ``g.current_user``. Cookie-authenticated writes must carry
``X-CSRF-Token`` and, when the browser sends one, an allowed ``Origin``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g, request

from server.api.common import check_request_text
from server.errors import Forbidden, Unauthorized
from server.models import User
from server.services.accounts import SESSION_COOKIE, csrf_token_for, user_for_token

CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

F = TypeVar("F", bound=Callable[..., Any])


def _load_user() -> None:
    g.current_user = None
    g.auth_kind = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorized("Use 'Authorization: Bearer <token>'.", code="invalid_token")
        user = user_for_token(secret.strip(), "api")
        if user is None:
            raise Unauthorized("That token is unknown or revoked.", code="invalid_token")
        g.current_user, g.auth_kind = user, "bearer"
        return
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        user = user_for_token(cookie, "cookie")
        if user is not None:
            g.current_user, g.auth_kind, g.session_secret = user, "cookie", cookie
            if request.method not in SAFE_METHODS:
                _check_csrf(cookie)


# Sign-in and sign-up carry their own credentials in the body, so a browser that still holds
# a session cookie (switching accounts, logging in again) needs no CSRF token for them; the
# Origin check still applies (login CSRF).
_CREDENTIAL_ENDPOINTS = frozenset({"auth.login", "auth.issue_token", "auth.signup"})


def _check_csrf(secret: str) -> None:
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/") not in current_app.config["ALLOWED_ORIGINS"]:
        raise Forbidden("Cross-site request refused.", code="csrf_failed")
    if request.endpoint in _CREDENTIAL_ENDPOINTS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent, csrf_token_for(secret)):
        raise Forbidden(
            f"Missing or wrong {CSRF_HEADER} header for a signed-in browser write.",
            code="csrf_failed",
        )


def init_security(app: Flask) -> None:
    app.before_request(check_request_text)
    app.before_request(_load_user)


def current_user() -> User | None:
    return cast(User | None, g.get("current_user"))


def require_user() -> User:
    user = current_user()
    if user is None:
        raise Unauthorized("Sign in or send a bearer token.")
    return user


def require_role(*roles: str) -> User:
    user = require_user()
    if user.role not in roles:
        raise Forbidden(f"This needs the {' or '.join(roles)} role.")
    return user


def login_required(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        require_user()
        return func(*args, **kwargs)

    return cast(F, wrapper)


def roles_required(*roles: str) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require_role(*roles)
            return func(*args, **kwargs)

        return cast(F, wrapper)

    return decorate
