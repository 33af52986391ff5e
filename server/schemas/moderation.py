"""Moderation on the wire: settings, queue, decisions, blocks, watched words, reports, audit."""

from __future__ import annotations

from marshmallow import fields, validate

from server.schemas.common import StrictSchema
from server.schemas.posts import PostSchema

MAX_ID = 2**31 - 1


def _reason() -> fields.String:
    return fields.String(
        allow_none=True,
        validate=validate.Length(max=500),
        metadata={"description": "Why (kept in the audit log)"},
    )


class ModerationSettingsSchema(StrictSchema):
    premoderation = fields.Boolean(
        required=True,
        metadata={"description": "Posts wait for approval before any public socket sees them"},
    )
    report_threshold = fields.Integer(
        required=True,
        metadata={"description": "Distinct reporters that hide a post for review"},
    )


class ModerationSettingsPatchSchema(StrictSchema):
    premoderation = fields.Boolean()
    report_threshold = fields.Integer(validate=validate.Range(min=1, max=100))
    reason = _reason()


class QueueQuerySchema(StrictSchema):
    kind = fields.String(validate=validate.OneOf(("pending", "flagged", "reported")))
    after = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_ID),
        metadata={"description": "A post id"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class QueueItemSchema(StrictSchema):
    post = fields.Nested(PostSchema, required=True)
    flags = fields.List(
        fields.Dict(),
        required=True,
        metadata={"description": "watched_word / phi / reports / kept entries"},
    )
    needs_review = fields.Boolean(required=True)
    report_count = fields.Integer(required=True)
    confirmed_findings = fields.List(fields.String(), required=True)


class QueuePageSchema(StrictSchema):
    items = fields.List(fields.Nested(QueueItemSchema), required=True)
    next = fields.Integer(
        allow_none=True, required=True, metadata={"description": "Pass as 'after'"}
    )


class ReasonSchema(StrictSchema):
    reason = _reason()


class BlockSchema(StrictSchema):
    reason = _reason()
    remove_posts = fields.Boolean(
        load_default=False,
        metadata={"description": "Also hide the user's visible, pending and held posts"},
    )


class ModeratedUserSchema(StrictSchema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True)
    blocked_at = fields.String(allow_none=True, required=True)


class ReportCreateSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ReportSchema(StrictSchema):
    id = fields.Integer(required=True)
    post_id = fields.Integer(required=True)
    reason = fields.String(required=True)
    created_at = fields.String(required=True)


class ReportListSchema(StrictSchema):
    items = fields.List(fields.Nested(ReportSchema), required=True)


class WatchedWordCreateSchema(StrictSchema):
    pattern = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "A word or short phrase; * may open or close a word"},
    )
    action = fields.String(required=True, validate=validate.OneOf(("block", "hold", "flag")))


class WatchedWordPatchSchema(StrictSchema):
    action = fields.String(required=True, validate=validate.OneOf(("block", "hold", "flag")))


class WatchedWordSchema(StrictSchema):
    id = fields.Integer(required=True)
    pattern = fields.String(required=True)
    action = fields.String(required=True)
    created_by = fields.Integer(allow_none=True, required=True)
    created_at = fields.String(required=True)


class WatchedWordListSchema(StrictSchema):
    items = fields.List(fields.Nested(WatchedWordSchema), required=True)


class WatchedWordTestSchema(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(max=10_000))


class WatchedWordMatchSchema(StrictSchema):
    pattern = fields.String(required=True)
    action = fields.String(required=True)
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)


class WatchedWordTestResultSchema(StrictSchema):
    action = fields.String(allow_none=True, required=True)
    matches = fields.List(fields.Nested(WatchedWordMatchSchema), required=True)


class AuditQuerySchema(StrictSchema):
    before = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID), metadata={"description": "An id"}
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class AuditEntrySchema(StrictSchema):
    id = fields.Integer(required=True)
    action = fields.String(required=True)
    actor_id = fields.Integer(allow_none=True, required=True)
    target_type = fields.String(allow_none=True, required=True)
    target_id = fields.Integer(allow_none=True, required=True)
    reason = fields.String(allow_none=True, required=True)
    details = fields.Dict(required=True)
    request_id = fields.String(allow_none=True, required=True)
    created_at = fields.String(required=True)


class AuditPageSchema(StrictSchema):
    items = fields.List(fields.Nested(AuditEntrySchema), required=True)
    next = fields.Integer(
        allow_none=True, required=True, metadata={"description": "Pass as 'before'"}
    )
