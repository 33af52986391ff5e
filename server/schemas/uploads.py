"""Images on the wire: uploads and the images a post carries."""

from __future__ import annotations

from marshmallow import fields

from server.schemas.common import StrictSchema


class PostImageSchema(StrictSchema):
    url = fields.String(required=True, metadata={"description": "Display version (max 2048 px)"})
    thumbnail_url = fields.String(required=True, metadata={"description": "Max 400 px"})
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    alt = fields.String(required=True, metadata={"description": "Alt text, as written"})


class UploadSchema(PostImageSchema):
    id = fields.Integer(required=True, metadata={"description": "Pass in a post's image_ids"})
    thumbnail_width = fields.Integer(required=True)
    thumbnail_height = fields.Integer(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True, metadata={"description": "Bytes of the display version"})
