"""Uploading an image for a post (multipart ``file`` and optional ``alt``)."""

from __future__ import annotations

from typing import Any

from flask import request

from server.api.common import Blueprint, PayloadTooLarge, UnsupportedMediaTypeError, cap_body
from server.api.security import require_user
from server.errors import ValidationFailed
from server.extensions import limiter
from server.ratelimit import UPLOAD_LIMIT
from server.schemas.uploads import UploadSchema
from server.services import uploads

blp = Blueprint("uploads", __name__, url_prefix="/api/v1", description="Images for posts")

#: The image plus the multipart framing and the alt text.
MAX_UPLOAD_BODY = uploads.MAX_UPLOAD_BYTES + 64 * 1024
_FORM_FIELDS = frozenset({"alt"})
_FILE_FIELDS = frozenset({"file"})


cap_body(blp, MAX_UPLOAD_BODY, f"Images are at most {uploads.MAX_UPLOAD_BYTES // 2**20} MiB.")


def _multipart() -> tuple[bytes, Any]:
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaTypeError("Send the image as multipart/form-data with a 'file' part.")
    unknown = sorted((set(request.form) - _FORM_FIELDS) | (set(request.files) - _FILE_FIELDS))
    if unknown:
        raise ValidationFailed(f"Unknown field: {unknown[0]}.", field=unknown[0])
    if len(request.files.getlist("file")) != 1 or len(request.form.getlist("alt")) > 1:
        raise ValidationFailed("Send exactly one 'file' part (and at most one 'alt').",
                               field="file")
    data = request.files["file"].stream.read(uploads.MAX_UPLOAD_BYTES + 1)
    if len(data) > uploads.MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"Images are at most {uploads.MAX_UPLOAD_BYTES // 2**20} MiB.")
    if not data:
        raise ValidationFailed("The 'file' part is empty.", field="file")
    return data, request.form.get("alt")


@blp.route("/uploads", methods=["POST"])
@limiter.limit(UPLOAD_LIMIT)
@blp.response(201, UploadSchema)
@blp.doc(
    requestBody={
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "alt": {"type": "string", "maxLength": uploads.MAX_ALT_CHARS},
                    },
                    "additionalProperties": False,
                },
                "encoding": {"file": {"contentType": "image/jpeg, image/png, image/webp"}},
            }
        },
    }
)
def create() -> dict[str, Any]:
    """Upload a JPEG, PNG or WebP image (at most 10 MiB) to attach to your next post.

    The image is re-encoded without its metadata (location included), turned upright, and
    stored as a display version (at most 2048 px) and a thumbnail (at most 400 px). Pass its
    ``id`` in a post's ``image_ids``; ``alt`` is the text screen readers say.
    """
    user = require_user()
    data, alt = _multipart()
    return uploads.upload_wire(uploads.do_create_upload(user, data, alt))
