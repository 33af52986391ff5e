"""Rate-limit keys: per account when signed in, since a congress shares a few NAT addresses."""

from __future__ import annotations

from flask import g, request


def rate_limit_key() -> str:
    user = getattr(g, "current_user", None)
    if user is not None:
        return f"user:{user.id}"
    return f"ip:{request.remote_addr or 'unknown'}"
