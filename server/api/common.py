"""Helpers shared by the blueprints: strict query args, ETags, error docs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import flask_smorest
import regex
from flask import Request, Response, current_app, request
from marshmallow import RAISE, Schema, missing
from webargs.flaskparser import FlaskParser, is_json_request

from server.errors import AppError

ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 415, 422, 429)

#: JSON request bodies are small forms; schedule files go through the import upload instead.
MAX_JSON_BYTES = 256 * 1024

# NUL and lone surrogates: PostgreSQL cannot store them and no person typed them.
_BAD_TEXT = regex.compile(r"[\x00\ud800-\udfff]")


class InvalidJsonError(AppError):
    status = 400
    code = "invalid_json"


class InvalidEncodingError(AppError):
    status = 400
    code = "invalid_encoding"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaTypeError(AppError):
    status = 415
    code = "unsupported_media_type"


def _check_text(value: Any, where: str | None) -> None:
    """Refuse NUL bytes and lone surrogates anywhere in a parsed JSON value (keys too)."""
    if isinstance(value, str):
        if _BAD_TEXT.search(value):
            raise InvalidEncodingError(
                "Text may not contain NUL bytes or unpaired surrogates"
                + (f": {where}." if where else "."),
                field=where,
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, where)
            _check_text(item, where or str(key))
    elif isinstance(value, list):
        for item in value:
            _check_text(item, where)


class StrictParser(FlaskParser):
    """JSON bodies with clear errors: 415 for another media type, 400 ``invalid_json`` for a
    body that does not parse (or nests absurdly deep), 400 ``invalid_encoding`` for invalid
    UTF-8, NUL bytes or lone surrogates."""

    def load_json(self, req: Request, schema: Schema) -> Any:
        if (req.content_length or 0) > MAX_JSON_BYTES:
            raise PayloadTooLarge(f"JSON bodies are at most {MAX_JSON_BYTES // 1024} KiB.")
        raw = req.get_data(cache=True)
        if len(raw) > MAX_JSON_BYTES:
            raise PayloadTooLarge(f"JSON bodies are at most {MAX_JSON_BYTES // 1024} KiB.")
        if not is_json_request(req):
            if raw:
                raise UnsupportedMediaTypeError("Send the body as application/json.")
            return missing
        if not raw.strip():
            raise InvalidJsonError("The body is empty; send a JSON object.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidEncodingError("The body is not valid UTF-8.") from exc
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise InvalidJsonError("The body is not valid JSON.") from exc
        _check_text(data, None)
        return data


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint with :class:`StrictParser` for its arguments."""

    ARGUMENTS_PARSER = StrictParser()


def check_request_text() -> None:
    """Before every request: no NUL bytes in the path or the query string."""
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    ):
        raise InvalidEncodingError("The address may not contain NUL bytes.")


def query_args(blp: Blueprint, schema: type[Schema]) -> Callable[..., Any]:
    """Query-string arguments that refuse unknown parameters (a typo is an error, not a no-op)."""
    decorator: Callable[..., Any] = blp.arguments(schema, location="query", unknown=RAISE)
    return decorator


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


def cap_body(blp: Blueprint, max_bytes: int, message: str) -> None:
    """Refuse bodies over ``max_bytes`` on every route of ``blp`` before anything reads them."""

    def check() -> None:
        if request.content_length is not None and request.content_length > max_bytes:
            raise PayloadTooLarge(message)
        request.max_content_length = max_bytes

    blp.before_request(check)


#: Proposals, edits, RSVPs and chat moves: people change their mind, scripts should not flood.
WRITE_LIMIT = "30 per minute;300 per hour"


def public_url() -> str:
    """The address the app is reached at (feeds and calendar links are absolute)."""
    return str(current_app.config["PUBLIC_URL"])
