"""One error shape everywhere: ``{"error": {"code", "message", "field"?}}`` with the right status.

Services raise :class:`AppError` (or a subclass); HTTP handlers and Socket.IO acks turn it into
the same envelope. Clients never see a stack trace.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from server.extensions import limiter

log = logging.getLogger(__name__)


class AppError(Exception):
    """An error a client can act on: a stable ``code``, a sentence, an HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        field: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.field = field
        self.details = details or {}
        self.headers = headers or {}

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        body.update(self.details)
        return {"error": body}


class NotFound(AppError):
    status = 404
    code = "not_found"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class Unauthorized(AppError):
    status = 401
    code = "auth_required"


class Conflict(AppError):
    status = 409
    code = "conflict"


class ValidationFailed(AppError):
    status = 422
    code = "validation_error"


_HTTP_CODES = {
    400: ("bad_request", "The request could not be understood."),
    401: ("auth_required", "Sign in or send a bearer token."),
    403: ("forbidden", "You are not allowed to do that."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    406: ("not_acceptable", "No representation in the format asked for."),
    409: ("conflict", "The request conflicts with the current state."),
    411: ("length_required", "Send a Content-Length header."),
    412: ("precondition_failed", "The resource changed since you last read it."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    422: ("validation_error", "The request has invalid fields."),
    429: ("rate_limited", "Too many requests; slow down and retry later."),
}


def error_response(error: AppError) -> Response:
    response = jsonify(error.to_dict())
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def _from_webargs(exc: HTTPException) -> AppError | None:
    """Turn flask-smorest's validation failure (``exc.data['messages']``) into our shape."""
    data = getattr(exc, "data", None)
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, dict):
        return None
    fields: dict[str, Any] = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            fields.update(location_messages)
    if not fields:
        return None
    field = sorted(fields)[0]
    problem = fields[field]
    while isinstance(problem, (list, dict)) and problem:
        problem = problem[0] if isinstance(problem, list) else next(iter(problem.values()))
    label = "Unknown field" if problem == "Unknown field." else str(problem).rstrip(".")
    if field == "_schema":
        message = label + "."
        field_name = None
    else:
        message = f"{label}: {field}." if label == "Unknown field" else f"{field}: {label}."
        field_name = field
    return ValidationFailed(message, field=field_name, details={"fields": fields})


def _retry_after_seconds() -> int | None:
    """Seconds until the breached rate limit resets (Flask-Limiter's view of this request)."""
    current = limiter.current_limit
    if current is None:
        return None
    return max(1, int(current.reset_at - time.time()))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def handle_app_error(error: AppError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        converted = _from_webargs(exc) if status in (400, 422) else None
        if converted is None:
            code, message = _HTTP_CODES.get(status, ("error", exc.description or "Error."))
            if status == 429:
                converted = AppError(message, code=code, status=status)
                retry = _retry_after_seconds()
                if retry is not None:
                    converted.headers["Retry-After"] = str(retry)
                    converted.details["retry_after"] = retry
            else:
                converted = AppError(message, code=code, status=status)
            if status == 405:
                allowed = exc.get_response().headers.get("Allow")
                if allowed:
                    converted.headers["Allow"] = allowed
        return error_response(converted)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return error_response(
            AppError(
                "Something went wrong on our side; it has been logged.",
                code="internal_error",
                status=500,
            )
        )
