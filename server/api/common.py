"""Helpers shared by the blueprints: strict query args, ETags, error docs."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema

from server.errors import AppError

ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 415, 422, 429)


def query_args(blp: Blueprint, schema: type[Schema]) -> Callable[..., Any]:
    """Query-string arguments that refuse unknown parameters (a typo is an error, not a no-op)."""
    return blp.arguments(schema, location="query", unknown=RAISE)


def weak_etag(*parts: object) -> str:
    digest = hashlib.sha1(
        "|".join(str(p) for p in parts).encode(), usedforsecurity=False
    ).hexdigest()[:20]
    return f'W/"{digest}"'


def not_modified(etag: str) -> Response | None:
    """A 304 when the client's ``If-None-Match`` matches, before any listing query runs."""
    sent = request.headers.get("If-None-Match", "")
    tags = {t.strip() for t in sent.split(",") if t.strip()}
    if etag in tags or "*" in tags:
        response = Response(status=304)
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = "no-cache"
        return response
    return None


def with_etag(response: Response, etag: str) -> Response:
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "no-cache"
    return response


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"
