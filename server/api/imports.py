"""Programme import through the API: upload a file or give the programme's URL."""

from __future__ import annotations

from typing import Any

from flask import request

from server.api.common import Blueprint, PayloadTooLarge, query_args
from server.api.security import require_role
from server.errors import ValidationFailed
from server.importers import MAX_SCHEDULE_BYTES
from server.schemas.programme import (
    ImportFromUrlSchema,
    ImportReportSchema,
    ImportUploadQuerySchema,
)
from server.services import programme, remote_schedule
from server.services.programme_import import do_import_programme

blp = Blueprint("imports", __name__, url_prefix="/api/v1/conferences", description="Imports")


@blp.route("/<slug>/imports", methods=["POST"])
@query_args(blp, ImportUploadQuerySchema)
@blp.response(201, ImportReportSchema)
def upload(args: dict[str, Any], slug: str) -> dict[str, Any]:
    """Import a schedule file sent as multipart ``file`` or as the raw body (organizers).

    The format is detected from the content. All or nothing: a file that cannot be
    imported changes nothing and the error names the place in the file.
    """
    user = require_role("organizer")
    programme.get_conference(slug)
    if request.content_length is not None and request.content_length > MAX_SCHEDULE_BYTES + 4096:
        raise PayloadTooLarge(f"Schedule files are at most {MAX_SCHEDULE_BYTES // 2**20} MiB.")
    if request.files:
        upload_file = request.files.get("file")
        if upload_file is None:
            raise ValidationFailed("Send the schedule as the multipart field 'file'.", field="file")
        data = upload_file.read(MAX_SCHEDULE_BYTES + 1)
    else:
        data = request.get_data(cache=False)
    if len(data) > MAX_SCHEDULE_BYTES:
        raise PayloadTooLarge(f"Schedule files are at most {MAX_SCHEDULE_BYTES // 2**20} MiB.")
    if not data:
        raise ValidationFailed("The schedule file is empty.", code="empty_file", field="file")
    report = do_import_programme(
        data,
        slug=slug,
        source="upload",
        user_id=user.id,
        default_timezone=args.get("timezone"),
        create=False,
    )
    return report.to_dict()


@blp.route("/<slug>/imports/url", methods=["POST"])
@blp.arguments(ImportFromUrlSchema)
@blp.response(201, ImportReportSchema)
def import_url(body: dict[str, Any], slug: str) -> dict[str, Any]:
    """Import from the programme's published URL, and optionally refresh it periodically"""
    user = require_role("organizer")
    conference = programme.get_conference(slug)
    report = remote_schedule.do_import_from_url(
        conference,
        body["url"],
        refresh_minutes=body.get("refresh_minutes"),
        default_timezone=body.get("timezone"),
        user_id=user.id,
    )
    return report.to_dict()
