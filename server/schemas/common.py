"""Shared wire pieces: the error envelope and a strict base schema."""

from __future__ import annotations

from marshmallow import INCLUDE, RAISE, Schema, fields


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class ErrorBodySchema(Schema):
    class Meta:
        unknown = INCLUDE  # some errors add details: fields, retry_after, findings, current...

    code = fields.String(required=True, metadata={"description": "Stable snake_case code"})
    message = fields.String(required=True, metadata={"description": "A sentence for people"})
    field = fields.String(metadata={"description": "The input field at fault, when one is"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)
