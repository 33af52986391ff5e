"""Posts on the wire."""

from __future__ import annotations

from marshmallow import fields, validate

from server.schemas.common import StrictSchema
from server.schemas.uploads import PostImageSchema


class PostAuthorSchema(StrictSchema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    handles = fields.Dict(keys=fields.String(), values=fields.String())


class PostSchema(StrictSchema):
    id = fields.Integer(required=True)
    seq = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "Position in the conference's stream"},
    )
    text = fields.String(required=True)
    session_id = fields.Integer(allow_none=True)
    status = fields.String(required=True)
    created_at = fields.String(required=True)
    author = fields.Nested(PostAuthorSchema, required=True)
    images = fields.List(fields.Nested(PostImageSchema), required=True)
    tweetup_id = fields.Integer(allow_none=True, metadata={"description": "Tweetup room"})
    chat_id = fields.Integer(allow_none=True, metadata={"description": "Tweetchat room"})
    question = fields.Integer(
        allow_none=True, metadata={"description": "The chat question this answers"}
    )
    reply_to_id = fields.Integer(allow_none=True, metadata={"description": "Replied-to post"})


class PostCreateSchema(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(max=100_000))
    session_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    confirm_findings = fields.Boolean(
        load_default=False,
        metadata={"description": "The author saw the PHI findings and posts anyway"},
    )
    allow_duplicate = fields.Boolean(
        load_default=False, metadata={"description": "Post the same text again on purpose"}
    )
    image_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1)),
        load_default=list,
        validate=validate.Length(max=4),
        metadata={"description": "Your uploads (POST /api/v1/uploads) to attach, in order"},
    )
    tweetup_id = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "Post in this tweetup's room (and the conference's wall)"},
    )
    chat_id = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "Post in this tweetchat (and the conference's wall)"},
    )
    question = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=20),
        metadata={
            "description": "The chat question answered (else an 'A<n>' opening the text)"
        },
    )
    reply_to_id = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The post this replies to (the reply joins its room)"},
    )


class PostQuerySchema(StrictSchema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    session_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    tweetup_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    chat_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class PostPageSchema(StrictSchema):
    items = fields.List(fields.Nested(PostSchema), required=True)
    removed = fields.List(
        fields.Integer(), required=True, metadata={"description": "Ids removed after 'after'"}
    )
    seq = fields.Integer(required=True, metadata={"description": "Latest sequence number"})
    next = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "Pass as 'after' for the next page"},
    )
